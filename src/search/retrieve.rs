//! Retrieval, filtering and ranking over the index.
//!
//! A tantivy query picks the candidates: the services asked for (or the category; never
//! relaxed), with the leftover words as BM25 relevance (required only when nothing else names
//! what to teach). A collector then reads each candidate's fast fields and applies the filters:
//! a format offered (the one asked for, else any), the price per hour of that format (the
//! cheapest one offered when no format was asked; in person before online when a place was
//! asked), the age group, the place (a served or studio
//! area, or within the area's radius + 2 km of its centre; "near me" within 15 km; online lessons
//! have no place), and the weekly hours open in the asked window.
//!
//! The score of a passing document, each part in 0..1:
//!
//! ```text
//! score = 1.0 relevance   (BM25 / (BM25 + 2); 0.5 when there are no words to match)
//!       + 2.0 quality     ((rating - 3) / 2 with >= 3 reviews, else 0.5: new is neutral)
//!       + 1.5 distance    (1 / (1 + km / 5) when a place is known, else 0.5)
//!       + 1.0 price fit   (under a maximum: 0.5 + 0.5 * (1 - rate / max); budget: cheaper is
//!                          better; premium: dearer is better; else 0.5)
//!       + 1.0 availability(share of the asked window's weekly hours open; without a window,
//!                          share of the week's daytime hours open)
//!       + 0.5 freshness   (exp(-days since last active / 30))
//!       + 0.5 completeness(photo, bio, experience, place, reviews)
//!       + 0.5 audience    (teaches the asked age group) + 0.3 skill (teaches the asked level)
//!       + 0.3 founding instructor
//! ```
//!
//! Results are one card per instructor (their best-scoring service). Sorts: `recommended`
//! (score), `price_asc` / `price_desc` (the card's price, then score), `rating` (rating shown,
//! then review count).

use chrono::{Datelike, NaiveTime};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::collect::Filter;
use super::index::SearchIndex;
use super::listing::{age_bit, skill_bit};
use super::query::{Parsed, PriceTier, Skill};
use crate::areas::Areas;
use crate::availability::slots::Format;

/// Where a lesson should be, for the place filter and the distance part of the score.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    pub lat: f64,
    pub lng: f64,
    pub radius_km: f64,
    /// The area's position in the gazetteer (served-area bits), when it is an area.
    pub area_bit: Option<usize>,
}

/// The filters of one attempt (relaxation loosens them one by one).
#[derive(Clone, Debug)]
pub struct Wanted {
    pub services: Vec<String>,
    pub category: Option<String>,
    pub words: Vec<String>,
    pub formats: Vec<Format>,
    pub max_price_cents: Option<i64>,
    pub tier: Option<PriceTier>,
    pub age_bit: Option<u64>,
    pub skill_bit: Option<u64>,
    pub place: Option<Place>,
    /// Weekly hours (bit `day * 24 + hour`, Monday = 0) at least one of which must be open.
    pub hours: Option<[u64; 3]>,
    /// Where distance is measured from even when the place does not filter.
    pub origin: Option<(f64, f64)>,
}

pub const DAYTIME: [u64; 3] = daytime();

/// 08:00-21:00 every day: the hours "open this week" is measured over.
const fn daytime() -> [u64; 3] {
    let mut bits = [0u64; 3];
    let mut day = 0;
    while day < 7 {
        let mut hour = 8;
        while hour < 21 {
            let bit = day * 24 + hour;
            bits[bit / 64] |= 1 << (bit % 64);
            hour += 1;
        }
        day += 1;
    }
    bits
}

/// The weekly hours of a date and time window (dates give weekdays; times give hours).
pub fn week_mask(parsed: &Parsed) -> Option<[u64; 3]> {
    if parsed.date_from.is_none() && parsed.time_from.is_none() && parsed.time_to.is_none() {
        return None;
    }
    let days: Vec<usize> = match (parsed.date_from, parsed.date_to) {
        (Some(from), Some(to)) => from
            .iter_days()
            .take_while(|d| *d <= to)
            .take(7)
            .map(|d| d.weekday().num_days_from_monday() as usize)
            .collect(),
        _ => (0..7).collect(),
    };
    let start = parsed.time_from.map_or(0, |t| t.hour_of() as usize);
    let end = parsed.time_to.map_or(24, |t| {
        (t.hour_of() as usize + usize::from(t.minute_of() > 0)).min(24)
    });
    let mut bits = [0u64; 3];
    for day in days {
        for hour in start..end.max(start + 1).min(24) {
            let bit = day * 24 + hour;
            bits[bit / 64] |= 1 << (bit % 64);
        }
    }
    Some(bits)
}

trait HourOf {
    fn hour_of(&self) -> u32;
    fn minute_of(&self) -> u32;
}

impl HourOf for NaiveTime {
    fn hour_of(&self) -> u32 {
        chrono::Timelike::hour(self)
    }
    fn minute_of(&self) -> u32 {
        chrono::Timelike::minute(self)
    }
}

impl Wanted {
    pub fn from_parsed(parsed: &Parsed, areas: &Areas, near: Option<(f64, f64)>) -> Self {
        let area = parsed.area.as_deref().and_then(|slug| {
            let position = areas.all().iter().position(|a| a.slug == slug)?;
            let a = &areas.all()[position];
            Some(Place {
                lat: a.lat,
                lng: a.lng,
                radius_km: a.radius_km + 2.0,
                area_bit: (position < 128).then_some(position),
            })
        });
        let near_place = (parsed.near_me || area.is_none())
            .then_some(near)
            .flatten()
            .map(|(lat, lng)| Place {
                lat,
                lng,
                radius_km: 15.0,
                area_bit: None,
            });
        let place = area.or(if parsed.near_me { near_place } else { None });
        Self {
            services: parsed.services.clone(),
            category: parsed.category.clone(),
            words: parsed.text.clone(),
            formats: parsed
                .format
                .map(|f| f.formats().to_vec())
                .unwrap_or_default(),
            max_price_cents: parsed.max_price_cents,
            tier: parsed.price_tier,
            age_bit: parsed.age_group.map(age_bit),
            skill_bit: parsed.skill.map(|s| {
                skill_bit(match s {
                    Skill::Beginner => "beginner",
                    Skill::Intermediate => "intermediate",
                    Skill::Advanced => "advanced",
                })
            }),
            place,
            hours: week_mask(parsed),
            origin: place.map(|p| (p.lat, p.lng)).or(near),
        }
    }
}

/// One instructor-service that passed the filters.
#[derive(Clone, Debug)]
pub struct Hit {
    pub address: DocAddress,
    pub instructor: u64,
    pub score: f32,
    pub price_cents: i64,
    pub format: Format,
    pub rating: f64,
    pub reviews: u64,
    pub distance_km: Option<f64>,
}

fn candidates(index: &SearchIndex, wanted: &Wanted) -> Box<dyn Query> {
    let f = index.fields;
    let term = |field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    let what: Option<Box<dyn Query>> = if !wanted.services.is_empty() {
        Some(Box::new(BooleanQuery::new(
            wanted
                .services
                .iter()
                .map(|s| (Occur::Should, term(f.service, s)))
                .collect(),
        )))
    } else {
        wanted.category.as_deref().map(|c| term(f.category, c))
    };
    let words = (!wanted.words.is_empty()).then(|| {
        QueryParser::for_index(&index.index, vec![f.text])
            .parse_query_lenient(&wanted.words.join(" "))
            .0
    });
    match (what, words) {
        (Some(what), Some(words)) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, what),
            (Occur::Should, words),
        ])),
        (Some(what), None) => what,
        (None, Some(words)) => words,
        (None, None) => Box::new(AllQuery),
    }
}

/// Runs one attempt: the best passing document of every instructor, unranked.
pub fn matches(index: &SearchIndex, wanted: &Wanted, now: i64) -> tantivy::Result<Vec<Hit>> {
    let searcher = index.reader.searcher();
    let query = candidates(index, wanted);
    searcher.search(&query, &Filter::new(wanted, now))
}

/// How results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Recommended,
    PriceAsc,
    PriceDesc,
    Rating,
}

/// The first `limit` hits (one per instructor already) in `sort` order; only those are sorted.
pub fn rank(mut hits: Vec<Hit>, sort: Sort, limit: usize) -> Vec<Hit> {
    let by_score = |a: &Hit, b: &Hit| {
        b.score
            .total_cmp(&a.score)
            .then(a.instructor.cmp(&b.instructor))
    };
    let order = |a: &Hit, b: &Hit| match sort {
        Sort::Recommended => by_score(a, b),
        Sort::PriceAsc => a
            .price_cents
            .cmp(&b.price_cents)
            .then_with(|| by_score(a, b)),
        Sort::PriceDesc => b
            .price_cents
            .cmp(&a.price_cents)
            .then_with(|| by_score(a, b)),
        Sort::Rating => {
            let shown = |h: &Hit| if h.reviews >= 3 { h.rating } else { 0.0 };
            shown(b)
                .total_cmp(&shown(a))
                .then(b.reviews.cmp(&a.reviews))
                .then_with(|| by_score(a, b))
        }
    };
    if hits.len() > limit && limit > 0 {
        hits.select_nth_unstable_by(limit - 1, order);
        hits.truncate(limit);
    }
    hits.sort_by(order);
    hits.truncate(limit);
    hits
}

//! The collector: reads each candidate's fast fields, applies the filters and scores it (the
//! formula is in [`super::retrieve`]), keeping the best document of each instructor.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::ColumnValues;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::index::fast;
use super::query::PriceTier;
use super::retrieve::{DAYTIME, Hit, Wanted};
use crate::areas::distance_km;
use crate::availability::slots::Format;

/// Filters and scores every candidate; one hit per instructor.
pub struct Filter {
    wanted: Arc<Wanted>,
    now: i64,
}

impl Filter {
    pub fn new(wanted: &Wanted, now: i64) -> Self {
        Self {
            wanted: Arc::new(wanted.clone()),
            now,
        }
    }
}

type Dense<T> = Arc<dyn ColumnValues<T>>;

/// The fast fields of one segment, dense (every document has every field).
struct Columns {
    instructor: Dense<u64>,
    rates: [(Format, Dense<u64>); 3],
    ages: Dense<u64>,
    skills: Dense<u64>,
    areas: [Dense<u64>; 2],
    lat: Dense<f64>,
    lng: Dense<f64>,
    has_position: Dense<u64>,
    rating: Dense<f64>,
    reviews: Dense<u64>,
    completeness: Dense<f64>,
    active_at: Dense<i64>,
    founding: Dense<u64>,
    week: [Dense<u64>; 3],
}

pub struct SegmentFilter {
    segment: SegmentOrdinal,
    columns: Columns,
    wanted: Arc<Wanted>,
    now: i64,
    /// The best passing document of the instructor whose documents are being read.
    current: Option<Hit>,
    /// The best of each instructor already read.
    hits: Vec<Hit>,
}

impl Collector for Filter {
    type Fruit = Vec<Hit>;
    type Child = SegmentFilter;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFilter> {
        let ff = reader.fast_fields();
        let u = |name: &str| -> tantivy::Result<Dense<u64>> {
            Ok(ff.u64(name)?.first_or_default_col(0))
        };
        let f = |name: &str| -> tantivy::Result<Dense<f64>> {
            Ok(ff.f64(name)?.first_or_default_col(0.0))
        };
        let columns = Columns {
            instructor: u(fast::INSTRUCTOR)?,
            rates: [
                (Format::Travel, u(fast::RATE_TRAVEL)?),
                (Format::Studio, u(fast::RATE_STUDIO)?),
                (Format::Online, u(fast::RATE_ONLINE)?),
            ],
            ages: u(fast::AGES)?,
            skills: u(fast::SKILLS)?,
            areas: [u(fast::AREAS_LO)?, u(fast::AREAS_HI)?],
            lat: f(fast::LAT)?,
            lng: f(fast::LNG)?,
            has_position: u(fast::HAS_POSITION)?,
            rating: f(fast::RATING)?,
            reviews: u(fast::REVIEWS)?,
            completeness: f(fast::COMPLETENESS)?,
            active_at: ff.i64(fast::ACTIVE_AT)?.first_or_default_col(0),
            founding: u(fast::FOUNDING)?,
            week: [u(fast::WEEK[0])?, u(fast::WEEK[1])?, u(fast::WEEK[2])?],
        };
        Ok(SegmentFilter {
            segment,
            columns,
            wanted: self.wanted.clone(),
            now: self.now,
            current: None,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        !self.wanted.words.is_empty()
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Hit>>) -> tantivy::Result<Vec<Hit>> {
        // Every live document of an instructor is in one segment (the commit that last wrote
        // them; older copies are deleted), so segments never share an instructor.
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentFilter {
    type Fruit = Vec<Hit>;

    fn collect(&mut self, doc: DocId, bm25: Score) {
        let w = &self.wanted;
        let c = &self.columns;
        // The format and its price: the cheapest offered among those asked for (or any); with
        // a place and no format asked, in person comes first ("near me" means meeting).
        let offered = c
            .rates
            .iter()
            .filter(|(format, _)| w.formats.is_empty() || w.formats.contains(format))
            .filter_map(|(format, column)| {
                let rate = column.get_val(doc);
                (rate > 0).then_some((*format, rate))
            });
        let in_person_first = w.place.is_some() && w.formats.is_empty();
        let Some((format, rate)) = offered
            .min_by_key(|(format, rate)| (in_person_first && *format == Format::Online, *rate))
        else {
            return;
        };
        let rate = i64::try_from(rate).unwrap_or(i64::MAX);
        if w.max_price_cents.is_some_and(|max| rate > max) {
            return;
        }
        let ages = c.ages.get_val(doc);
        if w.age_bit.is_some_and(|bit| ages & bit == 0) {
            return;
        }
        let week = [
            c.week[0].get_val(doc),
            c.week[1].get_val(doc),
            c.week[2].get_val(doc),
        ];
        let window = w.hours.unwrap_or(DAYTIME);
        let open = overlap(&week, &window);
        if w.hours.is_some() && open == 0 {
            return;
        }
        // Positions are read only when something is measured from (most queries name none).
        let distance_km = match (format, w.origin) {
            (Format::Online, _) | (_, None) => None,
            (_, Some((lat, lng))) => (c.has_position.get_val(doc) == 1)
                .then(|| distance_km(lat, lng, c.lat.get_val(doc), c.lng.get_val(doc))),
        };
        if let (Some(place), false) = (w.place, format == Format::Online) {
            let served = place
                .area_bit
                .is_some_and(|bit| c.areas[bit / 64].get_val(doc) & (1 << (bit % 64)) != 0);
            if !served && !distance_km.is_some_and(|km| km <= place.radius_km) {
                return;
            }
        }
        let rating = c.rating.get_val(doc);
        let reviews = c.reviews.get_val(doc);
        let relevance = if w.words.is_empty() {
            0.5
        } else {
            bm25 / (bm25 + 2.0)
        };
        let quality = if reviews >= 3 {
            ((rating - 3.0) / 2.0).clamp(0.0, 1.0)
        } else {
            0.5
        };
        let nearness = distance_km.map_or(0.5, |km| 1.0 / (1.0 + km / 5.0));
        let price_fit = match (w.max_price_cents, w.tier) {
            (Some(max), _) => 0.5 + 0.5 * (1.0 - rate as f64 / max.max(1) as f64),
            (None, Some(PriceTier::Budget)) => 1.0 - (rate as f64 / 20_000.0).min(1.0),
            (None, Some(PriceTier::Premium)) => (rate as f64 / 20_000.0).min(1.0),
            (None, None) => 0.5,
        };
        let window_hours = f64::from(window.iter().map(|b| b.count_ones()).sum::<u32>().max(1));
        let availability = f64::from(open) / window_hours;
        let idle_days = (self.now - c.active_at.get_val(doc)).max(0) as f64 / 86_400.0;
        let freshness = (-idle_days / 30.0).exp();
        let completeness = c.completeness.get_val(doc);
        let audience = f64::from(u8::from(w.age_bit.is_some_and(|bit| ages & bit != 0)));
        let skill = f64::from(u8::from(
            w.skill_bit
                .is_some_and(|bit| c.skills.get_val(doc) & bit != 0),
        ));
        let founding = c.founding.get_val(doc) as f64;
        let score = f64::from(relevance)
            + 2.0 * quality
            + 1.5 * nearness
            + price_fit
            + availability
            + 0.5 * freshness
            + 0.5 * completeness
            + 0.5 * audience
            + 0.3 * skill
            + 0.3 * founding;
        let hit = Hit {
            address: DocAddress::new(self.segment, doc),
            instructor: c.instructor.get_val(doc),
            score: score as f32,
            price_cents: rate,
            format,
            rating,
            reviews,
            distance_km,
        };
        // An instructor's documents are written together and stay adjacent in their segment,
        // and documents are collected in order: a change of instructor closes the previous one.
        match &mut self.current {
            Some(current) if current.instructor == hit.instructor => {
                if hit.score > current.score {
                    *current = hit;
                }
            }
            current => {
                if let Some(done) = current.replace(hit) {
                    self.hits.push(done);
                }
            }
        }
    }

    fn harvest(mut self) -> Vec<Hit> {
        self.hits.extend(self.current.take());
        self.hits
    }
}

fn overlap(a: &[u64; 3], b: &[u64; 3]) -> u32 {
    (a[0] & b[0]).count_ones() + (a[1] & b[1]).count_ones() + (a[2] & b[2]).count_ones()
}

//! The vocabulary: every phrase the parser knows, built once per catalog/areas version. Visible
//! services (name, slug, terms), subcategories (name, slug: "math", "martial arts"), categories
//! (name, slug, terms), areas (name, slug, aliases) and the fixed format, nearness, skill,
//! price-tier and audience phrases all live in one table keyed by stemmed words, so a single
//! longest-match-first scan settles overlaps: "sat prep" beats "sat", "spanish harlem" beats
//! "spanish", "in person" is never the area "in", "fl studio" is not the format "studio". When
//! two sources share a phrase, the first added wins: services, subcategories, categories, areas,
//! then the fixed lists.

use std::collections::{HashMap, HashSet};

use super::tokens::{Kind, stem, tokenize};
use super::typo::Speller;
use super::{
    Claim, FormatWanted, Parsed, PriceTier, Query, Skill, audience, clock, price, when, words,
};
use crate::areas::Areas;
use crate::catalog::{AgeGroup, Catalog};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Meaning {
    Service(usize),
    Subcategory(usize),
    Category(usize),
    Area(usize),
    Format(FormatWanted),
    NearMe,
    Skill(Skill),
    Tier(PriceTier),
    Audience(AgeGroup),
}

struct Hit {
    meaning: Meaning,
    start: usize,
    end: usize,
}

/// Everything the parser knows about this marketplace's words. Cheap to query; rebuild it when
/// the catalog or the areas change.
#[derive(Default)]
pub struct Vocabulary {
    /// Stems joined by spaces -> meaning.
    phrases: HashMap<String, Meaning>,
    longest: usize,
    services: Vec<String>,
    /// Each subcategory's visible services, as indexes into `services`.
    subcategories: Vec<Vec<usize>>,
    categories: Vec<String>,
    /// Slug and radius: the smaller area is the more specific.
    areas: Vec<(String, f64)>,
    /// Words never typo-corrected.
    known: HashSet<String>,
    stop: HashSet<String>,
    suffixes: HashSet<String>,
    speller: Speller,
}

impl Vocabulary {
    pub fn new(catalog: &Catalog, areas: &Areas) -> Self {
        let mut v = Self::default();
        let mut subcategories = Vec::new();
        for category in &catalog.categories {
            for sub in &category.subcategories {
                let mut members = Vec::new();
                for view in &sub.services {
                    let m = Meaning::Service(v.services.len());
                    members.push(v.services.len());
                    v.services.push(view.slug.clone());
                    v.add(&view.name, m);
                    v.add(&view.slug, m);
                    let service = view.id.parse().ok().and_then(|id| catalog.service(id));
                    for term in service.map(|s| s.terms.as_slice()).unwrap_or_default() {
                        v.add(term, m);
                    }
                }
                if !members.is_empty() {
                    subcategories.push((sub, members));
                }
            }
        }
        for (sub, members) in subcategories {
            let m = Meaning::Subcategory(v.subcategories.len());
            v.subcategories.push(members);
            v.add(&sub.name, m);
            v.add(&sub.slug, m);
        }
        for category in &catalog.categories {
            let m = Meaning::Category(v.categories.len());
            v.categories.push(category.slug.clone());
            v.add(&category.name, m);
            v.add(&category.slug, m);
            for term in catalog
                .category_terms
                .get(&category.slug)
                .into_iter()
                .flatten()
            {
                v.add(term, m);
            }
        }
        for area in areas.all() {
            let m = Meaning::Area(v.areas.len());
            v.areas.push((area.slug.clone(), area.radius_km));
            v.add(&area.name, m);
            v.add(&area.slug, m);
            for alias in &area.aliases {
                v.add(alias, m);
            }
        }
        for &(p, f) in words::FORMATS {
            v.add(p, Meaning::Format(f));
        }
        for &p in words::NEAR_ME {
            v.add(p, Meaning::NearMe);
        }
        for &(p, s) in words::SKILLS {
            v.add(p, Meaning::Skill(s));
        }
        for &(p, t) in words::TIERS {
            v.add(p, Meaning::Tier(t));
        }
        for &(p, g) in words::AUDIENCE {
            v.add(p, Meaning::Audience(g));
        }
        let list = |words: &'static str| words.split_whitespace();
        for w in list(words::SUFFIXES).chain(list(when::SPELL)) {
            v.speller.add(&stem(w));
        }
        v.suffixes = list(words::SUFFIXES).map(stem).collect();
        v.stop = list(words::STOP).map(stem).collect();
        let everyday = [
            words::SUFFIXES,
            words::STOP,
            words::COMMON,
            when::SPELL,
            when::WORDS,
        ];
        for w in everyday.into_iter().flat_map(list) {
            v.known.insert(stem(w));
        }
        // Words the number patterns look for must reach them uncorrected ("no more than").
        let patterns = [
            price::BELOW,
            price::AFTER,
            price::RATES,
            price::NOT_MONEY,
            audience::YEARS,
            audience::MONTHS,
            audience::GRADES,
        ];
        for w in patterns
            .iter()
            .flat_map(|p| p.iter())
            .flat_map(|p| p.split(' '))
        {
            v.known.insert(stem(w));
        }
        v
    }

    fn add(&mut self, text: &str, meaning: Meaning) {
        let toks = tokenize(text);
        if toks.is_empty() || toks.iter().any(|t| t.kind == Kind::Sym) {
            return;
        }
        for t in &toks {
            self.known.insert(t.stem.clone());
            if t.kind == Kind::Word {
                self.speller.add(&t.stem);
            }
        }
        self.longest = self.longest.max(toks.len());
        let key: Vec<&str> = toks.iter().map(|t| t.stem.as_str()).collect();
        self.phrases.entry(key.join(" ")).or_insert(meaning);
    }

    pub(super) fn is_stop(&self, stem: &str) -> bool {
        self.stop.contains(stem)
    }

    /// Gives each unknown word its probable meaning.
    pub(super) fn correct(&self, toks: &mut [super::Tok]) {
        for t in toks.iter_mut().filter(|t| t.kind == Kind::Word) {
            if self.known.contains(&t.stem) || self.known.contains(&t.raw) {
                continue;
            }
            // Both forms: "chees" is one edit from "chess", its stem "chee" is not; "painos" is
            // two edits from "piano", its stem "paino" one. The raw word wins a tie.
            let raw = self.speller.closest(&t.raw).map(|(d, rank)| (d, 0, rank));
            let stem = self.speller.closest(&t.stem).map(|(d, rank)| (d, 1, rank));
            t.fixed = raw
                .into_iter()
                .chain(stem)
                .min()
                .map(|(_, _, rank)| self.speller.word(rank));
        }
    }

    /// Claims every known phrase, longest first from left to right, and records its meaning.
    pub(super) fn extract(&self, q: &mut Query, out: &mut Parsed) {
        let mut hits = Vec::new();
        let mut i = 0;
        while i < q.count() {
            match self.longest_at(q, i) {
                Some(hit) => {
                    i = hit.end;
                    hits.push(hit);
                }
                None => i += 1,
            }
        }
        // Tokens of named services; a category does not count ("sat tutoring" is the test).
        let mut named = vec![false; q.count()];
        for h in &hits {
            if matches!(h.meaning, Meaning::Service(_) | Meaning::Subcategory(_))
                && !self.is_weekday(q, h)
            {
                named[h.start..h.end].fill(true);
            }
        }
        hits.retain(|h| !(self.is_weekday(q, h) && reads_as_day(q, h.start, &named)));

        let (mut formats, mut area, mut category) = (Vec::new(), None::<usize>, None);
        for hit in &hits {
            let claim = match hit.meaning {
                Meaning::Service(_) | Meaning::Subcategory(_) | Meaning::Category(_) => {
                    Claim::Catalog
                }
                Meaning::Audience(_) => Claim::Audience,
                _ => Claim::Other,
            };
            let mut end = hit.end;
            while claim == Claim::Catalog && self.suffixes.contains(q.at(end)) {
                end += 1;
            }
            q.claim(hit.start..end, claim);
            match hit.meaning {
                Meaning::Service(s) => push_new(&mut out.services, &self.services[s]),
                Meaning::Subcategory(s) => {
                    for &m in &self.subcategories[s] {
                        push_new(&mut out.services, &self.services[m]);
                    }
                }
                Meaning::Category(c) => {
                    category.get_or_insert(c);
                }
                Meaning::Area(a) => {
                    if area.is_none_or(|b| self.areas[a].1 < self.areas[b].1) {
                        area = Some(a);
                    }
                }
                Meaning::Format(f) => formats.push(f),
                Meaning::NearMe => out.near_me = true,
                Meaning::Skill(s) => {
                    out.skill.get_or_insert(s);
                }
                Meaning::Tier(t) => {
                    out.price_tier.get_or_insert(t);
                }
                Meaning::Audience(g) => {
                    out.age_group.get_or_insert(g);
                }
            }
        }
        if out.services.is_empty() {
            out.category = category.map(|c| self.categories[c].clone());
        }
        out.area = area.map(|a| self.areas[a].0.clone());
        out.format = combine(&formats);
    }

    fn longest_at(&self, q: &Query, i: usize) -> Option<Hit> {
        let mut key = String::new();
        let mut best = None;
        for (len, t) in (1..=self.longest).zip(&q.toks[i..]) {
            if t.kind == Kind::Sym {
                break;
            }
            if len > 1 {
                key.push(' ');
            }
            key.push_str(t.word());
            if let Some(&meaning) = self.phrases.get(&key) {
                best = Some(Hit {
                    meaning,
                    start: i,
                    end: i + len,
                });
            }
        }
        best
    }

    /// A one-word service that is also a weekday ("sat"), not written in capitals ("SAT").
    fn is_weekday(&self, q: &Query, hit: &Hit) -> bool {
        let t = &q.toks[hit.start];
        matches!(hit.meaning, Meaning::Service(_))
            && hit.end == hit.start + 1
            && !t.upper
            && when::weekday(&t.stem).is_some()
    }
}

/// Whether an ambiguous "sat" at `i` is Saturday: after on/this/next, before a time of day,
/// beside another weekday, or beside a named service ("guitar sat"), unless listed with it
/// ("sat or act").
fn reads_as_day(q: &Query, i: usize, named: &[bool]) -> bool {
    let word = |k: Option<usize>| k.and_then(|k| q.toks.get(k)).map_or("", |t| t.word());
    let joins = |w: &str| matches!(w, "or" | "and" | "," | "to" | "through");
    let prev = word(i.checked_sub(1));
    let next = word(Some(i + 1));
    let (prev_at, next_at) = match (joins(prev), joins(next)) {
        (true, true) => (i.checked_sub(2), Some(i + 2)),
        (true, false) => (i.checked_sub(2), Some(i + 1)),
        (false, true) => (i.checked_sub(1), Some(i + 2)),
        (false, false) => (i.checked_sub(1), Some(i + 1)),
    };
    let is_named = |k: Option<usize>| k.is_some_and(|k| named.get(k).copied().unwrap_or(false));
    let listed = (joins(prev) && is_named(prev_at)) || (joins(next) && is_named(next_at));
    let next_hour = q
        .toks
        .get(i + 1)
        .and_then(|t| t.num())
        .is_some_and(|n| n <= 23);
    !listed
        && (named.contains(&true)
            || matches!(
                prev,
                "on" | "this" | "next" | "every" | "coming" | "until" | "till" | "by"
            )
            || when::weekday(word(prev_at)).is_some()
            || when::weekday(word(next_at)).is_some()
            || clock::is_time_word(next)
            || next_hour)
}

fn push_new(list: &mut Vec<String>, slug: &str) {
    if !list.iter().any(|s| s == slug) {
        list.push(slug.to_string());
    }
}

/// Several formats asked at once: online with anything else means either will do; travel and
/// studio together mean in person; in person with one of them means that one.
fn combine(formats: &[FormatWanted]) -> Option<FormatWanted> {
    let has = |f| formats.contains(&f);
    let (travel, studio) = (has(FormatWanted::Travel), has(FormatWanted::Studio));
    if has(FormatWanted::Online) {
        return (!travel && !studio && !has(FormatWanted::InPerson))
            .then_some(FormatWanted::Online);
    }
    match (travel, studio) {
        (true, false) => Some(FormatWanted::Travel),
        (false, true) => Some(FormatWanted::Studio),
        (true, true) => Some(FormatWanted::InPerson),
        (false, false) => has(FormatWanted::InPerson).then_some(FormatWanted::InPerson),
    }
}

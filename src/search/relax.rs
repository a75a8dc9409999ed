//! Strict first, then looser (SPEC 11): with fewer than [`ENOUGH`] instructors, drop the time
//! of day, then the dates, then the place (only when the place itself found nobody), then allow
//! prices 25% higher. The service is never relaxed. A step is kept only when it finds someone
//! new, who is listed after the closer matches; kept steps are reported in `relaxed` and
//! explained in one sentence.

use std::collections::HashSet;

use super::index::SearchIndex;
use super::query::Parsed;
use super::retrieve::{self, Hit, Sort, Wanted, week_mask};
use crate::areas::Areas;
use crate::common::money::usd;

pub const ENOUGH: usize = 5;

pub struct Outcome {
    /// One hit per instructor, in sort order, as far as the page asked for.
    pub hits: Vec<Hit>,
    /// Instructors found in all.
    pub total: usize,
    pub relaxed: Vec<&'static str>,
    pub message: Option<String>,
}

pub fn run(
    index: &SearchIndex,
    parsed: &Parsed,
    areas: &Areas,
    near: Option<(f64, f64)>,
    sort: Sort,
    now: i64,
    limit: usize,
) -> tantivy::Result<Outcome> {
    let mut ladder = Ladder {
        index,
        sort,
        now,
        limit,
        wanted: Wanted::from_parsed(parsed, areas, near),
        hits: Vec::new(),
        found: HashSet::new(),
        relaxed: Vec::new(),
        said: Vec::new(),
        pending: Vec::new(),
    };
    let first = ladder.attempt(&ladder.wanted.clone())?;
    ladder.add(first);
    if parsed.time_from.is_some() || parsed.time_to.is_some() {
        let hours = week_mask(&Parsed {
            time_from: None,
            time_to: None,
            ..parsed.clone()
        });
        ladder.step("time", "other times of day".into(), |w| w.hours = hours)?;
    }
    if ladder.wanted.hours.is_some() {
        ladder.step("date", "other days".into(), |w| w.hours = None)?;
    }
    if ladder.found.len() < ENOUGH && ladder.wanted.place.is_some() {
        let here = Wanted {
            hours: None,
            max_price_cents: None,
            ..ladder.wanted.clone()
        };
        if ladder.attempt(&here)?.is_empty() {
            ladder.step("location", "other neighborhoods".into(), |w| w.place = None)?;
        }
    }
    if let Some(max) = ladder.wanted.max_price_cents {
        let higher = max + (max + 3) / 4;
        let said = format!("prices up to {}/h", usd(higher));
        ladder.step("price", said, |w| w.max_price_cents = Some(higher))?;
    }
    let message = (!ladder.said.is_empty()).then(|| {
        format!(
            "Few instructors matched everything you asked, so we also included {}.",
            join(&ladder.said)
        )
    });
    Ok(Outcome {
        total: ladder.found.len(),
        hits: ladder.hits,
        relaxed: ladder.relaxed,
        message,
    })
}

/// The search so far: what is asked now, and what was found, exact matches first.
struct Ladder<'a> {
    index: &'a SearchIndex,
    sort: Sort,
    now: i64,
    limit: usize,
    wanted: Wanted,
    /// The ranked hits to show, closer matches first.
    hits: Vec<Hit>,
    /// Every instructor found so far.
    found: HashSet<u64>,
    relaxed: Vec<&'static str>,
    said: Vec<String>,
    /// Steps taken that have not found anyone new yet.
    pending: Vec<(&'static str, String)>,
}

impl Ladder<'_> {
    /// Every instructor passing `wanted` (best service each), unranked.
    fn attempt(&self, wanted: &Wanted) -> tantivy::Result<Vec<Hit>> {
        retrieve::matches(self.index, wanted, self.now)
    }

    /// Records instructors not found before, ranked after those already shown.
    fn add(&mut self, hits: Vec<Hit>) -> usize {
        let new: Vec<Hit> = hits
            .into_iter()
            .filter(|h| self.found.insert(h.instructor))
            .collect();
        let added = new.len();
        let room = self.limit.saturating_sub(self.hits.len());
        self.hits.extend(retrieve::rank(new, self.sort, room));
        added
    }

    /// With too few found, loosens the query by `change`, for good: steps add up. Steps are
    /// reported once someone new turns up (with every step before that made it possible);
    /// steps after the last one that found someone are not reported.
    fn step(
        &mut self,
        name: &'static str,
        said: String,
        change: impl FnOnce(&mut Wanted),
    ) -> tantivy::Result<()> {
        if self.found.len() >= ENOUGH {
            return Ok(());
        }
        change(&mut self.wanted);
        self.pending.push((name, said));
        let found = self.attempt(&self.wanted.clone())?;
        if self.add(found) > 0 {
            for (name, said) in self.pending.drain(..) {
                self.relaxed.push(name);
                self.said.push(said);
            }
        }
        Ok(())
    }
}

fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

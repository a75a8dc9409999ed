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
    /// One hit per instructor, in sort order.
    pub hits: Vec<Hit>,
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
) -> tantivy::Result<Outcome> {
    let mut ladder = Ladder {
        index,
        sort,
        now,
        wanted: Wanted::from_parsed(parsed, areas, near),
        hits: Vec::new(),
        relaxed: Vec::new(),
        said: Vec::new(),
    };
    ladder.hits = ladder.attempt(&ladder.wanted.clone())?;
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
    if ladder.hits.len() < ENOUGH && ladder.wanted.place.is_some() {
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
    wanted: Wanted,
    hits: Vec<Hit>,
    relaxed: Vec<&'static str>,
    said: Vec<String>,
}

impl Ladder<'_> {
    fn attempt(&self, wanted: &Wanted) -> tantivy::Result<Vec<Hit>> {
        Ok(retrieve::rank(
            retrieve::matches(self.index, wanted, self.now)?,
            self.sort,
        ))
    }

    /// With too few found, loosens the query by `change`; kept (and reported) only when it
    /// finds someone new, who then follows the closer matches.
    fn step(
        &mut self,
        name: &'static str,
        said: String,
        change: impl FnOnce(&mut Wanted),
    ) -> tantivy::Result<()> {
        if self.hits.len() >= ENOUGH {
            return Ok(());
        }
        let mut looser = self.wanted.clone();
        change(&mut looser);
        let known: HashSet<u64> = self.hits.iter().map(|h| h.instructor).collect();
        let new: Vec<Hit> = self
            .attempt(&looser)?
            .into_iter()
            .filter(|h| !known.contains(&h.instructor))
            .collect();
        if !new.is_empty() {
            self.wanted = looser;
            self.hits.extend(new);
            self.relaxed.push(name);
            self.said.push(said);
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

//! Natural-language query understanding (SPEC section 11): turns "piano for my 8 year old in
//! brooklyn under $80 tomorrow morning" into a [`Parsed`] query. Pure: no I/O, no clock, no
//! database; the catalog and areas arrive as a prebuilt [`Vocabulary`] and "today" in a
//! [`Context`].
//!
//! The text is split into tokens ([`tokens`]), unknown words get a typo correction against the
//! vocabulary ([`typo`]), then passes claim the tokens they understand, in this order:
//! 1. catalog, area, format, skill, price-tier and audience phrases, longest first
//!    ([`vocabulary`]);
//! 2. ages ("my 8 year old", "kids under 10") in [`audience`], before prices so an age bound is
//!    never read as dollars;
//! 3. prices ([`price`]), before times so "$5" is never 17:00;
//! 4. dates and times ([`when`], [`clock`]).
//!
//! Whatever no pass claimed and is not a stop word stays in [`Parsed::text`] for BM25.
//!
//! Decisions a reader might not guess:
//! - Only the first 300 characters / 60 tokens are read: a query, not a document.
//! - "top rated", "best" set nothing: ranking already weighs rating, and reading them as a price
//!   tier would hide good, inexpensive teachers. "premium", "high end", "luxury" -> Premium;
//!   "cheap", "budget", "affordable" -> Budget.
//! - A category is kept only when no service was named ("music lessons" -> music; "piano music"
//!   -> piano). A subcategory name ("math", "martial arts", "brass") means its services.
//! - Conflicting formats: "online or in person" sets none; "studio or at home" is in person.
//! - Several areas: the most specific (smallest) one; ties go to the first mentioned.
//! - Audience: an age written with numbers wins over words ("my 15 year old son" -> teens);
//!   otherwise the first audience word. An age bound or range ("kids under 10", "ages 5-7")
//!   sets only the group, of its oldest age for "under N", of its youngest for a range.
//! - Bare "under N" without a currency is an age bound when an audience word stands within
//!   three words of it or a unit follows ("under 5s", "under 10 year olds"); otherwise a price.
//! - "sat" is Saturday after on/this/next, before a time of day, beside another weekday, or when
//!   the query names another service; otherwise (and always as "SAT") the SAT test.

mod audience;
mod clock;
mod price;
mod tokens;
mod typo;
mod vocabulary;
mod when;
mod words;

#[cfg(test)]
mod tests;

use std::ops::Range;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::availability::slots::Format;
use crate::catalog::AgeGroup;

use tokens::{Kind, Tok};
pub use vocabulary::Vocabulary;

/// What the caller knows that the text does not: the student's local date and time, and where
/// they are when the client sent coordinates.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub today: NaiveDate,
    pub now: NaiveTime,
    /// Latitude and longitude; the search uses them for "near me".
    pub near: Option<(f64, f64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PriceTier {
    /// "cheap", "budget", "affordable", "inexpensive", "low cost".
    Budget,
    /// "premium", "high end", "luxury", "upscale", "expensive".
    Premium,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Skill {
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormatWanted {
    Online,
    /// Travel or studio, either will do.
    InPerson,
    /// The instructor comes to the student.
    Travel,
    /// The student goes to the instructor.
    Studio,
}

impl FormatWanted {
    /// The lesson formats that satisfy this wish.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Self::Online => &[Format::Online],
            Self::InPerson => &[Format::Travel, Format::Studio],
            Self::Travel => &[Format::Travel],
            Self::Studio => &[Format::Studio],
        }
    }
}

/// The query as understood. Empty `services` and no `category` mean any service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Parsed {
    /// Service slugs, in the order they were mentioned.
    pub services: Vec<String>,
    /// A category slug, only when no service was named.
    pub category: Option<String>,
    /// Per hour.
    pub max_price_cents: Option<i64>,
    pub price_tier: Option<PriceTier>,
    pub age_group: Option<AgeGroup>,
    pub age: Option<u8>,
    pub skill: Option<Skill>,
    pub format: Option<FormatWanted>,
    /// Area slug.
    pub area: Option<String>,
    /// "near me": the search measures from the client's coordinates.
    pub near_me: bool,
    #[schema(value_type = Option<String>, example = "2026-11-28")]
    pub date_from: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "2026-11-29")]
    pub date_to: Option<NaiveDate>,
    /// Local time "HH:MM", like availability windows.
    #[serde(serialize_with = "hhmm")]
    #[schema(value_type = Option<String>, example = "17:00")]
    pub time_from: Option<NaiveTime>,
    #[serde(serialize_with = "hhmm")]
    #[schema(value_type = Option<String>, example = "21:00")]
    pub time_to: Option<NaiveTime>,
    /// Leftover words for text relevance, lowercase, stop words dropped.
    pub text: Vec<String>,
}

fn hhmm<S: serde::Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.format("%H:%M").to_string()),
        None => s.serialize_none(),
    }
}

/// Understands `text`. Never fails: what it cannot read stays in `text`.
pub fn parse(text: &str, vocab: &Vocabulary, ctx: &Context) -> Parsed {
    let mut toks = tokens::tokenize(text);
    vocab.correct(&mut toks);
    let mut q = Query::new(toks);
    let mut out = Parsed::default();
    vocab.extract(&mut q, &mut out);
    audience::extract(&mut q, &mut out);
    price::extract(&mut q, &mut out);
    when::extract(&mut q, ctx, &mut out);
    for i in 0..q.count() {
        let t = &q.toks[i];
        let junk = t.kind == Kind::Sym || (t.kind == Kind::Word && t.raw.chars().count() < 2);
        if q.free(i) && !junk && !vocab.is_stop(&t.stem) && !out.text.contains(&t.raw) {
            out.text.push(t.raw.clone());
        }
    }
    out
}

/// What claimed a token, for passes that look at their neighbours ("kids under 10").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Claim {
    Catalog,
    Audience,
    Other,
}

/// The tokens and which pass has claimed each; a claimed token is invisible to later passes.
struct Query {
    toks: Vec<Tok>,
    claims: Vec<Option<Claim>>,
}

impl Query {
    fn new(toks: Vec<Tok>) -> Self {
        let claims = vec![None; toks.len()];
        Self { toks, claims }
    }

    fn count(&self) -> usize {
        self.toks.len()
    }

    fn free(&self, i: usize) -> bool {
        matches!(self.claims.get(i), Some(None))
    }

    /// The word (corrected, plural-insensitive), number or symbol at `i`; "" when claimed or
    /// past the end, so patterns simply fail there.
    fn at(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) if self.free(i) => t.word(),
            _ => "",
        }
    }

    fn is(&self, i: usize, word: &str) -> bool {
        self.at(i) == word
    }

    fn is_any(&self, i: usize, words: &[&str]) -> bool {
        let w = self.at(i);
        !w.is_empty() && words.contains(&w)
    }

    /// Length of the first of `phrases` (each a space-separated list of stems) found at `i`.
    fn phrase(&self, i: usize, phrases: &[&str]) -> Option<usize> {
        phrases.iter().find_map(|p| {
            let len = p.split(' ').count();
            p.split(' ')
                .enumerate()
                .all(|(k, w)| self.is(i + k, w))
                .then_some(len)
        })
    }

    fn num(&self, i: usize) -> Option<u32> {
        if !self.free(i) {
            return None;
        }
        self.toks.get(i).and_then(Tok::num)
    }

    fn claimed_as(&self, i: usize, claim: Claim) -> bool {
        self.claims.get(i) == Some(&Some(claim))
    }

    fn claim(&mut self, range: Range<usize>, claim: Claim) {
        for c in self.claims.iter_mut().take(range.end).skip(range.start) {
            *c = Some(claim);
        }
    }
}

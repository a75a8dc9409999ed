//! Prices per hour: "under $80", "less than 60", "max $50", "$70/hr", "$70 an hour", "below 90",
//! "up to 100 dollars", "80 or less", "between $50 and $80", "$50-$80", "around $70". Numbers
//! are dollars; the result is a maximum in cents (the smallest when several). A bare number
//! after a bound word is a price unless a unit follows ("under 30 minutes") or the audience
//! pass took it as an age; "around"/"about"/"within" need a currency. A per-lesson price is
//! read as hourly: lessons are about an hour and the search compares hourly rates.

use super::{Claim, Parsed, Query};

pub(super) const BELOW: &[&str] = &[
    "under",
    "below",
    "less than",
    "max",
    "maximum",
    "at most",
    "up to",
    "upto",
    "no more than",
    "not more than",
    "cheaper than",
    "lower than",
    "<",
    "within",
    "around",
    "about",
    "approximately",
    "roughly",
];

pub(super) const AFTER: &[&str] = &[
    "or less",
    "or under",
    "or below",
    "or lower",
    "or cheaper",
    "and under",
    "and below",
    "max",
    "maximum",
    "tops",
    "at most",
];

pub(super) const RATES: &[&str] = &[
    "/ hr",
    "/ hour",
    "/ h",
    "/ lesson",
    "/ session",
    "per hour",
    "per hr",
    "per h",
    "per lesson",
    "per session",
    "an hour",
    "a hour",
    "an hr",
    "a lesson",
    "a session",
    "hourly",
];

/// Words after a bare number that make it something other than dollars.
pub(super) const NOT_MONEY: &[&str] = &[
    "am", "pm", ":", "oclock", "year", "yr", "yrs", "yo", "y", "month", "day", "week", "hour",
    "hr", "hrs", "min", "minute", "st", "nd", "rd", "th", "/", "kid", "child", "student", "people",
    "person", "mile", "km", "block",
];

struct Amount {
    cents: i64,
    end: usize,
    /// Written as money: "$", "dollars" or a rate.
    money: bool,
}

fn amount(q: &Query, i: usize) -> Option<Amount> {
    let mut money = q.is(i, "$");
    let mut j = i + usize::from(money);
    let mut cents = i64::from(q.num(j)?) * 100;
    j += 1;
    if q.is(j, ".")
        && let Some(c) = q.num(j + 1)
        && q.toks.get(j + 1).is_some_and(|t| t.raw.len() == 2)
    {
        cents += i64::from(c);
        j += 2;
    }
    if money && q.is(j, "k") {
        cents *= 1000;
        j += 1;
    }
    if q.is(j, "$") || q.is_any(j, &["dollar", "buck", "usd"]) {
        money = true;
        j += 1;
    }
    if let Some(len) = q.phrase(j, RATES) {
        money = true;
        j += len;
    }
    Some(Amount {
        cents,
        end: j,
        money,
    })
}

pub(super) fn extract(q: &mut Query, out: &mut Parsed) {
    let mut i = 0;
    while i < q.count() {
        match price_at(q, i) {
            Some((cents, end)) => {
                out.max_price_cents = Some(out.max_price_cents.map_or(cents, |c| c.min(cents)));
                q.claim(i..end, Claim::Other);
                i = end;
            }
            None => i += 1,
        }
    }
}

/// Skips "or less" and the like after a price.
fn tail(q: &Query, i: usize) -> usize {
    i + q.phrase(i, AFTER).unwrap_or(0)
}

fn price_at(q: &Query, i: usize) -> Option<(i64, usize)> {
    if q.is(i, "between")
        && let Some(a) = amount(q, i + 1)
        && q.is_any(a.end, &["and", "to", "-"])
        && let Some(b) = amount(q, a.end + 1)
        && (a.money || b.money || a.cents.min(b.cents) >= 2500)
    {
        return Some((a.cents.max(b.cents), tail(q, b.end)));
    }
    if let Some(len) = q.phrase(i, BELOW) {
        let a = amount(q, i + len)?;
        let vague = q.is_any(
            i,
            &["around", "about", "approximately", "roughly", "within"],
        );
        let plain = !vague && !q.is_any(a.end, NOT_MONEY);
        return (a.cents > 0 && (a.money || plain)).then(|| (a.cents, tail(q, a.end)));
    }
    let a = amount(q, i)?;
    let upper = if q.is_any(a.end, &["-", "to"]) {
        amount(q, a.end + 1).filter(|b| b.money || (a.money && !q.is_any(b.end, NOT_MONEY)))
    } else {
        None
    };
    if let Some(b) = upper {
        return Some((a.cents.max(b.cents), tail(q, b.end)));
    }
    if a.money {
        return Some((a.cents, tail(q, a.end)));
    }
    q.phrase(a.end, AFTER).map(|len| (a.cents, a.end + len))
}

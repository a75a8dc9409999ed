//! Times of day, local to the student.
//!
//! - Parts of the day: morning 06-12, afternoon 12-17, evening/night/tonight 17-21, lunch
//!   11-14 (plus early/late variants); "after school" is from 15:00, "after work" from 17:00.
//! - "after 5" starts at 17:00, "before 3pm" ends at 15:00, "between 3 and 5" / "3-5pm" /
//!   "from 3 to 5" is 15:00-17:00. "at 6am", "6am" or "around 6" is the hour from then
//!   (06:00-07:00): a lesson starting near then.
//! - Bare hours: 1-7 mean pm, 8-11 am, unless the query also says morning (all am) or
//!   afternoon/evening/night (all pm); "12" is noon; 13-23 is the 24-hour clock.
//! - A number alone is never a time; it needs am/pm, a colon, or a word like "after" or "at".
//! - An explicit bound narrows a part of the day ("evening after 7" is 19:00-21:00).

use chrono::{NaiveTime, TimeDelta};

use super::Query;
use super::when::{When, widen};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    Am,
    Pm,
}

pub(super) fn hm(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

/// Words after which "sat" is Saturday ("sat morning", "sat at 10").
pub(super) fn is_time_word(w: &str) -> bool {
    matches!(
        w,
        "morning"
            | "afternoon"
            | "evening"
            | "night"
            | "am"
            | "pm"
            | "at"
            | "after"
            | "before"
            | "between"
            | "from"
            | "noon"
            | "lunch"
            | "lunchtime"
    )
}

/// Which half of the day bare hours belong to, when the query says.
pub(super) fn hint(q: &Query) -> Option<Hint> {
    q.toks.iter().find_map(|t| match t.word() {
        "morning" => Some(Hint::Am),
        "afternoon" | "evening" | "night" | "tonight" => Some(Hint::Pm),
        _ => None,
    })
}

const PARTS: &[(&str, u32, u32)] = &[
    ("early morning", 6, 9),
    ("late morning", 9, 12),
    ("late afternoon", 15, 17),
    ("early evening", 17, 19),
    ("late evening", 19, 21),
    ("morning", 6, 12),
    ("afternoon", 12, 17),
    ("evening", 17, 21),
    ("night", 17, 21),
    ("lunchtime", 11, 14),
    ("lunch", 11, 14),
];

pub(super) fn extract(q: &mut Query, hint: Option<Hint>, w: &mut When) {
    let mut i = 0;
    while i < q.count() {
        match time_at(q, i, hint, w) {
            Some(end) => {
                q.claim(i..end, super::Claim::Other);
                i = end;
            }
            None => i += 1,
        }
    }
}

/// A clock time as written: the hour as typed, minutes, am/pm if given.
#[derive(Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    meridiem: Option<Hint>,
    end: usize,
}

impl Clock {
    fn time(self, hint: Option<Hint>) -> Option<NaiveTime> {
        let h = match (self.meridiem.or(hint), self.hour) {
            (_, 0 | 12..=23) if self.meridiem.is_none() => self.hour,
            (Some(Hint::Am), 12) => 0,
            (Some(Hint::Pm), 12) => 12,
            (Some(Hint::Am), 1..=11) => self.hour,
            (Some(Hint::Pm), 1..=11) => self.hour + 12,
            (None, 1..=7) => self.hour + 12,
            (None, 8..=11) => self.hour,
            _ => return None,
        };
        hm(h, self.minute)
    }
}

/// "5", "5pm", "5:30", "5:30 pm", "17:00", "5 o'clock", "noon".
fn clock_at(q: &Query, i: usize) -> Option<Clock> {
    if q.is_any(i, &["noon", "midday"]) {
        return Some(Clock {
            hour: 12,
            minute: 0,
            meridiem: Some(Hint::Pm),
            end: i + 1,
        });
    }
    let hour = q.num(i).filter(|h| *h <= 23)?;
    let mut end = i + 1;
    let mut minute = 0;
    if q.is(end, ":")
        && let Some(m) = q.num(end + 1).filter(|m| *m < 60)
    {
        minute = m;
        end += 2;
    }
    let meridiem = match q.at(end) {
        "am" => Some(Hint::Am),
        "pm" => Some(Hint::Pm),
        _ => None,
    };
    end += usize::from(meridiem.is_some() || q.is(end, "oclock"));
    Some(Clock {
        hour,
        minute,
        meridiem,
        end,
    })
}

/// The hour from `start`, kept inside the day.
fn hour_from(start: NaiveTime) -> (NaiveTime, NaiveTime) {
    let (end, wrapped) = start.overflowing_add_signed(TimeDelta::hours(1));
    let last = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(start);
    (start, if wrapped == 0 { end } else { last })
}

/// "3 to 5pm": a bare start takes the end's am/pm when that keeps it before the end; two bare
/// hours that would run backwards ("7-9") are both evening.
fn range(a: Clock, b: Clock, hint: Option<Hint>) -> Option<(NaiveTime, NaiveTime)> {
    let end = b.time(hint)?;
    let start = match (a.meridiem, b.meridiem) {
        (None, Some(m)) => Clock {
            meridiem: Some(m),
            ..a
        }
        .time(hint)
        .filter(|s| *s < end)
        .or(a.time(hint))?,
        _ => a.time(hint)?,
    };
    if start < end {
        return Some((start, end));
    }
    let later = Clock {
        meridiem: Some(Hint::Pm),
        ..b
    }
    .time(hint)?;
    (b.meridiem.is_none() && start < later).then_some((start, later))
}

/// The end of "from 3 to 5" after the start clock; returns the end clock.
fn range_end(q: &Query, i: usize) -> Option<Clock> {
    if q.is_any(i, &["-", "to", "until", "till", "til"]) {
        clock_at(q, i + 1)
    } else {
        None
    }
}

fn time_at(q: &Query, i: usize, hint: Option<Hint>, w: &mut When) -> Option<usize> {
    for &(phrase, from, to) in PARTS {
        if let Some(len) = q.phrase(i, &[phrase]) {
            w.parts = widen(w.parts, hm(from, 0)?, hm(to, 0)?);
            return Some(i + len);
        }
    }
    for (phrase, after, hour) in [
        ("after school", true, 15),
        ("after work", true, 17),
        ("before school", false, 8),
        ("before work", false, 9),
    ] {
        if let Some(len) = q.phrase(i, &[phrase]) {
            let t = hm(hour, 0);
            if after {
                w.after = t
            } else {
                w.before = t
            }
            return Some(i + len);
        }
    }
    let word = q.at(i);
    let j = i + 1 + usize::from(word == "starting" && q.is_any(i + 1, &["at", "from"]));
    match word {
        "after" | "from" | "past" | "starting" => {
            let a = clock_at(q, j)?;
            if let Some(b) = range_end(q, a.end) {
                let (from, to) = range(a, b, hint)?;
                w.exact = widen(w.exact, from, to);
                return Some(b.end);
            }
            w.after = Some(a.time(hint)?);
            Some(a.end)
        }
        "before" | "by" | "until" | "till" | "til" => {
            let b = clock_at(q, j)?;
            w.before = Some(b.time(hint)?);
            Some(b.end)
        }
        "between" => {
            let a = clock_at(q, j)?;
            let b = clock_at(q, a.end + 1).filter(|_| q.is_any(a.end, &["and", "-", "to"]))?;
            let (from, to) = range(a, b, hint)?;
            w.exact = widen(w.exact, from, to);
            Some(b.end)
        }
        "at" | "around" | "about" => {
            let a = clock_at(q, j)?;
            let (from, to) = hour_from(a.time(hint)?);
            w.exact = widen(w.exact, from, to);
            Some(a.end)
        }
        _ => {
            let a = clock_at(q, i)?;
            if let Some(b) = range_end(q, a.end) {
                let (from, to) = range(a, b, hint)?;
                w.exact = widen(w.exact, from, to);
                return Some(b.end);
            }
            // Bare numbers are not times; "6am", "5:30" and "noon" are.
            let written = a.meridiem.is_some() || a.end > i + 1 || q.is_any(i, &["noon", "midday"]);
            if !written {
                return None;
            }
            let (from, to) = hour_from(a.time(hint)?);
            w.exact = widen(w.exact, from, to);
            Some(a.end)
        }
    }
}

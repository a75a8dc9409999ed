//! Dates, in the student's zone relative to `Context::today`, and the merge of dates and times
//! into the parsed query. A single day sets `date_from = date_to`; several mentions ("saturday
//! or sunday") widen to cover them all.
//!
//! - Weekdays ("sat", "saturday", "on saturday", "this saturday") are the next such day, today
//!   included. "next saturday" is the Saturday of next week (Monday to Sunday), the same week
//!   "next week" means.
//! - "this weekend" is the coming Saturday and Sunday (just today on a Sunday); "next weekend"
//!   the one after; "weekend" alone is this weekend. "this week" runs today to Sunday.
//! - "12/25" (US order), "dec 25", "december 25th", "25th of december", "the 25th": the next
//!   such date, today included; a year may follow. A full month name alone ("in december") is
//!   that month from today on. "may" counts as a month only beside a day number or after "in".
//! - "in 3 days" is one day; "within 3 days" / "next 3 days" run from today. "in 2 hours" and
//!   "now" set the start time from `Context::now`.
//! - "weekdays" is not a date range and stays in the text.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, TimeDelta, Timelike, Weekday};

use super::{Claim, Context, Parsed, Query, clock};

/// Date words the speller may correct towards ("tomorow", "satruday").
pub(super) const SPELL: &str = "\
    today tonight tomorrow monday tuesday wednesday thursday friday saturday sunday january \
    february march april june july august september october november december weekend weekday \
    morning afternoon evening lunchtime midday noon
";

/// Other date and time words: known, so never corrected into something else.
pub(super) const WORDS: &str = "\
    tmrw tmr tmw mon tue tues wed weds thu thur thurs fri sat sun jan feb mar apr may jun jul \
    aug sep sept oct nov dec week month night lunch next this coming upcoming every after before \
    between until till from past starting am pm oclock day hour now right within early late \
    school work
";

pub(super) fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tues" | "tuesday" => Weekday::Tue,
        "wed" | "weds" | "wednesday" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// Month number and whether the word is the full name.
fn month(w: &str) -> Option<(u32, bool)> {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if let Some(i) = FULL.iter().position(|m| *m == w) {
        return Some((i as u32 + 1, w != "may"));
    }
    let short = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let i = short
        .iter()
        .position(|m| *m == w)
        .or((w == "sept").then_some(8))?;
    Some((i as u32 + 1, false))
}

/// What the date and time passes found, merged once both are done.
#[derive(Default)]
pub(super) struct When {
    dates: Option<(NaiveDate, NaiveDate)>,
    /// Parts of the day ("morning"), widened when several.
    pub parts: Option<(NaiveTime, NaiveTime)>,
    /// Clock windows and ranges ("at 6am", "3-5pm"), widened when several.
    pub exact: Option<(NaiveTime, NaiveTime)>,
    pub after: Option<NaiveTime>,
    pub before: Option<NaiveTime>,
}

pub(super) fn widen<T: Ord + Copy>(span: Option<(T, T)>, from: T, to: T) -> Option<(T, T)> {
    Some(span.map_or((from, to), |(a, b)| (a.min(from), b.max(to))))
}

impl When {
    fn on(&mut self, day: NaiveDate) {
        self.dates = widen(self.dates, day, day);
    }

    fn between(&mut self, (from, to): (NaiveDate, NaiveDate)) {
        self.dates = widen(self.dates, from, to);
    }

    fn finish(self, out: &mut Parsed) {
        if let Some((from, to)) = self.dates {
            out.date_from = Some(from);
            out.date_to = Some(to);
        }
        let span = self.exact.or(self.parts);
        let mut from = self.after.or(span.map(|s| s.0));
        let mut to = self.before.or(span.map(|s| s.1));
        if let (Some(a), Some(b)) = (from, to)
            && a >= b
        {
            // "evening after 10pm": the explicit bound wins over the part of the day.
            if self.after.is_some() || self.before.is_none() {
                to = None;
            } else {
                from = None;
            }
        }
        out.time_from = from;
        out.time_to = to;
    }
}

pub(super) fn extract(q: &mut Query, ctx: &Context, out: &mut Parsed) {
    let hint = clock::hint(q);
    let mut w = When::default();
    let mut i = 0;
    while i < q.count() {
        match date_at(q, i, ctx, &mut w) {
            Some(end) => {
                q.claim(i..end, Claim::Other);
                i = end;
            }
            None => i += 1,
        }
    }
    clock::extract(q, hint, &mut w);
    w.finish(out);
}

fn add(day: NaiveDate, n: u64) -> Option<NaiveDate> {
    day.checked_add_days(Days::new(n))
}

/// The next `wd`, today included.
fn upcoming(today: NaiveDate, wd: Weekday) -> Option<NaiveDate> {
    let ahead = (wd.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    add(today, ahead.into())
}

fn next_monday(today: NaiveDate) -> Option<NaiveDate> {
    add(today, (7 - today.weekday().num_days_from_monday()).into())
}

/// The next month/day, today included (Feb 29 waits for a leap year).
fn upcoming_date(today: NaiveDate, m: u32, d: u32) -> Option<NaiveDate> {
    (today.year()..=today.year() + 4)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
        .find(|date| *date >= today)
}

fn month_span(first: NaiveDate, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some((first.max(today), last))
}

fn weekend(today: NaiveDate, next: bool) -> Option<(NaiveDate, NaiveDate)> {
    let saturday = if today.weekday() == Weekday::Sun {
        today.pred_opt()?
    } else {
        upcoming(today, Weekday::Sat)?
    };
    if next {
        Some((add(saturday, 7)?, add(saturday, 8)?))
    } else {
        Some((saturday.max(today), add(saturday, 1)?))
    }
}

/// A day of the month (1-31) at `i`, with its ordinal suffix when `ordinal` is required or
/// present; returns the day and the index after it.
fn day_number(q: &Query, i: usize, ordinal: bool) -> Option<(u32, usize)> {
    let d = q.num(i).filter(|d| (1..=31).contains(d))?;
    if q.is_any(i + 1, &["st", "nd", "rd", "th"]) {
        Some((d, i + 2))
    } else {
        (!ordinal).then_some((d, i + 1))
    }
}

/// Reads a date mention starting at `i`; returns where it ends.
fn date_at(q: &Query, i: usize, ctx: &Context, w: &mut When) -> Option<usize> {
    let today = ctx.today;
    if let Some(len) = q.phrase(i, &["the day after tomorrow", "day after tomorrow"]) {
        w.on(add(today, 2)?);
        return Some(i + len);
    }
    match q.at(i) {
        "today" => w.on(today),
        "tonight" => {
            w.on(today);
            w.parts = widen(w.parts, clock::hm(17, 0)?, clock::hm(21, 0)?);
        }
        "tomorrow" | "tmrw" | "tmr" | "tmw" => w.on(add(today, 1)?),
        "now" => {
            w.on(today);
            w.after = ctx.now.with_second(0)?.with_nanosecond(0);
        }
        _ => return relative(q, i, today, w).or_else(|| calendar(q, i, ctx, w)),
    }
    Some(i + 1)
}

/// "saturday", "next saturday", "this weekend", "next week", "this month".
fn relative(q: &Query, i: usize, today: NaiveDate, w: &mut When) -> Option<usize> {
    let mut j = i;
    let next = q.is(j, "next");
    if next || q.is_any(j, &["on", "every"]) {
        j += 1;
    } else {
        j += usize::from(q.is(j, "this"));
        j += usize::from(q.is_any(j, &["coming", "upcoming"]));
    }
    if let Some(wd) = weekday(q.at(j)) {
        let day = if next {
            add(next_monday(today)?, wd.num_days_from_monday().into())?
        } else {
            upcoming(today, wd)?
        };
        w.on(day);
        return Some(j + 1);
    }
    let prefixed = j > i && !q.is_any(i, &["on", "every"]);
    match q.at(j) {
        "weekend" => w.between(weekend(today, next)?),
        "week" if prefixed && next => {
            let monday = next_monday(today)?;
            w.between((monday, add(monday, 6)?));
        }
        "week" if prefixed => {
            let sunday = 6 - today.weekday().num_days_from_monday();
            w.between((today, add(today, sunday.into())?));
        }
        "month" if prefixed => {
            let first = today.with_day(1)?;
            let first = if next {
                first.checked_add_months(Months::new(1))?
            } else {
                first
            };
            w.between(month_span(first, today)?);
        }
        _ => return None,
    }
    Some(j + 1)
}

/// Calendar dates and counted offsets: "12/25", "dec 25", "25th of december", "the 25th",
/// "in december", "in 3 days", "within a week", "in 2 hours".
fn calendar(q: &Query, i: usize, ctx: &Context, w: &mut When) -> Option<usize> {
    let today = ctx.today;
    // 12/25, 12/25/26, 12/25/2026
    if let (Some(m), true, Some(d)) = (q.num(i), q.is(i + 1, "/"), q.num(i + 2))
        && (1..=12).contains(&m)
    {
        let year = q.num(i + 4).filter(|_| q.is(i + 3, "/"));
        let (day, end) = match year {
            Some(y) if y < 100 => (NaiveDate::from_ymd_opt(2000 + y as i32, m, d), i + 5),
            Some(y) => (NaiveDate::from_ymd_opt(y as i32, m, d), i + 5),
            None => (upcoming_date(today, m, d), i + 3),
        };
        w.on(day?);
        return Some(end);
    }
    // dec 25 [2026], december 25th, in december
    let k = i + usize::from(q.is_any(i, &["in", "on"]));
    if let Some((m, full)) = month(q.at(k)) {
        if let Some((d, end)) = day_number(q, k + 1, false) {
            return dated(q, end, today, m, d, w);
        }
        // "may" alone is a verb; "in may" is the month.
        if full || k > i {
            let first = NaiveDate::from_ymd_opt(today.year(), m, 1)?;
            let first = if m < today.month() {
                first.checked_add_months(Months::new(12))?
            } else {
                first
            };
            w.between(month_span(first, today)?);
            return Some(k + 1);
        }
        return None;
    }
    // 25 dec, 25th of december
    if let Some((d, end)) = day_number(q, i, false) {
        let of = end + usize::from(q.is(end, "of"));
        if let Some((m, _)) = month(q.at(of)) {
            return dated(q, of + 1, today, m, d, w);
        }
    }
    // the 25th: the next 25th of a month
    if q.is(i, "the")
        && let Some((d, end)) = day_number(q, i + 1, true)
    {
        let first = today.with_day(1)?;
        let day = (0..13)
            .filter_map(|n| first.checked_add_months(Months::new(n))?.with_day(d))
            .find(|day| *day >= today)?;
        w.on(day);
        return Some(end);
    }
    counted(q, i, ctx, w)
}

/// A month and day, with a year when one follows.
fn dated(q: &Query, end: usize, today: NaiveDate, m: u32, d: u32, w: &mut When) -> Option<usize> {
    match q.num(end).filter(|y| (2000..=2100).contains(y)) {
        Some(y) => {
            w.on(NaiveDate::from_ymd_opt(y as i32, m, d)?);
            Some(end + 1)
        }
        None => {
            w.on(upcoming_date(today, m, d)?);
            Some(end)
        }
    }
}

/// "in 3 days", "3 days from now", "in a week", "within 3 days", "next 3 days", "in 2 hours".
fn counted(q: &Query, i: usize, ctx: &Context, w: &mut When) -> Option<usize> {
    let (k, span) = if let Some(len) = q.phrase(i, &["in the next", "within", "next"]) {
        (i + len, true)
    } else {
        (i + usize::from(q.is(i, "in")), false)
    };
    let n = q.num(k).or(q.is_any(k, &["a", "an", "one"]).then_some(1))?;
    let unit = q.at(k + 1);
    let mut end = k + 2;
    if let Some(len) = q.phrase(end, &["from now", "from today"]) {
        end += len;
    } else if k == i {
        return None;
    }
    let today = ctx.today;
    match unit {
        "day" | "week" => {
            let days = u64::from(n) * if unit == "week" { 7 } else { 1 };
            if days > 366 {
                return None;
            }
            match span {
                true => w.between((today, add(today, days)?)),
                false => w.on(add(today, days)?),
            }
        }
        "hour" if !span && n <= 48 => {
            let (at, wrapped) = ctx
                .now
                .overflowing_add_signed(TimeDelta::try_hours(n.into())?);
            w.on(add(today, u64::try_from(wrapped / 86_400).ok()?)?);
            w.after = at.with_second(0);
        }
        _ => return None,
    }
    Some(end)
}

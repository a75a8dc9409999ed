//! Ages written with numbers: "my 8 year old", "8yo", "8 y/o", "age 8", "aged 8", "ages 5-7",
//! "18 month old", "my son is 8", "kids 5-7", "5th grader", "grade 9", and age bounds: "kids under 10", "under 5s",
//! "under 10 year olds". Runs before prices so "kids under 10" is never ten dollars. A number
//! wins over audience words; a bound or range sets only the group (see the parent module).

use super::{Claim, Parsed, Query};
use crate::catalog::AgeGroup;

/// Toddler 1-4, kids 5-12, teens 13-17, adults 18+ (a baby counts as a toddler).
pub(super) fn group_of(age: u32) -> AgeGroup {
    match age {
        0..=4 => AgeGroup::Toddler,
        5..=12 => AgeGroup::Kids,
        13..=17 => AgeGroup::Teens,
        _ => AgeGroup::Adults,
    }
}

pub(super) fn extract(q: &mut Query, out: &mut Parsed) {
    let mut i = 0;
    while i < q.count() {
        match age_at(q, i, out) {
            Some(end) => {
                q.claim(i..end, Claim::Audience);
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The unit after an age: its length and whether it counts months.
fn unit(q: &Query, i: usize) -> Option<(usize, bool)> {
    if let Some(len) = q.phrase(i, YEARS) {
        return Some((len, false));
    }
    q.phrase(i, MONTHS).map(|len| (len, true))
}

pub(super) const YEARS: &[&str] = &["year old", "yr old", "yrs old", "y / o", "y o", "yo"];
pub(super) const MONTHS: &[&str] = &["month old"];
pub(super) const GRADES: &[&str] = &["grade", "grader"];

/// "-7", "to 7", "and 7" after an age: the second age and where it ends.
fn range_to(q: &Query, i: usize, from: u32) -> Option<(u32, usize)> {
    if !q.is_any(i, &["-", "to", "and"]) {
        return None;
    }
    let to = q.num(i + 1).filter(|to| (from..=99).contains(to))?;
    Some((to, i + 2))
}

/// An audience word ("kids") within three tokens before `start` or two after `end`.
fn audience_near(q: &Query, start: usize, end: usize) -> bool {
    (start.saturating_sub(3)..start)
        .chain(end..end + 2)
        .any(|k| q.claimed_as(k, Claim::Audience))
}

fn set_age(out: &mut Parsed, age: u32) {
    out.age = u8::try_from(age).ok();
    out.age_group = Some(group_of(age));
}

fn age_at(q: &Query, i: usize, out: &mut Parsed) -> Option<usize> {
    // kids under 10, under 5s, under 10 year olds
    if q.is(i, "under")
        && let Some(n) = q.num(i + 1).filter(|n| (2..20).contains(n))
    {
        let after = i + 2;
        if q.is_any(
            after,
            &["$", "dollar", "buck", "usd", "/", "per", "an", "hourly"],
        ) {
            return None;
        }
        let end = match unit(q, after) {
            Some((len, false)) => after + len,
            _ => after + usize::from(q.is(after, "s")),
        };
        if end > after || audience_near(q, i, after) {
            out.age_group = Some(group_of(n - 1));
            return Some(end);
        }
        return None;
    }
    // age 8, aged 8, ages 5-7
    if q.is_any(i, &["age", "aged"])
        && let Some(n) = q.num(i + 1).filter(|n| (1..=99).contains(n))
    {
        if let Some((_, end)) = range_to(q, i + 2, n) {
            out.age_group = Some(group_of(n));
            return Some(end);
        }
        set_age(out, n);
        return Some(i + 2);
    }
    // my son is 8
    if q.is(i, "is")
        && i > 0
        && q.claimed_as(i - 1, Claim::Audience)
        && let Some(n) = q.num(i + 1).filter(|n| (1..=19).contains(n))
        && !q.is_any(i + 2, &["am", "pm", ":", "$", "dollar", "/"])
    {
        set_age(out, n);
        return Some(i + 2);
    }
    // 5th grade, 5th grader, grade 5: a school year is about five years under the age
    if let Some(n) = q.num(i).filter(|n| (1..=12).contains(n))
        && q.is_any(i + 1, &["st", "nd", "rd", "th"])
        && q.is_any(i + 2, GRADES)
    {
        out.age_group = Some(group_of(n + 5));
        return Some(i + 3);
    }
    if q.is(i, "grade")
        && let Some(n) = q.num(i + 1).filter(|n| (1..=12).contains(n))
    {
        out.age_group = Some(group_of(n + 5));
        return Some(i + 2);
    }
    let n = q.num(i).filter(|n| (1..=99).contains(n))?;
    // 5-7 year olds, kids 5-7
    if let Some((_, end)) = range_to(q, i + 1, n) {
        let unit = unit(q, end).filter(|(_, months)| !months);
        if unit.is_some() || (i > 0 && q.claimed_as(i - 1, Claim::Audience)) {
            out.age_group = Some(group_of(n));
            return Some(end + unit.map_or(0, |(len, _)| len));
        }
    }
    // 8 year old, 18 month old
    let (len, months) = unit(q, i + 1)?;
    if !months {
        set_age(out, n);
    } else if n <= 48 {
        out.age_group = Some(AgeGroup::Toddler);
    } else {
        return None;
    }
    Some(i + 1 + len)
}

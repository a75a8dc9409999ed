//! The availability document an instructor edits: weekly windows in their own time zone, date
//! overrides, blackout dates and booking settings. Parsed and validated here into [`Rules`],
//! which slot computation uses.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A wall-clock time as minutes after midnight, "HH:MM" on the wire; "24:00" ends a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub u16);

impl LocalTime {
    pub fn parse(raw: &str) -> Option<Self> {
        let (h, m) = raw.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(Self(h * 60 + m))
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom("expected a time HH:MM between 00:00 and 24:00")
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Window {
    #[schema(value_type = String, example = "09:00")]
    pub start: LocalTime,
    #[schema(value_type = String, example = "12:00")]
    pub end: LocalTime,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Override {
    #[schema(value_type = String, example = "2026-12-24")]
    pub date: NaiveDate,
    /// The day's windows instead of the weekly ones; empty = closed that day.
    pub windows: Vec<Window>,
}

/// What the instructor sends and reads back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    /// The instructor's time zone (from the profile; read-only here).
    #[serde(default)]
    pub timezone: String,
    /// Keys `mon` .. `sun`, each a list of windows.
    pub weekly: BTreeMap<String, Vec<Window>>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub blackouts: Vec<NaiveDate>,
    pub buffer_min: u16,
    pub travel_buffer_min: u16,
    /// Notice for online and studio lessons.
    pub min_notice_min: u16,
    #[serde(default = "default_travel_notice")]
    pub travel_min_notice_min: u16,
    pub horizon_days: u16,
}

fn default_travel_notice() -> u16 {
    180
}

impl Document {
    /// A new instructor's document: no windows yet, the policy defaults.
    pub fn empty(timezone: &str) -> Self {
        Self {
            timezone: timezone.to_string(),
            weekly: DAYS.iter().map(|d| (d.to_string(), Vec::new())).collect(),
            overrides: Vec::new(),
            blackouts: Vec::new(),
            buffer_min: 15,
            travel_buffer_min: 60,
            min_notice_min: 60,
            travel_min_notice_min: 180,
            horizon_days: 90,
        }
    }

    pub fn has_windows(&self) -> bool {
        self.weekly.values().any(|w| !w.is_empty())
            || self.overrides.iter().any(|o| !o.windows.is_empty())
    }
}

/// The validated document in the form slot computation reads.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Indexed by `Weekday::num_days_from_monday`.
    pub weekly: [Vec<Window>; 7],
    pub overrides: HashMap<NaiveDate, Vec<Window>>,
    pub blackouts: HashSet<NaiveDate>,
    pub buffer_min: u16,
    pub travel_buffer_min: u16,
    pub min_notice_min: u16,
    pub travel_min_notice_min: u16,
    pub horizon_days: u16,
}

impl Rules {
    pub fn windows_on(&self, date: NaiveDate) -> &[Window] {
        if self.blackouts.contains(&date) {
            return &[];
        }
        match self.overrides.get(&date) {
            Some(windows) => windows,
            None => &self.weekly[date.weekday().num_days_from_monday() as usize],
        }
    }
}

fn invalid(field: String, message: &str) -> AppError {
    AppError::invalid("availability.invalid", &field, message)
}

fn check_windows(field: &str, windows: &[Window]) -> AppResult<Vec<Window>> {
    let mut sorted = windows.to_vec();
    for (i, w) in windows.iter().enumerate() {
        if w.start.0 % 15 != 0 || w.end.0 % 15 != 0 {
            return Err(invalid(
                format!("{field}[{i}]"),
                "times must be on 15-minute boundaries",
            ));
        }
        if w.end <= w.start {
            return Err(invalid(format!("{field}[{i}]"), "must end after it starts"));
        }
    }
    sorted.sort_by_key(|w| w.start);
    if let Some(i) = sorted
        .windows(2)
        .position(|pair| pair[1].start < pair[0].end)
    {
        return Err(invalid(
            format!("{field}[{}]", i + 1),
            "overlaps another window",
        ));
    }
    Ok(sorted)
}

fn check_range(field: &str, value: u16, min: u16, max: u16) -> AppResult<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field.into(),
            &format!("must be between {min} and {max}"),
        ))
    }
}

/// Validates `doc`, naming the first offending field.
pub fn validate(doc: &Document) -> AppResult<Rules> {
    for key in doc.weekly.keys() {
        if !DAYS.contains(&key.as_str()) {
            return Err(invalid(
                format!("weekly.{key}"),
                "is not a day; use mon, tue, wed, thu, fri, sat, sun",
            ));
        }
    }
    let mut weekly: [Vec<Window>; 7] = Default::default();
    for (i, day) in DAYS.iter().enumerate() {
        let windows = doc.weekly.get(*day).map(Vec::as_slice).unwrap_or_default();
        weekly[i] = check_windows(&format!("weekly.{day}"), windows)?;
    }
    let mut overrides = HashMap::new();
    for (i, o) in doc.overrides.iter().enumerate() {
        let windows = check_windows(&format!("overrides[{i}].windows"), &o.windows)?;
        if overrides.insert(o.date, windows).is_some() {
            return Err(invalid(format!("overrides[{i}].date"), "is listed twice"));
        }
    }
    check_range("buffer_min", doc.buffer_min, 10, 120)?;
    check_range("travel_buffer_min", doc.travel_buffer_min, 30, 120)?;
    check_range("min_notice_min", doc.min_notice_min, 0, 10_080)?;
    check_range(
        "travel_min_notice_min",
        doc.travel_min_notice_min,
        0,
        10_080,
    )?;
    check_range("horizon_days", doc.horizon_days, 1, 365)?;
    let blackouts: BTreeSet<NaiveDate> = doc.blackouts.iter().copied().collect();
    Ok(Rules {
        weekly,
        overrides,
        blackouts: blackouts.into_iter().collect(),
        buffer_min: doc.buffer_min,
        travel_buffer_min: doc.travel_buffer_min,
        min_notice_min: doc.min_notice_min,
        travel_min_notice_min: doc.travel_min_notice_min,
        horizon_days: doc.horizon_days,
    })
}

pub fn weekday_key(day: Weekday) -> &'static str {
    DAYS[day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: &str, end: &str) -> Window {
        Window {
            start: LocalTime::parse(start).unwrap(),
            end: LocalTime::parse(end).unwrap(),
        }
    }

    #[test]
    fn times_parse_including_end_of_day() {
        assert_eq!(LocalTime::parse("09:30"), Some(LocalTime(570)));
        assert_eq!(LocalTime::parse("24:00"), Some(LocalTime(1440)));
        assert_eq!(LocalTime::parse("24:15"), None);
        assert_eq!(LocalTime::parse("9:30"), None);
        assert_eq!(LocalTime(570).to_string(), "09:30");
    }

    #[test]
    fn validation_names_the_bad_window() {
        let mut doc = Document::empty("America/New_York");
        doc.weekly
            .insert("mon".into(), vec![w("09:00", "12:00"), w("11:00", "13:00")]);
        let err = validate(&doc).unwrap_err();
        assert!(err.errors.contains_key("weekly.mon[1]"), "{:?}", err.errors);

        doc.weekly.insert("mon".into(), vec![w("09:10", "12:00")]);
        assert!(
            validate(&doc)
                .unwrap_err()
                .errors
                .contains_key("weekly.mon[0]")
        );
        doc.weekly.insert("mon".into(), vec![w("12:00", "09:00")]);
        assert!(
            validate(&doc)
                .unwrap_err()
                .errors
                .contains_key("weekly.mon[0]")
        );
        doc.weekly.insert("mon".into(), vec![w("22:00", "24:00")]);
        assert!(validate(&doc).is_ok());
        doc.buffer_min = 5;
        assert!(
            validate(&doc)
                .unwrap_err()
                .errors
                .contains_key("buffer_min")
        );
    }

    #[test]
    fn overrides_and_blackouts_replace_the_weekly_day() {
        let mut doc = Document::empty("UTC");
        doc.weekly.insert("fri".into(), vec![w("09:00", "17:00")]);
        let friday = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let next = friday + chrono::Duration::days(7);
        doc.overrides.push(Override {
            date: friday,
            windows: vec![w("10:00", "11:00")],
        });
        doc.blackouts.push(next);
        let rules = validate(&doc).unwrap();
        assert_eq!(rules.windows_on(friday), &[w("10:00", "11:00")]);
        assert!(rules.windows_on(next).is_empty());
        assert_eq!(
            rules.windows_on(next + chrono::Duration::days(7)),
            &[w("09:00", "17:00")]
        );
    }
}

//! Bookable slots: a pure function of the rules, the instructor's zone, the time already taken
//! and "now".
//!
//! A slot starts on a 15-minute boundary of local wall-clock time and the whole lesson lies in
//! one window of the day it starts on. Windows are wall-clock times, so a window's real length
//! changes on DST days: 01:00-04:00 is two hours long the night clocks spring forward (02:xx
//! does not exist) and four the night they fall back (01:xx happens twice, and both happen).
//! A window edge that falls into a skipped hour moves to the end of the gap. Slots also keep
//! the minimum notice, stay inside the booking horizon, respect overnight protection (a booking
//! made 20:00-08:00 local cannot target a lesson before 09:00 the next morning, 11:00 for
//! travel) and keep a buffer from every busy interval (the travel buffer when either lesson is
//! a travel lesson).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use chrono::Offset;

use super::document::{LocalTime, Rules, Window};

const STEP_MIN: i64 = 15;

/// Where a lesson happens: at the student's (`travel`), at the instructor's studio, or online.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Travel,
    Studio,
    Online,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Travel => "travel",
            Self::Studio => "studio",
            Self::Online => "online",
        }
    }
}

/// Time the instructor is already teaching (a confirmed lesson).
#[derive(Clone, Copy, Debug)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub travel: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// First and last local date (inclusive) in the instructor's zone.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub duration_min: u16,
    pub format: Format,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The instant a local wall-clock time names: the earlier of two when it happens twice
/// (`earliest`), else the later; the end of the gap when it does not happen at all.
pub fn resolve(tz: Tz, date: NaiveDate, time: LocalTime, earliest: bool) -> DateTime<Utc> {
    let mut local = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(time.0));
    // Gaps are at most a few hours; walk forward to the first wall time that exists.
    for _ in 0..(24 * 60 / STEP_MIN) {
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(at) => return at.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(first, second) => {
                return if earliest { first } else { second }.with_timezone(&Utc);
            }
            chrono::LocalResult::None => local += Duration::minutes(STEP_MIN),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// When slots may start at the earliest, given "now": notice and overnight protection.
fn earliest_start(rules: &Rules, tz: Tz, format: Format, now: DateTime<Utc>) -> DateTime<Utc> {
    let travel = format == Format::Travel;
    let notice = if travel {
        rules.travel_min_notice_min
    } else {
        rules.min_notice_min
    };
    let by_notice = now + Duration::minutes(i64::from(notice));
    let local = now.with_timezone(&tz);
    let morning = match local.hour() {
        h if h >= 20 => local.date_naive().succ_opt(),
        h if h < 8 => Some(local.date_naive()),
        _ => None,
    };
    let opening = LocalTime(if travel { 11 * 60 } else { 9 * 60 });
    match morning {
        Some(date) => by_notice.max(resolve(tz, date, opening, true)),
        None => by_notice,
    }
}

fn rounds_to_step(at: DateTime<Utc>, tz: Tz) -> bool {
    let local = at.with_timezone(&tz);
    i64::from(local.minute()) % STEP_MIN == 0 && local.second() == 0
}

/// Whether the wall-clock time of `at` lies in `window` on `date`.
fn on_the_wall(at: DateTime<Utc>, tz: Tz, date: NaiveDate, window: &Window) -> bool {
    let minutes = (wall_clock(at, tz) - date.and_time(NaiveTime::MIN)).num_minutes();
    minutes >= i64::from(window.start.0) && minutes < i64::from(window.end.0)
}

/// Every open slot between `request.from` and `request.to`, ascending.
pub fn open_slots(rules: &Rules, tz: Tz, busy: &[Busy], request: &Request) -> Vec<Slot> {
    let duration = Duration::minutes(i64::from(request.duration_min));
    let step = Duration::minutes(STEP_MIN);
    let earliest = earliest_start(rules, tz, request.format, request.now);
    let horizon = request.now + Duration::days(i64::from(rules.horizon_days));
    let travel = request.format == Format::Travel;
    // Each busy lesson widened by the buffer that applies between it and this lesson.
    let blocked: Vec<(DateTime<Utc>, DateTime<Utc>)> = busy
        .iter()
        .map(|b| {
            let minutes = if b.travel || travel {
                rules.travel_buffer_min
            } else {
                rules.buffer_min
            };
            let buffer = Duration::minutes(i64::from(minutes));
            (b.start - buffer, b.end + buffer)
        })
        .collect();
    let mut slots = Vec::new();
    let mut date = request.from;
    while date <= request.to {
        for window in rules.windows_on(date) {
            let open = resolve(tz, date, window.start, true);
            let close = resolve(tz, date, window.end, false);
            if close <= earliest || open >= horizon {
                continue;
            }
            // With an offset change inside the window its wall-clock hours may not be one
            // stretch of real time (a window ending at 01:15 the night 01:xx repeats), so each
            // quarter of the lesson is checked against the wall clock.
            let shifts =
                open.with_timezone(&tz).offset().fix() != close.with_timezone(&tz).offset().fix();
            let mut start = open;
            while !rounds_to_step(start, tz) && start < close {
                start += Duration::minutes(1);
            }
            while start + duration <= close && start < horizon {
                let end = start + duration;
                let ok = start >= earliest
                    && blocked
                        .iter()
                        .all(|(from, to)| end <= *from || start >= *to)
                    && (!shifts || {
                        let mut quarter = start;
                        let mut all = true;
                        while quarter < end && all {
                            all = on_the_wall(quarter, tz, date, window);
                            quarter += step;
                        }
                        all
                    });
                if ok {
                    slots.push(Slot { start, end });
                }
                start += step;
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    slots.sort();
    slots.dedup();
    slots
}

/// Why a lesson cannot start at a given instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not on the 15-minute grid of the instructor's wall clock.
    OffGrid,
    /// Inside the minimum notice or the overnight protection (or in the past).
    TooSoon,
    /// Beyond the booking horizon.
    TooFar,
    /// Not entirely inside one window of that day.
    OutsideAvailability,
    /// Too close to a lesson already booked (buffers included).
    Taken,
}

/// Whether a lesson of `duration_min` may start at `start`: the same rules as
/// [`open_slots`], answered with the first rule it breaks.
pub fn check_start(
    rules: &Rules,
    tz: Tz,
    busy: &[Busy],
    format: Format,
    duration_min: u16,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if !rounds_to_step(start, tz) {
        return Err(Refusal::OffGrid);
    }
    if start < earliest_start(rules, tz, format, now) {
        return Err(Refusal::TooSoon);
    }
    if start >= now + Duration::days(i64::from(rules.horizon_days)) {
        return Err(Refusal::TooFar);
    }
    let date = local_today(tz, start);
    let request = Request {
        from: date,
        to: date,
        duration_min,
        format,
        now,
    };
    if !open_slots(rules, tz, &[], &request)
        .iter()
        .any(|s| s.start == start)
    {
        return Err(Refusal::OutsideAvailability);
    }
    if !open_slots(rules, tz, busy, &request)
        .iter()
        .any(|s| s.start == start)
    {
        return Err(Refusal::Taken);
    }
    Ok(())
}

/// The local date "today" in the instructor's zone.
pub fn local_today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Wall-clock time of an instant in a zone, for tests and displays.
pub fn wall_clock(at: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::document::{Document, validate};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn window(a: &str, b: &str) -> Window {
        Window {
            start: LocalTime::parse(a).unwrap(),
            end: LocalTime::parse(b).unwrap(),
        }
    }

    fn rules_with(day_key: &str, windows: Vec<Window>) -> Rules {
        let mut doc = Document::empty("America/New_York");
        doc.weekly.insert(day_key.into(), windows);
        validate(&doc).unwrap()
    }

    fn request(from: &str, to: &str, minutes: u16, now: &str) -> Request {
        Request {
            from: day(from),
            to: day(to),
            duration_min: minutes,
            format: Format::Online,
            now: at(now),
        }
    }

    #[test]
    fn sunday_morning_in_new_york_moves_in_utc_when_dst_begins() {
        let rules = rules_with("sun", vec![window("09:00", "12:00")]);
        let tz: Tz = "America/New_York".parse().unwrap();
        let before = open_slots(
            &rules,
            tz,
            &[],
            &request("2027-03-07", "2027-03-07", 60, "2027-03-01T12:00:00Z"),
        );
        assert_eq!(before.first().unwrap().start, at("2027-03-07T14:00:00Z"));
        let on = open_slots(
            &rules,
            tz,
            &[],
            &request("2027-03-14", "2027-03-14", 60, "2027-03-01T12:00:00Z"),
        );
        assert_eq!(on.first().unwrap().start, at("2027-03-14T13:00:00Z"));
        assert_eq!(on.last().unwrap().end, at("2027-03-14T16:00:00Z"));
        // 09:00, 09:15 ... 11:00: nine starts for an hour lesson in a three-hour window.
        assert_eq!(on.len(), 9);
    }

    #[test]
    fn a_window_across_the_skipped_hour_is_shorter() {
        let rules = rules_with("sun", vec![window("01:00", "04:00")]);
        let tz: Tz = "America/New_York".parse().unwrap();
        let slots = open_slots(
            &rules,
            tz,
            &[],
            &request("2027-03-14", "2027-03-14", 60, "2027-03-01T12:00:00Z"),
        );
        // Two real hours: starts 01:00..02:00 EST-equivalent, i.e. 4 + 1 on the 15-minute grid.
        assert_eq!(slots.len(), 5);
        assert!(slots.iter().all(|s| wall_clock(s.start, tz).hour() != 2));
    }

    #[test]
    fn a_window_across_the_repeated_hour_is_longer() {
        let rules = rules_with("sun", vec![window("01:00", "03:00")]);
        let tz: Tz = "America/New_York".parse().unwrap();
        let slots = open_slots(
            &rules,
            tz,
            &[],
            &request("2027-11-07", "2027-11-07", 60, "2027-11-01T12:00:00Z"),
        );
        // Three real hours from 01:00 EDT to 03:00 EST: 9 starts, each a distinct instant.
        assert_eq!(slots.len(), 9);
        assert_eq!(slots[0].start, at("2027-11-07T05:00:00Z"));
        assert_eq!(slots[8].end, at("2027-11-07T08:00:00Z"));
    }

    #[test]
    fn notice_horizon_and_overnight_protection() {
        let rules = rules_with("tue", vec![window("06:00", "12:00")]);
        let tz: Tz = "America/New_York".parse().unwrap();
        // Booking at 21:30 on Monday evening (02:30Z Tuesday): nothing before 09:00 Tuesday.
        let slots = open_slots(
            &rules,
            tz,
            &[],
            &request("2026-12-01", "2026-12-01", 60, "2026-12-01T02:30:00Z"),
        );
        assert_eq!(slots.first().unwrap().start, at("2026-12-01T14:00:00Z"));
        let travel = Request {
            format: Format::Travel,
            ..request("2026-12-01", "2026-12-01", 60, "2026-12-01T02:30:00Z")
        };
        assert_eq!(
            open_slots(&rules, tz, &[], &travel).first().unwrap().start,
            at("2026-12-01T16:00:00Z")
        );
        // At 10:00 local: an hour's notice.
        let slots = open_slots(
            &rules,
            tz,
            &[],
            &request("2026-12-01", "2026-12-01", 60, "2026-12-01T15:00:00Z"),
        );
        assert_eq!(slots.first().unwrap().start, at("2026-12-01T16:00:00Z"));
        // Beyond the 90-day horizon: nothing.
        assert!(
            open_slots(
                &rules,
                tz,
                &[],
                &request("2027-03-30", "2027-03-30", 60, "2026-12-01T15:00:00Z")
            )
            .is_empty()
        );
    }

    #[test]
    fn buffers_keep_lessons_apart() {
        let rules = rules_with("tue", vec![window("09:00", "13:00")]);
        let tz: Tz = "UTC".parse().unwrap();
        let busy = [Busy {
            start: at("2026-12-01T11:00:00Z"),
            end: at("2026-12-01T12:00:00Z"),
            travel: false,
        }];
        let slots = open_slots(
            &rules,
            tz,
            &busy,
            &request("2026-12-01", "2026-12-01", 60, "2026-11-20T12:00:00Z"),
        );
        let starts: Vec<String> = slots
            .iter()
            .map(|s| s.start.format("%H:%M").to_string())
            .collect();
        assert_eq!(
            starts,
            ["09:00", "09:15", "09:30", "09:45"],
            "15-minute buffer before the busy hour; none fits after"
        );
        let travel_busy = [Busy {
            travel: true,
            ..busy[0]
        }];
        let slots = open_slots(
            &rules,
            tz,
            &travel_busy,
            &request("2026-12-01", "2026-12-01", 60, "2026-11-20T12:00:00Z"),
        );
        assert_eq!(
            slots.last().unwrap().start,
            at("2026-12-01T09:00:00Z"),
            "an hour's buffer around travel"
        );
    }
}

#[cfg(test)]
mod properties {
    //! Checks the engine against a brute-force oracle that knows nothing of gaps or folds: it
    //! walks every 15-minute instant and asks the zone for its wall-clock time.

    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;
    use crate::availability::document::{Document, validate};

    const ZONES: [&str; 8] = [
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Chatham",
        "America/St_Johns",
        "UTC",
    ];

    fn windows() -> impl Strategy<Value = Vec<Window>> {
        proptest::collection::vec((0u16..96, 1u16..24), 0..3).prop_map(|pairs| {
            let mut out: Vec<Window> = Vec::new();
            let mut cursor = 0u16;
            for (gap, len) in pairs {
                let start = cursor + gap * 15 % 480;
                let end = (start + len * 15).min(1440);
                if start >= 1440 || end <= start {
                    break;
                }
                out.push(Window {
                    start: LocalTime(start),
                    end: LocalTime(end),
                });
                cursor = end;
            }
            out
        })
    }

    /// Days around the 2027 transitions of several zones.
    fn dates() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            Just("2027-03-14"),
            Just("2027-03-28"),
            Just("2027-04-04"),
            Just("2027-09-26"),
            Just("2027-10-03"),
            Just("2027-10-31"),
            Just("2027-11-07"),
            Just("2027-02-20"),
            Just("2027-06-15"),
        ]
        .prop_map(|d| d.parse::<NaiveDate>().expect("date"))
    }

    fn oracle(rules: &Rules, tz: Tz, busy: &[Busy], req: &Request) -> BTreeSet<Slot> {
        let duration = Duration::minutes(i64::from(req.duration_min));
        let earliest = earliest_start(rules, tz, req.format, req.now);
        let horizon = req.now + Duration::days(i64::from(rules.horizon_days));
        let first = Utc.from_utc_datetime(&(req.from - Duration::days(2)).and_time(NaiveTime::MIN));
        let last = Utc.from_utc_datetime(&(req.to + Duration::days(2)).and_time(NaiveTime::MIN));
        let mut found = BTreeSet::new();
        let mut t = first;
        while t < last {
            let wall = t.with_timezone(&tz).naive_local();
            let date = wall.date();
            let inside = |at: DateTime<Utc>, w: &Window| {
                let wall = at.with_timezone(&tz).naive_local();
                let minutes = (wall - date.and_time(NaiveTime::MIN)).num_minutes();
                minutes >= i64::from(w.start.0) && minutes < i64::from(w.end.0)
            };
            let fits = rules.windows_on(date).iter().any(|w| {
                let mut probe = t;
                let mut all = true;
                while probe < t + duration {
                    all &= inside(probe, w);
                    probe += Duration::minutes(STEP_MIN);
                }
                all && inside(t + duration - Duration::minutes(1), w)
            });
            let end = t + duration;
            let free = busy.iter().all(|b| {
                let buffer =
                    Duration::minutes(i64::from(if b.travel || req.format == Format::Travel {
                        rules.travel_buffer_min
                    } else {
                        rules.buffer_min
                    }));
                end + buffer <= b.start || t >= b.end + buffer
            });
            if date >= req.from && date <= req.to && fits && free && t >= earliest && t < horizon {
                found.insert(Slot { start: t, end });
            }
            t += Duration::minutes(STEP_MIN);
        }
        found
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn slots_match_the_oracle(
            zone in 0usize..ZONES.len(),
            weekly in proptest::collection::vec(windows(), 7),
            date in dates(),
            span in 0i64..3,
            duration in prop_oneof![Just(30u16), Just(45), Just(60), Just(90), Just(120)],
            travel in any::<bool>(),
            now_offset_h in -72i64..24,
            busy_starts in proptest::collection::vec((0i64..288, 2i64..12), 0..4),
        ) {
            let tz: Tz = ZONES[zone].parse().unwrap();
            let mut doc = Document::empty(ZONES[zone]);
            for (key, w) in crate::availability::document::DAYS.iter().zip(weekly) {
                doc.weekly.insert((*key).into(), w);
            }
            let rules = validate(&doc).unwrap();
            let day_start = Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN));
            let now = day_start + Duration::hours(now_offset_h) + Duration::minutes(7);
            let busy: Vec<Busy> = busy_starts
                .iter()
                .map(|(q, len)| {
                    let start = day_start - Duration::days(1) + Duration::minutes(q * 15);
                    Busy { start, end: start + Duration::minutes(len * 15), travel: q % 3 == 0 }
                })
                .collect();
            let format = if travel { Format::Travel } else { Format::Online };
            let req = Request { from: date, to: date + Duration::days(span), duration_min: duration, format, now };
            let slots = open_slots(&rules, tz, &busy, &req);

            for pair in slots.windows(2) {
                prop_assert!(pair[0].start < pair[1].start, "ascending and unique");
            }
            for slot in &slots {
                prop_assert!(rounds_to_step(slot.start, tz), "15-minute boundary in local time");
                prop_assert_eq!(slot.end - slot.start, Duration::minutes(i64::from(duration)));
            }
            let expected = oracle(&rules, tz, &busy, &req);
            let got: BTreeSet<Slot> = slots.into_iter().collect();
            prop_assert_eq!(got, expected);
        }
    }
}

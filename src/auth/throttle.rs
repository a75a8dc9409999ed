//! In-process lockouts and rate limits, timed by the injected clock.
//!
//! Sign-in lockout (SPEC 1): after 5 wrong passwords a key is locked for 30 s, after 10 for
//! 5 min (and again for 5 min at every further failure), counted separately per account and per
//! client IP; a key's failures are forgotten 15 minutes after its last failure, and an account's
//! on a successful sign-in. Rate limits are fixed windows per key. State lives in memory: a
//! restart forgives everyone, which is acceptable for a single-process appliance.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::error::{AppError, ErrorKind};

const FORGET_AFTER_MINUTES: i64 = 15;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Failures>>,
    windows: Mutex<HashMap<String, Window>>,
}

struct Failures {
    count: u32,
    last: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

struct Window {
    started: DateTime<Utc>,
    count: u32,
}

/// A fixed-window limit: at most `max` events per `per`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: u32,
    pub per: Duration,
}

impl Throttle {
    /// Err(429 `auth.locked`) while any of `keys` is locked.
    pub fn check_unlocked(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), AppError> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let until = keys
            .iter()
            .filter_map(|k| failures.get(k)?.locked_until)
            .filter(|until| *until > now)
            .max();
        match until {
            Some(until) => Err(locked(until - now)),
            None => Ok(()),
        }
    }

    /// Counts a wrong password against every key.
    pub fn record_failure(&self, keys: &[String], now: DateTime<Utc>) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() > 10_000 {
            failures.retain(|_, f| now - f.last < Duration::minutes(FORGET_AFTER_MINUTES));
        }
        for key in keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                last: now,
                locked_until: None,
            });
            if now - entry.last >= Duration::minutes(FORGET_AFTER_MINUTES) {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
            entry.locked_until = match entry.count {
                n if n >= 10 => Some(now + Duration::minutes(5)),
                5 => Some(now + Duration::seconds(30)),
                _ => entry.locked_until,
            };
        }
    }

    pub fn forget(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }

    /// Counts one event for `key`; Err(429 `rate_limited`) past the limit.
    pub fn hit(&self, key: &str, limit: Limit, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > 10_000 {
            windows.retain(|_, w| now - w.started < Duration::days(1));
        }
        let window = windows.entry(key.to_string()).or_insert(Window {
            started: now,
            count: 0,
        });
        if now - window.started >= limit.per || now < window.started {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        if window.count >= limit.max {
            let wait = window.started + limit.per - now;
            return Err(AppError::rate_limited(
                u64::try_from(wait.num_seconds()).unwrap_or(1),
            ));
        }
        window.count += 1;
        Ok(())
    }
}

fn locked(remaining: Duration) -> AppError {
    let secs = u64::try_from(remaining.num_seconds()).unwrap_or(0).max(1);
    let mut err = AppError::new(
        ErrorKind::RateLimited,
        "auth.locked",
        format!("Too many wrong passwords. Try again in {secs} seconds."),
    );
    err.retry_after_secs = Some(secs);
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn five_failures_lock_for_30_seconds_ten_for_five_minutes() {
        let throttle = Throttle::default();
        let keys = vec!["acct:a@b.c".to_string()];
        for _ in 0..4 {
            throttle.record_failure(&keys, t(0));
        }
        assert!(throttle.check_unlocked(&keys, t(0)).is_ok());
        throttle.record_failure(&keys, t(0));
        let err = throttle.check_unlocked(&keys, t(1)).unwrap_err();
        assert_eq!((err.code, err.retry_after_secs), ("auth.locked", Some(29)));
        assert!(throttle.check_unlocked(&keys, t(30)).is_ok());
        for _ in 0..5 {
            throttle.record_failure(&keys, t(31));
        }
        assert_eq!(
            throttle
                .check_unlocked(&keys, t(32))
                .unwrap_err()
                .retry_after_secs,
            Some(299)
        );
        assert!(throttle.check_unlocked(&keys, t(31 + 300)).is_ok());
    }

    #[test]
    fn failures_are_forgotten_after_quiet_time_or_success() {
        let throttle = Throttle::default();
        let keys = vec!["ip:1".to_string()];
        for _ in 0..4 {
            throttle.record_failure(&keys, t(0));
        }
        throttle.record_failure(&keys, t(16 * 60));
        assert!(
            throttle.check_unlocked(&keys, t(16 * 60)).is_ok(),
            "count restarted"
        );
        throttle.forget("ip:1");
        assert!(throttle.check_unlocked(&keys, t(16 * 60)).is_ok());
    }

    #[test]
    fn rate_limit_windows() {
        let throttle = Throttle::default();
        let limit = Limit {
            max: 2,
            per: Duration::hours(1),
        };
        assert!(throttle.hit("k", limit, t(0)).is_ok());
        assert!(throttle.hit("k", limit, t(1)).is_ok());
        let err = throttle.hit("k", limit, t(2)).unwrap_err();
        assert_eq!(err.status(), 429);
        assert_eq!(err.retry_after_secs, Some(3598));
        assert!(throttle.hit("k", limit, t(3600)).is_ok());
    }
}

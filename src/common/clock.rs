//! The one source of "now". Domain code never calls `Utc::now()`: it asks the injected [`Clock`],
//! which is the system clock in production and a settable clock when `dev.test_clock` is on.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug)]
pub struct Clock(Arc<Source>);

#[derive(Debug)]
enum Source {
    System,
    /// Frozen at a moment that moves only when told to, so tests are deterministic.
    Manual(Mutex<DateTime<Utc>>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Source::System))
    }

    /// A manual clock starting at `start`.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Source::Manual(Mutex::new(start))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.0 {
            Source::System => Utc::now(),
            Source::Manual(now) => *now.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    pub fn is_manual(&self) -> bool {
        matches!(&*self.0, Source::Manual(_))
    }

    /// Moves a manual clock to `to`. Returns false on the system clock, which cannot be moved.
    pub fn set(&self, to: DateTime<Utc>) -> bool {
        match &*self.0 {
            Source::System => false,
            Source::Manual(now) => {
                *now.lock().unwrap_or_else(PoisonError::into_inner) = to;
                true
            }
        }
    }

    pub fn advance(&self, by: Duration) -> bool {
        self.set(self.now() + by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_stands_still_until_moved() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        assert!(clock.advance(Duration::hours(2)));
        assert_eq!(clock.now(), start + Duration::hours(2));
    }

    #[test]
    fn system_clock_cannot_be_moved() {
        let clock = Clock::system();
        assert!(!clock.set(Utc::now()));
        assert!(!clock.is_manual());
    }
}

//! Instants are stored as INTEGER unix seconds (UTC) in columns ending `_at`, and shown as
//! RFC 3339 UTC on the wire.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn to_db(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

pub fn from_db(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// `2026-12-01T15:00:00Z`: seconds precision, `Z` suffix, as API.md fixes it.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An RFC 3339 instant in UTC, if `raw` is one.
pub fn parse_rfc3339(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Serde adapter for `DateTime<Utc>` fields rendered as API.md instants.
pub mod serde_rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        super::parse_rfc3339(&raw).ok_or_else(|| {
            serde::de::Error::custom("expected an RFC 3339 instant such as 2026-12-01T15:00:00Z")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_round_trip_keeps_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T15:00:07Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(from_db(to_db(at)), at);
        assert_eq!(rfc3339(at), "2026-12-01T15:00:07Z");
    }
}

//! In-memory caches for the hottest public read, an instructor's slots.
//!
//! `RulesCache`: parsed availability rules per instructor and document version, so a request
//! does not parse and validate the same JSON document again. A saved document has a new
//! version, so an entry is never stale.
//!
//! `SlotsCache`: the serialised slots answer per query, stamped with everything it depends on:
//! the rules version, the exact busy intervals (read on every request anyway) and the minute
//! "now" falls in. A new booking, a cancellation or a saved document changes the stamp, so the
//! answer is recomputed; within one minute a slot may show for up to 59 s after its notice ran
//! out, which booking re-checks. Both are emptied when they outgrow their budget.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use rusqlite::Connection;

use super::document::{self, Rules};
use super::store;
use crate::error::AppResult;

const MAX_ENTRIES: usize = 20_000;
/// Serialised slot answers kept at most (a week of slots is about 14 kB).
const MAX_SLOT_BYTES: usize = 8 * 1024 * 1024;

#[derive(Default)]
pub struct RulesCache {
    entries: Mutex<HashMap<String, (i64, Arc<Rules>)>>,
}

impl RulesCache {
    pub fn get(&self, instructor_id: &str, version: i64) -> Option<Arc<Rules>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(instructor_id)
            .filter(|(v, _)| *v == version)
            .map(|(_, rules)| rules.clone())
    }

    /// The instructor's rules and their document version, parsed again only when the document
    /// changed.
    pub fn rules_of(
        &self,
        c: &Connection,
        instructor_id: &str,
        timezone: &str,
    ) -> AppResult<(i64, Arc<Rules>)> {
        let version = store::version(c, instructor_id)?;
        if let Some(rules) = self.get(instructor_id, version) {
            return Ok((version, rules));
        }
        let (doc, version) = store::load(c, instructor_id, timezone)?;
        let rules = Arc::new(document::validate(&doc)?);
        self.put(instructor_id, version, rules.clone());
        Ok((version, rules))
    }

    pub fn put(&self, instructor_id: &str, version: i64, rules: Arc<Rules>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(instructor_id.to_string(), (version, rules));
    }
}

#[derive(Default)]
pub struct SlotsCache {
    entries: Mutex<SlotEntries>,
}

#[derive(Default)]
struct SlotEntries {
    /// Query -> (stamp, serialised answer).
    by_query: HashMap<String, (u64, Bytes)>,
    bytes: usize,
}

/// A fingerprint of what a slots answer depends on besides its query.
pub fn stamp(parts: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

impl SlotsCache {
    pub fn get(&self, key: &str, stamp: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .by_query
            .get(key)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, body)| body.clone())
    }

    pub fn put(&self, key: String, stamp: u64, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.bytes + body.len() > MAX_SLOT_BYTES {
            *entries = SlotEntries::default();
        }
        entries.bytes += body.len();
        if let Some((_, old)) = entries.by_query.insert(key, (stamp, body)) {
            entries.bytes -= old.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::document::{Document, validate};

    #[test]
    fn an_entry_serves_only_its_own_version() {
        let cache = RulesCache::default();
        let rules = Arc::new(validate(&Document::empty("America/New_York")).unwrap());
        assert!(cache.get("i1", 1).is_none());
        cache.put("i1", 1, rules);
        assert!(cache.get("i1", 1).is_some());
        assert!(
            cache.get("i1", 2).is_none(),
            "a saved document has a new version"
        );
        assert!(cache.get("i2", 1).is_none());
    }

    #[test]
    fn a_slots_answer_serves_only_its_own_stamp() {
        let cache = SlotsCache::default();
        cache.put("q".into(), stamp((1, "busy")), Bytes::from_static(b"{}"));
        assert!(cache.get("q", stamp((1, "busy"))).is_some());
        assert!(cache.get("q", stamp((1, "busier"))).is_none());
        assert!(cache.get("q", stamp((2, "busy"))).is_none());
    }
}

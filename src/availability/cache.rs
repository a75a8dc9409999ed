//! Parsed availability rules kept in memory per instructor and document version, so reading
//! slots does not parse and validate the same JSON document on every request. A saved document
//! has a new version, so an entry is never stale; the map is simply emptied when it grows past
//! `MAX_ENTRIES` (the next reads refill it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::document::{self, Rules};
use super::store;
use crate::error::AppResult;

const MAX_ENTRIES: usize = 20_000;

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

    /// The instructor's rules, parsed again only when their document changed.
    pub fn rules_of(
        &self,
        c: &Connection,
        instructor_id: &str,
        timezone: &str,
    ) -> AppResult<Arc<Rules>> {
        let version = store::version(c, instructor_id)?;
        if let Some(rules) = self.get(instructor_id, version) {
            return Ok(rules);
        }
        let (doc, version) = store::load(c, instructor_id, timezone)?;
        let rules = Arc::new(document::validate(&doc)?);
        self.put(instructor_id, version, rules.clone());
        Ok(rules)
    }

    pub fn put(&self, instructor_id: &str, version: i64, rules: Arc<Rules>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(instructor_id.to_string(), (version, rules));
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
}

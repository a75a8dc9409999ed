//! Search (SPEC 11): understanding what a student typed ([`query`]) and finding the live
//! instructors who fit it in a tantivy index on disk ([`index`], [`retrieve`]), strict first and
//! relaxed when fewer than five fit ([`relax`]).
//!
//! The index follows the database through jobs: any change to a profile, service, price,
//! availability or review queues `search.reindex_instructor` (in the same write as the change),
//! and the job re-reads that instructor within seconds. `instainstru reindex` rebuilds it whole;
//! a server finding no index (or an older schema) builds one in the background at start-up.

mod collect;
pub mod index;
pub mod jobs;
pub mod listing;
pub mod query;
pub mod relax;
pub mod retrieve;
mod routes;
mod suggest;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use anyhow::Context;
use rusqlite::Connection;

pub use jobs::request_reindex;
pub use routes::routes;

use crate::app::AppState;
use crate::catalog::Catalog;
use index::SearchIndex;
use query::Vocabulary;

/// The index, the vocabulary the parser reads (rebuilt when the catalog changes), and ranked
/// answers to repeated queries.
pub struct Search {
    pub index: SearchIndex,
    vocabulary: RwLock<Option<(Arc<Catalog>, Arc<Vocabulary>)>>,
    answers: Mutex<Answers>,
    capacity: usize,
}

/// Ranked answers by query, valid for one generation of the index.
#[derive(Default)]
struct Answers {
    generation: u64,
    by_query: HashMap<u64, Arc<relax::Outcome>>,
}

impl Search {
    /// Opens the index in `<data>/search`; the flag says it must be rebuilt.
    pub fn open(data_dir: &std::path::Path, cache: usize) -> anyhow::Result<(Self, bool)> {
        let (index, fresh) = SearchIndex::open(&data_dir.join("search"))?;
        Ok((
            Self {
                index,
                vocabulary: RwLock::new(None),
                answers: Mutex::default(),
                capacity: cache,
            },
            fresh,
        ))
    }

    /// The ranked answer to a query: from the cache when the same query was answered by the
    /// same generation of the index within the hour (freshness is scored by the hour), else
    /// computed and kept. The cache is emptied whole when full or when the index changes.
    pub fn answer(
        &self,
        key: impl Hash,
        compute: impl FnOnce() -> tantivy::Result<relax::Outcome>,
    ) -> tantivy::Result<Arc<relax::Outcome>> {
        let generation = self.index.reader.searcher().generation().generation_id();
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let key = hasher.finish();
        if self.capacity > 0 {
            let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
            if answers.generation == generation
                && let Some(found) = answers.by_query.get(&key)
            {
                return Ok(found.clone());
            }
        }
        let outcome = Arc::new(compute()?);
        if self.capacity > 0 {
            let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
            if answers.generation != generation || answers.by_query.len() >= self.capacity {
                answers.by_query.clear();
                answers.generation = generation;
            }
            answers.by_query.insert(key, outcome.clone());
        }
        Ok(outcome)
    }

    /// The parser's vocabulary for the current catalog snapshot.
    pub fn vocabulary(&self, state: &AppState) -> Arc<Vocabulary> {
        let catalog = state.catalog.get();
        if let Some((seen, vocabulary)) = &*self
            .vocabulary
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            && Arc::ptr_eq(seen, &catalog)
        {
            return vocabulary.clone();
        }
        let vocabulary = Arc::new(Vocabulary::new(&catalog, &state.areas));
        *self
            .vocabulary
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some((catalog, vocabulary.clone()));
        vocabulary
    }
}

fn offerings_of(
    conn: &Connection,
    catalog: &Catalog,
    state: &AppState,
    ids: &[String],
) -> rusqlite::Result<Vec<listing::Offering>> {
    let platform = crate::reviews::store::platform_totals(conn)?;
    let mut all = Vec::new();
    for id in ids {
        all.extend(listing::of_instructor(
            conn,
            catalog,
            &state.areas,
            platform,
            id,
        )?);
    }
    Ok(all)
}

/// Re-reads `ids` from the database into the index (an instructor no longer live leaves it).
pub async fn reindex(state: &AppState, ids: Vec<String>) -> anyhow::Result<()> {
    let (st, catalog) = (state.clone(), state.catalog.get());
    let wanted = ids.clone();
    let offerings = state
        .db
        .read(move |c| Ok(offerings_of(c, &catalog, &st, &wanted)?))
        .await?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.search.index.replace(&ids, &offerings, &st.areas, false))
        .await
        .context("the indexing task failed")?
}

/// Rebuilds the whole index from the database, reporting `(done, total)` instructors.
pub async fn rebuild(state: &AppState, progress: impl Fn(usize, usize)) -> anyhow::Result<usize> {
    let ids = state.db.read(|c| Ok(listing::live_ids(c)?)).await?;
    let total = ids.len();
    let mut offerings = Vec::new();
    for (done, chunk) in ids.chunks(500).enumerate() {
        let (st, catalog, chunk) = (state.clone(), state.catalog.get(), chunk.to_vec());
        offerings.extend(
            state
                .db
                .read(move |c| Ok(offerings_of(c, &catalog, &st, &chunk)?))
                .await?,
        );
        progress(((done + 1) * 500).min(total), total);
    }
    let st = state.clone();
    tokio::task::spawn_blocking(move || st.search.index.replace(&[], &offerings, &st.areas, true))
        .await
        .context("the indexing task failed")??;
    Ok(total)
}

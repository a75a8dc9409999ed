//! The job that keeps the index in step with the database: `search.reindex_instructor` after
//! any change that shows in search, queued in the same write as the change by whichever domain
//! made it. Nothing needs a periodic refresh: freshness is measured at query time against the
//! stored last-active instant, and open hours are weekly.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::jobs::{JobError, NewJob, Registry, enqueue};

pub const REINDEX_INSTRUCTOR: &str = "search.reindex_instructor";

#[derive(Serialize, Deserialize)]
pub struct Reindex {
    pub instructor_id: String,
}

/// Queues a re-read of `instructor_id`. Lower domains call this from their own writes: it only
/// writes a job row, which is how work flows up the domain ranks. Not deduplicated: a used
/// dedupe key stays used, and a reindex is cheap and idempotent.
pub fn request_reindex(conn: &Connection, instructor_id: &str, now: i64) -> rusqlite::Result<()> {
    let now: DateTime<Utc> = crate::common::time::from_db(now);
    let payload = Reindex {
        instructor_id: instructor_id.to_string(),
    };
    enqueue(conn, &NewJob::new(REINDEX_INSTRUCTOR, &payload, now))?;
    Ok(())
}

pub fn register(registry: &mut Registry) {
    registry.register(
        REINDEX_INSTRUCTOR,
        |state: AppState, p: Reindex| async move {
            super::reindex(&state, vec![p.instructor_id])
                .await
                .map_err(JobError::Retry)
        },
    );
}

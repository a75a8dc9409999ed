//! SQL over the `jobs` table. Plain synchronous functions over a connection or transaction.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::common::time::{from_db, to_db};

/// A job to enqueue. Built with the caller's "now" so the injected clock decides time.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: String,
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: &'static str, payload: &impl Serialize, now: DateTime<Utc>) -> Self {
        Self {
            kind,
            // Serialising our own payload structs cannot fail; `{}` keeps the row valid if it did.
            payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
            run_at: now,
            created_at: now,
            dedupe_key: None,
        }
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = at;
        self
    }

    /// A job with a key already seen (in any state) is not enqueued again.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

/// Inserts the job; returns its id, or `None` when the dedupe key was already used.
pub fn enqueue(conn: &Connection, job: &NewJob) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "INSERT INTO jobs (kind, payload, run_at, dedupe_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
         RETURNING id",
        params![
            job.kind,
            job.payload,
            to_db(job.run_at),
            job.dedupe_key,
            to_db(job.created_at)
        ],
        |r| r.get(0),
    )
    .optional()
}

#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: u32,
}

/// Takes the oldest due job (or one whose lease ran out) and leases it until `lease_until`.
pub fn claim(
    conn: &Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> rusqlite::Result<Option<Claimed>> {
    conn.execute(
        "UPDATE jobs SET state = 'queued', lease_until = NULL
         WHERE state = 'running' AND lease_until <= ?1",
        [to_db(now)],
    )?;
    conn.query_row(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?2
         WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ?1
                     ORDER BY run_at, id LIMIT 1)
         RETURNING id, kind, payload, attempts",
        params![to_db(now), to_db(lease_until)],
        |r| {
            Ok(Claimed {
                id: r.get(0)?,
                kind: r.get(1)?,
                payload: r.get(2)?,
                attempts: r.get(3)?,
            })
        },
    )
    .optional()
}

pub fn complete(conn: &Connection, id: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE jobs SET state = 'done', lease_until = NULL, last_error = NULL, finished_at = ?2
         WHERE id = ?1 AND state = 'running'",
        params![id, to_db(now)],
    )?;
    Ok(())
}

pub fn retry_at(
    conn: &Connection,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE jobs SET state = 'queued', lease_until = NULL, run_at = ?2, last_error = ?3
         WHERE id = ?1 AND state = 'running'",
        params![id, to_db(at), error],
    )?;
    Ok(())
}

pub fn bury(conn: &Connection, id: i64, now: DateTime<Utc>, error: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?3, finished_at = ?2
         WHERE id = ?1 AND state = 'running'",
        params![id, to_db(now), error],
    )?;
    Ok(())
}

/// Puts every running job back in the queue without counting the interrupted attempt: used at
/// start-up (only one process owns the data directory, so nothing is really running) and at the
/// end of a graceful shutdown for the jobs that did not finish in time.
pub fn release_running(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE jobs SET state = 'queued', lease_until = NULL, attempts = MAX(attempts - 1, 0)
         WHERE state = 'running'",
        [],
    )
}

/// When the next queued job becomes due.
pub fn next_run_at(conn: &Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let at: Option<i64> = conn.query_row(
        "SELECT MIN(run_at) FROM jobs WHERE state = 'queued'",
        [],
        |r| r.get(0),
    )?;
    Ok(at.map(from_db))
}

/// Deletes finished jobs older than `before`.
pub fn prune(conn: &Connection, before: DateTime<Utc>) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM jobs WHERE state = 'done' AND finished_at < ?1",
        [to_db(before)],
    )
}

pub fn count_by_state(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT state, COUNT(*) FROM jobs GROUP BY state")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The dedupe key of a recurring kind's slot: one job per kind per slot, ever.
pub fn recurring_slot(kind: &'static str, every: Duration, after: DateTime<Utc>) -> NewJob {
    let step = every.num_seconds().max(1);
    let slot = (after.timestamp().div_euclid(step) + 1) * step;
    let at = from_db(slot);
    NewJob::new(kind, &serde_json::json!({}), after)
        .run_at(at)
        .dedupe(format!("every:{kind}:{slot}"))
}

//! The database: one SQLite file in WAL mode, one writer thread owning the only read-write
//! connection, and a pool of query-only readers.
//!
//! Writes are synchronous closures run inside `BEGIN IMMEDIATE ... COMMIT` on the writer thread,
//! one after another, so a write never waits on a lock and nobody can await the network while
//! holding it. Reads use their own WAL snapshot and never wait for the writer; short ones run on
//! the calling task (cheaper than a thread hop), long ones on the blocking pool (`read_long`).

mod connection;
pub mod maintenance;
mod migrations;
mod readers;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, Transaction};

use crate::config::DatabaseConfig;
use crate::error::{AppError, AppResult};

pub use migrations::schema_version;

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: writer::Writer,
    readers: readers::ReaderPool,
}

impl Db {
    /// Opens (creating if needed) the database at `path`, migrates it, and starts the writer.
    pub fn open(path: &Path, config: &DatabaseConfig) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = connection::open_writer(path, config.busy_timeout.0)?;
        migrations::run(&mut conn)?;
        let readers = readers::ReaderPool::open(path, config.readers, config.busy_timeout.0)?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: writer::Writer::spawn(conn)?,
                readers,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in one write transaction; it commits when `f` returns `Ok`, rolls back otherwise.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Transaction<'_>) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.run(f).await
    }

    /// Runs `f` on a query-only connection, on the calling task: for the short queries that
    /// serve requests.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.readers.run(f).await
    }

    /// Runs `f` on a query-only connection on the blocking pool: for reads that scan a lot.
    pub async fn read_long<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.readers.run_long(f).await
    }

    /// Writes queued behind the current one; exported as a metric.
    pub fn write_queue_depth(&self) -> usize {
        self.inner.writer.queue_depth()
    }
}

/// Maps "no row" to a 404, the common case for lookups by id.
pub fn not_found_if_missing(err: rusqlite::Error) -> AppError {
    match err {
        rusqlite::Error::QueryReturnedNoRows => AppError::not_found(),
        other => AppError::internal(other),
    }
}

/// A server secret, generated on first use and kept in `app_secrets`.
pub fn app_secret(conn: &Connection, name: &str, now: i64) -> rusqlite::Result<Vec<u8>> {
    conn.execute(
        "INSERT INTO app_secrets (name, value, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
        rusqlite::params![name, rand::random::<[u8; 32]>().to_vec(), now],
    )?;
    conn.query_row(
        "SELECT value FROM app_secrets WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
}

//! A fixed pool of query-only connections used from tokio's blocking threads.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

pub struct ReaderPool {
    shared: Arc<Shared>,
}

struct Shared {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReaderPool {
    pub fn open(path: &Path, size: usize, busy_timeout: Duration) -> rusqlite::Result<Self> {
        let idle = (0..size)
            .map(|_| super::connection::open_reader(path, busy_timeout))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Self {
            shared: Arc::new(Shared {
                idle: Mutex::new(idle),
                permits: Arc::new(Semaphore::new(size)),
            }),
        })
    }

    /// Runs `f` right on the calling task: reads here are point queries of a few
    /// microseconds, and a hop to the blocking pool would cost more than the query.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .shared
            .permits
            .acquire()
            .await
            .map_err(AppError::internal)?;
        self.shared.with_connection(f)
    }

    /// Runs `f` on the blocking pool, for reads that scan a lot (exports, reports, reindexing).
    pub async fn run_long<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .shared
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            shared.with_connection(f)
        })
        .await
        .map_err(AppError::internal)?
    }
}

impl Shared {
    /// Runs `f` in one read transaction: one snapshot for all its queries, and the WAL read
    /// lock taken once instead of once per statement (measured: the locking syscalls were the
    /// largest cost of a multi-query read).
    fn with_connection<T>(&self, f: impl FnOnce(&Connection) -> AppResult<T>) -> AppResult<T> {
        let conn = self.take()?;
        let result = catch_unwind(AssertUnwindSafe(|| {
            conn.execute_batch("BEGIN")?;
            let out = f(&conn);
            conn.execute_batch("COMMIT")?;
            out
        }));
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        self.put(conn);
        result.unwrap_or_else(|_| {
            Err(AppError::internal(anyhow::anyhow!(
                "a database read panicked"
            )))
        })
    }

    fn take(&self) -> AppResult<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("reader pool is empty")))
    }

    fn put(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
    }
}

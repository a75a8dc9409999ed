//! The single writer: an OS thread that owns the read-write connection and runs write closures
//! in order.
//!
//! Group commit: the closures waiting when the writer gets to them (up to `MAX_BATCH`) run one
//! after another inside one `BEGIN IMMEDIATE ... COMMIT`, each under its own savepoint, so a
//! closure that fails rolls back only its own changes, and each sees the ones before it exactly
//! as if they had committed alone. A page touched by many of them is written to the WAL once per
//! batch instead of once per closure. Every caller hears back only after the batch's COMMIT.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

/// The most closures that share one commit.
const MAX_BATCH: usize = 64;

/// Runs in the batch's transaction (`None` when it could not begin) and returns the delivery
/// to make once the commit's outcome is known.
type Work = Box<dyn FnOnce(Option<&Transaction<'_>>) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

pub struct Writer {
    queue: mpsc::Sender<Work>,
    depth: Arc<AtomicUsize>,
}

impl Writer {
    pub fn spawn(mut conn: Connection) -> std::io::Result<Self> {
        let (queue, incoming) = mpsc::channel::<Work>();
        let depth = Arc::new(AtomicUsize::new(0));
        let thread_depth = depth.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                // Ends when every sender is dropped, i.e. when the last Db handle goes away.
                while let Ok(first) = incoming.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match incoming.try_recv() {
                            Ok(work) => batch.push(work),
                            Err(_) => break,
                        }
                    }
                    let size = batch.len();
                    run_batch(&mut conn, batch);
                    thread_depth.fetch_sub(size, Ordering::Relaxed);
                }
            })?;
        Ok(Self { queue, depth })
    }

    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Transaction<'_>) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let work: Work = Box::new(move |tx| {
            let outcome = match tx {
                Some(tx) => in_savepoint(tx, f),
                None => Err(AppError::internal(anyhow::anyhow!(
                    "could not begin a write transaction"
                ))),
            };
            Box::new(move |committed| {
                let result = match (outcome, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(cause)) => Err(AppError::internal(anyhow::anyhow!(
                        "commit failed: {cause}"
                    ))),
                    (Err(err), _) => Err(err),
                };
                let _ = reply.send(result);
            })
        });
        self.depth.fetch_add(1, Ordering::Relaxed);
        if self.queue.send(work).is_err() {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(AppError::internal(anyhow::anyhow!(
                "database writer has stopped"
            )));
        }
        answer
            .await
            .map_err(|_| AppError::internal(anyhow::anyhow!("database writer dropped a write")))?
    }

    pub fn queue_depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }
}

fn run_batch(conn: &mut Connection, batch: Vec<Work>) {
    match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => {
            // After an I/O or full-disk error SQLite may roll the whole transaction back by
            // itself; what follows would then run outside any transaction, so it is refused.
            let mut deliveries: Vec<Deliver> = Vec::with_capacity(batch.len());
            let mut aborted = false;
            for work in batch {
                deliveries.push(work(if aborted { None } else { Some(&tx) }));
                aborted = aborted || tx.is_autocommit();
            }
            let committed = if aborted {
                Err("the database rolled the transaction back".to_string())
            } else {
                tx.commit().map_err(|e| e.to_string())
            };
            for deliver in deliveries {
                deliver(committed.clone());
            }
        }
        Err(err) => {
            tracing::error!(%err, "cannot begin a write transaction");
            for work in batch {
                work(None)(Err(err.to_string()));
            }
        }
    }
}

/// Runs `f` under a savepoint: kept when it succeeds, undone when it fails or panics (a panic
/// must not take the writer thread down with it).
fn in_savepoint<T>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> AppResult<T>,
) -> AppResult<T> {
    tx.execute_batch("SAVEPOINT work")?;
    let outcome = match catch_unwind(AssertUnwindSafe(|| f(tx))) {
        Ok(outcome) => outcome,
        Err(_) => Err(AppError::internal(anyhow::anyhow!(
            "a database write panicked"
        ))),
    };
    match outcome {
        Ok(value) => {
            tx.execute_batch("RELEASE work")?;
            Ok(value)
        }
        Err(err) => {
            tx.execute_batch("ROLLBACK TO work; RELEASE work")?;
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_write_in_a_batch_undoes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER UNIQUE)")
            .unwrap();
        let writer = Arc::new(Writer::spawn(conn).unwrap());
        let writes: Vec<_> = (0..200)
            .map(|n| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    writer
                        .run(move |tx| {
                            tx.execute("INSERT INTO t (v) VALUES (?1)", [n % 100])?;
                            if n == 7 {
                                tx.execute("INSERT INTO t (v) VALUES (1000)", [])?;
                                return Err(AppError::conflict("test.fail", "undo me"));
                            }
                            Ok(n)
                        })
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for write in writes {
            if write.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        // 0..99 once each except 7, whose failure undid its own insert; the repeats fail on UNIQUE.
        assert_eq!(ok, 100);
        let (count, has_thousand) = writer
            .run(|tx| {
                Ok((
                    tx.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))?,
                    tx.query_row("SELECT EXISTS (SELECT 1 FROM t WHERE v = 1000)", [], |r| {
                        r.get::<_, bool>(0)
                    })?,
                ))
            })
            .await
            .unwrap();
        assert_eq!((count, has_thousand), (100, false));
    }
}

//! The single writer: an OS thread that owns the read-write connection and runs write closures
//! in order, each in its own `BEGIN IMMEDIATE` transaction.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

type Work = Box<dyn FnOnce(&mut Connection) + Send>;

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
                for work in incoming {
                    work(&mut conn);
                    thread_depth.fetch_sub(1, Ordering::Relaxed);
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
        let work: Work = Box::new(move |conn| {
            let _ = reply.send(in_transaction(conn, f));
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

fn in_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> AppResult<T>,
) -> AppResult<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A panicking closure must not take the writer thread down with it; dropping `tx` rolls back.
    match catch_unwind(AssertUnwindSafe(|| f(&tx))) {
        Ok(Ok(value)) => {
            tx.commit()?;
            Ok(value)
        }
        Ok(Err(err)) => Err(err),
        Err(_) => Err(AppError::internal(anyhow::anyhow!(
            "a database write panicked"
        ))),
    }
}

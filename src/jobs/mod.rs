//! Durable background jobs, run in-process from the `jobs` table.
//!
//! Producers call [`enqueue`] inside the write transaction that causes the work, so a job exists
//! exactly when its cause was committed. Workers claim due jobs with a lease, run the handler
//! registered for the kind outside any transaction, and then complete it, retry it with
//! exponential backoff (`backoff_base * 2^(attempt-1)`, capped at `backoff_max`, no jitter so
//! tests are exact), or mark it dead after `max_attempts`. Handlers must be idempotent: a job
//! whose worker died is run again. Recurring kinds re-enqueue their next slot (aligned to the
//! interval) in the transaction that finishes the current run, deduplicated by slot.

mod registry;
mod runner;
pub mod store;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::sync::Notify;

use crate::config::JobsConfig;

pub use registry::{JobError, JobFuture, Registry};
pub use runner::Workers;
pub use store::{NewJob, enqueue};

/// The job machinery shared by the app: the registry of handlers and the run loop state.
#[derive(Clone)]
pub struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    config: JobsConfig,
    in_flight: AtomicUsize,
    /// Signalled whenever a job finishes, so `run_due` can wait for the workers to go idle.
    finished: Notify,
    /// Signalled after an enqueue from a request, so an idle worker starts at once.
    wake: Notify,
}

impl Jobs {
    pub fn new(registry: Registry, config: JobsConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                registry,
                config,
                in_flight: AtomicUsize::new(0),
                finished: Notify::new(),
                wake: Notify::new(),
            }),
        }
    }

    /// Tells an idle worker to look for work now instead of at its next poll.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }
}

/// The queue's own upkeep: a daily prune of finished jobs older than `jobs.retention`.
pub fn register(registry: &mut Registry) {
    registry.register(
        "jobs.prune",
        |state: crate::app::AppState, _: serde_json::Value| async move {
            let before = state.clock.now() - state.config.jobs.retention.chrono();
            let pruned = state
                .db
                .write(move |tx| Ok(store::prune(tx, before)?))
                .await?;
            tracing::info!(pruned, "pruned finished jobs");
            Ok(())
        },
    );
    registry.every("jobs.prune", chrono::Duration::days(1));
}

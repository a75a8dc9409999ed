//! Claiming, running and finishing jobs: the worker loop, the synchronous `run_due` used by the
//! test clock, and graceful shutdown.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::store::{self, Claimed};
use super::{JobError, Jobs};
use crate::app::AppState;
use crate::error::AppResult;

/// More steps than any real schedule needs when the test clock jumps ahead; past it the clock
/// jumps to the target and runs whatever is due there.
const MAX_CLOCK_STEPS: usize = 100_000;

/// Running worker tasks; dropped through [`Workers::shutdown`].
pub struct Workers {
    handles: Vec<JoinHandle<()>>,
    stop: watch::Sender<bool>,
}

impl Jobs {
    /// Releases jobs a previous process left running, schedules the recurring kinds and starts
    /// `jobs.workers` workers.
    pub async fn start(&self, state: &AppState) -> AppResult<Workers> {
        let now = state.clock.now();
        let recurring = self.inner.registry.recurring().to_vec();
        let released = state
            .db
            .write(move |tx| {
                let released = store::release_running(tx)?;
                for (kind, every) in recurring {
                    store::enqueue(tx, &store::recurring_slot(kind, every, now))?;
                }
                Ok(released)
            })
            .await?;
        if released > 0 {
            tracing::info!(
                released,
                "requeued jobs left running by the previous process"
            );
        }
        let (stop, stopped) = watch::channel(false);
        let handles = (0..self.inner.config.workers)
            .map(|_| tokio::spawn(worker(self.clone(), state.clone(), stopped.clone())))
            .collect();
        Ok(Workers { handles, stop })
    }

    /// Runs every due job, one after another, then waits for jobs the workers are running.
    pub async fn run_due(&self, state: &AppState) -> AppResult<usize> {
        let mut ran = 0;
        while self.run_one(state).await? {
            ran += 1;
        }
        self.wait_idle().await;
        Ok(ran)
    }

    /// Moves a manual clock to `target` through the due time of each job on the way, so jobs
    /// run in order and see the time they were scheduled for (a retry scheduled by one of them
    /// runs too if it falls before `target`).
    pub async fn advance_clock(&self, state: &AppState, target: DateTime<Utc>) -> AppResult<usize> {
        let mut ran = self.run_due(state).await?;
        for _ in 0..MAX_CLOCK_STEPS {
            let next = state.db.read(|c| Ok(store::next_run_at(c)?)).await?;
            match next {
                Some(at) if at <= target => {
                    if at > state.clock.now() {
                        state.clock.set(at);
                    }
                    ran += self.run_due(state).await?;
                }
                _ => break,
            }
        }
        state.clock.set(target);
        Ok(ran + self.run_due(state).await?)
    }

    /// Claims and runs one due job; false when none is due.
    async fn run_one(&self, state: &AppState) -> AppResult<bool> {
        let now = state.clock.now();
        let lease_until = now + self.inner.config.lease.chrono();
        let Some(job) = state
            .db
            .write(move |tx| Ok(store::claim(tx, now, lease_until)?))
            .await?
        else {
            return Ok(false);
        };
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        let outcome = self.execute(state, &job).await;
        let finished = self.finish(state, &job, outcome).await;
        self.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.inner.finished.notify_waiters();
        finished.map(|()| true)
    }

    async fn execute(&self, state: &AppState, job: &Claimed) -> Result<(), JobError> {
        let handler = self.inner.registry.handler(&job.kind).ok_or_else(|| {
            JobError::Permanent(anyhow::anyhow!("no handler for job kind `{}`", job.kind))
        })?;
        let payload: Value = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::Permanent(anyhow::anyhow!("payload is not JSON: {e}")))?;
        // Its own task, so a panicking handler fails the job instead of the worker.
        let mut task = tokio::spawn(handler(state.clone(), payload));
        match tokio::time::timeout(self.inner.config.lease.0, &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(JobError::Retry(anyhow::anyhow!("the handler panicked"))),
            Err(_) => {
                task.abort();
                Err(JobError::Retry(anyhow::anyhow!(
                    "did not finish within its lease"
                )))
            }
        }
    }

    async fn finish(
        &self,
        state: &AppState,
        job: &Claimed,
        outcome: Result<(), JobError>,
    ) -> AppResult<()> {
        let now = state.clock.now();
        let config = &self.inner.config;
        let next_slot = self
            .inner
            .registry
            .recurring_kind(&job.kind)
            .map(|(kind, every)| store::recurring_slot(kind, every, now));
        let (id, attempts) = (job.id, job.attempts);
        let label = match &outcome {
            Ok(()) => "done",
            Err(JobError::Retry(_)) if attempts < config.max_attempts => "retry",
            Err(_) => "dead",
        };
        let error = outcome.err().map(|e| e.to_string());
        let retry_at = now
            + backoff(
                config.backoff_base.chrono(),
                config.backoff_max.chrono(),
                attempts,
            );
        let message = error.clone().unwrap_or_default();
        state
            .db
            .write(move |tx| {
                match label {
                    "done" => store::complete(tx, id, now)?,
                    "retry" => store::retry_at(tx, id, retry_at, &message)?,
                    _ => store::bury(tx, id, now, &message)?,
                }
                if let (Some(next), "done" | "dead") = (&next_slot, label) {
                    store::enqueue(tx, next)?;
                }
                Ok(())
            })
            .await?;
        state.metrics.job_finished(&job.kind, label);
        match (label, error) {
            ("retry", Some(error)) => {
                tracing::warn!(job = id, kind = %job.kind, attempts, %retry_at, %error, "job failed; will retry")
            }
            ("dead", Some(error)) => {
                tracing::error!(job = id, kind = %job.kind, attempts, %error, "job is dead")
            }
            _ => tracing::debug!(job = id, kind = %job.kind, "job done"),
        }
        Ok(())
    }

    async fn wait_idle(&self) {
        loop {
            let finished = self.inner.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if self.inner.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            finished.await;
        }
    }
}

/// `base * 2^(attempt-1)`, at most `max`.
pub fn backoff(base: chrono::Duration, max: chrono::Duration, attempt: u32) -> chrono::Duration {
    let factor = 1i32
        .checked_shl(attempt.saturating_sub(1).min(30))
        .unwrap_or(i32::MAX);
    base.checked_mul(factor).map_or(max, |d| d.min(max))
}

async fn worker(jobs: Jobs, state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = jobs.inner.config.poll_interval.0;
    while !*stop.borrow() {
        match jobs.run_one(&state).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::error!(error = %err, "job worker could not claim or finish a job"),
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = jobs.inner.wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

impl Workers {
    /// Stops claiming, gives running jobs `grace` to finish, then puts the rest back in the queue
    /// so the next start runs them. Returns how many were released.
    pub async fn shutdown(self, state: &AppState, grace: std::time::Duration) -> AppResult<usize> {
        let _ = self.stop.send(true);
        let aborts: Vec<_> = self.handles.iter().map(JoinHandle::abort_handle).collect();
        let all = futures_join(self.handles);
        if tokio::time::timeout(grace, all).await.is_err() {
            aborts.iter().for_each(tokio::task::AbortHandle::abort);
        }
        let released = state.db.write(|tx| Ok(store::release_running(tx)?)).await?;
        if released > 0 {
            tracing::info!(released, "released in-flight jobs for the next start");
        }
        Ok(released)
    }
}

async fn futures_join(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::seconds(30);
        let max = Duration::hours(1);
        assert_eq!(backoff(base, max, 1), Duration::seconds(30));
        assert_eq!(backoff(base, max, 2), Duration::seconds(60));
        assert_eq!(backoff(base, max, 4), Duration::seconds(240));
        assert_eq!(backoff(base, max, 10), max);
        assert_eq!(backoff(base, max, 200), max);
    }
}

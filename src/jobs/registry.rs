//! Which handler runs which kind of job, and which kinds recur.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::AppState;
use crate::error::AppError;

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(AppState, Value) -> JobFuture + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (network down, provider busy).
    #[error("{0:#}")]
    Retry(anyhow::Error),
    /// Will never succeed (bad payload, unknown kind): dead at once.
    #[error("{0:#}")]
    Permanent(anyhow::Error),
}

impl From<anyhow::Error> for JobError {
    fn from(err: anyhow::Error) -> Self {
        Self::Retry(err)
    }
}

impl From<AppError> for JobError {
    fn from(err: AppError) -> Self {
        Self::Retry(err.into())
    }
}

#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    recurring: Vec<(&'static str, chrono::Duration)>,
}

impl Registry {
    /// Registers `handler` for `kind`; the JSON payload is parsed into `P` first, and a payload
    /// that does not parse makes the job dead rather than retrying forever.
    pub fn register<P, F, Fut>(&mut self, kind: &'static str, handler: F)
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(AppState, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased: Handler = Arc::new(move |state, payload| {
            let handler = handler.clone();
            Box::pin(async move {
                let payload: P = serde_json::from_value(payload).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("payload of {kind} does not parse: {e}"))
                })?;
                handler(state, payload).await
            })
        });
        self.handlers.insert(kind, erased);
    }

    /// Makes `kind` (already registered) run every `interval`, on slots aligned to it.
    pub fn every(&mut self, kind: &'static str, interval: chrono::Duration) {
        self.recurring.push((kind, interval));
    }

    pub(super) fn handler(&self, kind: &str) -> Option<Handler> {
        self.handlers.get(kind).cloned()
    }

    /// The registered name and interval when `kind` recurs.
    pub(super) fn recurring_kind(&self, kind: &str) -> Option<(&'static str, chrono::Duration)> {
        self.recurring.iter().find(|(k, _)| *k == kind).copied()
    }

    pub(super) fn recurring(&self) -> &[(&'static str, chrono::Duration)] {
        &self.recurring
    }
}

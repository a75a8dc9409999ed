//! Notifications: email through a pluggable transport, always sent from a job, and the in-app
//! inbox. [`Notifier::send`] is how every domain tells a person something.
//!
//! A domain that wants to mail someone calls [`enqueue_email`] inside its write transaction. The
//! `email.send` job delivers it; its dedupe key is the message id, so one event never produces
//! two jobs, and the outbox transport ignores a second delivery of the same message id.

pub mod inbox;
pub mod mailer;
mod notifier;
pub mod outbox;
pub mod preferences;
mod routes;
pub mod templates;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::jobs::{self, JobError, NewJob, Registry};

pub use mailer::Mailer;
pub use notifier::{InApp, Notice, Notifier, Recipient};
pub use routes::routes;

/// A rendered message, ready for any transport.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Email {
    /// Stable per event (e.g. `verify:<user id>:<token id>`), so retries never send twice.
    pub message_id: String,
    pub to: String,
    pub subject: String,
    /// Which template produced it, for the outbox and the logs.
    pub template: String,
    pub text: String,
    pub html: String,
}

/// Queues `email` for delivery as part of the caller's transaction.
pub fn enqueue_email(
    conn: &Connection,
    email: &Email,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let job = NewJob::new("email.send", email, now).dedupe(format!("email:{}", email.message_id));
    Ok(jobs::enqueue(conn, &job)?.is_some())
}

pub fn register(registry: &mut Registry) {
    registry.register("email.send", |state: AppState, email: Email| async move {
        state
            .mailer
            .deliver(&state, &email)
            .await
            .map_err(JobError::Retry)
    });
}

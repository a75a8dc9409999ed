//! The jobs that carry a booking through time. One `timeline` job per booking visits its
//! moments in turn (authorise and remind at T-24h, remind at T-1h, settle at end + 24h),
//! re-enqueueing itself for the next, so a booking costs two job rows (timeline and notice), not
//! one per moment. Around it: authorisation retries, the final warning at T-13h and the deadline
//! at T-12h, settling after a cancellation, finishing interrupted immediate bookings, resolving
//! no-show reports, and the notices. Every handler re-reads the booking and does nothing when
//! its moment has passed, so jobs left behind by a cancellation or reschedule are harmless.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::model::{BookingRow, PaymentStatus, Status};
use super::{authorize, create, no_show, notices, payment, settle, store};
use crate::app::AppState;
use crate::jobs::{JobError, NewJob, Registry, enqueue};
use crate::payments::idempotency::{self, Key};

pub const AUTHORIZE: &str = "bookings.authorize";
pub const FINAL_WARNING: &str = "bookings.payment_final_warning";
pub const PAYMENT_DEADLINE: &str = "bookings.payment_deadline";
pub const TIMELINE: &str = "bookings.timeline";
pub const SETTLE: &str = "bookings.settle";
pub const SETTLE_PENDING: &str = "bookings.settle_pending";
pub const NOTIFY: &str = "bookings.notify";
pub const RESOLVE_NO_SHOW: &str = "bookings.resolve_no_show";
pub const LOCK_PAYMENT: &str = "bookings.lock_payment";
pub const RELEASE_INTENT: &str = "bookings.release_intent";
pub const AUTHENTICATION_EXPIRY: &str = "bookings.authentication_expiry";
/// Enqueued by the payments webhook when Stripe reports news about an intent.
pub const RECONCILE_INTENT: &str = crate::payments::events::RECONCILE_INTENT;

/// Money settles this long after the lesson ends (the window for no-show reports).
pub const SETTLE_AFTER: Duration = Duration::hours(24);

/// The review reminder a completed lesson schedules. Reviews rank above bookings, so bookings
/// only enqueue it (in the completing transaction) and `reviews` registers the handler.
pub const REVIEW_REMINDER: &str = "reviews.remind";
/// A lesson may be reviewed until this long after it ends (SPEC 7); the completion notice
/// states the deadline, so the rule lives here, below both.
pub const REVIEW_WINDOW: Duration = Duration::days(30);
/// An unreviewed lesson is reminded about once, this long after it completes.
pub const REVIEW_REMINDER_AFTER: Duration = Duration::days(3);

#[derive(Serialize, Deserialize)]
pub struct ForBooking {
    pub booking_id: String,
}

impl ForBooking {
    pub fn new(id: &str) -> Self {
        Self {
            booking_id: id.to_string(),
        }
    }
}

/// An authorisation nobody needs any more (the booking was cancelled while it was made).
#[derive(Serialize, Deserialize)]
pub struct Release {
    pub intent: String,
}

/// Lets go of `intent` by a job (retried until the provider answers).
pub fn release_intent(conn: &Connection, intent: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let payload = Release {
        intent: intent.to_string(),
    };
    enqueue(
        conn,
        &NewJob::new(RELEASE_INTENT, &payload, now).dedupe(format!("{intent}:release")),
    )?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
pub struct Pending {
    pub booking_id: String,
    pub key: Option<Key>,
}

/// A visit of the booking's timeline at one of its moments (unix seconds).
#[derive(Serialize, Deserialize)]
pub struct Moment {
    pub booking_id: String,
    pub at: i64,
}

/// The moments of a booking's timeline, in order: authorise and remind, remind, settle.
fn moments(b: &BookingRow) -> [DateTime<Utc>; 3] {
    [
        b.start - create::AUTHORIZE_BEFORE,
        b.start - Duration::hours(1),
        b.end + SETTLE_AFTER,
    ]
}

/// Enqueues the timeline visit after `after` (none after settling).
fn next_moment(
    conn: &Connection,
    b: &BookingRow,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let Some(at) = moments(b).into_iter().find(|m| *m > after) else {
        return Ok(());
    };
    let payload = Moment {
        booking_id: b.id.clone(),
        at: at.timestamp(),
    };
    enqueue(
        conn,
        &NewJob::new(TIMELINE, &payload, now)
            .run_at(at.max(now))
            .dedupe(format!("booking:{}:timeline:{}", b.id, at.timestamp())),
    )?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
pub struct Notify {
    pub booking_id: String,
    /// `confirmed`, `rescheduled`, `cancelled`, `completed`, `payment_failed`,
    /// `payment_final_warning`, `receipt`.
    pub event: String,
}

/// Queues a notice about `booking_id` (once per event and booking).
pub fn notify(
    conn: &Connection,
    booking_id: &str,
    event: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    notify_keyed(conn, booking_id, event, event, now)
}

/// Like [`notify`] for events that may happen more than once (`discriminator` tells them apart).
pub fn notify_keyed(
    conn: &Connection,
    booking_id: &str,
    event: &str,
    discriminator: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let payload = Notify {
        booking_id: booking_id.to_string(),
        event: event.to_string(),
    };
    enqueue(
        conn,
        &NewJob::new(NOTIFY, &payload, now)
            .dedupe(format!("booking:{booking_id}:notify:{discriminator}")),
    )?;
    Ok(())
}

/// Schedules the one review reminder of a lesson that just completed.
pub fn remind_review(
    conn: &Connection,
    booking_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    enqueue(
        conn,
        &NewJob::new(REVIEW_REMINDER, &ForBooking::new(booking_id), now)
            .run_at(now + REVIEW_REMINDER_AFTER)
            .dedupe(format!("booking:{booking_id}:review_reminder")),
    )?;
    Ok(())
}

/// Settles the booking's money now (cancellations, no-show outcomes), or at `at`.
pub fn settle_at(
    conn: &Connection,
    booking_id: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    enqueue(
        conn,
        &NewJob::new(SETTLE, &ForBooking::new(booking_id), now)
            .run_at(at)
            .dedupe(format!("booking:{booking_id}:settle:{}", at.timestamp())),
    )?;
    Ok(())
}

/// The jobs of a newly confirmed booking, and its first notice (`confirmed` or `rescheduled`).
/// A payment still to make is authorised at T-24h, at once when that has passed.
pub fn schedule_lifecycle(
    conn: &Connection,
    b: &BookingRow,
    event: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let first = if b.payment_status == PaymentStatus::Scheduled {
        DateTime::<Utc>::MIN_UTC
    } else {
        now
    };
    next_moment(conn, b, first, now)?;
    notify(conn, &b.id, event, now)
}

/// One visit of the timeline: do what is due at `at`, then queue the next moment.
async fn visit(state: &AppState, p: Moment) -> Result<(), JobError> {
    let id = p.booking_id.clone();
    let Some(b) = state.db.read(move |c| Ok(store::get(c, &id)?)).await? else {
        return Ok(());
    };
    if b.settled_at.is_some() || !matches!(b.status, Status::Confirmed | Status::Completed) {
        return Ok(());
    }
    let at = DateTime::from_timestamp(p.at, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let [authorize, last_hour, settle_at_moment] = moments(&b);
    if at <= authorize {
        payment::authorize_scheduled(state, &b.id).await?;
    }
    // A reminder is worth sending only before the next one is due.
    let now = state.clock.now();
    if at == authorize && now < last_hour {
        notices::remind(state, &b.id, 24).await?;
    } else if at == last_hour {
        notices::remind(state, &b.id, 1).await?;
    }
    if at >= settle_at_moment {
        return settle::settle(state, &b.id).await;
    }
    state
        .db
        .write(move |tx| Ok(next_moment(tx, &b, at, now)?))
        .await?;
    Ok(())
}

pub fn register(registry: &mut Registry) {
    registry.register(AUTHORIZE, |state: AppState, p: ForBooking| async move {
        payment::authorize_scheduled(&state, &p.booking_id).await
    });
    registry.register(FINAL_WARNING, |state: AppState, p: ForBooking| async move {
        payment::final_warning(&state, &p.booking_id)
            .await
            .map_err(JobError::from)
    });
    registry.register(
        PAYMENT_DEADLINE,
        |state: AppState, p: ForBooking| async move {
            payment::deadline(&state, &p.booking_id)
                .await
                .map_err(JobError::from)
        },
    );
    registry.register(TIMELINE, |state: AppState, p: Moment| async move {
        visit(&state, p).await
    });
    registry.register(NOTIFY, |state: AppState, p: Notify| async move {
        notices::send(&state, &p.booking_id, &p.event)
            .await
            .map_err(JobError::from)
    });
    registry.register(SETTLE, |state: AppState, p: ForBooking| async move {
        settle::settle(&state, &p.booking_id).await
    });
    registry.register(SETTLE_PENDING, |state: AppState, p: Pending| async move {
        recover_pending(&state, p).await
    });
    registry.register(RELEASE_INTENT, |state: AppState, p: Release| async move {
        match state
            .payments
            .release(&p.intent, &format!("{}:release", p.intent))
            .await
        {
            Err(crate::payments::PaymentError::Unavailable(cause)) => {
                Err(JobError::Retry(anyhow::anyhow!(cause)))
            }
            // Released now, or already gone (captured intents are never handed to this job).
            Ok(()) | Err(_) => Ok(()),
        }
    });
    registry.register(
        AUTHENTICATION_EXPIRY,
        |state: AppState, p: ForBooking| async move {
            authentication_due(&state, &p.booking_id, true).await
        },
    );
    registry.register(
        RECONCILE_INTENT,
        |state: AppState, p: crate::payments::events::IntentNews| async move {
            payment::reconcile_intent(&state, &p.intent).await
        },
    );
    registry.register(
        RESOLVE_NO_SHOW,
        |state: AppState, p: ForBooking| async move {
            no_show::resolve_if_undisputed(&state, &p.booking_id)
                .await
                .map_err(JobError::from)
        },
    );
    registry.register(
        "bookings.prune_idempotency_keys",
        |state: AppState, _: serde_json::Value| async move {
            let now = state.clock.now();
            state
                .db
                .write(move |tx| Ok(idempotency::prune(tx, now)?))
                .await
                .map_err(JobError::from)?;
            Ok(())
        },
    );
    registry.every("bookings.prune_idempotency_keys", Duration::hours(1));
}

/// Finishes an immediate booking whose request died while the provider was asked: the same
/// authorisation (same idempotency key) is asked again and its answer written down.
async fn recover_pending(state: &AppState, p: Pending) -> Result<(), JobError> {
    let id = p.booking_id.clone();
    let Some(row) = state.db.read(move |c| Ok(store::get(c, &id)?)).await? else {
        return Ok(());
    };
    // Waiting for the bank's check has its own deadline (the authentication expiry job).
    if row.status != super::model::Status::PendingPayment || row.payment_intent.is_some() {
        return Ok(());
    }
    let student = row.student_id.clone();
    match authorize::authorize_now(state, row, &student, p.key, None).await {
        Err(err) if err.kind == crate::error::ErrorKind::Unavailable => Err(JobError::Retry(
            anyhow::anyhow!("payment provider unavailable"),
        )),
        _ => Ok(()),
    }
}

/// Finishes a booking waiting for the bank's check, from the intent's state at the provider;
/// with `give_up` (the deadline passed) an unfinished check ends it.
pub async fn authentication_due(state: &AppState, id: &str, give_up: bool) -> Result<(), JobError> {
    let booking_id = id.to_string();
    let Some(row) = state
        .db
        .read(move |c| Ok(store::get(c, &booking_id)?))
        .await?
    else {
        return Ok(());
    };
    if row.status != super::model::Status::PendingPayment {
        return Ok(());
    }
    let student = row.student_id.clone();
    match authorize::finish_authentication(state, row, &student, give_up).await {
        Err(err) if err.kind == crate::error::ErrorKind::Unavailable => Err(JobError::Retry(
            anyhow::anyhow!("payment provider unavailable"),
        )),
        _ => Ok(()),
    }
}

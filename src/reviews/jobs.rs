//! The jobs of reviews: their notices, the review reminder a completed lesson schedules
//! (`bookings::jobs::REVIEW_REMINDER`, which bookings enqueue because they rank below reviews),
//! finishing a tip whose request died, and telling search an instructor's rating changed.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{notices, tips};
use crate::app::AppState;
use crate::bookings::jobs::{ForBooking, REVIEW_REMINDER};
use crate::jobs::{JobError, NewJob, Registry, enqueue};

pub const NOTIFY: &str = "reviews.notify";
pub const FINISH_TIP: &str = "reviews.finish_tip";
/// Search re-reads an instructor (their rating changed). Search owns the kind.
use crate::search::jobs::REINDEX_INSTRUCTOR;

/// A tip's request has this long to write its outcome before the recovery job asks again.
const FINISH_TIP_AFTER: Duration = Duration::minutes(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A new review, to its instructor (id: the review).
    ReviewReceived,
    /// The instructor answered, to the student (id: the review).
    ResponseReceived,
    /// A tip was paid: the receipt to the student, "tip received" to the instructor (id: the tip).
    TipCaptured,
}

impl Event {
    fn as_str(self) -> &'static str {
        match self {
            Self::ReviewReceived => "review_received",
            Self::ResponseReceived => "response_received",
            Self::TipCaptured => "tip_captured",
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct Notify {
    pub id: String,
    pub event: Event,
}

/// Queues the notices of `event` about `id`, once.
pub fn notify(
    conn: &Connection,
    event: Event,
    id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let payload = Notify {
        id: id.to_string(),
        event,
    };
    enqueue(
        conn,
        &NewJob::new(NOTIFY, &payload, now).dedupe(format!("reviews:{}:{id}", event.as_str())),
    )?;
    Ok(())
}

/// Asks search to re-read the instructor because of `cause` (one job per cause: a dedupe key
/// stays used once its job ran, so the key names what changed, not just whom).
pub fn reindex(
    conn: &Connection,
    instructor_id: &str,
    cause: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let payload = crate::search::jobs::Reindex {
        instructor_id: instructor_id.to_string(),
    };
    enqueue(
        conn,
        &NewJob::new(REINDEX_INSTRUCTOR, &payload, now)
            .dedupe(format!("{REINDEX_INSTRUCTOR}:{instructor_id}:{cause}")),
    )?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
pub struct FinishTip {
    pub tip_id: String,
    pub origin: tips::Origin,
}

/// The safety net of a tip being charged: runs shortly after and does nothing once decided.
pub fn finish_tip_later(
    conn: &Connection,
    tip_id: &str,
    origin: &tips::Origin,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let payload = FinishTip {
        tip_id: tip_id.to_string(),
        origin: origin.clone(),
    };
    enqueue(
        conn,
        &NewJob::new(FINISH_TIP, &payload, now)
            .run_at(now + FINISH_TIP_AFTER)
            .dedupe(format!("tip:{tip_id}:finish")),
    )?;
    Ok(())
}

pub fn register(registry: &mut Registry) {
    registry.register(NOTIFY, |state: AppState, p: Notify| async move {
        notices::send(&state, &p.id, p.event)
            .await
            .map_err(JobError::from)
    });
    registry.register(
        REVIEW_REMINDER,
        |state: AppState, p: ForBooking| async move {
            notices::remind(&state, &p.booking_id)
                .await
                .map_err(JobError::from)
        },
    );
    registry.register(FINISH_TIP, |state: AppState, p: FinishTip| async move {
        tips::finish(&state, &p.tip_id, &p.origin).await
    });
}

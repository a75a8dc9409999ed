//! Leaving a review (SPEC 7): only the lesson's student (anyone else: 404), only a `completed`
//! lesson with no absence report pending (`review.not_completed`), until 30 days after it ends
//! on the app clock (`review.window_closed`), once (`review.exists`); 1-5 whole stars, text up to
//! 500 characters. The review, its rating aggregates, its notices and the search reindex are one
//! write. A tip may come in the same request (see `tips`), or alone later, e.g. after a refused
//! card; both honour `Idempotency-Key` like `POST /api/v1/bookings`.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::store::{self, ReviewRow};
use super::tips::{self, Origin};
use super::{jobs, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::bookings::jobs::REVIEW_WINDOW;
use crate::bookings::model::{BookingRow, Status};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::payments::idempotency::{self, Key, Stored};

/// The longest review or response, in characters.
pub const MAX_TEXT: usize = 500;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// Whole stars, 1 to 5.
    pub rating: i64,
    /// Optional, at most 500 characters.
    pub text: Option<String>,
    /// An optional tip in cents (1 to 50000), 100% to the instructor.
    pub tip_cents: Option<i64>,
    /// The saved card to tip with; by default the lesson's card (or the default card).
    pub payment_method_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTip {
    /// Cents, 1 to 50000, 100% to the instructor.
    pub tip_cents: i64,
    /// The saved card to tip with; by default the lesson's card (or the default card).
    pub payment_method_id: Option<String>,
}

/// Trimmed text, `None` when blank; `code` when longer than [`MAX_TEXT`].
pub fn clean_text(raw: Option<&str>, code: &'static str) -> AppResult<Option<String>> {
    let text = raw.map(str::trim).filter(|t| !t.is_empty());
    if let Some(text) = text
        && text.chars().count() > MAX_TEXT
    {
        return Err(AppError::invalid(
            code,
            "text",
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    Ok(text.map(str::to_string))
}

/// The lesson `booking_id` when `student_id` may review or tip it now.
fn reviewable(
    conn: &Connection,
    booking_id: &str,
    student_id: &str,
    now: DateTime<Utc>,
) -> AppResult<BookingRow> {
    let b = crate::bookings::store::get(conn, booking_id)?
        .filter(|b| b.student_id == student_id)
        .ok_or_else(AppError::not_found)?;
    // A completed lesson can still turn out a no-show while a report is open.
    let report_pending = crate::bookings::store::no_show(conn, &b.id)?
        .is_some_and(|r| r.state == "open" || r.state == "disputed");
    if b.status != Status::Completed || report_pending {
        return Err(AppError::new(
            ErrorKind::Unprocessable,
            "review.not_completed",
            "Only a completed lesson can be reviewed or tipped.",
        ));
    }
    if now > b.end + REVIEW_WINDOW {
        return Err(AppError::new(
            ErrorKind::Unprocessable,
            "review.window_closed",
            "Lessons can be reviewed for 30 days after they end.",
        ));
    }
    Ok(b)
}

/// An answer to a money-moving POST.
pub enum Answer {
    /// Status and JSON body, as stored for Idempotency-Key replays.
    Fresh(StatusCode, Value),
    /// The stored answer of the first request with this key.
    Replay(Stored),
}

/// What the write decided.
enum Written {
    Done(Value),
    Charge(Box<store::TipRow>, Origin),
    Replay(Stored),
}

/// Finishes what the write decided: charges a tip outside the transaction.
async fn finish(state: &AppState, written: Written) -> AppResult<Answer> {
    state.jobs.wake();
    Ok(match written {
        Written::Done(body) => Answer::Fresh(StatusCode::CREATED, body),
        Written::Replay(stored) => Answer::Replay(stored),
        Written::Charge(tip, origin) => Answer::Fresh(
            StatusCode::CREATED,
            tips::charge(state, &tip, &origin).await?.body,
        ),
    })
}

/// `POST /api/v1/bookings/{id}/review`.
pub async fn create(
    state: &AppState,
    me: &CurrentUser,
    booking_id: &str,
    input: NewReview,
    key: Option<Key>,
) -> AppResult<Answer> {
    if !(1..=5).contains(&input.rating) {
        return Err(AppError::invalid(
            "review.invalid_rating",
            "rating",
            "a whole number of stars from 1 to 5",
        ));
    }
    let text = clean_text(input.text.as_deref(), "review.text_too_long")?;
    let tip = input.tip_cents.map(tips::check_amount).transpose()?;
    let card = input.payment_method_id.clone();
    let (booking_id, student_id, now) = (
        booking_id.to_string(),
        me.user.id.clone(),
        state.clock.now(),
    );
    let written = state
        .db
        .write(move |tx| {
            if let Some(key) = &key
                && let Some(stored) = idempotency::claim(tx, key, now)?
            {
                return Ok(Written::Replay(stored));
            }
            let b = reviewable(tx, &booking_id, &student_id, now)?;
            if store::of_booking(tx, &b.id)?.is_some() {
                return Err(AppError::new(
                    ErrorKind::Unprocessable,
                    "review.exists",
                    "This lesson already has your review.",
                ));
            }
            let review = ReviewRow {
                id: crate::auth::secrets::new_id(),
                booking_id: b.id.clone(),
                student_id: b.student_id.clone(),
                instructor_id: b.instructor_id.clone(),
                service_id: b.service_id,
                rating: input.rating,
                text,
                created_at: now,
                hidden_at: None,
                hidden_reason: None,
            };
            store::insert(tx, &review)?;
            store::count(tx, &review)?;
            jobs::notify(tx, jobs::Event::ReviewReceived, &review.id, now)?;
            jobs::reindex(
                tx,
                &review.instructor_id,
                &format!("review:{}", review.id),
                now,
            )?;
            let origin = Origin {
                key: key.clone(),
                review_id: Some(review.id.clone()),
            };
            if let Some(amount) = tip {
                let tip = tips::start(tx, &b, amount, card.as_deref(), &origin, now)?;
                return Ok(Written::Charge(Box::new(tip), origin));
            }
            let body = serde_json::to_value(view::ReviewCreated {
                review: view::load(tx, &review.id)?,
                tip: None,
            })
            .map_err(AppError::internal)?;
            if let Some(key) = &key {
                idempotency::finish(tx, key, StatusCode::CREATED, &body.to_string())?;
            }
            Ok(Written::Done(body))
        })
        .await?;
    finish(state, written).await
}

/// `POST /api/v1/bookings/{id}/tip`: a tip on its own, on a lesson that can still be reviewed
/// (e.g. after a refused card), while it has no tip paid or in flight.
pub async fn tip_only(
    state: &AppState,
    me: &CurrentUser,
    booking_id: &str,
    input: NewTip,
    key: Option<Key>,
) -> AppResult<Answer> {
    let amount = tips::check_amount(input.tip_cents)?;
    let (booking_id, student_id, now) = (
        booking_id.to_string(),
        me.user.id.clone(),
        state.clock.now(),
    );
    let written = state
        .db
        .write(move |tx| {
            if let Some(key) = &key
                && let Some(stored) = idempotency::claim(tx, key, now)?
            {
                return Ok(Written::Replay(stored));
            }
            let b = reviewable(tx, &booking_id, &student_id, now)?;
            let origin = Origin {
                key: key.clone(),
                review_id: None,
            };
            let tip = tips::start(
                tx,
                &b,
                amount,
                input.payment_method_id.as_deref(),
                &origin,
                now,
            )?;
            Ok(Written::Charge(Box::new(tip), origin))
        })
        .await?;
    finish(state, written).await
}

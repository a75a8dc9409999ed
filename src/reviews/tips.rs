//! Tips (SPEC 7): charged at once to the instructor's connected account with **no platform
//! fee**, so 100% reaches the instructor. The tip row is written first (`pending`, in the
//! transaction that decides the tip), the provider is asked outside any transaction with a key
//! derived from the row (`tip:{id}:charge`), and the outcome is written down after; a job
//! finishes a tip whose request died in between, with the same key, so nothing is charged twice.
//!
//! The student is present (it is their request), so the charge is on-session with a saved card:
//! one they name, else the lesson's card while it is still saved, else their default. A bank
//! that wants the student to authenticate (SCA) leaves the tip `requires_action` with the
//! intent's `client_secret` in the answer; the web app completes the check and calls
//! `POST /api/v1/tips/{id}/confirm`, which captures it (still with no fee).
//!
//! A refused card leaves the tip `failed` with the decline code (the review it came with stands,
//! and the answer says so); the student may tip again with another card. A captured tip writes
//! two ledger rows on the lesson: `tip_capture` (money in) and `instructor_payout` (the same
//! amount out), so the lesson still balances.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::store::{self, TipRow};
use super::{jobs, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::bookings::model::BookingRow;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::ledger::{self, Entry, Kind};
use crate::payments::idempotency::{self, Key};
use crate::payments::{ChargeRequest, PaymentError};

/// The largest tip, $500: generous, and a typo of an extra zero or two is refused.
pub const MAX_TIP_CENTS: i64 = 50_000;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TipView {
    pub id: String,
    pub booking_id: String,
    pub amount_cents: i64,
    /// `captured` (paid to the instructor), `failed` (refused: nothing charged),
    /// `requires_action` (the bank wants the student to authenticate; see `client_secret`) or
    /// `pending` (the provider has not answered yet; it is finished within minutes).
    pub status: String,
    /// The provider's decline code when `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// For the web app to complete the bank's check when `requires_action`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl TipRow {
    pub fn view(&self, client_secret: Option<String>) -> TipView {
        TipView {
            id: self.id.clone(),
            booking_id: self.booking_id.clone(),
            amount_cents: self.amount_cents,
            status: self.status.clone(),
            decline_code: self.decline_code.clone(),
            client_secret,
        }
    }
}

/// The request a tip came with: its Idempotency-Key, if any, and whether it answers with the
/// review (`{review, tip}`) or the tip alone.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Origin {
    pub key: Option<Key>,
    pub review_id: Option<String>,
}

/// A tip amount within bounds, or the field error.
pub fn check_amount(cents: i64) -> AppResult<i64> {
    if (1..=MAX_TIP_CENTS).contains(&cents) {
        Ok(cents)
    } else {
        Err(AppError::invalid(
            "tip.invalid_amount",
            "tip_cents",
            format!("a tip is between 1 and {MAX_TIP_CENTS} cents ($500)"),
        ))
    }
}

fn tip_exists() -> AppError {
    AppError::conflict("tip.exists", "This lesson already has a tip.")
}

/// Writes a `pending` tip on lesson `b` inside the caller's transaction, and the job that
/// finishes it should this request die before the provider answers.
pub fn start(
    tx: &Connection,
    b: &BookingRow,
    amount_cents: i64,
    card: Option<&str>,
    origin: &Origin,
    now: DateTime<Utc>,
) -> AppResult<TipRow> {
    let destination = crate::instructors::store::payouts_account(tx, &b.instructor_id)?
        .ok_or_else(|| {
            AppError::invalid(
                "tip.unavailable",
                "tip_cents",
                "this instructor cannot receive tips yet",
            )
        })?;
    let payment_method_ref = match card {
        Some(chosen) => store::saved_card(tx, &b.student_id, chosen)?.ok_or_else(|| {
            AppError::invalid(
                "payment.invalid_method",
                "payment_method_id",
                "is not one of your saved cards",
            )
        })?,
        None => match store::saved_card(tx, &b.student_id, &b.payment_method_ref)? {
            Some(lesson_card) => lesson_card,
            None => store::default_card(tx, &b.student_id)?
                .unwrap_or_else(|| b.payment_method_ref.clone()),
        },
    };
    if store::has_live_tip(tx, &b.id)? {
        return Err(tip_exists());
    }
    let tip = TipRow {
        id: crate::auth::secrets::new_id(),
        booking_id: b.id.clone(),
        student_id: b.student_id.clone(),
        instructor_id: b.instructor_id.clone(),
        amount_cents,
        payment_method_ref,
        destination,
        payment_intent: None,
        status: "pending".into(),
        decline_code: None,
    };
    store::insert_tip(tx, &tip, now)?;
    jobs::finish_tip_later(tx, &tip.id, origin, now)?;
    Ok(tip)
}

/// Moves the tip from `from` to `to`; false when it was no longer `from` (someone else wrote
/// the outcome first). A capture writes its ledger rows and notices, once.
fn settle(
    tx: &Connection,
    tip: &TipRow,
    from: &str,
    to: &str,
    intent: Option<&str>,
    decline: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let moved = store::move_tip(tx, &tip.id, from, to, intent, decline, now)?;
    if moved && to == "captured" {
        let at = to_db(now);
        let reference = intent.or(tip.payment_intent.as_deref());
        for (kind, user) in [
            (Kind::TipCapture, &tip.student_id),
            (Kind::InstructorPayout, &tip.instructor_id),
        ] {
            let entry = Entry {
                kind,
                booking_id: Some(&tip.booking_id),
                user_id: Some(user),
                amount_cents: tip.amount_cents,
                reference,
            };
            ledger::record(tx, &entry, at)?;
        }
        jobs::notify(tx, jobs::Event::TipCaptured, &tip.id, now)?;
    }
    Ok(moved)
}

/// The answer to the request that made the tip.
fn answer(tx: &Connection, tip: &TipView, origin: &Origin) -> AppResult<Value> {
    let body = match &origin.review_id {
        Some(review_id) => serde_json::to_value(view::ReviewCreated {
            review: view::load(tx, review_id)?,
            tip: Some(tip.clone()),
        }),
        None => serde_json::to_value(tip),
    };
    body.map_err(AppError::internal)
}

/// What charging decided.
pub struct Charged {
    /// The answer body (stored for the Idempotency-Key once the tip is decided).
    pub body: Value,
    /// The provider did not answer; the tip is still `pending`.
    pub pending: bool,
}

/// Asks the provider for a `pending` tip and writes the outcome down (a no-op for a tip
/// already decided, which answers as it stands).
pub async fn charge(state: &AppState, tip: &TipRow, origin: &Origin) -> AppResult<Charged> {
    let student = tip.student_id.clone();
    let customer = state
        .db
        .read(move |c| Ok(crate::payments::customers::of(c, &student)?))
        .await?;
    let request = ChargeRequest {
        amount_cents: tip.amount_cents,
        payment_method_id: tip.payment_method_ref.clone(),
        destination: Some(tip.destination.clone()),
        customer,
        off_session: false,
        idempotency_key: format!("tip:{}:charge", tip.id),
    };
    let outcome = state.payments.charge(&request).await;
    let (tip, origin, now) = (tip.clone(), origin.clone(), state.clock.now());
    let charged = state
        .db
        .write(move |tx| {
            let mut secret = None;
            let pending = match &outcome {
                Ok(intent) => {
                    settle(tx, &tip, "pending", "captured", Some(intent), None, now)?;
                    false
                }
                Err(PaymentError::AuthenticationRequired {
                    intent_id,
                    client_secret,
                }) => {
                    settle(
                        tx,
                        &tip,
                        "pending",
                        "requires_action",
                        Some(intent_id),
                        None,
                        now,
                    )?;
                    secret = Some(client_secret.clone());
                    false
                }
                Err(PaymentError::Declined { code }) => {
                    settle(tx, &tip, "pending", "failed", None, Some(code), now)?;
                    false
                }
                Err(PaymentError::Invalid(cause)) => {
                    tracing::warn!(tip = %tip.id, %cause, "the provider refused the tip request");
                    settle(
                        tx,
                        &tip,
                        "pending",
                        "failed",
                        None,
                        Some("payment_failed"),
                        now,
                    )?;
                    false
                }
                Err(PaymentError::Unavailable(_)) => true,
            };
            let current = store::tip(tx, &tip.id)?.ok_or_else(AppError::not_found)?;
            let pending = pending && current.status == "pending";
            let body = answer(tx, &current.view(secret), &origin)?;
            if let (false, Some(key)) = (pending, &origin.key) {
                idempotency::finish(tx, key, axum::http::StatusCode::CREATED, &body.to_string())?;
            }
            Ok(Charged { body, pending })
        })
        .await?;
    state.jobs.wake();
    Ok(charged)
}

/// The recovery job: finishes a tip still `pending` (its request died mid-way).
pub async fn finish(
    state: &AppState,
    tip_id: &str,
    origin: &Origin,
) -> Result<(), crate::jobs::JobError> {
    let id = tip_id.to_string();
    let Some(tip) = state.db.read(move |c| Ok(store::tip(c, &id)?)).await? else {
        return Ok(());
    };
    if tip.status != "pending" {
        return Ok(());
    }
    if charge(state, &tip, origin).await?.pending {
        return Err(crate::jobs::JobError::Retry(anyhow::anyhow!(
            "payment provider unavailable"
        )));
    }
    Ok(())
}

/// `POST /api/v1/tips/{id}/confirm`: after the web app completed the bank's check, captures a
/// `requires_action` tip (no fee). A tip already captured answers as it is.
pub async fn confirm(state: &AppState, me: &CurrentUser, id: &str) -> AppResult<TipView> {
    let (id, viewer) = (id.to_string(), me.user.id.clone());
    let tip = state
        .db
        .read(move |c| {
            let tip = store::tip(c, &id)?
                .filter(|t| t.student_id == viewer)
                .ok_or_else(AppError::not_found)?;
            if tip.status == "requires_action" && store::has_live_tip(c, &tip.booking_id)? {
                return Err(tip_exists());
            }
            Ok(tip)
        })
        .await?;
    match tip.status.as_str() {
        "captured" => return Ok(tip.view(None)),
        "requires_action" => {}
        _ => {
            return Err(AppError::invalid(
                "tip.not_confirmable",
                "status",
                format!("a {} tip has nothing to confirm", tip.status),
            ));
        }
    }
    let intent = tip.payment_intent.clone().unwrap_or_default();
    let captured = state
        .payments
        .capture(&intent, 0, &format!("tip:{}:capture-authenticated", tip.id))
        .await;
    let (to, decline) = match captured {
        Ok(()) => ("captured", None),
        Err(PaymentError::Declined { code }) => ("failed", Some(code)),
        Err(PaymentError::Unavailable(_)) => {
            return Err(AppError::new(
                ErrorKind::Unavailable,
                "payment.unavailable",
                "The payment provider did not answer; try again in a minute.",
            ));
        }
        Err(PaymentError::Invalid(_) | PaymentError::AuthenticationRequired { .. }) => {
            return Err(AppError::invalid(
                "tip.requires_action",
                "status",
                "the bank's check is not complete yet",
            ));
        }
    };
    let now = state.clock.now();
    let view = state
        .db
        .write(move |tx| {
            settle(
                tx,
                &tip,
                "requires_action",
                to,
                None,
                decline.as_deref(),
                now,
            )?;
            Ok(store::tip(tx, &tip.id)?
                .ok_or_else(AppError::not_found)?
                .view(None))
        })
        .await?;
    state.jobs.wake();
    Ok(view)
}

//! Authorising a lesson while the student waits (it starts within 24 h, or was moved there),
//! and the bank's authentication (SCA) when the card asks for it.
//!
//! The booking holds its slot as `pending_payment` while the provider is asked. A held card
//! confirms it; a refused card removes it (402 `payment.declined`) and leaves nothing behind.
//! A card that wants authentication keeps the booking pending for [`AUTHENTICATE_WITHIN`] and
//! answers 402 `payment.requires_action` with the intent's client secret: the browser completes
//! the bank's check (Stripe.js `handleNextAction`, or the simulated provider's test page), then
//! calls `POST /api/v1/bookings/{id}/confirm-payment`. Whatever reaches us first (that call, the
//! `payment_intent.*` webhook, or the expiry job) reads the intent's state from the provider
//! and finishes the booking; the others find it finished.

use axum::http::StatusCode;
use chrono::Duration;
use rusqlite::Transaction;

use super::create::{save_card, saved_card};
use super::model::{BookingRow, Party, PaymentStatus, Status};
use super::{jobs, store, view};
use crate::app::AppState;
use crate::credits::store as credits;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::instructors;
use crate::jobs::{NewJob, enqueue};
use crate::payments::idempotency::{self, Key};
use crate::payments::{Card, ChargeRequest, IntentState, PaymentError, customers};

/// How long a booking waits for the student to pass the bank's check.
pub const AUTHENTICATE_WITHIN: Duration = Duration::minutes(15);

/// What the provider said about the authorisation.
enum Answer {
    Held(String),
    Authenticate { intent: String, secret: String },
    Refused(PaymentError),
}

/// The immediate authorisation of a pending booking, and its outcome written down.
pub async fn authorize_now(
    state: &AppState,
    row: BookingRow,
    viewer: &str,
    key: Option<Key>,
    new_card: Option<Card>,
) -> AppResult<(StatusCode, serde_json::Value)> {
    let (destination, customer) = parties(state, &row).await?;
    let request = ChargeRequest {
        amount_cents: row.total_charge_cents,
        payment_method_id: row.payment_method_ref.clone(),
        destination,
        customer,
        off_session: false,
        idempotency_key: format!("booking:{}:authorize:0", row.id),
    };
    let answer = match state.payments.authorize(&request).await {
        Ok(intent) => Answer::Held(intent),
        Err(PaymentError::AuthenticationRequired {
            intent_id,
            client_secret,
        }) => Answer::Authenticate {
            intent: intent_id,
            secret: client_secret,
        },
        Err(PaymentError::Unavailable(cause)) => {
            tracing::warn!(booking = %row.id, %cause, "payment provider unavailable; the recovery job will finish");
            return Err(AppError::new(
                ErrorKind::Unavailable,
                "payment.unavailable",
                "The payment provider did not answer; your booking will be confirmed or dropped within minutes.",
            ));
        }
        Err(err) => Answer::Refused(err),
    };
    write_answer(state, &row.id, viewer, key, new_card, answer).await
}

/// `POST /api/v1/bookings/{id}/confirm-payment` (and the webhook and expiry jobs): finishes a
/// booking whose card asked for authentication, from the intent's state at the provider.
/// With `give_up`, a check still not passed ends the booking.
pub async fn finish_authentication(
    state: &AppState,
    row: BookingRow,
    viewer: &str,
    give_up: bool,
) -> AppResult<(StatusCode, serde_json::Value)> {
    let intent = match (&row.status, &row.payment_intent) {
        (Status::PendingPayment, Some(intent)) => intent.clone(),
        (Status::PendingPayment, None) => {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "payment.in_progress",
                "The payment is still being authorised; try again in a moment.",
            ));
        }
        _ => {
            let (id, viewer, now) = (row.id.clone(), viewer.to_string(), state.clock.now());
            let body = state
                .db
                .read(move |c| {
                    let row = store::get(c, &id)?.ok_or_else(AppError::not_found)?;
                    serde_json::to_value(view::render(c, row, &viewer, false, now)?)
                        .map_err(AppError::internal)
                })
                .await?;
            return Ok((StatusCode::OK, body));
        }
    };
    let answer = match state.payments.intent_state(&intent).await {
        Ok(IntentState::Authorized) => Answer::Held(intent),
        Ok(IntentState::RequiresAction { client_secret }) if !give_up => Answer::Authenticate {
            secret: client_secret,
            intent,
        },
        // The bank is still deciding: the expiry job asks again (the webhook may come first).
        Ok(IntentState::Processing) if !give_up => Answer::Authenticate {
            secret: String::new(),
            intent,
        },
        Ok(_) => Answer::Refused(PaymentError::Declined {
            code: "authentication_failed".into(),
        }),
        Err(PaymentError::Unavailable(cause)) => {
            return Err(AppError::new(
                ErrorKind::Unavailable,
                "payment.unavailable",
                format!("The payment provider did not answer ({cause}); try again in a moment."),
            ));
        }
        Err(err) => Answer::Refused(err),
    };
    // A card used for the first time is kept once it has worked.
    let new_card = match &answer {
        Answer::Held(_) => unsaved_card(state, &row).await?,
        _ => None,
    };
    write_answer(state, &row.id, viewer, None, new_card, answer)
        .await
        .map(|(status, body)| {
            (
                if status == StatusCode::CREATED {
                    StatusCode::OK
                } else {
                    status
                },
                body,
            )
        })
}

async fn unsaved_card(state: &AppState, row: &BookingRow) -> AppResult<Option<Card>> {
    let (student, card) = (row.student_id.clone(), row.payment_method_ref.clone());
    let (saved, customer) = state
        .db
        .read(move |c| {
            let saved = saved_card(c, &student, &card)?.is_some();
            Ok((saved, customers::of(c, &student)?))
        })
        .await?;
    if saved {
        return Ok(None);
    }
    Ok(state
        .payments
        .save_payment_method(&row.payment_method_ref, customer.as_deref())
        .await
        .ok())
}

async fn write_answer(
    state: &AppState,
    id: &str,
    viewer: &str,
    key: Option<Key>,
    new_card: Option<Card>,
    answer: Answer,
) -> AppResult<(StatusCode, serde_json::Value)> {
    let (id, viewer, now) = (id.to_string(), viewer.to_string(), state.clock.now());
    let result = state
        .db
        .write(move |tx| {
            let Some(current) = store::get(tx, &id)? else {
                return Ok(Err(declined(&PaymentError::Invalid("gone".into()))));
            };
            if current.status != Status::PendingPayment {
                // Another path got here first; answer with what it decided.
                let body = serde_json::to_value(view::render(tx, current, &viewer, false, now)?)
                    .map_err(AppError::internal)?;
                return Ok(Ok(body));
            }
            let problem = match &answer {
                Answer::Held(intent) => {
                    if let Some(card) = &new_card {
                        save_card(tx, &current.student_id, card, now)?;
                    }
                    store::set_status(tx, &id, Status::Confirmed, now)?;
                    store::set_payment(tx, &id, PaymentStatus::Authorized, Some(intent), now)?;
                    store::add_event(tx, &id, Party::System, "payment_authorized", "", now)?;
                    let row = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                    jobs::schedule_lifecycle(tx, &row, "confirmed", now)?;
                    let body = serde_json::to_value(view::render(tx, row, &viewer, false, now)?)
                        .map_err(AppError::internal)?;
                    if let Some(key) = &key {
                        idempotency::finish(tx, key, StatusCode::CREATED, &body.to_string())?;
                    }
                    return Ok(Ok(body));
                }
                Answer::Authenticate { intent, secret } => {
                    if current.payment_intent.as_deref() != Some(intent.as_str()) {
                        tx.execute(
                            "UPDATE bookings SET payment_intent = ?2, updated_at = ?3 WHERE id = ?1",
                            rusqlite::params![id, intent, crate::common::time::to_db(now)],
                        )?;
                        store::add_event(tx, &id, Party::System, "payment_requires_action", "", now)?;
                        enqueue(
                            tx,
                            &NewJob::new(jobs::AUTHENTICATION_EXPIRY, &jobs::ForBooking::new(&id), now)
                                .run_at(now + AUTHENTICATE_WITHIN)
                                .dedupe(format!("booking:{id}:authentication_expiry")),
                        )?;
                    }
                    requires_action(&id, intent, secret)
                }
                Answer::Refused(err) => {
                    if let Some(intent) = &current.payment_intent {
                        jobs::release_intent(tx, intent, now)?;
                    }
                    discard(tx, &id)?;
                    declined(err)
                }
            };
            if let Some(key) = &key {
                idempotency::finish(tx, key, problem.kind.status(), &problem.body().to_string())?;
            }
            Ok(Err(problem))
        })
        .await?;
    state.jobs.wake();
    result.map(|body| (StatusCode::CREATED, body))
}

/// 402 with what the browser needs to complete the bank's check.
fn requires_action(booking_id: &str, intent: &str, client_secret: &str) -> AppError {
    AppError::new(
        ErrorKind::PaymentRequired,
        "payment.requires_action",
        "Your bank wants to confirm this payment. The lesson is held for 15 minutes while you do.",
    )
    .with_extra("booking_id", booking_id.into())
    .with_extra("intent_id", intent.into())
    .with_extra("client_secret", client_secret.into())
}

/// Who a booking's money goes to and whose card pays: the instructor's connected account and
/// the student's customer at the provider.
pub async fn parties(
    state: &AppState,
    row: &BookingRow,
) -> AppResult<(Option<String>, Option<String>)> {
    let (teacher, student) = (row.instructor_id.clone(), row.student_id.clone());
    state
        .db
        .read(move |c| {
            Ok((
                instructors::store::payouts_account(c, &teacher)?,
                customers::of(c, &student)?,
            ))
        })
        .await
}

pub fn payment_unavailable() -> AppError {
    AppError::new(
        ErrorKind::Unavailable,
        "payment.unavailable",
        "The payment provider did not answer; nothing was booked. Try again in a minute.",
    )
}

/// Removes a booking that never got paid for: nothing of it remains but its credit, returned.
pub fn discard(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    credits::release(tx, id)?;
    tx.execute(
        "DELETE FROM credit_reservations WHERE booking_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM booking_events WHERE booking_id = ?1", [id])?;
    tx.execute("DELETE FROM bookings WHERE id = ?1", [id])?;
    Ok(())
}

pub fn declined(err: &PaymentError) -> AppError {
    match err {
        // Only a card that needs authentication off-session gets here (a job or a move): the
        // student is not present to pass the check.
        PaymentError::AuthenticationRequired { .. } => AppError::new(
            ErrorKind::PaymentRequired,
            "payment.declined",
            "Your bank wants to confirm this payment; nothing was booked or charged. Try again or use another card.",
        )
        .with_extra("decline_code", "authentication_required".into()),
        PaymentError::Declined { code } => AppError::new(
            ErrorKind::PaymentRequired,
            "payment.declined",
            "Your card was declined; nothing was booked or charged. Try another card.",
        )
        .with_extra("decline_code", code.clone().into()),
        PaymentError::Invalid(_) | PaymentError::Unavailable(_) => AppError::new(
            ErrorKind::PaymentRequired,
            "payment.declined",
            "The payment could not be made; nothing was booked or charged.",
        ),
    }
}

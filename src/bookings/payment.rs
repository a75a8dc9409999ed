//! Scheduled authorisation at T-24h, off-session with the student's default card. A refusal
//! notifies the student and retries at +1 h, +4 h, then every 8 h; a final warning goes out at
//! T-13h and at T-12h an unpaid booking is cancelled with no charge (`payment_failed`).

use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;

use super::jobs::{self, ForBooking};
use super::model::{Party, PaymentStatus, Status};
use super::store;
use crate::app::AppState;
use crate::credits::store as credits;
use crate::error::AppResult;
use crate::instructors;
use crate::jobs::{JobError, NewJob, enqueue};
use crate::payments::{ChargeRequest, PaymentError, customers};

pub const FINAL_WARNING_BEFORE: Duration = Duration::hours(13);
pub const DEADLINE_BEFORE: Duration = Duration::hours(12);

/// The wait before retry number `failures` + 1: 1 h, 4 h, then 8 h.
pub fn retry_delay(failures: i64) -> Duration {
    match failures {
        ..=1 => Duration::hours(1),
        2 => Duration::hours(4),
        _ => Duration::hours(8),
    }
}

fn awaiting_payment(status: Status, payment: PaymentStatus) -> bool {
    status == Status::Confirmed
        && matches!(payment, PaymentStatus::Scheduled | PaymentStatus::Failed)
}

pub async fn authorize_scheduled(state: &AppState, id: &str) -> Result<(), JobError> {
    let booking_id = id.to_string();
    let found = state
        .db
        .read(move |c| {
            let Some(b) = store::get(c, &booking_id)? else {
                return Ok(None);
            };
            let default_card: Option<String> = c
                .query_row(
                    "SELECT provider_ref FROM payment_methods WHERE user_id = ?1 AND is_default = 1",
                    [&b.student_id],
                    |r| r.get(0),
                )
                .optional()?;
            let destination = instructors::store::payouts_account(c, &b.instructor_id)?;
            let customer = customers::of(c, &b.student_id)?;
            Ok(Some((b, default_card, destination, customer)))
        })
        .await?;
    let Some((b, default_card, destination, customer)) = found else {
        return Ok(());
    };
    if !awaiting_payment(b.status, b.payment_status) {
        return Ok(());
    }
    let attempt = b.authorize_attempts + 1;
    let request = ChargeRequest {
        amount_cents: b.total_charge_cents,
        // The card chosen at booking first; after a refusal, the student's default (they may
        // have replaced the card).
        payment_method_id: match default_card {
            Some(card) if attempt > 1 => card,
            _ => b.payment_method_ref.clone(),
        },
        destination,
        customer,
        off_session: true,
        idempotency_key: format!("booking:{id}:authorize:{attempt}"),
    };
    let outcome = state.payments.authorize(&request).await;
    if let Err(PaymentError::Unavailable(cause)) = &outcome {
        return Err(JobError::Retry(anyhow::anyhow!(
            "payment provider unavailable: {cause}"
        )));
    }
    let (booking_id, now) = (id.to_string(), state.clock.now());
    let recorded = outcome.clone();
    state
        .db
        .write(move |tx| {
            let Some(b) = store::get(tx, &booking_id)? else {
                if let Ok(intent) = &recorded {
                    jobs::release_intent(tx, intent, now)?;
                }
                return Ok(());
            };
            if !awaiting_payment(b.status, b.payment_status) || b.authorize_attempts + 1 != attempt {
                // Cancelled (or paid) while the provider was asked: an authorisation made now
                // must be let go.
                if let Ok(intent) = &recorded
                    && b.payment_intent.as_deref() != Some(intent.as_str())
                {
                    jobs::release_intent(tx, intent, now)?;
                }
                return Ok(());
            }
            match &recorded {
                Ok(intent) => {
                    store::set_payment(tx, &booking_id, PaymentStatus::Authorized, Some(intent), now)?;
                    store::add_event(tx, &booking_id, Party::System, "payment_authorized", "", now)?;
                }
                Err(err) => {
                    let code = match err {
                        PaymentError::Declined { code } => code.clone(),
                        other => other.to_string(),
                    };
                    tx.execute(
                        "UPDATE bookings SET payment_status = 'failed', authorize_attempts = ?2, payment_method_ref = ?3 WHERE id = ?1",
                        rusqlite::params![booking_id, attempt, request.payment_method_id],
                    )?;
                    store::add_event(tx, &booking_id, Party::System, "payment_failed", &code, now)?;
                    jobs::notify_keyed(tx, &booking_id, "payment_failed", &format!("payment_failed:{attempt}"), now)?;
                    schedule_after_failure(tx, &b.id, b.start, attempt, now)?;
                }
            }
            Ok(())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

fn schedule_after_failure(
    tx: &rusqlite::Connection,
    id: &str,
    start: DateTime<Utc>,
    failures: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let deadline = start - DEADLINE_BEFORE;
    let retry = now + retry_delay(failures);
    if retry < deadline {
        enqueue(
            tx,
            &NewJob::new(jobs::AUTHORIZE, &ForBooking::new(id), now)
                .run_at(retry)
                .dedupe(format!("booking:{id}:authorize:{}", failures + 1)),
        )?;
    }
    let warning = (start - FINAL_WARNING_BEFORE).max(now);
    enqueue(
        tx,
        &NewJob::new(jobs::FINAL_WARNING, &ForBooking::new(id), now)
            .run_at(warning)
            .dedupe(format!("booking:{id}:final_warning")),
    )?;
    enqueue(
        tx,
        &NewJob::new(jobs::PAYMENT_DEADLINE, &ForBooking::new(id), now)
            .run_at(deadline.max(now))
            .dedupe(format!("booking:{id}:payment_deadline")),
    )?;
    Ok(())
}

pub async fn final_warning(state: &AppState, id: &str) -> AppResult<()> {
    let (id, now) = (id.to_string(), state.clock.now());
    state
        .db
        .write(move |tx| {
            if let Some(b) = store::get(tx, &id)?
                && b.status == Status::Confirmed
                && b.payment_status == PaymentStatus::Failed
            {
                jobs::notify(tx, &id, "payment_final_warning", now)?;
            }
            Ok(())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

/// At T-12h an unpaid booking is cancelled: nothing is charged, reserved credit goes back.
pub async fn deadline(state: &AppState, id: &str) -> AppResult<()> {
    let (id, now) = (id.to_string(), state.clock.now());
    state
        .db
        .write(move |tx| {
            let Some(b) = store::get(tx, &id)? else {
                return Ok(());
            };
            if !awaiting_payment(b.status, b.payment_status) || now < b.start - DEADLINE_BEFORE {
                return Ok(());
            }
            let cancellation = store::Cancellation {
                by: Party::System,
                reason: "The payment could not be made in time.",
                policy: None,
                refund_cents: 0,
                credit_cents: b.credits_applied_cents,
                payout_cents: 0,
            };
            store::cancel(tx, &id, Status::PaymentFailed, &cancellation, now)?;
            store::set_payment(tx, &id, PaymentStatus::Failed, None, now)?;
            credits::release(tx, &id)?;
            store::mark_settled(tx, &id, now)?;
            store::add_event(
                tx,
                &id,
                Party::System,
                "payment_deadline",
                "cancelled with no charge",
                now,
            )?;
            jobs::notify(tx, &id, "cancelled", now)?;
            Ok(())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

/// Stripe reported news about `intent` (a `payment_intent.*` webhook). The intent is read back
/// from the provider, since an event may be older than what we already know. A booking waiting
/// for the bank's check is finished; an authorised booking whose hold went away outside our
/// control (it expired, or was cancelled on the dashboard) goes back to `scheduled` and is
/// authorised again. Anything else already agrees with our records.
pub async fn reconcile_intent(state: &AppState, intent: &str) -> Result<(), JobError> {
    let wanted = intent.to_string();
    let found = state
        .db
        .read(move |c| {
            let id: Option<String> = c
                .query_row(
                    "SELECT id FROM bookings WHERE payment_intent = ?1
                       AND status IN ('pending_payment', 'confirmed') AND settled_at IS NULL
                     ORDER BY created_at DESC LIMIT 1",
                    [&wanted],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(match id {
                Some(id) => store::get(c, &id)?,
                None => None,
            })
        })
        .await?;
    let Some(b) = found else {
        return Ok(());
    };
    if b.status == Status::PendingPayment {
        return jobs::authentication_due(state, &b.id, false).await;
    }
    if b.payment_status != PaymentStatus::Authorized {
        return Ok(());
    }
    let lost = match state.payments.intent_state(intent).await {
        Ok(crate::payments::IntentState::Canceled | crate::payments::IntentState::Failed) => true,
        Ok(_) => false,
        Err(PaymentError::Unavailable(cause)) => {
            return Err(JobError::Retry(anyhow::anyhow!(cause)));
        }
        Err(err) => return Err(JobError::Permanent(anyhow::anyhow!(err))),
    };
    if !lost {
        return Ok(());
    }
    let (id, intent, now) = (b.id.clone(), intent.to_string(), state.clock.now());
    state
        .db
        .write(move |tx| {
            let moved = tx.execute(
                "UPDATE bookings SET payment_status = 'scheduled', payment_intent = NULL, authorized_at = NULL,
                    -- A fresh attempt number: a fresh idempotency key, not a replay of the lost hold.
                    authorize_attempts = authorize_attempts + 1
                 WHERE id = ?1 AND payment_intent = ?2 AND payment_status = 'authorized'",
                rusqlite::params![id, intent],
            )?;
            if moved == 1 {
                store::add_event(tx, &id, Party::System, "authorization_lost", &intent, now)?;
                enqueue(
                    tx,
                    &NewJob::new(jobs::AUTHORIZE, &ForBooking::new(&id), now)
                        .dedupe(format!("booking:{id}:reauthorize:{intent}")),
                )?;
            }
            Ok(())
        })
        .await?;
    state.jobs.wake();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_one_then_four_then_eight_hours() {
        let delays: Vec<i64> = (1..=5).map(|n| retry_delay(n).num_hours()).collect();
        assert_eq!(delays, [1, 4, 8, 8, 8]);
    }
}

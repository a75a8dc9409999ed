//! Rescheduling (SPEC 5), same instructor and service: at least 24 h before, as often as the
//! student likes; 12-24 h before, once along the booking's lineage, and the payment is captured
//! and becomes `locked` (a later cancellation gives credit only); under 12 h, refused.
//!
//! The new booking is created and the old one cancelled in one write, each pointing at the
//! other. The payment moves: an authorisation or locked capture goes with the new booking (and
//! so do its reserved credit and ledger rows); a payment not yet made is scheduled for the new
//! time. Anti-gaming: when the old lesson was under 24 h away, the new one keeps measuring
//! cancellation notice from the original time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::create::{self, NewBooking, Plan};
use super::model::{BookingRow, Party, PaymentStatus, Status};
use super::policy::{self, Reschedule};
use super::{authorize, jobs, settle, store, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::common::time::{serde_rfc3339, to_db};
use crate::credits::store as credits;
use crate::error::{AppError, AppResult};
use crate::jobs::{NewJob, enqueue};
use crate::payments::ChargeRequest;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    #[serde(with = "serde_rfc3339")]
    #[schema(value_type = String, example = "2026-12-09T15:00:00Z")]
    pub start: DateTime<Utc>,
    /// Another length the service offers; only while the payment is not yet made.
    pub duration_min: Option<u16>,
}

fn window_closed() -> AppError {
    AppError::invalid(
        "reschedule.window_closed",
        "start",
        "lessons cannot be moved in the last 12 hours; cancel instead",
    )
}

pub async fn reschedule(
    state: &AppState,
    student: &CurrentUser,
    id: &str,
    input: RescheduleRequest,
) -> AppResult<view::Booking> {
    let booking_id = id.to_string();
    let old = state
        .db
        .read(move |c| store::get(c, &booking_id)?.ok_or_else(AppError::not_found))
        .await?;
    if old.student_id != student.user.id {
        return Err(if old.instructor_id == student.user.id {
            AppError::forbidden(
                "booking.forbidden",
                "Only the student reschedules; an instructor cancels instead.",
            )
        } else {
            AppError::not_found()
        });
    }
    if old.status != Status::Confirmed {
        return Err(AppError::invalid(
            "booking.not_reschedulable",
            "status",
            format!("a {} booking cannot be rescheduled", old.status.as_str()),
        ));
    }
    let now = state.clock.now();
    let notice = old.policy_start - now;
    let window = policy::reschedule(notice);
    if window == Reschedule::WindowClosed {
        return Err(window_closed());
    }
    let late = window == Reschedule::OnceAndLock;
    if late && old.late_reschedules >= 1 {
        return Err(AppError::invalid(
            "reschedule.limit_reached",
            "start",
            "a lesson can be moved only once in its last 24 hours",
        ));
    }
    let duration = input.duration_min.unwrap_or(old.duration_min);
    let paid = matches!(
        old.payment_status,
        PaymentStatus::Authorized | PaymentStatus::Captured | PaymentStatus::Locked
    );
    if duration != old.duration_min && (paid || late) {
        return Err(duration_locked());
    }
    let request = NewBooking {
        instructor_id: old.instructor_id.clone(),
        instructor_service_id: old.instructor_service_id.clone(),
        format: old.format,
        start: input.start,
        duration_min: duration,
        address: old.address.clone(),
        area: old.area_slug.clone(),
        note: old.note.clone(),
        payment_method_id: old.payment_method_ref.clone(),
        use_credits: old.credits_applied_cents > 0,
    };
    let mut plan = create::plan(state, student, &request, Some(old.id.clone()), false).await?;
    // The price stays what was agreed unless the length changes.
    if duration == old.duration_min {
        keep_price(&mut plan, &old);
    }
    // A late move locks the payment: it is captured (after the write) and the platform holds it.
    let lock = late && old.payment_status == PaymentStatus::Authorized;
    // Moved to within 24 h while still unpaid: authorised now, as a new booking would be.
    let unpaid = matches!(
        old.payment_status,
        PaymentStatus::Scheduled | PaymentStatus::Failed
    );
    let fresh_intent = if unpaid && input.start - now < create::AUTHORIZE_BEFORE {
        if duration != old.duration_min {
            return Err(duration_locked());
        }
        Some(authorize_for_move(state, &old, input.start).await?)
    } else {
        None
    };
    let (st, viewer, fresh) = (state.clone(), student.user.id.clone(), fresh_intent.clone());
    let result = state
        .db
        .write(move |tx| {
            let current = store::get(tx, &old.id)?.ok_or_else(AppError::not_found)?;
            if changed(&current, &old) {
                return Err(AppError::conflict(
                    "booking.changed",
                    "The booking changed while you were moving it; reload and try again.",
                ));
            }
            create::recheck(tx, &plan, Some(&old.id), now)?;
            let payment = Move {
                late,
                lock,
                fresh_intent: fresh.as_deref(),
            };
            let new = move_booking(tx, &st, &plan, &current, payment, now)?;
            if lock {
                enqueue(
                    tx,
                    &NewJob::new(jobs::LOCK_PAYMENT, &jobs::ForBooking::new(&new.id), now)
                        .dedupe(format!("booking:{}:lock", new.id)),
                )?;
            }
            Ok(view::render(tx, new, &viewer, false, now)?)
        })
        .await;
    state.jobs.wake();
    match result {
        Ok(booking) => {
            if lock && let Err(err) = settle::capture_locked(state, &booking.id).await {
                tracing::warn!(booking = %booking.id, %err, "locking the payment failed; the job retries");
            }
            Ok(booking)
        }
        Err(err) => {
            if let Some(intent) = fresh_intent
                && let Err(release) = state
                    .payments
                    .release(&intent, &format!("{intent}:release"))
                    .await
            {
                tracing::warn!(%intent, %release, "releasing an unused authorisation failed");
            }
            Err(err)
        }
    }
}

fn duration_locked() -> AppError {
    AppError::invalid(
        "reschedule.duration_locked",
        "duration_min",
        "the payment is already made for this length; cancel and book again to change it",
    )
}

/// Whether the booking moved on since it was read (a payment step, another move, a cancel).
fn changed(current: &BookingRow, read: &BookingRow) -> bool {
    current.status != Status::Confirmed
        || current.payment_status != read.payment_status
        || current.payment_intent != read.payment_intent
        || current.late_reschedules != read.late_reschedules
        || current.credits_applied_cents != read.credits_applied_cents
        || current.policy_start != read.policy_start
}

/// The on-session authorisation of a lesson moved to within 24 h before it was paid for.
async fn authorize_for_move(
    state: &AppState,
    old: &BookingRow,
    start: DateTime<Utc>,
) -> AppResult<String> {
    let (destination, customer) = authorize::parties(state, old).await?;
    let request = ChargeRequest {
        amount_cents: old.total_charge_cents,
        payment_method_id: old.payment_method_ref.clone(),
        destination,
        customer,
        off_session: false,
        // Each attempt its own key: a failed move releases its authorisation, and a retry with
        // a replayed key would come back with that released intent.
        idempotency_key: format!(
            "booking:{}:move-authorize:{}:{}",
            old.id,
            start.timestamp(),
            uuid::Uuid::new_v4()
        ),
    };
    state
        .payments
        .authorize(&request)
        .await
        .map_err(|err| authorize::declined(&err))
}

fn keep_price(plan: &mut Plan, old: &BookingRow) {
    let row = &mut plan.row;
    row.lesson_price_cents = old.lesson_price_cents;
    row.service_fee_cents = old.service_fee_cents;
    row.commission_bps = old.commission_bps;
    row.commission_cents = old.commission_cents;
    row.instructor_payout_cents = old.instructor_payout_cents;
    row.total_charge_cents = old.lesson_price_cents + old.service_fee_cents;
    plan.use_credits = false;
}

/// What happens to the payment when a booking moves.
struct Move<'a> {
    /// 12-24 h before: counts towards the one late move.
    late: bool,
    /// The authorisation is captured and held (a late move of an authorised payment).
    lock: bool,
    /// An authorisation just made for a move to within 24 h of an unpaid lesson.
    fresh_intent: Option<&'a str>,
}

/// Creates the new booking, cancels the old one, and moves payment, credit and ledger rows.
fn move_booking(
    tx: &rusqlite::Transaction<'_>,
    state: &AppState,
    plan: &Plan,
    old: &BookingRow,
    payment: Move<'_>,
    now: DateTime<Utc>,
) -> AppResult<BookingRow> {
    let Move {
        late,
        lock,
        fresh_intent,
    } = payment;
    let same_length = plan.row.duration_min == old.duration_min;
    let mut new = if same_length {
        // Same price: the old reservation of credit moves over as it is.
        let mut row = plan.row.clone();
        row.credits_applied_cents = old.credits_applied_cents;
        row.total_charge_cents = old.total_charge_cents;
        store::insert(tx, &row, now)?;
        tx.execute(
            "UPDATE credit_reservations SET booking_id = ?2 WHERE booking_id = ?1 AND state = 'reserved'",
            [&old.id, &row.id],
        )?;
        row
    } else {
        credits::release(tx, &old.id)?;
        create::insert(tx, state, plan, Status::Confirmed, now)?
    };
    let (payment, intent) = match (old.payment_status, fresh_intent) {
        (_, Some(fresh)) => (PaymentStatus::Authorized, Some(fresh.to_string())),
        (PaymentStatus::Authorized, None) if lock => {
            (PaymentStatus::Locked, old.payment_intent.clone())
        }
        (PaymentStatus::Authorized | PaymentStatus::Locked | PaymentStatus::Captured, None) => {
            (old.payment_status, old.payment_intent.clone())
        }
        _ => (PaymentStatus::Scheduled, None),
    };
    let policy_start = if old.policy_start - now < Duration::hours(24) {
        old.policy_start
    } else {
        new.start
    };
    tx.execute(
        "UPDATE bookings SET payment_status = ?2, payment_intent = ?3, policy_start_at = ?4,
            late_reschedules = ?5, rescheduled_from = ?6, authorize_attempts = ?7,
            -- The hold's age moves with it; a fresh authorisation starts now.
            authorized_at = CASE WHEN ?8 THEN ?9 ELSE (SELECT authorized_at FROM bookings WHERE id = ?6) END
         WHERE id = ?1",
        rusqlite::params![
            new.id,
            payment.as_str(),
            intent,
            to_db(policy_start),
            old.late_reschedules + i64::from(late),
            old.id,
            old.authorize_attempts,
            fresh_intent.is_some(),
            to_db(now),
        ],
    )?;
    // Money already taken belongs to the booking that will settle it.
    tx.execute(
        "UPDATE ledger_entries SET booking_id = ?2 WHERE booking_id = ?1 AND kind = 'card_capture'",
        [&old.id, &new.id],
    )?;
    store::cancel(
        tx,
        &old.id,
        Status::Cancelled,
        &store::Cancellation {
            by: Party::Student,
            reason: "Rescheduled",
            policy: None,
            refund_cents: 0,
            credit_cents: 0,
            payout_cents: 0,
        },
        now,
    )?;
    tx.execute(
        "UPDATE bookings SET rescheduled_to = ?2, settled_at = ?3 WHERE id = ?1",
        rusqlite::params![old.id, new.id, to_db(now)],
    )?;
    store::add_event(
        tx,
        &old.id,
        Party::Student,
        "rescheduled",
        &format!("moved to {}", new.id),
        now,
    )?;
    let detail = format!(
        "moved from {}{}",
        old.id,
        if lock { "; payment locked" } else { "" }
    );
    store::add_event(tx, &new.id, Party::Student, "booked", &detail, now)?;
    new = store::get(tx, &new.id)?.ok_or_else(AppError::not_found)?;
    jobs::schedule_lifecycle(tx, &new, "rescheduled", now)?;
    Ok(new)
}

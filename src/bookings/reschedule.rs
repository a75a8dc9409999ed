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
use super::{jobs, store, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::common::time::{serde_rfc3339, to_db};
use crate::credits::store as credits;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, Entry, Kind};

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
        return Err(AppError::invalid(
            "reschedule.duration_locked",
            "duration_min",
            "the payment is already made for this length; cancel and book again to change it",
        ));
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
    let mut plan = create::plan(state, student, &request, Some(old.id.clone())).await?;
    // The price stays what was agreed unless the length changes.
    if duration == old.duration_min {
        keep_price(&mut plan, &old);
    }
    // A late move captures the payment now, the platform holding it until the lesson settles.
    let mut locked_now = false;
    if late
        && old.payment_status == PaymentStatus::Authorized
        && let Some(intent) = &old.payment_intent
    {
        state
            .payments
            .capture(
                intent,
                old.total_charge_cents,
                &format!("booking:{}:lock", old.id),
            )
            .await
            .map_err(|e| {
                AppError::internal(anyhow::anyhow!("capture for a late reschedule failed: {e}"))
            })?;
        locked_now = true;
    }
    let (st, viewer) = (state.clone(), student.user.id.clone());
    let validity_guard = old.clone();
    let result = state
        .db
        .write(move |tx| {
            let current = store::get(tx, &old.id)?.ok_or_else(AppError::not_found)?;
            if current.status != Status::Confirmed {
                return Err(AppError::invalid(
                    "booking.not_reschedulable",
                    "status",
                    "the booking changed meanwhile",
                ));
            }
            create::recheck(tx, &plan, Some(&old.id), now)?;
            let new = move_booking(tx, &st, &plan, &old, late, locked_now, now)?;
            Ok(view::render(tx, new, &viewer, false, now)?)
        })
        .await;
    state.jobs.wake();
    match result {
        Ok(booking) => Ok(booking),
        Err(err) => {
            if locked_now {
                // The capture stands: the old booking keeps the locked payment.
                record_lock_on(state, &validity_guard).await?;
            }
            Err(err)
        }
    }
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

/// Creates the new booking, cancels the old one, and moves payment, credit and ledger rows.
fn move_booking(
    tx: &rusqlite::Transaction<'_>,
    state: &AppState,
    plan: &Plan,
    old: &BookingRow,
    late: bool,
    locked_now: bool,
    now: DateTime<Utc>,
) -> AppResult<BookingRow> {
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
    let payment = match old.payment_status {
        PaymentStatus::Authorized if locked_now => PaymentStatus::Locked,
        PaymentStatus::Authorized | PaymentStatus::Locked | PaymentStatus::Captured => {
            old.payment_status
        }
        _ => PaymentStatus::Scheduled,
    };
    let policy_start = if old.policy_start - now < Duration::hours(24) {
        old.policy_start
    } else {
        new.start
    };
    tx.execute(
        "UPDATE bookings SET payment_status = ?2, payment_intent = ?3, policy_start_at = ?4,
            late_reschedules = ?5, rescheduled_from = ?6, authorize_attempts = ?7
         WHERE id = ?1",
        rusqlite::params![
            new.id,
            payment.as_str(),
            if payment == PaymentStatus::Scheduled {
                None
            } else {
                old.payment_intent.clone()
            },
            to_db(policy_start),
            old.late_reschedules + i64::from(late),
            old.id,
            old.authorize_attempts,
        ],
    )?;
    if locked_now {
        ledger::record(
            tx,
            &Entry {
                kind: Kind::CardCapture,
                booking_id: Some(&new.id),
                user_id: Some(&old.student_id),
                amount_cents: old.total_charge_cents,
                reference: old.payment_intent.as_deref(),
            },
            to_db(now),
        )?;
    }
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
        if locked_now { "; payment locked" } else { "" }
    );
    store::add_event(tx, &new.id, Party::Student, "booked", &detail, now)?;
    new = store::get(tx, &new.id)?.ok_or_else(AppError::not_found)?;
    jobs::schedule_lifecycle(tx, &new, "rescheduled", now)?;
    Ok(new)
}

/// After a late capture whose reschedule then failed, the old booking holds the locked payment.
async fn record_lock_on(state: &AppState, old: &BookingRow) -> AppResult<()> {
    let (old, now) = (old.clone(), state.clock.now());
    state
        .db
        .write(move |tx| {
            store::set_payment(tx, &old.id, PaymentStatus::Locked, None, now)?;
            ledger::record(
                tx,
                &Entry {
                    kind: Kind::CardCapture,
                    booking_id: Some(&old.id),
                    user_id: Some(&old.student_id),
                    amount_cents: old.total_charge_cents,
                    reference: old.payment_intent.as_deref(),
                },
                to_db(now),
            )?;
            Ok(())
        })
        .await
}

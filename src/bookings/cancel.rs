//! Cancelling (SPEC 5): by the student under the notice table, by the instructor (or an admin)
//! with everything back to the student. The booking is cancelled and its outcome recorded in
//! one write; the money then settles at once (and by a job if the provider is unreachable).
//! Cancelling again returns the cancelled booking unchanged.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{BookingRow, Party, Status};
use super::policy::{Canceller, Outcome, Policy};
use super::{jobs, settle, store, view};
use crate::app::AppState;
use crate::auth::{CurrentUser, Role};
use crate::credits::store as credits;
use crate::error::{AppError, AppResult};

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why, 1-500 characters; the other party sees it.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Cancelled {
    pub booking: view::Booking,
    pub outcome: Outcome,
}

/// Who is cancelling, or 404 for someone who may not see the booking.
fn canceller(b: &BookingRow, actor: &CurrentUser) -> AppResult<(Canceller, Party)> {
    if actor.user.role == Role::Admin {
        Ok((Canceller::Instructor, Party::Admin))
    } else if b.student_id == actor.user.id {
        Ok((Canceller::Student, Party::Student))
    } else if b.instructor_id == actor.user.id {
        Ok((Canceller::Instructor, Party::Instructor))
    } else {
        Err(AppError::not_found())
    }
}

fn check_cancellable(b: &BookingRow, now: chrono::DateTime<chrono::Utc>) -> AppResult<()> {
    if b.status != Status::Confirmed {
        return Err(AppError::invalid(
            "booking.not_cancellable",
            "status",
            format!("a {} booking cannot be cancelled", b.status.as_str()),
        ));
    }
    if now >= b.end {
        return Err(AppError::invalid(
            "booking.not_cancellable",
            "status",
            "the lesson is over; report a no-show instead",
        ));
    }
    Ok(())
}

/// `GET /api/v1/bookings/{id}/cancel-preview`: what cancelling now would do to the money.
pub async fn preview(state: &AppState, actor: &CurrentUser, id: &str) -> AppResult<Outcome> {
    let id = id.to_string();
    let b = state
        .db
        .read(move |c| store::get(c, &id)?.ok_or_else(AppError::not_found))
        .await?;
    let (by, _) = canceller(&b, actor)?;
    let now = state.clock.now();
    check_cancellable(&b, now)?;
    Ok(view::cancel_outcome(&b, by, now))
}

pub async fn cancel(
    state: &AppState,
    actor: &CurrentUser,
    id: &str,
    reason: &str,
) -> AppResult<Cancelled> {
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "booking.reason_required",
            "reason",
            "say why in 1-500 characters",
        ));
    }
    let (booking_id, actor_copy, now) = (id.to_string(), actor.clone(), state.clock.now());
    let outcome = state
        .db
        .write(move |tx| {
            let b = store::get(tx, &booking_id)?.ok_or_else(AppError::not_found)?;
            let (by, party) = canceller(&b, &actor_copy)?;
            if b.status == Status::Cancelled {
                return Ok(None);
            }
            check_cancellable(&b, now)?;
            let outcome = view::cancel_outcome(&b, by, now);
            let policy = serde_json::to_value(outcome.policy).map_err(AppError::internal)?;
            let cancellation = store::Cancellation {
                by: party,
                reason: &reason,
                policy: policy.as_str(),
                refund_cents: outcome.refund_cents,
                credit_cents: outcome.credit_cents,
                payout_cents: outcome.instructor_payout_cents,
            };
            store::cancel(tx, &b.id, Status::Cancelled, &cancellation, now)?;
            if matches!(
                outcome.policy,
                Policy::FullRelease | Policy::InstructorCancel
            ) {
                credits::release(tx, &b.id)?;
            }
            store::add_event(tx, &b.id, party, "cancelled", &reason, now)?;
            jobs::settle_at(tx, &b.id, now, now)?;
            jobs::notify(tx, &b.id, "cancelled", now)?;
            Ok(Some(outcome))
        })
        .await?;
    if outcome.is_some() {
        // Settle now so the answer shows the money moved; the queued job covers a failure.
        if let Err(err) = settle::settle(state, id).await {
            tracing::warn!(booking = %id, %err, "settling a cancellation failed; the job retries");
        }
        state.jobs.wake();
    }
    let (booking_id, viewer) = (id.to_string(), actor.user.id.clone());
    let (booking, stored) = state
        .db
        .read(move |c| {
            let b = store::get(c, &booking_id)?.ok_or_else(AppError::not_found)?;
            let booking = view::render(c, b, &viewer, false, now)?;
            Ok(booking)
        })
        .await
        .map(|booking| {
            let stored = booking.cancellation.as_ref().and_then(|c| c.outcome);
            (booking, stored)
        })?;
    // What settling decided (a refused card waives a late cancellation) wins over the plan.
    let outcome = stored.or(outcome).unwrap_or(Outcome {
        policy: Policy::FullRelease,
        refund_cents: 0,
        credit_cents: 0,
        instructor_payout_cents: 0,
    });
    Ok(Cancelled { booking, outcome })
}

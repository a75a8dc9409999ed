//! Completion: the instructor marks a lesson complete after it ends (or it completes by itself
//! at end + 24 h). Completing counts towards the student's loyalty grants ($10 at lifetime
//! lesson 5, 16, 27...; $20 at 11, 22, 33...), asks the student for a review (with a reminder
//! 3 days later) and opens the 30-day review window. The money settles at end + 24 h either way.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::model::{BookingRow, Party, Status};
use super::{jobs, store, view};
use crate::app::AppState;
use crate::auth::{CurrentUser, Role};
use crate::credits::rules::loyalty_grant;
use crate::credits::store::{self as credits, NewGrant};
use crate::error::{AppError, AppResult};

/// Marks `b` completed, grants loyalty credit when this lesson earns it, and tells the student.
pub fn mark_completed(
    conn: &Connection,
    b: &BookingRow,
    by: Party,
    credit_validity: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<()> {
    store::set_status(conn, &b.id, Status::Completed, now)?;
    store::add_event(conn, &b.id, by, "completed", "", now)?;
    // Milestones are counted, not inferred from the count alone: a completed lesson that later
    // turns out a no-show lowers the count, and reaching the same number again earns nothing.
    let lessons = store::completed_by_student(conn, &b.student_id)?;
    let earned = (1..=lessons)
        .filter(|n| loyalty_grant(*n).is_some())
        .count() as i64;
    let granted: i64 = conn.query_row(
        "SELECT COUNT(*) FROM credit_grants WHERE user_id = ?1 AND reason = 'loyalty'",
        [&b.student_id],
        |r| r.get(0),
    )?;
    if let (true, Some(amount)) = (earned > granted, loyalty_grant(lessons)) {
        credits::grant(
            conn,
            &NewGrant {
                user_id: &b.student_id,
                amount_cents: amount,
                reason: "loyalty",
                source_booking_id: Some(&b.id),
                from_booking_money: false,
                expires_at: now + credit_validity,
            },
            now,
        )?;
    }
    // The completion notice asks for a review; the reminder follows once if none comes.
    jobs::notify(conn, &b.id, "completed", now)?;
    jobs::remind_review(conn, &b.id, now)?;
    Ok(())
}

/// `POST /api/v1/bookings/{id}/complete` by the booking's instructor (or an admin).
pub async fn complete(state: &AppState, actor: &CurrentUser, id: &str) -> AppResult<view::Booking> {
    let (id, viewer, role, now) = (
        id.to_string(),
        actor.user.id.clone(),
        actor.user.role,
        state.clock.now(),
    );
    let validity = state.config.market.credit_validity.chrono();
    let booking = state
        .db
        .write(move |tx| {
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            let party = match role {
                Role::Admin => Party::Admin,
                _ if b.instructor_id == viewer => Party::Instructor,
                _ if b.student_id == viewer => {
                    return Err(AppError::forbidden(
                        "booking.forbidden",
                        "Only the instructor marks a lesson complete.",
                    ));
                }
                _ => return Err(AppError::not_found()),
            };
            if b.status == Status::Completed {
                return Ok(view::render(tx, b, &viewer, false, now)?);
            }
            if b.status != Status::Confirmed {
                return Err(AppError::invalid(
                    "booking.not_completable",
                    "status",
                    format!("a {} booking cannot be completed", b.status.as_str()),
                ));
            }
            if now < b.end {
                return Err(AppError::invalid(
                    "booking.not_ended",
                    "status",
                    "the lesson has not ended yet",
                ));
            }
            if store::no_show(tx, &b.id)?
                .is_some_and(|r| r.state == "open" || r.state == "disputed")
            {
                return Err(AppError::conflict(
                    "booking.no_show_open",
                    "A no-show report on this lesson is waiting to be resolved.",
                ));
            }
            mark_completed(tx, &b, party, validity, now)?;
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            Ok(view::render(tx, b, &viewer, false, now)?)
        })
        .await?;
    state.jobs.wake();
    Ok(booking)
}

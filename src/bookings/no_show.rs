//! No-shows (SPEC 5): from the start until end + 24 h either party may report the other absent.
//! The accused may dispute once within 24 h; an undisputed report is upheld after 24 h, a
//! disputed one waits for an admin. Upheld: an absent instructor means a full refund with the
//! fee; an absent student means the lesson is paid and their reserved credit forfeited.
//! Rejected: the lesson counts as given.

use chrono::Duration;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{BookingRow, Party, Status};
use super::{complete, jobs, settle, store, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::jobs::{NewJob, enqueue};

const REPORT_WINDOW_AFTER_END: Duration = Duration::hours(24);
const DISPUTE_WINDOW: Duration = Duration::hours(24);

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoShowRequest {
    /// Who did not come: `student` (reported by the instructor) or `instructor` (reported by
    /// the student).
    pub who: Party,
    /// 1-500 characters.
    pub reason: String,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeRequest {
    /// 1-500 characters.
    pub reason: String,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// true: the reported party was absent; false: the lesson happened.
    pub upheld: bool,
}

fn reason_of(raw: &str) -> AppResult<String> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "no_show.reason_required",
            "reason",
            "say what happened in 1-500 characters",
        ));
    }
    Ok(reason.to_string())
}

pub async fn report(
    state: &AppState,
    actor: &CurrentUser,
    id: &str,
    input: NoShowRequest,
) -> AppResult<view::Booking> {
    let reason = reason_of(&input.reason)?;
    let (id, viewer, now) = (id.to_string(), actor.user.id.clone(), state.clock.now());
    let booking = state
        .db
        .write(move |tx| {
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            let expected = if b.student_id == viewer {
                Party::Instructor
            } else if b.instructor_id == viewer {
                Party::Student
            } else {
                return Err(AppError::not_found());
            };
            if input.who != expected {
                return Err(AppError::invalid(
                    "no_show.wrong_party",
                    "who",
                    format!("you can only report the {} absent", expected.as_str()),
                ));
            }
            if !matches!(b.status, Status::Confirmed | Status::Completed) || b.settled_at.is_some()
            {
                return Err(AppError::invalid(
                    "no_show.not_reportable",
                    "status",
                    "this lesson can no longer be reported",
                ));
            }
            if now < b.start
                || now >= b.end + REPORT_WINDOW_AFTER_END
                || store::has_event(tx, &id, "settling")?
            {
                return Err(AppError::invalid(
                    "no_show.window_closed",
                    "who",
                    "reports are taken from the start of the lesson until 24 hours after it ends",
                ));
            }
            let inserted = tx.execute(
                "INSERT INTO no_show_reports (booking_id, absent, reported_by, reason, reported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![id, expected.as_str(), viewer, reason, to_db(now)],
            )?;
            if inserted == 0 {
                return Err(AppError::conflict(
                    "no_show.already_reported",
                    "This lesson already has a no-show report.",
                ));
            }
            let actor = if expected == Party::Student {
                Party::Instructor
            } else {
                Party::Student
            };
            store::add_event(tx, &id, actor, "no_show_reported", &reason, now)?;
            enqueue(
                tx,
                &NewJob::new(jobs::RESOLVE_NO_SHOW, &jobs::ForBooking::new(&id), now)
                    .run_at(now + DISPUTE_WINDOW)
                    .dedupe(format!("booking:{id}:resolve_no_show")),
            )?;
            jobs::notify(tx, &id, "no_show_reported", now)?;
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            Ok(view::render(tx, b, &viewer, false, now)?)
        })
        .await?;
    state.jobs.wake();
    Ok(booking)
}

pub async fn dispute(
    state: &AppState,
    actor: &CurrentUser,
    id: &str,
    input: DisputeRequest,
) -> AppResult<view::Booking> {
    let reason = reason_of(&input.reason)?;
    let (id, viewer, now) = (id.to_string(), actor.user.id.clone(), state.clock.now());
    let booking = state
        .db
        .write(move |tx| {
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            let party = if b.student_id == viewer {
                Party::Student
            } else if b.instructor_id == viewer {
                Party::Instructor
            } else {
                return Err(AppError::not_found());
            };
            let report = store::no_show(tx, &id)?
                .filter(|r| r.absent == party)
                .ok_or_else(|| AppError::invalid("no_show.nothing_to_dispute", "reason", "nobody reported you absent"))?;
            if report.state != "open" {
                return Err(AppError::conflict("no_show.already_disputed", "This report was already disputed or resolved."));
            }
            if now >= report.reported_at + DISPUTE_WINDOW {
                return Err(AppError::invalid("no_show.dispute_window_closed", "reason", "disputes are taken for 24 hours after the report"));
            }
            tx.execute(
                "UPDATE no_show_reports SET state = 'disputed', disputed_at = ?2, dispute_reason = ?3 WHERE booking_id = ?1",
                params![id, to_db(now), reason],
            )?;
            store::add_event(tx, &id, party, "no_show_disputed", &reason, now)?;
            let b = store::get(tx, &id)?.ok_or_else(AppError::not_found)?;
            Ok(view::render(tx, b, &viewer, false, now)?)
        })
        .await?;
    Ok(booking)
}

/// The job 24 h after a report: upheld unless disputed.
pub async fn resolve_if_undisputed(state: &AppState, id: &str) -> AppResult<()> {
    resolve(state, id, true, Party::System, Some("open"))
        .await
        .map(|_| ())
}

/// An admin's decision on a (disputed) report.
pub async fn decide(
    state: &AppState,
    admin: &CurrentUser,
    id: &str,
    upheld: bool,
) -> AppResult<view::Booking> {
    let b = resolve(state, id, upheld, Party::Admin, None).await?;
    let (viewer, now) = (admin.user.id.clone(), state.clock.now());
    state
        .db
        .read(move |c| Ok(view::render(c, b, &viewer, true, now)?))
        .await
}

async fn resolve(
    state: &AppState,
    id: &str,
    upheld: bool,
    by: Party,
    only_state: Option<&'static str>,
) -> AppResult<BookingRow> {
    let (booking_id, now) = (id.to_string(), state.clock.now());
    let validity = state.config.market.credit_validity.chrono();
    let b = state
        .db
        .write(move |tx| {
            let b = store::get(tx, &booking_id)?.ok_or_else(AppError::not_found)?;
            let report = store::no_show(tx, &booking_id)?.ok_or_else(|| {
                AppError::invalid(
                    "no_show.nothing_to_resolve",
                    "upheld",
                    "this lesson has no no-show report",
                )
            })?;
            let open = report.state == "open" || report.state == "disputed";
            if !open || only_state.is_some_and(|s| s != report.state) {
                return Ok(b);
            }
            tx.execute(
                "UPDATE no_show_reports SET state = ?2, resolved_at = ?3 WHERE booking_id = ?1",
                params![
                    booking_id,
                    if upheld { "upheld" } else { "rejected" },
                    to_db(now)
                ],
            )?;
            if upheld {
                store::set_status(tx, &booking_id, Status::NoShow, now)?;
                store::add_event(
                    tx,
                    &booking_id,
                    by,
                    "no_show_upheld",
                    report.absent.as_str(),
                    now,
                )?;
                jobs::settle_at(tx, &booking_id, now, now)?;
            } else {
                store::add_event(tx, &booking_id, by, "no_show_rejected", "", now)?;
                if b.status == Status::Confirmed {
                    complete::mark_completed(tx, &b, by, validity, now)?;
                }
                jobs::settle_at(tx, &booking_id, (b.end + jobs::SETTLE_AFTER).max(now), now)?;
            }
            store::get(tx, &booking_id)?.ok_or_else(AppError::not_found)
        })
        .await?;
    if b.status == Status::NoShow
        && let Err(err) = settle::settle(state, id).await
    {
        tracing::warn!(booking = %id, %err, "settling a no-show failed; the job retries");
    }
    state.jobs.wake();
    let id = id.to_string();
    state
        .db
        .read(move |c| store::get(c, &id)?.ok_or_else(AppError::not_found))
        .await
}

//! The booking as the API shows it (API.md "A booking"), with what the viewer may do next.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{BookingRow, Party, PaymentStatus, Status};
use super::policy::{self, Outcome, Policy};
use super::store::{self, NoShowRow};
use crate::availability::slots::Format;
use crate::common::time::{from_db, rfc3339};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CancellationView {
    /// `student`, `instructor`, `system` (unpaid at the deadline) or `admin`.
    pub by: Party,
    pub reason: String,
    pub cancelled_at: String,
    /// The money outcome; absent when the booking was replaced by a reschedule (the payment
    /// moved to the new booking).
    pub outcome: Option<Outcome>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoShowView {
    /// Who was reported absent.
    pub absent: Party,
    pub reason: String,
    pub reported_at: String,
    /// `open`, `disputed`, `upheld` or `rejected`.
    pub state: String,
    pub dispute_reason: Option<String>,
    /// When an undisputed report resolves by itself.
    pub resolves_at: Option<String>,
}

/// What the viewer may do with the booking now.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Actions {
    pub cancel: bool,
    pub reschedule: bool,
    pub complete: bool,
    pub report_no_show: bool,
    pub dispute_no_show: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: String,
    /// `student`, `instructor`, `system` or `admin`.
    pub actor: String,
    /// `booked`, `payment_authorized`, `cancelled`, `completed`, ...
    pub kind: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booking {
    pub id: String,
    pub status: Status,
    pub student_id: String,
    pub instructor_id: String,
    pub instructor_service_id: String,
    /// The catalog service.
    pub service_id: i64,
    pub service_name: String,
    /// First name and last initial.
    pub instructor_name: String,
    pub student_name: String,
    pub format: Format,
    pub start: String,
    pub end: String,
    pub duration_min: u16,
    /// The instructor's zone, which the lesson's local times are shown in.
    pub timezone: String,
    /// Where a travel lesson happens (only the booking's parties see it).
    pub address: Option<String>,
    pub area: Option<String>,
    /// The video link of an online lesson (the instructor's meeting link).
    pub meeting_url: Option<String>,
    /// Where a studio lesson happens.
    pub studio_address: Option<String>,
    pub note: Option<String>,
    pub lesson_price_cents: i64,
    pub service_fee_cents: i64,
    pub credits_applied_cents: i64,
    /// What the card is (or will be) charged: LP + fee - credits.
    pub total_charge_cents: i64,
    pub commission_cents: i64,
    pub instructor_payout_cents: i64,
    pub payment_status: PaymentStatus,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
    /// What cancellation and reschedule notice is measured from: the start, or the original
    /// start after a late move.
    pub policy_start: String,
    /// Whether the one move allowed 12-24 h before was used along this lesson's lineage.
    pub late_reschedule_used: bool,
    pub cancellation: Option<CancellationView>,
    pub no_show: Option<NoShowView>,
    pub actions: Actions,
    /// The timeline, on `GET /api/v1/bookings/{id}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventView>>,
    pub created_at: String,
}

fn name_of(conn: &Connection, user_id: &str) -> rusqlite::Result<String> {
    Ok(crate::auth::store::user_by_id(conn, user_id)?
        .map(|u| u.display_name())
        .unwrap_or_default())
}

/// The policy a cancellation by `by` would follow now. A lesson whose card was refused has
/// nothing to charge, so it is released whatever the notice. (One still `scheduled` inside 24 h
/// is charged when the cancellation settles.)
pub fn cancel_outcome(b: &BookingRow, by: policy::Canceller, now: DateTime<Utc>) -> Outcome {
    let outcome = policy::cancellation(by, b.policy_start - now, b.money());
    if b.payment_status == PaymentStatus::Failed && by == policy::Canceller::Student {
        return Outcome {
            policy: Policy::FullRelease,
            refund_cents: 0,
            credit_cents: b.credits_applied_cents,
            instructor_payout_cents: 0,
        };
    }
    outcome
}

fn cancellation_of(b: &BookingRow) -> Option<CancellationView> {
    let (by, at) = (b.cancelled_by?, b.cancelled_at?);
    let outcome = b.cancel_policy.as_deref().and_then(|p| {
        let policy = match p {
            "full_release" => Policy::FullRelease,
            "credit_full" => Policy::CreditFull,
            "credit_half" => Policy::CreditHalf,
            "instructor_cancel" => Policy::InstructorCancel,
            _ => return None,
        };
        Some(Outcome {
            policy,
            refund_cents: b.cancel_refund_cents.unwrap_or(0),
            credit_cents: b.cancel_credit_cents.unwrap_or(0),
            instructor_payout_cents: b.cancel_payout_cents.unwrap_or(0),
        })
    });
    Some(CancellationView {
        by,
        reason: b.cancel_reason.clone().unwrap_or_default(),
        cancelled_at: rfc3339(at),
        outcome,
    })
}

fn no_show_of(report: Option<NoShowRow>) -> Option<NoShowView> {
    report.map(|r| NoShowView {
        absent: r.absent,
        reason: r.reason,
        reported_at: rfc3339(r.reported_at),
        resolves_at: (r.state == "open").then(|| rfc3339(r.reported_at + Duration::hours(24))),
        state: r.state,
        dispute_reason: r.dispute_reason,
    })
}

fn actions(
    b: &BookingRow,
    viewer: &str,
    report: Option<&NoShowRow>,
    now: DateTime<Utc>,
) -> Actions {
    let is_student = viewer == b.student_id;
    let is_instructor = viewer == b.instructor_id;
    let live = b.status == Status::Confirmed;
    let in_report_window = now >= b.start && now <= b.end + Duration::hours(24);
    Actions {
        cancel: live && now < b.end && (is_student || is_instructor),
        reschedule: live
            && is_student
            && super::policy::reschedule(b.policy_start - now) != policy::Reschedule::WindowClosed,
        complete: live && is_instructor && now >= b.end,
        report_no_show: matches!(b.status, Status::Confirmed | Status::Completed)
            && b.settled_at.is_none()
            && in_report_window
            && report.is_none()
            && (is_student || is_instructor),
        dispute_no_show: report.is_some_and(|r| {
            r.state == "open"
                && now < r.reported_at + Duration::hours(24)
                && ((r.absent == Party::Student && is_student)
                    || (r.absent == Party::Instructor && is_instructor))
        }),
    }
}

/// Renders `b` for `viewer`, reading names (and the timeline when `with_events`).
pub fn render(
    conn: &Connection,
    b: BookingRow,
    viewer: &str,
    with_events: bool,
    now: DateTime<Utc>,
) -> rusqlite::Result<Booking> {
    let report = store::no_show(conn, &b.id)?;
    let (meeting_url, studio_address): (Option<String>, Option<String>) = conn
        .prepare_cached(
            "SELECT meeting_url, studio_address FROM instructor_profiles WHERE user_id = ?1",
        )?
        .query_row([&b.instructor_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or((None, None));
    let events = if with_events {
        Some(
            store::events(conn, &b.id)?
                .into_iter()
                .map(|e| EventView {
                    at: rfc3339(from_db(e.at)),
                    actor: e.actor,
                    kind: e.kind,
                    detail: e.detail,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Booking {
        actions: actions(&b, viewer, report.as_ref(), now),
        no_show: no_show_of(report),
        cancellation: cancellation_of(&b),
        instructor_name: name_of(conn, &b.instructor_id)?,
        student_name: name_of(conn, &b.student_id)?,
        events,
        id: b.id,
        status: b.status,
        student_id: b.student_id,
        instructor_id: b.instructor_id,
        instructor_service_id: b.instructor_service_id,
        service_id: b.service_id,
        service_name: b.service_name,
        format: b.format,
        start: rfc3339(b.start),
        end: rfc3339(b.end),
        duration_min: b.duration_min,
        timezone: b.timezone,
        address: b.address,
        area: b.area_slug,
        meeting_url: meeting_url.filter(|_| b.format == Format::Online),
        studio_address: studio_address.filter(|_| b.format == Format::Studio),
        note: b.note,
        lesson_price_cents: b.lesson_price_cents,
        service_fee_cents: b.service_fee_cents,
        credits_applied_cents: b.credits_applied_cents,
        total_charge_cents: b.total_charge_cents,
        commission_cents: b.commission_cents,
        instructor_payout_cents: b.instructor_payout_cents,
        payment_status: b.payment_status,
        policy_start: rfc3339(b.policy_start),
        late_reschedule_used: b.late_reschedules > 0,
        rescheduled_from: b.rescheduled_from,
        rescheduled_to: b.rescheduled_to,
        created_at: rfc3339(b.created_at),
    })
}

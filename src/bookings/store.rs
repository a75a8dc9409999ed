//! SQL over bookings, their events and no-show reports. Plain functions over a connection.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::model::{BookingRow, COLUMNS, Party, PaymentStatus, Status};
use crate::availability::slots::Busy;
use crate::availability::store as availability;
use crate::common::time::{from_db, to_db};

pub fn insert(conn: &Connection, b: &BookingRow, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO bookings (id, student_id, instructor_id, instructor_service_id, service_id, service_name,
            format, start_at, end_at, duration_min, timezone, address, area_slug, note, status,
            lesson_price_cents, service_fee_cents, credits_applied_cents, total_charge_cents, commission_bps,
            commission_cents, instructor_payout_cents, payment_status, payment_method_ref, payment_intent,
            policy_start_at, late_reschedules, rescheduled_from, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?29)",
    )?
    .execute(params![
        b.id,
        b.student_id,
        b.instructor_id,
        b.instructor_service_id,
        b.service_id,
        b.service_name,
        b.format.as_str(),
        to_db(b.start),
        to_db(b.end),
        b.duration_min,
        b.timezone,
        b.address,
        b.area_slug,
        b.note,
        b.status.as_str(),
        b.lesson_price_cents,
        b.service_fee_cents,
        b.credits_applied_cents,
        b.total_charge_cents,
        b.commission_bps,
        b.commission_cents,
        b.instructor_payout_cents,
        b.payment_status.as_str(),
        b.payment_method_ref,
        b.payment_intent,
        to_db(b.policy_start),
        b.late_reschedules,
        b.rescheduled_from,
        to_db(now),
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<BookingRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM bookings WHERE id = ?1"))?
        .query_row([id], BookingRow::from_row)
        .optional()
}

/// The instructor's lessons holding time near `[from, to)` (a day either side covers any
/// buffer), except `except` (the booking being rescheduled).
pub fn busy(
    conn: &Connection,
    instructor_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<&str>,
) -> rusqlite::Result<Vec<Busy>> {
    availability::busy(
        conn,
        instructor_id,
        from - Duration::days(1),
        to + Duration::days(1),
        except,
    )
}

/// Whether the student already has a lesson overlapping `[start, end)`.
pub fn student_overlaps(
    conn: &Connection,
    student_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<&str>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM bookings
         WHERE student_id = ?1 AND status IN ('pending_payment', 'confirmed')
           AND start_at < ?3 AND end_at > ?2 AND id IS NOT ?4)",
    )?
    .query_row(params![student_id, to_db(start), to_db(end), except], |r| {
        r.get(0)
    })
}

pub fn add_event(
    conn: &Connection,
    booking_id: &str,
    actor: Party,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO booking_events (booking_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![booking_id, to_db(now), actor.as_str(), kind, detail])?;
    Ok(())
}

pub fn has_event(conn: &Connection, booking_id: &str, kind: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM booking_events WHERE booking_id = ?1 AND kind = ?2)",
    )?
    .query_row(params![booking_id, kind], |r| r.get(0))
}

pub struct EventRow {
    pub at: i64,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

pub fn events(conn: &Connection, booking_id: &str) -> rusqlite::Result<Vec<EventRow>> {
    conn.prepare_cached(
        "SELECT at, actor, kind, detail FROM booking_events WHERE booking_id = ?1 ORDER BY id",
    )?
    .query_map([booking_id], |r| {
        Ok(EventRow {
            at: r.get(0)?,
            actor: r.get(1)?,
            kind: r.get(2)?,
            detail: r.get(3)?,
        })
    })?
    .collect()
}

pub fn set_status(
    conn: &Connection,
    id: &str,
    status: Status,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE bookings SET status = ?2, updated_at = ?3,
            completed_at = CASE WHEN ?2 = 'completed' THEN ?3 ELSE completed_at END
         WHERE id = ?1",
        params![id, status.as_str(), to_db(now)],
    )?;
    Ok(())
}

pub fn set_payment(
    conn: &Connection,
    id: &str,
    status: PaymentStatus,
    intent: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE bookings SET payment_status = ?2, payment_intent = COALESCE(?3, payment_intent), updated_at = ?4,
            authorized_at = CASE WHEN ?2 = 'authorized' AND ?3 IS NOT NULL THEN ?4 ELSE authorized_at END
         WHERE id = ?1",
        params![id, status.as_str(), intent, to_db(now)],
    )?;
    Ok(())
}

pub fn mark_settled(conn: &Connection, id: &str, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE bookings SET settled_at = ?2, updated_at = ?2 WHERE id = ?1 AND settled_at IS NULL",
        params![id, to_db(now)],
    )? == 1)
}

/// The cancellation as recorded on the booking.
pub struct Cancellation<'a> {
    pub by: Party,
    pub reason: &'a str,
    pub policy: Option<&'a str>,
    pub refund_cents: i64,
    pub credit_cents: i64,
    pub payout_cents: i64,
}

pub fn cancel(
    conn: &Connection,
    id: &str,
    status: Status,
    c: &Cancellation<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE bookings SET status = ?2, cancelled_by = ?3, cancel_reason = ?4, cancelled_at = ?5,
            cancel_policy = ?6, cancel_refund_cents = ?7, cancel_credit_cents = ?8, cancel_payout_cents = ?9,
            updated_at = ?5
         WHERE id = ?1",
        params![
            id,
            status.as_str(),
            c.by.as_str(),
            c.reason,
            to_db(now),
            c.policy,
            c.refund_cents,
            c.credit_cents,
            c.payout_cents
        ],
    )?;
    Ok(())
}

/// Completed lessons of an instructor since `since` (the commission tier).
pub fn completed_since(
    conn: &Connection,
    instructor_id: &str,
    since: DateTime<Utc>,
) -> rusqlite::Result<u32> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM bookings WHERE instructor_id = ?1 AND status = 'completed' AND completed_at >= ?2",
    )?
    .query_row(params![instructor_id, to_db(since)], |r| r.get(0))
}

/// A student's lifetime completed lessons (loyalty).
pub fn completed_by_student(conn: &Connection, student_id: &str) -> rusqlite::Result<u32> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM bookings WHERE student_id = ?1 AND status = 'completed'",
    )?
    .query_row([student_id], |r| r.get(0))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Upcoming,
    Past,
    All,
}

pub struct ListFilter<'a> {
    pub user_id: &'a str,
    pub as_instructor: bool,
    pub scope: Scope,
    pub include_rescheduled: bool,
    pub now: DateTime<Utc>,
    /// Only lessons starting in `[from, to)`, when given.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u32,
    pub offset: u32,
}

/// A page of the user's bookings (upcoming soonest first, past most recent first) and the total.
pub fn list(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<(Vec<BookingRow>, u64)> {
    let who = if f.as_instructor {
        "instructor_id"
    } else {
        "student_id"
    };
    let (when, order) = match f.scope {
        Scope::Upcoming => (
            "end_at > ?2 AND status IN ('pending_payment', 'confirmed')",
            "start_at ASC",
        ),
        Scope::Past => (
            "(end_at <= ?2 OR status NOT IN ('pending_payment', 'confirmed'))",
            "start_at DESC",
        ),
        Scope::All => ("?2 IS NOT NULL", "start_at DESC"),
    };
    let hidden = if f.include_rescheduled {
        ""
    } else {
        " AND rescheduled_to IS NULL"
    };
    let filter = format!("{who} = ?1 AND {when}{hidden} AND start_at >= ?3 AND start_at < ?4");
    let (from, to) = (f.from.map_or(i64::MIN, to_db), f.to.map_or(i64::MAX, to_db));
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM bookings WHERE {filter}"))?
        .query_row(params![f.user_id, to_db(f.now), from, to], |r| r.get(0))?;
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM bookings WHERE {filter} ORDER BY {order}, id LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![f.user_id, to_db(f.now), from, to, f.limit, f.offset],
            BookingRow::from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// A no-show report.
#[derive(Clone, Debug)]
pub struct NoShowRow {
    pub absent: Party,
    pub reported_by: String,
    pub reason: String,
    pub reported_at: DateTime<Utc>,
    pub disputed_at: Option<DateTime<Utc>>,
    pub dispute_reason: Option<String>,
    pub state: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

pub fn no_show(conn: &Connection, booking_id: &str) -> rusqlite::Result<Option<NoShowRow>> {
    conn.prepare_cached(
        "SELECT absent, reported_by, reason, reported_at, disputed_at, dispute_reason, state, resolved_at
         FROM no_show_reports WHERE booking_id = ?1",
    )?
    .query_row([booking_id], |r| {
        let absent: String = r.get(0)?;
        Ok(NoShowRow {
            absent: if absent == "student" {
                Party::Student
            } else {
                Party::Instructor
            },
            reported_by: r.get(1)?,
            reason: r.get(2)?,
            reported_at: from_db(r.get(3)?),
            disputed_at: r.get::<_, Option<i64>>(4)?.map(from_db),
            dispute_reason: r.get(5)?,
            state: r.get(6)?,
            resolved_at: r.get::<_, Option<i64>>(7)?.map(from_db),
        })
    })
    .optional()
}

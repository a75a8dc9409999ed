//! SQL over reviews, their responses, the rating aggregates and tips. Plain functions over a
//! connection; the aggregates change in the same transaction as the reviews they count.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::rating::Totals;
use crate::common::time::{from_db, to_db};

#[derive(Clone, Debug)]
pub struct ReviewRow {
    pub id: String,
    pub booking_id: String,
    pub student_id: String,
    pub instructor_id: String,
    pub service_id: i64,
    pub rating: i64,
    pub text: Option<String>,
    pub created_at: DateTime<Utc>,
    pub hidden_at: Option<DateTime<Utc>>,
    pub hidden_reason: Option<String>,
}

/// A review with what its views show beside it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub review: ReviewRow,
    pub student_name: String,
    pub service_name: String,
    pub response: Option<(String, DateTime<Utc>)>,
}

const COLUMNS: &str =
    "r.id, r.booking_id, r.student_id, r.instructor_id, r.service_id, r.rating, r.text,
    r.created_at, r.hidden_at, r.hidden_reason";

/// The listing columns: the review, the student's name, the lesson's service, the response.
const LISTED: &str =
    "r.id, r.booking_id, r.student_id, r.instructor_id, r.service_id, r.rating, r.text,
    r.created_at, r.hidden_at, r.hidden_reason, COALESCE(u.full_name, ''), b.service_name,
    rr.text, rr.created_at
    FROM reviews r JOIN bookings b ON b.id = r.booking_id LEFT JOIN users u ON u.id = r.student_id
    LEFT JOIN review_responses rr ON rr.review_id = r.id";

fn review_of(r: &Row<'_>) -> rusqlite::Result<ReviewRow> {
    Ok(ReviewRow {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        student_id: r.get(2)?,
        instructor_id: r.get(3)?,
        service_id: r.get(4)?,
        rating: r.get(5)?,
        text: r.get(6)?,
        created_at: from_db(r.get(7)?),
        hidden_at: r.get::<_, Option<i64>>(8)?.map(from_db),
        hidden_reason: r.get(9)?,
    })
}

fn listed_of(r: &Row<'_>) -> rusqlite::Result<Listed> {
    let response = match (
        r.get::<_, Option<String>>(12)?,
        r.get::<_, Option<i64>>(13)?,
    ) {
        (Some(text), Some(at)) => Some((text, from_db(at))),
        _ => None,
    };
    Ok(Listed {
        review: review_of(r)?,
        student_name: r.get(10)?,
        service_name: r.get(11)?,
        response,
    })
}

pub fn insert(conn: &Connection, review: &ReviewRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO reviews (id, booking_id, student_id, instructor_id, service_id, rating, text, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        review.id,
        review.booking_id,
        review.student_id,
        review.instructor_id,
        review.service_id,
        review.rating,
        review.text,
        to_db(review.created_at)
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<ReviewRow>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM reviews r WHERE r.id = ?1"))?
        .query_row([id], review_of)
        .optional()
}

pub fn of_booking(conn: &Connection, booking_id: &str) -> rusqlite::Result<Option<ReviewRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM reviews r WHERE r.booking_id = ?1"
    ))?
    .query_row([booking_id], review_of)
    .optional()
}

/// One review as the views show it.
pub fn listed(conn: &Connection, id: &str) -> rusqlite::Result<Option<Listed>> {
    conn.prepare_cached(&format!("SELECT {LISTED} WHERE r.id = ?1"))?
        .query_row([id], listed_of)
        .optional()
}

pub fn insert_response(
    conn: &Connection,
    review_id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO review_responses (review_id, text, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (review_id) DO NOTHING",
        )?
        .execute(params![review_id, text, to_db(now)])?;
    Ok(inserted == 1)
}

/// Marks the review hidden; false when it already was.
pub fn hide(
    conn: &Connection,
    id: &str,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE reviews SET hidden_at = ?2, hidden_reason = ?3, hidden_by = ?4
         WHERE id = ?1 AND hidden_at IS NULL",
        params![id, to_db(now), reason, by],
    )?;
    Ok(changed == 1)
}

/// Adds a newly visible review to the aggregates.
pub fn count(conn: &Connection, review: &ReviewRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO review_stats (instructor_id, service_id, review_count, rating_sum) VALUES (?1, ?2, 1, ?3)
         ON CONFLICT (instructor_id, service_id) DO UPDATE SET
            review_count = review_count + 1, rating_sum = rating_sum + excluded.rating_sum",
    )?
    .execute(params![review.instructor_id, review.service_id, review.rating])?;
    platform_add(conn, 1, review.rating)
}

fn platform_add(conn: &Connection, count: i64, stars: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE review_platform SET review_count = review_count + ?1, rating_sum = rating_sum + ?2 WHERE id = 1",
    )?
    .execute(params![count, stars])?;
    Ok(())
}

/// Takes a review that stops being visible out of the aggregates. (An UPDATE, not the upsert:
/// SQLite checks the CHECKs of the row to insert before it sees the conflict.)
pub fn uncount(conn: &Connection, review: &ReviewRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE review_stats SET review_count = review_count - 1, rating_sum = rating_sum - ?3
         WHERE instructor_id = ?1 AND service_id = ?2",
    )?
    .execute(params![
        review.instructor_id,
        review.service_id,
        review.rating
    ])?;
    platform_add(conn, -1, -review.rating)
}

/// Visible reviews over the whole platform.
pub fn platform_totals(conn: &Connection) -> rusqlite::Result<Totals> {
    conn.prepare_cached("SELECT review_count, rating_sum FROM review_platform WHERE id = 1")?
        .query_row([], |r| {
            Ok(Totals {
                count: r.get(0)?,
                sum: r.get(1)?,
            })
        })
}

/// An instructor's visible reviews per catalog service, most reviewed first.
pub fn per_service(conn: &Connection, instructor_id: &str) -> rusqlite::Result<Vec<(i64, Totals)>> {
    conn.prepare_cached(
        "SELECT service_id, review_count, rating_sum FROM review_stats
         WHERE instructor_id = ?1 AND review_count > 0 ORDER BY review_count DESC, service_id",
    )?
    .query_map([instructor_id], |r| {
        Ok((
            r.get(0)?,
            Totals {
                count: r.get(1)?,
                sum: r.get(2)?,
            },
        ))
    })?
    .collect()
}

/// Which reviews a list shows.
pub struct ListFilter<'a> {
    pub instructor_id: &'a str,
    /// Public lists leave hidden reviews out; the instructor's own list shows them, marked.
    pub include_hidden: bool,
    pub min_rating: i64,
    pub with_text: bool,
    pub limit: u32,
    pub offset: u32,
}

/// A page of the instructor's reviews, newest first, and how many match in all.
pub fn list(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<(Vec<Listed>, u64)> {
    let filter = "r.instructor_id = ?1 AND (?2 OR r.hidden_at IS NULL) AND r.rating >= ?3
        AND (NOT ?4 OR r.text IS NOT NULL)";
    let args = params![f.instructor_id, f.include_hidden, f.min_rating, f.with_text];
    let total: i64 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM reviews r WHERE {filter}"))?
        .query_row(args, |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {LISTED} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                f.instructor_id,
                f.include_hidden,
                f.min_rating,
                f.with_text,
                f.limit,
                f.offset
            ],
            listed_of,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total.unsigned_abs()))
}

#[derive(Clone, Debug)]
pub struct TipRow {
    pub id: String,
    pub booking_id: String,
    pub student_id: String,
    pub instructor_id: String,
    pub amount_cents: i64,
    pub payment_method_ref: String,
    pub destination: String,
    pub payment_intent: Option<String>,
    /// `pending`, `captured`, `failed` or `requires_action`.
    pub status: String,
    pub decline_code: Option<String>,
}

const TIP_COLUMNS: &str =
    "id, booking_id, student_id, instructor_id, amount_cents, payment_method_ref,
    destination, payment_intent, status, decline_code";

fn tip_of(r: &Row<'_>) -> rusqlite::Result<TipRow> {
    Ok(TipRow {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        student_id: r.get(2)?,
        instructor_id: r.get(3)?,
        amount_cents: r.get(4)?,
        payment_method_ref: r.get(5)?,
        destination: r.get(6)?,
        payment_intent: r.get(7)?,
        status: r.get(8)?,
        decline_code: r.get(9)?,
    })
}

/// The newest tip on a lesson.
pub fn latest_tip(conn: &Connection, booking_id: &str) -> rusqlite::Result<Option<TipRow>> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM tips WHERE booking_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
            [booking_id],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => tip(conn, &id),
        None => Ok(None),
    }
}

pub fn tip(conn: &Connection, id: &str) -> rusqlite::Result<Option<TipRow>> {
    conn.prepare_cached(&format!("SELECT {TIP_COLUMNS} FROM tips WHERE id = ?1"))?
        .query_row([id], tip_of)
        .optional()
}

pub fn insert_tip(conn: &Connection, tip: &TipRow, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO tips (id, booking_id, student_id, instructor_id, amount_cents, payment_method_ref,
            destination, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        tip.id,
        tip.booking_id,
        tip.student_id,
        tip.instructor_id,
        tip.amount_cents,
        tip.payment_method_ref,
        tip.destination,
        tip.status,
        to_db(now)
    ])?;
    Ok(())
}

/// The tip's outcome, written only when it is still `from`; false when someone else wrote an
/// outcome first.
pub fn move_tip(
    conn: &Connection,
    id: &str,
    from: &str,
    to: &str,
    intent: Option<&str>,
    decline_code: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let moved = conn
        .prepare_cached(
            "UPDATE tips SET status = ?3, payment_intent = COALESCE(?4, payment_intent), decline_code = ?5,
                updated_at = ?6
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![id, from, to, intent, decline_code, to_db(now)])?;
    Ok(moved == 1)
}

/// Whether the lesson has a tip paid or being charged.
pub fn has_live_tip(conn: &Connection, booking_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM tips WHERE booking_id = ?1 AND status IN ('pending', 'captured'))",
    )?
    .query_row([booking_id], |r| r.get(0))
}

/// The provider reference of `student_id`'s saved card named by its id or that reference.
pub fn saved_card(
    conn: &Connection,
    student_id: &str,
    id: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT provider_ref FROM payment_methods WHERE user_id = ?1 AND (id = ?2 OR provider_ref = ?2)",
    )?
    .query_row(params![student_id, id], |r| r.get(0))
    .optional()
}

/// The provider reference of `student_id`'s default card.
pub fn default_card(conn: &Connection, student_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT provider_ref FROM payment_methods WHERE user_id = ?1 AND is_default = 1",
    )?
    .query_row([student_id], |r| r.get(0))
    .optional()
}

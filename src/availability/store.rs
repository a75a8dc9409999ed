//! The availability document, stored whole and versioned for ETag / If-Match.

use rusqlite::{Connection, OptionalExtension, params};

use super::document::Document;

/// The instructor's document and its version (0 and an empty document when never saved).
pub fn load(conn: &Connection, user_id: &str, timezone: &str) -> rusqlite::Result<(Document, i64)> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT document, version FROM availability WHERE user_id = ?1")?
        .query_row([user_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (mut doc, version) = match row {
        Some((json, version)) => (
            serde_json::from_str(&json).unwrap_or_else(|_| Document::empty(timezone)),
            version,
        ),
        None => (Document::empty(timezone), 0),
    };
    doc.timezone = timezone.to_string();
    Ok((doc, version))
}

/// The document's version (0 when never saved), without reading the document.
pub fn version(conn: &Connection, user_id: &str) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT version FROM availability WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Saves when the stored version is still `expected`; returns the new version, or `Err` with
/// the current version when someone saved in between.
pub fn save(
    conn: &Connection,
    user_id: &str,
    doc: &Document,
    expected: i64,
    now: i64,
) -> rusqlite::Result<Result<i64, i64>> {
    let current: i64 = conn
        .query_row(
            "SELECT version FROM availability WHERE user_id = ?1",
            [user_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if current != expected {
        return Ok(Err(current));
    }
    let json = serde_json::to_string(doc).unwrap_or_default();
    conn.execute(
        "INSERT INTO availability (user_id, document, version, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET document = excluded.document, version = excluded.version,
                updated_at = excluded.updated_at",
        params![user_id, json, current + 1, now],
    )?;
    // Search filters on open hours: re-read the instructor there.
    crate::search::request_reindex(conn, user_id, now)?;
    Ok(Ok(current + 1))
}

pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version an `If-Match` value names (`"v3"`, `W/"v3"`), if any.
pub fn parse_etag(raw: &str) -> Option<i64> {
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')?
        .parse()
        .ok()
}

/// The instructor's lessons that hold time (confirmed, or being paid for) and overlap
/// `[from, to)`, except `except` (a booking being replaced). Bookings write these rows; the
/// slot engine and the booking checks both read them here.
pub fn busy(
    conn: &Connection,
    instructor_id: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    except: Option<&str>,
) -> rusqlite::Result<Vec<super::slots::Busy>> {
    use crate::common::time::{from_db, to_db};
    conn.prepare_cached(
        "SELECT start_at, end_at, format = 'travel' FROM bookings
         WHERE instructor_id = ?1 AND status IN ('pending_payment', 'confirmed')
           AND start_at < ?3 AND end_at > ?2 AND id IS NOT ?4",
    )?
    .query_map(
        params![instructor_id, to_db(from), to_db(to), except],
        |r| {
            Ok(super::slots::Busy {
                start: from_db(r.get(0)?),
                end: from_db(r.get(1)?),
                travel: r.get(2)?,
            })
        },
    )?
    .collect()
}

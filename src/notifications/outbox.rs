//! The outbox transport's storage.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::Email;
use crate::common::time::{from_db, rfc3339, to_db};

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub to: String,
    pub subject: String,
    pub template: String,
    pub text: String,
    pub html: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// Stores `email`; a second insert of the same message id is ignored.
pub fn insert(conn: &Connection, email: &Email, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO outbox (message_id, to_addr, subject, template, text_body, html_body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (message_id) DO NOTHING",
        params![email.message_id, email.to, email.subject, email.template, email.text, email.html, to_db(now)],
    )?;
    Ok(())
}

/// Newest first, optionally only mail to `to` (case-insensitive), at most `limit`.
pub fn list(conn: &Connection, to: Option<&str>, limit: u32) -> rusqlite::Result<Vec<OutboxItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT to_addr, subject, template, text_body, html_body, created_at FROM outbox
         WHERE ?1 IS NULL OR to_addr = ?1 COLLATE NOCASE
         ORDER BY id DESC LIMIT ?2",
    )?;
    stmt.query_map(params![to, limit], |r| {
        Ok(OutboxItem {
            to: r.get(0)?,
            subject: r.get(1)?,
            template: r.get(2)?,
            text: r.get(3)?,
            html: r.get(4)?,
            created_at: rfc3339(from_db(r.get(5)?)),
        })
    })?
    .collect()
}

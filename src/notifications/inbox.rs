//! The in-app inbox: storage of notifications shown in the bell menu.

use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::preferences::Category;
use crate::common::time::{from_db, rfc3339};

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    pub id: String,
    pub category: Category,
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub read: bool,
    pub created_at: String,
}

pub struct NewItem<'a> {
    pub user_id: &'a str,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub event_key: &'a str,
}

/// Adds the item once per event key.
pub fn insert(conn: &Connection, item: &NewItem<'_>, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO notifications (user_id, category, title, body, link, event_key, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (event_key) DO NOTHING",
        params![
            item.user_id,
            item.category,
            item.title,
            item.body,
            item.link,
            item.event_key,
            now
        ],
    )?;
    Ok(())
}

pub fn page(
    conn: &Connection,
    user_id: &str,
    limit: u32,
    offset: u32,
) -> rusqlite::Result<Vec<InboxItem>> {
    conn.prepare_cached(
        "SELECT id, category, title, body, link, read_at IS NOT NULL, created_at FROM notifications
         WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
    )?
    .query_map(params![user_id, limit, offset], |r| {
        Ok(InboxItem {
            id: r.get::<_, i64>(0)?.to_string(),
            category: Category::parse(&r.get::<_, String>(1)?).unwrap_or(Category::Account),
            title: r.get(2)?,
            body: r.get(3)?,
            link: r.get(4)?,
            read: r.get(5)?,
            created_at: rfc3339(from_db(r.get(6)?)),
        })
    })?
    .collect()
}

pub fn total(conn: &Connection, user_id: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ?1",
        [user_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.unsigned_abs())
}

pub fn unread(conn: &Connection, user_id: &str) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ?1 AND read_at IS NULL",
    )?
    .query_row([user_id], |r| r.get::<_, i64>(0))
    .map(|n| n.unsigned_abs())
}

/// Marks one of the user's notifications read; false when it is not theirs.
pub fn mark_read(conn: &Connection, user_id: &str, id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE notifications SET read_at = COALESCE(read_at, ?3) WHERE id = ?1 AND user_id = ?2",
        params![id, user_id, now],
    )?;
    Ok(changed == 1)
}

pub fn mark_all_read(conn: &Connection, user_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE notifications SET read_at = ?2 WHERE user_id = ?1 AND read_at IS NULL",
        params![user_id, now],
    )?;
    Ok(())
}

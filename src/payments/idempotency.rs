//! `Idempotency-Key` on money-moving POSTs: the first request with a key stores its answer, and
//! the same key with the same body within 24 h gets that answer again; with a different body,
//! 422. The key is claimed inside the same write transaction as the work, so two concurrent
//! requests with one key cannot both do it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::common::time::to_db;
use crate::error::{AppError, AppResult};

const KEEP_HOURS: i64 = 24;

/// A request that carries a key.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Key {
    pub user_id: String,
    pub key: String,
    pub request_hash: String,
}

impl Key {
    /// The key from the headers (1-255 visible characters), bound to the request body.
    pub fn from_headers(
        headers: &HeaderMap,
        user_id: &str,
        body: &impl serde::Serialize,
    ) -> AppResult<Option<Self>> {
        let Some(raw) = headers.get("idempotency-key") else {
            return Ok(None);
        };
        let key = raw
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 255)
            .ok_or_else(|| {
                AppError::invalid(
                    "idempotency.invalid_key",
                    "Idempotency-Key",
                    "must be 1-255 visible characters",
                )
            })?;
        let canonical = serde_json::to_vec(body).map_err(AppError::internal)?;
        Ok(Some(Self {
            user_id: user_id.to_string(),
            key: key.to_string(),
            request_hash: hex(&Sha256::digest(&canonical)),
        }))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored answer.
pub struct Stored {
    pub status: u16,
    pub body: String,
}

impl IntoResponse for Stored {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let content_type = if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        };
        let mut response = (status, self.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        response
    }
}

fn in_progress() -> AppError {
    AppError::conflict(
        "idempotency.in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    )
}

/// The stored answer for `key`, if a finished request used it; errors when the body differs or
/// the first request is still running.
pub fn replay(conn: &Connection, key: &Key, now: DateTime<Utc>) -> AppResult<Option<Stored>> {
    let row: Option<(String, Option<i64>, Option<String>)> = conn
        .prepare_cached(
            "SELECT request_hash, status, response FROM idempotency_keys
             WHERE user_id = ?1 AND key = ?2 AND created_at > ?3",
        )?
        .query_row(
            params![
                key.user_id,
                key.key,
                to_db(now - Duration::hours(KEEP_HOURS))
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((hash, _, _)) if hash != key.request_hash => Err(AppError::invalid(
            "idempotency.key_reused",
            "Idempotency-Key",
            "was already used with a different request",
        )),
        Some((_, Some(status), Some(body))) => Ok(Some(Stored {
            status: u16::try_from(status).unwrap_or(200),
            body,
        })),
        Some(_) => Err(in_progress()),
    }
}

/// Claims the key inside the write transaction doing the work (an expired claim is replaced).
/// `Some` is the stored answer of a request with this key that finished meanwhile.
pub fn claim(conn: &Connection, key: &Key, now: DateTime<Utc>) -> AppResult<Option<Stored>> {
    conn.prepare_cached(
        "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND created_at <= ?3",
    )?
    .execute(params![
        key.user_id,
        key.key,
        to_db(now - Duration::hours(KEEP_HOURS))
    ])?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![key.user_id, key.key, key.request_hash, to_db(now)])?;
    if inserted == 0 {
        return replay(conn, key, now)?.map(Some).ok_or_else(in_progress);
    }
    Ok(None)
}

/// Stores the answer to replay.
pub fn finish(
    conn: &Connection,
    key: &Key,
    status: StatusCode,
    body: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE idempotency_keys SET status = ?3, response = ?4 WHERE user_id = ?1 AND key = ?2",
    )?
    .execute(params![key.user_id, key.key, status.as_u16(), body])?;
    Ok(())
}

/// Forgets keys past their 24 hours.
pub fn prune(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= ?1",
        [to_db(now - Duration::hours(KEEP_HOURS))],
    )
}

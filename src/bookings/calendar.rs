//! A private iCal feed per user: `GET /api/v1/calendar` gives the feed URL (creating its
//! secret), `POST /api/v1/calendar/rotate` replaces the secret, and
//! `GET /api/v1/calendar/feed/{token}` serves the user's lessons as `text/calendar` to any
//! calendar app, without a session.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{BookingRow, COLUMNS, Status};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::secrets::random_token;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(feed_url))
        .routes(routes!(rotate))
        .routes(routes!(feed))
}

#[derive(Serialize, ToSchema)]
pub struct FeedUrl {
    /// Subscribe to this in a calendar app; keep it private.
    url: String,
}

fn token_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT token FROM calendar_feeds WHERE user_id = ?1",
        [user_id],
        |r| r.get(0),
    )
    .optional()
}

async fn ensure(state: &AppState, user_id: &str, replace: bool) -> AppResult<FeedUrl> {
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    let token = state
        .db
        .write(move |tx| {
            if !replace && let Some(token) = token_of(tx, &id)? {
                return Ok(token);
            }
            let token = random_token();
            tx.execute(
                "INSERT INTO calendar_feeds (user_id, token, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
                params![id, token, now],
            )?;
            Ok(token)
        })
        .await?;
    Ok(FeedUrl {
        url: format!(
            "{}/api/v1/calendar/feed/{token}.ics",
            state.config.server.public_url
        ),
    })
}

/// The caller's private calendar feed URL.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "bookings", responses((status = 200, body = FeedUrl)))]
async fn feed_url(State(state): State<AppState>, me: CurrentUser) -> AppResult<Json<FeedUrl>> {
    Ok(Json(ensure(&state, &me.user.id, false).await?))
}

/// A new feed URL; the old one stops working.
#[utoipa::path(post, path = "/api/v1/calendar/rotate", tag = "bookings", responses((status = 200, body = FeedUrl)))]
async fn rotate(State(state): State<AppState>, me: CurrentUser) -> AppResult<Json<FeedUrl>> {
    Ok(Json(ensure(&state, &me.user.id, true).await?))
}

/// The lessons of the feed's owner as iCalendar (RFC 5545).
#[utoipa::path(get, path = "/api/v1/calendar/feed/{token}", tag = "bookings", params(("token" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404)))]
async fn feed(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let token = token.trim_end_matches(".ics").to_string();
    let since = state.clock.now() - Duration::days(90);
    let now = state.clock.now();
    let lessons = state
        .db
        .read(move |c| {
            let user: Option<String> = c
                .query_row("SELECT user_id FROM calendar_feeds WHERE token = ?1", [&token], |r| r.get(0))
                .optional()?;
            let user = user.ok_or_else(AppError::not_found)?;
            let rows = c
                .prepare(&format!(
                    "SELECT {COLUMNS}, (SELECT full_name FROM users u WHERE u.id =
                        CASE WHEN bookings.student_id = ?1 THEN bookings.instructor_id ELSE bookings.student_id END)
                     FROM bookings WHERE (student_id = ?1 OR instructor_id = ?1) AND end_at > ?2
                       AND status IN ('confirmed', 'completed', 'cancelled') AND rescheduled_to IS NULL
                     ORDER BY start_at"
                ))?
                .query_map(params![user, to_db(since)], |r| {
                    Ok((BookingRow::from_row(r)?, r.get::<_, Option<String>>(40)?.unwrap_or_default()))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        ical(&lessons, &state.config.server.public_url, now),
    )
        .into_response())
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes TEXT values (RFC 5545 3.3.11); other control characters (a CR could start a new
/// property) are dropped.
fn text(raw: &str) -> String {
    let raw: String = raw
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    raw.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

fn ical(lessons: &[(BookingRow, String)], public_url: &str, now: DateTime<Utc>) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//InstaInstru//Lessons//EN\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:InstaInstru lessons\r\n",
    );
    for (b, other) in lessons {
        let status = if b.status == Status::Cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        let with = crate::auth::model::display_name(other);
        let location = match b.format {
            crate::availability::slots::Format::Online => "Online".to_string(),
            crate::availability::slots::Format::Studio => "Instructor's studio".to_string(),
            crate::availability::slots::Format::Travel => b.address.clone().unwrap_or_default(),
        };
        let lines = [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@instainstru", b.id),
            format!("DTSTAMP:{}", stamp(now)),
            format!("DTSTART:{}", stamp(b.start)),
            format!("DTEND:{}", stamp(b.end)),
            format!(
                "SUMMARY:{}",
                text(&format!("{} lesson with {with}", b.service_name))
            ),
            format!("LOCATION:{}", text(&location)),
            format!("URL:{public_url}/student/bookings/{}", b.id),
            format!("STATUS:{status}"),
            "END:VEVENT".to_string(),
        ];
        for line in lines {
            out.push_str(&line);
            out.push_str("\r\n");
        }
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a\r\nBEGIN:VEVENT"), "a\\nBEGIN:VEVENT");
        assert_eq!(
            text("Piano, voice; a\\b\nnext"),
            "Piano\\, voice\\; a\\\\b\\nnext"
        );
        let at = DateTime::from_timestamp(1_796_223_600, 0).unwrap();
        assert_eq!(stamp(at), "20261202T150000Z");
    }
}

//! Availability endpoints: the instructor's own document (ETag / If-Match) and the public
//! bookable slots of a live instructor.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::document::{self, Document};
use super::slots::{self, Format, Request};
use super::{cache, store};
use crate::app::AppState;
use crate::auth::{Instructor, MaybeUser, Role};
use crate::common::time::{rfc3339, to_db};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::{Json, Query};
use crate::instructors;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_availability, put_availability))
        .routes(routes!(open_slots))
}

#[derive(Serialize, ToSchema)]
pub struct Saved {
    #[serde(flatten)]
    document: Document,
    /// Bookings that now fall outside the windows: they stand, but the instructor should know.
    orphaned_bookings: Vec<String>,
}

fn with_etag(body: impl IntoResponse, version: i64) -> Response {
    let mut response = body.into_response();
    if let Ok(value) = HeaderValue::from_str(&store::etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// The instructor's availability document, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/instructor/availability", tag = "instructor",
    responses((status = 200, body = Document, headers(("ETag" = String)))))]
async fn get_availability(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Response> {
    let timezone = instructors::timezone_of(&state, &me.user.id).await?;
    let user_id = me.user.id.clone();
    let (doc, version) = state
        .db
        .read(move |c| Ok(store::load(c, &user_id, &timezone)?))
        .await?;
    Ok(with_etag(Json(doc), version))
}

/// Replace the document. Needs `If-Match` with the current ETag: 428 without, 412 when stale.
#[utoipa::path(put, path = "/api/v1/instructor/availability", tag = "instructor", request_body = Document,
    responses((status = 200, body = Saved), (status = 412, description = "availability.stale"),
              (status = 428, description = "availability.if_match_required"), (status = 422, description = "availability.invalid")))]
async fn put_availability(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    headers: HeaderMap,
    Json(mut doc): Json<Document>,
) -> AppResult<Response> {
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AppError::new(
                ErrorKind::PreconditionRequired,
                "availability.if_match_required",
                "Send If-Match with the ETag you read.",
            )
        })?;
    let expected = store::parse_etag(if_match).unwrap_or(-1);
    document::validate(&doc)?;
    let timezone = instructors::timezone_of(&state, &me.user.id).await?;
    doc.timezone = timezone;
    let (user_id, now) = (me.user.id.clone(), to_db(state.clock.now()));
    let saved_doc = doc.clone();
    let outcome = state
        .db
        .write(move |tx| Ok(store::save(tx, &user_id, &saved_doc, expected, now)?))
        .await?;
    match outcome {
        Ok(version) => {
            state.jobs.wake();
            Ok(with_etag(
                Json(Saved {
                    document: doc,
                    orphaned_bookings: Vec::new(),
                }),
                version,
            ))
        }
        Err(current) => Err(AppError::new(
            ErrorKind::PreconditionFailed,
            "availability.stale",
            "The availability changed since you read it; reload and try again.",
        )
        .with_extra("current_etag", store::etag(current).into())),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The instructor service id (or the catalog service id).
    service_id: String,
    duration_min: u16,
    #[param(inline)]
    format: Format,
    /// First local date in the instructor's zone (default: today).
    #[param(value_type = Option<String>, example = "2026-12-01")]
    from: Option<NaiveDate>,
    /// Last local date, inclusive (default: six days after `from`; at most 31 days in all).
    #[param(value_type = Option<String>, example = "2026-12-07")]
    to: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct SlotView {
    start: String,
    end: String,
}

#[derive(Serialize, ToSchema)]
pub struct SlotsResponse {
    timezone: String,
    slots: Vec<SlotView>,
}

/// Bookable starts of a live instructor for one service, format and duration.
#[utoipa::path(get, path = "/api/v1/instructors/{id}/slots", tag = "instructors", params(("id" = String, Path), SlotsQuery),
    responses((status = 200, body = SlotsResponse), (status = 404), (status = 422, description = "a parameter is invalid")))]
async fn open_slots(
    State(state): State<AppState>,
    viewer: MaybeUser,
    Path(id): Path<String>,
    Query(q): Query<SlotsQuery>,
) -> AppResult<Response> {
    let privileged = viewer
        .0
        .as_ref()
        .is_some_and(|v| v.user.id == id || v.user.role == Role::Admin);
    let now = state.clock.now();
    let window = (now - Duration::days(2), now + Duration::days(367));
    let cache = state.rules.clone();
    let (instructor, ((version, rules), busy)) =
        instructors::visible_with(&state, &id, privileged, move |c, profile| {
            let rules = cache.rules_of(c, &profile.user_id, &profile.timezone)?;
            Ok((
                rules,
                store::busy(c, &profile.user_id, window.0, window.1, None)?,
            ))
        })
        .await?;
    let offering = instructor
        .offerings
        .iter()
        .find(|o| o.id == q.service_id || o.service_id.to_string() == q.service_id)
        .ok_or_else(|| {
            AppError::invalid(
                "slots.unknown_service",
                "service_id",
                "is not a service of this instructor",
            )
        })?;
    if offering.rate(q.format).is_none() {
        return Err(AppError::invalid(
            "slots.format_not_offered",
            "format",
            "is not offered for this service",
        ));
    }
    if !offering.durations.contains(&q.duration_min) {
        return Err(AppError::invalid(
            "slots.duration_not_offered",
            "duration_min",
            "is not offered for this service",
        ));
    }
    let tz: Tz = instructor
        .profile
        .timezone
        .parse()
        .unwrap_or(chrono_tz::UTC);
    // Dates outside the bookable range are refused before any date arithmetic.
    let today = slots::local_today(tz, now);
    let (earliest, latest) = (today - Duration::days(1), today + Duration::days(400));
    for (field, date) in [("from", q.from), ("to", q.to)] {
        if date.is_some_and(|d| d < earliest || d > latest) {
            return Err(AppError::invalid(
                "request.invalid_query",
                field,
                "must be within the next 400 days",
            ));
        }
    }
    let from = q.from.unwrap_or(today);
    let to = q.to.unwrap_or(from + Duration::days(6));
    if to < from {
        return Err(AppError::invalid(
            "request.invalid_query",
            "to",
            "must not be before from",
        ));
    }
    if to - from >= Duration::days(31) {
        return Err(AppError::invalid(
            "request.invalid_query",
            "to",
            "at most 31 days per request",
        ));
    }
    let key = format!(
        "{id}|{}|{}|{}|{from}|{to}|{}",
        offering.id,
        q.duration_min,
        q.format.as_str(),
        instructor.profile.timezone
    );
    let busy_marks: Vec<(i64, i64, bool)> = busy
        .iter()
        .map(|b| (b.start.timestamp(), b.end.timestamp(), b.travel))
        .collect();
    let stamp = cache::stamp((version, busy_marks, now.timestamp().div_euclid(60)));
    let body = match state.slots.get(&key, stamp) {
        Some(body) => body,
        None => {
            let request = Request {
                from,
                to,
                duration_min: q.duration_min,
                format: q.format,
                now,
            };
            let found = slots::open_slots(&rules, tz, &busy, &request);
            let answer = SlotsResponse {
                timezone: instructor.profile.timezone,
                slots: found
                    .into_iter()
                    .map(|s| SlotView {
                        start: rfc3339(s.start),
                        end: rfc3339(s.end),
                    })
                    .collect(),
            };
            let body = Bytes::from(serde_json::to_vec(&answer).map_err(AppError::internal)?);
            state.slots.put(key, stamp, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

//! Booking endpoints (API.md "Bookings"). Handlers extract, call one use case and map the
//! result; access rules live in the use cases (404 for anyone who may not see a booking).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::cancel::{self, CancelRequest, Cancelled};
use super::create::{self, NewBooking};
use super::no_show::{self, DisputeRequest, NoShowRequest, Resolution};
use super::policy::Outcome;
use super::reschedule::{self, RescheduleRequest};
use super::store::{self, ListFilter, Scope};
use super::{authorize, complete, view};
use crate::app::AppState;
use crate::auth::throttle::Limit;
use crate::auth::{Admin, CurrentUser, Role, Student};
use crate::common::page::{Page, Paginated};
use crate::common::time::parse_rfc3339;
use crate::error::{AppError, AppResult};
use crate::http::{Json, Query};
use crate::payments::idempotency::{self, Key};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_booking, list))
        .routes(routes!(quote))
        .routes(routes!(detail))
        .routes(routes!(cancel_preview))
        .routes(routes!(cancel_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(complete_booking))
        .routes(routes!(confirm_payment))
        .routes(routes!(report_no_show))
        .routes(routes!(dispute_no_show))
        .routes(routes!(decide_no_show))
}

/// Create a booking. Send `Idempotency-Key` to make retries safe: the same key and body within
/// 24 h return the first answer.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "bookings", request_body = NewBooking,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = view::Booking), (status = 402, description = "payment.declined"),
        (status = 409, description = "booking.slot_taken"),
        (status = 422, description = "booking.outside_availability, booking.too_soon, booking.student_overlap, ..."),
        (status = 429, description = "rate_limited")))]
async fn create_booking(
    State(state): State<AppState>,
    Student(me): Student,
    headers: HeaderMap,
    Json(body): Json<NewBooking>,
) -> AppResult<Response> {
    let key = Key::from_headers(&headers, &me.user.id, &body)?;
    if let Some(key) = &key {
        let (key, now) = (key.clone(), state.clock.now());
        if let Some(stored) = state
            .db
            .read(move |c| idempotency::replay(c, &key, now))
            .await?
        {
            return Ok(stored.into_response());
        }
    }
    let limit = Limit {
        max: state.config.market.bookings_per_user_per_minute,
        per: chrono::Duration::minutes(1),
    };
    state.throttle.hit(
        &format!("bookings:{}", me.user.id),
        limit,
        state.clock.now(),
    )?;
    Ok(match create::create(&state, &me, body, key).await? {
        create::Created::Fresh(status, body) => (status, Json(body)).into_response(),
        create::Created::Replay(stored) => stored.into_response(),
    })
}

/// The price of a booking before making it: the same checks, nothing created.
#[utoipa::path(post, path = "/api/v1/bookings/quote", tag = "bookings", request_body = NewBooking,
    responses((status = 200, body = Quote), (status = 409, description = "booking.slot_taken"), (status = 422)))]
async fn quote(
    State(state): State<AppState>,
    Student(me): Student,
    Json(body): Json<NewBooking>,
) -> AppResult<Json<Quote>> {
    let price = create::quote(&state, &me, &body).await?;
    Ok(Json(Quote {
        lesson_price_cents: price.lesson_price_cents,
        service_fee_cents: price.service_fee_cents,
        credits_applied_cents: price.credits_applied_cents,
        total_charge_cents: price.total_charge_cents,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Quote {
    lesson_price_cents: i64,
    service_fee_cents: i64,
    credits_applied_cents: i64,
    total_charge_cents: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// upcoming (default), past or all.
    scope: Option<String>,
    /// student or instructor (default: the caller's role).
    #[serde(rename = "as")]
    #[param(rename = "as")]
    as_role: Option<String>,
    /// Include bookings replaced by a reschedule.
    include_rescheduled: Option<bool>,
    /// Only lessons starting at or after this instant (RFC 3339).
    from: Option<String>,
    /// Only lessons starting before this instant (RFC 3339).
    to: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The caller's bookings.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "bookings", params(ListQuery),
    responses((status = 200, body = Paginated<view::Booking>)))]
async fn list(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Paginated<view::Booking>>> {
    let page = Page::new(q.page, q.per_page)?;
    let scope = match q.scope.as_deref().unwrap_or("upcoming") {
        "upcoming" => Scope::Upcoming,
        "past" => Scope::Past,
        "all" => Scope::All,
        _ => {
            return Err(AppError::invalid(
                "request.invalid_query",
                "scope",
                "use upcoming, past or all",
            ));
        }
    };
    let as_instructor = match q.as_role.as_deref() {
        None => me.user.role == Role::Instructor,
        Some("student") => false,
        Some("instructor") => true,
        Some(_) => {
            return Err(AppError::invalid(
                "request.invalid_query",
                "as",
                "use student or instructor",
            ));
        }
    };
    let instant = |field: &str, raw: &Option<String>| {
        raw.as_deref()
            .map(|raw| {
                parse_rfc3339(raw).ok_or_else(|| {
                    AppError::invalid(
                        "request.invalid_query",
                        field,
                        "use an RFC 3339 instant such as 2026-12-01T00:00:00Z",
                    )
                })
            })
            .transpose()
    };
    let (from, to) = (instant("from", &q.from)?, instant("to", &q.to)?);
    let (viewer, now, include) = (
        me.user.id.clone(),
        state.clock.now(),
        q.include_rescheduled.unwrap_or(false),
    );
    let (items, total) = state
        .db
        .read(move |c| {
            let filter = ListFilter {
                user_id: &viewer,
                as_instructor,
                scope,
                include_rescheduled: include,
                now,
                from,
                to,
                limit: page.per_page,
                offset: page.offset(),
            };
            let (rows, total) = store::list(c, &filter)?;
            let items = rows
                .into_iter()
                .map(|b| view::render(c, b, &viewer, false, now))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((items, total))
        })
        .await?;
    Ok(Json(Paginated::new(items, page, total)))
}

/// One booking with its timeline; 404 for anyone but its student, its instructor and admins.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", params(("id" = String, Path)),
    responses((status = 200, body = view::Booking), (status = 404)))]
async fn detail(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<view::Booking>> {
    let (viewer, admin, now) = (
        me.user.id.clone(),
        me.user.role == Role::Admin,
        state.clock.now(),
    );
    let booking = state
        .db
        .read(move |c| {
            let b = store::get(c, &id)?.ok_or_else(AppError::not_found)?;
            if !(admin || b.student_id == viewer || b.instructor_id == viewer) {
                return Err(AppError::not_found());
            }
            Ok(view::render(c, b, &viewer, true, now)?)
        })
        .await?;
    Ok(Json(booking))
}

/// What cancelling now would do to the money, for the caller.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/cancel-preview", tag = "bookings", params(("id" = String, Path)),
    responses((status = 200, body = Outcome), (status = 404), (status = 422, description = "booking.not_cancellable")))]
async fn cancel_preview(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Outcome>> {
    Ok(Json(cancel::preview(&state, &me, &id).await?))
}

/// Cancel, with a reason. The answer states what happened to the money.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "bookings", params(("id" = String, Path)), request_body = CancelRequest,
    responses((status = 200, body = Cancelled), (status = 404), (status = 422, description = "booking.reason_required, booking.not_cancellable")))]
async fn cancel_booking(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<CancelRequest>,
) -> AppResult<Json<Cancelled>> {
    Ok(Json(cancel::cancel(&state, &me, &id, &body.reason).await?))
}

/// Move the lesson to another time with the same instructor.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reschedule", tag = "bookings", params(("id" = String, Path)), request_body = RescheduleRequest,
    responses((status = 201, body = view::Booking), (status = 409, description = "booking.slot_taken"),
        (status = 422, description = "reschedule.window_closed, reschedule.limit_reached")))]
async fn reschedule_booking(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<RescheduleRequest>,
) -> AppResult<(StatusCode, Json<view::Booking>)> {
    let limit = Limit {
        max: state.config.market.bookings_per_user_per_minute,
        per: chrono::Duration::minutes(1),
    };
    state.throttle.hit(
        &format!("bookings:{}", me.user.id),
        limit,
        state.clock.now(),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(reschedule::reschedule(&state, &me, &id, body).await?),
    ))
}

/// After the bank's check (SCA) in the browser: finishes a booking that answered 402
/// `payment.requires_action`. 200 with the confirmed booking; 402 `payment.declined` when the
/// check failed (the booking is gone); 402 `payment.requires_action` while it is still open.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/confirm-payment", tag = "bookings", params(("id" = String, Path)),
    responses((status = 200, body = view::Booking), (status = 402, description = "payment.declined, payment.requires_action"), (status = 404)))]
async fn confirm_payment(
    State(state): State<AppState>,
    Student(me): Student,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (booking_id, student) = (id.clone(), me.user.id.clone());
    let row = state
        .db
        .read(move |c| Ok(store::get(c, &booking_id)?))
        .await?
        .filter(|b| b.student_id == student)
        .ok_or_else(AppError::not_found)?;
    let (status, body) = authorize::finish_authentication(&state, row, &me.user.id, false).await?;
    Ok((status, Json(body)).into_response())
}

/// The instructor marks the lesson given (after its end).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/complete", tag = "bookings", params(("id" = String, Path)),
    responses((status = 200, body = view::Booking), (status = 404), (status = 422, description = "booking.not_ended")))]
async fn complete_booking(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<view::Booking>> {
    Ok(Json(complete::complete(&state, &me, &id).await?))
}

/// Report the other party absent (from the start until 24 h after the end).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/no-show", tag = "bookings", params(("id" = String, Path)), request_body = NoShowRequest,
    responses((status = 200, body = view::Booking), (status = 409, description = "no_show.already_reported"), (status = 422)))]
async fn report_no_show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<NoShowRequest>,
) -> AppResult<Json<view::Booking>> {
    Ok(Json(no_show::report(&state, &me, &id, body).await?))
}

/// The party reported absent disputes it, once, within 24 h.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/no-show/dispute", tag = "bookings", params(("id" = String, Path)), request_body = DisputeRequest,
    responses((status = 200, body = view::Booking), (status = 409), (status = 422)))]
async fn dispute_no_show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<DisputeRequest>,
) -> AppResult<Json<view::Booking>> {
    Ok(Json(no_show::dispute(&state, &me, &id, body).await?))
}

/// An admin decides a disputed no-show report.
#[utoipa::path(post, path = "/api/v1/admin/bookings/{id}/no-show", tag = "admin", params(("id" = String, Path)), request_body = Resolution,
    responses((status = 200, body = view::Booking), (status = 403), (status = 422)))]
async fn decide_no_show(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(id): Path<String>,
    Json(body): Json<Resolution>,
) -> AppResult<Json<view::Booking>> {
    Ok(Json(no_show::decide(&state, &me, &id, body.upheld).await?))
}

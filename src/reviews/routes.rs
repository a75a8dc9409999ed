//! Review and tip endpoints (API.md "Reviews and tips"). Handlers extract, call one use case
//! and map the result; access rules live in the use cases (404 for anyone who may not see or
//! touch a review).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::create::{self, Answer, NewReview, NewTip};
use super::moderate::{self, HideRequest, NewResponse};
use super::store::{self, ListFilter};
use super::tips::{self, TipView};
use super::view::{self, PublicReview, ReviewCreated, ReviewView};
use crate::app::AppState;
use crate::auth::{Admin, CurrentUser, Instructor, MaybeUser, Role};
use crate::common::page::{Page, Paginated};
use crate::error::{AppError, AppResult};
use crate::http::{Json, Query};
use crate::payments::idempotency::{self, Key};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_review, booking_review))
        .routes(routes!(create_tip))
        .routes(routes!(confirm_tip))
        .routes(routes!(respond))
        .routes(routes!(public_list))
        .routes(routes!(own_list))
        .routes(routes!(hide))
}

/// The stored answer when this key was used before (or its error).
async fn replay(state: &AppState, key: &Option<Key>) -> AppResult<Option<Response>> {
    let Some(key) = key.clone() else {
        return Ok(None);
    };
    let now = state.clock.now();
    let stored = state
        .db
        .read(move |c| idempotency::replay(c, &key, now))
        .await?;
    Ok(stored.map(IntoResponse::into_response))
}

fn respond_with(answer: Answer) -> Response {
    match answer {
        Answer::Fresh(status, body) => (status, Json(body)).into_response(),
        Answer::Replay(stored) => stored.into_response(),
    }
}

/// Review a completed lesson (its student only, within 30 days), optionally with a tip that
/// goes 100% to the instructor. Send `Idempotency-Key` to make retries safe. A refused tip
/// does not undo the review: check `tip.status`.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/review", tag = "reviews", request_body = NewReview,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ReviewCreated), (status = 404),
        (status = 409, description = "tip.exists"),
        (status = 422, description = "review.not_completed, review.window_closed, review.exists, review.text_too_long, review.invalid_rating, tip.invalid_amount, tip.unavailable, idempotency.key_reused")))]
async fn create_review(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NewReview>,
) -> AppResult<Response> {
    // The key is bound to the lesson too: the same key and body on another lesson is reuse.
    let key = Key::from_headers(&headers, &me.user.id, &(&id, &body))?;
    if let Some(stored) = replay(&state, &key).await? {
        return Ok(stored);
    }
    Ok(respond_with(
        create::create(&state, &me, &id, body, key).await?,
    ))
}

/// The review of a lesson, for its student, its instructor and admins.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/review", tag = "reviews", params(("id" = String, Path)),
    responses((status = 200, body = ReviewView), (status = 404)))]
async fn booking_review(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<ReviewView>> {
    let (viewer, admin) = (me.user.id.clone(), me.user.role == Role::Admin);
    let (mut review, tip) = state
        .db
        .read(move |c| {
            let b = crate::bookings::store::get(c, &id)?
                .filter(|b| admin || b.student_id == viewer || b.instructor_id == viewer)
                .ok_or_else(AppError::not_found)?;
            let review = store::of_booking(c, &b.id)?.ok_or_else(AppError::not_found)?;
            let tip = if b.student_id == viewer {
                store::latest_tip(c, &b.id)?
            } else {
                None
            };
            Ok((view::load(c, &review.id)?, tip))
        })
        .await?;
    if let Some(tip) = tip {
        // A tip waiting for the bank's check needs its client secret again, from the provider.
        let secret = match (tip.status.as_str(), &tip.payment_intent) {
            ("requires_action", Some(intent)) => match state.payments.intent_state(intent).await {
                Ok(crate::payments::IntentState::RequiresAction { client_secret }) => {
                    Some(client_secret)
                }
                _ => None,
            },
            _ => None,
        };
        review.tip = Some(tip.view(secret));
    }
    Ok(Json(review))
}

/// Tip for a completed lesson on its own (e.g. after a refused card), 100% to the instructor.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/tip", tag = "reviews", request_body = NewTip,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = TipView), (status = 404), (status = 409, description = "tip.exists"),
        (status = 422, description = "review.not_completed, review.window_closed, tip.invalid_amount, tip.unavailable")))]
async fn create_tip(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<NewTip>,
) -> AppResult<Response> {
    let key = Key::from_headers(&headers, &me.user.id, &(&id, "tip", &body))?;
    if let Some(stored) = replay(&state, &key).await? {
        return Ok(stored);
    }
    Ok(respond_with(
        create::tip_only(&state, &me, &id, body, key).await?,
    ))
}

/// After the web app completed the bank's check (SCA), capture a `requires_action` tip.
#[utoipa::path(post, path = "/api/v1/tips/{id}/confirm", tag = "reviews", params(("id" = String, Path)),
    responses((status = 200, body = TipView), (status = 404), (status = 409, description = "tip.exists"),
        (status = 422, description = "tip.requires_action (the check is not complete), tip.not_confirmable")))]
async fn confirm_tip(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<TipView>> {
    Ok(Json(tips::confirm(&state, &me, &id).await?))
}

/// The instructor answers one of their reviews, once.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/response", tag = "reviews", params(("id" = String, Path)),
    request_body = NewResponse,
    responses((status = 201, body = ReviewView), (status = 404), (status = 409, description = "review.response_exists"),
        (status = 422, description = "review.text_required, review.text_too_long")))]
async fn respond(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<NewResponse>,
) -> AppResult<(StatusCode, Json<ReviewView>)> {
    Ok((
        StatusCode::CREATED,
        Json(moderate::respond(&state, &me, &id, body).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only reviews with at least this many stars (1-5).
    min_rating: Option<i64>,
    /// Only reviews with text.
    with_text: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// A page of reviews of `instructor_id`, newest first.
async fn page_of(
    state: &AppState,
    instructor_id: &str,
    q: &ListQuery,
    include_hidden: bool,
) -> AppResult<(Vec<store::Listed>, Page, u64)> {
    let page = Page::new(q.page, q.per_page)?;
    let min_rating = q.min_rating.unwrap_or(1);
    if !(1..=5).contains(&min_rating) {
        return Err(AppError::invalid(
            "request.invalid_query",
            "min_rating",
            "must be between 1 and 5",
        ));
    }
    let (id, with_text) = (instructor_id.to_string(), q.with_text.unwrap_or(false));
    let (items, total) = state
        .db
        .read(move |c| {
            let filter = ListFilter {
                instructor_id: &id,
                include_hidden,
                min_rating,
                with_text,
                limit: page.per_page,
                offset: page.offset(),
            };
            Ok(store::list(c, &filter)?)
        })
        .await?;
    Ok((items, page, total))
}

/// An instructor's reviews, newest first; hidden ones are left out.
#[utoipa::path(get, path = "/api/v1/instructors/{id}/reviews", tag = "reviews",
    params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Paginated<PublicReview>), (status = 404)))]
async fn public_list(
    State(state): State<AppState>,
    viewer: MaybeUser,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Paginated<PublicReview>>> {
    let privileged = viewer
        .0
        .as_ref()
        .is_some_and(|v| v.user.id == id || v.user.role == Role::Admin);
    crate::instructors::visible(&state, &id, privileged).await?;
    let (items, page, total) = page_of(&state, &id, &q, false).await?;
    Ok(Json(Paginated::new(
        items.iter().map(view::public).collect(),
        page,
        total,
    )))
}

/// The signed-in instructor's own reviews, newest first, with whether each is answered (and
/// hidden ones, marked).
#[utoipa::path(get, path = "/api/v1/instructor/reviews", tag = "reviews", params(ListQuery),
    responses((status = 200, body = Paginated<ReviewView>), (status = 403)))]
async fn own_list(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Paginated<ReviewView>>> {
    let (items, page, total) = page_of(&state, &me.user.id, &q, true).await?;
    Ok(Json(Paginated::new(
        items.iter().map(view::full).collect(),
        page,
        total,
    )))
}

/// Hide a review, with a reason: it leaves public lists and stops counting in the rating.
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/hide", tag = "admin", params(("id" = String, Path)),
    request_body = HideRequest,
    responses((status = 200, body = ReviewView), (status = 403), (status = 404),
        (status = 422, description = "review.reason_required")))]
async fn hide(
    State(state): State<AppState>,
    Admin(me): Admin,
    Path(id): Path<String>,
    Json(body): Json<HideRequest>,
) -> AppResult<Json<ReviewView>> {
    Ok(Json(moderate::hide(&state, &me, &id, body).await?))
}

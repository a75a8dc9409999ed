//! The in-app inbox, notification preferences and one-click unsubscribe.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::inbox::{self, InboxItem};
use super::preferences::{self, ALL, Category, Channels};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::common::page::Page;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::http::{Json, Query};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(unread_count))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(get_preferences, put_preferences))
        .routes(routes!(unsubscribe))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxPage {
    items: Vec<InboxItem>,
    page: u32,
    per_page: u32,
    total: u64,
    unread_count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct UnreadCount {
    unread_count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PreferenceView {
    category: Category,
    label: &'static str,
    description: &'static str,
    email: bool,
    in_app: bool,
    /// Transactional: cannot be turned off.
    locked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Preferences {
    items: Vec<PreferenceView>,
}

#[derive(Deserialize, ToSchema)]
pub struct PreferenceChange {
    category: Category,
    email: bool,
    in_app: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct PreferencesUpdate {
    items: Vec<PreferenceChange>,
}

#[derive(Deserialize, ToSchema)]
pub struct UnsubscribeRequest {
    token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Unsubscribed {
    category: Category,
    label: &'static str,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListQuery),
    responses((status = 200, body = InboxPage)))]
async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<InboxPage>> {
    let page = Page::new(q.page, q.per_page)?;
    let user_id = current.user.id;
    let (items, total, unread) = state
        .db
        .read(move |c| {
            Ok((
                inbox::page(c, &user_id, page.per_page, page.offset())?,
                inbox::total(c, &user_id)?,
                inbox::unread(c, &user_id)?,
            ))
        })
        .await?;
    Ok(Json(InboxPage {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
        unread_count: unread,
    }))
}

/// How many notifications are unread (for the bell badge).
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount)))]
async fn unread_count(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<UnreadCount>> {
    let user_id = current.user.id;
    let unread_count = state
        .db
        .read(move |c| Ok(inbox::unread(c, &user_id)?))
        .await?;
    Ok(Json(UnreadCount { unread_count }))
}

/// Mark one notification read (404 unless it is the caller's).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = String, Path)), responses((status = 204), (status = 404)))]
async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let (user_id, now) = (current.user.id, to_db(state.clock.now()));
    let marked = state
        .db
        .write(move |tx| Ok(inbox::mark_read(tx, &user_id, id, now)?))
        .await?;
    if marked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found())
    }
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", responses((status = 204)))]
async fn mark_all_read(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<StatusCode> {
    let (user_id, now) = (current.user.id, to_db(state.clock.now()));
    state
        .db
        .write(move |tx| Ok(inbox::mark_all_read(tx, &user_id, now)?))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn current_preferences(state: &AppState, user_id: String) -> AppResult<Preferences> {
    let channels = state
        .db
        .read(move |c| {
            Ok(ALL
                .iter()
                .map(|cat| preferences::channels(c, &user_id, *cat))
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    let items = ALL
        .iter()
        .zip(channels)
        .map(|(category, ch)| PreferenceView {
            category: *category,
            label: category.label(),
            description: category.description(),
            email: ch.email,
            in_app: ch.in_app,
            locked: category.locked(),
        })
        .collect();
    Ok(Preferences { items })
}

/// Which notifications arrive by email and in the app, per category.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications",
    responses((status = 200, body = Preferences)))]
async fn get_preferences(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<Preferences>> {
    Ok(Json(current_preferences(&state, current.user.id).await?))
}

/// Change channels per category (account mail stays on).
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications", request_body = PreferencesUpdate,
    responses((status = 200, body = Preferences)))]
async fn put_preferences(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<PreferencesUpdate>,
) -> AppResult<Json<Preferences>> {
    let user_id = current.user.id.clone();
    state
        .db
        .write(move |tx| {
            for change in body.items {
                let channels = Channels {
                    email: change.email,
                    in_app: change.in_app,
                };
                preferences::set_channels(tx, &user_id, change.category, channels)?;
            }
            Ok(())
        })
        .await?;
    Ok(Json(current_preferences(&state, current.user.id).await?))
}

/// One-click unsubscribe from an email's category (the link carries a signed token).
#[utoipa::path(post, path = "/api/v1/notifications/unsubscribe", tag = "notifications", request_body = UnsubscribeRequest,
    responses((status = 200, body = Unsubscribed), (status = 422, description = "auth.invalid_token")))]
async fn unsubscribe(
    State(state): State<AppState>,
    Json(body): Json<UnsubscribeRequest>,
) -> AppResult<Json<Unsubscribed>> {
    let (user_id, category) = state
        .notifier
        .verify_unsubscribe(&body.token)
        .filter(|(_, category)| !category.locked())
        .ok_or_else(|| {
            AppError::invalid(
                "auth.invalid_token",
                "token",
                "is not a valid unsubscribe link",
            )
        })?;
    state
        .db
        .write(move |tx| {
            let current = preferences::channels(tx, &user_id, category)?;
            Ok(preferences::set_channels(
                tx,
                &user_id,
                category,
                Channels {
                    email: false,
                    ..current
                },
            )?)
        })
        .await?;
    Ok(Json(Unsubscribed {
        category,
        label: category.label(),
    }))
}

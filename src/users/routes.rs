//! `/api/v1/account`: the signed-in person's own account.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ProfileChange;
use crate::app::AppState;
use crate::auth::{CurrentUser, UserView, signed_out};
use crate::error::AppResult;
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_profile))
        .routes(routes!(deactivate))
        .routes(routes!(delete))
        .routes(routes!(export))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileRequest {
    full_name: Option<String>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    timezone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountResponse {
    user: UserView,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordConfirmation {
    password: String,
}

/// Change name and/or time zone.
#[utoipa::path(patch, path = "/api/v1/account", tag = "account", request_body = ProfileRequest,
    responses((status = 200, body = AccountResponse), (status = 422, description = "a field is invalid")))]
async fn update_profile(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<ProfileRequest>,
) -> AppResult<Json<AccountResponse>> {
    let change = ProfileChange {
        full_name: body.full_name,
        timezone: body.timezone,
    };
    let user = super::update_profile(&state, &current, change).await?;
    Ok(Json(AccountResponse { user: user.view() }))
}

/// Deactivate (password required): hidden and signed out until the next sign-in.
#[utoipa::path(post, path = "/api/v1/account/deactivate", tag = "account", request_body = PasswordConfirmation,
    responses((status = 204), (status = 422, description = "auth.wrong_password")))]
async fn deactivate(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<PasswordConfirmation>,
) -> AppResult<Response> {
    super::deactivate(&state, &current, body.password).await?;
    Ok(signed_out(&state))
}

/// Delete the account (password required): personal data anonymised, financial records kept.
#[utoipa::path(post, path = "/api/v1/account/delete", tag = "account", request_body = PasswordConfirmation,
    responses((status = 204), (status = 422, description = "auth.wrong_password")))]
async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<PasswordConfirmation>,
) -> AppResult<Response> {
    super::delete(&state, &current, body.password).await?;
    Ok(signed_out(&state))
}

/// Download everything we hold about you, as JSON.
#[utoipa::path(get, path = "/api/v1/account/export", tag = "account",
    responses((status = 200, description = "JSON export", content_type = "application/json")))]
async fn export(State(state): State<AppState>, current: CurrentUser) -> AppResult<Response> {
    let data = super::export(&state, &current).await?;
    let disposition = "attachment; filename=\"instainstru-export.json\"";
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(data)).into_response())
}

//! Background checks: the instructor uploads a document, an admin passes or fails it, a pass
//! is valid for `market.background_check_valid`, and a reminder goes out 30 days before it
//! expires (a daily job, once per expiry).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{media, store};
use crate::app::AppState;
use crate::auth::{Admin, store as accounts};
use crate::common::time::{from_db, rfc3339, to_db};
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::jobs::{JobError, Registry};
use crate::notifications::{Notice, Recipient};

pub fn admin_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pending))
        .routes(routes!(decide))
        .routes(routes!(document))
}

pub fn register(registry: &mut Registry) {
    registry.register(
        "instructors.background_reminders",
        |state: AppState, _: serde_json::Value| async move {
            remind_expiring(&state).await.map_err(JobError::from)
        },
    );
    registry.every("instructors.background_reminders", Duration::days(1));
}

/// Stores the document (content-sniffed) and marks the check pending.
pub async fn submit(state: &AppState, user_id: &str, bytes: Vec<u8>) -> AppResult<()> {
    super::profile::own(state, user_id).await?;
    let extension = media::document_kind(&bytes)?;
    let name = format!("{}.{extension}", uuid::Uuid::new_v4());
    let dir = media::documents_dir(state.config.data_dir());
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;
    tokio::fs::write(dir.join(&name), &bytes)
        .await
        .map_err(AppError::internal)?;
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| Ok(store::submit_background_document(tx, &id, &name, now)?))
        .await
}

#[derive(Serialize, ToSchema)]
pub struct PendingCheck {
    instructor_id: String,
    full_name: String,
    email: String,
    submitted_at: String,
    /// Admin-only download of the uploaded document.
    document_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PendingChecks {
    items: Vec<PendingCheck>,
}

#[derive(Deserialize, ToSchema)]
pub struct Decision {
    /// passed or failed.
    result: String,
    note: Option<String>,
}

/// Background checks waiting for review, oldest first.
#[utoipa::path(get, path = "/api/v1/admin/background-checks", tag = "admin", responses((status = 200, body = PendingChecks)))]
async fn pending(State(state): State<AppState>, _admin: Admin) -> AppResult<Json<PendingChecks>> {
    let rows = state
        .db
        .read(|c| Ok(store::pending_background_checks(c)?))
        .await?;
    let items = rows
        .into_iter()
        .map(|row| PendingCheck {
            document_url: row
                .document
                .map(|_| format!("/api/v1/admin/background-checks/{}/document", row.user_id)),
            instructor_id: row.user_id,
            full_name: row.full_name,
            email: row.email,
            submitted_at: rfc3339(from_db(row.submitted_at)),
        })
        .collect();
    Ok(Json(PendingChecks { items }))
}

/// Pass or fail a pending check; the instructor is told by email.
#[utoipa::path(post, path = "/api/v1/admin/background-checks/{id}", tag = "admin", request_body = Decision,
    params(("id" = String, Path, description = "instructor id")),
    responses((status = 200), (status = 404, description = "nothing pending for this instructor")))]
async fn decide(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    Json(body): Json<Decision>,
) -> AppResult<Json<serde_json::Value>> {
    let passed = match body.result.as_str() {
        "passed" => true,
        "failed" => false,
        _ => {
            return Err(AppError::invalid(
                "request.invalid_field",
                "result",
                "must be passed or failed",
            ));
        }
    };
    let note = body
        .note
        .unwrap_or_default()
        .trim()
        .chars()
        .take(500)
        .collect::<String>();
    let now = state.clock.now();
    let expires = passed.then(|| now + state.config.market.background_check_valid.chrono());
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            if !store::decide_background(tx, &id, passed, &note, to_db(now), expires.map(to_db))? {
                return Err(AppError::not_found());
            }
            let user = accounts::user_by_id(tx, &id)?.ok_or_else(AppError::not_found)?;
            let outcome = if passed { "passed" } else { "not passed" };
            let notice = Notice::new(
                "background_check_result",
                format!("background_result:{id}:{}", to_db(now)),
            )
            .var("passed", passed)
            .var("note", note.clone())
            .var(
                "expires",
                expires
                    .map(|at| at.format("%B %-d, %Y").to_string())
                    .unwrap_or_default(),
            )
            .action("/instructor/onboarding", "Open your onboarding")
            .in_app(
                "Background check",
                format!("Your background check {outcome}."),
                Some("/instructor/onboarding"),
            );
            let to = Recipient {
                user_id: &user.id,
                email: &user.email,
                name: &user.full_name,
            };
            state2.notifier.send(tx, &to, &notice, now)
        })
        .await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// The uploaded document (admins only).
#[utoipa::path(get, path = "/api/v1/admin/background-checks/{id}/document", tag = "admin",
    params(("id" = String, Path, description = "instructor id")), responses((status = 200), (status = 404)))]
async fn document(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let row = state
        .db
        .read(move |c| Ok(store::profile(c, &id)?))
        .await?
        .ok_or_else(AppError::not_found)?;
    let name = row.background_document.ok_or_else(AppError::not_found)?;
    let bytes = tokio::fs::read(media::documents_dir(state.config.data_dir()).join(&name))
        .await
        .map_err(|_| AppError::not_found())?;
    let mime = match name.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        _ => "image/jpeg",
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// Mails every instructor whose passed check expires within 30 days, once per expiry date.
async fn remind_expiring(state: &AppState) -> AppResult<()> {
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            let soon = now + Duration::days(30);
            for (id, expires_at) in store::expiring_background_checks(tx, to_db(now), to_db(soon))?
            {
                let Some(user) = accounts::user_by_id(tx, &id)? else {
                    continue;
                };
                let notice = Notice::new(
                    "background_check_expiring",
                    format!("background_expiring:{id}:{expires_at}"),
                )
                .var(
                    "expires",
                    from_db(expires_at).format("%B %-d, %Y").to_string(),
                )
                .action("/instructor/onboarding", "Upload a new document")
                .in_app(
                    "Background check expiring",
                    "Upload a new document to stay live.",
                    Some("/instructor/onboarding"),
                );
                let to = Recipient {
                    user_id: &user.id,
                    email: &user.email,
                    name: &user.full_name,
                };
                state2.notifier.send(tx, &to, &notice, now)?;
            }
            Ok(())
        })
        .await
}

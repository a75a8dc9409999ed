//! Liveness, readiness and Prometheus metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Json;
use crate::app::AppState;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::jobs;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can serve: the database answers reads and the writer commits.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, description = "not ready")))]
async fn readyz(State(state): State<AppState>) -> AppResult<Json<Health>> {
    let unready = |_| {
        AppError::new(
            ErrorKind::Unavailable,
            "not_ready",
            "The database is not answering.",
        )
    };
    state
        .db
        .read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
        .await
        .map_err(unready)?;
    state.db.write(|_| Ok(())).await.map_err(unready)?;
    Ok(Json(Health { status: "ready" }))
}

/// Prometheus text: requests by route and status, latency, jobs, database.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(state): State<AppState>) -> AppResult<impl IntoResponse> {
    let by_state = state
        .db
        .read(|c| Ok(jobs::store::count_by_state(c)?))
        .await?;
    let db_bytes = std::fs::metadata(state.db.path())
        .map(|m| m.len())
        .unwrap_or(0);
    let mut gauges: Vec<(&str, String, f64)> = ["queued", "running", "done", "dead"]
        .iter()
        .map(|s| {
            let n = by_state
                .iter()
                .find(|(state, _)| state == s)
                .map_or(0, |(_, n)| *n);
            ("jobs", format!("state=\"{s}\""), n as f64)
        })
        .collect();
    gauges.push((
        "db_write_queue_depth",
        String::new(),
        state.db.write_queue_depth() as f64,
    ));
    gauges.push(("db_file_bytes", String::new(), db_bytes as f64));
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&gauges),
    ))
}

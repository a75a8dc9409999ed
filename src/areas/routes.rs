//! `GET /api/v1/areas`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Area;
use crate::app::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(areas))
}

#[derive(Serialize, ToSchema)]
pub struct AreasResponse {
    areas: Vec<Area>,
}

/// The operator's boroughs and neighborhoods with aliases and centroids.
#[utoipa::path(get, path = "/api/v1/areas", tag = "catalog", responses((status = 200, body = AreasResponse)))]
async fn areas(State(state): State<AppState>) -> Response {
    let body = state.areas.json.clone();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

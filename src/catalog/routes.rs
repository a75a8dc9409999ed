//! `GET /api/v1/catalog` and the admin's catalog edits.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CategoryView;
use crate::app::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalog))
        .merge(super::admin::routes())
}

#[derive(Serialize, ToSchema)]
pub struct CatalogResponse {
    categories: Vec<CategoryView>,
}

/// Every visible category, subcategory and service.
#[utoipa::path(get, path = "/api/v1/catalog", tag = "catalog", responses((status = 200, body = CatalogResponse)))]
async fn catalog(State(state): State<AppState>) -> Response {
    let body = state.catalog.get().json.clone();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response()
}

//! Admin edits to the catalog: add a service, rename it, hide it, change its search terms.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AgeGroup;
use super::store::{self, NewService, ServiceChange};
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppError, AppResult};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_service))
        .routes(routes!(edit_service))
}

#[derive(Deserialize, ToSchema)]
pub struct NewServiceRequest {
    subcategory_id: String,
    slug: String,
    name: String,
    #[serde(default)]
    terms: Vec<String>,
    age_groups: Vec<AgeGroup>,
    online_capable: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceEdit {
    name: Option<String>,
    hidden: Option<bool>,
    terms: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceId {
    id: String,
}

fn clean_terms(terms: Vec<String>) -> AppResult<Vec<String>> {
    let cleaned: Vec<String> = terms
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    if cleaned.len() > 50 || cleaned.iter().any(|t| t.len() > 60) {
        return Err(AppError::invalid(
            "request.invalid_field",
            "terms",
            "at most 50 terms of at most 60 characters",
        ));
    }
    Ok(cleaned)
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "request.invalid_field",
            "name",
            "must be 1 to 80 characters",
        ));
    }
    Ok(name.to_string())
}

/// Add a service to a subcategory.
#[utoipa::path(post, path = "/api/v1/admin/catalog/services", tag = "admin", request_body = NewServiceRequest,
    responses((status = 201, body = ServiceId), (status = 409, description = "catalog.slug_taken")))]
async fn add_service(
    State(state): State<AppState>,
    _admin: Admin,
    Json(body): Json<NewServiceRequest>,
) -> AppResult<(StatusCode, Json<ServiceId>)> {
    let name = clean_name(&body.name)?;
    let terms = clean_terms(body.terms)?;
    let slug = body.slug.trim().to_lowercase();
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(AppError::invalid(
            "request.invalid_field",
            "slug",
            "use lowercase letters, digits and hyphens",
        ));
    }
    if body.age_groups.is_empty() {
        return Err(AppError::invalid(
            "request.invalid_field",
            "age_groups",
            "choose at least one",
        ));
    }
    let subcategory_id: i64 = body.subcategory_id.parse().map_err(|_| {
        AppError::invalid(
            "request.invalid_field",
            "subcategory_id",
            "no such subcategory",
        )
    })?;
    let (ages, online) = (body.age_groups, body.online_capable);
    let id = state
        .db
        .write(move |tx| {
            if !store::subcategory_exists(tx, subcategory_id)? {
                return Err(AppError::invalid(
                    "request.invalid_field",
                    "subcategory_id",
                    "no such subcategory",
                ));
            }
            let new = NewService {
                subcategory_id,
                slug: &slug,
                name: &name,
                terms: &terms,
                age_groups: &ages,
                online_capable: online,
            };
            store::insert_service(tx, &new)?.ok_or_else(|| {
                AppError::conflict("catalog.slug_taken", "A service with this slug exists.")
                    .with_field("slug", "is taken")
            })
        })
        .await?;
    state.catalog.reload(&state.db).await?;
    Ok((StatusCode::CREATED, Json(ServiceId { id: id.to_string() })))
}

/// Rename a service, hide or show it, or replace its search terms.
#[utoipa::path(patch, path = "/api/v1/admin/catalog/services/{id}", tag = "admin", request_body = ServiceEdit,
    params(("id" = String, Path)), responses((status = 204), (status = 404)))]
async fn edit_service(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    Json(body): Json<ServiceEdit>,
) -> AppResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let change = ServiceChange {
        name: body.name.as_deref().map(clean_name).transpose()?,
        hidden: body.hidden,
        terms: body.terms.map(clean_terms).transpose()?,
    };
    let found = state
        .db
        .write(move |tx| Ok(store::update_service(tx, id, &change)?))
        .await?;
    if !found {
        return Err(AppError::not_found());
    }
    state.catalog.reload(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /api/v1/admin/users`: find people by email or name.

use axum::extract::State;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::auth::{Admin, Role};
use crate::common::page::{Page, Paginated};
use crate::common::time::{from_db, rfc3339};
use crate::error::AppResult;
use crate::http::{Json, Query};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Part of an email or name.
    q: Option<String>,
    #[param(inline)]
    role: Option<Role>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminUserView {
    id: String,
    email: String,
    full_name: String,
    role: String,
    status: String,
    email_verified: bool,
    two_factor_enabled: bool,
    created_at: String,
}

/// People, newest first.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(UsersQuery),
    responses((status = 200, body = Paginated<AdminUserView>), (status = 403, description = "auth.forbidden")))]
async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    Query(q): Query<UsersQuery>,
) -> AppResult<Json<Paginated<AdminUserView>>> {
    let page = Page::new(q.page, q.per_page)?;
    let pattern =
        q.q.map(|text| format!("%{}%", text.trim().replace(['%', '_'], "")));
    let role = q.role.map(Role::as_str);
    let (items, total) = state
        .db
        .read(move |c| {
            let filter =
                "(?1 IS NULL OR email LIKE ?1 OR full_name LIKE ?1) AND (?2 IS NULL OR role = ?2)";
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM users WHERE {filter}"),
                params![pattern, role],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT id, email, full_name, role, status, email_verified_at IS NOT NULL,
                        two_factor_enabled_at IS NOT NULL, created_at
                 FROM users WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4"
            ))?;
            let items = stmt
                .query_map(params![pattern, role, page.per_page, page.offset()], |r| {
                    Ok(AdminUserView {
                        id: r.get(0)?,
                        email: r.get(1)?,
                        full_name: r.get(2)?,
                        role: r.get(3)?,
                        status: r.get(4)?,
                        email_verified: r.get(5)?,
                        two_factor_enabled: r.get(6)?,
                        created_at: rfc3339(from_db(r.get(7)?)),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, total.unsigned_abs()))
        })
        .await?;
    Ok(Json(Paginated::new(items, page, total)))
}

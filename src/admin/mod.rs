//! The admin panel's API (role admin only, enforced by the `Admin` extractor).

mod users;

use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    users::routes()
}

//! `GET /api/v1/credits`: the student's balance and grants.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::common::time::{from_db, rfc3339, to_db};
use crate::error::AppResult;
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(credits))
}

#[derive(Serialize, ToSchema)]
pub struct CreditGrant {
    id: String,
    amount_cents: i64,
    remaining_cents: i64,
    /// Why it was granted: `cancellation`, `loyalty`, `restored`, ...
    reason: String,
    expires_at: String,
    /// `active`, `used` (nothing left), `expired` or `revoked`.
    status: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Credits {
    /// What can be spent now (reserved credit is not included).
    balance_cents: i64,
    /// Credits cannot be spent while a chargeback on one of the student's payments is open.
    frozen: bool,
    items: Vec<CreditGrant>,
}

/// The caller's credit balance and every grant, newest first.
#[utoipa::path(get, path = "/api/v1/credits", tag = "payments", responses((status = 200, body = Credits)))]
async fn credits(State(state): State<AppState>, me: CurrentUser) -> AppResult<Json<Credits>> {
    let now = state.clock.now();
    let user_id = me.user.id.clone();
    let (balance, frozen, grants) = state
        .db
        .read(move |c| {
            Ok((
                store::balance(c, &user_id, now)?,
                store::is_frozen(c, &user_id)?,
                store::grants_of(c, &user_id)?,
            ))
        })
        .await?;
    let items = grants
        .into_iter()
        .map(|g| {
            let status = match g.status.as_str() {
                "active" if g.expires_at <= to_db(now) => "expired",
                "active" if g.remaining_cents == 0 => "used",
                other => other,
            };
            CreditGrant {
                status: status.to_string(),
                id: g.id,
                amount_cents: g.amount_cents,
                remaining_cents: g.remaining_cents,
                reason: g.reason,
                expires_at: rfc3339(from_db(g.expires_at)),
                created_at: rfc3339(from_db(g.created_at)),
            }
        })
        .collect();
    Ok(Json(Credits {
        balance_cents: balance,
        frozen,
        items,
    }))
}

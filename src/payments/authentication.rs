//! `POST /api/v1/payments/simulated/authenticate`: the simulated provider's stand-in for the
//! bank's authentication page that Stripe.js shows in test mode. Holding the intent's client
//! secret is what allows answering it, as with Stripe. Only with the `simulated` provider
//! (404 otherwise).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Provider;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(authenticate))
}

#[derive(Deserialize, ToSchema)]
pub struct Authenticate {
    client_secret: String,
    /// Pass (`true`) or fail (`false`) the check, like the test page's two buttons.
    succeed: bool,
}

/// Answer the test authentication of a simulated payment.
#[utoipa::path(post, path = "/api/v1/payments/simulated/authenticate", tag = "payments", request_body = Authenticate,
    responses((status = 204), (status = 404, description = "not the simulated provider"),
        (status = 422, description = "payment.nothing_to_authenticate")))]
async fn authenticate(
    State(state): State<AppState>,
    _me: CurrentUser,
    Json(body): Json<Authenticate>,
) -> AppResult<StatusCode> {
    let Provider::Simulated(sim) = &*state.payments else {
        return Err(AppError::not_found());
    };
    sim.authenticate(body.client_secret.trim(), body.succeed)
        .await
        .map_err(|_| {
            AppError::invalid(
                "payment.nothing_to_authenticate",
                "client_secret",
                "is not a payment waiting for authentication",
            )
        })?;
    Ok(StatusCode::NO_CONTENT)
}

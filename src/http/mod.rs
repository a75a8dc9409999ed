//! Router assembly: every domain's routes, the OpenAPI document built from them, the embedded
//! web app as fallback, and the middleware stack.

mod assets;
pub mod cookies;
pub mod extract;
mod health;
mod middleware;

use std::sync::OnceLock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::error::AppError;

pub use extract::{Json, Query};

#[derive(OpenApi)]
#[openapi(
    info(title = "InstaInstru API", version = "1", description = "The HTTP contract of InstaInstru (see API.md)."),
    tags(
        (name = "operations", description = "Health, metrics and the API description"),
        (name = "auth", description = "Sign-up, sign-in, sessions, two-factor, API tokens"),
        (name = "account", description = "The signed-in person's own account"),
        (name = "notifications", description = "In-app inbox and notification preferences"),
        (name = "instructors", description = "Public instructor profiles, listings and open slots"),
        (name = "instructor", description = "An instructor's own profile, services, availability and onboarding"),
        (name = "payments", description = "Saved payment methods"),
        (name = "reviews", description = "Reviews, instructor responses and tips"),
        (name = "catalog", description = "Categories, services and areas"),
        (name = "admin", description = "Administration (role admin)"),
        (name = "dev", description = "Test clock, job runner and mail outbox (development only)")
    )
)]
struct ApiDoc;

static OPENAPI_JSON: OnceLock<String> = OnceLock::new();

pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(openapi_json))
        .merge(health::routes())
        .merge(crate::auth::routes())
        .merge(crate::users::routes())
        .merge(crate::catalog::routes())
        .merge(crate::areas::routes())
        .merge(crate::instructors::routes())
        .merge(crate::availability::routes())
        .merge(crate::payments::methods::routes())
        .merge(crate::payments::webhooks::routes())
        .merge(crate::payments::authentication::routes())
        .merge(crate::credits::routes())
        .merge(crate::bookings::routes())
        .merge(crate::search::routes())
        .merge(crate::reviews::routes())
        .merge(crate::notifications::routes())
        .merge(crate::admin::routes())
        .merge(crate::dev::routes())
        .split_for_parts();
    let _ = OPENAPI_JSON.set(openapi.to_json().unwrap_or_else(|_| "{}".into()));

    let config = &state.config;
    let security = middleware::security_headers(
        config.public_url_is_https(),
        config.payments.provider == crate::config::PaymentsProvider::Stripe,
    );
    // Router::layer wraps what is already there: the first layer here is the innermost.
    let mut router = api
        .merge(crate::instructors::media_routes())
        .fallback(assets::fallback)
        .layer(DefaultBodyLimit::max(config.server.body_limit.bytes()))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.server.request_timeout.0,
        ))
        .layer(axum::middleware::from_fn(
            middleware::problem_for_bare_errors,
        ));
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::record_metrics))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    // The path only: query strings can carry tokens.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CatchPanicLayer::custom(|_| {
                    AppError::internal(anyhow::anyhow!("a request handler panicked")).into_response()
                })),
        )
        .with_state(state)
}

/// This document: every endpoint with its parameters, bodies and responses.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi_json() -> Response {
    let doc = OPENAPI_JSON.get().cloned().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

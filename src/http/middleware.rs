//! Cross-cutting HTTP behaviour: metrics per matched route, security headers, and turning any
//! bodiless error response produced by a layer (405, 408, 413, ...) into problem+json.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::error::{AppError, ErrorKind};

pub async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = match req.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_string(),
        None if req.uri().path().starts_with("/api/") => "unmatched".to_string(),
        None => "web".to_string(),
    };
    let response = next.run(req).await;
    state.metrics.record_request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The Content-Security-Policy for the app and the API: only our own origin, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The same with what Stripe.js and the Payment Element need (Stripe's documented CSP), used
/// only when the operator runs real Stripe.
const CSP_WITH_STRIPE: &str = "default-src 'self'; script-src 'self' https://js.stripe.com; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https://*.stripe.com; font-src 'self'; \
connect-src 'self' https://api.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn security_headers(https: bool, stripe: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if stripe { CSP_WITH_STRIPE } else { CSP }),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(self), payment=(self)",
            ),
        ),
    ];
    if https {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    headers
}

pub async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if status.as_u16() < 400 || response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    let (kind, code, detail) = match status.as_u16() {
        404 => (
            ErrorKind::NotFound,
            "not_found",
            "Nothing here, or not yours to see.",
        ),
        405 => (
            ErrorKind::MethodNotAllowed,
            "request.method_not_allowed",
            "This method is not allowed here.",
        ),
        408 => (
            ErrorKind::Unavailable,
            "request.timeout",
            "The request took too long.",
        ),
        413 => (
            ErrorKind::PayloadTooLarge,
            "request.too_large",
            "The request body is too large.",
        ),
        415 => (
            ErrorKind::UnsupportedMediaType,
            "request.unsupported_media_type",
            "Unsupported content type.",
        ),
        s if s < 500 => (
            ErrorKind::BadRequest,
            "request.bad",
            "The request could not be handled.",
        ),
        _ => (
            ErrorKind::Internal,
            "internal",
            "Something went wrong on our side.",
        ),
    };
    let mut problem = AppError::new(kind, code, detail).into_response();
    // Keep the exact status the layer chose (408 stays 408) and its headers (Allow on 405).
    *problem.status_mut() = status;
    let (parts, _) = response.into_parts();
    for (name, value) in &parts.headers {
        problem.headers_mut().entry(name).or_insert(value.clone());
    }
    problem
}

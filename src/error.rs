//! The one error type of the application and its only mapping to HTTP.
//!
//! Every failure a client can see is an [`AppError`]: a kind (which fixes the status), a stable
//! dotted `code` (`booking.slot_taken`), a human `detail`, and field errors for validation. It is
//! rendered as `application/problem+json` (RFC 9457) with the members API.md fixes. `Internal`
//! errors are logged with their cause and answered with a generic message: the cause never
//! reaches the client.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    PaymentRequired,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    PreconditionRequired,
    RateLimited,
    Unavailable,
    Internal,
}

#[derive(Debug, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub detail: String,
    /// Field name -> message, for validation errors.
    pub errors: BTreeMap<String, String>,
    /// Extra members a contract asks for (`current_etag`, `missing`).
    pub extra: Map<String, Value>,
    pub retry_after_secs: Option<u64>,
    #[source]
    cause: Option<anyhow::Error>,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::PaymentRequired => StatusCode::PAYMENT_REQUIRED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            detail: detail.into(),
            errors: BTreeMap::new(),
            extra: Map::new(),
            retry_after_secs: None,
            cause: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not_found",
            "Nothing here, or not yours to see.",
        )
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, code, detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, detail)
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, detail)
    }

    /// A 422 naming one field.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            ErrorKind::Unprocessable,
            code,
            format!("{field}: {message}"),
        )
        .with_field(field, message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            ErrorKind::RateLimited,
            "rate_limited",
            "Too many requests; try again later.",
        );
        err.retry_after_secs = Some(retry_after_secs.max(1));
        err
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            ErrorKind::Internal,
            "internal",
            "Something went wrong on our side.",
        );
        err.cause = Some(cause.into());
        err
    }

    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.insert(field.into(), message.into());
        self
    }

    pub fn with_extra(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The problem+json document, without headers.
    pub fn body(&self) -> Value {
        let status = self.status();
        let mut body = json!({
            "type": format!("urn:instainstru:problem:{}", self.code),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": self.detail,
            "code": self.code,
            "errors": self.errors,
        });
        if let Value::Object(map) = &mut body {
            map.extend(self.extra.clone());
        }
        body
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(err: rusqlite::Error) -> Self {
        Self::internal(err)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(
                code = self.code,
                error = format!("{cause:#}"),
                "internal error"
            );
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_document_has_the_contract_members() {
        let body = AppError::invalid("auth.weak_password", "password", "too short").body();
        assert_eq!(body["status"], 422);
        assert_eq!(body["code"], "auth.weak_password");
        assert_eq!(body["errors"]["password"], "too short");
        assert_eq!(body["title"], "Unprocessable Entity");
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .ends_with("auth.weak_password")
        );
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let err = AppError::internal(anyhow::anyhow!("disk /secret/path is full"));
        assert!(!err.body().to_string().contains("secret"));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}

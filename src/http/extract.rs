//! Request extractors whose rejections are [`AppError`]s, so a malformed request gets the same
//! problem+json shape as every other error: 400 for a body that is not JSON, 415 for another
//! content type, 413 past the size limit, 422 naming the field for a well-formed body with a
//! missing or mistyped field.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::{AppError, AppResult, ErrorKind};

/// JSON in (strict about content type) and JSON out.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(req.headers()) {
            return Err(AppError::new(
                ErrorKind::UnsupportedMediaType,
                "request.unsupported_media_type",
                "Send the body as application/json.",
            )
            .with_field("Content-Type", "must be application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query string parameters; a bad value is a 422 naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let raw = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|err| {
                let field = err.path().to_string();
                AppError::invalid(
                    "request.invalid_query",
                    &field,
                    err.into_inner().to_string(),
                )
            })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn body_error(rejection: BytesRejection) -> AppError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(
            ErrorKind::PayloadTooLarge,
            "request.too_large",
            "The request body is too large.",
        )
    } else {
        AppError::bad_request(
            "request.unreadable_body",
            "The request body could not be read.",
        )
    }
}

/// Parses a JSON body, naming the offending field when the JSON is valid but the data is not.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            Category::Data => data_error(&path, &inner),
            _ => malformed(&inner),
        }
    })?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(err: &serde_json::Error) -> AppError {
    AppError::bad_request(
        "request.malformed_json",
        format!("The body is not valid JSON: {err}"),
    )
}

fn data_error(path: &str, err: &serde_json::Error) -> AppError {
    // serde reports a missing field at its parent's path, with the name in the message.
    let message = err.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string);
    let field = match (missing, path) {
        (Some(name), "." | "") => name,
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => "body".to_string(),
        (None, path) => path.to_string(),
    };
    AppError::invalid("request.invalid_field", &field, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Signup {
        email: String,
        age: u8,
        address: Option<Address>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        zip: String,
    }

    #[test]
    fn syntax_errors_are_400() {
        let err = parse_json::<Signup>(b"{\"email\": ").unwrap_err();
        assert_eq!(err.status(), 400);
        assert_eq!(err.code, "request.malformed_json");
        assert_eq!(
            parse_json::<Signup>(br#"{"email": "a@b.c", "age": 1} trailing"#)
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn data_errors_name_the_field() {
        let err = parse_json::<Signup>(br#"{"age": 3}"#).unwrap_err();
        assert_eq!(err.status(), 422);
        assert!(err.errors.contains_key("email"), "{:?}", err.errors);

        let err = parse_json::<Signup>(br#"{"email": "a@b.c", "age": "old"}"#).unwrap_err();
        assert!(err.errors.contains_key("age"), "{:?}", err.errors);

        let err =
            parse_json::<Signup>(br#"{"email": "a@b.c", "age": 3, "address": {}}"#).unwrap_err();
        assert!(err.errors.contains_key("address.zip"), "{:?}", err.errors);
    }
}

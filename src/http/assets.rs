//! The compiled web app (`web/dist`), embedded in the binary. Hashed files under `assets/` are
//! cached forever; everything else, index.html above all, is revalidated on each load. Paths
//! that are not files get index.html so client-side routes work on reload; unknown `/api/...`
//! paths get a 404 problem instead.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::{EmbeddedFile, RustEmbed};

use crate::error::{AppError, ErrorKind};

#[derive(RustEmbed)]
#[folder = "web/dist/"]
struct Dist;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return AppError::new(
            ErrorKind::NotFound,
            "not_found",
            format!("No API endpoint at {}.", uri.path()),
        )
        .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return AppError::new(
            ErrorKind::MethodNotAllowed,
            "request.method_not_allowed",
            "Only GET here.",
        )
        .into_response();
    }
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        let cache = if path.starts_with("assets/") {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        return serve(&file, cache, &headers);
    }
    if path.starts_with("assets/") {
        return AppError::not_found().into_response();
    }
    match Dist::get("index.html") {
        Some(index) => serve(&index, REVALIDATE, &headers),
        None => AppError::new(
            ErrorKind::Unavailable,
            "web.missing",
            "The web app was not built into this binary.",
        )
        .into_response(),
    }
}

fn serve(file: &EmbeddedFile, cache: &'static str, request: &HeaderMap) -> Response {
    let hash = file.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime == "application/javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    (headers, Body::from(file.data.clone())).into_response()
}

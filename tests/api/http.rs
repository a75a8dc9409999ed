//! The HTTP shell: health, errors as problem+json, the embedded web app, headers, metrics,
//! the OpenAPI document.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn unknown_api_path_is_a_404_problem() {
    let app = TestApp::spawn().await;
    assert_problem(app.get("/api/v1/no/such/thing").await, 404, "not_found").await;
    assert_problem(
        app.post_json("/api/v1/nope", &json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn client_routes_get_the_web_app() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/instructors/anything",
        "/search?q=piano",
        "/account/settings",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(
            html.to_lowercase().starts_with("<!doctype html"),
            "{path}: {html}"
        );
    }
}

/// The first `/assets/...` reference in index.html.
async fn first_hashed_asset(app: &TestApp) -> String {
    let html = app.get("/").await.text().await.unwrap();
    let start = html
        .find("/assets/")
        .expect("index.html references a hashed asset");
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_compressed() {
    let app = TestApp::spawn().await;
    let asset = first_hashed_asset(&app).await;
    for encoding in ["br", "gzip"] {
        let response = app
            .client
            .get(format!("{}{asset}", app.url))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.headers()[header::CONTENT_ENCODING], encoding);
    }
    let etag = app.get(&asset).await.headers()[header::ETAG].clone();
    let revalidated = app
        .client
        .get(format!("{}{asset}", app.url))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_problem(app.get("/assets/missing-0000.js").await, 404, "not_found").await;
}

#[tokio::test]
async fn responses_carry_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    let headers = response.headers();
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        headers[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin"
    );
    assert!(headers.get("x-request-id").is_some());
    assert!(
        headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
        "no HSTS over http"
    );

    let https =
        TestApp::spawn_with(|c| c.server.public_url = "https://instainstru.example".into()).await;
    let response = https.get("/healthz").await;
    assert!(
        response.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_problem_never_a_500() {
    let app = TestApp::spawn().await;
    let body = assert_problem(
        app.post_raw("/api/v1/dev/clock", "application/json", "{\"now\": ")
            .await,
        400,
        "request.malformed_json",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
    assert_problem(
        app.post_raw("/api/v1/dev/clock", "text/plain", "{}").await,
        415,
        "request.unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn a_mistyped_field_is_named_in_a_422() {
    let app = TestApp::spawn().await;
    let body = assert_problem(
        app.post_json("/api/v1/dev/clock", &json!({"advance_seconds": "soon"}))
            .await,
        422,
        "request.invalid_field",
    )
    .await;
    assert!(body["errors"]["advance_seconds"].is_string(), "{body}");
    let body = assert_problem(
        app.post_json("/api/v1/dev/clock", &json!({"now": "next tuesday"}))
            .await,
        422,
        "request.invalid_field",
    )
    .await;
    assert!(
        body["errors"]["now"].as_str().unwrap().contains("RFC 3339"),
        "{body}"
    );
}

#[tokio::test]
async fn oversized_bodies_and_wrong_methods_get_problems() {
    let app = TestApp::spawn_with(|c| c.server.body_limit = "1KB".parse().unwrap()).await;
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(4096));
    assert_problem(
        app.post_raw("/api/v1/dev/clock", "application/json", big)
            .await,
        413,
        "request.too_large",
    )
    .await;
    let response = app.post_json("/healthz", &json!({})).await;
    assert!(response.headers().get(header::ALLOW).is_some());
    assert_problem(response, 405, "request.method_not_allowed").await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    app.get("/api/v1/missing").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{route="/healthz",method="GET",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{route="unmatched",method="GET",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_count{route="/healthz"} 2"#),
        "{text}"
    );
    assert!(text.contains(r#"jobs{state="queued"}"#), "{text}");
    assert!(text.contains("db_file_bytes"), "{text}");
}

#[tokio::test]
async fn openapi_document_covers_the_endpoints() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/openapi.json",
        "/api/v1/dev/clock",
        "/api/v1/dev/jobs/run",
        "/api/v1/dev/outbox",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["paths"]["/api/v1/dev/clock"].get("post").is_some());
}

/// The web app generates its API types from a committed copy of the OpenAPI document; this
/// keeps that copy equal to what the server serves. Refresh it with
/// `UPDATE_OPENAPI=1 cargo test --test api openapi_copy`.
#[tokio::test]
async fn the_web_apps_openapi_copy_is_current() {
    let app = TestApp::spawn().await;
    let served: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/src/lib/api/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "web/src/lib/api/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test api openapi_copy`, then `npm run build` in web/"
    );
}

//! The test clock and the outbox endpoints.

use serde_json::{Value, json};

use crate::helpers::{START, TestApp, assert_problem};
use instainstru::config::EmailTransport;

#[tokio::test]
async fn the_clock_can_be_read_set_and_advanced() {
    let app = TestApp::spawn().await;
    let now: Value = app.get("/api/v1/dev/clock").await.json().await.unwrap();
    assert_eq!(now["now"], START);

    let set = app
        .post_json("/api/v1/dev/clock", &json!({"now": "2027-01-15T09:30:00Z"}))
        .await;
    assert_eq!(set.status(), 200);
    assert_eq!(
        set.json::<Value>().await.unwrap()["now"],
        "2027-01-15T09:30:00Z"
    );

    assert_eq!(app.advance(90).await["now"], "2027-01-15T09:31:30Z");
    let now: Value = app.get("/api/v1/dev/clock").await.json().await.unwrap();
    assert_eq!(now["now"], "2027-01-15T09:31:30Z");
}

#[tokio::test]
async fn the_clock_needs_exactly_one_instruction() {
    let app = TestApp::spawn().await;
    assert_problem(
        app.post_json("/api/v1/dev/clock", &json!({})).await,
        422,
        "dev.invalid_clock",
    )
    .await;
    let both = json!({"now": START, "advance_seconds": 5});
    assert_problem(
        app.post_json("/api/v1/dev/clock", &both).await,
        422,
        "dev.invalid_clock",
    )
    .await;
    let body = assert_problem(
        app.post_json("/api/v1/dev/clock", &json!({"advance_seconds": -5}))
            .await,
        422,
        "dev.invalid_clock",
    )
    .await;
    assert!(body["errors"]["advance_seconds"].is_string());
}

#[tokio::test]
async fn dev_endpoints_are_404_when_the_test_clock_is_off() {
    let app = TestApp::spawn_with(|c| c.dev.test_clock = false).await;
    assert_problem(app.get("/api/v1/dev/clock").await, 404, "not_found").await;
    assert_problem(
        app.post_json("/api/v1/dev/clock", &json!({"advance_seconds": 1}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/dev/jobs/run", &json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_outbox_is_404_unless_it_is_the_transport() {
    let app = TestApp::spawn_with(|c| c.email.transport = EmailTransport::Log).await;
    assert_problem(app.get("/api/v1/dev/outbox").await, 404, "not_found").await;
}

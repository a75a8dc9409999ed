//! Stripe webhooks: signatures checked against our clock, each event processed once, and
//! out-of-order delivery reaching the same state.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, assert_problem};

const SECRET: &str = "whsec_test_platform";

async fn stripe_app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.payments.provider = instainstru::config::PaymentsProvider::Stripe;
        c.payments.stripe.secret_key = "sk_test_x".into();
        c.payments.stripe.publishable_key = "pk_test_x".into();
        c.payments.stripe.webhook_secret = SECRET.into();
        c.payments.stripe.api_base = "http://127.0.0.1:9".into();
    })
    .await
}

/// A `Stripe-Signature` header for `body` signed with `secret` at `t`.
pub fn signature(body: &str, secret: &str, t: i64) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

async fn deliver(app: &TestApp, event: &Value, secret: &str, t: i64) -> reqwest::Response {
    let body = event.to_string();
    app.client
        .post(format!("{}/api/v1/webhooks/stripe", app.url))
        .header("Stripe-Signature", signature(&body, secret, t))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn account_event(id: &str, created: i64, ready: bool) -> Value {
    json!({
        "id": id, "object": "event", "type": "account.updated", "created": created,
        "data": {"object": {"id": "acct_1Teacher", "object": "account", "charges_enabled": ready, "payouts_enabled": ready}},
    })
}

async fn payouts_status(app: &TestApp) -> String {
    app.state
        .db
        .read(|c| {
            Ok(
                c.query_row("SELECT payouts_status FROM instructor_profiles", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .unwrap()
}

fn now(app: &TestApp) -> i64 {
    app.state.clock.now().timestamp()
}

#[tokio::test]
async fn events_need_a_fresh_valid_signature_and_count_once() {
    let app = stripe_app().await;
    let teacher = app.sign_up("t@example.com", "instructor").await;
    teacher.json("/api/v1/instructor/profile").await;
    app.state
        .db
        .write(|tx| Ok(tx.execute("UPDATE instructor_profiles SET payouts_account = 'acct_1Teacher', payouts_status = 'pending'", [])?))
        .await
        .unwrap();
    let ready = account_event("evt_1", now(&app), true);
    assert_problem(
        deliver(&app, &ready, "whsec_wrong", now(&app)).await,
        400,
        "webhook.bad_signature",
    )
    .await;
    assert_problem(
        deliver(&app, &ready, SECRET, now(&app) - 301).await,
        400,
        "webhook.bad_signature",
    )
    .await;
    let unsigned = app.post_json("/api/v1/webhooks/stripe", &ready).await;
    assert_problem(unsigned, 400, "webhook.bad_signature").await;
    assert_eq!(payouts_status(&app).await, "pending", "nothing happened");

    let first: Value = deliver(&app, &ready, SECRET, now(&app))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first, json!({"received": true, "duplicate": false}));
    assert_eq!(payouts_status(&app).await, "complete");
    let again: Value = deliver(&app, &ready, SECRET, now(&app))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["duplicate"], true);
    let stored: i64 = app
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM stripe_events", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(stored, 1);

    let unknown = json!({"id": "evt_2", "type": "radar.early_fraud_warning.created", "created": now(&app), "data": {"object": {}}});
    assert_eq!(
        deliver(&app, &unknown, SECRET, now(&app)).await.status(),
        200,
        "unknown types are accepted"
    );
    let kept: (String, bool) = app
        .state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT payload, handled FROM stripe_events WHERE id = 'evt_2'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&kept.0).unwrap()["type"],
        "radar.early_fraud_warning.created"
    );
    assert!(!kept.1, "kept for later reconciliation");
}

#[tokio::test]
async fn events_delivered_in_reverse_order_reach_the_same_state() {
    let app = stripe_app().await;
    let teacher = app.sign_up("t@example.com", "instructor").await;
    teacher.json("/api/v1/instructor/profile").await;
    app.state
        .db
        .write(|tx| {
            Ok(tx.execute(
                "UPDATE instructor_profiles SET payouts_account = 'acct_1Teacher'",
                [],
            )?)
        })
        .await
        .unwrap();
    let t = now(&app);
    let older = account_event("evt_old", t - 100, false);
    let newer = account_event("evt_new", t - 10, true);
    deliver(&app, &newer, SECRET, t).await;
    deliver(&app, &older, SECRET, t).await;
    assert_eq!(
        payouts_status(&app).await,
        "complete",
        "the older event does not undo the newer"
    );
}

#[tokio::test]
async fn the_endpoint_is_off_with_the_simulated_provider() {
    let app = TestApp::spawn().await;
    let event = account_event("evt_1", now(&app), true);
    assert_eq!(deliver(&app, &event, SECRET, now(&app)).await.status(), 404);
}

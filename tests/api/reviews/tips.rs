//! Tips: 100% to the instructor (no application fee at the provider, equal `tip_capture` and
//! `instructor_payout` rows, full amount in earnings), refused cards, the bank's check, bounds
//! and Idempotency-Key replays. The lesson (60 min, $78.40 on the card) is authorised at T-24h.

use serde_json::{Value, json};

use super::{completed_lesson, review, reviewed};
use crate::helpers::browser::Browser;
use crate::helpers::{TestApp, assert_problem};

/// Saves `payment_method` for the student; returns the saved card's id.
async fn save_card(student: &Browser, payment_method: &str) -> String {
    let saved = student
        .post(
            "/api/v1/payments/methods",
            &json!({ "payment_method_id": payment_method }),
        )
        .await;
    assert_eq!(saved.status(), 201);
    saved.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_tip_goes_wholly_to_the_instructor_in_the_ledger_and_in_earnings() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let created = reviewed(
        &student,
        &b,
        &json!({"rating": 5, "text": "Best lesson yet", "tip_cents": 1000}),
    )
    .await;
    let tip = &created["tip"];
    assert_eq!(
        (tip["status"].as_str(), tip["amount_cents"].as_i64()),
        (Some("captured"), Some(1000))
    );
    assert!(tip.get("client_secret").is_none());
    assert_eq!(
        app.provider_calls().await,
        ["authorize 7840", "authorize 1000", "capture 0"],
        "the tip is captured with no application fee"
    );
    assert_eq!(app.ledger_sum("tip_capture", Some(&b)).await, 1000);
    assert_eq!(app.ledger_sum("instructor_payout", Some(&b)).await, 1000);
    app.assert_ledger_balances().await;

    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(earnings["items"][0]["tip_cents"], 1000);
    assert_eq!(earnings["items"][0]["net_cents"], 5950);
    assert_eq!(earnings["totals"]["tip_cents"], 1000);
    assert_eq!(
        earnings["totals"]["paid_cents"], 1000,
        "a tip is paid with its charge"
    );
    assert_eq!(earnings["totals"]["scheduled_cents"], 5950);

    // The lesson settles a day after it ends; the tip is untouched by it.
    app.travel_to("2026-12-03T16:00:00Z").await;
    assert_eq!(
        app.ledger_sum("instructor_payout", Some(&b)).await,
        5950 + 1000
    );
    assert_eq!(app.ledger_sum("platform_fee", Some(&b)).await, 840);
    assert_eq!(app.ledger_sum("commission", Some(&b)).await, 1050);
    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(earnings["totals"]["paid_cents"], 5950 + 1000);
    let csv = teacher
        .get("/api/v1/instructor/earnings.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains(",70.00,10.50,59.50,10.00\r\n"), "{csv}");

    let receipt = app.last_email("ada@example.com", "tip_receipt").await;
    assert!(
        receipt["subject"].as_str().unwrap().contains("$10.00"),
        "{receipt}"
    );
    assert!(
        receipt["text"].as_str().unwrap().contains("no fee"),
        "{receipt}"
    );
    let received = app.last_email("clara@example.com", "tip_received").await;
    assert!(
        received["subject"]
            .as_str()
            .unwrap()
            .contains("tipped you $10.00"),
        "{received}"
    );
    let reviewed_mail = app.last_email("clara@example.com", "review_received").await;
    assert!(
        reviewed_mail["text"]
            .as_str()
            .unwrap()
            .contains("Best lesson yet")
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_refused_tip_keeps_the_review_and_may_be_tried_again_with_another_card() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let refused_card = save_card(&student, "pm_card_chargeDeclined").await;
    let created = reviewed(
        &student,
        &b,
        &json!({"rating": 4, "tip_cents": 500, "payment_method_id": refused_card}),
    )
    .await;
    assert_eq!(created["review"]["rating"], 4);
    assert_eq!(
        (
            created["tip"]["status"].as_str(),
            created["tip"]["decline_code"].as_str()
        ),
        (Some("failed"), Some("generic_decline"))
    );
    assert_eq!(app.ledger_sum("tip_capture", None).await, 0);
    let reloaded = student.json(&format!("/api/v1/bookings/{b}/review")).await;
    assert_eq!(reloaded["rating"], 4, "the review stands");
    assert_eq!(
        (
            reloaded["tip"]["status"].as_str(),
            reloaded["tip"]["amount_cents"].as_i64()
        ),
        (Some("failed"), Some(500)),
        "the tip's outcome is there after a reload"
    );
    assert!(
        teacher.json(&format!("/api/v1/bookings/{b}/review")).await["tip"].is_null(),
        "the student's payment details are theirs"
    );

    let tip_path = format!("/api/v1/bookings/{b}/tip");
    assert_problem(
        student
            .post(
                &tip_path,
                &json!({"tip_cents": 500, "payment_method_id": "pm_card_visa_unsaved"}),
            )
            .await,
        422,
        "payment.invalid_method",
    )
    .await;
    // By default the lesson's own card, which works.
    let again = student.post(&tip_path, &json!({"tip_cents": 500})).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap()["status"], "captured");
    assert_eq!(app.ledger_sum("tip_capture", Some(&b)).await, 500);
    assert_problem(
        student.post(&tip_path, &json!({"tip_cents": 500})).await,
        409,
        "tip.exists",
    )
    .await;
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_tip_the_bank_wants_confirmed_returns_the_client_secret_and_charges_nothing_yet() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let (stranger, _) = app.student("bob@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let sca_card = save_card(&student, "pm_card_authenticationRequired").await;
    let created = reviewed(
        &student,
        &b,
        &json!({"rating": 5, "tip_cents": 2000, "payment_method_id": sca_card}),
    )
    .await;
    let tip = &created["tip"];
    assert_eq!(tip["status"], "requires_action");
    assert!(
        tip["client_secret"].as_str().is_some_and(|s| !s.is_empty()),
        "{tip}"
    );
    assert_eq!(app.ledger_sum("tip_capture", None).await, 0);

    let confirm = format!("/api/v1/tips/{}/confirm", tip["id"].as_str().unwrap());
    assert_problem(stranger.post(&confirm, &json!({})).await, 404, "not_found").await;
    // The simulated provider has no browser to complete the check in: it stays unconfirmed.
    assert_problem(
        student.post(&confirm, &json!({})).await,
        422,
        "tip.requires_action",
    )
    .await;
    assert_eq!(app.ledger_sum("tip_capture", None).await, 0);
    // An unfinished check does not block tipping with another card.
    let other = student
        .post(
            &format!("/api/v1/bookings/{b}/tip"),
            &json!({"tip_cents": 2000}),
        )
        .await;
    assert_eq!(other.json::<Value>().await.unwrap()["status"], "captured");
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn tips_are_between_one_cent_and_500_dollars() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    for cents in [0, -500, 50_001] {
        let problem = assert_problem(
            review(&student, &b, &json!({"rating": 5, "tip_cents": cents})).await,
            422,
            "tip.invalid_amount",
        )
        .await;
        assert!(problem["errors"]["tip_cents"].is_string(), "{problem}");
    }
    assert_eq!(
        student
            .get(&format!("/api/v1/bookings/{b}/review"))
            .await
            .status(),
        404
    );
    let created = reviewed(&student, &b, &json!({"rating": 5, "tip_cents": 50_000})).await;
    assert_eq!(created["tip"]["status"], "captured");
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_same_idempotency_key_replays_the_review_and_charges_the_tip_once() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let send = |body: Value| {
        student
            .client
            .post(format!("{}/api/v1/bookings/{b}/review", student.base))
            .header("X-CSRF-Token", student.csrf.clone().unwrap())
            .header("Idempotency-Key", "review-1")
            .json(&body)
            .send()
    };
    let body = json!({"rating": 5, "text": "Thanks!", "tip_cents": 700});
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let calls = app.provider_calls().await.len();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["review"]["id"], first["review"]["id"]);
    assert_eq!(again["tip"], first["tip"]);
    assert_eq!(
        app.provider_calls().await.len(),
        calls,
        "nothing charged again"
    );
    assert_eq!(app.ledger_sum("tip_capture", Some(&b)).await, 700);
    let mut changed = body.clone();
    changed["tip_cents"] = json!(900);
    assert_problem(send(changed).await.unwrap(), 422, "idempotency.key_reused").await;
    app.assert_ledger_balances().await;
}

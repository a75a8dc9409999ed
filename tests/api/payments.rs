//! Saved payment methods.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn students_save_cards_and_the_first_is_the_default() {
    let app = TestApp::spawn().await;
    let student = app.sign_up("s@example.com", "student").await;
    let other = app.sign_up("o@example.com", "student").await;
    let instructor = app.sign_up("t@example.com", "instructor").await;
    assert_eq!(
        student.json("/api/v1/payments/methods").await["items"],
        json!([])
    );

    let visa = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_visa"}),
        )
        .await;
    assert_eq!(visa.status(), 201);
    let visa: Value = visa.json().await.unwrap();
    assert_eq!(
        (
            visa["brand"].as_str(),
            visa["last4"].as_str(),
            visa["is_default"].as_bool()
        ),
        (Some("visa"), Some("4242"), Some(true))
    );
    let mastercard: Value = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_mastercard"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mastercard["is_default"], false);
    let again: Value = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_visa"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], visa["id"], "saving a card twice keeps one");
    let items = student.json("/api/v1/payments/methods").await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], visa["id"]);

    let bogus = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_nope"}),
        )
        .await;
    assert!(
        assert_problem(bogus, 422, "payment.invalid_method").await["errors"]["payment_method_id"]
            .is_string()
    );
    assert_eq!(
        other.json("/api/v1/payments/methods").await["items"],
        json!([]),
        "each student sees only their own"
    );
    assert_problem(
        instructor.get("/api/v1/payments/methods").await,
        403,
        "auth.forbidden",
    )
    .await;
}

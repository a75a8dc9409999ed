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

#[tokio::test]
async fn students_choose_their_default_card_and_remove_cards_but_only_their_own() {
    let app = TestApp::spawn().await;
    let student = app.sign_up("s@example.com", "student").await;
    let other = app.sign_up("o@example.com", "student").await;
    let visa: Value = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_visa"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let master: Value = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_mastercard"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let master_id = master["id"].as_str().unwrap();
    assert_eq!(
        other
            .post(
                &format!("/api/v1/payments/methods/{master_id}/default"),
                &json!({})
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        other
            .delete(&format!("/api/v1/payments/methods/{master_id}"))
            .await
            .status(),
        404
    );
    let chosen: Value = student
        .post(
            &format!("/api/v1/payments/methods/{master_id}/default"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        chosen["items"][0]["id"], master["id"],
        "the default is listed first"
    );
    assert_eq!(chosen["items"][0]["is_default"], true);
    assert_eq!(chosen["items"][1]["is_default"], false);
    assert_eq!(
        student
            .delete(&format!("/api/v1/payments/methods/{master_id}"))
            .await
            .status(),
        204
    );
    let left = student.json("/api/v1/payments/methods").await;
    assert_eq!(
        left["items"],
        json!([{"id": visa["id"], "brand": "visa", "last4": "4242", "is_default": true}])
    );
}

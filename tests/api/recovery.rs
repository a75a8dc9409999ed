//! Email verification, password reset and password change.

use serde_json::json;

use crate::helpers::browser::PASSWORD;
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn the_emailed_link_verifies_the_email_once() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let email = app.last_email("ada@example.com", "verify_email").await;
    assert_eq!(email["subject"], "Confirm your email address");
    assert!(
        email["html"]
            .as_str()
            .unwrap()
            .contains("/verify-email?token=")
    );
    let token = app.emailed_token("ada@example.com", "verify_email").await;

    let verified = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(verified.status(), 200);
    assert_eq!(
        browser.json("/api/v1/auth/me").await["user"]["email_verified"],
        true
    );
    let again = app
        .post_json("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert!(assert_problem(again, 422, "auth.invalid_token").await["errors"]["token"].is_string());
}

#[tokio::test]
async fn verification_links_expire_after_24_hours_and_can_be_resent() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let old = app.emailed_token("ada@example.com", "verify_email").await;
    app.advance(24 * 3600).await;
    assert_problem(
        app.post_json("/api/v1/auth/verify-email", &json!({"token": old}))
            .await,
        422,
        "auth.invalid_token",
    )
    .await;

    assert_eq!(
        browser
            .post("/api/v1/auth/verify-email/resend", &json!({}))
            .await
            .status(),
        202
    );
    let fresh = app.emailed_token("ada@example.com", "verify_email").await;
    assert_ne!(fresh, old);
    assert_eq!(
        app.post_json("/api/v1/auth/verify-email", &json!({"token": fresh}))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn resending_verification_is_rate_limited() {
    let app = TestApp::spawn_with(|c| c.auth.verification_emails_per_hour = 2).await;
    let browser = app.sign_up("ada@example.com", "student").await;
    for _ in 0..2 {
        assert_eq!(
            browser
                .post("/api/v1/auth/verify-email/resend", &json!({}))
                .await
                .status(),
            202
        );
    }
    assert_problem(
        browser
            .post("/api/v1/auth/verify-email/resend", &json!({}))
            .await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn reset_requests_never_reveal_whether_an_email_exists() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com", "student").await;
    let known = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "ada@example.com"}),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "ghost@example.com"}),
        )
        .await;
    let malformed = app
        .post_json(
            "/api/v1/auth/password-reset",
            &json!({"email": "not an email"}),
        )
        .await;
    for response in [&known, &unknown, &malformed] {
        assert_eq!(response.status(), 202);
    }
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    app.run_jobs().await;
    assert!(app.outbox("ghost@example.com").await.is_empty());
    app.last_email("ada@example.com", "password_reset").await;
}

#[tokio::test]
async fn a_reset_token_sets_the_password_once_and_signs_out_everywhere() {
    let app = TestApp::spawn().await;
    let old_session = app.sign_up("ada@example.com", "student").await;
    app.post_json(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;
    let token = app.emailed_token("ada@example.com", "password_reset").await;

    let weak = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "123"}),
        )
        .await;
    assert_problem(weak, 422, "auth.weak_password").await;
    let new_password = "a brand new passphrase";
    let ok = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": new_password}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let reuse = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "another new passphrase"}),
        )
        .await;
    assert_problem(reuse, 422, "auth.invalid_token").await;

    assert_eq!(
        old_session.get("/api/v1/auth/me").await.status(),
        401,
        "signed out everywhere"
    );
    let mut browser = app.browser();
    assert_eq!(
        browser.log_in("ada@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        browser
            .log_in("ada@example.com", new_password)
            .await
            .status(),
        200
    );
    assert_eq!(
        browser.json("/api/v1/auth/me").await["user"]["email_verified"],
        true
    );
}

#[tokio::test]
async fn reset_links_last_one_hour() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com", "student").await;
    app.post_json(
        "/api/v1/auth/password-reset",
        &json!({"email": "ada@example.com"}),
    )
    .await;
    let token = app.emailed_token("ada@example.com", "password_reset").await;
    app.advance(3600).await;
    let late = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "a brand new passphrase"}),
        )
        .await;
    assert_problem(late, 422, "auth.invalid_token").await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let mut other = app.browser();
    other.log_in("ada@example.com", PASSWORD).await;

    let wrong = browser
        .post(
            "/api/v1/auth/password",
            &json!({"current_password": "wrong one!", "new_password": "a brand new passphrase"}),
        )
        .await;
    assert!(
        assert_problem(wrong, 422, "auth.wrong_password").await["errors"]["current_password"]
            .is_string()
    );
    let weak = browser
        .post(
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "qwerty123456"}),
        )
        .await;
    assert!(
        assert_problem(weak, 422, "auth.weak_password").await["errors"]["new_password"].is_string()
    );
    let ok = browser
        .post(
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        browser.get("/api/v1/auth/me").await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        other.get("/api/v1/auth/me").await.status(),
        401,
        "the other one ends"
    );
}

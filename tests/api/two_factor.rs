//! TOTP two-factor: enrolment, two-step sign-in, replay, backup codes, trusted devices, disable.

use instainstru::auth::totp;
use serde_json::{Value, json};

use crate::helpers::browser::{Browser, PASSWORD};
use crate::helpers::{TestApp, assert_problem};

/// The current code for `secret` on the app's clock.
fn code(app: &TestApp, secret: &str) -> String {
    totp::code_at(secret, app.state.clock.now().timestamp()).unwrap()
}

/// Signs up and turns 2FA on; returns the browser, the secret and the backup codes.
async fn enrolled(app: &TestApp, email: &str) -> (Browser, String, Vec<String>) {
    let browser = app.sign_up(email, "student").await;
    let setup = browser.post("/api/v1/auth/2fa/setup", &json!({})).await;
    assert_eq!(setup.status(), 200);
    let setup: Value = setup.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/InstaInstru:")
    );
    assert!(setup["qr_png_base64"].as_str().unwrap().len() > 100);

    let wrong = browser
        .post("/api/v1/auth/2fa/enable", &json!({"code": "000000"}))
        .await;
    assert!(assert_problem(wrong, 422, "auth.invalid_code").await["errors"]["code"].is_string());
    let enabled = browser
        .post(
            "/api/v1/auth/2fa/enable",
            &json!({"code": code(app, &secret)}),
        )
        .await;
    assert_eq!(enabled.status(), 200);
    let codes: Vec<String> = enabled.json::<Value>().await.unwrap()["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        browser.json("/api/v1/auth/me").await["user"]["two_factor_enabled"],
        true
    );
    (browser, secret, codes)
}

async fn password_step(app: &TestApp, browser: &mut Browser, email: &str) -> String {
    let response = browser.log_in(email, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["two_factor_required"], true, "{body}");
    assert!(
        body.get("user").is_none(),
        "no session before the second factor"
    );
    let _ = app;
    body["challenge"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn sign_in_with_a_real_totp_code_and_codes_work_once() {
    let app = TestApp::spawn().await;
    let (_, secret, _) = enrolled(&app, "ada@example.com").await;
    assert_eq!(
        app.last_email("ada@example.com", "two_factor_enabled")
            .await["subject"],
        "Two-factor authentication is on"
    );

    app.advance(60).await;
    let mut browser = app.browser();
    let challenge = password_step(&app, &mut browser, "ada@example.com").await;
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    let wrong = browser
        .second_factor(&json!({"challenge": challenge, "code": "123456"}))
        .await;
    assert_problem(wrong, 401, "auth.invalid_code").await;
    let current = code(&app, &secret);
    let ok = browser
        .second_factor(&json!({"challenge": challenge, "code": current}))
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        browser.json("/api/v1/auth/me").await["user"]["email"],
        "ada@example.com"
    );

    // The same code cannot sign in again (replay), nor can the used challenge.
    let mut replay = app.browser();
    let second = password_step(&app, &mut replay, "ada@example.com").await;
    assert_problem(
        replay
            .second_factor(&json!({"challenge": second, "code": current}))
            .await,
        401,
        "auth.invalid_code",
    )
    .await;
    let used = browser
        .second_factor(&json!({"challenge": challenge, "code": code(&app, &secret)}))
        .await;
    assert_problem(used, 401, "auth.challenge_expired").await;
}

#[tokio::test]
async fn backup_codes_work_once_and_can_be_regenerated() {
    let app = TestApp::spawn().await;
    let (browser, secret, codes) = enrolled(&app, "ada@example.com").await;

    let mut other = app.browser();
    let first = password_step(&app, &mut other, "ada@example.com").await;
    let typed = codes[0].to_uppercase().replace('-', " ");
    assert_eq!(
        other
            .second_factor(&json!({"challenge": first, "backup_code": typed}))
            .await
            .status(),
        200
    );

    let mut again = app.browser();
    let second = password_step(&app, &mut again, "ada@example.com").await;
    let reuse = again
        .second_factor(&json!({"challenge": second, "backup_code": codes[0]}))
        .await;
    assert_problem(reuse, 401, "auth.invalid_code").await;

    app.advance(30).await;
    let fresh = browser
        .post(
            "/api/v1/auth/2fa/backup-codes",
            &json!({"code": code(&app, &secret)}),
        )
        .await;
    assert_eq!(fresh.status(), 200);
    let third = password_step(&app, &mut again, "ada@example.com").await;
    let old = again
        .second_factor(&json!({"challenge": third, "backup_code": codes[1]}))
        .await;
    assert_problem(old, 401, "auth.invalid_code").await;
}

#[tokio::test]
async fn a_challenge_expires_and_allows_five_wrong_codes() {
    let app = TestApp::spawn().await;
    let (_, secret, _) = enrolled(&app, "ada@example.com").await;
    app.advance(30).await;
    let mut browser = app.browser();
    let c = password_step(&app, &mut browser, "ada@example.com").await;
    for _ in 0..5 {
        browser
            .second_factor(&json!({"challenge": c, "code": "999999"}))
            .await;
    }
    let after = browser
        .second_factor(&json!({"challenge": c, "code": code(&app, &secret)}))
        .await;
    assert_problem(after, 401, "auth.challenge_expired").await;

    let late = password_step(&app, &mut browser, "ada@example.com").await;
    app.advance(301).await;
    let expired = browser
        .second_factor(&json!({"challenge": late, "code": code(&app, &secret)}))
        .await;
    assert_problem(expired, 401, "auth.challenge_expired").await;
}

#[tokio::test]
async fn a_trusted_device_skips_the_second_factor_for_30_days() {
    let app = TestApp::spawn().await;
    let (_, secret, _) = enrolled(&app, "ada@example.com").await;
    app.advance(30).await;
    let mut laptop = app.browser();
    let c = password_step(&app, &mut laptop, "ada@example.com").await;
    let body = json!({"challenge": c, "code": code(&app, &secret), "trust_device": true});
    assert_eq!(laptop.second_factor(&body).await.status(), 200);
    laptop.post("/api/v1/auth/logout", &json!({})).await;

    let direct = laptop.log_in("ada@example.com", PASSWORD).await;
    let body: Value = direct.json().await.unwrap();
    assert!(
        body["user"].is_object(),
        "trusted: signed in at once: {body}"
    );

    app.advance(31 * 86_400).await;
    password_step(&app, &mut laptop, "ada@example.com").await;
}

#[tokio::test]
async fn disabling_needs_the_password_and_a_code() {
    let app = TestApp::spawn().await;
    let (browser, secret, _) = enrolled(&app, "ada@example.com").await;
    app.advance(30).await;
    let wrong_password = browser
        .post(
            "/api/v1/auth/2fa/disable",
            &json!({"password": "nope nope nope", "code": code(&app, &secret)}),
        )
        .await;
    assert!(
        assert_problem(wrong_password, 422, "auth.wrong_password").await["errors"]["password"]
            .is_string()
    );
    let wrong_code = browser
        .post(
            "/api/v1/auth/2fa/disable",
            &json!({"password": PASSWORD, "code": "000000"}),
        )
        .await;
    assert_problem(wrong_code, 422, "auth.invalid_code").await;
    let ok = browser
        .post(
            "/api/v1/auth/2fa/disable",
            &json!({"password": PASSWORD, "code": code(&app, &secret)}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    app.last_email("ada@example.com", "two_factor_disabled")
        .await;

    let mut browser = app.browser();
    let response = browser.log_in("ada@example.com", PASSWORD).await;
    assert!(
        response.json::<Value>().await.unwrap()["user"].is_object(),
        "password alone again"
    );
}

#[tokio::test]
async fn setup_twice_once_enabled_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (browser, _, _) = enrolled(&app, "ada@example.com").await;
    assert_problem(
        browser.post("/api/v1/auth/2fa/setup", &json!({})).await,
        409,
        "auth.two_factor_enabled",
    )
    .await;
}

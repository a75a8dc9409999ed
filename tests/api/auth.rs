//! Sign-up, sign-in, lockout, CSRF, sessions, API tokens and roles.

use serde_json::{Value, json};

use crate::helpers::browser::PASSWORD;
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn sign_up_signs_in_and_me_describes_the_user() {
    let app = TestApp::spawn().await;
    let mut browser = app.browser();
    let response = browser
        .sign_up("Ada@Example.com ", PASSWORD, "  Ada   Lovelace ", "student")
        .await;
    assert_eq!(response.status(), 201);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "not Secure over http");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["full_name"], "Ada Lovelace");
    assert_eq!(body["user"]["role"], "student");
    assert_eq!(body["user"]["email_verified"], false);
    assert_eq!(body["user"]["two_factor_enabled"], false);
    assert!(body["csrf_token"].is_string());

    let me = browser.json("/api/v1/auth/me").await;
    assert_eq!(me["user"]["id"], body["user"]["id"]);
    assert_eq!(me["csrf_token"], body["csrf_token"]);
    assert_eq!(
        app.last_email("ada@example.com", "welcome").await["subject"],
        "Welcome to InstaInstru, Ada Lovelace"
    );
}

#[tokio::test]
async fn session_cookies_are_secure_behind_https() {
    let app =
        TestApp::spawn_with(|c| c.server.public_url = "https://instainstru.example".into()).await;
    let response = app
        .browser()
        .sign_up("s@example.com", PASSWORD, "Sam Secure", "student")
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn sign_up_rejects_duplicates_weak_passwords_and_bad_fields() {
    let app = TestApp::spawn().await;
    app.sign_up("taken@example.com", "student").await;
    let mut browser = app.browser();
    let body = assert_problem(
        browser
            .sign_up("TAKEN@example.com", PASSWORD, "Ada", "student")
            .await,
        409,
        "auth.email_taken",
    )
    .await;
    assert!(body["errors"]["email"].is_string());

    let body = assert_problem(
        browser
            .sign_up("new@example.com", "short", "Ada", "student")
            .await,
        422,
        "auth.weak_password",
    )
    .await;
    assert_eq!(body["errors"]["password"], "must be at least 10 characters");
    let body = assert_problem(
        browser
            .sign_up("new@example.com", "password1234", "Ada", "student")
            .await,
        422,
        "auth.weak_password",
    )
    .await;
    assert!(
        body["errors"]["password"]
            .as_str()
            .unwrap()
            .contains("common")
    );

    let body = assert_problem(
        browser
            .sign_up("not-an-email", PASSWORD, "Ada", "student")
            .await,
        422,
        "auth.invalid_email",
    )
    .await;
    assert!(body["errors"]["email"].is_string());
    let body = assert_problem(
        browser
            .sign_up("n@example.com", PASSWORD, "   ", "student")
            .await,
        422,
        "request.invalid_field",
    )
    .await;
    assert!(body["errors"]["full_name"].is_string());
    let body = assert_problem(
        browser
            .sign_up("n@example.com", PASSWORD, "Ada", "admin")
            .await,
        422,
        "request.invalid_field",
    )
    .await;
    assert!(body["errors"]["role"].is_string());
    let body = assert_problem(
        browser
            .sign_up("n@example.com", PASSWORD, "Ada", "wizard")
            .await,
        422,
        "request.invalid_field",
    )
    .await;
    assert!(body["errors"]["role"].is_string());
    let missing = browser
        .post("/api/v1/auth/signup", &json!({"email": "n@example.com"}))
        .await;
    let body = assert_problem(missing, 422, "request.invalid_field").await;
    assert!(body["errors"]["password"].is_string());
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com", "student").await;
    let mut browser = app.browser();
    let wrong = assert_problem(
        browser.log_in("ada@example.com", "not the password").await,
        401,
        "auth.invalid_credentials",
    )
    .await;
    let unknown = assert_problem(
        browser.log_in("nobody@example.com", PASSWORD).await,
        401,
        "auth.invalid_credentials",
    )
    .await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert_eq!(
        browser.log_in("ADA@example.com", PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_30_seconds() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com", "student").await;
    let mut browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .log_in("ada@example.com", "wrong password!")
                .await
                .status(),
            401
        );
    }
    let locked = browser.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(locked.headers()["retry-after"], "30");
    assert_problem(locked, 429, "auth.locked").await;

    app.advance(30).await;
    assert_eq!(
        browser.log_in("ada@example.com", PASSWORD).await.status(),
        200,
        "unlocked after 30 s"
    );
}

#[tokio::test]
async fn ten_wrong_passwords_lock_for_five_minutes_per_ip_too() {
    let app = TestApp::spawn().await;
    app.sign_up("ada@example.com", "student").await;
    app.sign_up("bob@example.com", "student").await;
    let mut browser = app.browser();
    // Spread over accounts: the IP's own counter still reaches 10.
    for i in 0..10 {
        if i == 5 {
            app.advance(31).await;
        }
        let email = if i % 2 == 0 {
            "ada@example.com"
        } else {
            "bob@example.com"
        };
        browser.log_in(email, "wrong password!").await;
    }
    let locked = browser.log_in("bob@example.com", PASSWORD).await;
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((290..=300).contains(&retry), "{retry}");
    assert_problem(locked, 429, "auth.locked").await;
    app.advance(300).await;
    assert_eq!(
        browser.log_in("bob@example.com", PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn unsafe_cookie_requests_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let mut browser = app.sign_up("ada@example.com", "student").await;
    let token = browser.csrf.take();
    assert_problem(
        browser
            .post("/api/v1/auth/tokens", &json!({"name": "x"}))
            .await,
        403,
        "auth.csrf",
    )
    .await;
    browser.csrf = Some("forged".into());
    assert_problem(
        browser
            .post("/api/v1/auth/tokens", &json!({"name": "x"}))
            .await,
        403,
        "auth.csrf",
    )
    .await;
    browser.csrf = token;
    assert_eq!(
        browser
            .post("/api/v1/auth/tokens", &json!({"name": "x"}))
            .await
            .status(),
        201
    );
    // Safe methods need none.
    browser.csrf = None;
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 200);
}

#[tokio::test]
async fn signed_out_requests_get_401() {
    let app = TestApp::spawn().await;
    assert_problem(
        app.get("/api/v1/auth/me").await,
        401,
        "auth.unauthenticated",
    )
    .await;
    assert_problem(
        app.get("/api/v1/auth/sessions").await,
        401,
        "auth.unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let response = browser.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(response.status(), 204);
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    app.advance(13 * 86_400).await;
    assert_eq!(
        browser.get("/api/v1/auth/me").await.status(),
        200,
        "used within the idle limit"
    );
    app.advance(14 * 86_400).await;
    assert_problem(
        browser.get("/api/v1/auth/me").await,
        401,
        "auth.session_expired",
    )
    .await;

    let mut active = app.browser();
    active.log_in("ada@example.com", PASSWORD).await;
    for _ in 0..3 {
        app.advance(10 * 86_400).await;
        let _ = active.get("/api/v1/auth/me").await;
    }
    assert_problem(
        active.get("/api/v1/auth/me").await,
        401,
        "auth.session_expired",
    )
    .await;
}

#[tokio::test]
async fn sessions_can_be_listed_and_ended_one_by_one_or_everywhere() {
    let app = TestApp::spawn().await;
    let first = app.sign_up("ada@example.com", "student").await;
    let mut second = app.browser();
    second.log_in("ada@example.com", PASSWORD).await;

    let list = first.json("/api/v1/auth/sessions").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(items[0]["user_agent"], "TestBrowser/1.0");
    let other = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    assert_eq!(
        first
            .delete(&format!("/api/v1/auth/sessions/{other}"))
            .await
            .status(),
        204
    );
    assert_eq!(second.get("/api/v1/auth/me").await.status(), 401);
    assert_eq!(first.get("/api/v1/auth/me").await.status(), 200);

    let mut third = app.browser();
    third.log_in("ada@example.com", PASSWORD).await;
    assert_eq!(
        third
            .post("/api/v1/auth/logout-all", &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(first.get("/api/v1/auth/me").await.status(), 401);
    assert_eq!(third.get("/api/v1/auth/me").await.status(), 401);
}

#[tokio::test]
async fn api_tokens_work_without_csrf_and_stop_when_revoked() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let created = browser
        .post("/api/v1/auth/tokens", &json!({"name": "my script"}))
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_string();

    let script = reqwest::Client::new();
    let me = script
        .get(format!("{}/api/v1/auth/me", app.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let unsafe_call = script
        .post(format!("{}/api/v1/auth/tokens", app.url))
        .bearer_auth(&token)
        .json(&json!({"name": "made by a token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unsafe_call.status(),
        201,
        "no CSRF header needed with a bearer token"
    );

    let list = browser.json("/api/v1/auth/tokens").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains(&token),
        "the token itself is never listed"
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["last_used_at"].is_string())
    );

    let id = created["id"].as_str().unwrap();
    assert_eq!(
        browser
            .delete(&format!("/api/v1/auth/tokens/{id}"))
            .await
            .status(),
        204
    );
    let after = script
        .get(format!("{}/api/v1/auth/me", app.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(after, 401, "auth.invalid_token").await;
    let bad_name = browser
        .post("/api/v1/auth/tokens", &json!({"name": ""}))
        .await;
    assert!(
        assert_problem(bad_name, 422, "request.invalid_field").await["errors"]["name"].is_string()
    );
}

#[tokio::test]
async fn other_peoples_private_resources_are_404() {
    let app = TestApp::spawn().await;
    let ada = app.sign_up("ada@example.com", "student").await;
    let eve = app.sign_up("eve@example.com", "student").await;
    let token: Value = ada
        .post("/api/v1/auth/tokens", &json!({"name": "ada's"}))
        .await
        .json()
        .await
        .unwrap();
    let ada_session = ada.json("/api/v1/auth/sessions").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ada_note = ada.json("/api/v1/notifications").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let id = token["id"].as_str().unwrap();
    assert_problem(
        eve.delete(&format!("/api/v1/auth/tokens/{id}")).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        eve.delete(&format!("/api/v1/auth/sessions/{ada_session}"))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        eve.post(
            &format!("/api/v1/notifications/{ada_note}/read"),
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        ada.get("/api/v1/auth/me").await.status(),
        200,
        "Ada's session still stands"
    );
}

#[tokio::test]
async fn only_admins_reach_admin_endpoints() {
    let app = TestApp::spawn().await;
    let student = app.sign_up("student@example.com", "student").await;
    let instructor = app.sign_up("teacher@example.com", "instructor").await;
    assert_problem(
        student.get("/api/v1/admin/users").await,
        403,
        "auth.forbidden",
    )
    .await;
    assert_problem(
        instructor.get("/api/v1/admin/users").await,
        403,
        "auth.forbidden",
    )
    .await;
    assert_problem(
        app.get("/api/v1/admin/users").await,
        401,
        "auth.unauthenticated",
    )
    .await;

    instainstru::auth::signup::create_admin(
        &app.state,
        "boss@example.com",
        "a long admin passphrase",
    )
    .await
    .unwrap();
    let mut admin = app.browser();
    assert_eq!(
        admin
            .log_in("boss@example.com", "a long admin passphrase")
            .await
            .status(),
        200
    );
    let users = admin.json("/api/v1/admin/users?q=example&per_page=2").await;
    assert_eq!(users["total"], 3);
    assert_eq!(users["items"].as_array().unwrap().len(), 2);
    let students = admin.json("/api/v1/admin/users?role=student").await;
    assert_eq!(students["total"], 1);
    assert_problem(
        admin.get("/api/v1/admin/users?per_page=500").await,
        422,
        "request.invalid_query",
    )
    .await;
}

#[tokio::test]
async fn sign_ups_are_rate_limited_per_ip() {
    let app = TestApp::spawn_with(|c| c.auth.signups_per_ip_per_hour = 2).await;
    app.sign_up("a@example.com", "student").await;
    app.sign_up("b@example.com", "student").await;
    let third = app
        .browser()
        .sign_up("c@example.com", PASSWORD, "Cy", "student")
        .await;
    assert!(third.headers().get("retry-after").is_some());
    assert_problem(third, 429, "rate_limited").await;
    app.advance(3600).await;
    app.sign_up("c@example.com", "student").await;
}

#[tokio::test]
async fn a_new_device_gets_a_sign_in_alert_a_known_one_does_not() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    browser.post("/api/v1/auth/logout", &json!({})).await;
    let mut same = browser;
    same.log_in("ada@example.com", PASSWORD).await;
    app.run_jobs().await;
    assert!(
        app.outbox("ada@example.com")
            .await
            .iter()
            .all(|m| m["template"] != "new_sign_in")
    );

    let mut elsewhere = app.browser();
    elsewhere.log_in("ada@example.com", PASSWORD).await;
    let alert = app.last_email("ada@example.com", "new_sign_in").await;
    assert!(alert["text"].as_str().unwrap().contains("TestBrowser/1.0"));
}

#[tokio::test]
async fn sign_up_keeps_the_browser_time_zone_and_refuses_a_made_up_one() {
    let app = crate::helpers::TestApp::spawn().await;
    let browser = app.browser();
    let body = serde_json::json!({
        "email": "chi@example.com", "password": "a sturdy passphrase 42", "full_name": "Chi Cago",
        "role": "student", "timezone": "America/Chicago",
    });
    let created = browser
        .client
        .post(format!("{}/api/v1/auth/signup", browser.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let me: serde_json::Value = created.json().await.unwrap();
    assert_eq!(me["user"]["timezone"], "America/Chicago");
    let mut bad = body.clone();
    bad["email"] = "mars@example.com".into();
    bad["timezone"] = "Mars/Olympus_Mons".into();
    let refused = app.post_json("/api/v1/auth/signup", &bad).await;
    let problem = crate::helpers::assert_problem(refused, 422, "request.invalid_field").await;
    assert!(problem["errors"]["timezone"].is_string());
}

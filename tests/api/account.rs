//! The account: profile, deactivate, delete, export; the inbox and notification preferences;
//! secrets never stored or logged in clear.

use serde_json::{Value, json};

use crate::helpers::browser::PASSWORD;
use crate::helpers::process;
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn name_and_time_zone_can_be_changed_and_bad_zones_are_named() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let bad = browser
        .send(
            reqwest::Method::PATCH,
            "/api/v1/account",
            Some(&json!({"timezone": "Mars/Olympus"})),
        )
        .await;
    assert!(
        assert_problem(bad, 422, "request.invalid_field").await["errors"]["timezone"].is_string()
    );
    let ok = browser
        .send(
            reqwest::Method::PATCH,
            "/api/v1/account",
            Some(&json!({"timezone": "Europe/Berlin", "full_name": "Ada King"})),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let me = browser.json("/api/v1/auth/me").await;
    assert_eq!(me["user"]["timezone"], "Europe/Berlin");
    assert_eq!(me["user"]["full_name"], "Ada King");
}

#[tokio::test]
async fn deactivating_signs_out_and_signing_in_reactivates() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let wrong = browser
        .post(
            "/api/v1/account/deactivate",
            &json!({"password": "not it at all"}),
        )
        .await;
    assert_problem(wrong, 422, "auth.wrong_password").await;
    assert_eq!(
        browser
            .post("/api/v1/account/deactivate", &json!({"password": PASSWORD}))
            .await
            .status(),
        204
    );
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    let mut again = app.browser();
    assert_eq!(
        again.log_in("ada@example.com", PASSWORD).await.status(),
        200
    );
    assert_eq!(again.get("/api/v1/auth/me").await.status(), 200);
}

#[tokio::test]
async fn deleting_anonymises_and_frees_the_email() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let id = browser.json("/api/v1/auth/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        browser
            .post("/api/v1/account/delete", &json!({"password": PASSWORD}))
            .await
            .status(),
        204
    );
    assert_eq!(browser.get("/api/v1/auth/me").await.status(), 401);
    assert_eq!(
        app.browser()
            .log_in("ada@example.com", PASSWORD)
            .await
            .status(),
        401
    );

    let row: (String, String, String) = app
        .state
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT email, full_name, status FROM users WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .await
        .unwrap();
    assert!(row.0.ends_with("@deleted.invalid"));
    assert_eq!(
        (row.1.as_str(), row.2.as_str()),
        ("Deleted user", "deleted")
    );
    app.sign_up("ada@example.com", "student").await;
}

#[tokio::test]
async fn export_contains_my_data_and_no_secrets() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let response = browser.get("/api/v1/account/export").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let export: Value = response.json().await.unwrap();
    assert_eq!(export["account"]["email"], "ada@example.com");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert!(
        export["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "Welcome to InstaInstru")
    );
    let text = export.to_string();
    assert!(!text.contains("argon2") && !text.contains(PASSWORD));
}

#[tokio::test]
async fn the_inbox_counts_unread_and_marks_read() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    assert_eq!(
        browser.json("/api/v1/notifications/unread-count").await["unread_count"],
        1
    );
    let page = browser
        .json("/api/v1/notifications?page=1&per_page=10")
        .await;
    assert_eq!(
        (page["total"].as_u64(), page["unread_count"].as_u64()),
        (Some(1), Some(1))
    );
    let id = page["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(page["items"][0]["read"], false);
    assert_eq!(
        browser
            .post(&format!("/api/v1/notifications/{id}/read"), &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(
        browser.json("/api/v1/notifications/unread-count").await["unread_count"],
        0
    );
    assert_problem(
        browser
            .post("/api/v1/notifications/999999/read", &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        browser.get("/api/v1/notifications?per_page=0").await,
        422,
        "request.invalid_query",
    )
    .await;
    assert_eq!(
        browser
            .post("/api/v1/notifications/read-all", &json!({}))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn preferences_default_promotions_off_and_keep_account_mail_on() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let prefs = browser.json("/api/v1/notifications/preferences").await;
    let find = |prefs: &Value, cat: &str| {
        prefs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["category"] == cat)
            .unwrap()
            .clone()
    };
    assert_eq!(find(&prefs, "promotions")["email"], false);
    assert_eq!(find(&prefs, "reviews")["email"], true);
    assert_eq!(find(&prefs, "account")["locked"], true);

    let body = json!({"items": [
        {"category": "reviews", "email": false, "in_app": true},
        {"category": "account", "email": false, "in_app": false},
    ]});
    let updated: Value = browser
        .send(
            reqwest::Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&body),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(find(&updated, "reviews")["email"], false);
    assert_eq!(
        find(&updated, "account")["email"],
        true,
        "account mail cannot be turned off"
    );
    let bad = browser
        .send(
            reqwest::Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&json!({"items": [{"category": "spam", "email": true, "in_app": true}]})),
        )
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn unsubscribe_links_turn_off_one_category_without_signing_in() {
    let app = TestApp::spawn().await;
    let browser = app.sign_up("ada@example.com", "student").await;
    let id = browser.json("/api/v1/auth/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.state.notifier.unsubscribe_token(
        &id,
        instainstru::notifications::preferences::Category::Reviews,
    );
    let response = app
        .post_json(
            "/api/v1/notifications/unsubscribe",
            &json!({"token": token}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap()["category"],
        "reviews"
    );
    let prefs = browser.json("/api/v1/notifications/preferences").await;
    let reviews = prefs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["category"] == "reviews")
        .unwrap()
        .clone();
    assert_eq!(
        (reviews["email"].as_bool(), reviews["in_app"].as_bool()),
        (Some(false), Some(true))
    );
    let forged = app
        .post_json(
            "/api/v1/notifications/unsubscribe",
            &json!({"token": format!("{token}x")}),
        )
        .await;
    assert_problem(forged, 422, "auth.invalid_token").await;
}

#[tokio::test]
async fn the_password_never_reaches_the_database_file_or_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = process::start(dir.path(), &[("RUST_LOG", "debug")]);
    let secret_password = "zebra-quartz-marmalade-7731";
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let signup = json!({"email": "p@example.com", "password": secret_password, "full_name": "Pat Private", "role": "student"});
    assert_eq!(
        client
            .post(format!("{}/api/v1/auth/signup", server.url))
            .json(&signup)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let login = json!({"email": "p@example.com", "password": secret_password});
    assert_eq!(
        client
            .post(format!("{}/api/v1/auth/login", server.url))
            .json(&login)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let wrong = json!({"email": "p@example.com", "password": format!("{secret_password}!")});
    client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&wrong)
        .send()
        .await
        .unwrap();

    server.signal("TERM");
    server
        .wait(std::time::Duration::from_secs(10))
        .expect("stops");
    let logs = server.log_lines().join("\n");
    assert!(logs.contains("listening on"), "the log was captured");
    assert!(!logs.contains("zebra-quartz"), "password in the logs");
    for file in ["instainstru.db", "instainstru.db-wal"] {
        let path = dir.path().join(file);
        if path.exists() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(12).any(|w| w == b"zebra-quartz"),
                "password in {file}"
            );
        }
    }
}

//! The real binary: WAL database on first run, SIGTERM, kill -9 and restart, the data-directory
//! lock, backup and restore, and the CLI's answers.

use std::time::Duration;

use instainstru::jobs::{NewJob, enqueue};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::helpers::process::{self, start};
use crate::jobs::email;

fn db_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("instainstru.db")
}

#[tokio::test]
async fn serve_creates_a_wal_database_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &[]);
    let health: Value = reqwest::get(format!("{}/healthz", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));

    let conn = Connection::open(db_path(&dir)).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(conn);

    let stopped = std::time::Instant::now();
    server.signal("TERM");
    let status = server
        .wait(Duration::from_secs(10))
        .expect("exits within 10 s");
    assert!(status.success(), "{status:?}");
    assert!(stopped.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn jobs_survive_kill_9_and_run_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("INSTAINSTRU__DEV__TEST_CLOCK", "true")];
    let mut server = start(dir.path(), &env);

    // Written by another connection while the server runs: one job due in an hour, and one
    // that a worker had claimed when the process died.
    let conn = Connection::open(db_path(&dir)).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let now = chrono::Utc::now();
    let later = NewJob::new("email.send", &email("later", "k@example.com"), now)
        .run_at(now + chrono::Duration::hours(1));
    enqueue(&conn, &later).unwrap();
    let claimed = enqueue(
        &conn,
        &NewJob::new("email.send", &email("in-flight", "k@example.com"), now),
    )
    .unwrap()
    .unwrap();
    conn.execute(
        "UPDATE jobs SET state = 'running', attempts = 1, lease_until = ?1 WHERE id = ?2",
        (now.timestamp() + 3600, claimed),
    )
    .unwrap();
    drop(conn);

    server.child.kill().unwrap(); // SIGKILL: no chance to clean up
    server.child.wait().unwrap();

    let server = start(dir.path(), &env);
    let client = reqwest::Client::new();
    let moved = client
        .post(format!("{}/api/v1/dev/clock", server.url))
        .json(&json!({"advance_seconds": 7200}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let outbox: Value = client
        .get(format!("{}/api/v1/dev/outbox?to=k@example.com", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut subjects: Vec<&str> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    subjects.sort();
    assert_eq!(subjects, vec!["Hello in-flight", "Hello later"]);
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = start(dir.path(), &[]);
    let second = process::run(dir.path(), &["serve", "--bind", "127.0.0.1:0"]);
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("another instainstru process"));
}

#[tokio::test]
async fn backup_while_running_and_restore_only_when_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("INSTAINSTRU__DEV__TEST_CLOCK", "true")];
    let mut server = start(dir.path(), &env);
    let conn = Connection::open(db_path(&dir)).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    enqueue(
        &conn,
        &NewJob::new(
            "email.send",
            &email("kept", "r@example.com"),
            chrono::Utc::now(),
        ),
    )
    .unwrap();
    drop(conn);
    let client = reqwest::Client::new();
    client
        .post(format!("{}/api/v1/dev/clock", server.url))
        .json(&json!({"advance_seconds": 60}))
        .send()
        .await
        .unwrap();

    let backup = dir.path().join("backup.db");
    let out = process::run(dir.path(), &["backup", "--to", backup.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = process::run(dir.path(), &["backup", "--to", backup.to_str().unwrap()]);
    assert!(!again.status.success(), "never overwrites a file");

    let refused = process::run(dir.path(), &["restore", "--from", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("running server"));

    server.signal("TERM");
    assert!(server.wait(Duration::from_secs(10)).unwrap().success());
    // Change the live database after the backup, then restore over it.
    let conn = Connection::open(db_path(&dir)).unwrap();
    conn.execute("DELETE FROM outbox", []).unwrap();
    drop(conn);
    let marker = dir.path().join("search").join("instainstru-schema");
    assert!(marker.exists(), "the server made a search index");
    let restored = process::run(dir.path(), &["restore", "--from", backup.to_str().unwrap()]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(
        !marker.exists(),
        "the index described the old database: the next start rebuilds it"
    );

    let conn = Connection::open(db_path(&dir)).unwrap();
    let subject: String = conn
        .query_row("SELECT subject FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(subject, "Hello kept");

    let not_a_backup = dir.path().join("junk.db");
    std::fs::write(&not_a_backup, b"definitely not sqlite").unwrap();
    let out = process::run(
        dir.path(),
        &["restore", "--from", not_a_backup.to_str().unwrap()],
    );
    assert!(!out.status.success());
}

#[test]
fn migrate_reports_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = process::run(dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    let expected = format!("schema version {migrations}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&expected),
        "{expected}"
    );
}

#[test]
fn reindex_rebuilds_the_search_index_from_the_database_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = process::run(dir.path(), &["seed", "--demo", "--instructors", "12"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let out = process::run(dir.path(), &["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("indexing: 12/12 instructors"), "{stdout}");
    assert!(
        stdout.contains("search index rebuilt: 12 instructors"),
        "{stdout}"
    );
    assert!(dir.path().join("search").join("meta.json").exists());
}

#[tokio::test]
async fn admin_create_makes_an_admin_who_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let weak = process::run(
        dir.path(),
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "password123",
        ],
    );
    assert!(!weak.status.success());
    assert!(
        String::from_utf8_lossy(&weak.stderr).contains("password"),
        "names the problem"
    );

    let out = process::run(
        dir.path(),
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "a long admin passphrase",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = process::run(
        dir.path(),
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "a long admin passphrase",
        ],
    );
    assert!(!again.status.success(), "the email is taken");

    let server = start(dir.path(), &[]);
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({"email": "boss@example.com", "password": "a long admin passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["email_verified"], true);
}

#[test]
fn a_bad_config_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = process::command(dir.path())
        .env("INSTAINSTRU__SERVER__REQUEST_TIMEOUT", "soon")
        .args(["serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server.request_timeout"));
}

#[test]
fn choosing_stripe_without_keys_stops_start_up_naming_the_missing_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = process::command(dir.path())
        .env("INSTAINSTRU__PAYMENTS__PROVIDER", "stripe")
        .env("INSTAINSTRU__PAYMENTS__STRIPE__SECRET_KEY", "sk_test_123")
        .args(["serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("payments.stripe.publishable_key"),
        "{stderr}"
    );
    assert!(!stderr.contains("sk_test_123"), "secrets are never printed");
}

#[tokio::test]
async fn healthcheck_command_checks_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[]);
    let url = format!("{}/healthz", server.url);
    let out = process::run(dir.path(), &["healthcheck", "--url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
    let out = process::run(dir.path(), &["healthcheck", "--url", &url]);
    assert!(!out.status.success());
}

/// The display names, services and prices of every listed instructor: what a visitor sees.
async fn market(url: &str) -> Vec<String> {
    let body: Value = reqwest::get(format!("{url}/api/v1/instructors?per_page=100"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{} {} {}", i["display_name"], i["services"], i["areas"]))
        .collect()
}

#[tokio::test]
async fn seed_builds_the_same_live_demo_market_for_the_same_seed() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&a, &b] {
        let out = process::run(
            dir.path(),
            &["seed", "--demo", "--instructors", "12", "--seed", "7"],
        );
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("seeding demo market: 12/12 instructors"),
            "{stdout}"
        );
        assert!(
            stdout.contains("student@demo.instainstru.local"),
            "credentials are printed"
        );
    }
    let again = process::run(
        a.path(),
        &["seed", "--demo", "--instructors", "12", "--seed", "7"],
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("already"));

    let (first, second) = (start(a.path(), &[]), start(b.path(), &[]));
    let (market_a, market_b) = (market(&first.url).await, market(&second.url).await);
    assert_eq!(market_a.len(), 12);
    assert_eq!(market_a, market_b, "same seed, same market");
    // The demo student already has a lesson with each of the first two instructors.
    let conn = Connection::open(a.path().join("instainstru.db")).unwrap();
    let lessons: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM bookings b JOIN users u ON u.id = b.student_id
             WHERE u.email = 'student@demo.instainstru.local' AND b.status = 'confirmed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lessons, 2);

    let client = reqwest::Client::new();
    let body: Value = reqwest::get(format!("{}/api/v1/instructors?per_page=1", first.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = body["items"][0]["id"].as_str().unwrap();
    let profile: Value = client
        .get(format!("{}/api/v1/instructors/{id}", first.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let photo = client
        .get(format!(
            "{}{}",
            first.url,
            profile["photo_url"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let service = &profile["services"][0];
    let format = ["online", "studio", "travel"]
        .into_iter()
        .find(|f| {
            service["rates"]
                .get(format!("{f}_cents_per_hour"))
                .is_some()
        })
        .unwrap();
    let slots: Value = client
        .get(format!(
            "{}/api/v1/instructors/{id}/slots?service_id={}&duration_min={}&format={format}",
            first.url,
            service["id"].as_str().unwrap(),
            service["durations_min"][0]
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(slots["slots"].is_array());
    let login = client
        .post(format!("{}/api/v1/auth/login", first.url))
        .json(&json!({"email": "student@demo.instainstru.local", "password": instainstru::demo::STUDENT_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
}

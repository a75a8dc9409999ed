//! kill -9 in the middle of a burst of bookings: after a restart every booking that was
//! answered 2xx exists and is whole, nothing is half-written, the ledger balances, and the
//! recovery jobs finish whatever was in flight.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::helpers::process::{self, start};

const ENV: [(&str, &str); 2] = [
    ("INSTAINSTRU__DEV__TEST_CLOCK", "true"),
    (
        "INSTAINSTRU__MARKET__BOOKINGS_PER_USER_PER_MINUTE",
        "100000",
    ),
];

async fn json_of(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// Up to `max` booking bodies for one student: on-the-hour starts, each hour used once.
async fn bodies(client: &reqwest::Client, url: &str, max: usize) -> Vec<Value> {
    let list = json_of(client, format!("{url}/api/v1/instructors?per_page=20")).await;
    let today = Utc::now().date_naive();
    let (from, to) = (today, today + chrono::Duration::days(20));
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for listed in list["items"].as_array().unwrap() {
        let id = listed["id"].as_str().unwrap();
        let profile = json_of(client, format!("{url}/api/v1/instructors/{id}")).await;
        for service in profile["services"].as_array().unwrap() {
            let Some(minutes) = service["durations_min"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_u64)
                .find(|m| *m <= 60)
            else {
                continue;
            };
            let format = ["online", "studio"]
                .into_iter()
                .find(|f| !service["rates"][format!("{f}_cents_per_hour")].is_null());
            let Some(format) = format else { continue };
            let slots = json_of(
                client,
                format!("{url}/api/v1/instructors/{id}/slots?service_id={}&duration_min={minutes}&format={format}&from={from}&to={to}", service["id"].as_str().unwrap()),
            )
            .await;
            for slot in slots["slots"].as_array().unwrap() {
                let start: DateTime<Utc> = slot["start"].as_str().unwrap().parse().unwrap();
                if start.minute() != 0 || !used.insert(start) {
                    continue;
                }
                out.push(json!({
                    "instructor_id": id,
                    "instructor_service_id": service["id"],
                    "format": format,
                    "start": slot["start"],
                    "duration_min": minutes,
                    "payment_method_id": "pm_card_visa",
                }));
                if out.len() == max {
                    return out;
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn bookings_answered_before_a_kill_9_survive_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = process::run(dir.path(), &["seed", "--demo", "--instructors", "8"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let mut server = start(dir.path(), &ENV);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login: Value = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({"email": instainstru::demo::STUDENT_EMAIL, "password": instainstru::demo::STUDENT_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = login["csrf_token"].as_str().unwrap().to_string();
    let bodies = bodies(&client, &server.url, 120).await;
    assert!(
        bodies.len() >= 60,
        "only {} bookable hours in the demo market",
        bodies.len()
    );

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for body in bodies {
        let request = client
            .post(format!("{}/api/v1/bookings", server.url))
            .header("X-CSRF-Token", &csrf)
            .json(&body);
        let tx = tx.clone();
        tokio::spawn(async move {
            let answer = match request.send().await {
                Ok(response) if response.status().is_success() => response
                    .json::<Value>()
                    .await
                    .ok()
                    .map(|b| b["id"].as_str().unwrap_or_default().to_string()),
                _ => None,
            };
            let _ = tx.send(answer);
        });
    }
    drop(tx);
    // Kill once a handful were answered, while the rest are in flight.
    let (mut created, mut failed, mut answered) = (Vec::new(), 0, 0);
    while answered < 10 {
        let Some(answer) = rx.recv().await else { break };
        answered += 1;
        created.extend(answer);
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    while let Some(answer) = rx.recv().await {
        match answer {
            Some(id) => created.push(id),
            None => failed += 1,
        }
    }
    assert!(
        !created.is_empty(),
        "some bookings were answered before the kill"
    );
    assert!(failed > 0, "the kill interrupted the burst");

    let server = start(dir.path(), &ENV);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({"email": instainstru::demo::STUDENT_EMAIL, "password": instainstru::demo::STUDENT_PASSWORD}))
        .send()
        .await
        .unwrap();
    for id in &created {
        let b = json_of(&client, format!("{}/api/v1/bookings/{id}", server.url)).await;
        assert_eq!(
            b["id"],
            id.as_str(),
            "booking {id} answered 201 must exist: {b}"
        );
        assert_eq!(b["status"], "confirmed");
        assert!(
            matches!(
                b["payment_status"].as_str(),
                Some("scheduled" | "authorized")
            ),
            "{b}"
        );
    }
    // The recovery jobs finish any immediate booking whose request died mid-way.
    let moved = client
        .post(format!("{}/api/v1/dev/clock", server.url))
        .json(&json!({"advance_seconds": 600}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let conn = Connection::open(dir.path().join("instainstru.db")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let pending: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM bookings WHERE status = 'pending_payment'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pending, 0, "no booking is left half-paid");
    let without_history: i64 = conn
        .query_row("SELECT COUNT(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = b.id)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(without_history, 0, "every booking was written whole");
    let now = json_of(&client, format!("{}/api/v1/dev/clock", server.url)).await;
    let now: DateTime<Utc> = now["now"].as_str().unwrap().parse().unwrap();
    let due: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND run_at <= ?1",
            [now.timestamp()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(due, 0, "due jobs ran after the restart");
    if let Err(problems) = instainstru::bookings::audit::verify(&conn).unwrap() {
        panic!("ledger broken after the crash: {problems:?}");
    }
}

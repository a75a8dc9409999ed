//! Bookings per second under contention, against the bare single-writer insert rate measured in
//! the same run. A demo market of 200 live instructors; their open slots of the next two weeks
//! (spaced so one booking never blocks the next) are each requested by two different students at nearly the same moment over HTTP (Bearer tokens,
//! 32 connections), so about half the requests lose the race (409) and the rest book. Then the
//! database is checked: no instructor has overlapping lessons and the ledger balances.
//! Run with `cargo bench --bench bookings`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use instainstru::App;
use instainstru::auth::model::Role;
use instainstru::auth::secrets::{hash, new_id, random_token};
use instainstru::auth::store::{NewUser, insert_api_token, insert_user};
use instainstru::common::Clock;
use instainstru::config::Config;
use instainstru::jobs::{NewJob, enqueue};
use serde_json::{Value, json};

const CONNECTIONS: usize = 32;
const INSTRUCTORS: usize = 200;
const MAX_SLOTS: usize = 6_000;
const BARE_INSERTS: usize = 20_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.data.dir = dir.path().to_path_buf();
    config.log.level = "warn".into();
    config.jobs.workers = std::env::var("BENCH_JOB_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(config.jobs.workers);
    let app = App::build(config, Clock::system()).await.expect("app");
    let state = app.state.clone();
    instainstru::demo::seed(&state, INSTRUCTORS, 1, |_, _| {})
        .await
        .expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(
        axum::serve(
            listener,
            app.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .into_future(),
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");

    let slots = open_slots(&client, &url).await;
    let tokens = students(&state, slots.len() * 2).await;
    // Both contenders for a slot sit next to each other in the queue: they race.
    let queue: Arc<Vec<(String, Value)>> = Arc::new(
        slots
            .iter()
            .enumerate()
            .flat_map(|(i, body)| {
                [
                    (tokens[2 * i].clone(), body.clone()),
                    (tokens[2 * i + 1].clone(), body.clone()),
                ]
            })
            .collect(),
    );
    let bare = bare_insert_rate(&state.db).await;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (queue, next, client, url) =
                (queue.clone(), next.clone(), client.clone(), url.clone());
            tokio::spawn(async move {
                let (mut booked, mut lost, mut errors) = (0usize, 0usize, Vec::new());
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((token, body)) = queue.get(i) else {
                        break;
                    };
                    let sent = Instant::now();
                    let response = client
                        .post(format!("{url}/api/v1/bookings"))
                        .bearer_auth(token)
                        .json(body)
                        .send()
                        .await
                        .expect("request");
                    latencies.push(sent.elapsed());
                    match response.status().as_u16() {
                        201 => booked += 1,
                        409 => lost += 1,
                        other => errors.push(format!(
                            "{other} {}",
                            response.text().await.unwrap_or_default()
                        )),
                    }
                }
                (booked, lost, errors, latencies)
            })
        })
        .collect();
    let (mut booked, mut lost, mut errors, mut latencies) = (0, 0, Vec::new(), Vec::new());
    for worker in workers {
        let (b, l, e, t) = worker.await.expect("worker");
        booked += b;
        lost += l;
        errors.extend(e);
        latencies.extend(t);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];

    let (overlaps, ledger) = state
        .db
        .read(|c| {
            let overlaps: i64 = c.query_row(
                "SELECT COUNT(*) FROM bookings a JOIN bookings b ON a.instructor_id = b.instructor_id AND a.id < b.id
                 WHERE a.status = 'confirmed' AND b.status = 'confirmed' AND a.start_at < b.end_at AND b.start_at < a.end_at",
                [],
                |r| r.get(0),
            )?;
            Ok((overlaps, instainstru::bookings::audit::verify(c)?))
        })
        .await
        .expect("checks");

    println!(
        "bookings bench: {INSTRUCTORS} instructors, {} slots x 2 contenders = {} requests, {CONNECTIONS} connections, {} cores",
        slots.len(),
        queue.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!("bare single-writer inserts: {bare:>8.0} transactions/s");
    println!(
        "booking requests:           {:>8.0} requests/s = {:.0} bookings/s ({booked} booked, {lost} lost the race with 409)",
        queue.len() as f64 / elapsed,
        booked as f64 / elapsed
    );
    println!("latency p50 {:?}, p99 {:?}", pct(50), pct(99));
    println!(
        "errors: {}; double bookings: {overlaps}; ledger: {}",
        errors.len(),
        if ledger.is_ok() { "balanced" } else { "BROKEN" }
    );
    for error in errors.iter().take(5) {
        println!("  {error}");
    }
}

/// One booking body per open slot (online or studio, the shortest length) for the next 14 days.
async fn open_slots(client: &reqwest::Client, url: &str) -> Vec<Value> {
    let today = chrono::Utc::now().date_naive();
    let to = today + chrono::Duration::days(13);
    let mut bodies = Vec::new();
    for page in 1..=(INSTRUCTORS / 100 + 1) {
        let list: Value = client
            .get(format!("{url}/api/v1/instructors?per_page=100&page={page}"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        for listed in list["items"].as_array().expect("items") {
            let id = listed["id"].as_str().expect("id");
            let profile: Value = client
                .get(format!("{url}/api/v1/instructors/{id}"))
                .send()
                .await
                .expect("profile")
                .json()
                .await
                .expect("json");
            let Some(service) = profile["services"].as_array().and_then(|s| s.first()) else {
                continue;
            };
            let Some(minutes) = service["durations_min"]
                .as_array()
                .and_then(|d| d.iter().filter_map(Value::as_u64).min())
            else {
                continue;
            };
            let Some(format) = ["online", "studio"]
                .into_iter()
                .find(|f| !service["rates"][format!("{f}_cents_per_hour")].is_null())
            else {
                continue;
            };
            let slots: Value = client
                .get(format!("{url}/api/v1/instructors/{id}/slots?service_id={}&duration_min={minutes}&format={format}&from={today}&to={to}", service["id"].as_str().expect("service id")))
                .send()
                .await
                .expect("slots")
                .json()
                .await
                .expect("json");
            // Slots far enough apart that booking one never blocks the next (buffers included):
            // every loss is then a lost race for the same slot.
            let mut free_from = chrono::DateTime::<chrono::Utc>::MIN_UTC;
            for slot in slots["slots"].as_array().expect("slots") {
                let start: chrono::DateTime<chrono::Utc> = slot["start"]
                    .as_str()
                    .expect("start")
                    .parse()
                    .expect("instant");
                if start < free_from {
                    continue;
                }
                free_from = start + chrono::Duration::minutes(minutes as i64 + 60);
                bodies.push(json!({
                    "instructor_id": id,
                    "instructor_service_id": service["id"],
                    "format": format,
                    "start": slot["start"],
                    "duration_min": minutes,
                    "payment_method_id": "pm_card_visa",
                }));
                if bodies.len() == MAX_SLOTS {
                    return bodies;
                }
            }
        }
    }
    bodies
}

/// `count` verified students, each with an API token.
async fn students(state: &instainstru::AppState, count: usize) -> Vec<String> {
    let now = chrono::Utc::now().timestamp();
    state
        .db
        .write(move |tx| {
            let mut tokens = Vec::with_capacity(count);
            for n in 0..count {
                let id = new_id();
                let user = NewUser {
                    id: &id,
                    email: &format!("bench{n}@example.com"),
                    password_hash: "unused",
                    full_name: "Bench Student",
                    role: Role::Student,
                    verified: true,
                };
                insert_user(tx, &user, now)?;
                let token = random_token();
                insert_api_token(tx, &new_id(), &id, "bench", &hash(&token), now)?;
                tokens.push(token);
            }
            Ok(tokens)
        })
        .await
        .expect("students")
}

/// One-INSERT transactions per second through the same writer, 32 callers.
async fn bare_insert_rate(db: &instainstru::db::Db) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..BARE_INSERTS / CONNECTIONS {
                    let now = chrono::Utc::now();
                    db.write(move |tx| {
                        Ok(enqueue(
                            tx,
                            &NewJob::new("bench.noop", &json!({}), now)
                                .run_at(now + chrono::Duration::days(3650)),
                        )?)
                    })
                    .await
                    .expect("insert");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    BARE_INSERTS as f64 / started.elapsed().as_secs_f64()
}

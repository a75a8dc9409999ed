//! Slot computation: the pure engine for one instructor over 31 days, and the public read
//! endpoints (catalog, profile, 7-day slots) over HTTP on loopback against a seeded demo
//! market: sequential p50, then 32 concurrent connections for throughput and p99.
//! Run with `cargo bench --bench slots`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use instainstru::App;
use instainstru::availability::document::{DAYS, Document, LocalTime, Window, validate};
use instainstru::availability::slots::{Busy, Format, Request, open_slots};
use instainstru::common::Clock;
use instainstru::config::Config;
use serde_json::Value;

const CONNECTIONS: usize = 32;
const LOAD_SECONDS: u64 = 5;

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() * p / 100).min(times.len() - 1)]
}

fn engine() {
    let mut doc = Document::empty("America/New_York");
    for day in DAYS {
        doc.weekly.insert(
            day.into(),
            vec![
                Window {
                    start: LocalTime(8 * 60),
                    end: LocalTime(12 * 60),
                },
                Window {
                    start: LocalTime(14 * 60),
                    end: LocalTime(21 * 60),
                },
            ],
        );
    }
    let rules = validate(&doc).expect("rules");
    let tz: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let from = NaiveDate::from_ymd_opt(2027, 3, 1).expect("date");
    let busy: Vec<Busy> = (0..40)
        .map(|i| {
            let start = from.and_hms_opt(15, 0, 0).expect("time").and_utc()
                + chrono::Duration::hours(i * 17);
            Busy {
                start,
                end: start + chrono::Duration::hours(1),
                travel: i % 4 == 0,
            }
        })
        .collect();
    let request = Request {
        from,
        to: from + chrono::Duration::days(30),
        duration_min: 60,
        format: Format::Online,
        now: from.and_hms_opt(12, 0, 0).expect("noon").and_utc() - chrono::Duration::days(1),
    };
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..2000 {
        let started = Instant::now();
        count = open_slots(&rules, tz, &busy, &request).len();
        times.push(started.elapsed());
    }
    println!(
        "engine: 31 days, 2 windows a day, 40 busy lessons -> {count} slots: p50 {:?}",
        percentile(&mut times, 50)
    );
}

async fn load(client: &reqwest::Client, name: &str, url: String) {
    let mut sequential = Vec::new();
    for _ in 0..300 {
        let started = Instant::now();
        let response = client.get(&url).send().await.expect("request");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await.expect("body");
        sequential.push(started.elapsed());
    }
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let url = Arc::new(url);
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let response = client.get(url.as_str()).send().await.expect("request");
                    assert!(response.status().is_success());
                    response.bytes().await.expect("body");
                    times.push(started.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("load task"));
    }
    let rate = all.len() as f64 / LOAD_SECONDS as f64;
    println!(
        "{name:>14}: sequential p50 {:?} | {CONNECTIONS} connections: {rate:.0} req/s, p50 {:?}, p99 {:?}",
        percentile(&mut sequential, 50),
        percentile(&mut all, 50),
        percentile(&mut all, 99)
    );
}

fn main() {
    engine();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.data.dir = dir.path().to_path_buf();
        let app = App::build(config, Clock::system()).await.expect("app");
        instainstru::demo::seed(&app.state, 200, 1, |_, _| {})
            .await
            .expect("seed");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
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
        let list: Value = client
            .get(format!("{base}/api/v1/instructors?per_page=1"))
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let id = list["items"][0]["id"].as_str().expect("id").to_string();
        let profile: Value = client
            .get(format!("{base}/api/v1/instructors/{id}"))
            .send()
            .await
            .expect("profile")
            .json()
            .await
            .expect("json");
        let service = &profile["services"][0];
        let format = ["online", "studio", "travel"]
            .into_iter()
            .find(|f| {
                service["rates"]
                    .get(format!("{f}_cents_per_hour"))
                    .is_some()
            })
            .expect("a format");
        let slots = format!(
            "{base}/api/v1/instructors/{id}/slots?service_id={}&duration_min={}&format={format}",
            service["id"].as_str().expect("service id"),
            service["durations_min"][0]
        );
        println!("http (in-process client and server share the 2 cores):");
        load(&client, "catalog", format!("{base}/api/v1/catalog")).await;
        load(
            &client,
            "profile",
            format!("{base}/api/v1/instructors/{id}"),
        )
        .await;
        load(&client, "7-day slots", slots).await;
    });
}

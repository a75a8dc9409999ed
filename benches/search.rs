//! Natural-language search at market sizes: for 10,000 and 100,000 live instructors made by the
//! demo seeder, the latency of `GET /api/v1/search` over loopback for 20 mixed queries
//! (sequential p50/p99, then 4 concurrent clients for throughput and p50/p99), the index size
//! on disk, the time to rebuild it, and the process RSS; once with the answer cache off (every
//! query ranked from the index) and once with the default cache.
//!
//! Run with `cargo bench --bench search` (`SEARCH_BENCH_SIZES=10000` for one size). Seeded
//! markets are kept under `target/bench-data/search-N`, so only the first run seeds.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use instainstru::App;
use instainstru::common::Clock;
use instainstru::config::Config;
use serde_json::Value;

const CLIENTS: usize = 4;
const LOAD_SECONDS: u64 = 8;

const QUERIES: [&str; 20] = [
    "piano",
    "piano lessons for my 8 year old in brooklyn under $80 tomorrow morning",
    "sat prep in queens",
    "music lessons",
    "online spanish under 70",
    "guitar after 5 on saturday",
    "piano or guitar near park slope",
    "cheap violin in lic",
    "swimming for toddlers this weekend",
    "paino",
    "lessons for kids under 10",
    "tennis in manhattan",
    "beginner drums",
    "math tutor for my teen",
    "yoga in williamsburg evening",
    "coding for kids online",
    "chess",
    "voice lessons upper west side",
    "french conversation this week",
    "art classes for adults in astoria under $90",
];

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    times[(times.len() * p / 100).min(times.len() - 1)]
}

fn dir_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn url(base: &str, query: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    format!("{base}/api/v1/search?q={q}")
}

async fn market(size: usize, cache: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("search-{size}"));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut config = Config::default();
    config.data.dir = dir.clone();
    config.search.result_cache = cache;
    let app = App::build(config, Clock::system()).await.expect("app");
    let started = Instant::now();
    let seeded = instainstru::demo::seed(&app.state, size, 1, |done, total| {
        if done % 10_000 == 0 {
            eprintln!("seeding {done}/{total}");
        }
    })
    .await
    .expect("seed");
    if seeded.created {
        println!(
            "seeded {size} instructors in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let count = instainstru::search::rebuild(&app.state, |_, _| {})
        .await
        .expect("rebuild");
    println!(
        "[{size}] index rebuilt: {count} instructors, {} documents, {:.1} MB on disk, in {:.1} s",
        app.state.search.index.documents(),
        dir_bytes(&dir.join("search")) as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(
        axum::serve(
            listener,
            app.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .into_future(),
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    // Warm up, and show what each query finds.
    for query in QUERIES {
        let found: Value = client
            .get(url(&base, query))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        println!(
            "[{size}] {query:<72} total {:>6} relaxed {}",
            found["total"], found["relaxed"]
        );
    }
    let mut sequential = Vec::new();
    let mut slowest = Vec::new();
    for query in QUERIES {
        let mut times = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let response = client.get(url(&base, query)).send().await.expect("request");
            assert!(response.status().is_success());
            response.bytes().await.expect("body");
            times.push(started.elapsed());
        }
        slowest.push((percentile(&mut times, 50), query));
        sequential.extend(times);
    }
    slowest.sort();
    for (median, query) in slowest.iter().rev().take(4) {
        println!("[{size}] slow: {median:?} median for {query}");
    }
    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut i = c * 5;
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let response = client
                        .get(url(&base, QUERIES[i % QUERIES.len()]))
                        .send()
                        .await
                        .expect("request");
                    assert!(response.status().is_success());
                    response.bytes().await.expect("body");
                    times.push(started.elapsed());
                    i += 1;
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("load task"));
    }
    println!(
        "[{size}, answer cache {cache}] sequential p50 {:?} p99 {:?} | {CLIENTS} clients: {:.0} req/s, p50 {:?}, p99 {:?} | RSS {:.0} MB",
        percentile(&mut sequential, 50),
        percentile(&mut sequential, 99),
        all.len() as f64 / LOAD_SECONDS as f64,
        percentile(&mut all, 50),
        percentile(&mut all, 99),
        rss_mb()
    );
    server.abort();
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SEARCH_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for size in sizes {
        // Cold: every query ranked from the index; then with the default answer cache.
        runtime.block_on(market(size, 0));
        runtime.block_on(market(size, 512));
    }
}

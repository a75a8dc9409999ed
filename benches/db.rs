//! Database layer throughput on this machine: how many single-row write transactions per second
//! the single writer commits, and how many point reads per second the reader pool answers, both
//! under 32 concurrent callers (the load shape of the HTTP targets). Each figure is the median
//! of 5 rounds. Run with `cargo bench --bench db`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use instainstru::config::DatabaseConfig;
use instainstru::db::Db;
use instainstru::jobs::{NewJob, enqueue};

const CALLERS: usize = 32;
const WRITES_PER_ROUND: usize = 20_000;
const READS_PER_ROUND: usize = 200_000;
const ROUNDS: usize = 5;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&dir.path().join("bench.db"), &DatabaseConfig::default()).expect("db");
    println!(
        "db bench: {CALLERS} concurrent callers, median of {ROUNDS} rounds, {} cores",
        cores()
    );

    let writes: Vec<f64> = (0..ROUNDS)
        .map(|_| runtime.block_on(write_round(&db)))
        .collect();
    let (reads, p99s): (Vec<f64>, Vec<Duration>) = (0..ROUNDS)
        .map(|_| runtime.block_on(read_round(&db)))
        .unzip();
    println!(
        "writes: {:>9.0} transactions/s (one INSERT each, single writer)",
        median(writes)
    );
    println!(
        "reads:  {:>9.0} point lookups/s (p99 {:?})",
        median(reads),
        median_duration(p99s)
    );
}

async fn write_round(db: &Db) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..WRITES_PER_ROUND / CALLERS {
                    let now = chrono::Utc::now();
                    db.write(move |tx| {
                        Ok(enqueue(
                            tx,
                            &NewJob::new("bench.noop", &serde_json::json!({"n": 1}), now),
                        )?)
                    })
                    .await
                    .expect("write");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer task");
    }
    (WRITES_PER_ROUND / CALLERS * CALLERS) as f64 / started.elapsed().as_secs_f64()
}

async fn read_round(db: &Db) -> (f64, Duration) {
    let max_id: i64 = db
        .read(|c| Ok(c.query_row("SELECT MAX(id) FROM jobs", [], |r| r.get(0))?))
        .await
        .expect("max");
    let started = Instant::now();
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(READS_PER_ROUND)));
    let tasks: Vec<_> = (0..CALLERS)
        .map(|caller| {
            let db = db.clone();
            let latencies = latencies.clone();
            tokio::spawn(async move {
                let mut mine = Vec::with_capacity(READS_PER_ROUND / CALLERS);
                for i in 0..READS_PER_ROUND / CALLERS {
                    let id = ((caller * 7919 + i * 104_729) as i64 % max_id) + 1;
                    let t = Instant::now();
                    db.read(move |c| {
                        let mut stmt = c.prepare_cached(
                            "SELECT kind, payload, state FROM jobs WHERE id = ?1",
                        )?;
                        Ok(stmt.query_row([id], |r| r.get::<_, String>(0))?)
                    })
                    .await
                    .expect("read");
                    mine.push(t.elapsed());
                }
                latencies.lock().expect("latencies").extend(mine);
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("reader task");
    }
    let rate = (READS_PER_ROUND / CALLERS * CALLERS) as f64 / started.elapsed().as_secs_f64();
    let mut all = latencies.lock().expect("latencies").clone();
    all.sort();
    (rate, all[all.len() * 99 / 100])
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn median_duration(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

//! Sign-in latency with the production argon2id parameters (m = 19 MiB, t = 2, p = 1): the
//! full HTTP round trip of `POST /api/v1/auth/login` against the real router on loopback,
//! 100 sequential sign-ins, median and p90. Target: p50 < 150 ms. Run with
//! `cargo bench --bench login`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use instainstru::App;
use instainstru::common::Clock;
use instainstru::config::Config;
use serde_json::json;

const SIGN_INS: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.data.dir = dir.path().to_path_buf();
        let app = App::build(config, Clock::system()).await.expect("app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(axum::serve(listener, app.router.into_make_service_with_connect_info::<SocketAddr>()).into_future());

        let client = reqwest::Client::new();
        let password = "a sturdy passphrase 42";
        let signup = json!({"email": "bench@example.com", "password": password, "full_name": "Bench Mark", "role": "student"});
        let created = client.post(format!("{url}/api/v1/auth/signup")).json(&signup).send().await.expect("signup");
        assert_eq!(created.status(), 201);

        let mut times: Vec<Duration> = Vec::with_capacity(SIGN_INS);
        for _ in 0..SIGN_INS {
            let started = Instant::now();
            let response = client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&json!({"email": "bench@example.com", "password": password}))
                .send()
                .await
                .expect("login");
            assert_eq!(response.status(), 200);
            times.push(started.elapsed());
        }
        times.sort();
        println!("login bench: {SIGN_INS} sequential sign-ins over HTTP, argon2id m=19456 KiB t=2 p=1");
        println!("login p50 {:?}, p90 {:?}, max {:?}", times[SIGN_INS / 2], times[SIGN_INS * 9 / 10], times[SIGN_INS - 1]);
    });
}

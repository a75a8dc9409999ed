//! Test harness: `TestApp` runs the real router on a free port over a fresh database in a temp
//! dir, with a manual clock and the outbox transport. Jobs do not run by themselves: tests drain
//! them (`run_jobs`) or move the clock (`advance`), so nothing sleeps.

pub mod bookings;
pub mod browser;
pub mod fake_stripe;
pub mod instructors;
pub mod process;

use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use instainstru::App;
use instainstru::AppState;
use instainstru::common::Clock;
use instainstru::config::Config;
use reqwest::{Response, header};
use serde_json::Value;
use tempfile::TempDir;

pub const START: &str = "2026-12-01T12:00:00Z";

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("valid instant")
        .with_timezone(&Utc)
}

pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Like `spawn`, after `tweak` has adjusted the test configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.data.dir = dir.path().to_path_buf();
        config.dev.test_clock = true;
        tweak(&mut config);
        let clock = if config.dev.test_clock {
            Clock::manual(at(START))
        } else {
            Clock::system()
        };
        let app = App::build(config, clock).await.expect("app builds");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let router = app
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("server runs");
        });
        Self {
            url: format!("http://{addr}"),
            state: app.state,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            _dir: dir,
            server,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(format!("{}{path}", self.url))
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Runs every due job through the real endpoint; returns how many ran.
    pub async fn run_jobs(&self) -> u64 {
        let body: Value = self
            .post_json("/api/v1/dev/jobs/run", &Value::Null)
            .await
            .json()
            .await
            .expect("json");
        body["jobs_run"].as_u64().expect("jobs_run")
    }

    /// Moves the clock forward, running jobs that fall due on the way.
    pub async fn advance(&self, seconds: i64) -> Value {
        let response = self
            .post_json(
                "/api/v1/dev/clock",
                &serde_json::json!({ "advance_seconds": seconds }),
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("json")
    }

    /// Sets the clock to `at`, running jobs that fall due on the way.
    /// Delivers a Stripe event to the webhook, signed with the platform secret, stamped now.
    pub async fn deliver_event(
        &self,
        kind: &str,
        id: &str,
        object: Value,
        account: Option<&str>,
    ) -> Response {
        let now = self.state.clock.now().timestamp();
        let mut event = serde_json::json!({"id": id, "object": "event", "type": kind, "created": now,
            "data": {"object": object}});
        if let Some(account) = account {
            event["account"] = account.into();
        }
        self.deliver_event_raw(&event).await
    }

    /// Delivers `event` as it is (its own `created`).
    pub async fn deliver_event_raw(&self, event: &Value) -> Response {
        let body = event.to_string();
        let secret = self.state.config.payments.stripe.webhook_secret.clone();
        let signature =
            crate::webhooks::signature(&body, &secret, self.state.clock.now().timestamp());
        let response = self
            .client
            .post(format!("{}/api/v1/webhooks/stripe", self.url))
            .header("Stripe-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("webhook delivered");
        assert_eq!(response.status(), 200);
        self.run_jobs().await;
        response
    }

    pub async fn travel_to(&self, at: &str) {
        let response = self
            .post_json("/api/v1/dev/clock", &serde_json::json!({ "now": at }))
            .await;
        assert_eq!(response.status(), 200, "clock to {at}");
    }

    pub async fn outbox(&self, to: &str) -> Vec<Value> {
        let body: Value = self
            .get(&format!("/api/v1/dev/outbox?to={to}"))
            .await
            .json()
            .await
            .expect("json");
        body["items"].as_array().expect("items").clone()
    }

    /// One row of the jobs table as (state, attempts, run_at, last_error).
    pub async fn job(&self, id: i64) -> (String, i64, i64, Option<String>) {
        self.state
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT state, attempts, run_at, last_error FROM jobs WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?)
            })
            .await
            .expect("job row")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Asserts `response` is problem+json with `status` and `code`, and returns its body.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    for member in ["type", "title", "detail", "errors"] {
        assert!(body.get(member).is_some(), "problem lacks {member}: {body}");
    }
    body
}

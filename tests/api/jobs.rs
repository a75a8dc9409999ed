//! Durable jobs: delivery, dedupe, ordered runs under the test clock, retry with backoff,
//! dead after max attempts, recurring schedules, release on shutdown.

use std::time::Duration;

use chrono::{DateTime, Utc};
use instainstru::config::EmailTransport;
use instainstru::jobs::{NewJob, enqueue};
use instainstru::notifications::{Email, enqueue_email};

use crate::helpers::{START, TestApp, at};

pub fn email(id: &str, to: &str) -> Email {
    Email {
        message_id: id.into(),
        to: to.into(),
        subject: format!("Hello {id}"),
        template: "test".into(),
        text: "plain".into(),
        html: "<p>html</p>".into(),
    }
}

/// Enqueues `email` to run at `run_at`; returns the job id (None when deduplicated).
async fn enqueue_at(app: &TestApp, email: Email, run_at: DateTime<Utc>) -> Option<i64> {
    let now = app.state.clock.now();
    app.state
        .db
        .write(move |tx| {
            let job = NewJob::new("email.send", &email, now)
                .run_at(run_at)
                .dedupe(format!("email:{}", email.message_id));
            Ok(enqueue(tx, &job)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn an_enqueued_email_is_delivered_to_the_outbox_once() {
    let app = TestApp::spawn().await;
    let now = app.state.clock.now();
    let message = email("welcome:1", "ada@example.com");
    let first = message.clone();
    let fresh = app
        .state
        .db
        .write(move |tx| Ok(enqueue_email(tx, &first, now)?))
        .await
        .unwrap();
    let again = app
        .state
        .db
        .write(move |tx| Ok(enqueue_email(tx, &message, now)?))
        .await
        .unwrap();
    assert!(fresh);
    assert!(!again, "the same event is enqueued once");

    assert_eq!(app.run_jobs().await, 1);
    let items = app.outbox("ada@example.com").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "Hello welcome:1");
    assert_eq!(items[0]["template"], "test");
    assert_eq!(items[0]["created_at"], START);
    assert!(app.outbox("someone@else.com").await.is_empty());
}

#[tokio::test]
async fn advancing_the_clock_runs_jobs_in_order_at_their_time() {
    let app = TestApp::spawn().await;
    let start = at(START);
    enqueue_at(
        &app,
        email("late", "a@example.com"),
        start + chrono::Duration::hours(2),
    )
    .await;
    enqueue_at(
        &app,
        email("early", "a@example.com"),
        start + chrono::Duration::hours(1),
    )
    .await;
    enqueue_at(
        &app,
        email("never", "a@example.com"),
        start + chrono::Duration::hours(5),
    )
    .await;

    assert_eq!(app.run_jobs().await, 0, "nothing is due yet");
    let clock = app.advance(3 * 3600).await;
    assert_eq!(clock["jobs_run"], 2);
    assert_eq!(clock["now"], "2026-12-01T15:00:00Z");

    let items = app.outbox("a@example.com").await;
    let seen: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["subject"].as_str().unwrap(),
                i["created_at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("Hello late", "2026-12-01T14:00:00Z"),
            ("Hello early", "2026-12-01T13:00:00Z")
        ]
    );
}

/// SMTP on a port nobody listens on: every delivery fails.
fn unreachable_smtp(config: &mut instainstru::config::Config) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    config.email.transport = EmailTransport::Smtp;
    config.email.smtp.host = "127.0.0.1".into();
    config.email.smtp.port = port;
    config.email.smtp.starttls = false;
    config.jobs.max_attempts = 3;
    config.jobs.backoff_base = "60s".parse().unwrap();
}

#[tokio::test]
async fn a_failing_job_backs_off_then_dies_after_max_attempts() {
    let app = TestApp::spawn_with(unreachable_smtp).await;
    let start = at(START).timestamp();
    let id = enqueue_at(&app, email("fails", "b@example.com"), at(START))
        .await
        .unwrap();

    assert_eq!(app.run_jobs().await, 1);
    let (state, attempts, run_at, error) = app.job(id).await;
    assert_eq!(
        (state.as_str(), attempts, run_at),
        ("queued", 1, start + 60)
    );
    assert!(error.unwrap().contains("SMTP"), "the error is kept");

    assert_eq!(
        app.advance(59).await["jobs_run"],
        0,
        "not before its backoff"
    );
    assert_eq!(app.advance(1).await["jobs_run"], 1);
    let (state, attempts, run_at, _) = app.job(id).await;
    assert_eq!(
        (state.as_str(), attempts, run_at),
        ("queued", 2, start + 60 + 120),
        "backoff doubles"
    );

    assert_eq!(app.advance(120).await["jobs_run"], 1);
    let (state, attempts, _, error) = app.job(id).await;
    assert_eq!((state.as_str(), attempts), ("dead", 3));
    assert!(error.is_some());
    assert_eq!(
        app.advance(86_400).await["jobs_run"],
        0,
        "dead jobs stay dead"
    );
}

#[tokio::test]
async fn recurring_jobs_are_scheduled_at_start_and_reschedule_themselves() {
    let app = TestApp::spawn().await;
    let workers = app.state.jobs.start(&app.state).await.unwrap();
    let prune_slots = || async {
        app.state
            .db
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT run_at, state FROM jobs WHERE kind = 'jobs.prune' ORDER BY run_at",
                )?;
                let rows =
                    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap()
    };
    let midnight = at("2026-12-02T00:00:00Z").timestamp();
    assert_eq!(prune_slots().await, vec![(midnight, "queued".to_string())]);

    app.advance(12 * 3600).await;
    assert_eq!(
        prune_slots().await,
        vec![
            (midnight, "done".to_string()),
            (midnight + 86_400, "queued".to_string())
        ]
    );
    // Starting again (a restart) does not schedule a second copy of the same slot.
    let again = app.state.jobs.start(&app.state).await.unwrap();
    assert_eq!(prune_slots().await.len(), 2);
    again
        .shutdown(&app.state, Duration::from_secs(1))
        .await
        .unwrap();
    workers
        .shutdown(&app.state, Duration::from_secs(1))
        .await
        .unwrap();
}

#[tokio::test]
async fn shutdown_releases_a_job_that_is_still_running() {
    // An SMTP server that accepts and then never says a word: delivery hangs in flight.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let _held = std::thread::spawn(move || {
        let conns: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(conns);
    });
    let app = TestApp::spawn_with(|c| {
        c.email.transport = EmailTransport::Smtp;
        c.email.smtp.host = "127.0.0.1".into();
        c.email.smtp.port = port;
        c.email.smtp.starttls = false;
        c.jobs.poll_interval = "50ms".parse().unwrap();
    })
    .await;
    let id = enqueue_at(&app, email("hangs", "c@example.com"), at(START))
        .await
        .unwrap();
    let workers = app.state.jobs.start(&app.state).await.unwrap();

    let mut running = false;
    for _ in 0..100 {
        if app.job(id).await.0 == "running" {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the job was claimed");

    let released = workers
        .shutdown(&app.state, Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(released, 1);
    let (state, attempts, _, _) = app.job(id).await;
    assert_eq!(
        (state.as_str(), attempts),
        ("queued", 0),
        "released without spending an attempt"
    );
}

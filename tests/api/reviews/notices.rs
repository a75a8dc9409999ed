//! The review request when a lesson completes (email and in-app), the one reminder 3 days
//! later for a lesson still unreviewed, and the "review received" email.

use serde_json::{Value, json};

use super::{book, complete, reviewed};
use crate::helpers::TestApp;

async fn count(app: &TestApp, to: &str, template: &str) -> usize {
    app.run_jobs().await;
    app.outbox(to)
        .await
        .iter()
        .filter(|m| m["template"] == template)
        .count()
}

#[tokio::test]
async fn completing_a_lesson_asks_for_a_review_and_reminds_once_after_3_days() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let forgotten = book(&app, &student, &instructor, "2026-12-02T15:00:00Z").await;
    let reviewed_soon = book(&app, &student, &instructor, "2026-12-02T17:00:00Z").await;
    app.travel_to("2026-12-02T18:00:00Z").await;
    complete(&teacher, &forgotten).await;
    complete(&teacher, &reviewed_soon).await;

    assert_eq!(count(&app, "ada@example.com", "lesson_completed").await, 2);
    let request = app.last_email("ada@example.com", "lesson_completed").await;
    let text = request["text"].as_str().unwrap();
    assert!(
        text.contains("?review=1"),
        "the button opens the review form: {text}"
    );
    assert!(text.contains("until"), "the deadline is stated: {text}");
    let inbox = student.json("/api/v1/notifications").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "Lesson complete: leave a review"),
        "{inbox}"
    );

    reviewed(
        &student,
        &reviewed_soon,
        &json!({"rating": 5, "text": "Lovely"}),
    )
    .await;
    let received = app.last_email("clara@example.com", "review_received").await;
    assert!(
        received["subject"].as_str().unwrap().contains("★★★★★"),
        "{received}"
    );
    let teacher_inbox: Value = teacher.json("/api/v1/notifications").await;
    assert!(
        teacher_inbox.to_string().contains("New review"),
        "{teacher_inbox}"
    );

    app.travel_to("2026-12-05T17:59:00Z").await;
    assert_eq!(count(&app, "ada@example.com", "review_reminder").await, 0);
    app.travel_to("2026-12-05T18:00:00Z").await;
    assert_eq!(
        count(&app, "ada@example.com", "review_reminder").await,
        1,
        "only the unreviewed lesson"
    );
    let reminder = app.last_email("ada@example.com", "review_reminder").await;
    assert!(
        reminder["text"]
            .as_str()
            .unwrap()
            .contains(&format!("/student/bookings/{forgotten}?review=1"))
    );
    app.travel_to("2026-12-20T18:00:00Z").await;
    assert_eq!(
        count(&app, "ada@example.com", "review_reminder").await,
        1,
        "once"
    );
    app.assert_ledger_balances().await;
}

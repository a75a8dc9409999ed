//! Reviews (SPEC 7), one test per rule, driven by the test clock. The test instructor teaches
//! piano online at $70/h, 09:00-17:00 New York (14:00-22:00Z); the clock starts 2026-12-01
//! 12:00Z. Tips, listings and ratings, responses and hiding, and the notices have their own
//! files below.

mod listing;
mod moderation;
mod notices;
mod tips;

use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::browser::{Browser, PASSWORD};
use crate::helpers::{TestApp, assert_problem};

/// Books a 60-minute online piano lesson at `start`; returns its id.
pub async fn book(app: &TestApp, student: &Browser, instructor: &str, start: &str) -> String {
    let response = student
        .post("/api/v1/bookings", &app.lesson(instructor, start, 60))
        .await;
    let body: Value = response.json().await.unwrap();
    body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

/// The instructor marks `booking` complete (its end has passed).
pub async fn complete(teacher: &Browser, booking: &str) {
    let done = teacher
        .post(&format!("/api/v1/bookings/{booking}/complete"), &json!({}))
        .await;
    assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
}

/// A lesson on 2026-12-02 15:00-16:00Z, completed by the instructor at its end (the clock
/// stays there); returns its id.
pub async fn completed_lesson(
    app: &TestApp,
    student: &Browser,
    teacher: &Browser,
    instructor: &str,
) -> String {
    let b = book(app, student, instructor, "2026-12-02T15:00:00Z").await;
    app.travel_to("2026-12-02T16:00:00Z").await;
    complete(teacher, &b).await;
    b
}

pub async fn review(student: &Browser, booking: &str, body: &Value) -> Response {
    student
        .post(&format!("/api/v1/bookings/{booking}/review"), body)
        .await
}

/// Reviews `booking` and returns the answer (`{review, tip?}`), asserting 201.
pub async fn reviewed(student: &Browser, booking: &str, body: &Value) -> Value {
    let response = review(student, booking, body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{json}");
    json
}

/// A verified, signed-in student called `name`; returns their browser and id.
pub async fn student_named(app: &TestApp, email: &str, name: &str) -> (Browser, String) {
    let mut browser = app.browser();
    assert_eq!(
        browser
            .sign_up(email, PASSWORD, name, "student")
            .await
            .status(),
        201
    );
    let token = app.emailed_token(email, "verify_email").await;
    let verified = browser
        .post("/api/v1/auth/verify-email", &json!({ "token": token }))
        .await;
    assert_eq!(verified.status(), 200);
    let id = browser.json("/api/v1/auth/me").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (browser, id)
}

#[tokio::test]
async fn only_the_lessons_student_may_review_it_and_everyone_else_gets_404() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let (stranger, _) = app.student("bob@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let body = json!({"rating": 5, "text": "Clara made scales fun."});
    assert_problem(review(&stranger, &b, &body).await, 404, "not_found").await;
    assert_problem(review(&teacher, &b, &body).await, 404, "not_found").await;
    assert_problem(
        review(&student, "no-such-booking", &body).await,
        404,
        "not_found",
    )
    .await;

    let created = reviewed(&student, &b, &body).await;
    let r = &created["review"];
    assert_eq!(r["rating"], 5);
    assert_eq!(r["text"], "Clara made scales fun.");
    assert_eq!(r["booking_id"], b.as_str());
    assert_eq!(r["student_display_name"], "Ada L.");
    let lesson = student.json(&format!("/api/v1/bookings/{b}")).await;
    assert_eq!(r["service_name"], lesson["service_name"]);
    assert!(created.get("tip").is_none(), "no tip asked: {created}");

    let path = format!("/api/v1/bookings/{b}/review");
    assert_eq!(teacher.json(&path).await["id"], r["id"]);
    assert_eq!(stranger.get(&path).await.status(), 404);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_lesson_not_completed_or_missed_cannot_be_reviewed() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = book(&app, &student, &instructor, "2026-12-02T15:00:00Z").await;
    let body = json!({"rating": 4});
    assert_problem(
        review(&student, &b, &body).await,
        422,
        "review.not_completed",
    )
    .await;

    // The instructor reports the student absent; undisputed, it resolves a day later.
    app.travel_to("2026-12-02T15:20:00Z").await;
    let report = teacher
        .post(
            &format!("/api/v1/bookings/{b}/no-show"),
            &json!({"who": "student", "reason": "Nobody joined"}),
        )
        .await;
    assert_eq!(report.status(), 200);
    assert_problem(
        review(&student, &b, &body).await,
        422,
        "review.not_completed",
    )
    .await;
    app.travel_to("2026-12-03T15:20:00Z").await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{b}")).await["status"],
        "no_show"
    );
    assert_problem(
        review(&student, &b, &body).await,
        422,
        "review.not_completed",
    )
    .await;
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_review_window_closes_30_days_after_the_lesson_ends() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (mut student, _) = app.student("ada@example.com").await;
    let early = book(&app, &student, &instructor, "2026-12-02T15:00:00Z").await;
    let late = book(&app, &student, &instructor, "2026-12-02T17:00:00Z").await;
    app.travel_to("2026-12-02T18:00:00Z").await;
    complete(&teacher, &early).await;
    complete(&teacher, &late).await;

    // Exactly 30 days after the end is still inside the window (sessions do not last that
    // long, so the student signs in again).
    app.travel_to("2027-01-01T18:00:00Z").await;
    assert_eq!(
        student.log_in("ada@example.com", PASSWORD).await.status(),
        200
    );
    reviewed(&student, &late, &json!({"rating": 5})).await;
    app.travel_to("2027-01-02T16:00:01Z").await;
    assert_problem(
        review(&student, &early, &json!({"rating": 5})).await,
        422,
        "review.window_closed",
    )
    .await;
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_lesson_is_reviewed_once() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    reviewed(&student, &b, &json!({"rating": 5})).await;
    assert_problem(
        review(
            &student,
            &b,
            &json!({"rating": 1, "text": "Changed my mind"}),
        )
        .await,
        422,
        "review.exists",
    )
    .await;
    let kept = student.json(&format!("/api/v1/bookings/{b}/review")).await;
    assert_eq!(kept["rating"], 5);
}

#[tokio::test]
async fn review_text_is_at_most_500_characters() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let problem = assert_problem(
        review(&student, &b, &json!({"rating": 5, "text": "é".repeat(501)})).await,
        422,
        "review.text_too_long",
    )
    .await;
    assert!(problem["errors"]["text"].is_string(), "{problem}");
    // Characters, not bytes: 500 two-byte letters fit.
    let created = reviewed(&student, &b, &json!({"rating": 5, "text": "é".repeat(500)})).await;
    assert_eq!(
        created["review"]["text"].as_str().unwrap().chars().count(),
        500
    );
}

#[tokio::test]
async fn ratings_are_whole_stars_from_1_to_5_and_blank_text_is_no_text() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    for rating in [json!(0), json!(6), json!(-1)] {
        let problem = assert_problem(
            review(&student, &b, &json!({ "rating": rating })).await,
            422,
            "review.invalid_rating",
        )
        .await;
        assert!(problem["errors"]["rating"].is_string(), "{problem}");
    }
    for body in [
        json!({"rating": 4.5}),
        json!({"rating": "5"}),
        json!({"text": "Great"}),
    ] {
        let problem = assert_problem(
            review(&student, &b, &body).await,
            422,
            "request.invalid_field",
        )
        .await;
        assert!(problem["errors"]["rating"].is_string(), "{body}: {problem}");
    }
    assert_eq!(
        student
            .get(&format!("/api/v1/bookings/{b}/review"))
            .await
            .status(),
        404,
        "nothing was written"
    );
    let created = reviewed(&student, &b, &json!({"rating": 1, "text": "   "})).await;
    assert_eq!(created["review"]["rating"], 1);
    assert!(created["review"]["text"].is_null());
}

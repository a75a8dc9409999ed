//! After a review: the instructor's one response (only on their own reviews) and an admin
//! hiding a review with a reason, after which it is listed and counted nowhere.

use serde_json::{Value, json};

use super::{completed_lesson, reviewed};
use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn an_instructor_answers_once_and_only_their_own_reviews() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (other_teacher, _) = app.live_instructor("dan@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let created = reviewed(&student, &b, &json!({"rating": 4, "text": "Good pace."})).await;
    let path = format!(
        "/api/v1/reviews/{}/response",
        created["review"]["id"].as_str().unwrap()
    );
    let answer = json!({"text": "Thank you, see you next week!"});
    assert_problem(other_teacher.post(&path, &answer).await, 404, "not_found").await;
    assert_problem(student.post(&path, &answer).await, 404, "not_found").await;
    assert_problem(
        teacher.post(&path, &json!({"text": "  "})).await,
        422,
        "review.text_required",
    )
    .await;
    assert_problem(
        teacher.post(&path, &json!({"text": "x".repeat(501)})).await,
        422,
        "review.text_too_long",
    )
    .await;

    let response = teacher.post(&path, &answer).await;
    assert_eq!(response.status(), 201);
    let answered: Value = response.json().await.unwrap();
    assert_eq!(
        answered["response"]["text"],
        "Thank you, see you next week!"
    );
    assert_eq!(answered["responded"], true);
    assert_problem(
        teacher.post(&path, &json!({"text": "Another"})).await,
        409,
        "review.response_exists",
    )
    .await;

    let email = app.last_email("ada@example.com", "review_response").await;
    assert!(
        email["text"]
            .as_str()
            .unwrap()
            .contains("Thank you, see you next week!"),
        "{email}"
    );
    let public: Value = app
        .get(&format!("/api/v1/instructors/{instructor}/reviews"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        public["items"][0]["response"]["text"],
        "Thank you, see you next week!"
    );
}

#[tokio::test]
async fn an_admin_hides_a_review_with_a_reason_and_it_stops_counting() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let admin = app.admin().await;
    let b = completed_lesson(&app, &student, &teacher, &instructor).await;
    let created = reviewed(&student, &b, &json!({"rating": 1, "text": "Rude words"})).await;
    let id = created["review"]["id"].as_str().unwrap().to_string();
    let profile = format!("/api/v1/instructors/{instructor}");
    assert_eq!(
        app.get(&profile).await.json::<Value>().await.unwrap()["review_count"],
        1
    );

    let path = format!("/api/v1/admin/reviews/{id}/hide");
    assert_eq!(
        teacher
            .post(&path, &json!({"reason": "mine"}))
            .await
            .status(),
        403
    );
    assert_problem(
        admin.post(&path, &json!({"reason": " "})).await,
        422,
        "review.reason_required",
    )
    .await;
    let hidden: Value = admin
        .post(&path, &json!({"reason": "Abusive language"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hidden["hidden"], true);
    assert_eq!(hidden["hidden_reason"], "Abusive language");
    let again = admin.post(&path, &json!({"reason": "twice"})).await;
    assert_eq!(again.status(), 200, "hiding twice changes nothing");
    assert_eq!(
        again.json::<Value>().await.unwrap()["hidden_reason"],
        "Abusive language"
    );

    let public: Value = app
        .get(&format!("{profile}/reviews"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["total"], 0);
    let shown: Value = app.get(&profile).await.json().await.unwrap();
    assert_eq!(
        (shown["review_count"].as_u64(), shown["is_new"].as_bool()),
        (Some(0), Some(true))
    );
    let own = teacher.json("/api/v1/instructor/reviews").await;
    assert_eq!(
        (own["total"].as_u64(), own["items"][0]["hidden"].as_bool()),
        (Some(1), Some(true))
    );

    // Search is told twice for the reviews: when the review arrived and when it was hidden.
    let reindex: i64 = app
        .state
        .db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'search.reindex_instructor'
                   AND dedupe_key LIKE 'search.reindex_instructor:%:review%'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(reindex, 2);
    app.run_jobs().await;
    let dead: i64 = app
        .state
        .db
        .read(|c| {
            Ok(
                c.query_row("SELECT COUNT(*) FROM jobs WHERE state = 'dead'", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .unwrap();
    assert_eq!(dead, 0);
}

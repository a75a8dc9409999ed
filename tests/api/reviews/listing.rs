//! Review lists and the rating: newest first, paginated, filtered, first name and last initial;
//! the 3-review threshold, "New" under 5, per-service counts, and the Bayesian average around
//! the platform mean (hidden reviews left out).

use serde_json::{Value, json};

use super::{book, complete, reviewed, student_named};
use crate::helpers::TestApp;

async fn public(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

fn ratings(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rating"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_public_list_is_newest_first_paginated_filtered_and_names_students_by_initial() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (maya, _) = student_named(&app, "maya@example.com", "Maya Rodriguez").await;
    let (ada, _) = app.student("ada@example.com").await;
    let mut lessons = Vec::new();
    for start in ["14:00", "15:30", "17:00"] {
        lessons.push(book(&app, &maya, &instructor, &format!("2026-12-02T{start}:00Z")).await);
    }
    lessons.push(book(&app, &ada, &instructor, "2026-12-02T18:30:00Z").await);
    app.travel_to("2026-12-02T19:30:00Z").await;
    for b in &lessons {
        complete(&teacher, b).await;
    }
    let (students, bodies) = (
        [&maya, &maya, &maya, &ada],
        [
            json!({"rating": 5, "text": "Wonderful"}),
            json!({"rating": 3}),
            json!({"rating": 4, "text": "Good"}),
            json!({"rating": 2, "text": "Started late"}),
        ],
    );
    for ((student, b), body) in students.iter().zip(&lessons).zip(&bodies) {
        reviewed(student, b, body).await;
        app.advance(60).await;
    }

    let path = format!("/api/v1/instructors/{instructor}/reviews");
    let all = public(&app, &path).await;
    assert_eq!(ratings(&all), [2, 4, 3, 5], "newest first");
    assert_eq!(
        (
            all["total"].as_u64(),
            all["page"].as_u64(),
            all["per_page"].as_u64()
        ),
        (Some(4), Some(1), Some(20))
    );
    let newest = &all["items"][0];
    assert_eq!(newest["student_display_name"], "Ada L.");
    assert_eq!(all["items"][1]["student_display_name"], "Maya R.");
    assert!(all["items"][2]["text"].is_null());
    assert!(
        newest["service_name"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(newest.get("response").is_none());
    assert!(
        newest.get("student_id").is_none() && newest.get("booking_id").is_none(),
        "{newest}"
    );

    assert_eq!(
        ratings(&public(&app, &format!("{path}?min_rating=4")).await),
        [4, 5]
    );
    assert_eq!(
        ratings(&public(&app, &format!("{path}?with_text=true")).await),
        [2, 4, 5]
    );
    let both = public(&app, &format!("{path}?min_rating=3&with_text=true")).await;
    assert_eq!(
        (ratings(&both), both["total"].as_u64()),
        (vec![4, 5], Some(2))
    );
    let second = public(&app, &format!("{path}?page=2&per_page=3")).await;
    assert_eq!(
        (ratings(&second), second["total"].as_u64()),
        (vec![5], Some(4))
    );
    assert_eq!(app.get(&format!("{path}?min_rating=6")).await.status(), 422);
    assert_eq!(app.get(&format!("{path}?per_page=101")).await.status(), 422);
    assert_eq!(
        app.get("/api/v1/instructors/nobody/reviews").await.status(),
        404
    );

    let own = teacher.json("/api/v1/instructor/reviews?per_page=2").await;
    assert_eq!(
        (ratings(&own), own["total"].as_u64()),
        (vec![2, 4], Some(4))
    );
    assert_eq!(own["items"][0]["responded"], false);
}

#[tokio::test]
async fn a_rating_shows_from_3_reviews_and_an_instructor_is_new_under_5() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut lessons = Vec::new();
    for start in ["14:00", "15:30", "17:00", "18:30", "20:00"] {
        lessons.push(
            book(
                &app,
                &student,
                &instructor,
                &format!("2026-12-02T{start}:00Z"),
            )
            .await,
        );
    }
    app.travel_to("2026-12-02T21:00:00Z").await;
    for b in &lessons {
        complete(&teacher, b).await;
    }
    let profile = format!("/api/v1/instructors/{instructor}");
    let summary = |p: &Value| {
        (
            p["rating"].as_f64(),
            p["review_count"].as_u64().unwrap(),
            p["is_new"].as_bool().unwrap(),
        )
    };
    let fresh = public(&app, &profile).await;
    assert_eq!(summary(&fresh), (None, 0, true));
    assert_eq!(fresh["service_review_counts"], json!([]));

    for (n, b) in lessons.iter().enumerate() {
        reviewed(&student, b, &json!({"rating": 5})).await;
        let p = public(&app, &profile).await;
        match n + 1 {
            1 | 2 => assert_eq!(summary(&p), (None, n as u64 + 1, true)),
            3 | 4 => assert_eq!(summary(&p), (Some(5.0), n as u64 + 1, true)),
            _ => assert_eq!(summary(&p), (Some(5.0), 5, false)),
        }
    }
    let p = public(&app, &profile).await;
    assert_eq!(
        p["service_review_counts"],
        json!([{"service_id": app.service_id("piano"), "review_count": 5}])
    );
    let listed = public(&app, "/api/v1/instructors").await;
    let me = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == instructor.as_str())
        .unwrap();
    assert_eq!(summary(me), (Some(5.0), 5, false));
}

#[tokio::test]
async fn the_rating_is_a_bayesian_average_around_the_platform_mean_without_hidden_reviews() {
    let app = TestApp::spawn().await;
    let (clara, clara_id) = app.live_instructor("clara@example.com").await;
    let (dan, dan_id) = app.live_instructor("dan@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let admin = app.admin().await;
    let mut lessons = Vec::new();
    for start in ["14:00", "15:30", "17:00"] {
        lessons.push(
            book(
                &app,
                &student,
                &clara_id,
                &format!("2026-12-02T{start}:00Z"),
            )
            .await,
        );
    }
    let with_dan = book(&app, &student, &dan_id, "2026-12-02T18:30:00Z").await;
    app.travel_to("2026-12-02T19:30:00Z").await;
    for b in &lessons {
        complete(&clara, b).await;
    }
    complete(&dan, &with_dan).await;
    for (b, stars) in lessons.iter().zip([5, 5, 4]) {
        reviewed(&student, b, &json!({ "rating": stars })).await;
    }
    let dans_review = reviewed(&student, &with_dan, &json!({"rating": 2})).await;

    // Platform mean 16/4 = 4.0; Clara (5*4.0 + 14) / (5 + 3) = 4.25, shown half up as 4.3.
    assert_eq!(
        public(&app, &format!("/api/v1/instructors/{clara_id}")).await["rating"],
        4.3
    );
    let d = public(&app, &format!("/api/v1/instructors/{dan_id}")).await;
    assert_eq!(
        (d["rating"].is_null(), d["review_count"].as_u64()),
        (true, Some(1))
    );

    // Hidden, Dan's review leaves the platform mean: 14/3; Clara (5*14/3 + 14) / 8 = 4.67.
    let hide = format!(
        "/api/v1/admin/reviews/{}/hide",
        dans_review["review"]["id"].as_str().unwrap()
    );
    assert_eq!(
        admin
            .post(&hide, &json!({"reason": "Not about the lesson"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        public(&app, &format!("/api/v1/instructors/{clara_id}")).await["rating"],
        4.7
    );
    assert_eq!(
        public(&app, &format!("/api/v1/instructors/{dan_id}")).await["review_count"],
        0
    );
}

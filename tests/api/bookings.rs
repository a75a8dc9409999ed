//! The booking lifecycle with money (SPEC 5 and 6), driven by the test clock. The test
//! instructor teaches piano online at $70/h, Mon-Sun 09:00-17:00 New York time; the clock starts
//! Tuesday 2026-12-01 07:00 in New York (12:00Z). A 60-minute lesson costs LP $70.00 + fee
//! $8.40 = $78.40; at the 15% tier the instructor gets $59.50. Every scenario ends with the
//! ledger invariants.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

async fn book(student: &crate::helpers::browser::Browser, body: &Value) -> reqwest::Response {
    student.post("/api/v1/bookings", body).await
}

async fn booked(student: &crate::helpers::browser::Browser, body: &Value) -> Value {
    let response = book(student, body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{json}");
    json
}

/// Sends every (student, body) booking at once; returns the statuses and bodies.
async fn race(requests: Vec<(&crate::helpers::browser::Browser, Value)>) -> Vec<(u16, Value)> {
    let mut set = tokio::task::JoinSet::new();
    for (student, body) in requests {
        let request = student
            .client
            .post(format!("{}/api/v1/bookings", student.base))
            .header("X-CSRF-Token", student.csrf.clone().unwrap())
            .json(&body);
        set.spawn(async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        });
    }
    set.join_all().await
}

fn id(booking: &Value) -> String {
    booking["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_lesson_days_ahead_is_confirmed_authorised_at_t_minus_24h_and_settled_a_day_after() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let slots_url = format!(
        "/api/v1/instructors/{instructor}/slots?service_id={}&duration_min=60&format=online&from=2026-12-04&to=2026-12-04",
        app.service_id("piano")
    );
    let before = app.get(&slots_url).await.text().await.unwrap();
    assert!(
        before.contains("\"2026-12-04T15:00:00Z\""),
        "open before it is booked"
    );
    let b = booked(
        &student,
        &app.lesson(&instructor, "2026-12-04T15:00:00Z", 60),
    )
    .await;
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["payment_status"], "scheduled");
    assert_eq!(b["end"], "2026-12-04T16:00:00Z");
    assert_eq!(b["timezone"], "America/New_York");
    assert_eq!(
        (
            b["lesson_price_cents"].as_i64(),
            b["service_fee_cents"].as_i64(),
            b["total_charge_cents"].as_i64(),
            b["instructor_payout_cents"].as_i64()
        ),
        (Some(7_000), Some(840), Some(7_840), Some(5_950))
    );
    assert!(
        app.provider_calls().await.is_empty(),
        "nothing is authorised days ahead"
    );

    // The time is taken, with the 15-minute buffer on both sides.
    let slots: Value = app.get(&slots_url).await.json().await.unwrap();
    let starts: Vec<&str> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    for taken in [
        "2026-12-04T14:00:00Z",
        "2026-12-04T15:00:00Z",
        "2026-12-04T16:00:00Z",
    ] {
        assert!(!starts.contains(&taken), "{taken} is still offered");
    }
    for open in ["2026-12-04T16:15:00Z", "2026-12-04T21:00:00Z"] {
        assert!(starts.contains(&open), "{open} should be open");
    }

    let confirmed = app.last_email("ada@example.com", "booking_confirmed").await;
    assert!(
        confirmed["text"]
            .as_str()
            .unwrap()
            .contains("Friday, December 4, 2026 at 10:00 AM EST"),
        "{confirmed}"
    );
    app.last_email("clara@example.com", "booking_new").await;

    app.travel_to("2026-12-03T15:00:00Z").await;
    let b = student.json(&format!("/api/v1/bookings/{}", id(&b))).await;
    assert_eq!(b["payment_status"], "authorized");
    assert_eq!(app.provider_calls().await, ["authorize 7840"]);
    app.last_email("ada@example.com", "lesson_reminder").await;

    // The lesson ends at 16:00Z; a day later it completes by itself and the money moves.
    app.travel_to("2026-12-05T15:59:00Z").await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{}", id(&b))).await["status"],
        "confirmed"
    );
    app.travel_to("2026-12-05T16:00:00Z").await;
    let b = student.json(&format!("/api/v1/bookings/{}", id(&b))).await;
    assert_eq!(
        (b["status"].as_str(), b["payment_status"].as_str()),
        (Some("completed"), Some("captured"))
    );
    assert_eq!(
        app.provider_calls().await,
        ["authorize 7840", "capture 1890"],
        "the platform keeps fee + commission"
    );
    assert_eq!(app.ledger_sum("card_capture", None).await, 7_840);
    assert_eq!(app.ledger_sum("instructor_payout", None).await, 5_950);
    assert_eq!(app.ledger_sum("commission", None).await, 1_050);
    app.last_email("ada@example.com", "receipt").await;
    let events: Vec<String> = b["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        events,
        [
            "booked",
            "payment_authorized",
            "completed",
            "settling",
            "settled"
        ]
    );

    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(earnings["items"][0]["net_cents"], 5_950);
    assert_eq!(earnings["items"][0]["status"], "paid");
    assert_eq!(earnings["totals"]["paid_cents"], 5_950);
    assert_eq!(earnings["weeks"].as_array().unwrap().len(), 12);
    let csv = teacher
        .get("/api/v1/instructor/earnings.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("booking_id,start,service,student,status,gross,commission,net,tip\r\n")
    );
    assert!(csv.contains(",70.00,10.50,59.50,0.00\r\n"), "{csv}");
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_lesson_within_24_hours_is_authorised_at_once_and_a_refused_card_books_nothing() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-01T20:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_chargeDeclined");
    let problem = assert_problem(book(&student, &body).await, 402, "payment.declined").await;
    assert_eq!(problem["decline_code"], "generic_decline");
    let all = student.json("/api/v1/bookings?scope=all").await;
    assert_eq!(all["total"], 0, "nothing was created");

    body["payment_method_id"] = json!("pm_card_visa");
    let b = booked(&student, &body).await;
    assert_eq!(
        (b["status"].as_str(), b["payment_status"].as_str()),
        (Some("confirmed"), Some("authorized"))
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn every_rule_of_an_instant_booking_has_its_own_error() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (_, other) = app.live_instructor("robert@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let lesson = |start: &str| app.lesson(&instructor, start, 60);
    let cases: Vec<(Value, u16, &str)> = vec![
        (lesson("2026-12-01T12:30:00Z"), 422, "booking.too_soon"),
        (lesson("2026-12-04T15:10:00Z"), 422, "booking.invalid_start"),
        (
            lesson("2026-12-04T23:00:00Z"),
            422,
            "booking.outside_availability",
        ),
        (lesson("2027-03-15T15:00:00Z"), 422, "booking.too_far"),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["duration_min"] = json!(45);
                b
            },
            422,
            "booking.duration_not_offered",
        ),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["format"] = json!("travel");
                b
            },
            422,
            "booking.format_not_offered",
        ),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["instructor_service_id"] = json!("nope");
                b
            },
            422,
            "booking.service_not_offered",
        ),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["instructor_id"] = json!("nobody");
                b
            },
            422,
            "booking.instructor_unavailable",
        ),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["payment_method_id"] = json!("pm_card_bogus");
                b
            },
            422,
            "payment.invalid_method",
        ),
        (
            {
                let mut b = lesson("2026-12-04T15:00:00Z");
                b["note"] = json!("x".repeat(1001));
                b
            },
            422,
            "booking.note_too_long",
        ),
    ];
    for (body, status, code) in cases {
        let problem = assert_problem(book(&student, &body).await, status, code).await;
        assert!(
            !problem["errors"].as_object().unwrap().is_empty(),
            "{code} names a field"
        );
        // Each request counts against the 5-a-minute limit.
        app.advance(61).await;
    }
    booked(&student, &lesson("2026-12-04T15:00:00Z")).await;
    app.advance(61).await;
    assert_problem(
        book(&student, &app.lesson(&other, "2026-12-04T15:30:00Z", 60)).await,
        422,
        "booking.student_overlap",
    )
    .await;
    app.advance(61).await;
    let unverified = app.sign_up("new@example.com", "student").await;
    assert_problem(
        book(&unverified, &lesson("2026-12-05T15:00:00Z")).await,
        422,
        "booking.email_unverified",
    )
    .await;
    let teacher_books = app.live_instructor("third@example.com").await.0;
    assert_eq!(
        book(&teacher_books, &lesson("2026-12-05T15:00:00Z"))
            .await
            .status(),
        403
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn travel_lessons_need_an_address_inside_the_service_areas() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let services = json!({"services": [{
        "service_id": app.service_id("piano"),
        "durations_min": [60],
        "age_groups": ["kids"],
        "rates": {"travel_cents_per_hour": 12_000},
    }]});
    assert_eq!(
        teacher
            .send(
                reqwest::Method::PUT,
                "/api/v1/instructor/services",
                Some(&services)
            )
            .await
            .status(),
        200
    );
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-04T17:00:00Z", 60);
    body["format"] = json!("travel");
    assert_problem(book(&student, &body).await, 422, "booking.address_required").await;
    body["address"] = json!("1 Main St, Somewhere");
    assert_problem(
        book(&student, &body).await,
        422,
        "booking.address_unrecognized",
    )
    .await;
    body["address"] = json!("20 W 34th St, Midtown, Manhattan");
    assert_problem(
        book(&student, &body).await,
        422,
        "booking.outside_service_area",
    )
    .await;
    body["address"] = json!("12 Union St, Park Slope, Brooklyn");
    let b = booked(&student, &body).await;
    assert_eq!(
        (
            b["area"].as_str(),
            b["lesson_price_cents"].as_i64(),
            b["service_fee_cents"].as_i64()
        ),
        (Some("park-slope"), Some(12_000), Some(1_440))
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_quote_needs_no_card_and_a_studio_lesson_tells_its_parties_the_address() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-04T15:00:00Z", 60);
    body["format"] = json!("studio");
    body.as_object_mut().unwrap().remove("payment_method_id");
    let quote: Value = student
        .post("/api/v1/bookings/quote", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quote["total_charge_cents"], 9_000 + 1_080);
    assert_problem(book(&student, &body).await, 422, "payment.invalid_method").await;
    body["payment_method_id"] = json!("pm_card_visa");
    let b = booked(&student, &body).await;
    assert_eq!(b["studio_address"], "1 Garfield Pl, Brooklyn");
    assert_eq!(b["meeting_url"], Value::Null);
    assert_eq!(b["policy_start"], "2026-12-04T15:00:00Z");
    assert_eq!(b["late_reschedule_used"], false);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_first_booking() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let body = app.lesson(&instructor, "2026-12-04T15:00:00Z", 60);
    let send = |body: Value| {
        student
            .client
            .post(format!("{}/api/v1/bookings", student.base))
            .header("X-CSRF-Token", student.csrf.clone().unwrap())
            .header("Idempotency-Key", "checkout-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(student.json("/api/v1/bookings").await["total"], 1);
    let mut changed = body.clone();
    changed["start"] = json!("2026-12-04T18:00:00Z");
    assert_problem(send(changed).await.unwrap(), 422, "idempotency.key_reused").await;
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn fifty_students_racing_for_one_slot_get_exactly_one_booking() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let mut students = Vec::new();
    for n in 0..50 {
        students.push(app.student(&format!("student{n}@example.com")).await.0);
    }
    let body = app.lesson(&instructor, "2026-12-04T15:00:00Z", 60);
    let answers = race(students.iter().map(|s| (s, body.clone())).collect()).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    for (status, body) in &answers {
        if *status == 409 {
            assert_eq!(body["code"], "booking.slot_taken");
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );

    // Starts 15 minutes apart on another day all overlap once the buffer is counted.
    let starts = [
        "2026-12-05T15:00:00Z",
        "2026-12-05T15:15:00Z",
        "2026-12-05T15:30:00Z",
        "2026-12-05T15:45:00Z",
        "2026-12-05T16:00:00Z",
    ];
    let bodies: Vec<Value> = (0..50)
        .map(|n| app.lesson(&instructor, starts[n % starts.len()], 60))
        .collect();
    let answers = race(students.iter().zip(bodies).collect()).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn booking_is_rate_limited_per_student() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    for day in 4..9 {
        booked(
            &student,
            &app.lesson(&instructor, &format!("2026-12-{day:02}T15:00:00Z"), 60),
        )
        .await;
    }
    let problem = assert_problem(
        book(
            &student,
            &app.lesson(&instructor, "2026-12-10T15:00:00Z", 60),
        )
        .await,
        429,
        "rate_limited",
    )
    .await;
    assert!(problem["detail"].is_string());
    app.assert_ledger_balances().await;
}

async fn cancel(who: &crate::helpers::browser::Browser, booking: &str, reason: &str) -> Value {
    let response = who
        .post(
            &format!("/api/v1/bookings/{booking}/cancel"),
            &json!({ "reason": reason }),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

async fn balance(student: &crate::helpers::browser::Browser) -> i64 {
    student.json("/api/v1/credits").await["balance_cents"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn cancellations_follow_the_notice_table_and_say_what_happened_to_the_money() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let (stranger, _) = app.student("eve@example.com").await;

    // 24 h or more ahead: nothing is charged.
    let early = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-04T15:00:00Z", 60),
    )
    .await);
    assert_eq!(
        stranger
            .get(&format!("/api/v1/bookings/{early}/cancel-preview"))
            .await
            .status(),
        404
    );
    assert_eq!(
        stranger
            .get(&format!("/api/v1/bookings/{early}"))
            .await
            .status(),
        404
    );
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{early}/cancel"),
                &json!({"reason": " "}),
            )
            .await,
        422,
        "booking.reason_required",
    )
    .await;
    let preview = student
        .json(&format!("/api/v1/bookings/{early}/cancel-preview"))
        .await;
    assert_eq!(
        preview,
        json!({"policy": "full_release", "refund_cents": 0, "credit_cents": 0, "instructor_payout_cents": 0})
    );
    let done = cancel(&student, &early, "Plans changed").await;
    assert_eq!(done["outcome"], preview);
    assert_eq!(done["booking"]["status"], "cancelled");
    assert_eq!(done["booking"]["payment_status"], "released");
    let again = cancel(&student, &early, "Clicked twice").await;
    assert_eq!(
        again["booking"]["cancellation"]["reason"], "Plans changed",
        "a second cancel changes nothing"
    );
    app.last_email("clara@example.com", "booking_cancelled")
        .await;

    // 12-24 h ahead: the card is charged and the lesson price comes back as credit.
    let day = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-05T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-04T20:00:00Z").await;
    let done = cancel(&student, &day, "Feeling ill").await;
    assert_eq!(
        done["outcome"],
        json!({"policy": "credit_full", "refund_cents": 0, "credit_cents": 7_000, "instructor_payout_cents": 0})
    );
    assert_eq!(done["booking"]["payment_status"], "captured");
    assert_eq!(balance(&student).await, 7_000);

    // Under 12 h: half the lesson price as credit, half the payout to the instructor.
    let late = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-06T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-06T05:00:00Z").await;
    let done = cancel(&student, &late, "Overslept").await;
    assert_eq!(
        done["outcome"],
        json!({"policy": "credit_half", "refund_cents": 0, "credit_cents": 3_500, "instructor_payout_cents": 2_975})
    );
    assert_eq!(balance(&student).await, 10_500);
    assert_eq!(
        app.ledger_sum("instructor_payout", Some(&late)).await,
        2_975
    );

    // The instructor cancels: everything goes back.
    let theirs = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-07T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-07T01:00:00Z").await;
    let done = cancel(&teacher, &theirs, "Family emergency").await;
    assert_eq!(done["outcome"]["policy"], "instructor_cancel");
    assert_eq!(done["booking"]["payment_status"], "released");
    assert_eq!(done["booking"]["cancellation"]["by"], "instructor");
    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(
        earnings["totals"]["net_cents"], 2_975,
        "only the late cancellation pays"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn credit_pays_for_the_lesson_price_but_never_the_fee_and_is_spent_when_the_lesson_settles() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let first = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-03T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-02T20:00:00Z").await;
    cancel(&student, &first, "Conflict").await;
    assert_eq!(balance(&student).await, 7_000);

    let mut body = app.lesson(&instructor, "2026-12-08T15:00:00Z", 30);
    body["use_credits"] = json!(true);
    let quote = student
        .post("/api/v1/bookings/quote", &body)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        quote,
        json!({"lesson_price_cents": 3_500, "service_fee_cents": 420, "credits_applied_cents": 3_500, "total_charge_cents": 420})
    );
    let b = booked(&student, &body).await;
    assert_eq!(
        (
            b["credits_applied_cents"].as_i64(),
            b["total_charge_cents"].as_i64()
        ),
        (Some(3_500), Some(420))
    );
    assert_eq!(
        balance(&student).await,
        3_500,
        "reserved credit cannot be spent twice"
    );
    let credits = student.json("/api/v1/credits").await;
    assert_eq!(credits["items"][0]["reason"], "cancellation");

    app.travel_to("2026-12-09T16:00:00Z").await;
    let b = student.json(&format!("/api/v1/bookings/{}", id(&b))).await;
    assert_eq!(b["payment_status"], "captured");
    assert_eq!(app.ledger_sum("credit_use", Some(&id(&b))).await, 3_500);
    // The card paid $4.20 but the instructor is owed $29.75: the platform tops it up.
    assert!(
        app.provider_calls()
            .await
            .contains(&"transfer 2555".to_string()),
        "{:?}",
        app.provider_calls().await
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_refused_scheduled_authorisation_is_retried_warned_and_cancelled_at_t_minus_12h() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-05T15:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_insufficientFunds");
    let b = booked(&student, &body).await;
    assert_eq!(
        b["payment_status"], "scheduled",
        "the card is not tried until T-24h"
    );

    app.travel_to("2026-12-04T15:00:00Z").await;
    let now = student.json(&format!("/api/v1/bookings/{}", id(&b))).await;
    assert_eq!(
        (now["status"].as_str(), now["payment_status"].as_str()),
        (Some("confirmed"), Some("failed"))
    );
    app.last_email("ada@example.com", "payment_failed").await;
    app.travel_to("2026-12-05T02:00:00Z").await;
    app.last_email("ada@example.com", "payment_final_warning")
        .await;
    app.travel_to("2026-12-05T03:00:00Z").await;
    let now = student.json(&format!("/api/v1/bookings/{}", id(&b))).await;
    assert_eq!(now["status"], "payment_failed");
    assert_eq!(now["cancellation"]["by"], "system");
    let tries: Vec<String> = app.provider_calls().await;
    assert_eq!(
        tries,
        ["authorize 7840", "authorize 7840", "authorize 7840"],
        "T-24h, +1 h, +4 h"
    );
    let failures = app
        .outbox("ada@example.com")
        .await
        .into_iter()
        .filter(|m| m["template"] == "payment_failed")
        .count();
    assert_eq!(failures, 3);
    app.last_email("ada@example.com", "booking_cancelled").await;
    assert_eq!(app.ledger_sum("card_capture", None).await, 0, "no charge");
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_student_who_replaces_a_refused_card_is_charged_on_the_new_default_at_the_next_retry() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-05T15:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_chargeDeclined");
    let b = id(&booked(&student, &body).await);
    app.travel_to("2026-12-04T15:00:00Z").await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{b}")).await["payment_status"],
        "failed"
    );
    let visa: Value = student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_visa"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let made_default = student
        .post(
            &format!(
                "/api/v1/payments/methods/{}/default",
                visa["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(made_default.status(), 200);
    app.travel_to("2026-12-04T16:00:00Z").await;
    let now = student.json(&format!("/api/v1/bookings/{b}")).await;
    assert_eq!(
        (now["status"].as_str(), now["payment_status"].as_str()),
        (Some("confirmed"), Some("authorized"))
    );
    app.travel_to("2026-12-06T16:00:00Z").await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{b}")).await["payment_status"],
        "captured"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn rescheduling_moves_the_lesson_and_its_payment_once_late_and_never_in_the_last_12_hours() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let first = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-05T15:00:00Z", 60),
    )
    .await);

    let moved = student
        .post(
            &format!("/api/v1/bookings/{first}/reschedule"),
            &json!({"start": "2026-12-06T15:00:00Z"}),
        )
        .await;
    assert_eq!(moved.status(), 201);
    let second: Value = moved.json().await.unwrap();
    assert_eq!(second["rescheduled_from"], first.as_str());
    assert_eq!(second["payment_status"], "scheduled");
    let old = student.json(&format!("/api/v1/bookings/{first}")).await;
    assert_eq!(
        (old["status"].as_str(), old["rescheduled_to"].as_str()),
        (Some("cancelled"), second["id"].as_str())
    );
    let listed = student.json("/api/v1/bookings?scope=all").await;
    assert_eq!(
        listed["total"], 1,
        "the replaced booking is hidden by default"
    );
    assert_eq!(
        student
            .json("/api/v1/bookings?scope=all&include_rescheduled=true")
            .await["total"],
        2
    );
    app.last_email("clara@example.com", "booking_rescheduled")
        .await;

    // 19 h before: once, and the payment is captured and locked.
    app.travel_to("2026-12-05T20:00:00Z").await;
    let second = id(&second);
    let late = student
        .post(
            &format!("/api/v1/bookings/{second}/reschedule"),
            &json!({"start": "2026-12-08T15:00:00Z"}),
        )
        .await;
    assert_eq!(late.status(), 201);
    let third: Value = late.json().await.unwrap();
    assert_eq!(third["payment_status"], "locked");
    let third = id(&third);
    assert_eq!(app.ledger_sum("card_capture", Some(&third)).await, 7_840);
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{third}/reschedule"),
                &json!({"start": "2026-12-09T15:00:00Z"}),
            )
            .await,
        422,
        "reschedule.limit_reached",
    )
    .await;
    // The new lesson keeps the original clock: 10 h before the original time is too late.
    app.travel_to("2026-12-06T05:00:00Z").await;
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{third}/reschedule"),
                &json!({"start": "2026-12-09T15:00:00Z"}),
            )
            .await,
        422,
        "reschedule.window_closed",
    )
    .await;
    let done = cancel(&student, &third, "Cannot make it after all").await;
    assert_eq!(
        done["outcome"]["policy"], "credit_half",
        "anti-gaming: notice from the original time"
    );
    assert_eq!(balance(&student).await, 3_500);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn instructors_complete_lessons_after_they_end() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-02T15:00:00Z", 60),
    )
    .await);
    assert_eq!(
        student
            .post(&format!("/api/v1/bookings/{b}/complete"), &json!({}))
            .await
            .status(),
        403
    );
    app.travel_to("2026-12-02T15:30:00Z").await;
    assert_problem(
        teacher
            .post(&format!("/api/v1/bookings/{b}/complete"), &json!({}))
            .await,
        422,
        "booking.not_ended",
    )
    .await;
    app.travel_to("2026-12-02T16:00:00Z").await;
    let done: Value = teacher
        .post(&format!("/api/v1/bookings/{b}/complete"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (done["status"].as_str(), done["payment_status"].as_str()),
        (Some("completed"), Some("authorized"))
    );
    app.last_email("ada@example.com", "lesson_completed").await;
    let schedule = teacher.json("/api/v1/bookings?scope=past").await;
    assert_eq!(schedule["items"][0]["id"], b.as_str());
    app.travel_to("2026-12-03T16:00:00Z").await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{b}")).await["payment_status"],
        "captured"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn an_undisputed_instructor_no_show_refunds_everything_and_a_disputed_one_waits_for_an_admin()
{
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let admin = app.admin().await;
    let absent_teacher = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-02T15:00:00Z", 60),
    )
    .await);
    let absent_student = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-03T15:00:00Z", 60),
    )
    .await);

    let report = json!({"who": "instructor", "reason": "Never joined the call"});
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{absent_teacher}/no-show"),
                &report,
            )
            .await,
        422,
        "no_show.window_closed",
    )
    .await;
    app.travel_to("2026-12-02T15:20:00Z").await;
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{absent_teacher}/no-show"),
                &json!({"who": "student", "reason": "x"}),
            )
            .await,
        422,
        "no_show.wrong_party",
    )
    .await;
    let reported: Value = student
        .post(
            &format!("/api/v1/bookings/{absent_teacher}/no-show"),
            &report,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reported["no_show"]["state"], "open");
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{absent_teacher}/no-show"),
                &report,
            )
            .await,
        409,
        "no_show.already_reported",
    )
    .await;
    app.last_email("clara@example.com", "no_show_reported")
        .await;
    app.travel_to("2026-12-03T15:20:00Z").await;
    let resolved = student
        .json(&format!("/api/v1/bookings/{absent_teacher}"))
        .await;
    assert_eq!(
        (
            resolved["status"].as_str(),
            resolved["payment_status"].as_str()
        ),
        (Some("no_show"), Some("released"))
    );

    // The instructor reports the student; the student disputes; nothing settles until an admin decides.
    app.travel_to("2026-12-03T16:05:00Z").await;
    let accuse = teacher
        .post(
            &format!("/api/v1/bookings/{absent_student}/no-show"),
            &json!({"who": "student", "reason": "Nobody home"}),
        )
        .await;
    assert_eq!(accuse.status(), 200);
    let disputed: Value = student
        .post(
            &format!("/api/v1/bookings/{absent_student}/no-show/dispute"),
            &json!({"reason": "I was there, the link was wrong"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(disputed["no_show"]["state"], "disputed");
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{absent_student}/no-show/dispute"),
                &json!({"reason": "again"}),
            )
            .await,
        409,
        "no_show.already_disputed",
    )
    .await;
    app.travel_to("2026-12-05T16:00:00Z").await;
    assert_eq!(
        student
            .json(&format!("/api/v1/bookings/{absent_student}"))
            .await["payment_status"],
        "authorized",
        "held for the admin"
    );
    let decided: Value = admin
        .post(
            &format!("/api/v1/admin/bookings/{absent_student}/no-show"),
            &json!({"upheld": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            decided["status"].as_str(),
            decided["payment_status"].as_str()
        ),
        (Some("no_show"), Some("captured"))
    );
    assert_eq!(
        app.ledger_sum("instructor_payout", Some(&absent_student))
            .await,
        5_950,
        "an absent student still pays"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_fifth_completed_lesson_earns_ten_dollars_of_credit() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    for day in 2..7 {
        booked(
            &student,
            &app.lesson(&instructor, &format!("2026-12-{day:02}T15:00:00Z"), 30),
        )
        .await;
    }
    app.travel_to("2026-12-06T16:00:00Z").await;
    assert_eq!(balance(&student).await, 0, "four lessons completed so far");
    app.travel_to("2026-12-07T16:00:00Z").await;
    let credits = student.json("/api/v1/credits").await;
    assert_eq!(
        (
            credits["balance_cents"].as_i64(),
            credits["items"][0]["reason"].as_str()
        ),
        (Some(1_000), Some("loyalty"))
    );
    // Five lessons completed in 30 days: the instructor's commission drops to 12%.
    let sixth = booked(
        &student,
        &app.lesson(&instructor, "2026-12-10T15:00:00Z", 30),
    )
    .await;
    assert_eq!(
        (
            sixth["commission_cents"].as_i64(),
            sixth["instructor_payout_cents"].as_i64()
        ),
        (Some(420), Some(3_080))
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_capture_that_keeps_failing_is_retried_every_4_hours_and_alerts_admins_after_72() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    app.admin().await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-02T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-02T14:00:00Z").await;
    // The bank let the authorisation lapse behind our back, and the card is refused since:
    // once the hold is too old, authorising it again fails too.
    app.state
        .db
        .write(|tx| {
            tx.execute("UPDATE sim_intents SET status = 'released'", [])?;
            Ok(tx.execute(
                "UPDATE bookings SET payment_method_ref = 'pm_card_chargeDeclined'",
                [],
            )?)
        })
        .await
        .unwrap();
    app.travel_to("2026-12-03T16:00:00Z").await;
    let now = student.json(&format!("/api/v1/bookings/{b}")).await;
    assert_eq!(
        (now["status"].as_str(), now["payment_status"].as_str()),
        (Some("completed"), Some("authorized"))
    );
    app.travel_to("2026-12-06T15:59:00Z").await;
    let captures = app
        .provider_calls()
        .await
        .iter()
        .filter(|c| c.starts_with("capture"))
        .count();
    let renewals = app
        .provider_calls()
        .await
        .iter()
        .filter(|c| c.starts_with("authorize"))
        .count()
        - 1;
    // Attempts from 2026-12-06T04:00Z on come more than 4 days 12 hours after the hold was made
    // (2026-12-01T15:00Z): those try to authorise again first.
    assert_eq!(
        (captures, renewals),
        (15, 3),
        "each attempt asks again, under its own key"
    );
    let failures = student.json(&format!("/api/v1/bookings/{b}")).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "settle_failed")
        .count();
    assert_eq!(failures, 18, "at end + 24 h and every 4 h for 68 h");
    let alerts = |mail: Vec<Value>| {
        mail.iter()
            .filter(|m| m["template"] == "admin_alert")
            .count()
    };
    assert_eq!(alerts(app.outbox("root@example.com").await), 0);
    app.travel_to("2026-12-06T16:00:00Z").await;
    let alert = app.last_email("root@example.com", "admin_alert").await;
    assert!(alert["subject"].as_str().unwrap().contains(&b));
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn each_user_has_a_private_calendar_feed_of_their_lessons() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-04T15:00:00Z", 60),
    )
    .await);
    let url = student.json("/api/v1/calendar").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = url
        .split_once("/api/")
        .map(|(_, rest)| format!("/api/{rest}"))
        .unwrap();
    let feed = app.get(&path).await;
    assert_eq!(
        feed.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = feed.text().await.unwrap();
    assert!(text.contains(&format!("UID:{b}@instainstru")), "{text}");
    assert!(text.contains("DTSTART:20261204T150000Z"));
    assert!(
        text.contains("SUMMARY:Piano lesson with Ada L."),
        "the instructor's name is Ada too: {text}"
    );
    let teacher_feed = teacher.json("/api/v1/calendar").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(teacher_feed, url);
    let rotated = student
        .post("/api/v1/calendar/rotate", &json!({}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(rotated["url"].as_str().unwrap(), url);
    assert_eq!(
        app.get(&path).await.status(),
        404,
        "the old link stops working"
    );
}

#[tokio::test]
async fn a_settlement_whose_transfer_fails_is_finished_later_without_capturing_twice() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let first = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-03T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-02T20:00:00Z").await;
    cancel(&student, &first, "Conflict").await;
    let mut body = app.lesson(&instructor, "2026-12-08T15:00:00Z", 30);
    body["use_credits"] = json!(true);
    let b = id(&booked(&student, &body).await);
    // The credit paid for the lesson, so the instructor needs a top-up transfer, which fails
    // while their payouts account is missing (after the card was authorised towards it).
    app.travel_to("2026-12-08T16:00:00Z").await;
    let account: String = app
        .state
        .db
        .write(|tx| {
            let account =
                tx.query_row("SELECT payouts_account FROM instructor_profiles", [], |r| {
                    r.get(0)
                })?;
            tx.execute("UPDATE instructor_profiles SET payouts_account = NULL", [])?;
            Ok(account)
        })
        .await
        .unwrap();
    app.travel_to("2026-12-09T16:00:00Z").await;
    let now = student.json(&format!("/api/v1/bookings/{b}")).await;
    assert_eq!(now["payment_status"], "captured", "the card step is kept");
    app.state
        .db
        .write(move |tx| {
            Ok(tx.execute(
                "UPDATE instructor_profiles SET payouts_account = ?1",
                [account],
            )?)
        })
        .await
        .unwrap();
    app.travel_to("2026-12-09T20:00:00Z").await;
    let calls = app.provider_calls().await;
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("capture")).count(),
        2,
        "{calls:?}"
    );
    assert!(calls.contains(&"transfer 2555".to_string()), "{calls:?}");
    assert_eq!(
        app.ledger_sum("instructor_payout", Some(&b)).await,
        2_555 + 420
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_card_chosen_at_booking_is_the_one_charged_and_a_refused_card_is_not_kept() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-01T20:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_chargeDeclined");
    assert_problem(book(&student, &body).await, 402, "payment.declined").await;
    assert_eq!(
        student.json("/api/v1/payments/methods").await["items"],
        json!([])
    );
    // A card whose bank check fails is not kept either.
    body["payment_method_id"] = json!("pm_card_authenticationRequired");
    let problem = assert_problem(book(&student, &body).await, 402, "payment.requires_action").await;
    let answered = student
        .post(
            "/api/v1/payments/simulated/authenticate",
            &json!({"client_secret": problem["client_secret"], "succeed": false}),
        )
        .await;
    assert_eq!(answered.status(), 204);
    let booking = problem["booking_id"].as_str().unwrap();
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{booking}/confirm-payment"),
                &json!({}),
            )
            .await,
        402,
        "payment.declined",
    )
    .await;
    assert_eq!(
        student.json("/api/v1/payments/methods").await["items"],
        json!([])
    );

    student
        .post(
            "/api/v1/payments/methods",
            &json!({"payment_method_id": "pm_card_visa"}),
        )
        .await;
    let mut chosen = app.lesson(&instructor, "2026-12-05T15:00:00Z", 60);
    chosen["payment_method_id"] = json!("pm_card_mastercard");
    let b = id(&booked(&student, &chosen).await);
    app.travel_to("2026-12-04T15:00:00Z").await;
    let authorised = match app.state.payments.as_ref() {
        instainstru::payments::Provider::Simulated(sim) => sim.calls().await,
        instainstru::payments::Provider::Stripe(_) => unreachable!("tests run on simulated"),
    };
    let last = authorised.last().unwrap();
    assert_eq!(
        (last.operation.as_str(), last.target.as_str()),
        ("authorize", "pm_card_mastercard")
    );
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{b}")).await["payment_status"],
        "authorized"
    );
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_card_that_asks_for_the_banks_check_books_once_the_student_passes_it() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-01T20:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_authenticationRequired");
    let problem = assert_problem(book(&student, &body).await, 402, "payment.requires_action").await;
    let booking = problem["booking_id"].as_str().unwrap().to_string();
    let pending = student.json(&format!("/api/v1/bookings/{booking}")).await;
    assert_eq!(pending["status"], "pending_payment");
    // Only the holder of the client secret answers the check.
    assert_problem(
        student
            .post(
                "/api/v1/payments/simulated/authenticate",
                &json!({"client_secret": "pi_sim_999999_secret", "succeed": true}),
            )
            .await,
        422,
        "payment.nothing_to_authenticate",
    )
    .await;
    student
        .post(
            "/api/v1/payments/simulated/authenticate",
            &json!({"client_secret": problem["client_secret"], "succeed": true}),
        )
        .await;
    let confirmed = student
        .post(
            &format!("/api/v1/bookings/{booking}/confirm-payment"),
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let confirmed: Value = confirmed.json().await.unwrap();
    assert_eq!(
        (&confirmed["status"], &confirmed["payment_status"]),
        (&json!("confirmed"), &json!("authorized"))
    );
    assert_eq!(
        student.json("/api/v1/payments/methods").await["items"][0]["last4"],
        "3184",
        "the card is kept once it worked"
    );
    // Confirming again changes nothing.
    let again = student
        .post(
            &format!("/api/v1/bookings/{booking}/confirm-payment"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 200);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn moving_an_unpaid_lesson_to_within_24_hours_authorises_it_at_once() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let mut body = app.lesson(&instructor, "2026-12-05T15:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_chargeDeclined");
    let refused = id(&booked(&student, &body).await);
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{refused}/reschedule"),
                &json!({"start": "2026-12-01T18:00:00Z"}),
            )
            .await,
        402,
        "payment.declined",
    )
    .await;
    assert_eq!(
        student.json(&format!("/api/v1/bookings/{refused}")).await["status"],
        "confirmed",
        "nothing moved"
    );

    let good = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-06T15:00:00Z", 60),
    )
    .await);
    let moved: Value = student
        .post(
            &format!("/api/v1/bookings/{good}/reschedule"),
            &json!({"start": "2026-12-01T20:00:00Z"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["payment_status"], "authorized", "{moved}");
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn two_identical_late_reschedules_at_once_move_the_lesson_and_capture_once() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-05T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-04T20:00:00Z").await;
    let path = format!("/api/v1/bookings/{b}/reschedule");
    let body = json!({"start": "2026-12-08T15:00:00Z"});
    let (one, two) = tokio::join!(student.post(&path, &body), student.post(&path, &body));
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!(matches!(statuses[1], 409 | 422), "{statuses:?}");
    app.run_jobs().await;
    let captures = app
        .provider_calls()
        .await
        .iter()
        .filter(|c| c.starts_with("capture"))
        .count();
    assert_eq!(captures, 1);
    assert_eq!(app.ledger_sum("card_capture", None).await, 7_840);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn no_absence_can_be_reported_once_the_lesson_is_settling() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-02T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-03T16:00:00Z").await;
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{b}/no-show"),
                &json!({"who": "instructor", "reason": "late claim"}),
            )
            .await,
        422,
        "no_show.not_reportable",
    )
    .await;
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn a_late_cancellation_before_the_card_was_authorised_still_follows_the_tiers() {
    let app = TestApp::spawn().await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let paid = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-05T15:00:00Z", 60),
    )
    .await);
    let mut body = app.lesson(&instructor, "2026-12-05T18:00:00Z", 60);
    body["payment_method_id"] = json!("pm_card_chargeDeclined");
    let refused = id(&booked(&student, &body).await);
    // The T-24h authorisations never ran (the server was down, say).
    app.state
        .db
        .write(|tx| Ok(tx.execute("DELETE FROM jobs WHERE kind = 'bookings.timeline'", [])?))
        .await
        .unwrap();
    app.travel_to("2026-12-04T20:00:00Z").await;
    let done = cancel(&student, &paid, "Sick").await;
    assert_eq!(done["outcome"]["policy"], "credit_full");
    assert_eq!(
        done["booking"]["payment_status"], "captured",
        "charged at cancellation"
    );
    assert_eq!(balance(&student).await, 7_000);
    let waived = cancel(&student, &refused, "Sick too").await;
    assert_eq!(waived["outcome"]["policy"], "full_release");
    assert_eq!(
        waived["booking"]["cancellation"]["outcome"]["policy"], "full_release",
        "the card was refused: nothing owed"
    );
    assert_eq!(balance(&student).await, 7_000);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn credit_expires_unspent_and_the_liability_goes_with_it() {
    let app = TestApp::spawn_with(|c| {
        c.market.credit_validity = instainstru::config::Duration::secs(2 * 86_400);
    })
    .await;
    let (_, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    let b = id(&booked(
        &student,
        &app.lesson(&instructor, "2026-12-03T15:00:00Z", 60),
    )
    .await);
    app.travel_to("2026-12-02T20:00:00Z").await;
    cancel(&student, &b, "Away").await;
    assert_eq!(balance(&student).await, 7_000);
    // The hourly expiry job (TestApp schedules no recurring jobs itself).
    app.state
        .db
        .write(|tx| {
            let at = crate::helpers::at("2026-12-04T21:00:00Z");
            let job = instainstru::jobs::NewJob::new("credits.expire", &json!({}), at).run_at(at);
            Ok(instainstru::jobs::enqueue(tx, &job)?)
        })
        .await
        .unwrap();
    app.travel_to("2026-12-04T21:00:00Z").await;
    let credits = student.json("/api/v1/credits").await;
    assert_eq!(credits["balance_cents"], 0);
    assert_eq!(credits["items"][0]["status"], "expired");
    assert_eq!(app.ledger_sum("credit_expire", None).await, 7_000);
    app.assert_ledger_balances().await;
}

#[tokio::test]
async fn the_list_can_be_narrowed_to_a_time_range_for_week_views() {
    let app = TestApp::spawn().await;
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    for start in [
        "2026-12-02T15:00:00Z",
        "2026-12-04T15:00:00Z",
        "2026-12-09T15:00:00Z",
    ] {
        booked(&student, &app.lesson(&instructor, start, 60)).await;
    }
    let week = teacher
        .json("/api/v1/bookings?scope=all&as=instructor&from=2026-12-03T00:00:00Z&to=2026-12-08T00:00:00Z")
        .await;
    assert_eq!(week["total"], 1);
    assert_eq!(week["items"][0]["start"], "2026-12-04T15:00:00Z");
    let problem = assert_problem(
        teacher.get("/api/v1/bookings?from=monday").await,
        422,
        "request.invalid_query",
    )
    .await;
    assert!(problem["errors"]["from"].is_string());
    app.assert_ledger_balances().await;
}

//! The booking lifecycle with `provider = "stripe"` against the wire-format fake: saved cards
//! through SetupIntents, authorisation at T-24h, capture with the application fee, each
//! cancellation tier, the reschedule lock, an instructor's cancellation, the bank's check in the
//! browser, webhooks that finish or repair what the app knows, chargebacks and payouts. Every
//! scenario ends with the ledger invariant checked against Stripe's own books (the fake's).
//!
//! Money: a 60-minute online piano lesson is LP $70.00 + fee $8.40 = $78.40 on the card; at the
//! 15% tier the instructor gets $59.50, so the capture keeps an application fee of $18.90.

use serde_json::{Value, json};

use crate::helpers::browser::Browser;
use crate::helpers::fake_stripe::FakeStripe;
use crate::helpers::{TestApp, assert_problem};

async fn stripe_app() -> (TestApp, FakeStripe) {
    let (fake, url) = FakeStripe::start().await;
    let app = TestApp::spawn_with(move |c| {
        c.payments.provider = instainstru::config::PaymentsProvider::Stripe;
        c.payments.stripe.secret_key = "sk_test_platform".into();
        c.payments.stripe.publishable_key = "pk_test_platform".into();
        c.payments.stripe.webhook_secret = "whsec_test_platform".into();
        c.payments.stripe.api_base = url;
    })
    .await;
    (app, fake)
}

/// Saves `pm` as the browser would: a SetupIntent confirmed by Stripe.js, then the app.
async fn save_card(fake: &FakeStripe, student: &Browser, pm: &str) -> reqwest::Response {
    let start = student
        .post("/api/v1/payments/setup-intent", &json!({}))
        .await;
    assert_eq!(start.status(), 200);
    let start: Value = start.json().await.unwrap();
    assert_eq!(start["provider"], "stripe");
    assert_eq!(start["publishable_key"], "pk_test_platform");
    fake.confirm_setup(start["client_secret"].as_str().unwrap(), pm);
    student
        .post(
            "/api/v1/payments/methods",
            &json!({ "payment_method_id": pm }),
        )
        .await
}

/// A live instructor (payouts ready by `account.updated`) and a student with a saved card.
async fn market(fake: &FakeStripe, app: &TestApp, pm: &str) -> (Browser, String, Browser) {
    let (teacher, instructor) = app.live_instructor("clara@example.com").await;
    let (student, _) = app.student("ada@example.com").await;
    assert_eq!(save_card(fake, &student, pm).await.status(), 201);
    (teacher, instructor, student)
}

async fn booked(student: &Browser, body: &Value) -> String {
    let response = student.post("/api/v1/bookings", body).await;
    let status = response.status();
    let json: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{json}");
    json["id"].as_str().unwrap().to_string()
}

fn lesson(app: &TestApp, instructor: &str, start: &str, pm: &str) -> Value {
    let mut body = app.lesson(instructor, start, 60);
    body["payment_method_id"] = pm.into();
    body
}

/// The form of the only request to `what` whose idempotency key starts with `key`.
fn sent(fake: &FakeStripe, what: &str, key: &str) -> std::collections::HashMap<String, String> {
    let mut found: Vec<_> = fake
        .calls(what)
        .into_iter()
        .filter(|s| {
            s.idempotency_key
                .as_deref()
                .is_some_and(|k| k.starts_with(key))
        })
        .collect();
    assert_eq!(found.len(), 1, "one {what} with key {key}: {found:?}");
    found.remove(0).form
}

#[tokio::test]
async fn a_card_is_saved_through_a_setup_intent_of_the_students_own_customer() {
    let (app, fake) = stripe_app().await;
    // The web app learns it talks to Stripe, and may load Stripe.js.
    let config = app.get("/api/v1/payments/config").await;
    let csp = config.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self' https://js.stripe.com"),
        "{csp}"
    );
    assert!(csp.contains("frame-src https://js.stripe.com"), "{csp}");
    assert_eq!(
        config.json::<Value>().await.unwrap(),
        json!({"provider": "stripe", "publishable_key": "pk_test_platform"})
    );
    let (student, _) = app.student("ada@example.com").await;
    // A payment method no SetupIntent of this customer confirmed is refused.
    assert_problem(
        student
            .post(
                "/api/v1/payments/methods",
                &json!({"payment_method_id": "pm_card_visa"}),
            )
            .await,
        422,
        "payment.invalid_method",
    )
    .await;
    let saved = save_card(&fake, &student, "pm_card_visa").await;
    assert_eq!(saved.status(), 201);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (&saved["brand"], &saved["last4"], &saved["is_default"]),
        (&json!("visa"), &json!("4242"), &json!(true))
    );
    // One customer however many cards, made with a key tied to the student.
    assert_eq!(
        save_card(&fake, &student, "pm_card_mastercard")
            .await
            .status(),
        201
    );
    let customers = fake.calls("POST /v1/customers");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].form["email"], "ada@example.com");
    let setup = &fake.calls("POST /v1/setup_intents")[0].form;
    assert_eq!(setup["usage"], "off_session");
    assert!(setup["customer"].starts_with("cus_"), "{setup:?}");

    // Someone else cannot claim that card: it is not their customer's.
    let (other, _) = app.student("eve@example.com").await;
    other
        .post("/api/v1/payments/setup-intent", &json!({}))
        .await;
    assert_problem(
        other
            .post(
                "/api/v1/payments/methods",
                &json!({"payment_method_id": "pm_card_visa"}),
            )
            .await,
        422,
        "payment.invalid_method",
    )
    .await;
}

#[tokio::test]
async fn a_lesson_is_authorised_off_session_at_t_minus_24h_and_captured_with_the_fee_after_it() {
    let (app, fake) = stripe_app().await;
    let (teacher, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let booking = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-04T15:00:00Z", "pm_card_visa"),
    )
    .await;
    assert!(
        fake.calls("POST /v1/payment_intents").is_empty(),
        "nothing is held until T-24h"
    );

    app.travel_to("2026-12-03T15:00:00Z").await;
    let form = sent(
        &fake,
        "POST /v1/payment_intents",
        &format!("booking:{booking}:authorize:1"),
    );
    let customer = fake.calls("POST /v1/customers")[0].clone();
    assert!(customer.form.contains_key("email"));
    for (key, value) in [
        ("amount", "7840"),
        ("currency", "usd"),
        ("capture_method", "manual"),
        ("confirm", "true"),
        ("off_session", "true"),
        ("payment_method", "pm_card_visa"),
        ("transfer_data[destination]", "acct_1Teacher"),
    ] {
        assert_eq!(
            form.get(key).map(String::as_str),
            Some(value),
            "{key}: {form:?}"
        );
    }
    assert!(form["customer"].starts_with("cus_"), "{form:?}");
    let detail = student.json(&format!("/api/v1/bookings/{booking}")).await;
    assert_eq!(detail["payment_status"], "authorized");

    app.travel_to("2026-12-05T16:00:00Z").await;
    let capture = fake.captures();
    assert_eq!(capture.len(), 1);
    assert_eq!(capture[0].form["application_fee_amount"], "1890");
    let detail = student.json(&format!("/api/v1/bookings/{booking}")).await;
    assert_eq!(
        (&detail["status"], &detail["payment_status"]),
        (&json!("completed"), &json!("captured"))
    );
    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(earnings["totals"]["paid_cents"], 5_950);
    assert_eq!(fake.totals().destinations["acct_1Teacher"], 5_950);
    app.assert_ledger_matches(fake.totals()).await;
}

async fn cancel(who: &Browser, id: &str) -> Value {
    let r = who
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            &json!({"reason": "Plans changed"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()
}

#[tokio::test]
async fn each_cancellation_tier_and_the_instructors_cancel_move_money_as_stripe_should() {
    let (app, fake) = stripe_app().await;
    let (teacher, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let pm = "pm_card_visa";
    let early = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-04T15:00:00Z", pm),
    )
    .await;
    let day = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-05T15:00:00Z", pm),
    )
    .await;
    let late = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-06T15:00:00Z", pm),
    )
    .await;
    let theirs = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-07T15:00:00Z", pm),
    )
    .await;
    // 24 h or more: nothing was ever held, nothing moves at Stripe.
    assert_eq!(
        cancel(&student, &early).await["outcome"]["policy"],
        "full_release"
    );
    assert!(fake.calls("POST /v1/payment_intents").is_empty());

    // 12-24 h: authorised at T-24h, then captured whole; the lesson price becomes credit.
    app.travel_to("2026-12-04T20:00:00Z").await;
    assert_eq!(
        cancel(&student, &day).await["outcome"]["policy"],
        "credit_full"
    );
    app.run_jobs().await;
    let captures = fake.captures();
    assert_eq!(captures.len(), 1);
    assert_eq!(
        captures[0].form["application_fee_amount"], "7840",
        "the instructor gets nothing"
    );

    // Under 12 h: captured, half the instructor's payout goes with the charge.
    app.travel_to("2026-12-06T05:00:00Z").await;
    assert_eq!(
        cancel(&student, &late).await["outcome"]["policy"],
        "credit_half"
    );
    app.run_jobs().await;
    let captures = fake.captures();
    assert_eq!(captures.len(), 2);
    assert_eq!(
        captures[1].form["application_fee_amount"],
        (7_840 - 2_975).to_string()
    );

    // The instructor cancels an authorised lesson: the hold is let go.
    app.travel_to("2026-12-07T01:00:00Z").await;
    assert_eq!(
        cancel(&teacher, &theirs).await["outcome"]["policy"],
        "instructor_cancel"
    );
    app.run_jobs().await;
    assert_eq!(
        fake.seen()
            .iter()
            .filter(|s| s.path.ends_with("/cancel"))
            .count(),
        1
    );
    assert_eq!(fake.totals().destinations["acct_1Teacher"], 2_975);
    app.assert_ledger_matches(fake.totals()).await;
}

#[tokio::test]
async fn a_late_reschedule_locks_the_payment_and_an_instructor_cancel_then_refunds_it_all() {
    let (app, fake) = stripe_app().await;
    let (teacher, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let first = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-04T15:00:00Z", "pm_card_visa"),
    )
    .await;
    app.travel_to("2026-12-03T20:00:00Z").await;
    let moved = student
        .post(
            &format!("/api/v1/bookings/{first}/reschedule"),
            &json!({"start": "2026-12-08T15:00:00Z"}),
        )
        .await;
    assert_eq!(moved.status(), 201);
    let moved: Value = moved.json().await.unwrap();
    app.run_jobs().await;
    let detail = student
        .json(&format!(
            "/api/v1/bookings/{}",
            moved["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(detail["payment_status"], "locked");
    let captures = fake.captures();
    assert_eq!(captures.len(), 1);
    assert_eq!(
        captures[0].form["application_fee_amount"], "7840",
        "the platform holds a locked payment whole"
    );

    let id = moved["id"].as_str().unwrap();
    let cancelled = teacher
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            &json!({"reason": "Injured my hand"}),
        )
        .await;
    assert_eq!(cancelled.status(), 200);
    app.run_jobs().await;
    let refunds = fake.calls("POST /v1/refunds");
    assert_eq!(refunds.len(), 1);
    for (key, value) in [
        ("amount", "7840"),
        ("refund_application_fee", "true"),
        ("reverse_transfer", "true"),
    ] {
        assert_eq!(
            refunds[0].form.get(key).map(String::as_str),
            Some(value),
            "{key}"
        );
    }
    assert_eq!(fake.totals().card_net_cents, 0);
    app.assert_ledger_matches(fake.totals()).await;
}

/// Books a lesson 3 hours away with a card that asks for the bank's check; returns the 402 body.
async fn book_with_authentication(app: &TestApp, student: &Browser, instructor: &str) -> Value {
    let response = student
        .post(
            "/api/v1/bookings",
            &lesson(
                app,
                instructor,
                "2026-12-01T18:00:00Z",
                "pm_card_authenticationRequired",
            ),
        )
        .await;
    let problem = assert_problem(response, 402, "payment.requires_action").await;
    assert!(
        problem["client_secret"]
            .as_str()
            .unwrap()
            .contains("_secret_")
    );
    problem
}

#[tokio::test]
async fn the_banks_check_is_completed_in_the_browser_and_the_booking_confirmed() {
    let (app, fake) = stripe_app().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_authenticationRequired").await;
    let problem = book_with_authentication(&app, &student, &instructor).await;
    let (booking, intent) = (
        problem["booking_id"].as_str().unwrap().to_string(),
        problem["intent_id"].as_str().unwrap().to_string(),
    );
    // The slot is held while the student authenticates.
    let (rival, _) = app.student("eve@example.com").await;
    assert_eq!(save_card(&fake, &rival, "pm_card_visa").await.status(), 201);
    let taken = rival
        .post(
            "/api/v1/bookings",
            &lesson(&app, &instructor, "2026-12-01T18:00:00Z", "pm_card_visa"),
        )
        .await;
    assert_eq!(taken.status(), 409);

    // Confirming before the check is done answers the same challenge again.
    assert_problem(
        student
            .post(
                &format!("/api/v1/bookings/{booking}/confirm-payment"),
                &json!({}),
            )
            .await,
        402,
        "payment.requires_action",
    )
    .await;
    fake.authenticate(&intent, true);
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
    // Another student cannot poke at it.
    assert_eq!(
        rival
            .post(
                &format!("/api/v1/bookings/{booking}/confirm-payment"),
                &json!({})
            )
            .await
            .status(),
        404
    );
    app.assert_ledger_matches(fake.totals()).await;
}

#[tokio::test]
async fn a_failed_or_abandoned_check_leaves_nothing_booked() {
    let (app, fake) = stripe_app().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_authenticationRequired").await;
    let problem = book_with_authentication(&app, &student, &instructor).await;
    let booking = problem["booking_id"].as_str().unwrap();
    fake.authenticate(problem["intent_id"].as_str().unwrap(), false);
    let failed = student
        .post(
            &format!("/api/v1/bookings/{booking}/confirm-payment"),
            &json!({}),
        )
        .await;
    assert_problem(failed, 402, "payment.declined").await;
    assert_eq!(
        student
            .get(&format!("/api/v1/bookings/{booking}"))
            .await
            .status(),
        404
    );

    // Walking away: after 15 minutes the hold is let go and the slot is free again.
    let problem = book_with_authentication(&app, &student, &instructor).await;
    let (booking, intent) = (
        problem["booking_id"].as_str().unwrap(),
        problem["intent_id"].as_str().unwrap(),
    );
    app.advance(16 * 60).await;
    app.run_jobs().await;
    assert_eq!(
        student
            .get(&format!("/api/v1/bookings/{booking}"))
            .await
            .status(),
        404
    );
    assert_eq!(fake.intent(intent).status, "canceled");
    app.assert_ledger_matches(fake.totals()).await;
}

#[tokio::test]
async fn a_webhook_finishes_a_check_the_browser_never_reported() {
    let (app, fake) = stripe_app().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_authenticationRequired").await;
    let problem = book_with_authentication(&app, &student, &instructor).await;
    let (booking, intent) = (
        problem["booking_id"].as_str().unwrap(),
        problem["intent_id"].as_str().unwrap(),
    );
    fake.authenticate(intent, true);
    // The event's copy of the intent is not trusted: the app reads the intent back.
    app.deliver_event(
        "payment_intent.amount_capturable_updated",
        "evt_capturable",
        json!({"id": intent, "object": "payment_intent", "status": "requires_capture"}),
        None,
    )
    .await;
    let detail = student.json(&format!("/api/v1/bookings/{booking}")).await;
    assert_eq!(detail["status"], "confirmed", "{detail}");
    assert_eq!(detail["payment_status"], "authorized");
}

#[tokio::test]
async fn a_hold_lost_outside_the_app_is_authorised_again() {
    let (app, fake) = stripe_app().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let booking = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-04T15:00:00Z", "pm_card_visa"),
    )
    .await;
    app.travel_to("2026-12-03T15:00:00Z").await;
    let held: Vec<String> = fake.held_intents();
    assert_eq!(held.len(), 1);
    fake.cancel_outside(&held[0]);
    app.deliver_event(
        "payment_intent.canceled",
        "evt_canceled",
        json!({"id": held[0], "object": "payment_intent", "status": "canceled"}),
        None,
    )
    .await;
    // Delivered twice: processed once.
    let again = app
        .deliver_event(
            "payment_intent.canceled",
            "evt_canceled",
            json!({"id": held[0], "object": "payment_intent", "status": "canceled"}),
            None,
        )
        .await;
    assert_eq!(again.json::<Value>().await.unwrap()["duplicate"], true);
    let form = sent(
        &fake,
        "POST /v1/payment_intents",
        &format!("booking:{booking}:authorize:2"),
    );
    assert_eq!(form["off_session"], "true");
    let detail = student.json(&format!("/api/v1/bookings/{booking}")).await;
    assert_eq!(detail["payment_status"], "authorized");
    assert_eq!(fake.held_intents().len(), 1);
    app.assert_ledger_matches(fake.totals()).await;
}

async fn credits(student: &Browser) -> Value {
    student.json("/api/v1/credits").await
}

#[tokio::test]
async fn a_chargeback_freezes_the_students_credits_until_it_is_won_whatever_order_events_arrive() {
    let (app, fake) = stripe_app().await;
    let admin = app.admin().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    // A late cancellation leaves the student $70 of credit and a captured charge.
    let day = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-05T15:00:00Z", "pm_card_visa"),
    )
    .await;
    app.travel_to("2026-12-04T20:00:00Z").await;
    student
        .post(
            &format!("/api/v1/bookings/{day}/cancel"),
            &json!({"reason": "Sick"}),
        )
        .await;
    app.run_jobs().await;
    assert_eq!(credits(&student).await["balance_cents"], 7_000);
    let intent = fake.captured_intents()[0].clone();
    let dispute = |status: &str| json!({"id": "dp_1", "object": "dispute", "amount": 7840, "payment_intent": intent, "reason": "fraudulent", "status": status});
    let now = app.state.clock.now().timestamp();
    let event = |id: &str, created: i64, status: &str| {
        json!({"id": id, "object": "event", "type": if status == "won" { "charge.dispute.closed" } else { "charge.dispute.created" },
            "created": created, "data": {"object": dispute(status)}})
    };

    app.deliver_event_raw(&event("evt_dp_open", now, "needs_response"))
        .await;
    let frozen = credits(&student).await;
    assert_eq!(
        (&frozen["frozen"], &frozen["balance_cents"]),
        (&json!(true), &json!(0))
    );
    let alerts = app.outbox("root@example.com").await;
    assert!(
        alerts.iter().any(|m| m["template"] == "admin_alert"
            && m["text"].as_str().unwrap().contains("chargeback")),
        "{alerts:?}"
    );
    // Frozen credit is not spent on a new booking.
    let mut with_credit = lesson(&app, &instructor, "2026-12-09T15:00:00Z", "pm_card_visa");
    with_credit["use_credits"] = true.into();
    let priced: Value = student
        .post("/api/v1/bookings/quote", &with_credit)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(priced["credits_applied_cents"], 0, "{priced}");

    app.deliver_event_raw(&event("evt_dp_won", now + 60, "won"))
        .await;
    assert_eq!(credits(&student).await["frozen"], false);
    // A late copy of the opening event changes nothing: the newest state stands.
    app.deliver_event_raw(&event("evt_dp_open_late", now - 60, "needs_response"))
        .await;
    let thawed = credits(&student).await;
    assert_eq!(
        (&thawed["frozen"], &thawed["balance_cents"]),
        (&json!(false), &json!(7_000))
    );
    drop(admin);
    app.assert_ledger_matches(fake.totals()).await;
}

#[tokio::test]
async fn payouts_reach_the_instructors_earnings_and_only_the_newest_state_counts() {
    let (app, fake) = stripe_app().await;
    let (teacher, _, _) = market(&fake, &app, "pm_card_visa").await;
    let now = app.state.clock.now().timestamp();
    let payout = |status: &str| json!({"id": "po_1", "object": "payout", "amount": 5950, "status": status, "arrival_date": now + 86_400});
    let event = |id: &str, kind: &str, created: i64, status: &str| {
        json!({"id": id, "object": "event", "type": kind, "created": created, "account": "acct_1Teacher",
            "data": {"object": payout(status)}})
    };
    // Delivered newest first.
    app.deliver_event_raw(&event("evt_po_paid", "payout.paid", now + 10, "paid"))
        .await;
    app.deliver_event_raw(&event("evt_po_created", "payout.created", now, "pending"))
        .await;
    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(
        earnings["payouts"],
        json!([{"id": "po_1", "amount_cents": 5950, "status": "paid",
            "arrival_at": instainstru::common::time::rfc3339(chrono::DateTime::from_timestamp(now + 86_400, 0).unwrap())}])
    );
}

/// A lesson given and settled: captured, the instructor paid.
async fn settled_lesson(app: &TestApp, student: &Browser, instructor: &str) -> String {
    let booking = booked(
        student,
        &lesson(app, instructor, "2026-12-04T15:00:00Z", "pm_card_visa"),
    )
    .await;
    app.travel_to("2026-12-05T16:00:00Z").await;
    booking
}

#[tokio::test]
async fn a_tip_is_its_own_charge_with_no_application_fee() {
    let (app, fake) = stripe_app().await;
    let (teacher, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let booking = settled_lesson(&app, &student, &instructor).await;
    let reviewed = student
        .post(
            &format!("/api/v1/bookings/{booking}/review"),
            &json!({"rating": 5, "text": "Wonderful", "tip_cents": 1000}),
        )
        .await;
    assert_eq!(reviewed.status(), 201);
    let reviewed: Value = reviewed.json().await.unwrap();
    assert_eq!(reviewed["tip"]["status"], "captured", "{reviewed}");
    let tip = fake
        .calls("POST /v1/payment_intents")
        .into_iter()
        .find(|s| s.form["amount"] == "1000")
        .expect("a payment intent for the tip");
    assert_eq!(tip.form["transfer_data[destination]"], "acct_1Teacher");
    assert!(tip.form["customer"].starts_with("cus_"));
    let captures = fake.captures();
    assert_eq!(captures.len(), 2);
    assert_eq!(
        captures[1].form["application_fee_amount"], "0",
        "100% of the tip reaches the instructor"
    );
    assert_eq!(fake.totals().destinations["acct_1Teacher"], 5_950 + 1_000);
    let earnings = teacher.json("/api/v1/instructor/earnings").await;
    assert_eq!(earnings["totals"]["tip_cents"], 1_000);
    app.assert_ledger_matches(fake.totals()).await;
}

#[tokio::test]
async fn a_refund_made_on_the_dashboard_alerts_admins() {
    let (app, fake) = stripe_app().await;
    app.admin().await;
    let (_, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    settled_lesson(&app, &student, &instructor).await;
    let intent = fake.captured_intents()[0].clone();
    fake.refund_outside(&intent, 2_000);
    app.deliver_event(
        "charge.refunded",
        "evt_refunded",
        json!({"id": "ch_1", "object": "charge", "payment_intent": intent, "amount_refunded": 2000}),
        None,
    )
    .await;
    assert!(
        !app.outbox("root@example.com")
            .await
            .iter()
            .any(|m| m["template"] == "admin_alert"),
        "our own refunds are written just after Stripe answers: the check waits"
    );
    app.advance(11 * 60).await;
    let alerts = app.outbox("root@example.com").await;
    assert!(
        alerts.iter().any(|m| m["template"] == "admin_alert"
            && m["text"].as_str().unwrap().contains("outside the app")),
        "{alerts:?}"
    );
}

#[tokio::test]
async fn a_hold_kept_past_what_cards_allow_is_renewed_before_capture() {
    let (app, fake) = stripe_app().await;
    let admin = app.admin().await;
    let (teacher, instructor, student) = market(&fake, &app, "pm_card_visa").await;
    let booking = booked(
        &student,
        &lesson(&app, &instructor, "2026-12-04T15:00:00Z", "pm_card_visa"),
    )
    .await;
    app.travel_to("2026-12-04T15:30:00Z").await;
    let first = fake.held_intents();
    assert_eq!(first.len(), 1);
    // A disputed absence waits for an admin, who decides a week later.
    let reported = teacher
        .post(
            &format!("/api/v1/bookings/{booking}/no-show"),
            &json!({"who": "student", "reason": "Nobody joined the call"}),
        )
        .await;
    assert_eq!(reported.status(), 200);
    let disputed = student
        .post(
            &format!("/api/v1/bookings/{booking}/no-show/dispute"),
            &json!({"reason": "I was there"}),
        )
        .await;
    assert_eq!(disputed.status(), 200);
    app.travel_to("2026-12-11T15:00:00Z").await;
    let decided = admin
        .post(
            &format!("/api/v1/admin/bookings/{booking}/no-show"),
            &json!({"upheld": true}),
        )
        .await;
    assert_eq!(decided.status(), 200);
    app.run_jobs().await;
    let renewed = sent(
        &fake,
        "POST /v1/payment_intents",
        &format!("booking:{booking}:reauthorize"),
    );
    assert_eq!(renewed["off_session"], "true");
    assert_eq!(
        fake.intent(&first[0]).status,
        "canceled",
        "the old hold is let go"
    );
    assert_eq!(fake.captured_intents().len(), 1);
    assert_ne!(fake.captured_intents()[0], first[0]);
    app.assert_ledger_matches(fake.totals()).await;
}

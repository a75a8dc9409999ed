//! The `stripe` provider against a local server that speaks Stripe's wire format: form-encoded
//! requests, JSON objects shaped like the API reference (fixtures in `fixtures/stripe/`), error
//! objects, and idempotent replays. Each test asserts the exact parameters sent.

use instainstru::config::StripeConfig;
use instainstru::payments::{ChargeRequest, PaymentError, StripeProvider};
use serde_json::Value;

use crate::helpers::fake_stripe::FakeStripe;

fn provider(url: &str) -> StripeProvider {
    let config = StripeConfig {
        secret_key: "sk_test_platform".into(),
        publishable_key: "pk_test_platform".into(),
        webhook_secret: "whsec_test".into(),
        connect_webhook_secret: String::new(),
        api_base: url.to_string(),
    };
    StripeProvider::new(&config).unwrap()
}

fn charge(pm: &str, key: &str) -> ChargeRequest {
    ChargeRequest {
        amount_cents: 7_840,
        payment_method_id: pm.into(),
        destination: Some("acct_1Instructor".into()),
        customer: None,
        off_session: true,
        idempotency_key: key.into(),
    }
}

#[tokio::test]
async fn an_authorisation_is_a_manual_capture_destination_charge_with_our_key() {
    let (fake, url) = FakeStripe::start().await;
    let stripe = provider(&url);
    let intent = stripe
        .authorize(&charge("pm_card_visa", "booking:b1:authorize:1"))
        .await
        .unwrap();
    assert_eq!(fake.intent(&intent).status, "requires_capture");
    let seen = &fake.seen()[0];
    assert_eq!(seen.path, "/v1/payment_intents");
    assert_eq!(
        seen.idempotency_key.as_deref(),
        Some("booking:b1:authorize:1")
    );
    assert_eq!(
        seen.authorization.as_deref(),
        Some("Bearer sk_test_platform")
    );
    let expected = [
        ("amount", "7840"),
        ("currency", "usd"),
        ("capture_method", "manual"),
        ("confirm", "true"),
        ("payment_method", "pm_card_visa"),
        ("off_session", "true"),
        ("transfer_data[destination]", "acct_1Instructor"),
        ("automatic_payment_methods[enabled]", "true"),
        ("automatic_payment_methods[allow_redirects]", "never"),
    ];
    for (key, value) in expected {
        assert_eq!(
            seen.form.get(key).map(String::as_str),
            Some(value),
            "{key} in {:?}",
            seen.form
        );
    }
    assert!(
        !seen.form.contains_key("application_fee_amount"),
        "the fee is fixed at capture"
    );

    // A retry with the same key is replayed by Stripe: the same intent, no second charge.
    let again = stripe
        .authorize(&charge("pm_card_visa", "booking:b1:authorize:1"))
        .await
        .unwrap();
    assert_eq!(again, intent);
}

#[tokio::test]
async fn a_declined_card_reports_the_decline_code() {
    let (_, url) = FakeStripe::start().await;
    let refused = provider(&url)
        .authorize(&charge("pm_card_chargeDeclined", "k1"))
        .await;
    assert_eq!(
        refused,
        Err(PaymentError::Declined {
            code: "insufficient_funds".into()
        })
    );
}

#[tokio::test]
async fn stripe_trouble_is_retried_and_authentication_hands_back_the_client_secret() {
    let (fake, url) = FakeStripe::start().await;
    let stripe = provider(&url);
    for pm in ["pm_busy", "pm_outage"] {
        let answer = stripe.authorize(&charge(pm, &format!("k-{pm}"))).await;
        assert!(
            matches!(answer, Err(PaymentError::Unavailable(_))),
            "{pm}: {answer:?}"
        );
    }
    let on_session = ChargeRequest {
        off_session: false,
        ..charge("pm_card_authenticationRequired", "k-sca")
    };
    let Err(PaymentError::AuthenticationRequired {
        intent_id,
        client_secret,
    }) = stripe.authorize(&on_session).await
    else {
        panic!("expected requires_action");
    };
    assert_eq!(fake.intent(&intent_id).status, "requires_action");
    assert_eq!(client_secret, format!("{intent_id}_secret_abc"));
    // Off-session the same card is a decline, as on Stripe.
    assert_eq!(
        stripe
            .authorize(&charge("pm_card_authenticationRequired", "k-sca-off"))
            .await,
        Err(PaymentError::Declined {
            code: "authentication_required".into()
        })
    );
}

#[tokio::test]
async fn capture_release_refund_transfer_and_reversal_send_what_stripe_expects() {
    let (fake, url) = FakeStripe::start().await;
    let stripe = provider(&url);
    let paid = stripe
        .authorize(&charge("pm_card_visa", "a1"))
        .await
        .unwrap();
    let dropped = stripe
        .authorize(&charge("pm_card_visa", "a2"))
        .await
        .unwrap();
    stripe
        .capture(&paid, 1_890, "booking:b1:capture:0")
        .await
        .unwrap();
    stripe
        .release(&dropped, "booking:b2:release:0")
        .await
        .unwrap();
    stripe
        .refund(&paid, 7_840, true, true, "booking:b3:refund:0")
        .await
        .unwrap();
    let transfer = stripe
        .transfer("acct_1Instructor", 2_555, "booking:b4:transfer:0")
        .await
        .unwrap();
    stripe
        .reverse_transfer(&transfer, 500, "booking:b5:reverse:0")
        .await
        .unwrap();
    let seen = fake.seen();
    let sent = |i: usize| -> (String, Vec<(String, String)>, Option<String>) {
        let mut form: Vec<(String, String)> = seen[i].form.clone().into_iter().collect();
        form.sort();
        (seen[i].path.clone(), form, seen[i].idempotency_key.clone())
    };
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        sent(2),
        (
            format!("/v1/payment_intents/{paid}/capture"),
            pairs(&[("application_fee_amount", "1890")]),
            Some("booking:b1:capture:0".into())
        )
    );
    assert_eq!(
        sent(3),
        (
            format!("/v1/payment_intents/{dropped}/cancel"),
            vec![],
            Some("booking:b2:release:0".into())
        )
    );
    assert_eq!(
        sent(4),
        (
            "/v1/refunds".into(),
            pairs(&[
                ("amount", "7840"),
                ("payment_intent", paid.as_str()),
                ("refund_application_fee", "true"),
                ("reverse_transfer", "true")
            ]),
            Some("booking:b3:refund:0".into())
        )
    );
    assert_eq!(
        sent(5),
        (
            "/v1/transfers".into(),
            pairs(&[
                ("amount", "2555"),
                ("currency", "usd"),
                ("destination", "acct_1Instructor")
            ]),
            Some("booking:b4:transfer:0".into())
        )
    );
    assert_eq!(
        sent(6),
        (
            format!("/v1/transfers/{transfer}/reversals"),
            pairs(&[("amount", "500")]),
            Some("booking:b5:reverse:0".into())
        )
    );
    // Stripe's books after all that: the charge refunded whole, the instructor's share of it
    // reversed, the transfer less its reversal.
    let totals = fake.totals();
    assert_eq!(totals.card_net_cents, 0);
    assert_eq!(totals.destinations["acct_1Instructor"], 2_055);
    // Capturing twice is refused by Stripe; a key reused with other parameters too.
    assert!(stripe.capture(&paid, 1_890, "another-key").await.is_err());
    assert!(matches!(
        stripe.capture(&dropped, 100, "booking:b1:capture:0").await,
        Err(PaymentError::Unavailable(_))
    ));
}

#[tokio::test]
async fn connect_onboarding_makes_one_express_account_and_an_onboarding_link() {
    let (fake, url) = FakeStripe::start().await;
    let stripe = provider(&url);
    let (account, link) = stripe
        .connect_onboarding(
            "u1",
            None,
            "clara@example.com",
            "https://app.example/instructor/onboarding",
        )
        .await
        .unwrap();
    assert_eq!(account, "acct_1Teacher");
    assert!(link.starts_with("https://connect.stripe.com/setup/"));
    let seen = fake.seen();
    assert_eq!(seen[0].path, "/v1/accounts");
    assert_eq!(
        seen[0].idempotency_key.as_deref(),
        Some("instructor:u1:connect-account")
    );
    for (key, value) in [
        ("type", "express"),
        ("email", "clara@example.com"),
        ("capabilities[card_payments][requested]", "true"),
        ("capabilities[transfers][requested]", "true"),
    ] {
        assert_eq!(
            seen[0].form.get(key).map(String::as_str),
            Some(value),
            "{key}: {:?}",
            seen[0].form
        );
    }
    assert_eq!(seen[1].path, "/v1/account_links");
    for (key, value) in [
        ("account", "acct_1Teacher"),
        ("type", "account_onboarding"),
        (
            "return_url",
            "https://app.example/instructor/onboarding?payouts=return",
        ),
        (
            "refresh_url",
            "https://app.example/instructor/onboarding?payouts=refresh",
        ),
    ] {
        assert_eq!(
            seen[1].form.get(key).map(String::as_str),
            Some(value),
            "{key}: {:?}",
            seen[1].form
        );
    }
    // A returning instructor keeps their account: only a new link is made.
    stripe
        .connect_onboarding(
            "u1",
            Some("acct_1Teacher"),
            "clara@example.com",
            "https://app.example/instructor/onboarding",
        )
        .await
        .unwrap();
    assert_eq!(fake.seen().len(), 3);
    assert_eq!(fake.seen()[2].path, "/v1/account_links");
    let dashboard = stripe.dashboard_link("acct_1Teacher").await.unwrap();
    assert!(dashboard.contains("/express/"));
    assert_eq!(
        fake.seen()[3].path,
        "/v1/accounts/acct_1Teacher/login_links"
    );
}

#[tokio::test]
async fn an_instructor_onboards_with_stripe_and_is_ready_when_stripe_says_so() {
    let (fake, url) = FakeStripe::start().await;
    let app = crate::helpers::TestApp::spawn_with(move |c| {
        c.payments.provider = instainstru::config::PaymentsProvider::Stripe;
        c.payments.stripe.secret_key = "sk_test_platform".into();
        c.payments.stripe.publishable_key = "pk_test_platform".into();
        c.payments.stripe.webhook_secret = "whsec_test_platform".into();
        c.payments.stripe.api_base = url;
    })
    .await;
    let teacher = app.sign_up("clara@example.com", "instructor").await;
    let link: Value = teacher
        .post(
            "/api/v1/instructor/payouts/onboarding",
            &serde_json::json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .starts_with("https://connect.stripe.com/setup/"),
        "{link}"
    );
    let own = teacher.json("/api/v1/instructor/profile").await;
    assert_ne!(
        own["payouts_status"], "complete",
        "not ready until Stripe says so: {own}"
    );
    // Onboarding again reuses the account.
    teacher
        .post(
            "/api/v1/instructor/payouts/onboarding",
            &serde_json::json!({}),
        )
        .await;
    let accounts = fake
        .seen()
        .iter()
        .filter(|s| s.path == "/v1/accounts")
        .count();
    assert_eq!(accounts, 1);
    assert_eq!(
        teacher
            .post(
                "/api/v1/instructor/payouts/dashboard",
                &serde_json::json!({})
            )
            .await
            .status(),
        422,
        "no dashboard before the account is ready"
    );

    // Stripe reports the account ready: payouts are complete.
    let event = serde_json::json!({
        "id": "evt_ready", "type": "account.updated", "created": app.state.clock.now().timestamp(),
        "data": {"object": {"id": "acct_1Teacher", "charges_enabled": true, "payouts_enabled": true}},
    })
    .to_string();
    let t = app.state.clock.now().timestamp();
    let delivered = app
        .client
        .post(format!("{}/api/v1/webhooks/stripe", app.url))
        .header(
            "Stripe-Signature",
            crate::webhooks::signature(&event, "whsec_test_platform", t),
        )
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status(), 200);
    let own = teacher.json("/api/v1/instructor/profile").await;
    assert_eq!(own["payouts_status"], "complete", "{own}");
    let dashboard: Value = teacher
        .post(
            "/api/v1/instructor/payouts/dashboard",
            &serde_json::json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(dashboard["url"].as_str().unwrap().contains("/express/"));
}

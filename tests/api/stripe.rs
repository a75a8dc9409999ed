//! The `stripe` provider against a local server that speaks Stripe's wire format: form-encoded
//! requests, JSON objects shaped like the API reference (fixtures in `fixtures/stripe/`), error
//! objects, and idempotent replays. Each test asserts the exact parameters sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use instainstru::config::StripeConfig;
use instainstru::payments::{ChargeRequest, PaymentError, StripeProvider};
use serde_json::Value;

/// One request as the fake Stripe saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    form: HashMap<String, String>,
    idempotency_key: Option<String>,
    authorization: Option<String>,
}

#[derive(Clone, Default)]
struct FakeStripe {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Idempotency key -> the first answer.
    replies: Arc<Mutex<HashMap<String, (StatusCode, String)>>>,
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/api/fixtures/stripe/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

impl FakeStripe {
    fn answer(path: &str, form: &HashMap<String, String>) -> (StatusCode, Value) {
        let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
        match segments.as_slice() {
            ["payment_intents"]
                if form.get("payment_method").map(String::as_str)
                    == Some("pm_card_chargeDeclined") =>
            {
                (StatusCode::PAYMENT_REQUIRED, fixture("card_declined"))
            }
            ["payment_intents"]
                if form.get("payment_method").map(String::as_str) == Some("pm_busy") =>
            {
                (
                    StatusCode::CONFLICT,
                    serde_json::json!({"error": {"type": "idempotency_error", "message": "A request with this key is in progress."}}),
                )
            }
            ["payment_intents"]
                if form.get("payment_method").map(String::as_str) == Some("pm_outage") =>
            {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({"error": {"type": "api_error", "message": "Something went wrong."}}),
                )
            }
            ["payment_intents"]
                if form.get("payment_method").map(String::as_str)
                    == Some("pm_card_authenticationRequired") =>
            {
                let mut intent = fixture("payment_intent");
                intent["status"] = "requires_action".into();
                (StatusCode::OK, intent)
            }
            ["payment_intents"] => {
                let mut intent = fixture("payment_intent");
                intent["amount"] = form["amount"].parse::<i64>().unwrap().into();
                (StatusCode::OK, intent)
            }
            ["payment_intents", _, "capture"] => {
                let mut intent = fixture("payment_intent");
                intent["status"] = "succeeded".into();
                intent["amount_received"] = intent["amount"].clone();
                intent["application_fee_amount"] = form["application_fee_amount"]
                    .parse::<i64>()
                    .unwrap()
                    .into();
                (StatusCode::OK, intent)
            }
            ["payment_intents", _, "cancel"] => {
                let mut intent = fixture("payment_intent");
                intent["status"] = "canceled".into();
                (StatusCode::OK, intent)
            }
            ["refunds"] => (StatusCode::OK, fixture("refund")),
            ["accounts"] => (StatusCode::OK, fixture("account")),
            ["account_links"] => (StatusCode::OK, fixture("account_link")),
            ["accounts", _, "login_links"] => (StatusCode::OK, fixture("login_link")),
            ["transfers"] => (StatusCode::OK, fixture("transfer")),
            ["transfers", _, "reversals"] => (StatusCode::OK, fixture("transfer_reversal")),
            _ => (
                StatusCode::NOT_FOUND,
                serde_json::json!({"error": {"type": "invalid_request_error", "message": format!("Unrecognized request URL ({path})")}}),
            ),
        }
    }

    async fn handle(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        assert_eq!(method, Method::POST);
        let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let seen = Seen {
            path: uri.path().to_string(),
            form: form.clone(),
            idempotency_key: header("idempotency-key"),
            authorization: header("authorization"),
        };
        self.seen.lock().unwrap().push(seen.clone());
        if let Some(key) = &seen.idempotency_key
            && let Some((status, body)) = self.replies.lock().unwrap().get(key).cloned()
        {
            return (status, [("idempotent-replayed", "true")], body).into_response();
        }
        let (status, body) = Self::answer(uri.path(), &form);
        let body = body.to_string();
        if let Some(key) = seen.idempotency_key {
            self.replies
                .lock()
                .unwrap()
                .insert(key, (status, body.clone()));
        }
        (status, [("idempotent-replayed", "false")], body).into_response()
    }

    async fn start() -> (Self, String) {
        let fake = Self::default();
        let handler = fake.clone();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let fake = handler.clone();
                async move { fake.handle(method, uri, headers, body).await }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, url)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

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
    assert_eq!(intent, "pi_3TestIntent");
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
    let (_, url) = FakeStripe::start().await;
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
    assert_eq!(
        stripe.authorize(&on_session).await,
        Err(PaymentError::AuthenticationRequired {
            intent_id: "pi_3TestIntent".into(),
            client_secret: "pi_3TestIntent_secret_abc".into()
        })
    );
}

#[tokio::test]
async fn capture_release_refund_transfer_and_reversal_send_what_stripe_expects() {
    let (fake, url) = FakeStripe::start().await;
    let stripe = provider(&url);
    stripe
        .capture("pi_3TestIntent", 1_890, "booking:b1:capture:0")
        .await
        .unwrap();
    stripe
        .release("pi_3TestIntent", "booking:b2:release:0")
        .await
        .unwrap();
    let refund = stripe
        .refund("pi_3TestIntent", 7_840, true, true, "booking:b3:refund:0")
        .await
        .unwrap();
    assert_eq!(refund, "re_3TestRefund");
    let transfer = stripe
        .transfer("acct_1Instructor", 2_555, "booking:b4:transfer:0")
        .await
        .unwrap();
    assert_eq!(transfer, "tr_3TestTransfer");
    let reversal = stripe
        .reverse_transfer("tr_3TestTransfer", 500, "booking:b5:reverse:0")
        .await
        .unwrap();
    assert_eq!(reversal, "trr_3TestReversal");
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
        sent(0),
        (
            "/v1/payment_intents/pi_3TestIntent/capture".into(),
            pairs(&[("application_fee_amount", "1890")]),
            Some("booking:b1:capture:0".into())
        )
    );
    assert_eq!(
        sent(1),
        (
            "/v1/payment_intents/pi_3TestIntent/cancel".into(),
            vec![],
            Some("booking:b2:release:0".into())
        )
    );
    assert_eq!(
        sent(2),
        (
            "/v1/refunds".into(),
            pairs(&[
                ("amount", "7840"),
                ("payment_intent", "pi_3TestIntent"),
                ("refund_application_fee", "true"),
                ("reverse_transfer", "true")
            ]),
            Some("booking:b3:refund:0".into())
        )
    );
    assert_eq!(
        sent(3),
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
        sent(4),
        (
            "/v1/transfers/tr_3TestTransfer/reversals".into(),
            pairs(&[("amount", "500")]),
            Some("booking:b5:reverse:0".into())
        )
    );
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

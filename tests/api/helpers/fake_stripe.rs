//! A local server that speaks Stripe's wire format, with Stripe's rules for the objects the app
//! uses: form-encoded requests, JSON objects shaped like the API reference (fixtures in
//! `fixtures/stripe/`), error objects, and idempotent replays (a key reused with other
//! parameters is refused, as Stripe does). It keeps state (customers, SetupIntents, intents,
//! refunds, transfers), so a whole booking lifecycle can run against it and its books can be
//! compared with the app's ledger.
//!
//! Test payment methods behave as in Stripe test mode: `pm_card_chargeDeclined` is refused,
//! `pm_card_authenticationRequired` needs the bank's check on-session (and is refused
//! off-session), `pm_busy` and `pm_outage` are Stripe-side trouble.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use instainstru::payments::Totals;
use serde_json::{Value, json};

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub form: HashMap<String, String>,
    pub idempotency_key: Option<String>,
    pub authorization: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Intent {
    pub amount: i64,
    pub status: String,
    pub destination: Option<String>,
    pub customer: Option<String>,
    pub payment_method: String,
    pub fee: i64,
    pub refunded: i64,
    pub reversed: i64,
}

#[derive(Default)]
struct World {
    serial: u64,
    seen: Vec<Seen>,
    /// Idempotency key -> (what was asked, status, body).
    replies: HashMap<String, (String, StatusCode, String)>,
    intents: BTreeMap<String, Intent>,
    /// SetupIntent id -> (customer, payment method once confirmed).
    setups: BTreeMap<String, (String, Option<String>)>,
    /// Payment method -> the customer it is attached to.
    attached: HashMap<String, String>,
    refunds: Vec<(String, String, i64)>,
    /// Transfer id -> (destination, amount, reversed).
    transfers: BTreeMap<String, (String, i64, i64)>,
}

#[derive(Clone, Default)]
pub struct FakeStripe {
    world: Arc<Mutex<World>>,
}

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/api/fixtures/stripe/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn error(status: StatusCode, kind: &str, message: &str) -> (StatusCode, Value) {
    (status, json!({"error": {"type": kind, "message": message}}))
}

fn invalid(message: &str) -> (StatusCode, Value) {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

fn card_of(pm: &str) -> (&'static str, &'static str) {
    match pm {
        "pm_card_mastercard" => ("mastercard", "4444"),
        _ => ("visa", "4242"),
    }
}

impl World {
    fn next(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}_{:04}", self.serial)
    }

    fn intent_json(&self, id: &str) -> Value {
        let i = &self.intents[id];
        let mut body = fixture("payment_intent");
        body["id"] = id.into();
        body["amount"] = i.amount.into();
        body["status"] = i.status.clone().into();
        body["amount_capturable"] = if i.status == "requires_capture" {
            i.amount
        } else {
            0
        }
        .into();
        body["amount_received"] = if i.status == "succeeded" { i.amount } else { 0 }.into();
        body["client_secret"] = format!("{id}_secret_abc").into();
        body["customer"] = i.customer.clone().into();
        body["payment_method"] = i.payment_method.clone().into();
        body["application_fee_amount"] = if i.status == "succeeded" && i.destination.is_some() {
            Value::from(i.fee)
        } else {
            Value::Null
        };
        body["transfer_data"] = match &i.destination {
            Some(d) => json!({"amount": null, "destination": d}),
            None => Value::Null,
        };
        body
    }

    fn answer(
        &mut self,
        method: &Method,
        path: &str,
        form: &HashMap<String, String>,
    ) -> (StatusCode, Value) {
        let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
        let get = *method == Method::GET;
        match (get, segments.as_slice()) {
            (false, ["customers"]) => {
                let mut body = fixture("customer");
                body["id"] = self.next("cus").into();
                body["email"] = form.get("email").cloned().into();
                (StatusCode::OK, body)
            }
            (false, ["setup_intents"]) => {
                let Some(customer) = form.get("customer") else {
                    return invalid("Missing required param: customer.");
                };
                let id = self.next("seti");
                self.setups.insert(id.clone(), (customer.clone(), None));
                let mut body = fixture("setup_intent");
                body["id"] = id.clone().into();
                body["client_secret"] = format!("{id}_secret_xyz").into();
                body["customer"] = customer.clone().into();
                (StatusCode::OK, body)
            }
            (true, ["setup_intents"]) => {
                let expanded = form
                    .iter()
                    .any(|(k, v)| k.starts_with("expand") && v == "data.payment_method");
                let data: Vec<Value> = self
                    .setups
                    .iter()
                    .filter(|(_, (customer, pm))| {
                        form.get("customer") == Some(customer)
                            && form
                                .get("payment_method")
                                .is_none_or(|want| pm.as_ref() == Some(want))
                    })
                    .map(|(id, (customer, pm))| {
                        let mut body = fixture("setup_intent");
                        body["id"] = id.clone().into();
                        body["customer"] = customer.clone().into();
                        if let Some(pm) = pm {
                            body["status"] = "succeeded".into();
                            body["payment_method"] = if expanded {
                                let mut method = fixture("payment_method");
                                let (brand, last4) = card_of(pm);
                                method["id"] = pm.clone().into();
                                method["customer"] = customer.clone().into();
                                method["card"]["brand"] = brand.into();
                                method["card"]["display_brand"] = brand.into();
                                method["card"]["last4"] = last4.into();
                                method
                            } else {
                                pm.clone().into()
                            };
                        }
                        body
                    })
                    .collect();
                (
                    StatusCode::OK,
                    json!({"object": "list", "data": data, "has_more": false, "url": "/v1/setup_intents"}),
                )
            }
            (false, ["payment_intents"]) => self.create_intent(form),
            (true, ["payment_intents", id]) => match self.intents.contains_key(*id) {
                true => (StatusCode::OK, self.intent_json(id)),
                false => error(
                    StatusCode::NOT_FOUND,
                    "invalid_request_error",
                    "No such payment_intent",
                ),
            },
            (false, ["payment_intents", id, "capture"]) => {
                let Some(intent) = self.intents.get_mut(*id) else {
                    return error(
                        StatusCode::NOT_FOUND,
                        "invalid_request_error",
                        "No such payment_intent",
                    );
                };
                if intent.status != "requires_capture" {
                    return invalid(&format!(
                        "This PaymentIntent could not be captured because it has a status of {}.",
                        intent.status
                    ));
                }
                let fee = form
                    .get("application_fee_amount")
                    .map(|f| f.parse::<i64>().unwrap());
                if fee.is_some() && intent.destination.is_none() {
                    return invalid(
                        "application_fee_amount needs a destination charge (transfer_data) or on_behalf_of.",
                    );
                }
                let fee = fee.unwrap_or(0);
                if fee > intent.amount {
                    return invalid("The application fee cannot exceed the amount.");
                }
                intent.fee = fee;
                intent.status = "succeeded".into();
                (StatusCode::OK, self.intent_json(id))
            }
            (false, ["payment_intents", id, "cancel"]) => {
                let Some(intent) = self.intents.get_mut(*id) else {
                    return error(
                        StatusCode::NOT_FOUND,
                        "invalid_request_error",
                        "No such payment_intent",
                    );
                };
                if !matches!(
                    intent.status.as_str(),
                    "requires_capture" | "requires_action" | "requires_payment_method"
                ) {
                    return invalid(&format!(
                        "You cannot cancel this PaymentIntent because it has a status of {}.",
                        intent.status
                    ));
                }
                intent.status = "canceled".into();
                (StatusCode::OK, self.intent_json(id))
            }
            (false, ["refunds"]) => {
                let id_of = form.get("payment_intent").cloned().unwrap_or_default();
                let Some(intent) = self.intents.get_mut(&id_of) else {
                    return invalid("No such payment_intent");
                };
                let amount = form
                    .get("amount")
                    .map_or(intent.amount - intent.refunded, |a| a.parse().unwrap());
                if intent.status != "succeeded"
                    || amount <= 0
                    || intent.refunded + amount > intent.amount
                {
                    return invalid("Refund amount is greater than the unrefunded amount.");
                }
                intent.refunded += amount;
                if form.get("reverse_transfer").map(String::as_str) == Some("true")
                    && intent.destination.is_some()
                {
                    // Stripe reverses the destination's share in proportion to the refund.
                    let share = intent.amount - intent.fee;
                    intent.reversed += (share * amount + intent.amount / 2) / intent.amount;
                }
                let id = self.next("re");
                self.refunds.push((id.clone(), id_of.clone(), amount));
                let mut body = fixture("refund");
                body["id"] = id.into();
                body["amount"] = amount.into();
                body["payment_intent"] = id_of.into();
                (StatusCode::OK, body)
            }
            (true, ["refunds"]) => {
                let data: Vec<Value> = self
                    .refunds
                    .iter()
                    .filter(|(_, intent, _)| form.get("payment_intent") == Some(intent))
                    .map(|(id, intent, amount)| {
                        let mut body = fixture("refund");
                        body["id"] = id.clone().into();
                        body["amount"] = (*amount).into();
                        body["payment_intent"] = intent.clone().into();
                        body
                    })
                    .collect();
                (
                    StatusCode::OK,
                    json!({"object": "list", "data": data, "has_more": false, "url": "/v1/refunds"}),
                )
            }
            (false, ["transfers"]) => {
                let id = self.next("tr");
                let amount: i64 = form["amount"].parse().unwrap();
                self.transfers
                    .insert(id.clone(), (form["destination"].clone(), amount, 0));
                let mut body = fixture("transfer");
                body["id"] = id.into();
                body["amount"] = amount.into();
                body["destination"] = form["destination"].clone().into();
                (StatusCode::OK, body)
            }
            (false, ["transfers", id, "reversals"]) => {
                let amount: i64 = form["amount"].parse().unwrap();
                let Some(transfer) = self.transfers.get_mut(*id) else {
                    return invalid("No such transfer");
                };
                if transfer.2 + amount > transfer.1 {
                    return invalid("The reversal exceeds the transfer.");
                }
                transfer.2 += amount;
                let mut body = fixture("transfer_reversal");
                body["id"] = self.next("trr").into();
                body["amount"] = amount.into();
                (StatusCode::OK, body)
            }
            (false, ["accounts"]) => (StatusCode::OK, fixture("account")),
            (false, ["account_links"]) => (StatusCode::OK, fixture("account_link")),
            (false, ["accounts", _, "login_links"]) => (StatusCode::OK, fixture("login_link")),
            _ => invalid(&format!("Unrecognized request URL ({method} {path})")),
        }
    }

    fn create_intent(&mut self, form: &HashMap<String, String>) -> (StatusCode, Value) {
        let pm = form.get("payment_method").cloned().unwrap_or_default();
        match pm.as_str() {
            "pm_card_chargeDeclined" => {
                return (StatusCode::PAYMENT_REQUIRED, fixture("card_declined"));
            }
            "pm_busy" => {
                return error(
                    StatusCode::CONFLICT,
                    "idempotency_error",
                    "A request with this key is in progress.",
                );
            }
            "pm_outage" => {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "api_error",
                    "Something went wrong.",
                );
            }
            _ => {}
        }
        if let Some(owner) = self.attached.get(&pm)
            && form.get("customer") != Some(owner)
        {
            return invalid(
                "The provided PaymentMethod belongs to a Customer; pass that customer.",
            );
        }
        let off_session = form.get("off_session").map(String::as_str) == Some("true");
        let needs_action = pm == "pm_card_authenticationRequired";
        if needs_action && off_session {
            let mut declined = fixture("card_declined");
            declined["error"]["code"] = "authentication_required".into();
            declined["error"]["decline_code"] = "authentication_required".into();
            return (StatusCode::PAYMENT_REQUIRED, declined);
        }
        let id = self.next("pi");
        self.intents.insert(
            id.clone(),
            Intent {
                amount: form["amount"].parse().unwrap(),
                status: if needs_action {
                    "requires_action"
                } else {
                    "requires_capture"
                }
                .into(),
                destination: form.get("transfer_data[destination]").cloned(),
                customer: form.get("customer").cloned(),
                payment_method: pm,
                fee: 0,
                refunded: 0,
                reversed: 0,
            },
        );
        (StatusCode::OK, self.intent_json(&id))
    }
}

impl FakeStripe {
    async fn handle(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        let raw = if method == Method::GET {
            uri.query().unwrap_or_default().as_bytes().to_vec()
        } else {
            body.to_vec()
        };
        let form: HashMap<String, String> = form_urlencoded::parse(&raw).into_owned().collect();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let seen = Seen {
            method: method.clone(),
            path: uri.path().to_string(),
            form: form.clone(),
            idempotency_key: header("idempotency-key"),
            authorization: header("authorization"),
        };
        let mut world = self.world.lock().unwrap();
        world.seen.push(seen.clone());
        let mut asked: Vec<_> = form.iter().collect();
        asked.sort();
        let fingerprint = format!("{method} {} {asked:?}", uri.path());
        if let Some(key) = &seen.idempotency_key
            && let Some((first, status, body)) = world.replies.get(key).cloned()
        {
            if first != fingerprint {
                let (status, body) = error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                );
                return (status, body.to_string()).into_response();
            }
            return (status, [("idempotent-replayed", "true")], body).into_response();
        }
        let (status, body) = world.answer(&method, uri.path(), &form);
        let body = body.to_string();
        if let Some(key) = seen.idempotency_key {
            world
                .replies
                .insert(key, (fingerprint, status, body.clone()));
        }
        (status, [("idempotent-replayed", "false")], body).into_response()
    }

    /// Starts the fake on a free port; returns it and its base URL.
    pub async fn start() -> (Self, String) {
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

    pub fn seen(&self) -> Vec<Seen> {
        self.world.lock().unwrap().seen.clone()
    }

    /// The requests to `path` (method and path, e.g. "POST /v1/refunds").
    pub fn calls(&self, what: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| format!("{} {}", s.method, s.path) == what)
            .collect()
    }

    /// Every capture request, oldest first.
    pub fn captures(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path.ends_with("/capture"))
            .collect()
    }

    pub fn intent(&self, id: &str) -> Intent {
        self.world.lock().unwrap().intents[id].clone()
    }

    /// What Stripe.js does when the Payment Element confirms a SetupIntent with a card: the
    /// card is attached to the SetupIntent's customer.
    pub fn confirm_setup(&self, client_secret: &str, payment_method: &str) {
        let mut world = self.world.lock().unwrap();
        let id = client_secret.split("_secret_").next().unwrap().to_string();
        let setup = world
            .setups
            .get_mut(&id)
            .expect("a SetupIntent of this fake");
        setup.1 = Some(payment_method.to_string());
        let customer = setup.0.clone();
        world.attached.insert(payment_method.to_string(), customer);
    }

    /// The customer passes (or fails) the bank's check for an intent.
    pub fn authenticate(&self, intent: &str, succeed: bool) {
        let mut world = self.world.lock().unwrap();
        let intent = world.intents.get_mut(intent).unwrap();
        assert_eq!(intent.status, "requires_action");
        intent.status = if succeed {
            "requires_capture"
        } else {
            "requires_payment_method"
        }
        .into();
    }

    /// A hold let go outside the app (it expired, or someone cancelled it on the dashboard).
    pub fn cancel_outside(&self, intent: &str) {
        self.world
            .lock()
            .unwrap()
            .intents
            .get_mut(intent)
            .unwrap()
            .status = "canceled".into();
    }

    /// A refund made on the dashboard, outside the app.
    pub fn refund_outside(&self, intent: &str, amount: i64) {
        let mut world = self.world.lock().unwrap();
        world.intents.get_mut(intent).unwrap().refunded += amount;
        let id = world.next("re");
        world.refunds.push((id, intent.to_string(), amount));
    }

    /// Intents holding money on a card now.
    pub fn held_intents(&self) -> Vec<String> {
        self.intents_in("requires_capture")
    }

    pub fn captured_intents(&self) -> Vec<String> {
        self.intents_in("succeeded")
    }

    fn intents_in(&self, status: &str) -> Vec<String> {
        let world = self.world.lock().unwrap();
        world
            .intents
            .iter()
            .filter(|(_, i)| i.status == status)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// What Stripe's books say: card money captured less refunded, and what reached each
    /// connected account (destination charges less the fee and reversals, plus transfers).
    pub fn totals(&self) -> Totals {
        let world = self.world.lock().unwrap();
        let mut destinations = BTreeMap::new();
        let mut card_net_cents = 0;
        for intent in world.intents.values().filter(|i| i.status == "succeeded") {
            card_net_cents += intent.amount - intent.refunded;
            if let Some(d) = &intent.destination {
                *destinations.entry(d.clone()).or_insert(0) +=
                    intent.amount - intent.fee - intent.reversed;
            }
        }
        for (destination, amount, reversed) in world.transfers.values() {
            *destinations.entry(destination.clone()).or_insert(0) += amount - reversed;
        }
        destinations.retain(|_, cents| *cents != 0);
        Totals {
            card_net_cents,
            destinations,
        }
    }
}

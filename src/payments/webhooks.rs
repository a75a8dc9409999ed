//! `POST /api/v1/webhooks/stripe`: Stripe's events, verified and recorded once.
//!
//! The `Stripe-Signature` header is checked against the platform and the Connect signing
//! secrets: HMAC-SHA256 of `"{t}.{body}"`, a `v1` signature must match, and `t` must be within
//! 300 s of our clock (the injected one, so the test clock works). Each event id is stored
//! before it is acted on; a redelivery answers 200 and changes nothing. Events are handled by
//! what they say about the newest state of their object, so a late, older event never moves
//! state backwards; unknown types are accepted and ignored.
//!
//! What each event type does is in [`super::events`]; unknown types are kept whole with
//! `handled = 0`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use rusqlite::params;
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::events;
use crate::app::AppState;
use crate::common::time::to_db;
use crate::config::PaymentsProvider;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::Json;

const TOLERANCE_SECS: u64 = 300;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    received: bool,
    /// True when this event id was processed before (nothing was done again).
    duplicate: bool,
}

fn bad_signature(detail: &str) -> AppError {
    AppError::new(
        ErrorKind::BadRequest,
        "webhook.bad_signature",
        detail.to_string(),
    )
}

/// At most this many `v1` signatures are considered (Stripe sends one per active secret).
const MAX_SIGNATURES: usize = 8;

/// Whether `header` signs `body` with `secret` at a time within the tolerance of `now`. The MAC
/// is computed once and compared with each candidate in constant time.
pub fn verify(header: &str, body: &[u8], secret: &str, now: i64) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) if signatures.len() < MAX_SIGNATURES => {
                signatures.push(value.to_string())
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("the signature header has no timestamp")?;
    if now.abs_diff(timestamp) > TOLERANCE_SECS {
        return Err("the signature is too old (or from the future)");
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|_| "the signing secret is unusable")?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let matches = signatures
        .iter()
        .filter_map(|s| decode_hex(s))
        .any(|expected| mac.clone().verify_slice(&expected).is_ok());
    if matches {
        Ok(())
    } else {
        Err("no signature matches")
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Receive a Stripe event (signature verified; each event id processed once).
#[utoipa::path(post, path = "/api/v1/webhooks/stripe", tag = "payments",
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = Received), (status = 400, description = "webhook.bad_signature"),
        (status = 404, description = "payments.provider is not stripe")))]
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<Received>> {
    let payments = &state.config.payments;
    if payments.provider != PaymentsProvider::Stripe {
        return Err(AppError::not_found());
    }
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad_signature("Stripe-Signature is missing"))?;
    let now = state.clock.now().timestamp();
    let secrets = [
        &payments.stripe.webhook_secret,
        &payments.stripe.connect_webhook_secret,
    ];
    let mut verdict = Err("no signing secret is configured");
    for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
        verdict = verify(header, &body, secret, now);
        if verdict.is_ok() {
            break;
        }
    }
    verdict.map_err(bad_signature)?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| AppError::bad_request("webhook.malformed", "The event is not JSON."))?;
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(AppError::bad_request(
            "webhook.malformed",
            "The event has no id or type.",
        ));
    };
    let (id, kind) = (id.to_string(), kind.to_string());
    let created = event["created"].as_i64().unwrap_or(now);
    let account = event["account"].as_str().map(str::to_string);
    let mut object = event["data"]["object"].clone();
    if let (Some(account), Some(fields)) = (&account, object.as_object_mut()) {
        // Connect events name the connected account beside the object (payouts need it).
        fields
            .entry("account")
            .or_insert_with(|| Value::String(account.clone()));
    }
    let payload = String::from_utf8_lossy(&body).into_owned();
    let now = state.clock.now();
    let st = state.clone();
    let fresh = state
        .db
        .write(move |tx| {
            let inserted = tx.execute(
                "INSERT INTO stripe_events (id, type, created, account, received_at, payload, handled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
                 ON CONFLICT (id) DO NOTHING",
                params![id, kind, created, account, to_db(now), payload],
            )?;
            if inserted == 0 {
                return Ok(false);
            }
            let event = events::Event {
                id,
                kind,
                created,
                object,
            };
            if events::handle(&st, tx, &event, now)? {
                tx.execute(
                    "UPDATE stripe_events SET handled = 1 WHERE id = ?1",
                    [&event.id],
                )?;
            }
            Ok(true)
        })
        .await?;
    state.jobs.wake();
    Ok(Json(Received {
        received: true,
        duplicate: !fresh,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(body: &str, secret: &str, t: i64) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("t={t},v1={hex}")
    }

    #[test]
    fn signatures_verify_within_the_tolerance_only() {
        let body = r#"{"id":"evt_1"}"#;
        let header = sign(body, "whsec_a", 1_000);
        assert_eq!(verify(&header, body.as_bytes(), "whsec_a", 1_000), Ok(()));
        assert_eq!(verify(&header, body.as_bytes(), "whsec_a", 1_300), Ok(()));
        assert!(
            verify(&header, body.as_bytes(), "whsec_a", 1_301).is_err(),
            "too old"
        );
        assert!(
            verify(&header, body.as_bytes(), "whsec_b", 1_000).is_err(),
            "wrong secret"
        );
        assert!(
            verify(&header, br#"{"id":"evt_2"}"#, "whsec_a", 1_000).is_err(),
            "tampered body"
        );
        assert!(
            verify("v1=00", body.as_bytes(), "whsec_a", 1_000).is_err(),
            "no timestamp"
        );
    }
}

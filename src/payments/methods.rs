//! Saved payment methods: `GET/POST /api/v1/payments/methods`, choosing the default and
//! removing a card. The first card a student saves becomes their default; saving the same card
//! again returns it unchanged. Scheduled authorisations (T-24h and their retries) use the
//! default card, so replacing a refused card is: add the new one, make it the default.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{PaymentError, customers};
use crate::app::AppState;
use crate::auth::Student;
use crate::auth::secrets::new_id;
use crate::common::time::to_db;
use crate::config::PaymentsProvider;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, save))
        .routes(routes!(make_default))
        .routes(routes!(remove))
        .routes(routes!(setup_intent))
        .routes(routes!(payments_config))
}

#[derive(Serialize, ToSchema)]
pub struct PaymentsSetup {
    /// `simulated` (Stripe's test cards, offline) or `stripe` (Stripe.js and the Payment Element).
    provider: String,
    publishable_key: Option<String>,
}

/// Which payment provider the web app talks to, and Stripe's publishable key when it is Stripe.
#[utoipa::path(get, path = "/api/v1/payments/config", tag = "payments", responses((status = 200, body = PaymentsSetup)))]
async fn payments_config(State(state): State<AppState>) -> Json<PaymentsSetup> {
    let config = &state.config.payments;
    Json(match config.provider {
        PaymentsProvider::Simulated => PaymentsSetup {
            provider: "simulated".into(),
            publishable_key: None,
        },
        PaymentsProvider::Stripe => PaymentsSetup {
            provider: "stripe".into(),
            publishable_key: Some(config.stripe.publishable_key.clone()),
        },
    })
}

#[derive(Serialize, ToSchema)]
pub struct SetupStart {
    /// `simulated` (save a Stripe test payment method id directly) or `stripe`.
    provider: String,
    /// The SetupIntent the browser confirms with Stripe.js and the Payment Element.
    client_secret: Option<String>,
    publishable_key: Option<String>,
}

/// Start saving a card: with Stripe, a SetupIntent for the Payment Element; with the simulated
/// provider, nothing to set up (send a test payment method id to `POST /payments/methods`).
#[utoipa::path(post, path = "/api/v1/payments/setup-intent", tag = "payments",
    responses((status = 200, body = SetupStart), (status = 503, description = "payment.unavailable")))]
async fn setup_intent(
    State(state): State<AppState>,
    Student(me): Student,
) -> AppResult<Json<SetupStart>> {
    let config = &state.config.payments;
    if config.provider == PaymentsProvider::Simulated {
        return Ok(Json(SetupStart {
            provider: "simulated".into(),
            client_secret: None,
            publishable_key: None,
        }));
    }
    let customer = customers::ensure(&state, &me.user.id, &me.user.email)
        .await?
        .map_err(unavailable)?;
    let client_secret = state
        .payments
        .setup_intent(customer.as_deref())
        .await
        .map_err(unavailable)?;
    Ok(Json(SetupStart {
        provider: "stripe".into(),
        client_secret,
        publishable_key: Some(config.stripe.publishable_key.clone()),
    }))
}

fn unavailable(err: PaymentError) -> AppError {
    tracing::warn!(%err, "could not start saving a card");
    AppError::new(
        ErrorKind::Unavailable,
        "payment.unavailable",
        "The payment provider did not answer; try again in a minute.",
    )
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MethodView {
    id: String,
    brand: String,
    last4: String,
    is_default: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Methods {
    items: Vec<MethodView>,
}

#[derive(Deserialize, ToSchema)]
pub struct SaveMethod {
    /// A Stripe test payment method id on `simulated` (`pm_card_visa`, ...), a confirmed
    /// SetupIntent's payment method on `stripe`.
    payment_method_id: String,
}

fn of_user(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<MethodView>> {
    conn.prepare_cached(
        "SELECT id, brand, last4, is_default FROM payment_methods WHERE user_id = ?1 ORDER BY is_default DESC, created_at, id",
    )?
    .query_map([user_id], |r| Ok(MethodView { id: r.get(0)?, brand: r.get(1)?, last4: r.get(2)?, is_default: r.get(3)? }))?
    .collect()
}

/// The caller's saved cards, the default first.
#[utoipa::path(get, path = "/api/v1/payments/methods", tag = "payments", responses((status = 200, body = Methods)))]
async fn list(State(state): State<AppState>, Student(me): Student) -> AppResult<Json<Methods>> {
    let items = state.db.read(move |c| Ok(of_user(c, &me.user.id)?)).await?;
    Ok(Json(Methods { items }))
}

/// Save a card with the payment provider.
#[utoipa::path(post, path = "/api/v1/payments/methods", tag = "payments", request_body = SaveMethod,
    responses((status = 201, body = MethodView), (status = 422, description = "payment.invalid_method")))]
async fn save(
    State(state): State<AppState>,
    Student(me): Student,
    Json(body): Json<SaveMethod>,
) -> AppResult<(StatusCode, Json<MethodView>)> {
    let customer = customers::ensure(&state, &me.user.id, &me.user.email)
        .await?
        .map_err(unavailable)?;
    let card = state
        .payments
        .save_payment_method(body.payment_method_id.trim(), customer.as_deref())
        .await
        .map_err(|err| match err {
            PaymentError::Invalid(_) => AppError::invalid(
                "payment.invalid_method",
                "payment_method_id",
                "is not a payment method the provider knows",
            ),
            PaymentError::Declined { .. }
            | PaymentError::AuthenticationRequired { .. }
            | PaymentError::Unavailable(_) => AppError::invalid(
                "payment.invalid_method",
                "payment_method_id",
                "could not be saved",
            ),
        })?;
    let (user_id, now) = (me.user.id.clone(), to_db(state.clock.now()));
    let saved = state
        .db
        .write(move |tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT id FROM payment_methods WHERE user_id = ?1 AND provider_ref = ?2",
                    params![user_id, card.payment_method_id],
                    |r| r.get(0),
                )
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = new_id();
                    let first: bool = tx.query_row(
                        "SELECT NOT EXISTS(SELECT 1 FROM payment_methods WHERE user_id = ?1)",
                        [&user_id],
                        |r| r.get(0),
                    )?;
                    tx.execute(
                        "INSERT INTO payment_methods (id, user_id, provider_ref, brand, last4, is_default, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![id, user_id, card.payment_method_id, card.brand, card.last4, first, now],
                    )?;
                    id
                }
            };
            of_user(tx, &user_id)?.into_iter().find(|m| m.id == id).ok_or_else(AppError::not_found)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Make a saved card the one scheduled payments use.
#[utoipa::path(post, path = "/api/v1/payments/methods/{id}/default", tag = "payments", params(("id" = String, Path)),
    responses((status = 200, body = Methods), (status = 404)))]
async fn make_default(
    State(state): State<AppState>,
    Student(me): Student,
    Path(id): Path<String>,
) -> AppResult<Json<Methods>> {
    let user_id = me.user.id.clone();
    let items = state
        .db
        .write(move |tx| {
            let mine: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM payment_methods WHERE id = ?1 AND user_id = ?2)",
                params![id, user_id],
                |r| r.get(0),
            )?;
            if !mine {
                return Err(AppError::not_found());
            }
            tx.execute(
                "UPDATE payment_methods SET is_default = 0 WHERE user_id = ?1 AND is_default = 1",
                [&user_id],
            )?;
            tx.execute(
                "UPDATE payment_methods SET is_default = 1 WHERE id = ?1",
                [&id],
            )?;
            Ok(of_user(tx, &user_id)?)
        })
        .await?;
    Ok(Json(Methods { items }))
}

/// Forget a saved card (another becomes the default). Bookings already made keep their own
/// reference and fall back to the new default when they are charged.
#[utoipa::path(delete, path = "/api/v1/payments/methods/{id}", tag = "payments", params(("id" = String, Path)),
    responses((status = 204), (status = 404)))]
async fn remove(
    State(state): State<AppState>,
    Student(me): Student,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let user_id = me.user.id.clone();
    state
        .db
        .write(move |tx| {
            let removed = tx.execute(
                "DELETE FROM payment_methods WHERE id = ?1 AND user_id = ?2",
                params![id, user_id],
            )?;
            if removed == 0 {
                return Err(AppError::not_found());
            }
            tx.execute(
                "UPDATE payment_methods SET is_default = 1 WHERE id = (SELECT id FROM payment_methods WHERE user_id = ?1
                 ORDER BY created_at, id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM payment_methods WHERE user_id = ?1 AND is_default = 1)",
                [&user_id],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

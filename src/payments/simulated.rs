//! The offline provider: Stripe's test payment methods, idempotent replays, destination charges
//! with an application fee, transfers and reversals. Its records live in the `sim_*` tables (as
//! Stripe keeps them on its side), so authorisations survive restarts and tests can compare
//! them with our ledger.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Card, ChargeRequest, IntentState, PaymentError};
use crate::common::Clock;
use crate::common::time::to_db;
use crate::db::Db;
use crate::error::AppError;

/// One call as the provider saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub operation: String,
    pub target: String,
    pub amount_cents: i64,
    pub idempotency_key: String,
}

pub struct Simulated {
    db: Db,
    clock: Clock,
}

/// What a Stripe test payment method does when charged.
fn behaviour(
    payment_method_id: &str,
) -> Result<(&'static str, &'static str, Option<PaymentError>), PaymentError> {
    let declined = |code: &str| Some(PaymentError::Declined { code: code.into() });
    match payment_method_id {
        "pm_card_visa" => Ok(("visa", "4242", None)),
        "pm_card_mastercard" => Ok(("mastercard", "4444", None)),
        "pm_card_chargeDeclined" => Ok(("visa", "0002", declined("generic_decline"))),
        "pm_card_insufficientFunds" => Ok(("visa", "9995", declined("insufficient_funds"))),
        "pm_card_authenticationRequired" => Ok(("visa", "3184", None)),
        other => Err(PaymentError::Invalid(format!(
            "no such payment method: {other}"
        ))),
    }
}

type Reply = Result<String, PaymentError>;

fn invalid(message: String) -> Reply {
    Err(PaymentError::Invalid(message))
}

/// Money as the provider sees it, for comparing with our ledger.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Captured from cards minus refunded to them.
    pub card_net_cents: i64,
    /// Net money that reached each connected account (destination charges and transfers, less
    /// reversals).
    pub destinations: BTreeMap<String, i64>,
}

impl Simulated {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    pub fn save_payment_method(&self, payment_method_id: &str) -> Result<Card, PaymentError> {
        let (brand, last4, _) = behaviour(payment_method_id)?;
        Ok(Card {
            payment_method_id: payment_method_id.into(),
            brand: brand.into(),
            last4: last4.into(),
        })
    }

    /// Runs `op` once per idempotency key in one transaction; a repeat gets the first answer
    /// and moves nothing.
    async fn once<F>(
        &self,
        operation: &'static str,
        target: &str,
        amount: i64,
        key: &str,
        op: F,
    ) -> Reply
    where
        F: FnOnce(&Transaction<'_>, i64, i64) -> rusqlite::Result<Reply> + Send + 'static,
    {
        let (target, key, now) = (target.to_string(), key.to_string(), to_db(self.clock.now()));
        let outcome = self
            .db
            .write(move |tx| {
                let seen: Option<String> = tx
                    .query_row(
                        "SELECT reply FROM sim_calls WHERE idempotency_key = ?1",
                        [&key],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(seen) = seen {
                    return serde_json::from_str::<Reply>(&seen).map_err(AppError::internal);
                }
                let serial: i64 =
                    tx.query_row("SELECT COUNT(*) + 1 FROM sim_calls", [], |r| r.get(0))?;
                let reply = op(tx, serial, now)?;
                let stored = serde_json::to_string(&reply).map_err(AppError::internal)?;
                tx.execute(
                    "INSERT INTO sim_calls (operation, target, amount_cents, idempotency_key, reply, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![operation, target, amount, key, stored, now],
                )?;
                Ok(reply)
            })
            .await;
        outcome.unwrap_or_else(|err| Err(PaymentError::Unavailable(err.to_string())))
    }

    pub async fn authorize(&self, request: &ChargeRequest) -> Reply {
        let request = request.clone();
        let key = request.idempotency_key.clone();
        self.once("authorize", &request.payment_method_id.clone(), request.amount_cents, &key, move |tx, serial, now| {
            if request.amount_cents <= 0 {
                return Ok(invalid("amount must be positive".into()));
            }
            let failure = match behaviour(&request.payment_method_id) {
                Ok((_, _, failure)) => failure,
                Err(err) => return Ok(Err(err)),
            };
            if let Some(failure) = failure {
                return Ok(Err(failure));
            }
            let id = format!("pi_sim_{serial:06}");
            // Off-session, a card that needs authentication is a decline, as on Stripe.
            let needs_action = request.payment_method_id == "pm_card_authenticationRequired";
            if needs_action && request.off_session {
                return Ok(Err(PaymentError::Declined {
                    code: "authentication_required".into(),
                }));
            }
            tx.execute(
                "INSERT INTO sim_intents (id, payment_method, amount_cents, destination, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    request.payment_method_id,
                    request.amount_cents,
                    request.destination,
                    if needs_action { "requires_action" } else { "authorized" },
                    now
                ],
            )?;
            if needs_action {
                return Ok(Err(PaymentError::AuthenticationRequired {
                    client_secret: format!("{id}_secret"),
                    intent_id: id,
                }));
            }
            Ok(Ok(id))
        })
        .await
    }

    /// Where an intent stands (`requires_action` until the test authentication is answered).
    pub async fn intent_state(&self, intent_id: &str) -> Result<IntentState, PaymentError> {
        let intent = intent_id.to_string();
        let found = self
            .db
            .read(move |c| Ok(status_of(c, &intent)?))
            .await
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let Some((status, _)) = found else {
            return Err(PaymentError::Invalid(format!("no such intent {intent_id}")));
        };
        Ok(match status.as_str() {
            "requires_action" => IntentState::RequiresAction {
                client_secret: format!("{intent_id}_secret"),
            },
            "authorized" => IntentState::Authorized,
            "captured" => IntentState::Captured,
            _ => IntentState::Canceled,
        })
    }

    /// Stands in for the bank's authentication page of Stripe test mode: whoever holds the
    /// client secret completes (or fails) the check, and the intent is held or let go.
    pub async fn authenticate(
        &self,
        client_secret: &str,
        succeed: bool,
    ) -> Result<(), PaymentError> {
        let intent = client_secret
            .strip_suffix("_secret")
            .ok_or_else(|| PaymentError::Invalid("not a client secret".into()))?
            .to_string();
        let changed = self
            .db
            .write(move |tx| {
                Ok(tx.execute(
                    "UPDATE sim_intents SET status = ?2 WHERE id = ?1 AND status = 'requires_action'",
                    params![intent, if succeed { "authorized" } else { "released" }],
                )?)
            })
            .await
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        if changed == 1 {
            Ok(())
        } else {
            Err(PaymentError::Invalid(
                "nothing is waiting for authentication".into(),
            ))
        }
    }

    /// Captures an authorisation; the platform keeps `application_fee_cents`, the destination
    /// gets the rest.
    pub async fn capture(&self, intent_id: &str, application_fee_cents: i64, key: &str) -> Reply {
        let intent = intent_id.to_string();
        self.once("capture", intent_id, application_fee_cents, key, move |tx, _, _| {
            let amount = match status_of(tx, &intent)? {
                Some((status, amount)) if status == "authorized" => amount,
                _ => return Ok(invalid(format!("intent {intent} cannot be captured now"))),
            };
            if !(0..=amount).contains(&application_fee_cents) {
                return Ok(invalid(format!("fee {application_fee_cents} exceeds the charge")));
            }
            tx.execute(
                "UPDATE sim_intents SET status = 'captured', application_fee_cents = ?2 WHERE id = ?1",
                params![intent, application_fee_cents],
            )?;
            Ok(Ok(intent))
        })
        .await
    }

    pub async fn release(&self, intent_id: &str, key: &str) -> Reply {
        let intent = intent_id.to_string();
        self.once("release", intent_id, 0, key, move |tx, _, _| {
            match status_of(tx, &intent)? {
                Some((status, _)) if status == "authorized" || status == "requires_action" => {}
                _ => return Ok(invalid(format!("intent {intent} cannot be released now"))),
            }
            tx.execute(
                "UPDATE sim_intents SET status = 'released' WHERE id = ?1",
                [&intent],
            )?;
            Ok(Ok(intent))
        })
        .await
    }

    /// Refunds `amount` of a captured charge; `reverse_transfer` pulls the destination's share
    /// back in proportion (Stripe's rule). The fee flag only matters to the platform's books.
    pub async fn refund(
        &self,
        intent_id: &str,
        amount: i64,
        refund_fee: bool,
        reverse_transfer: bool,
        key: &str,
    ) -> Reply {
        let operation = match (refund_fee, reverse_transfer) {
            (true, true) => "refund+fee+reverse",
            (true, false) => "refund+fee",
            (false, true) => "refund+reverse",
            (false, false) => "refund",
        };
        let intent = intent_id.to_string();
        self.once(operation, intent_id, amount, key, move |tx, serial, _| {
            let row: Option<(String, i64, i64, i64)> = tx
                .query_row(
                    "SELECT status, amount_cents, refunded_cents, COALESCE(application_fee_cents, 0)
                     FROM sim_intents WHERE id = ?1",
                    [&intent],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((status, total, refunded, fee)) = row else {
                return Ok(invalid(format!("no such intent {intent}")));
            };
            if status != "captured" || amount <= 0 || refunded + amount > total {
                return Ok(invalid(format!("cannot refund {amount} of {intent}")));
            }
            let reversed = if reverse_transfer {
                ((total - fee) * amount + total / 2) / total
            } else {
                0
            };
            tx.execute(
                "UPDATE sim_intents SET refunded_cents = refunded_cents + ?2, reversed_cents = reversed_cents + ?3 WHERE id = ?1",
                params![intent, amount, reversed],
            )?;
            Ok(Ok(format!("re_sim_{serial:06}")))
        })
        .await
    }

    /// Moves money from the platform to a connected account.
    pub async fn transfer(&self, destination: &str, amount: i64, key: &str) -> Reply {
        let destination_id = destination.to_string();
        self.once("transfer", destination, amount, key, move |tx, serial, now| {
            if amount <= 0 {
                return Ok(invalid("amount must be positive".into()));
            }
            let id = format!("tr_sim_{serial:06}");
            tx.execute(
                "INSERT INTO sim_transfers (id, destination, amount_cents, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, destination_id, amount, now],
            )?;
            Ok(Ok(id))
        })
        .await
    }

    pub async fn reverse_transfer(&self, transfer_id: &str, amount: i64, key: &str) -> Reply {
        let transfer = transfer_id.to_string();
        self.once("reverse_transfer", transfer_id, amount, key, move |tx, serial, _| {
            let left: Option<i64> = tx
                .query_row(
                    "SELECT amount_cents - reversed_cents FROM sim_transfers WHERE id = ?1",
                    [&transfer],
                    |r| r.get(0),
                )
                .optional()?;
            match left {
                Some(left) if amount > 0 && amount <= left => {
                    tx.execute(
                        "UPDATE sim_transfers SET reversed_cents = reversed_cents + ?2 WHERE id = ?1",
                        params![transfer, amount],
                    )?;
                    Ok(Ok(format!("trr_sim_{serial:06}")))
                }
                _ => Ok(invalid(format!("cannot reverse {amount} of {transfer}"))),
            }
        })
        .await
    }

    /// Every call so far, oldest first.
    pub async fn calls(&self) -> Vec<Call> {
        self.db
            .read(|c| {
                Ok(c.prepare("SELECT operation, target, amount_cents, idempotency_key FROM sim_calls ORDER BY id")?
                    .query_map([], |r| {
                        Ok(Call {
                            operation: r.get(0)?,
                            target: r.get(1)?,
                            amount_cents: r.get(2)?,
                            idempotency_key: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
            .unwrap_or_default()
    }
}

fn status_of(tx: &Connection, intent: &str) -> rusqlite::Result<Option<(String, i64)>> {
    tx.query_row(
        "SELECT status, amount_cents FROM sim_intents WHERE id = ?1",
        [intent],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// The provider's view of where the money went.
pub fn totals(conn: &Connection) -> rusqlite::Result<Totals> {
    let card_net_cents = conn.query_row(
        "SELECT COALESCE(SUM(amount_cents - refunded_cents), 0) FROM sim_intents WHERE status = 'captured'",
        [],
        |r| r.get(0),
    )?;
    let mut destinations = BTreeMap::new();
    let mut add = |sql: &str| -> rusqlite::Result<()> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (destination, cents) = row?;
            *destinations.entry(destination).or_insert(0) += cents;
        }
        Ok(())
    };
    add("SELECT destination, SUM(amount_cents - application_fee_cents - reversed_cents) FROM sim_intents
         WHERE status = 'captured' AND destination IS NOT NULL GROUP BY destination")?;
    add(
        "SELECT destination, SUM(amount_cents - reversed_cents) FROM sim_transfers GROUP BY destination",
    )?;
    destinations.retain(|_, cents| *cents != 0);
    Ok(Totals {
        card_net_cents,
        destinations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseConfig;

    fn provider() -> (tempfile::TempDir, Simulated) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), &DatabaseConfig::default()).unwrap();
        let clock = Clock::manual(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        (dir, Simulated::new(db, clock))
    }

    fn charge(pm: &str, key: &str) -> ChargeRequest {
        ChargeRequest {
            amount_cents: 13_440,
            payment_method_id: pm.into(),
            destination: Some("acct_sim_1".into()),
            customer: None,
            off_session: true,
            idempotency_key: key.into(),
        }
    }

    #[tokio::test]
    async fn stripe_test_cards_behave_like_stripe() {
        let (_dir, sim) = provider();
        assert!(sim.authorize(&charge("pm_card_visa", "a")).await.is_ok());
        assert!(
            sim.authorize(&charge("pm_card_mastercard", "b"))
                .await
                .is_ok()
        );
        assert_eq!(
            sim.authorize(&charge("pm_card_chargeDeclined", "c")).await,
            Err(PaymentError::Declined {
                code: "generic_decline".into()
            })
        );
        assert_eq!(
            sim.authorize(&charge("pm_card_insufficientFunds", "d"))
                .await,
            Err(PaymentError::Declined {
                code: "insufficient_funds".into()
            })
        );
        let on_session = ChargeRequest {
            off_session: false,
            ..charge("pm_card_authenticationRequired", "e")
        };
        assert!(matches!(
            sim.authorize(&on_session).await,
            Err(PaymentError::AuthenticationRequired { .. })
        ));
        assert_eq!(
            sim.authorize(&charge("pm_card_authenticationRequired", "e2"))
                .await,
            Err(PaymentError::Declined {
                code: "authentication_required".into()
            }),
            "off-session, authentication is a decline"
        );
        assert!(matches!(
            sim.authorize(&charge("pm_card_bogus", "f")).await,
            Err(PaymentError::Invalid(_))
        ));
        assert_eq!(
            sim.save_payment_method("pm_card_mastercard").unwrap().last4,
            "4444"
        );
    }

    #[tokio::test]
    async fn the_same_idempotency_key_never_moves_money_twice() {
        let (_dir, sim) = provider();
        let first = sim
            .authorize(&charge("pm_card_visa", "booking:1:authorize"))
            .await
            .unwrap();
        let again = sim
            .authorize(&charge("pm_card_visa", "booking:1:authorize"))
            .await
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(sim.calls().await.len(), 1);
        sim.capture(&first, 2_880, "booking:1:capture")
            .await
            .unwrap();
        sim.capture(&first, 2_880, "booking:1:capture")
            .await
            .unwrap();
        assert!(
            sim.capture(&first, 2_880, "booking:1:capture-again")
                .await
                .is_err(),
            "a new key cannot capture twice"
        );
        let refund = sim
            .refund(&first, 13_440, true, true, "booking:1:refund")
            .await
            .unwrap();
        assert_eq!(
            sim.refund(&first, 13_440, true, true, "booking:1:refund")
                .await
                .unwrap(),
            refund
        );
        assert!(
            sim.refund(&first, 1, false, false, "booking:1:refund-more")
                .await
                .is_err(),
            "never more than was charged"
        );
        let totals = sim.db.read(|c| Ok(totals(c)?)).await.unwrap();
        assert_eq!(
            totals,
            Totals::default(),
            "a full refund with reversal leaves nothing"
        );
    }

    #[tokio::test]
    async fn destination_charges_transfers_and_reversals_add_up() {
        let (_dir, sim) = provider();
        let intent = sim.authorize(&charge("pm_card_visa", "k1")).await.unwrap();
        sim.release(&intent, "k2").await.unwrap();
        assert!(
            sim.capture(&intent, 0, "k3").await.is_err(),
            "a released authorisation cannot be captured"
        );
        let paid = sim.authorize(&charge("pm_card_visa", "k4")).await.unwrap();
        sim.capture(&paid, 2_880, "k5").await.unwrap();
        let transfer = sim.transfer("acct_sim_1", 5_280, "t1").await.unwrap();
        assert!(sim.reverse_transfer(&transfer, 5_281, "t2").await.is_err());
        sim.reverse_transfer(&transfer, 280, "t3").await.unwrap();
        let totals = sim.db.read(|c| Ok(totals(c)?)).await.unwrap();
        assert_eq!(totals.card_net_cents, 13_440);
        assert_eq!(totals.destinations["acct_sim_1"], 13_440 - 2_880 + 5_000);
        let operations: Vec<String> = sim.calls().await.into_iter().map(|c| c.operation).collect();
        assert_eq!(
            operations,
            [
                "authorize",
                "release",
                "capture",
                "authorize",
                "capture",
                "transfer",
                "reverse_transfer",
                "reverse_transfer"
            ]
        );
    }
}

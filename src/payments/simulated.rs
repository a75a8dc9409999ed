//! The offline provider: deterministic ids, Stripe's test payment methods, idempotent replays,
//! and a record of every call for tests and the admin's money views.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::{Card, ChargeRequest, PaymentError};

/// One call as the provider saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub operation: &'static str,
    pub target: String,
    pub amount_cents: i64,
    pub idempotency_key: String,
}

#[derive(Default)]
pub struct Simulated {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    intents: HashMap<String, Intent>,
    transfers: HashMap<String, i64>,
    /// Idempotency key -> the first answer, replayed for a repeat.
    replies: HashMap<String, Result<String, PaymentError>>,
    calls: Vec<Call>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IntentStatus {
    Authorized,
    Captured,
    Released,
}

struct Intent {
    amount: i64,
    refunded: i64,
    status: IntentStatus,
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

impl Simulated {
    /// Every call so far, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn save_payment_method(&self, payment_method_id: &str) -> Result<Card, PaymentError> {
        let (brand, last4, _) = behaviour(payment_method_id)?;
        Ok(Card {
            payment_method_id: payment_method_id.into(),
            brand: brand.into(),
            last4: last4.into(),
        })
    }

    /// Runs `op` once per idempotency key; a repeat gets the first answer and moves nothing.
    fn once(
        &self,
        call: Call,
        op: impl FnOnce(&mut State) -> Result<String, PaymentError>,
    ) -> Result<String, PaymentError> {
        let mut state = self.lock();
        if let Some(reply) = state.replies.get(&call.idempotency_key) {
            return reply.clone();
        }
        let reply = op(&mut state);
        state
            .replies
            .insert(call.idempotency_key.clone(), reply.clone());
        state.calls.push(call);
        reply
    }

    fn new_id(state: &mut State, prefix: &str) -> String {
        state.next_id += 1;
        format!("{prefix}_sim_{:06}", state.next_id)
    }

    pub fn authorize(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        let call = Call {
            operation: "authorize",
            target: request.payment_method_id.clone(),
            amount_cents: request.amount_cents,
            idempotency_key: request.idempotency_key.clone(),
        };
        self.once(call, |state| {
            if request.amount_cents <= 0 {
                return Err(PaymentError::Invalid("amount must be positive".into()));
            }
            let (_, _, failure) = behaviour(&request.payment_method_id)?;
            if let Some(failure) = failure {
                return Err(failure);
            }
            let id = Self::new_id(state, "pi");
            if request.payment_method_id == "pm_card_authenticationRequired" {
                return Err(PaymentError::AuthenticationRequired {
                    client_secret: format!("{id}_secret"),
                    intent_id: id,
                });
            }
            state.intents.insert(
                id.clone(),
                Intent {
                    amount: request.amount_cents,
                    refunded: 0,
                    status: IntentStatus::Authorized,
                },
            );
            Ok(id)
        })
    }

    fn move_intent(
        &self,
        operation: &'static str,
        intent_id: &str,
        key: &str,
        from: IntentStatus,
        to: IntentStatus,
    ) -> Result<(), PaymentError> {
        let call = Call {
            operation,
            target: intent_id.into(),
            amount_cents: 0,
            idempotency_key: key.into(),
        };
        self.once(call, |state| {
            let intent = state
                .intents
                .get_mut(intent_id)
                .ok_or_else(|| PaymentError::Invalid(format!("no such intent {intent_id}")))?;
            if intent.status != from {
                return Err(PaymentError::Invalid(format!(
                    "intent {intent_id} cannot {operation} now"
                )));
            }
            intent.status = to;
            Ok(intent_id.to_string())
        })
        .map(|_| ())
    }

    pub fn capture(&self, intent_id: &str, key: &str) -> Result<(), PaymentError> {
        self.move_intent(
            "capture",
            intent_id,
            key,
            IntentStatus::Authorized,
            IntentStatus::Captured,
        )
    }

    pub fn release(&self, intent_id: &str, key: &str) -> Result<(), PaymentError> {
        self.move_intent(
            "release",
            intent_id,
            key,
            IntentStatus::Authorized,
            IntentStatus::Released,
        )
    }

    pub fn refund(
        &self,
        intent_id: &str,
        amount: i64,
        refund_fee: bool,
        reverse_transfer: bool,
        key: &str,
    ) -> Result<String, PaymentError> {
        let operation = match (refund_fee, reverse_transfer) {
            (true, true) => "refund+fee+reverse",
            (true, false) => "refund+fee",
            (false, true) => "refund+reverse",
            (false, false) => "refund",
        };
        let call = Call {
            operation,
            target: intent_id.into(),
            amount_cents: amount,
            idempotency_key: key.into(),
        };
        self.once(call, |state| {
            let intent = state
                .intents
                .get_mut(intent_id)
                .ok_or_else(|| PaymentError::Invalid(format!("no such intent {intent_id}")))?;
            if intent.status != IntentStatus::Captured
                || amount <= 0
                || intent.refunded + amount > intent.amount
            {
                return Err(PaymentError::Invalid(format!(
                    "cannot refund {amount} of {intent_id}"
                )));
            }
            intent.refunded += amount;
            Ok(Self::new_id(state, "re"))
        })
    }

    pub fn transfer(
        &self,
        destination: &str,
        amount: i64,
        key: &str,
    ) -> Result<String, PaymentError> {
        let call = Call {
            operation: "transfer",
            target: destination.into(),
            amount_cents: amount,
            idempotency_key: key.into(),
        };
        self.once(call, |state| {
            if amount <= 0 {
                return Err(PaymentError::Invalid("amount must be positive".into()));
            }
            let id = Self::new_id(state, "tr");
            state.transfers.insert(id.clone(), amount);
            Ok(id)
        })
    }

    pub fn reverse_transfer(
        &self,
        transfer_id: &str,
        amount: i64,
        key: &str,
    ) -> Result<String, PaymentError> {
        let call = Call {
            operation: "reverse_transfer",
            target: transfer_id.into(),
            amount_cents: amount,
            idempotency_key: key.into(),
        };
        self.once(call, |state| {
            let left = state
                .transfers
                .get_mut(transfer_id)
                .ok_or_else(|| PaymentError::Invalid(format!("no such transfer {transfer_id}")))?;
            if amount <= 0 || amount > *left {
                return Err(PaymentError::Invalid(format!(
                    "cannot reverse {amount} of {transfer_id}"
                )));
            }
            *left -= amount;
            Ok(Self::new_id(state, "trr"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(pm: &str, key: &str) -> ChargeRequest {
        ChargeRequest {
            amount_cents: 13_440,
            payment_method_id: pm.into(),
            destination: Some("acct_sim_1".into()),
            application_fee_cents: 2_880,
            off_session: true,
            idempotency_key: key.into(),
        }
    }

    #[test]
    fn stripe_test_cards_behave_like_stripe() {
        let sim = Simulated::default();
        assert!(sim.authorize(&charge("pm_card_visa", "a")).is_ok());
        assert!(sim.authorize(&charge("pm_card_mastercard", "b")).is_ok());
        assert_eq!(
            sim.authorize(&charge("pm_card_chargeDeclined", "c")),
            Err(PaymentError::Declined {
                code: "generic_decline".into()
            })
        );
        assert_eq!(
            sim.authorize(&charge("pm_card_insufficientFunds", "d")),
            Err(PaymentError::Declined {
                code: "insufficient_funds".into()
            })
        );
        assert!(matches!(
            sim.authorize(&charge("pm_card_authenticationRequired", "e")),
            Err(PaymentError::AuthenticationRequired { .. })
        ));
        assert!(matches!(
            sim.authorize(&charge("pm_card_bogus", "f")),
            Err(PaymentError::Invalid(_))
        ));
        assert_eq!(
            sim.save_payment_method("pm_card_mastercard").unwrap().last4,
            "4444"
        );
    }

    #[test]
    fn the_same_idempotency_key_never_moves_money_twice() {
        let sim = Simulated::default();
        let first = sim
            .authorize(&charge("pm_card_visa", "booking:1:authorize"))
            .unwrap();
        let again = sim
            .authorize(&charge("pm_card_visa", "booking:1:authorize"))
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(sim.calls().len(), 1);
        sim.capture(&first, "booking:1:capture").unwrap();
        sim.capture(&first, "booking:1:capture").unwrap();
        assert!(
            sim.capture(&first, "booking:1:capture-again").is_err(),
            "a new key cannot capture twice"
        );
        let refund = sim
            .refund(&first, 13_440, true, true, "booking:1:refund")
            .unwrap();
        assert_eq!(
            sim.refund(&first, 13_440, true, true, "booking:1:refund")
                .unwrap(),
            refund
        );
        assert!(
            sim.refund(&first, 1, false, false, "booking:1:refund-more")
                .is_err(),
            "never more than was charged"
        );
    }

    #[test]
    fn releases_and_transfers() {
        let sim = Simulated::default();
        let intent = sim.authorize(&charge("pm_card_visa", "k1")).unwrap();
        sim.release(&intent, "k2").unwrap();
        assert!(
            sim.capture(&intent, "k3").is_err(),
            "a released authorisation cannot be captured"
        );
        let transfer = sim.transfer("acct_sim_1", 5_280, "t1").unwrap();
        assert!(sim.reverse_transfer(&transfer, 5_281, "t2").is_err());
        assert!(sim.reverse_transfer(&transfer, 5_280, "t3").is_ok());
        let operations: Vec<&str> = sim.calls().iter().map(|c| c.operation).collect();
        assert_eq!(
            operations,
            [
                "authorize",
                "release",
                "capture",
                "transfer",
                "reverse_transfer",
                "reverse_transfer"
            ]
        );
    }
}

//! The payment provider interface. `simulated` (the default) behaves like Stripe test mode,
//! offline and deterministic, honouring Stripe's test payment methods; the `stripe`
//! implementation arrives with real Stripe, behind the same methods. Every money-moving call
//! carries an idempotency key derived from our own rows, so a retry never moves money twice.

pub mod methods;
mod simulated;

use serde::Serialize;

pub use simulated::{Call, Simulated};

/// A saved card as the provider describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Card {
    pub payment_method_id: String,
    pub brand: String,
    pub last4: String,
}

/// An authorisation (manual-capture charge) or an immediate charge.
#[derive(Clone, Debug)]
pub struct ChargeRequest {
    pub amount_cents: i64,
    pub payment_method_id: String,
    /// The instructor's connected account the charge is destined for, if any.
    pub destination: Option<String>,
    /// What the platform keeps (fee + commission); 0 for tips.
    pub application_fee_cents: i64,
    /// The customer is not present (a job authorising at T-24h).
    pub off_session: bool,
    pub idempotency_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentError {
    /// The card was refused; `code` is Stripe's decline code (`generic_decline`,
    /// `insufficient_funds`).
    Declined { code: String },
    /// The bank wants the customer to authenticate (SCA); on-session the client completes it.
    AuthenticationRequired {
        intent_id: String,
        client_secret: String,
    },
    /// The request is wrong (unknown payment method, nothing to capture).
    Invalid(String),
}

pub enum Provider {
    Simulated(Simulated),
}

impl Provider {
    pub fn simulated() -> Self {
        Self::Simulated(Simulated::default())
    }

    /// Creates (or reuses) the instructor's connected account and an onboarding link that
    /// returns to `return_path`.
    pub async fn connect_onboarding(
        &self,
        instructor_id: &str,
        return_path: &str,
    ) -> anyhow::Result<Onboarding> {
        match self {
            Self::Simulated(_) => Ok(Onboarding {
                account_id: format!("acct_sim_{}", instructor_id.replace('-', "")),
                url: format!("{return_path}?payouts=done"),
                complete: true,
            }),
        }
    }

    pub async fn save_payment_method(&self, payment_method_id: &str) -> Result<Card, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.save_payment_method(payment_method_id),
        }
    }

    /// Authorises `amount` now, to be captured later; returns the intent id.
    pub async fn authorize(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.authorize(request),
        }
    }

    pub async fn capture(
        &self,
        intent_id: &str,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        match self {
            Self::Simulated(sim) => sim.capture(intent_id, idempotency_key),
        }
    }

    /// Cancels an uncaptured authorisation: nothing is charged.
    pub async fn release(
        &self,
        intent_id: &str,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        match self {
            Self::Simulated(sim) => sim.release(intent_id, idempotency_key),
        }
    }

    /// Refunds part or all of a captured charge; with `refund_fee` the platform's fee goes back
    /// too, with `reverse_transfer` the instructor's share is pulled back.
    pub async fn refund(
        &self,
        intent_id: &str,
        amount_cents: i64,
        refund_fee: bool,
        reverse_transfer: bool,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.refund(
                intent_id,
                amount_cents,
                refund_fee,
                reverse_transfer,
                idempotency_key,
            ),
        }
    }

    /// Moves money from the platform to a connected account (split outcomes, referral rewards).
    pub async fn transfer(
        &self,
        destination: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.transfer(destination, amount_cents, idempotency_key),
        }
    }

    pub async fn reverse_transfer(
        &self,
        transfer_id: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => {
                sim.reverse_transfer(transfer_id, amount_cents, idempotency_key)
            }
        }
    }

    /// Charges and captures at once, off-session (tips).
    pub async fn charge(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => {
                let intent = sim.authorize(request)?;
                sim.capture(&intent, &format!("{}:capture", request.idempotency_key))?;
                Ok(intent)
            }
        }
    }
}

/// A payouts account being set up.
pub struct Onboarding {
    pub account_id: String,
    /// Where to send the instructor to finish onboarding (same-site for `simulated`).
    pub url: String,
    /// Whether payouts can already be made (the simulated provider completes at once).
    pub complete: bool,
}

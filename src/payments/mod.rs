//! The payment provider interface. `simulated` (the default) behaves like Stripe test mode,
//! offline and deterministic, honouring Stripe's test payment methods; the `stripe`
//! implementation arrives with real Stripe, behind the same methods. Every money-moving call
//! carries an idempotency key derived from our own rows, so a retry never moves money twice.

pub mod authentication;
pub mod customers;
pub mod events;
pub mod idempotency;
pub mod methods;
mod simulated;
mod stripe;
pub mod webhooks;

use serde::{Deserialize, Serialize};

pub use simulated::{Call, Simulated, Totals, totals};
pub use stripe::StripeProvider;

use crate::common::Clock;
use crate::config::{PaymentsConfig, PaymentsProvider};
use crate::db::Db;

/// A saved card as the provider describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Card {
    pub payment_method_id: String,
    pub brand: String,
    pub last4: String,
}

/// An authorisation (a manual-capture destination charge) or an immediate charge. What the
/// platform keeps is fixed at capture, when the outcome is known.
#[derive(Clone, Debug)]
pub struct ChargeRequest {
    pub amount_cents: i64,
    pub payment_method_id: String,
    /// The instructor's connected account the charge is destined for, if any.
    pub destination: Option<String>,
    /// The provider's customer the saved card belongs to (Stripe needs it; `simulated` has
    /// none).
    pub customer: Option<String>,
    /// The customer is not present (a job authorising at T-24h).
    pub off_session: bool,
    pub idempotency_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentError {
    /// The card was refused; `code` is Stripe's decline code (`generic_decline`,
    /// `insufficient_funds`, `authentication_required` off-session).
    Declined { code: String },
    /// The bank wants the customer to authenticate (SCA); on-session the client completes it.
    AuthenticationRequired {
        intent_id: String,
        client_secret: String,
    },
    /// The request is wrong (unknown payment method, nothing to capture).
    Invalid(String),
    /// The provider could not be reached; worth retrying with the same idempotency key.
    Unavailable(String),
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Declined { code } => write!(f, "declined: {code}"),
            Self::AuthenticationRequired { intent_id, .. } => {
                write!(f, "authentication required for {intent_id}")
            }
            Self::Invalid(message) => write!(f, "invalid: {message}"),
            Self::Unavailable(message) => write!(f, "unavailable: {message}"),
        }
    }
}

impl std::error::Error for PaymentError {}

/// Where an intent stands at the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntentState {
    /// The bank wants the customer to authenticate; the browser completes it with this secret.
    RequiresAction {
        client_secret: String,
    },
    /// Held on the card, ready to capture.
    Authorized,
    Captured,
    /// Let go (by us, by the hold expiring, or on the dashboard).
    Canceled,
    /// Authentication or the card failed; nothing is held.
    Failed,
    /// Still being decided by the provider.
    Processing,
}

pub enum Provider {
    Simulated(Simulated),
    Stripe(Box<StripeProvider>),
}

impl Provider {
    pub fn simulated(db: Db, clock: Clock) -> Self {
        Self::Simulated(Simulated::new(db, clock))
    }

    /// The provider the operator chose (`payments.provider`).
    pub fn from_config(config: &PaymentsConfig, db: Db, clock: Clock) -> anyhow::Result<Self> {
        Ok(match config.provider {
            PaymentsProvider::Simulated => Self::simulated(db, clock),
            PaymentsProvider::Stripe => {
                Self::Stripe(Box::new(StripeProvider::new(&config.stripe)?))
            }
        })
    }

    /// Creates (or reuses `existing_account`) the instructor's connected account and an
    /// onboarding link that comes back to `return_url` (an absolute URL).
    pub async fn connect_onboarding(
        &self,
        instructor_id: &str,
        existing_account: Option<&str>,
        email: &str,
        return_url: &str,
    ) -> Result<Onboarding, PaymentError> {
        match self {
            Self::Simulated(_) => {
                // Same-site, so the link works whatever host the app is reached on.
                let path = return_url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
                    .unwrap_or(return_url);
                Ok(Onboarding {
                    account_id: format!("acct_sim_{}", instructor_id.replace('-', "")),
                    url: format!("{path}?payouts=done"),
                    complete: true,
                })
            }
            Self::Stripe(stripe) => {
                let (account_id, url) = stripe
                    .connect_onboarding(instructor_id, existing_account, email, return_url)
                    .await?;
                Ok(Onboarding {
                    account_id,
                    url,
                    complete: false,
                })
            }
        }
    }

    /// Where an instructor sees their payouts: the Express dashboard (a one-time login link)
    /// with Stripe, the app's earnings page with the simulated provider.
    pub async fn dashboard_link(&self, account: &str) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(_) => Ok("/instructor/earnings".into()),
            Self::Stripe(stripe) => stripe.dashboard_link(account).await,
        }
    }

    /// The Stripe provider, when it is the one in use.
    pub fn stripe(&self) -> Option<&StripeProvider> {
        match self {
            Self::Stripe(stripe) => Some(stripe),
            Self::Simulated(_) => None,
        }
    }

    /// Makes the provider's customer for a user; `None` when the provider has no customers.
    pub async fn create_customer(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<Option<String>, PaymentError> {
        match self {
            Self::Simulated(_) => Ok(None),
            Self::Stripe(stripe) => stripe.create_customer(user_id, email).await.map(Some),
        }
    }

    /// The client secret of a SetupIntent the browser confirms to save a card; `None` when
    /// the provider saves test cards directly (`simulated`).
    pub async fn setup_intent(
        &self,
        customer: Option<&str>,
    ) -> Result<Option<String>, PaymentError> {
        match (self, customer) {
            (Self::Simulated(_), _) => Ok(None),
            (Self::Stripe(stripe), Some(customer)) => stripe.setup_intent(customer).await.map(Some),
            (Self::Stripe(_), None) => Err(PaymentError::Invalid("no customer".into())),
        }
    }

    /// The card behind `payment_method_id`, checked to be the customer's own.
    pub async fn save_payment_method(
        &self,
        payment_method_id: &str,
        customer: Option<&str>,
    ) -> Result<Card, PaymentError> {
        match (self, customer) {
            (Self::Simulated(sim), _) => sim.save_payment_method(payment_method_id),
            (Self::Stripe(stripe), Some(customer)) => {
                stripe.saved_card(customer, payment_method_id).await
            }
            (Self::Stripe(_), None) => Err(PaymentError::Invalid("no customer".into())),
        }
    }

    /// Where an intent stands now, read from the provider (never from a webhook's copy, which
    /// may be older than what we already know).
    pub async fn intent_state(&self, intent_id: &str) -> Result<IntentState, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.intent_state(intent_id).await,
            Self::Stripe(stripe) => stripe.intent_state(intent_id).await,
        }
    }

    /// Authorises `amount` now, to be captured later; returns the intent id.
    pub async fn authorize(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => sim.authorize(request).await,
            Self::Stripe(stripe) => stripe.authorize(request).await,
        }
    }

    /// Captures the whole authorisation; the platform keeps `application_fee_cents` and the
    /// destination receives the rest.
    pub async fn capture(
        &self,
        intent_id: &str,
        application_fee_cents: i64,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        match self {
            Self::Simulated(sim) => sim
                .capture(intent_id, application_fee_cents, idempotency_key)
                .await
                .map(|_| ()),
            Self::Stripe(stripe) => {
                stripe
                    .capture(intent_id, application_fee_cents, idempotency_key)
                    .await
            }
        }
    }

    /// Cancels an uncaptured authorisation: nothing is charged.
    pub async fn release(
        &self,
        intent_id: &str,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        match self {
            Self::Simulated(sim) => sim.release(intent_id, idempotency_key).await.map(|_| ()),
            Self::Stripe(stripe) => stripe.release(intent_id, idempotency_key).await,
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
            Self::Simulated(sim) => {
                sim.refund(
                    intent_id,
                    amount_cents,
                    refund_fee,
                    reverse_transfer,
                    idempotency_key,
                )
                .await
            }
            Self::Stripe(stripe) => {
                stripe
                    .refund(
                        intent_id,
                        amount_cents,
                        refund_fee,
                        reverse_transfer,
                        idempotency_key,
                    )
                    .await
            }
        }
    }

    /// Moves money from the platform to a connected account (split outcomes, credits the
    /// platform funds, referral rewards).
    pub async fn transfer(
        &self,
        destination: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => {
                sim.transfer(destination, amount_cents, idempotency_key)
                    .await
            }
            Self::Stripe(stripe) => {
                stripe
                    .transfer(destination, amount_cents, idempotency_key)
                    .await
            }
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
                    .await
            }
            Self::Stripe(stripe) => {
                stripe
                    .reverse_transfer(transfer_id, amount_cents, idempotency_key)
                    .await
            }
        }
    }

    /// Charges and captures at once with no platform fee (tips).
    pub async fn charge(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        match self {
            Self::Simulated(sim) => {
                let intent = sim.authorize(request).await?;
                sim.capture(&intent, 0, &format!("{}:capture", request.idempotency_key))
                    .await?;
                Ok(intent)
            }
            Self::Stripe(stripe) => {
                let intent = stripe.authorize(request).await?;
                stripe
                    .capture(&intent, 0, &format!("{}:capture", request.idempotency_key))
                    .await?;
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

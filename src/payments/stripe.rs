//! The `stripe` provider: the same operations as `simulated`, on Stripe's API through
//! async-stripe. Booking payments are PaymentIntents with `capture_method=manual` as
//! destination charges (`transfer_data.destination` = the instructor's connected account); what
//! the platform keeps is set as `application_fee_amount` at capture, when the outcome is known.
//! Every call carries the idempotency key our caller derived from its own rows, so a retry or a
//! restart replays Stripe's first answer instead of moving money again.

use stripe::{
    ApiErrorsType, Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError,
    StripeRequest,
};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments,
    CreateAccountCapabilitiesTransfers, CreateAccountType,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::login_link::CreateAccountLoginLink;
use stripe_connect::transfer::CreateTransfer;
use stripe_connect::transfer_reversal::CreateIdTransferReversal;
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CapturePaymentIntent, CreatePaymentIntent,
    CreatePaymentIntentAutomaticPaymentMethods,
    CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects, CreatePaymentIntentOffSession,
    CreatePaymentIntentTransferData,
};
use stripe_core::refund::{CreateRefund, ListRefund};
use stripe_core::setup_intent::{
    CreateSetupIntent, CreateSetupIntentAutomaticPaymentMethods,
    CreateSetupIntentAutomaticPaymentMethodsAllowRedirects, CreateSetupIntentUsage,
    ListSetupIntent,
};
use stripe_core::{PaymentIntentCaptureMethod, PaymentIntentStatus, SetupIntentStatus};
use stripe_types::{Currency, Expandable};

use super::{Card, ChargeRequest, IntentState, PaymentError};
use crate::config::StripeConfig;

pub struct StripeProvider {
    client: Client,
}

/// What a Stripe failure means to us: a refusal to report, a request to fix, or an outage to
/// retry with the same key.
fn failure(err: StripeError) -> PaymentError {
    match err {
        StripeError::Stripe(api, status) => {
            let code = api.code.as_ref().map(|c| c.as_str().to_string());
            match api.type_ {
                ApiErrorsType::CardError => PaymentError::Declined {
                    code: api
                        .decline_code
                        .clone()
                        .or(code)
                        .unwrap_or_else(|| "card_declined".into()),
                },
                // Our side, not the card's: a key still in flight or reused, a revoked or wrong
                // API key, rate limits, Stripe's own trouble. Worth retrying, never a decline.
                ApiErrorsType::IdempotencyError => {
                    PaymentError::Unavailable("stripe idempotency error".into())
                }
                _ if matches!(status, 401 | 403 | 409 | 429) || status >= 500 => {
                    PaymentError::Unavailable(format!("stripe answered {status}"))
                }
                _ => PaymentError::Invalid(
                    api.message
                        .clone()
                        .or(code)
                        .unwrap_or_else(|| format!("stripe answered {status}")),
                ),
            }
        }
        StripeError::ClientError(cause) | StripeError::JSONDeserialize(cause) => {
            PaymentError::Unavailable(cause)
        }
        StripeError::Timeout => PaymentError::Unavailable("timeout".into()),
        StripeError::ConfigError(cause) => PaymentError::Invalid(cause),
    }
}

fn keyed(key: &str) -> Result<RequestStrategy, PaymentError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| PaymentError::Invalid(format!("idempotency key: {e}")))
}

impl StripeProvider {
    pub fn new(config: &StripeConfig) -> anyhow::Result<Self> {
        let client = ClientBuilder::new(config.secret_key.clone())
            .url(config.api_base.clone())
            // A hung call must not hold a job or a request forever.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up the Stripe client: {e}"))?;
        Ok(Self { client })
    }

    /// A manual-capture destination charge, confirmed at once.
    pub async fn authorize(&self, request: &ChargeRequest) -> Result<String, PaymentError> {
        let mut create = CreatePaymentIntent::new(request.amount_cents, Currency::USD)
            .capture_method(PaymentIntentCaptureMethod::Manual)
            .confirm(true)
            .payment_method(request.payment_method_id.clone())
            // Cards only, confirmed server-side: no redirect-based methods, so no return_url.
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods {
                allow_redirects: Some(
                    CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects::Never,
                ),
                enabled: true,
            });
        if request.off_session {
            create = create.off_session(CreatePaymentIntentOffSession::Bool(true));
        }
        // A saved card belongs to its customer; Stripe refuses it without the customer.
        if let Some(customer) = &request.customer {
            create = create.customer(customer.clone());
        }
        if let Some(destination) = &request.destination {
            create =
                create.transfer_data(CreatePaymentIntentTransferData::new(destination.clone()));
        }
        let intent = create
            .customize()
            .request_strategy(keyed(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        match intent.status {
            PaymentIntentStatus::RequiresCapture => Ok(intent.id.to_string()),
            PaymentIntentStatus::RequiresAction => Err(PaymentError::AuthenticationRequired {
                client_secret: intent.client_secret.clone().unwrap_or_default(),
                intent_id: intent.id.to_string(),
            }),
            other => {
                // Not a hold we can use: let it go rather than leave it on the card.
                let release = format!("{}:release-unexpected", request.idempotency_key);
                if let Err(err) = self.release(intent.id.as_str(), &release).await {
                    tracing::warn!(intent = %intent.id, %err, "could not cancel an unusable intent");
                }
                Err(PaymentError::Declined {
                    code: format!("unexpected_status_{}", other.as_str()),
                })
            }
        }
    }

    /// The customer a student's cards are saved to (made once: the key is the user's).
    pub async fn create_customer(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<String, PaymentError> {
        CreateCustomer::new()
            .email(email)
            .metadata(std::collections::HashMap::from([(
                "user_id".to_string(),
                user_id.to_string(),
            )]))
            .customize()
            .request_strategy(keyed(&format!("user:{user_id}:customer"))?)
            .send(&self.client)
            .await
            .map(|customer| customer.id.to_string())
            .map_err(failure)
    }

    /// A SetupIntent for saving a card for later off-session use; the browser confirms it
    /// with the Payment Element and hands back the payment method. Returns its client secret.
    pub async fn setup_intent(&self, customer: &str) -> Result<String, PaymentError> {
        let intent = CreateSetupIntent::new()
            .customer(customer)
            .usage(CreateSetupIntentUsage::OffSession)
            .automatic_payment_methods(CreateSetupIntentAutomaticPaymentMethods {
                allow_redirects: Some(
                    CreateSetupIntentAutomaticPaymentMethodsAllowRedirects::Never,
                ),
                enabled: true,
            })
            .customize()
            // Each visit to the card form gets its own SetupIntent.
            .request_strategy(keyed(&format!(
                "{customer}:setup-intent:{}",
                uuid::Uuid::new_v4()
            ))?)
            .send(&self.client)
            .await
            .map_err(failure)?;
        intent.client_secret.ok_or_else(|| {
            PaymentError::Unavailable("a SetupIntent without a client secret".into())
        })
    }

    /// The card a SetupIntent of `customer` saved: proof that the card is this customer's
    /// (a payment method id alone could be anyone's) and its brand and last four digits.
    pub async fn saved_card(
        &self,
        customer: &str,
        payment_method_id: &str,
    ) -> Result<Card, PaymentError> {
        let intents = ListSetupIntent::new()
            .customer(customer)
            .payment_method(payment_method_id)
            .expand(vec!["data.payment_method".to_string()])
            .send(&self.client)
            .await
            .map_err(failure)?;
        let confirmed = intents
            .data
            .into_iter()
            .find(|intent| intent.status == SetupIntentStatus::Succeeded)
            .ok_or_else(|| {
                PaymentError::Invalid("no confirmed SetupIntent saved this card".into())
            })?;
        let Some(Expandable::Object(method)) = confirmed.payment_method else {
            return Err(PaymentError::Invalid(
                "the SetupIntent has no payment method".into(),
            ));
        };
        let card = method
            .card
            .ok_or_else(|| PaymentError::Invalid("only cards can be saved".into()))?;
        Ok(Card {
            payment_method_id: method.id.to_string(),
            brand: card.brand,
            last4: card.last4,
        })
    }

    /// Where an intent stands now (after the customer authenticated, or to reconcile a webhook).
    pub async fn intent_state(&self, intent_id: &str) -> Result<IntentState, PaymentError> {
        let intent = RetrievePaymentIntent::new(intent_id)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(match intent.status {
            PaymentIntentStatus::RequiresCapture => IntentState::Authorized,
            PaymentIntentStatus::Succeeded => IntentState::Captured,
            PaymentIntentStatus::Canceled => IntentState::Canceled,
            PaymentIntentStatus::RequiresAction => IntentState::RequiresAction {
                client_secret: intent.client_secret.unwrap_or_default(),
            },
            PaymentIntentStatus::RequiresPaymentMethod => IntentState::Failed,
            _ => IntentState::Processing,
        })
    }

    /// How much of an intent's charge has been refunded, by anyone (the app or the dashboard).
    pub async fn refunded_cents(&self, intent_id: &str) -> Result<i64, PaymentError> {
        let refunds = ListRefund::new()
            .payment_intent(intent_id)
            .limit(100)
            .send(&self.client)
            .await
            .map_err(failure)?;
        Ok(refunds
            .data
            .iter()
            .filter(|r| {
                r.status.as_deref() != Some("failed") && r.status.as_deref() != Some("canceled")
            })
            .map(|r| r.amount)
            .sum())
    }

    /// An Express connected account for the instructor (made once: the key is theirs), and a
    /// single-use onboarding link back to `return_url`. Readiness arrives by `account.updated`.
    pub async fn connect_onboarding(
        &self,
        instructor_id: &str,
        existing_account: Option<&str>,
        email: &str,
        return_url: &str,
    ) -> Result<(String, String), PaymentError> {
        let account = match existing_account {
            Some(account) => account.to_string(),
            None => {
                let mut capabilities = CreateAccountCapabilities::new();
                capabilities.card_payments = Some(CreateAccountCapabilitiesCardPayments {
                    requested: Some(true),
                });
                capabilities.transfers = Some(CreateAccountCapabilitiesTransfers {
                    requested: Some(true),
                });
                CreateAccount::new()
                    .type_(CreateAccountType::Express)
                    .email(email)
                    .capabilities(capabilities)
                    .customize()
                    .request_strategy(keyed(&format!(
                        "instructor:{instructor_id}:connect-account"
                    ))?)
                    .send(&self.client)
                    .await
                    .map_err(failure)?
                    .id
                    .to_string()
            }
        };
        let link =
            CreateAccountLink::new(account.clone(), CreateAccountLinkType::AccountOnboarding)
                .refresh_url(format!("{return_url}?payouts=refresh"))
                .return_url(format!("{return_url}?payouts=return"))
                .send(&self.client)
                .await
                .map_err(failure)?;
        Ok((account, link.url))
    }

    /// A one-time link into the instructor's Express dashboard.
    pub async fn dashboard_link(&self, account: &str) -> Result<String, PaymentError> {
        CreateAccountLoginLink::new(account)
            .customize()
            .request_strategy(keyed(&format!(
                "{account}:login-link:{}",
                uuid::Uuid::new_v4()
            ))?)
            .send(&self.client)
            .await
            .map(|link| link.url)
            .map_err(failure)
    }

    pub async fn capture(
        &self,
        intent_id: &str,
        application_fee_cents: i64,
        key: &str,
    ) -> Result<(), PaymentError> {
        CapturePaymentIntent::new(intent_id)
            .application_fee_amount(application_fee_cents)
            .customize()
            .request_strategy(keyed(key)?)
            .send(&self.client)
            .await
            .map(|_| ())
            .map_err(failure)
    }

    pub async fn release(&self, intent_id: &str, key: &str) -> Result<(), PaymentError> {
        CancelPaymentIntent::new(intent_id)
            .customize()
            .request_strategy(keyed(key)?)
            .send(&self.client)
            .await
            .map(|_| ())
            .map_err(failure)
    }

    pub async fn refund(
        &self,
        intent_id: &str,
        amount_cents: i64,
        refund_fee: bool,
        reverse_transfer: bool,
        key: &str,
    ) -> Result<String, PaymentError> {
        CreateRefund::new()
            .payment_intent(intent_id)
            .amount(amount_cents)
            .refund_application_fee(refund_fee)
            .reverse_transfer(reverse_transfer)
            .customize()
            .request_strategy(keyed(key)?)
            .send(&self.client)
            .await
            .map(|refund| refund.id.to_string())
            .map_err(failure)
    }

    pub async fn transfer(
        &self,
        destination: &str,
        amount_cents: i64,
        key: &str,
    ) -> Result<String, PaymentError> {
        CreateTransfer::new(Currency::USD, destination)
            .amount(amount_cents)
            .customize()
            .request_strategy(keyed(key)?)
            .send(&self.client)
            .await
            .map(|transfer| transfer.id.to_string())
            .map_err(failure)
    }

    pub async fn reverse_transfer(
        &self,
        transfer_id: &str,
        amount_cents: i64,
        key: &str,
    ) -> Result<String, PaymentError> {
        CreateIdTransferReversal::new(transfer_id)
            .amount(amount_cents)
            .customize()
            .request_strategy(keyed(key)?)
            .send(&self.client)
            .await
            .map(|reversal| reversal.id.to_string())
            .map_err(failure)
    }
}

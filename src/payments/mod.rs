//! The payment provider interface. `simulated` (the default) behaves like Stripe test mode
//! offline; the `stripe` implementation arrives with real Stripe, behind the same methods.
//! For now the interface covers what instructor onboarding needs: a payouts (Connect) account
//! and its onboarding link.

/// A payouts account being set up.
pub struct Onboarding {
    pub account_id: String,
    /// Where to send the instructor to finish onboarding (same-site for `simulated`).
    pub url: String,
    /// Whether payouts can already be made (the simulated provider completes at once).
    pub complete: bool,
}

pub enum Provider {
    Simulated,
}

impl Provider {
    /// Creates (or reuses) the instructor's connected account and an onboarding link that
    /// returns to `return_path`.
    pub async fn connect_onboarding(
        &self,
        instructor_id: &str,
        return_path: &str,
    ) -> anyhow::Result<Onboarding> {
        match self {
            Self::Simulated => Ok(Onboarding {
                account_id: format!("acct_sim_{}", instructor_id.replace('-', "")),
                url: format!("{return_path}?payouts=done"),
                complete: true,
            }),
        }
    }
}

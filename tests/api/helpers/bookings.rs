//! Booking tests' building blocks: verified students, booking requests, and the ledger check
//! every booking scenario ends with.

use serde_json::{Value, json};

use super::TestApp;
use super::browser::Browser;

impl TestApp {
    /// A signed-in student whose email is verified; returns their browser and id.
    pub async fn student(&self, email: &str) -> (Browser, String) {
        let browser = self.sign_up(email, "student").await;
        let token = self.emailed_token(email, "verify_email").await;
        let verified = browser
            .post("/api/v1/auth/verify-email", &json!({ "token": token }))
            .await;
        assert_eq!(verified.status(), 200);
        let id = browser.json("/api/v1/auth/me").await["user"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        (browser, id)
    }

    /// Panics unless every ledger invariant holds.
    pub async fn assert_ledger_balances(&self) {
        self.run_jobs().await;
        let verdict = self
            .state
            .db
            .read(|c| Ok(instainstru::bookings::audit::verify(c)?))
            .await
            .unwrap();
        if let Err(problems) = verdict {
            panic!("ledger invariants broken:\n{}", problems.join("\n"));
        }
    }

    /// Panics unless every ledger invariant holds with `provider` as the provider's books.
    pub async fn assert_ledger_matches(&self, provider: instainstru::payments::Totals) {
        self.run_jobs().await;
        let verdict = self
            .state
            .db
            .read(move |c| Ok(instainstru::bookings::audit::verify_against(c, &provider)?))
            .await
            .unwrap();
        if let Err(problems) = verdict {
            panic!("ledger invariants broken:\n{}", problems.join("\n"));
        }
    }

    /// The sum of ledger rows of `kind` (for one booking when given).
    pub async fn ledger_sum(&self, kind: &str, booking: Option<&str>) -> i64 {
        let (kind, booking) = (kind.to_string(), booking.map(str::to_string));
        self.state
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE kind = ?1 AND (?2 IS NULL OR booking_id = ?2)",
                    rusqlite::params![kind, booking],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap()
    }

    /// A booking request for the test instructor's piano, online.
    pub fn lesson(&self, instructor: &str, start: &str, minutes: u32) -> Value {
        json!({
            "instructor_id": instructor,
            "instructor_service_id": self.service_id("piano"),
            "format": "online",
            "start": start,
            "duration_min": minutes,
            "payment_method_id": "pm_card_visa",
        })
    }

    /// The provider calls so far, as "operation target amount".
    pub async fn provider_calls(&self) -> Vec<String> {
        match self.state.payments.as_ref() {
            instainstru::payments::Provider::Stripe(_) => Vec::new(),
            instainstru::payments::Provider::Simulated(sim) => sim
                .calls()
                .await
                .into_iter()
                .map(|c| format!("{} {}", c.operation, c.amount_cents))
                .collect(),
        }
    }
}

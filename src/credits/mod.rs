//! Credits (SPEC 6): a ledger of grants, each with an expiry, spent earliest-expiry first,
//! reserved at booking and consumed when the lesson is paid for, released or forfeited on
//! cancel. Expired grants are closed by a daily job.

mod routes;
pub mod rules;
pub mod store;

pub use routes::routes;

use crate::app::AppState;
use crate::jobs::{JobError, Registry};

pub fn register(registry: &mut Registry) {
    registry.register(
        "credits.expire",
        |state: AppState, _: serde_json::Value| async move {
            let now = state.clock.now();
            let expired = state
                .db
                .write(move |tx| Ok(store::expire_due(tx, now)?))
                .await
                .map_err(JobError::from)?;
            tracing::info!(expired, "expired credit grants");
            Ok(())
        },
    );
    registry.every("credits.expire", chrono::Duration::hours(1));
}

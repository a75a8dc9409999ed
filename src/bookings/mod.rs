//! Bookings: the lesson lifecycle and the money that moves with it (SPEC 5). The rules live in
//! pure modules (`pricing`, `policy`); the use cases (`create`, `cancel`, `reschedule`,
//! `complete`, `no_show`) change state in one write each, and `settle` moves the money at the
//! provider once an outcome is known. `jobs` carries bookings through time; `audit` checks the
//! ledger invariants.

pub mod audit;
mod calendar;
mod cancel;
mod complete;
mod create;
mod earnings;
pub mod jobs;
pub mod model;
mod no_show;
mod notices;
mod payment;
pub mod policy;
pub mod pricing;
mod reschedule;
mod routes;
mod settle;
pub mod store;
pub mod view;

use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    routes::routes()
        .merge(earnings::routes())
        .merge(calendar::routes())
}

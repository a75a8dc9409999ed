//! Bookings: the lesson lifecycle and the money that moves with it (SPEC 5). The rules live in
//! pure modules (`pricing`, `policy`); the use cases (`create`, `cancel`, `reschedule`,
//! `complete`, `no_show`) change state in one write each, and `settle` moves the money at the
//! provider once an outcome is known. `jobs` carries bookings through time; `audit` checks the
//! ledger invariants.

pub mod audit;
mod authorize;
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

pub use create::NewBooking;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// Books a lesson for `student` as `POST /api/v1/bookings` would (the demo seeder uses it);
/// returns the booking's id.
pub async fn book(state: &AppState, student: &CurrentUser, input: NewBooking) -> AppResult<String> {
    match create::create(state, student, input, None).await? {
        create::Created::Fresh(_, body) => Ok(body["id"].as_str().unwrap_or_default().to_string()),
        create::Created::Replay(_) => Err(crate::error::AppError::internal(anyhow::anyhow!(
            "a booking without a key cannot be a replay"
        ))),
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    routes::routes()
        .merge(earnings::routes())
        .merge(calendar::routes())
}

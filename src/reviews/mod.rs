//! Reviews, ratings and tips (SPEC 7). A student reviews a completed lesson once, within 30
//! days (`create`), optionally with a tip that goes 100% to the instructor (`tips`); the
//! instructor answers once and admins may hide a review (`moderate`). Visible reviews feed a
//! Bayesian rating (`rating`, pure) from aggregates kept in the same write as the reviews
//! (`store`), which public profiles read through [`summary`] and search is told about by a
//! reindex job. `notices` and `jobs` carry the emails: review request and reminder, review
//! received, response, tip receipt and tip received.

mod create;
pub mod jobs;
mod moderate;
mod notices;
pub mod rating;
mod routes;
pub mod store;
pub mod tips;
pub mod view;

use utoipa_axum::router::OpenApiRouter;

pub use jobs::register;
pub use view::{ServiceReviewCount, Summary, summary, summary_with};

use crate::app::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    routes::routes()
}

//! Availability: the instructor's weekly windows, overrides, blackouts and booking settings,
//! and the bookable slots they yield.

mod cache;
pub mod document;
mod routes;
pub mod slots;
pub mod store;

pub use cache::{RulesCache, SlotsCache};
pub use routes::routes;

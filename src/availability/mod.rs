//! Availability: the instructor's weekly windows, overrides, blackouts and booking settings,
//! and the bookable slots they yield.

pub mod document;
mod routes;
pub mod slots;
pub mod store;

pub use routes::routes;

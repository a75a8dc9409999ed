//! Bookings: the lesson lifecycle and the money that moves with it. The rules live in pure
//! modules first (`pricing`, `policy`); booking creation, payment timing, cancellation,
//! rescheduling, completion and no-shows build on them.

pub mod policy;
pub mod pricing;

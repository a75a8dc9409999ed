//! Leaf types with no I/O, shared by every domain.

pub mod clock;
pub mod metrics;
pub mod money;
pub mod page;
pub mod time;

pub use clock::Clock;

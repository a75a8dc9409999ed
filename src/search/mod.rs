//! Search: understanding what a student typed and finding the instructors who fit it.

pub mod query;

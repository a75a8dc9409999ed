//! Credits (SPEC 6): a ledger of grants, each with an expiry, spent earliest-expiry first,
//! reserved at booking and consumed at completion, released or forfeited on cancel. The rules
//! that need no database live here first.

pub mod rules;

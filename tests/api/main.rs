//! One integration-test binary: the real router over a real SQLite file in a temp dir (`TestApp`)
//! and the real `instainstru` binary as a process (`helpers::process`).

#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failed test

mod helpers;

mod account;
mod auth;
mod bookings;
mod crash;
mod dev;
mod http;
mod instructors;
mod jobs;
mod payments;
mod process;
mod recovery;
mod reviews;
mod search;
mod stripe;
mod stripe_lifecycle;
mod two_factor;
mod webhooks;

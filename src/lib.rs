//! InstaInstru: a lesson marketplace shipped as one binary over one SQLite file.
//!
//! The module tree follows the domain. Leaf modules (`common`, `config`, `error`) know nothing of
//! the domains; `db` and `jobs` are the machinery every domain stands on; `http` assembles the
//! router; `app` is the composition root and `cli` the command line.

pub mod admin;
pub mod app;
pub mod areas;
pub mod auth;
pub mod availability;
pub mod bookings;
pub mod catalog;
pub mod cli;
pub mod common;
pub mod config;
pub mod credits;
pub mod db;
pub mod demo;
pub mod dev;
pub mod error;
pub mod http;
pub mod instructors;
pub mod jobs;
pub mod ledger;
pub mod notifications;
pub mod payments;
pub mod reviews;
pub mod search;
pub mod users;

pub use app::{App, AppState};
pub use error::{AppError, AppResult};

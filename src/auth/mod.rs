//! Accounts and access: sign-up, sign-in with lockout, sessions and CSRF, personal API tokens,
//! email verification, password reset and change, TOTP two-factor with backup codes and trusted
//! devices, and the extractors that enforce roles.
//!
//! Secrets are never stored in clear: passwords as argon2id PHC strings, every token as its
//! SHA-256. Failures that could reveal whether an email is registered answer the same either way.

mod access;
pub mod extract;
mod login;
pub mod model;
pub mod password;
mod recovery;
mod routes;
pub mod secrets;
mod session;
pub mod signup;
pub mod store;
pub mod throttle;
pub mod totp;
mod two_factor;

pub use extract::{Admin, CurrentUser, Instructor, MaybeUser, Student};
pub use model::{Role, User, UserView};
pub use recovery::confirm_password;
pub use routes::{routes, signed_out};

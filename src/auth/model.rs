//! The account types shared by the auth domain and those above it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::common::time::{from_db, rfc3339};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Instructor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Instructor => "instructor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "student" => Some(Self::Student),
            "instructor" => Some(Self::Instructor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Deactivated,
    Suspended,
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
            Self::Suspended => "suspended",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "deactivated" => Self::Deactivated,
            "suspended" => Self::Suspended,
            "deleted" => Self::Deleted,
            _ => Self::Active,
        }
    }
}

/// A row of `users`, including the secrets that never leave the server.
#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub full_name: String,
    pub role: Role,
    pub timezone: String,
    pub status: Status,
    pub email_verified_at: Option<i64>,
    pub totp_secret: Option<String>,
    pub two_factor_enabled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub created_at: i64,
}

/// The user as the API shows it to themselves.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub email_verified: bool,
    pub two_factor_enabled: bool,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: String,
    pub created_at: String,
}

impl User {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id.clone(),
            email: self.email.clone(),
            full_name: self.full_name.clone(),
            role: self.role,
            email_verified: self.email_verified_at.is_some(),
            two_factor_enabled: self.two_factor_enabled_at.is_some(),
            timezone: self.timezone.clone(),
            created_at: rfc3339(from_db(self.created_at)),
        }
    }

    pub fn two_factor_enabled(&self) -> bool {
        self.two_factor_enabled_at.is_some()
    }

    /// "Ada L." — how other people see this person.
    pub fn display_name(&self) -> String {
        display_name(&self.full_name)
    }
}

/// First name and last initial, the public form of a name.
pub fn display_name(full_name: &str) -> String {
    let mut parts = full_name.split_whitespace();
    let first = parts.next().unwrap_or_default();
    match parts.last().and_then(|last| last.chars().next()) {
        Some(initial) => format!("{first} {}.", initial.to_uppercase()),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_is_first_name_and_last_initial() {
        assert_eq!(display_name("Ada King Lovelace"), "Ada L.");
        assert_eq!(display_name("  Plato "), "Plato");
        assert_eq!(display_name("émile zola"), "émile Z.");
    }
}

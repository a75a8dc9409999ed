//! A person's own account: profile (name, time zone), deactivation, deletion (anonymised,
//! financial records kept) and a JSON export of their data.

mod routes;

pub use routes::routes;

use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::model::Status;
use crate::auth::signup::parse_full_name;
use crate::auth::{CurrentUser, User, confirm_password, store};
use crate::common::time::{from_db, rfc3339, to_db};
use crate::error::{AppError, AppResult};
use crate::notifications::inbox;

pub struct ProfileChange {
    pub full_name: Option<String>,
    pub timezone: Option<String>,
}

pub fn parse_timezone(raw: &str) -> AppResult<String> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            AppError::invalid(
                "request.invalid_field",
                "timezone",
                "is not an IANA time zone such as America/New_York",
            )
        })
}

pub async fn update_profile(
    state: &AppState,
    current: &CurrentUser,
    change: ProfileChange,
) -> AppResult<User> {
    let user = &current.user;
    let full_name = match change.full_name {
        Some(name) => parse_full_name(&name)?,
        None => user.full_name.clone(),
    };
    let timezone = match change.timezone {
        Some(tz) => parse_timezone(&tz)?,
        None => user.timezone.clone(),
    };
    let (id, now) = (user.id.clone(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| {
            store::update_profile(tx, &id, &full_name, &timezone, now)?;
            store::user_by_id(tx, &id)?.ok_or_else(AppError::not_found)
        })
        .await
}

/// Hides the account and signs it out everywhere; signing in again brings it back.
pub async fn deactivate(
    state: &AppState,
    current: &CurrentUser,
    password: String,
) -> AppResult<()> {
    confirm_password(&current.user, password, "password").await?;
    let (id, now) = (current.user.id.clone(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| {
            store::set_status(tx, &id, Status::Deactivated, now)?;
            store::delete_sessions_except(tx, &id, None)?;
            Ok(())
        })
        .await
}

/// Deletes the person: personal data anonymised, credentials and inbox removed; rows that
/// record money (bookings, payments, later) keep the anonymous id.
pub async fn delete(state: &AppState, current: &CurrentUser, password: String) -> AppResult<()> {
    confirm_password(&current.user, password, "password").await?;
    let (id, now) = (current.user.id.clone(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| {
            store::anonymise(tx, &id, now)?;
            tx.execute("DELETE FROM notifications WHERE user_id = ?1", [&id])?;
            tx.execute(
                "DELETE FROM notification_preferences WHERE user_id = ?1",
                [&id],
            )?;
            Ok(())
        })
        .await
}

/// Everything we hold about the caller, as JSON. Secrets (password hash, token hashes, the
/// TOTP secret) are described, never exported.
pub async fn export(state: &AppState, current: &CurrentUser) -> AppResult<Value> {
    let user = current.user.clone();
    let exported_at = rfc3339(state.clock.now());
    state
        .db
        .read_long(move |c| {
            let sessions: Vec<Value> = store::sessions_of(c, &user.id)?
                .into_iter()
                .map(|s| json!({"id": s.id, "user_agent": s.user_agent, "created_at": rfc3339(from_db(s.created_at)), "last_seen_at": rfc3339(from_db(s.last_seen_at))}))
                .collect();
            let tokens: Vec<Value> = store::api_tokens_of(c, &user.id)?
                .into_iter()
                .map(|t| json!({"id": t.id, "name": t.name, "created_at": rfc3339(from_db(t.created_at))}))
                .collect();
            let notifications = inbox::page(c, &user.id, u32::MAX, 0)?;
            Ok(json!({
                "exported_at": exported_at,
                "account": user.view(),
                "status": user.status.as_str(),
                "two_factor": {"enabled": user.two_factor_enabled()},
                "sessions": sessions,
                "api_tokens": tokens,
                "notifications": notifications,
            }))
        })
        .await
}

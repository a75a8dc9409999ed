//! Turning the TOTP second factor on and off, and backup codes.

use rusqlite::Connection;

use super::extract::CurrentUser;
use super::model::User;
use super::recovery::confirm_password;
use super::session::recipient;
use super::{secrets, store, totp};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::notifications::Notice;

pub const BACKUP_CODES: usize = 10;

pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_png_base64: String,
}

fn invalid_code() -> AppError {
    AppError::invalid("auth.invalid_code", "code", "is not valid")
}

/// Starts (or restarts) enrolment with a new pending secret.
pub async fn setup(state: &AppState, current: &CurrentUser) -> AppResult<Enrolment> {
    if current.user.two_factor_enabled() {
        return Err(AppError::conflict(
            "auth.two_factor_enabled",
            "Two-factor authentication is already on.",
        ));
    }
    let secret = totp::new_secret();
    let (otpauth_uri, qr_png_base64) = totp::enrolment(&secret, &current.user.email)?;
    let (id, pending, now) = (
        current.user.id.clone(),
        secret.clone(),
        to_db(state.clock.now()),
    );
    state
        .db
        .write(move |tx| Ok(store::set_totp(tx, &id, Some(&pending), None, now)?))
        .await?;
    Ok(Enrolment {
        secret,
        otpauth_uri,
        qr_png_base64,
    })
}

/// Confirms enrolment with a code from the app; returns the backup codes (shown once).
pub async fn enable(
    state: &AppState,
    current: &CurrentUser,
    code: String,
) -> AppResult<Vec<String>> {
    if current.user.two_factor_enabled() {
        return Err(AppError::conflict(
            "auth.two_factor_enabled",
            "Two-factor authentication is already on.",
        ));
    }
    let state2 = state.clone();
    let user_id = current.user.id.clone();
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            let user = store::user_by_id(tx, &user_id)?.ok_or_else(AppError::not_found)?;
            let secret = user.totp_secret.clone().ok_or_else(|| {
                AppError::invalid(
                    "auth.two_factor_not_started",
                    "code",
                    "start the setup first",
                )
            })?;
            check_code(tx, &user, &secret, &code, now.timestamp())?;
            store::set_totp(tx, &user.id, Some(&secret), Some(to_db(now)), to_db(now))?;
            let step = totp::matching_step(&secret, &code, now.timestamp()).unwrap_or_default();
            store::use_totp_step(tx, &user.id, step)?;
            let codes = new_backup_codes(tx, &user.id)?;
            let notice = Notice::new(
                "two_factor_enabled",
                format!("two_factor_enabled:{}:{}", user.id, to_db(now)),
            )
            .action("/account/security", "Review your security settings")
            .in_app(
                "Two-factor authentication is on",
                "Sign-ins now ask for a code.",
                Some("/account/security"),
            );
            state2.notifier.send(tx, &recipient(&user), &notice, now)?;
            Ok(codes)
        })
        .await
}

/// Turns the second factor off after the password and a current code (or a backup code).
pub async fn disable(
    state: &AppState,
    current: &CurrentUser,
    password: String,
    code: String,
) -> AppResult<()> {
    if !current.user.two_factor_enabled() {
        return Err(AppError::conflict(
            "auth.two_factor_disabled",
            "Two-factor authentication is not on.",
        ));
    }
    confirm_password(&current.user, password, "password").await?;
    let state2 = state.clone();
    let user_id = current.user.id.clone();
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            let user = store::user_by_id(tx, &user_id)?.ok_or_else(AppError::not_found)?;
            check_code_or_backup(tx, &user, &code, now.timestamp())?;
            store::set_totp(tx, &user.id, None, None, to_db(now))?;
            store::replace_backup_codes(tx, &user.id, &[])?;
            store::forget_trusted_devices(tx, &user.id)?;
            let notice = Notice::new(
                "two_factor_disabled",
                format!("two_factor_disabled:{}:{}", user.id, to_db(now)),
            )
            .action("/account/security", "Review your security settings")
            .in_app(
                "Two-factor authentication is off",
                "Sign-ins need only your password.",
                Some("/account/security"),
            );
            state2.notifier.send(tx, &recipient(&user), &notice, now)
        })
        .await
}

/// New backup codes for a current code; the old ones stop working.
pub async fn regenerate_backup_codes(
    state: &AppState,
    current: &CurrentUser,
    code: String,
) -> AppResult<Vec<String>> {
    if !current.user.two_factor_enabled() {
        return Err(AppError::conflict(
            "auth.two_factor_disabled",
            "Two-factor authentication is not on.",
        ));
    }
    let state2 = state.clone();
    let user_id = current.user.id.clone();
    state
        .db
        .write(move |tx| {
            let user = store::user_by_id(tx, &user_id)?.ok_or_else(AppError::not_found)?;
            let secret = user.totp_secret.clone().unwrap_or_default();
            check_code(tx, &user, &secret, &code, state2.clock.now().timestamp())?;
            new_backup_codes(tx, &user.id)
        })
        .await
}

fn check_code(conn: &Connection, user: &User, secret: &str, code: &str, now: i64) -> AppResult<()> {
    let step = totp::matching_step(secret, code, now).ok_or_else(invalid_code)?;
    if !store::use_totp_step(conn, &user.id, step)? {
        return Err(invalid_code());
    }
    Ok(())
}

fn check_code_or_backup(conn: &Connection, user: &User, code: &str, now: i64) -> AppResult<()> {
    let secret = user.totp_secret.as_deref().unwrap_or_default();
    if totp::matching_step(secret, code, now).is_some() {
        return check_code(conn, user, secret, code, now);
    }
    let hash = secrets::hash(&secrets::normalize_backup_code(code));
    if store::use_backup_code(conn, &user.id, &hash, now)? {
        Ok(())
    } else {
        Err(invalid_code())
    }
}

fn new_backup_codes(conn: &Connection, user_id: &str) -> AppResult<Vec<String>> {
    let codes: Vec<String> = (0..BACKUP_CODES).map(|_| secrets::backup_code()).collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| secrets::hash(&secrets::normalize_backup_code(c)))
        .collect();
    store::replace_backup_codes(conn, user_id, &hashes)?;
    Ok(codes)
}

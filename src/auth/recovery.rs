//! Proving and recovering access: email verification, password reset by emailed single-use
//! link, and changing a password while signed in.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

use super::extract::{Client, CurrentUser};
use super::model::{Status, User};
use super::secrets;
use super::session::recipient;
use super::signup::{check_password, hash_off_thread, parse_email, verify_off_thread};
use super::store::{self, Purpose};
use super::throttle::Limit;
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::notifications::Notice;

fn invalid_token() -> AppError {
    AppError::invalid(
        "auth.invalid_token",
        "token",
        "is invalid, expired or already used",
    )
}

/// Mails a fresh verification link (older links stop working).
pub fn send_verification(
    conn: &Connection,
    state: &AppState,
    user: &User,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let token = secrets::random_token();
    let expires = now + state.config.auth.verify_email_ttl.chrono();
    store::retire_one_time(conn, &user.id, Purpose::VerifyEmail, to_db(now))?;
    store::insert_one_time(
        conn,
        &secrets::hash(&token),
        &user.id,
        Purpose::VerifyEmail,
        to_db(now),
        to_db(expires),
    )?;
    let notice = Notice::new(
        "verify_email",
        format!("verify_email:{}", secrets::new_id()),
    )
    .action(format!("/verify-email?token={token}"), "Confirm my email");
    state.notifier.send(conn, &recipient(user), &notice, now)
}

pub async fn resend_verification(state: &AppState, current: &CurrentUser) -> AppResult<()> {
    if current.user.email_verified_at.is_some() {
        return Ok(());
    }
    let limit = Limit {
        max: state.config.auth.verification_emails_per_hour,
        per: Duration::hours(1),
    };
    state.throttle.hit(
        &format!("verify:{}", current.user.id),
        limit,
        state.clock.now(),
    )?;
    let (state2, user) = (state.clone(), current.user.clone());
    state
        .db
        .write(move |tx| send_verification(tx, &state2, &user, state2.clock.now()))
        .await
}

pub async fn verify_email(state: &AppState, token: &str) -> AppResult<User> {
    let hash = secrets::hash(token);
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            let now = to_db(state2.clock.now());
            let found = store::live_one_time(tx, &hash, Purpose::VerifyEmail, now)?
                .ok_or_else(invalid_token)?;
            if !store::use_one_time(tx, &hash, now)? {
                return Err(invalid_token());
            }
            store::mark_verified(tx, &found.user_id, now)?;
            store::user_by_id(tx, &found.user_id)?.ok_or_else(invalid_token)
        })
        .await
}

/// Mails a reset link when the address belongs to an active account; answers the same either
/// way, so the response never tells whether an email is registered.
pub async fn request_reset(state: &AppState, client: &Client, email: &str) -> AppResult<()> {
    let Ok(email) = parse_email(email) else {
        return Ok(());
    };
    let now = state.clock.now();
    let per_email = Limit {
        max: state.config.auth.password_resets_per_email_per_hour,
        per: Duration::hours(1),
    };
    state
        .throttle
        .hit(&format!("reset:{email}"), per_email, now)?;
    state.throttle.hit(
        &format!("reset-ip:{}", client.ip),
        Limit {
            max: 30,
            per: Duration::hours(1),
        },
        now,
    )?;
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            let Some(user) = store::user_by_email(tx, &email)? else {
                return Ok(());
            };
            if matches!(user.status, Status::Deleted | Status::Suspended) {
                return Ok(());
            }
            let token = secrets::random_token();
            let expires = now + state2.config.auth.password_reset_ttl.chrono();
            store::retire_one_time(tx, &user.id, Purpose::PasswordReset, to_db(now))?;
            store::insert_one_time(
                tx,
                &secrets::hash(&token),
                &user.id,
                Purpose::PasswordReset,
                to_db(now),
                to_db(expires),
            )?;
            let notice = Notice::new(
                "password_reset",
                format!("password_reset:{}", secrets::new_id()),
            )
            .action(
                format!("/reset-password?token={token}"),
                "Choose a new password",
            );
            state2.notifier.send(tx, &recipient(&user), &notice, now)
        })
        .await
}

/// Sets a new password from a reset link, signs the account out everywhere, and (since the
/// link proved the mailbox) marks the email verified.
pub async fn confirm_reset(state: &AppState, token: &str, new_password: String) -> AppResult<()> {
    let hash = secrets::hash(token);
    let lookup = hash.clone();
    let now = to_db(state.clock.now());
    let user = state
        .db
        .read(move |c| {
            let found = store::live_one_time(c, &lookup, Purpose::PasswordReset, now)?
                .ok_or_else(invalid_token)?;
            store::user_by_id(c, &found.user_id)?.ok_or_else(invalid_token)
        })
        .await?;
    check_password(&new_password, &user.email, &user.full_name, "password")?;
    let phc = hash_off_thread(new_password).await?;
    let throttle_key = format!("acct:{}", user.email);
    state
        .db
        .write(move |tx| {
            if !store::use_one_time(tx, &hash, now)? {
                return Err(invalid_token());
            }
            store::set_password(tx, &user.id, &phc, now)?;
            store::delete_sessions_except(tx, &user.id, None)?;
            store::mark_verified(tx, &user.id, now)?;
            Ok(())
        })
        .await?;
    state.throttle.forget(&throttle_key);
    Ok(())
}

/// Changes the password after re-checking the current one; other sessions are signed out.
pub async fn change_password(
    state: &AppState,
    current: &CurrentUser,
    old: String,
    new: String,
) -> AppResult<()> {
    let user = &current.user;
    if !verify_off_thread(old, Some(user.password_hash.clone())).await? {
        return Err(AppError::invalid(
            "auth.wrong_password",
            "current_password",
            "is not your current password",
        ));
    }
    check_password(&new, &user.email, &user.full_name, "new_password")?;
    let phc = hash_off_thread(new).await?;
    let (id, keep, now) = (
        user.id.clone(),
        current.session_id.clone(),
        to_db(state.clock.now()),
    );
    state
        .db
        .write(move |tx| {
            store::set_password(tx, &id, &phc, now)?;
            store::delete_sessions_except(tx, &id, keep.as_deref())?;
            Ok(())
        })
        .await
}

/// Re-checks the password for sensitive actions (disable 2FA, deactivate, delete).
pub async fn confirm_password(user: &User, password: String, field: &str) -> AppResult<()> {
    if verify_off_thread(password, Some(user.password_hash.clone())).await? {
        Ok(())
    } else {
        Err(AppError::invalid(
            "auth.wrong_password",
            field,
            "is not your password",
        ))
    }
}

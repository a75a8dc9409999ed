//! Signing in: password (with lockout), then the second factor when it is on and the device is
//! not trusted.

use super::extract::Client;
use super::model::{Status, User};
use super::session::{self, DeviceAlert, Started};
use super::signup::verify_off_thread;
use super::store::{self, Purpose};
use super::{secrets, totp};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::{AppError, ErrorKind};

/// Wrong codes allowed on one challenge before the password step must be repeated.
const MAX_CODE_ATTEMPTS: i64 = 5;

pub enum Outcome {
    SignedIn(Box<(User, Started)>),
    SecondFactor { challenge: String },
}

fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.invalid_credentials",
        "Wrong email or password.",
    )
}

fn invalid_code() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.invalid_code",
        "That code is not right.",
    )
    .with_field("code", "is not valid")
}

fn challenge_expired() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.challenge_expired",
        "Sign in with your password again.",
    )
}

pub async fn with_password(
    state: &AppState,
    client: &Client,
    email: &str,
    password: String,
) -> Result<Outcome, AppError> {
    let email = email.trim().to_lowercase();
    let keys = [format!("acct:{email}"), format!("ip:{}", client.ip)];
    state.throttle.check_unlocked(&keys, state.clock.now())?;

    let lookup = email.clone();
    let user = state
        .db
        .read(move |c| Ok(store::user_by_email(c, &lookup)?))
        .await?;
    let ok = verify_off_thread(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let Some(user) = user.filter(|_| ok) else {
        state.throttle.record_failure(&keys, state.clock.now());
        return Err(invalid_credentials());
    };
    match user.status {
        Status::Suspended => {
            return Err(AppError::forbidden(
                "auth.suspended",
                "This account is suspended.",
            ));
        }
        Status::Deleted => return Err(invalid_credentials()),
        Status::Active | Status::Deactivated => {}
    }
    state.throttle.forget(&keys[0]);

    let (state2, client) = (state.clone(), client.clone());
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            if user.status == Status::Deactivated {
                // Signing in again is how a person comes back after deactivating.
                store::set_status(tx, &user.id, Status::Active, to_db(now))?;
            }
            let trusted = match &client.device_token {
                Some(device) => {
                    store::device_trusted(tx, &user.id, &secrets::hash(device), to_db(now))?
                }
                None => false,
            };
            if user.two_factor_enabled() && !trusted {
                let challenge = secrets::random_token();
                let expires = now + state2.config.auth.login_challenge_ttl.chrono();
                store::insert_one_time(
                    tx,
                    &secrets::hash(&challenge),
                    &user.id,
                    Purpose::LoginChallenge,
                    to_db(now),
                    to_db(expires),
                )?;
                return Ok(Outcome::SecondFactor { challenge });
            }
            let user = store::user_by_id(tx, &user.id)?.unwrap_or(user);
            let started = session::start(tx, &state2, &user, &client, DeviceAlert::IfNew, now)?;
            Ok(Outcome::SignedIn(Box::new((user, started))))
        })
        .await
}

pub enum SecondFactor {
    Code(String),
    BackupCode(String),
}

/// Completes a sign-in with a TOTP code (each time step accepted once) or a backup code
/// (each usable once); optionally trusts this device for `auth.trusted_device`.
pub async fn with_second_factor(
    state: &AppState,
    client: &Client,
    challenge: &str,
    factor: SecondFactor,
    trust_device: bool,
) -> Result<(User, Started), AppError> {
    let challenge = secrets::hash(challenge);
    let (state2, mut client) = (state.clone(), client.clone());
    let device_for_trust = match (&client.device_token, trust_device) {
        (None, true) => Some(secrets::random_token()),
        _ => None,
    };
    if let Some(token) = &device_for_trust {
        client.device_token = Some(token.clone());
    }
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            let live = store::live_one_time(tx, &challenge, Purpose::LoginChallenge, to_db(now))?;
            let Some(live) = live.filter(|l| l.attempts < MAX_CODE_ATTEMPTS) else {
                return Ok(Err(challenge_expired()));
            };
            let user = store::user_by_id(tx, &live.user_id)?.ok_or_else(challenge_expired)?;
            let accepted = match &factor {
                SecondFactor::Code(code) => match user.totp_secret.as_deref() {
                    Some(secret) => match totp::matching_step(secret, code, now.timestamp()) {
                        Some(step) => store::use_totp_step(tx, &user.id, step)?,
                        None => false,
                    },
                    None => false,
                },
                SecondFactor::BackupCode(code) => {
                    let hash = secrets::hash(&secrets::normalize_backup_code(code));
                    store::use_backup_code(tx, &user.id, &hash, to_db(now))?
                }
            };
            if !accepted {
                // Committed with the transaction, so wrong guesses count even though we fail.
                store::count_one_time_attempt(tx, &challenge)?;
                return Ok(Err(invalid_code()));
            }
            store::use_one_time(tx, &challenge, to_db(now))?;
            let mut started = session::start(tx, &state2, &user, &client, DeviceAlert::IfNew, now)?;
            if let Some(device) = &client.device_token
                && trust_device
            {
                let until = now + state2.config.auth.trusted_device.chrono();
                store::trust_device(tx, &user.id, &secrets::hash(device), to_db(until))?;
            }
            if started.new_device_token.is_none() {
                started.new_device_token = device_for_trust.clone();
            }
            Ok(Ok((user, started)))
        })
        .await?
}

//! Creating accounts: self sign-up as student or instructor, and admins from the command line.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::extract::Client;
use super::model::{Role, User};
use super::session::{self, DeviceAlert, Started};
use super::throttle::Limit;
use super::{password, recovery, secrets, store};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::notifications::Notice;

pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub full_name: String,
    pub role: Role,
    pub timezone: Option<String>,
}

/// A valid email address, trimmed and lower-cased, or a 422 naming `email`.
pub fn parse_email(raw: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.parse::<lettre::Address>().is_ok()
        && email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'));
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid(
            "auth.invalid_email",
            "email",
            "is not a valid email address",
        ))
    }
}

pub fn parse_full_name(raw: &str) -> AppResult<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err(AppError::invalid(
            "request.invalid_field",
            "full_name",
            "is required",
        )),
        n if n > 100 => Err(AppError::invalid(
            "request.invalid_field",
            "full_name",
            "must be at most 100 characters",
        )),
        _ => Ok(name),
    }
}

pub fn check_password(password: &str, email: &str, full_name: &str, field: &str) -> AppResult<()> {
    match password::weakness(password, email, full_name) {
        Some(why) => Err(AppError::invalid("auth.weak_password", field, why)),
        None => Ok(()),
    }
}

/// Validates, then hashes off the async threads, then creates the user, the session, the
/// verification link and the welcome, all in one transaction.
pub async fn sign_up(
    state: &AppState,
    client: &Client,
    input: SignupInput,
) -> AppResult<(User, Started)> {
    let email = parse_email(&input.email)?;
    let full_name = parse_full_name(&input.full_name)?;
    if input.role == Role::Admin {
        return Err(AppError::invalid(
            "request.invalid_field",
            "role",
            "must be student or instructor",
        ));
    }
    check_password(&input.password, &email, &full_name, "password")?;
    let timezone = match input.timezone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(zone) if zone.parse::<chrono_tz::Tz>().is_ok() => Some(zone.to_string()),
        Some(_) => {
            return Err(AppError::invalid(
                "request.invalid_field",
                "timezone",
                "is not an IANA time zone such as America/New_York",
            ));
        }
    };
    let limit = Limit {
        max: state.config.auth.signups_per_ip_per_hour,
        per: chrono::Duration::hours(1),
    };
    state
        .throttle
        .hit(&format!("signup:{}", client.ip), limit, state.clock.now())?;

    let hash = hash_off_thread(input.password).await?;
    let state2 = state.clone();
    let client = client.clone();
    state
        .db
        .write(move |tx| {
            let now = state2.clock.now();
            let mut user = create(tx, &email, &hash, &full_name, input.role, false, now)?;
            if let Some(zone) = &timezone {
                tx.execute(
                    "UPDATE users SET timezone = ?2 WHERE id = ?1",
                    rusqlite::params![user.id, zone],
                )?;
                user.timezone = zone.clone();
            }
            let started = session::start(tx, &state2, &user, &client, DeviceAlert::Never, now)?;
            recovery::send_verification(tx, &state2, &user, now)?;
            let notice = Notice::new("welcome", format!("welcome:{}", user.id))
                .var("role", user.role.as_str())
                .action("/", "Find a lesson")
                .in_app("Welcome to InstaInstru", "Your account is ready.", None);
            state2
                .notifier
                .send(tx, &session::recipient(&user), &notice, now)?;
            Ok((user, started))
        })
        .await
}

/// Creates an admin (used by `instainstru admin create`): verified, no session.
pub async fn create_admin(state: &AppState, email: &str, password: &str) -> AppResult<User> {
    let email = parse_email(email)?;
    check_password(password, &email, "", "password")?;
    let hash = hash_off_thread(password.to_string()).await?;
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            create(
                tx,
                &email,
                &hash,
                "Admin",
                Role::Admin,
                true,
                state2.clock.now(),
            )
        })
        .await
}

fn create(
    conn: &Connection,
    email: &str,
    hash: &str,
    full_name: &str,
    role: Role,
    verified: bool,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let id = secrets::new_id();
    let new = store::NewUser {
        id: &id,
        email,
        password_hash: hash,
        full_name,
        role,
        verified,
    };
    if !store::insert_user(conn, &new, to_db(now))? {
        return Err(AppError::conflict(
            "auth.email_taken",
            "An account with this email already exists.",
        )
        .with_field("email", "is already registered"));
    }
    store::user_by_id(conn, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("user vanished after insert")))
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async worker threads.
pub async fn hash_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

pub async fn verify_off_thread(password: String, phc: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || match phc.filter(|p| !p.is_empty()) {
        Some(phc) => password::verify(&password, &phc),
        None => {
            password::verify_against_nothing(&password);
            false
        }
    })
    .await
    .map_err(AppError::internal)
}

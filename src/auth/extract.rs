//! Who is calling: extractors that authenticate a request and enforce roles by type. A handler
//! taking `Admin` cannot run for anyone else; one taking `CurrentUser` runs for any signed-in
//! account.
//!
//! A request authenticates with the `session` cookie or an `Authorization: Bearer` API token.
//! Cookie-authenticated unsafe requests must carry `X-CSRF-Token` equal to the session's token
//! (403 `auth.csrf` otherwise); bearer requests need no CSRF token (browsers never add them).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

use super::model::{Role, Status, User};
use super::{secrets, store};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::{AppError, ErrorKind};
use crate::http::cookies;

pub const SESSION_COOKIE: &str = "session";
pub const DEVICE_COOKIE: &str = "device";
const CSRF_HEADER: &str = "x-csrf-token";
/// `last_seen_at` is written at most this often per session, so reads stay reads.
const TOUCH_EVERY_SECS: i64 = 300;

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    /// The session in use; `None` for API-token requests.
    pub session_id: Option<String>,
    pub csrf_token: Option<String>,
}

/// Where a request comes from: for rate limits, lockouts and the device list.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
    pub device_token: Option<String>,
}

pub fn unauthenticated() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.unauthenticated",
        "Sign in to continue.",
    )
}

fn expired() -> AppError {
    AppError::new(
        ErrorKind::Unauthorized,
        "auth.session_expired",
        "Your session has ended; sign in again.",
    )
}

impl FromRequestParts<AppState> for Client {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(client_of(parts))
    }
}

pub fn client_of(parts: &Parts) -> Client {
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let device_token = cookies::get(&parts.headers, DEVICE_COOKIE).map(str::to_string);
    Client {
        ip,
        user_agent,
        device_token,
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(cached) = parts.extensions.get::<CurrentUser>() {
            return Ok(cached.clone());
        }
        let current = match bearer(&parts.headers) {
            Some(token) => by_api_token(state, token).await?,
            None => {
                let token =
                    cookies::get(&parts.headers, SESSION_COOKIE).ok_or_else(unauthenticated)?;
                by_session(state, token, &parts.method, &parts.headers).await?
            }
        };
        match current.user.status {
            Status::Active => {}
            Status::Suspended => {
                return Err(AppError::forbidden(
                    "auth.suspended",
                    "This account is suspended.",
                ));
            }
            Status::Deactivated | Status::Deleted => return Err(unauthenticated()),
        }
        parts.extensions.insert(current.clone());
        Ok(current)
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn by_api_token(state: &AppState, token: &str) -> Result<CurrentUser, AppError> {
    let hash = secrets::hash(token);
    let found = state
        .db
        .read(move |c| {
            let Some(row) = store::api_token_by_hash(c, &hash)? else {
                return Ok(None);
            };
            Ok(store::user_by_id(c, &row.user_id)?.map(|user| (row, user)))
        })
        .await?;
    let (row, user) = found.ok_or_else(|| {
        AppError::new(
            ErrorKind::Unauthorized,
            "auth.invalid_token",
            "The API token is not valid.",
        )
    })?;
    let now = to_db(state.clock.now());
    if row
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY_SECS)
    {
        let id = row.id.clone();
        state
            .db
            .write(move |tx| Ok(store::touch_api_token(tx, &id, now)?))
            .await?;
    }
    Ok(CurrentUser {
        user,
        session_id: None,
        csrf_token: None,
    })
}

async fn by_session(
    state: &AppState,
    token: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<CurrentUser, AppError> {
    let hash = secrets::hash(token);
    let found = state
        .db
        .read(move |c| {
            let Some(session) = store::session_by_token(c, &hash)? else {
                return Ok(None);
            };
            Ok(store::user_by_id(c, &session.user_id)?.map(|user| (session, user)))
        })
        .await?;
    let (session, user) = found.ok_or_else(expired)?;
    let now = to_db(state.clock.now());
    let idle = state.config.auth.session_idle.chrono().num_seconds();
    if now >= session.expires_at || now - session.last_seen_at >= idle {
        return Err(expired());
    }
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return Err(AppError::forbidden(
                "auth.csrf",
                "Missing or wrong X-CSRF-Token header.",
            ));
        }
    }
    if now - session.last_seen_at >= TOUCH_EVERY_SECS {
        let id = session.id.clone();
        state
            .db
            .write(move |tx| Ok(store::touch_session(tx, &id, now)?))
            .await?;
    }
    Ok(CurrentUser {
        user,
        session_id: Some(session.id),
        csrf_token: Some(session.csrf_token),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The caller when signed in, `None` otherwise (never an error for a missing session).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(Self(Some(user))),
            Err(err) if err.kind == ErrorKind::Unauthorized => Ok(Self(None)),
            Err(err) => Err(err),
        }
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        pub struct $name(pub CurrentUser);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
                let current = CurrentUser::from_request_parts(parts, state).await?;
                if current.user.role != $role {
                    return Err(AppError::forbidden("auth.forbidden", "Your account cannot do this."));
                }
                Ok(Self(current))
            }
        }
    };
}

role_extractor!(
    /// A signed-in student (or parent booking for a child).
    Student,
    Role::Student
);
role_extractor!(
    /// A signed-in instructor.
    Instructor,
    Role::Instructor
);
role_extractor!(
    /// A signed-in admin.
    Admin,
    Role::Admin
);

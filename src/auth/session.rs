//! Starting a signed-in session: the session row, the device record (a new device gets a
//! "new sign-in" email), and the cookies that go back to the browser.

use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::extract::{Client, DEVICE_COOKIE, SESSION_COOKIE};
use super::model::User;
use super::{secrets, store};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::AppResult;
use crate::http::cookies;
use crate::notifications::{Notice, Recipient};

const DEVICE_COOKIE_SECS: i64 = 400 * 86_400;

/// A new session, ready to be handed to the browser.
pub struct Started {
    pub token: String,
    pub csrf_token: String,
    /// The device cookie to set when the browser did not have one yet.
    pub new_device_token: Option<String>,
}

/// Whether to email about a device never seen for this user (not on sign-up: every device is
/// new then).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DeviceAlert {
    IfNew,
    Never,
}

pub fn start(
    conn: &Connection,
    state: &AppState,
    user: &User,
    client: &Client,
    alert: DeviceAlert,
    now: DateTime<Utc>,
) -> AppResult<Started> {
    let token = secrets::random_token();
    let csrf_token = secrets::random_token();
    let id = secrets::new_id();
    let expires_at = now + state.config.auth.session_lifetime.chrono();
    store::insert_session(
        conn,
        &store::NewSession {
            id: &id,
            token_hash: &secrets::hash(&token),
            user_id: &user.id,
            csrf_token: &csrf_token,
            user_agent: &client.user_agent,
            expires_at: to_db(expires_at),
        },
        to_db(now),
    )?;
    let (device_token, new_device_token) = match &client.device_token {
        Some(token) => (token.clone(), None),
        None => {
            let token = secrets::random_token();
            (token.clone(), Some(token))
        }
    };
    let first_time = store::see_device(
        conn,
        &user.id,
        &secrets::hash(&device_token),
        &client.user_agent,
        to_db(now),
    )?;
    if first_time && alert == DeviceAlert::IfNew {
        let device = if client.user_agent.is_empty() {
            "An unknown browser".to_string()
        } else {
            client.user_agent.clone()
        };
        let notice = Notice::new("new_sign_in", format!("new_sign_in:{id}"))
            .var("device", device.clone())
            .var("when", local_time(now, &user.timezone))
            .action("/account/security", "Review your security settings")
            .in_app(
                "New sign-in",
                format!("Signed in from {device}."),
                Some("/account/security"),
            );
        state.notifier.send(conn, &recipient(user), &notice, now)?;
    }
    Ok(Started {
        token,
        csrf_token,
        new_device_token,
    })
}

/// "Dec 1, 2026 10:00 EST": an instant as the person reads it, in their own time zone.
fn local_time(at: DateTime<Utc>, timezone: &str) -> String {
    let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    at.with_timezone(&zone)
        .format("%b %-d, %Y %H:%M %Z")
        .to_string()
}

pub fn recipient(user: &User) -> Recipient<'_> {
    Recipient {
        user_id: &user.id,
        email: &user.email,
        name: &user.full_name,
    }
}

/// `Set-Cookie` values for a started session.
pub fn cookies_for(state: &AppState, started: &Started) -> Vec<HeaderValue> {
    let secure = state.config.public_url_is_https();
    let lifetime = state.config.auth.session_lifetime.chrono().num_seconds();
    let mut out = vec![cookies::set(
        SESSION_COOKIE,
        &started.token,
        lifetime,
        secure,
    )];
    if let Some(device) = &started.new_device_token {
        out.push(cookies::set(
            DEVICE_COOKIE,
            device,
            DEVICE_COOKIE_SECS,
            secure,
        ));
    }
    out
}

pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    cookies::set(SESSION_COOKIE, "", 0, state.config.public_url_is_https())
}

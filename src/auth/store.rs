//! SQL for accounts: users, sessions, API tokens, one-time tokens, backup codes, devices.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Role, Status, User};

const USER_COLUMNS: &str = "id, email, password_hash, full_name, role, timezone, status, email_verified_at, \
                            totp_secret, two_factor_enabled_at, totp_last_step, created_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(4)?;
    let status: String = r.get(6)?;
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        password_hash: r.get(2)?,
        full_name: r.get(3)?,
        role: Role::parse(&role).unwrap_or(Role::Student),
        timezone: r.get(5)?,
        status: Status::parse(&status),
        email_verified_at: r.get(7)?,
        totp_secret: r.get(8)?,
        two_factor_enabled_at: r.get(9)?,
        totp_last_step: r.get(10)?,
        created_at: r.get(11)?,
    })
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub verified: bool,
}

/// Inserts the user; `Ok(false)` when the email is taken.
pub fn insert_user(conn: &Connection, user: &NewUser<'_>, now: i64) -> rusqlite::Result<bool> {
    let inserted = conn.execute(
        "INSERT INTO users (id, email, password_hash, full_name, role, email_verified_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (email) DO NOTHING",
        params![user.id, user.email, user.password_hash, user.full_name, user.role.as_str(), user.verified.then_some(now), now],
    )?;
    Ok(inserted == 1)
}

pub fn user_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1");
    conn.prepare_cached(&sql)?
        .query_row([email], user_from_row)
        .optional()
}

pub fn user_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([id], user_from_row)
        .optional()
}

pub fn set_password(
    conn: &Connection,
    user_id: &str,
    hash: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
        params![user_id, hash, now],
    )?;
    Ok(())
}

pub fn set_status(
    conn: &Connection,
    user_id: &str,
    status: Status,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![user_id, status.as_str(), now],
    )?;
    Ok(())
}

pub fn mark_verified(conn: &Connection, user_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?2), updated_at = ?2 WHERE id = ?1",
        params![user_id, now],
    )?;
    Ok(())
}

pub fn update_profile(
    conn: &Connection,
    user_id: &str,
    full_name: &str,
    timezone: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET full_name = ?2, timezone = ?3, updated_at = ?4 WHERE id = ?1",
        params![user_id, full_name, timezone, now],
    )?;
    Ok(())
}

/// Two-factor state: a pending secret, an enabled one, or none.
pub fn set_totp(
    conn: &Connection,
    user_id: &str,
    secret: Option<&str>,
    enabled_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET totp_secret = ?2, two_factor_enabled_at = ?3, totp_last_step = NULL, updated_at = ?4
         WHERE id = ?1",
        params![user_id, secret, enabled_at, now],
    )?;
    Ok(())
}

/// Records `step` as used; false when it (or a later one) was already used: a replayed code.
pub fn use_totp_step(conn: &Connection, user_id: &str, step: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
        params![user_id, step],
    )?;
    Ok(changed == 1)
}

/// Replaces personal data with placeholders; financial rows elsewhere keep the id.
pub fn anonymise(conn: &Connection, user_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', password_hash = '',
                full_name = 'Deleted user', status = 'deleted', totp_secret = NULL,
                two_factor_enabled_at = NULL, totp_last_step = NULL, updated_at = ?2
         WHERE id = ?1",
        params![user_id, now],
    )?;
    for table in [
        "sessions",
        "api_tokens",
        "one_time_tokens",
        "backup_codes",
        "devices",
    ] {
        conn.execute(
            &format!("DELETE FROM {table} WHERE user_id = ?1"),
            [user_id],
        )?;
    }
    Ok(())
}

// --- sessions ---------------------------------------------------------------------------

pub struct NewSession<'a> {
    pub id: &'a str,
    pub token_hash: &'a [u8],
    pub user_id: &'a str,
    pub csrf_token: &'a str,
    pub user_agent: &'a str,
    pub expires_at: i64,
}

pub fn insert_session(conn: &Connection, s: &NewSession<'_>, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (id, token_hash, user_id, csrf_token, user_agent, created_at, last_seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        params![s.id, s.token_hash, s.user_id, s.csrf_token, s.user_agent, now, s.expires_at],
    )?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub user_agent: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        csrf_token: r.get(2)?,
        user_agent: r.get(3)?,
        created_at: r.get(4)?,
        last_seen_at: r.get(5)?,
        expires_at: r.get(6)?,
    })
}

const SESSION_COLUMNS: &str =
    "id, user_id, csrf_token, user_agent, created_at, last_seen_at, expires_at";

pub fn session_by_token(
    conn: &Connection,
    token_hash: &[u8],
) -> rusqlite::Result<Option<SessionRow>> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?1");
    conn.prepare_cached(&sql)?
        .query_row([token_hash], session_from_row)
        .optional()
}

pub fn sessions_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<SessionRow>> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ?1 ORDER BY last_seen_at DESC"
    );
    conn.prepare_cached(&sql)?
        .query_map([user_id], session_from_row)?
        .collect()
}

pub fn touch_session(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Deletes one session of `user_id`; false when there was none (or it is someone else's).
pub fn delete_session(conn: &Connection, user_id: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )? == 1)
}

/// Deletes every session of the user except `keep`.
pub fn delete_sessions_except(
    conn: &Connection,
    user_id: &str,
    keep: Option<&str>,
) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR id <> ?2)",
        params![user_id, keep],
    )
}

// --- API tokens ------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn token_from_row(r: &Row<'_>) -> rusqlite::Result<ApiTokenRow> {
    Ok(ApiTokenRow {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        last_used_at: r.get(4)?,
    })
}

pub fn insert_api_token(
    conn: &Connection,
    id: &str,
    user_id: &str,
    name: &str,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, user_id, name, hash, now],
    )?;
    Ok(())
}

pub fn api_token_by_hash(conn: &Connection, hash: &[u8]) -> rusqlite::Result<Option<ApiTokenRow>> {
    conn.prepare_cached(
        "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE token_hash = ?1",
    )?
    .query_row([hash], token_from_row)
    .optional()
}

pub fn api_tokens_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<ApiTokenRow>> {
    conn.prepare_cached(
        "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ?1 ORDER BY created_at DESC",
    )?
    .query_map([user_id], token_from_row)?
    .collect()
}

pub fn touch_api_token(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

pub fn delete_api_token(conn: &Connection, user_id: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM api_tokens WHERE id = ?1 AND user_id = ?2",
        params![id, user_id],
    )? == 1)
}

// --- one-time tokens ---------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
    LoginChallenge,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::LoginChallenge => "login_challenge",
        }
    }
}

pub fn insert_one_time(
    conn: &Connection,
    hash: &[u8],
    user_id: &str,
    purpose: Purpose,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO one_time_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, user_id, purpose.as_str(), now, expires_at],
    )?;
    Ok(())
}

pub struct OneTime {
    pub user_id: String,
    pub attempts: i64,
}

/// The unexpired, unused token of `purpose`, if any.
pub fn live_one_time(
    conn: &Connection,
    hash: &[u8],
    purpose: Purpose,
    now: i64,
) -> rusqlite::Result<Option<OneTime>> {
    conn.query_row(
        "SELECT user_id, attempts FROM one_time_tokens
         WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3",
        params![hash, purpose.as_str(), now],
        |r| {
            Ok(OneTime {
                user_id: r.get(0)?,
                attempts: r.get(1)?,
            })
        },
    )
    .optional()
}

/// Marks the token used; false when it already was (a concurrent second use).
pub fn use_one_time(conn: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE one_time_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
        params![hash, now],
    )? == 1)
}

pub fn count_one_time_attempt(conn: &Connection, hash: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE one_time_tokens SET attempts = attempts + 1 WHERE token_hash = ?1",
        [hash],
    )?;
    Ok(())
}

/// Retires every live token of `purpose` for the user (a new reset link voids the old ones).
pub fn retire_one_time(
    conn: &Connection,
    user_id: &str,
    purpose: Purpose,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE one_time_tokens SET used_at = ?3 WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL",
        params![user_id, purpose.as_str(), now],
    )?;
    Ok(())
}

// --- backup codes ------------------------------------------------------------------------

pub fn replace_backup_codes(
    conn: &Connection,
    user_id: &str,
    hashes: &[Vec<u8>],
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM backup_codes WHERE user_id = ?1", [user_id])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO backup_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for hash in hashes {
        insert.execute(params![user_id, hash])?;
    }
    Ok(())
}

/// Spends a backup code; false when it does not exist or was used.
pub fn use_backup_code(
    conn: &Connection,
    user_id: &str,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE backup_codes SET used_at = ?3 WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        params![user_id, hash, now],
    )? == 1)
}

// --- devices -------------------------------------------------------------------------------

/// Records a sign-in from the device; true when the user had never used it before.
pub fn see_device(
    conn: &Connection,
    user_id: &str,
    device_hash: &[u8],
    user_agent: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let known: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM devices WHERE user_id = ?1 AND device_hash = ?2)",
        params![user_id, device_hash],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO devices (user_id, device_hash, user_agent, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        params![user_id, device_hash, user_agent, now],
    )?;
    Ok(!known)
}

pub fn trust_device(
    conn: &Connection,
    user_id: &str,
    device_hash: &[u8],
    until: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE devices SET trusted_until = ?3 WHERE user_id = ?1 AND device_hash = ?2",
        params![user_id, device_hash, until],
    )?;
    Ok(())
}

pub fn device_trusted(
    conn: &Connection,
    user_id: &str,
    device_hash: &[u8],
    now: i64,
) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM devices WHERE user_id = ?1 AND device_hash = ?2 AND trusted_until > ?3)",
        params![user_id, device_hash, now],
        |r| r.get(0),
    )
}

pub fn forget_trusted_devices(conn: &Connection, user_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE devices SET trusted_until = NULL WHERE user_id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// Every active admin (for operational alerts).
pub fn admins(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users WHERE role = 'admin' AND status = 'active'");
    conn.prepare_cached(&sql)?
        .query_map([], user_from_row)?
        .collect()
}

//! The ways in to an account, as its owner manages them: sessions and personal API tokens.

use serde::Serialize;
use utoipa::ToSchema;

use super::extract::CurrentUser;
use super::{secrets, store};
use crate::app::AppState;
use crate::common::time::{from_db, rfc3339, to_db};
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub user_agent: String,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub id: String,
    pub name: String,
    /// Shown once; only its hash is kept.
    pub token: String,
}

pub async fn sessions(state: &AppState, current: &CurrentUser) -> AppResult<Vec<SessionView>> {
    let user_id = current.user.id.clone();
    let rows = state
        .db
        .read(move |c| Ok(store::sessions_of(c, &user_id)?))
        .await?;
    let now = to_db(state.clock.now());
    let idle = state.config.auth.session_idle.chrono().num_seconds();
    Ok(rows
        .into_iter()
        .filter(|s| s.expires_at > now && now - s.last_seen_at < idle)
        .map(|s| SessionView {
            current: current.session_id.as_deref() == Some(s.id.as_str()),
            id: s.id,
            created_at: rfc3339(from_db(s.created_at)),
            last_seen_at: rfc3339(from_db(s.last_seen_at)),
            user_agent: s.user_agent,
        })
        .collect())
}

/// Ends one of the caller's sessions; someone else's is a 404, like one that does not exist.
pub async fn end_session(state: &AppState, current: &CurrentUser, id: String) -> AppResult<()> {
    let user_id = current.user.id.clone();
    let ended = state
        .db
        .write(move |tx| Ok(store::delete_session(tx, &user_id, &id)?))
        .await?;
    if ended {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// Ends every session of the caller, this one included ("sign out everywhere").
pub async fn end_all_sessions(state: &AppState, current: &CurrentUser) -> AppResult<()> {
    let user_id = current.user.id.clone();
    state
        .db
        .write(move |tx| Ok(store::delete_sessions_except(tx, &user_id, None)?))
        .await?;
    Ok(())
}

pub async fn create_token(
    state: &AppState,
    current: &CurrentUser,
    name: &str,
) -> AppResult<NewToken> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "request.invalid_field",
            "name",
            "must be 1 to 100 characters",
        ));
    }
    let token = format!("ii_{}", secrets::random_token());
    let id = secrets::new_id();
    let (user_id, hash, now) = (
        current.user.id.clone(),
        secrets::hash(&token),
        to_db(state.clock.now()),
    );
    let (row_id, row_name) = (id.clone(), name.clone());
    state
        .db
        .write(move |tx| {
            Ok(store::insert_api_token(
                tx, &row_id, &user_id, &row_name, &hash, now,
            )?)
        })
        .await?;
    Ok(NewToken { id, name, token })
}

pub async fn tokens(state: &AppState, current: &CurrentUser) -> AppResult<Vec<TokenView>> {
    let user_id = current.user.id.clone();
    let rows = state
        .db
        .read(move |c| Ok(store::api_tokens_of(c, &user_id)?))
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created_at: rfc3339(from_db(t.created_at)),
            last_used_at: t.last_used_at.map(|at| rfc3339(from_db(at))),
        })
        .collect())
}

pub async fn revoke_token(state: &AppState, current: &CurrentUser, id: String) -> AppResult<()> {
    let user_id = current.user.id.clone();
    let revoked = state
        .db
        .write(move |tx| Ok(store::delete_api_token(tx, &user_id, &id)?))
        .await?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

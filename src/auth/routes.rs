//! HTTP endpoints under `/api/v1/auth`: thin handlers over the auth services.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::{self, NewToken, SessionView, TokenView};
use super::extract::{Client, CurrentUser};
use super::login::{self, Outcome, SecondFactor};
use super::model::{Role, User, UserView};
use super::session::{self, Started};
use super::signup::{self, SignupInput};
use super::{recovery, two_factor};
use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(log_in))
        .routes(routes!(log_in_second_factor))
        .routes(routes!(log_out))
        .routes(routes!(log_out_everywhere))
        .routes(routes!(me))
        .routes(routes!(verify_email))
        .routes(routes!(resend_verification))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
        .routes(routes!(change_password))
        .routes(routes!(setup_two_factor))
        .routes(routes!(enable_two_factor))
        .routes(routes!(disable_two_factor))
        .routes(routes!(regenerate_backup_codes))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    email: String,
    password: String,
    full_name: String,
    role: Role,
    /// The person's IANA time zone (browsers send theirs); the operator's default otherwise.
    timezone: Option<String>,
    /// Attribution arrives with referrals; accepted now so clients need not change.
    #[allow(dead_code)]
    referral_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    user: UserView,
    /// Send as `X-CSRF-Token` on unsafe requests authenticated by the session cookie.
    csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorRequired {
    two_factor_required: bool,
    /// Pass to `POST /api/v1/auth/login/2fa` with the code.
    challenge: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SecondFactorRequest {
    challenge: String,
    code: Option<String>,
    backup_code: Option<String>,
    #[serde(default)]
    trust_device: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    user: UserView,
    csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    user: UserView,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetConfirmRequest {
    token: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TwoFactorSetup {
    /// Base32 secret for manual entry.
    secret: String,
    otpauth_uri: String,
    /// PNG QR code of the otpauth URI.
    qr_png_base64: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DisableRequest {
    password: String,
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct BackupCodes {
    /// Each works once; shown only now.
    backup_codes: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateTokenRequest {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    items: Vec<T>,
}

/// The response of a sign-in: the user, the CSRF token, and the cookies.
fn signed_in(state: &AppState, status: StatusCode, user: &User, started: &Started) -> Response {
    let cookies = session::cookies_for(state, started)
        .into_iter()
        .map(|value| (header::SET_COOKIE, value));
    let body = SessionResponse {
        user: user.view(),
        csrf_token: started.csrf_token.clone(),
    };
    (status, AppendHeaders(cookies), Json(body)).into_response()
}

/// 204 with the session cookie cleared: the answer to every way of signing out.
pub fn signed_out(state: &AppState) -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session::clear_session_cookie(state))],
    )
        .into_response()
}

fn ok() -> Json<serde_json::Value> {
    Json(serde_json::json!({"ok": true}))
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SessionResponse), (status = 409, description = "auth.email_taken"),
              (status = 422, description = "auth.weak_password, auth.invalid_email"), (status = 429, description = "rate_limited")))]
async fn sign_up(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<SignupRequest>,
) -> AppResult<Response> {
    let input = SignupInput {
        email: body.email,
        password: body.password,
        full_name: body.full_name,
        role: body.role,
        timezone: body.timezone,
    };
    let (user, started) = signup::sign_up(&state, &client, input).await?;
    Ok(signed_in(&state, StatusCode::CREATED, &user, &started))
}

/// Sign in with email and password; answers with a challenge when the second factor is due.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionResponse), (status = 200, body = TwoFactorRequired),
              (status = 401, description = "auth.invalid_credentials"), (status = 429, description = "auth.locked")))]
async fn log_in(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<LoginRequest>,
) -> AppResult<Response> {
    match login::with_password(&state, &client, &body.email, body.password).await? {
        Outcome::SignedIn(done) => Ok(signed_in(&state, StatusCode::OK, &done.0, &done.1)),
        Outcome::SecondFactor { challenge } => Ok(Json(TwoFactorRequired {
            two_factor_required: true,
            challenge,
        })
        .into_response()),
    }
}

/// Second sign-in step: a TOTP `code` or a `backup_code`.
#[utoipa::path(post, path = "/api/v1/auth/login/2fa", tag = "auth", request_body = SecondFactorRequest,
    responses((status = 200, body = SessionResponse), (status = 401, description = "auth.invalid_code, auth.challenge_expired")))]
async fn log_in_second_factor(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<SecondFactorRequest>,
) -> AppResult<Response> {
    let factor = match (body.code, body.backup_code) {
        (Some(code), None) => SecondFactor::Code(code),
        (None, Some(code)) => SecondFactor::BackupCode(code),
        _ => {
            return Err(AppError::invalid(
                "request.invalid_field",
                "code",
                "give either code or backup_code",
            ));
        }
    };
    let (user, started) =
        login::with_second_factor(&state, &client, &body.challenge, factor, body.trust_device)
            .await?;
    Ok(signed_in(&state, StatusCode::OK, &user, &started))
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn log_out(State(state): State<AppState>, current: CurrentUser) -> AppResult<Response> {
    if let Some(id) = current.session_id.clone() {
        access::end_session(&state, &current, id).await?;
    }
    Ok(signed_out(&state))
}

/// End every session of this account, this one included.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", responses((status = 204)))]
async fn log_out_everywhere(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Response> {
    access::end_all_sessions(&state, &current).await?;
    Ok(signed_out(&state))
}

/// The signed-in user and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, description = "auth.unauthenticated")))]
async fn me(current: CurrentUser) -> Json<Me> {
    Json(Me {
        user: current.user.view(),
        csrf_token: current.csrf_token,
    })
}

/// Confirm the email address with the token from the verification email.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = UserResponse), (status = 422, description = "auth.invalid_token")))]
async fn verify_email(
    State(state): State<AppState>,
    Json(body): Json<TokenRequest>,
) -> AppResult<Json<UserResponse>> {
    let user = recovery::verify_email(&state, &body.token).await?;
    Ok(Json(UserResponse { user: user.view() }))
}

/// Send the verification email again.
#[utoipa::path(post, path = "/api/v1/auth/verify-email/resend", tag = "auth",
    responses((status = 202), (status = 429, description = "rate_limited")))]
async fn resend_verification(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<StatusCode> {
    recovery::resend_verification(&state, &current).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Email a password reset link. Always 202: the answer never tells whether the email exists.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = EmailRequest,
    responses((status = 202), (status = 429, description = "rate_limited")))]
async fn request_password_reset(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<EmailRequest>,
) -> AppResult<StatusCode> {
    recovery::request_reset(&state, &client, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with the emailed token (single use, 1 hour). Signs out every session.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirmRequest,
    responses((status = 200), (status = 422, description = "auth.invalid_token, auth.weak_password")))]
async fn confirm_password_reset(
    State(state): State<AppState>,
    Json(body): Json<ResetConfirmRequest>,
) -> AppResult<Json<serde_json::Value>> {
    recovery::confirm_reset(&state, &body.token, body.password).await?;
    Ok(ok())
}

/// Change the password; other sessions are signed out.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 200), (status = 422, description = "auth.wrong_password, auth.weak_password")))]
async fn change_password(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<ChangePasswordRequest>,
) -> AppResult<Json<serde_json::Value>> {
    recovery::change_password(&state, &current, body.current_password, body.new_password).await?;
    Ok(ok())
}

/// Start two-factor enrolment: a new secret, its otpauth URI and a QR code.
#[utoipa::path(post, path = "/api/v1/auth/2fa/setup", tag = "auth",
    responses((status = 200, body = TwoFactorSetup), (status = 409, description = "auth.two_factor_enabled")))]
async fn setup_two_factor(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<TwoFactorSetup>> {
    let e = two_factor::setup(&state, &current).await?;
    Ok(Json(TwoFactorSetup {
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
        qr_png_base64: e.qr_png_base64,
    }))
}

/// Turn two-factor on with a code from the app; returns 10 single-use backup codes.
#[utoipa::path(post, path = "/api/v1/auth/2fa/enable", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = BackupCodes), (status = 422, description = "auth.invalid_code")))]
async fn enable_two_factor(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<CodeRequest>,
) -> AppResult<Json<BackupCodes>> {
    let backup_codes = two_factor::enable(&state, &current, body.code).await?;
    Ok(Json(BackupCodes { backup_codes }))
}

/// Turn two-factor off (password and a current or backup code).
#[utoipa::path(post, path = "/api/v1/auth/2fa/disable", tag = "auth", request_body = DisableRequest,
    responses((status = 200), (status = 422, description = "auth.wrong_password, auth.invalid_code")))]
async fn disable_two_factor(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<DisableRequest>,
) -> AppResult<Json<serde_json::Value>> {
    two_factor::disable(&state, &current, body.password, body.code).await?;
    Ok(ok())
}

/// Replace the backup codes (a current code is required).
#[utoipa::path(post, path = "/api/v1/auth/2fa/backup-codes", tag = "auth", request_body = CodeRequest,
    responses((status = 200, body = BackupCodes), (status = 422, description = "auth.invalid_code")))]
async fn regenerate_backup_codes(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<CodeRequest>,
) -> AppResult<Json<BackupCodes>> {
    let backup_codes = two_factor::regenerate_backup_codes(&state, &current, body.code).await?;
    Ok(Json(BackupCodes { backup_codes }))
}

/// Active sessions of this account.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", responses((status = 200, body = Items<SessionView>)))]
async fn list_sessions(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<Items<SessionView>>> {
    Ok(Json(Items {
        items: access::sessions(&state, &current).await?,
    }))
}

/// Sign one session out.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "session id")), responses((status = 204), (status = 404)))]
async fn end_session(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    access::end_session(&state, &current, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create a personal API token (use as `Authorization: Bearer <token>`; no CSRF header needed).
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", request_body = CreateTokenRequest,
    responses((status = 201, body = NewToken)))]
async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(body): Json<CreateTokenRequest>,
) -> AppResult<(StatusCode, Json<NewToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(access::create_token(&state, &current, &body.name).await?),
    ))
}

/// Personal API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", responses((status = 200, body = Items<TokenView>)))]
async fn list_tokens(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Json<Items<TokenView>>> {
    Ok(Json(Items {
        items: access::tokens(&state, &current).await?,
    }))
}

/// Revoke a personal API token.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = String, Path, description = "token id")), responses((status = 204), (status = 404)))]
async fn revoke_token(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    access::revoke_token(&state, &current, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

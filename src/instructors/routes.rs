//! The instructor's own endpoints (`/api/v1/instructor/...`), the public ones, admin reviews of
//! background checks, and the photo files.

use axum::Router;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::media::{self, Crop};
use super::offerings::{self, OfferingInput, OfferingView};
use super::profile::{self, BackgroundCheckView, OwnProfile, ProfileInput};
use super::{background, public, store};
use crate::app::AppState;
use crate::auth::Instructor;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload_photo))
        .routes(routes!(upload_background_check))
        .layer(DefaultBodyLimit::max(media::MAX_UPLOAD_BYTES + 512 * 1024));
    OpenApiRouter::new()
        .routes(routes!(get_profile, put_profile))
        .routes(routes!(get_services, put_services))
        .routes(routes!(payouts_onboarding))
        .routes(routes!(payouts_dashboard))
        .routes(routes!(go_live))
        .merge(uploads)
        .merge(public::routes())
        .merge(background::admin_routes())
}

/// Photo files, outside the API: versioned names, so cached for good.
pub fn media_routes() -> Router<AppState> {
    Router::new().route("/media/photos/{name}", get(photo_file))
}

#[derive(Deserialize, ToSchema)]
pub struct ServicesInput {
    services: Vec<OfferingInput>,
}

#[derive(Serialize, ToSchema)]
pub struct ServicesView {
    services: Vec<OfferingView>,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoUploaded {
    photo_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct BackgroundSubmitted {
    background_check: BackgroundCheckView,
}

#[derive(Serialize, ToSchema)]
pub struct OnboardingLink {
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct Live {
    live: bool,
}

/// The instructor's own profile, with what still blocks going live.
#[utoipa::path(get, path = "/api/v1/instructor/profile", tag = "instructor", responses((status = 200, body = OwnProfile)))]
async fn get_profile(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<OwnProfile>> {
    let row = profile::own(&state, &me.user.id).await?;
    Ok(Json(profile::view(&state, row).await?))
}

/// Edit the profile.
#[utoipa::path(put, path = "/api/v1/instructor/profile", tag = "instructor", request_body = ProfileInput,
    responses((status = 200, body = OwnProfile), (status = 422, description = "a field is invalid")))]
async fn put_profile(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    Json(body): Json<ProfileInput>,
) -> AppResult<Json<OwnProfile>> {
    let row = profile::update(&state, &me.user.id, body).await?;
    Ok(Json(profile::view(&state, row).await?))
}

/// The services offered.
#[utoipa::path(get, path = "/api/v1/instructor/services", tag = "instructor", responses((status = 200, body = ServicesView)))]
async fn get_services(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<ServicesView>> {
    let id = me.user.id.clone();
    let rows = state
        .db
        .read(move |c| Ok(store::offerings_of(c, &id)?))
        .await?;
    let catalog = state.catalog.get();
    Ok(Json(ServicesView {
        services: rows.iter().map(|o| offerings::view(&catalog, o)).collect(),
    }))
}

/// Replace the services offered (rates per format, floors and cap enforced).
#[utoipa::path(put, path = "/api/v1/instructor/services", tag = "instructor", request_body = ServicesInput,
    responses((status = 200, body = ServicesView),
              (status = 422, description = "instructor.rate_below_floor, instructor.rate_above_cap, instructor.online_not_offered")))]
async fn put_services(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    Json(body): Json<ServicesInput>,
) -> AppResult<Json<ServicesView>> {
    let rows = offerings::replace(&state, &me.user.id, body.services).await?;
    let catalog = state.catalog.get();
    Ok(Json(ServicesView {
        services: rows.iter().map(|o| offerings::view(&catalog, o)).collect(),
    }))
}

fn multipart_error(rejection: MultipartRejection) -> AppError {
    AppError::new(
        ErrorKind::UnsupportedMediaType,
        "request.unsupported_media_type",
        rejection.body_text(),
    )
    .with_field("Content-Type", "must be multipart/form-data")
}

/// The `file` part and the other (small, text) parts of an upload.
async fn read_upload(mut multipart: Multipart) -> AppResult<(Vec<u8>, Vec<(String, String)>)> {
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| media::too_large())?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let bytes = field.bytes().await.map_err(|_| media::too_large())?;
            file = Some(bytes.to_vec());
        } else {
            let text = field
                .text()
                .await
                .map_err(|_| AppError::invalid("request.invalid_field", &name, "is not text"))?;
            fields.push((name, text));
        }
    }
    let file =
        file.ok_or_else(|| AppError::invalid("request.invalid_field", "file", "is required"))?;
    Ok((file, fields))
}

fn crop_from(fields: &[(String, String)]) -> AppResult<Option<Crop>> {
    let get = |key: &str| -> AppResult<Option<u32>> {
        match fields.iter().find(|(k, _)| k == key) {
            Some((_, v)) => {
                let n = v.trim().parse::<f64>().map_err(|_| {
                    AppError::invalid("media.bad_crop", key, "must be a number of pixels")
                })?;
                if !(0.0..=f64::from(u32::MAX)).contains(&n) {
                    return Err(AppError::invalid(
                        "media.bad_crop",
                        key,
                        "must be a number of pixels",
                    ));
                }
                Ok(Some(n.round() as u32))
            }
            None => Ok(None),
        }
    };
    match (get("crop_x")?, get("crop_y")?, get("crop_size")?) {
        (Some(x), Some(y), Some(size)) => Ok(Some(Crop { x, y, size })),
        (None, None, None) => Ok(None),
        _ => Err(AppError::invalid(
            "media.bad_crop",
            "crop_size",
            "send crop_x, crop_y and crop_size together",
        )),
    }
}

/// Upload a profile photo (JPEG, PNG or WebP up to 10 MB) with an optional square crop.
#[utoipa::path(post, path = "/api/v1/instructor/photo", tag = "instructor",
    request_body(content_type = "multipart/form-data", description = "file, crop_x, crop_y, crop_size"),
    responses((status = 200, body = PhotoUploaded), (status = 422, description = "media.unsupported_type, media.too_large, media.bad_crop")))]
async fn upload_photo(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<PhotoUploaded>> {
    let (bytes, fields) = read_upload(multipart.map_err(multipart_error)?).await?;
    let crop = crop_from(&fields)?;
    profile::own(&state, &me.user.id).await?;
    let sizes = tokio::task::spawn_blocking(move || media::process_photo(&bytes, crop))
        .await
        .map_err(AppError::internal)??;
    let key = format!(
        "{}-{}",
        me.user.id,
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let dir = media::photos_dir(state.config.data_dir());
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;
    for (side, jpeg) in &sizes {
        tokio::fs::write(dir.join(format!("{key}-{side}.jpg")), jpeg)
            .await
            .map_err(AppError::internal)?;
    }
    let (id, stored, now) = (me.user.id.clone(), key.clone(), to_db(state.clock.now()));
    let old = state
        .db
        .write(move |tx| Ok(store::set_photo(tx, &id, &stored, now)?))
        .await?;
    if let Some(old) = old {
        for side in media::PHOTO_SIZES {
            let _ = tokio::fs::remove_file(dir.join(format!("{old}-{side}.jpg"))).await;
        }
    }
    Ok(Json(PhotoUploaded {
        photo_url: media::photo_url(&key, 400),
    }))
}

/// Upload the background-check document (PDF, JPEG or PNG up to 10 MB): the check is pending
/// until an admin reviews it.
#[utoipa::path(post, path = "/api/v1/instructor/background-check", tag = "instructor",
    request_body(content_type = "multipart/form-data", description = "file"),
    responses((status = 200, body = BackgroundSubmitted), (status = 422, description = "media.unsupported_type, media.too_large")))]
async fn upload_background_check(
    State(state): State<AppState>,
    Instructor(me): Instructor,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<BackgroundSubmitted>> {
    let (bytes, _) = read_upload(multipart.map_err(multipart_error)?).await?;
    background::submit(&state, &me.user.id, bytes).await?;
    let view = profile::view(&state, profile::own(&state, &me.user.id).await?).await?;
    Ok(Json(BackgroundSubmitted {
        background_check: view.background_check,
    }))
}

/// Start payouts onboarding; returns where to send the instructor (the simulated provider
/// completes at once).
#[utoipa::path(post, path = "/api/v1/instructor/payouts/onboarding", tag = "instructor",
    responses((status = 200, body = OnboardingLink)))]
async fn payouts_onboarding(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<OnboardingLink>> {
    profile::own(&state, &me.user.id).await?;
    let id = me.user.id.clone();
    let (existing, status_now) = state
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT payouts_account, payouts_status FROM instructor_profiles WHERE user_id = ?1",
                [&id],
                |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?)),
            )?)
        })
        .await?;
    let return_url = format!("{}/instructor/onboarding", state.config.server.public_url);
    let onboarding = state
        .payments
        .connect_onboarding(
            &me.user.id,
            existing.as_deref(),
            &me.user.email,
            &return_url,
        )
        .await
        .map_err(|err| {
            AppError::new(
                crate::error::ErrorKind::Unavailable,
                "payments.onboarding_unavailable",
                format!("Payouts setup could not start: {err}"),
            )
        })?;
    // Readiness only moves forward here; Stripe reports it with account.updated.
    let status = if onboarding.complete || status_now == "complete" {
        "complete"
    } else {
        "pending"
    };
    let (id, account, now) = (
        me.user.id.clone(),
        onboarding.account_id.clone(),
        to_db(state.clock.now()),
    );
    state
        .db
        .write(move |tx| Ok(store::set_payouts(tx, &id, status, &account, now)?))
        .await?;
    Ok(Json(OnboardingLink {
        url: onboarding.url,
    }))
}

/// A link to the instructor's payouts dashboard (Stripe Express; the earnings page offline).
#[utoipa::path(post, path = "/api/v1/instructor/payouts/dashboard", tag = "instructor",
    responses((status = 200, body = OnboardingLink), (status = 422, description = "payouts.not_set_up")))]
async fn payouts_dashboard(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<OnboardingLink>> {
    let id = me.user.id.clone();
    let account = state
        .db
        .read(move |c| Ok(store::payouts_account(c, &id)?))
        .await?
        .ok_or_else(|| {
            AppError::invalid("payouts.not_set_up", "payouts", "set up payouts first")
        })?;
    let url = state
        .payments
        .dashboard_link(&account)
        .await
        .map_err(|err| {
            AppError::new(
                crate::error::ErrorKind::Unavailable,
                "payments.dashboard_unavailable",
                format!("The payouts dashboard could not be opened: {err}"),
            )
        })?;
    Ok(Json(OnboardingLink { url }))
}

/// Go live: 422 `instructor.not_ready` with `missing` until everything is in place.
#[utoipa::path(post, path = "/api/v1/instructor/go-live", tag = "instructor",
    responses((status = 200, body = Live), (status = 422, description = "instructor.not_ready, with missing")))]
async fn go_live(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<Live>> {
    profile::go_live(&state, &me.user.id).await?;
    Ok(Json(Live { live: true }))
}

async fn photo_file(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if !media::is_photo_name(&name) {
        return AppError::not_found().into_response();
    }
    match tokio::fs::read(media::photos_dir(state.config.data_dir()).join(&name)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(_) => AppError::not_found().into_response(),
    }
}

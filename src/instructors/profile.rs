//! The instructor's own profile: reading it (created on first use), editing it, what still
//! blocks going live, and going live.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, ProfileRow};
use crate::app::AppState;
use crate::availability;
use crate::common::time::{from_db, rfc3339, to_db};
use crate::error::{AppError, AppResult};
use crate::users::parse_timezone;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct TeachingLocation {
    /// The studio address: private, never shown publicly.
    pub address: String,
    pub lat: f64,
    pub lng: f64,
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileInput {
    pub bio: String,
    pub years_experience: i64,
    pub languages: Vec<String>,
    pub timezone: String,
    /// Area slugs from `GET /api/v1/areas`.
    pub service_areas: Vec<String>,
    pub meeting_url: Option<String>,
    pub teaching_location: Option<TeachingLocation>,
}

#[derive(Serialize, ToSchema)]
pub struct BackgroundCheckView {
    /// none, pending, passed or failed.
    pub status: String,
    pub expires_at: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OwnProfile {
    pub bio: String,
    pub years_experience: i64,
    pub languages: Vec<String>,
    pub timezone: String,
    pub service_areas: Vec<String>,
    pub meeting_url: Option<String>,
    pub teaching_location: Option<TeachingLocation>,
    pub photo_url: Option<String>,
    pub live: bool,
    /// none or complete.
    pub payouts_status: String,
    pub background_check: BackgroundCheckView,
    /// What still blocks going live: photo, bio, services, availability, payouts,
    /// background_check, service_area.
    pub missing: Vec<String>,
}

/// The profile row, created from the account on first use.
pub async fn own(state: &AppState, user_id: &str) -> AppResult<ProfileRow> {
    let id = user_id.to_string();
    if let Some(row) = state.db.read(move |c| Ok(store::profile(c, &id)?)).await? {
        return Ok(row);
    }
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| {
            store::ensure_profile(tx, &id, now)?;
            store::profile(tx, &id)?.ok_or_else(AppError::not_found)
        })
        .await
}

/// What still blocks going live.
pub async fn missing(state: &AppState, row: &ProfileRow) -> AppResult<Vec<String>> {
    Ok(readiness(state, row).await?.0)
}

/// What still blocks going live, and the service areas read on the way (the profile view
/// shows them, so it need not read them again).
async fn readiness(state: &AppState, row: &ProfileRow) -> AppResult<(Vec<String>, Vec<String>)> {
    let id = row.user_id.clone();
    let timezone = row.timezone.clone();
    let (areas, offerings, has_windows) = state
        .db
        .read(move |c| {
            let (doc, _) = availability::store::load(c, &id, &timezone)?;
            Ok((
                store::areas_of(c, &id)?,
                store::offerings_of(c, &id)?,
                doc.has_windows(),
            ))
        })
        .await?;
    let now = to_db(state.clock.now());
    let background_ok = !state.config.market.background_check_required
        || (row.background_status == "passed"
            && row.background_expires_at.is_some_and(|at| at > now));
    let checks = [
        ("photo", row.photo_key.is_some()),
        ("bio", row.bio.chars().count() >= 10),
        ("services", !offerings.is_empty()),
        ("availability", has_windows),
        ("payouts", row.payouts_status == "complete"),
        ("background_check", background_ok),
        (
            "service_area",
            !areas.is_empty() || offerings.iter().all(|o| o.travel.is_none()),
        ),
    ];
    let missing = checks
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(code, _)| (*code).to_string())
        .collect();
    Ok((missing, areas))
}

pub async fn view(state: &AppState, row: ProfileRow) -> AppResult<OwnProfile> {
    let (missing, service_areas) = readiness(state, &row).await?;
    let teaching_location = match (&row.studio_address, row.studio_lat, row.studio_lng) {
        (Some(address), Some(lat), Some(lng)) => Some(TeachingLocation {
            address: address.clone(),
            lat,
            lng,
        }),
        _ => None,
    };
    Ok(OwnProfile {
        bio: row.bio,
        years_experience: row.years_experience,
        languages: row.languages,
        timezone: row.timezone,
        service_areas,
        meeting_url: row.meeting_url,
        teaching_location,
        photo_url: row.photo_key.map(|k| super::media::photo_url(&k, 400)),
        live: row.live,
        payouts_status: if row.payouts_status == "complete" {
            "complete".into()
        } else {
            "none".into()
        },
        background_check: BackgroundCheckView {
            status: row.background_status,
            expires_at: row.background_expires_at.map(|at| rfc3339(from_db(at))),
            note: row.background_note,
        },
        missing,
    })
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::invalid("request.invalid_field", field, message)
}

pub async fn update(state: &AppState, user_id: &str, input: ProfileInput) -> AppResult<ProfileRow> {
    own(state, user_id).await?;
    let bio = input.bio.trim().to_string();
    if !(10..=1000).contains(&bio.chars().count()) {
        return Err(invalid("bio", "must be 10 to 1000 characters"));
    }
    if !(0..=80).contains(&input.years_experience) {
        return Err(invalid("years_experience", "must be between 0 and 80"));
    }
    let languages: Vec<String> = input
        .languages
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if languages.is_empty()
        || languages.len() > 10
        || languages.iter().any(|l| l.chars().count() > 30)
    {
        return Err(invalid("languages", "list 1 to 10 languages"));
    }
    let timezone = parse_timezone(&input.timezone)?;
    let mut areas = Vec::new();
    for slug in &input.service_areas {
        if state.areas.get(slug).is_none() {
            return Err(invalid(
                "service_areas",
                &format!("`{slug}` is not an area"),
            ));
        }
        if !areas.contains(slug) {
            areas.push(slug.clone());
        }
    }
    let meeting_url = input
        .meeting_url
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty());
    if meeting_url.as_deref().is_some_and(|u| {
        !u.starts_with("https://") || u.len() > 300 || u.contains(char::is_whitespace)
    }) {
        return Err(invalid("meeting_url", "must be an https link"));
    }
    let location = input.teaching_location;
    if let Some(l) = &location {
        if l.address.trim().is_empty() || l.address.len() > 300 {
            return Err(invalid(
                "teaching_location.address",
                "is required (at most 300 characters)",
            ));
        }
        if !(-90.0..=90.0).contains(&l.lat) || !(-180.0..=180.0).contains(&l.lng) {
            return Err(invalid(
                "teaching_location.lat",
                "coordinates are out of range",
            ));
        }
    }
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| {
            let update = store::ProfileUpdate {
                bio: &bio,
                years_experience: input.years_experience,
                languages: &languages,
                timezone: &timezone,
                meeting_url: meeting_url.as_deref(),
                studio_address: location.as_ref().map(|l| l.address.trim()),
                studio_lat: location.as_ref().map(|l| l.lat),
                studio_lng: location.as_ref().map(|l| l.lng),
            };
            store::update_profile(tx, &id, &update, now)?;
            store::replace_areas(tx, &id, &areas)?;
            store::profile(tx, &id)?.ok_or_else(AppError::not_found)
        })
        .await
}

pub async fn go_live(state: &AppState, user_id: &str) -> AppResult<()> {
    let row = own(state, user_id).await?;
    let missing = missing(state, &row).await?;
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "instructor.not_ready",
            "missing",
            "complete these first: ".to_string() + &missing.join(", "),
        )
        .with_extra("missing", missing.into()));
    }
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    state
        .db
        .write(move |tx| Ok(store::set_live(tx, &id, now)?))
        .await
}

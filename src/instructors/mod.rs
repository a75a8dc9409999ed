//! Instructors: the profile, the services they offer with prices per format, their areas,
//! photo, background check, payouts onboarding and going live. Only live instructors are
//! public (and bookable).

pub mod background;
pub mod media;
mod offerings;
mod profile;
mod public;
mod routes;
pub mod store;

pub use offerings::validate_rates;
pub use routes::{media_routes, routes};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use store::{OfferingRow, ProfileRow};

/// An instructor as other domains see them.
pub struct Listing {
    pub profile: ProfileRow,
    pub full_name: String,
    pub areas: Vec<String>,
    pub offerings: Vec<OfferingRow>,
}

/// The instructor `id` when live (or when `privileged`: themselves or an admin); else 404.
pub async fn visible(state: &AppState, id: &str, privileged: bool) -> AppResult<Listing> {
    Ok(visible_with(state, id, privileged, |_, _| Ok(())).await?.0)
}

/// Like [`visible`], with `more` read from the same snapshot in the same round trip.
pub async fn visible_with<T, F>(
    state: &AppState,
    id: &str,
    privileged: bool,
    more: F,
) -> AppResult<(Listing, T)>
where
    F: FnOnce(&rusqlite::Connection, &ProfileRow) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let id = id.to_string();
    let found = state
        .db
        .read(move |c| {
            let Some(profile) = store::profile(c, &id)? else {
                return Ok(None);
            };
            let Some(user) = crate::auth::store::user_by_id(c, &id)? else {
                return Ok(None);
            };
            if user.status != crate::auth::model::Status::Active || !(profile.live || privileged) {
                return Ok(None);
            }
            let extra = more(c, &profile)?;
            let areas = store::areas_of(c, &id)?;
            let offerings = store::offerings_of(c, &id)?;
            Ok(Some((
                Listing {
                    profile,
                    full_name: user.full_name,
                    areas,
                    offerings,
                },
                extra,
            )))
        })
        .await?;
    found.ok_or_else(AppError::not_found)
}

/// The instructor's time zone (creating the profile on first use).
pub async fn timezone_of(state: &AppState, user_id: &str) -> AppResult<String> {
    Ok(profile::own(state, user_id).await?.timezone)
}

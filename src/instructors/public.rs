//! What everyone sees: the public profile of a live instructor and the browse list.
//!
//! Both show the instructor's rating summary from `reviews`. Reviews rank above instructors,
//! so this is a read going upwards; it is only a read of a pure summary (no state changes), and
//! the one place that knows the rating rule stays in `reviews::rating`.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::offerings::{self, OfferingView};
use super::{media, store};
use crate::app::AppState;
use crate::auth::model::display_name;
use crate::auth::{MaybeUser, Role};
use crate::common::page::{Page, Paginated};
use crate::error::AppResult;
use crate::http::{Json, Query};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(profile))
}

#[derive(Serialize, ToSchema)]
pub struct AreaRef {
    slug: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PublicLocation {
    /// Rounded to about a kilometre: the studio address is never shown.
    lat: f64,
    lng: f64,
    area_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicProfile {
    id: String,
    /// First name and last initial.
    display_name: String,
    bio: String,
    photo_url: Option<String>,
    photo_thumb_url: Option<String>,
    years_experience: i64,
    languages: Vec<String>,
    timezone: String,
    service_areas: Vec<AreaRef>,
    teaching_location: Option<PublicLocation>,
    services: Vec<OfferingView>,
    /// The Bayesian average, one decimal; null under 3 visible reviews.
    rating: Option<f64>,
    /// Visible reviews.
    review_count: u32,
    /// Fewer than 5 visible reviews.
    is_new: bool,
    /// Visible reviews per catalog service, most reviewed first.
    service_review_counts: Vec<crate::reviews::ServiceReviewCount>,
    live: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Category slug.
    category: Option<String>,
    /// Service slug.
    service: Option<String>,
    /// Area slug (a borough includes its neighborhoods).
    area: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ListedService {
    service_id: String,
    service_name: String,
    min_rate_cents_per_hour: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ListedInstructor {
    id: String,
    display_name: String,
    photo_url: Option<String>,
    bio_excerpt: String,
    years_experience: i64,
    services: Vec<ListedService>,
    areas: Vec<String>,
    /// The Bayesian average, one decimal; null under 3 visible reviews.
    rating: Option<f64>,
    review_count: u32,
    is_new: bool,
}

fn round_km(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn excerpt(bio: &str) -> String {
    let mut out: String = bio.chars().take(160).collect();
    if bio.chars().count() > 160 {
        out = out.trim_end().to_string() + "…";
    }
    out
}

/// A live instructor's public profile (their own or an admin's view also before going live).
#[utoipa::path(get, path = "/api/v1/instructors/{id}", tag = "instructors", params(("id" = String, Path)),
    responses((status = 200, body = PublicProfile), (status = 404)))]
async fn profile(
    State(state): State<AppState>,
    viewer: MaybeUser,
    Path(id): Path<String>,
) -> AppResult<Json<PublicProfile>> {
    let privileged = viewer
        .0
        .as_ref()
        .is_some_and(|v| v.user.id == id || v.user.role == Role::Admin);
    let (listing, reviews) = super::visible_with(&state, &id, privileged, |c, p| {
        Ok(crate::reviews::summary(c, &p.user_id)?)
    })
    .await?;
    let catalog = state.catalog.get();
    let p = listing.profile;
    let teaching_location = match (p.studio_lat, p.studio_lng) {
        (Some(lat), Some(lng)) => Some(PublicLocation {
            lat: round_km(lat),
            lng: round_km(lng),
            area_name: state.areas.containing(lat, lng).map(|a| a.name.clone()),
        }),
        _ => None,
    };
    Ok(Json(PublicProfile {
        id: p.user_id,
        display_name: display_name(&listing.full_name),
        bio: p.bio,
        photo_url: p.photo_key.as_deref().map(|k| media::photo_url(k, 400)),
        photo_thumb_url: p.photo_key.as_deref().map(|k| media::photo_url(k, 96)),
        years_experience: p.years_experience,
        languages: p.languages,
        timezone: p.timezone,
        service_areas: listing
            .areas
            .iter()
            .filter_map(|slug| state.areas.get(slug))
            .map(|a| AreaRef {
                slug: a.slug.clone(),
                name: a.name.clone(),
            })
            .collect(),
        teaching_location,
        services: listing
            .offerings
            .iter()
            .map(|o| offerings::view(&catalog, o))
            .collect(),
        rating: reviews.rating,
        review_count: reviews.review_count,
        is_new: reviews.is_new,
        service_review_counts: reviews.by_service,
        live: p.live,
    }))
}

/// Live instructors, optionally by category, service and area.
#[utoipa::path(get, path = "/api/v1/instructors", tag = "instructors", params(ListQuery),
    responses((status = 200, body = Paginated<ListedInstructor>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<Paginated<ListedInstructor>>> {
    let page = Page::new(q.page, q.per_page)?;
    let areas: Vec<String> = match &q.area {
        Some(area) => state
            .areas
            .all()
            .iter()
            .filter(|a| state.areas.covers(area, &a.slug))
            .map(|a| a.slug.clone())
            .collect(),
        None => Vec::new(),
    };
    if q.area.is_some() && areas.is_empty() {
        return Ok(Json(Paginated::new(Vec::new(), page, 0)));
    }
    let (category, service) = (q.category.clone(), q.service.clone());
    let (rows, total, offerings, instructor_areas, ratings) = state
        .db
        .read(move |c| {
            let filter = store::ListFilter {
                category: category.as_deref(),
                service: service.as_deref(),
                areas: &areas,
                limit: page.per_page,
                offset: page.offset(),
            };
            let (rows, total) = store::list_live(c, &filter)?;
            let platform = crate::reviews::store::platform_totals(c)?;
            let mut offerings = Vec::new();
            let mut instructor_areas = Vec::new();
            let mut ratings = Vec::new();
            for row in &rows {
                offerings.push(store::offerings_of(c, &row.user_id)?);
                instructor_areas.push(store::areas_of(c, &row.user_id)?);
                ratings.push(crate::reviews::summary_with(c, &row.user_id, platform)?);
            }
            Ok((rows, total, offerings, instructor_areas, ratings))
        })
        .await?;
    let catalog = state.catalog.get();
    let items = rows
        .into_iter()
        .zip(offerings)
        .zip(instructor_areas)
        .zip(ratings)
        .map(|(((row, offerings), areas), reviews)| ListedInstructor {
            display_name: display_name(&row.full_name),
            photo_url: row.photo_key.as_deref().map(|k| media::photo_url(k, 400)),
            bio_excerpt: excerpt(&row.bio),
            years_experience: row.years_experience,
            services: offerings
                .iter()
                .map(|o| ListedService {
                    service_id: o.service_id.to_string(),
                    service_name: catalog
                        .service(o.service_id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    min_rate_cents_per_hour: o.min_rate().unwrap_or_default(),
                })
                .collect(),
            areas: areas
                .iter()
                .filter_map(|s| state.areas.get(s))
                .map(|a| a.name.clone())
                .collect(),
            rating: reviews.rating,
            review_count: reviews.review_count,
            is_new: reviews.is_new,
            id: row.user_id,
        })
        .collect();
    Ok(Json(Paginated::new(items, page, total)))
}

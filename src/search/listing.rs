//! What the index knows about a live instructor: one [`Offering`] per active service, read from
//! the database in one pass. Everything a query filters or ranks on is here, precomputed, so a
//! search never touches the database except for the next open slot of the page it shows.

use rusqlite::{Connection, OptionalExtension, params};

use crate::areas::Areas;
use crate::availability::{document, store as availability};
use crate::catalog::{AgeGroup, Catalog};
use crate::instructors::media;
use crate::instructors::store::{self as instructors, OfferingRow};
use crate::reviews::view as reviews;

/// One service of one live instructor, as indexed.
#[derive(Clone, Debug)]
pub struct Offering {
    pub instructor_id: String,
    pub offering_id: String,
    pub service_id: i64,
    pub service_slug: String,
    pub service_name: String,
    pub category_slug: String,
    pub display_name: String,
    pub photo_url: Option<String>,
    /// Service name, terms, subcategory and category names, the description and bio.
    pub text: String,
    /// Cents per hour per format (0: not offered).
    pub rate_travel: u64,
    pub rate_studio: u64,
    pub rate_online: u64,
    /// Bit per [`AgeGroup`] offered.
    pub ages: u64,
    /// Bits: 1 beginner, 2 intermediate, 4 advanced.
    pub skills: u64,
    /// Served areas with their boroughs (travel), and the studio's area.
    pub areas: Vec<String>,
    /// The studio's coarse position, else the centroid of the first served area.
    pub position: Option<(f64, f64)>,
    /// The Bayesian rating shown (0 when hidden) and the visible review count.
    pub rating: f64,
    pub review_count: u64,
    /// 0..1: how much of the profile is filled in.
    pub completeness: f64,
    /// Unix seconds of the instructor's last sign-in activity.
    pub active_at: i64,
    pub founding: bool,
    /// Weekly open hours in the instructor's zone: bit `day * 24 + hour` (Monday = 0).
    pub week_hours: [u64; 3],
}

pub fn age_bit(group: AgeGroup) -> u64 {
    1 << (group as u64)
}

pub fn skill_bit(skill: &str) -> u64 {
    match skill {
        "beginner" => 1,
        "intermediate" => 2,
        "advanced" => 4,
        _ => 0,
    }
}

struct Profile {
    full_name: String,
    bio: String,
    photo_key: Option<String>,
    studio: Option<(f64, f64)>,
    founding: bool,
    timezone: String,
    years: i64,
    active_at: i64,
}

fn profile(conn: &Connection, id: &str) -> rusqlite::Result<Option<Profile>> {
    conn.prepare_cached(
        "SELECT u.full_name, p.bio, p.photo_key, p.studio_lat, p.studio_lng, p.founding, p.timezone,
                p.years_experience,
                MAX(p.updated_at, COALESCE((SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = p.user_id), 0))
         FROM instructor_profiles p JOIN users u ON u.id = p.user_id
         WHERE p.user_id = ?1 AND p.live = 1 AND u.status = 'active'",
    )?
    .query_row([id], |r| {
        let lat: Option<f64> = r.get(3)?;
        let lng: Option<f64> = r.get(4)?;
        Ok(Profile {
            full_name: r.get(0)?,
            bio: r.get(1)?,
            photo_key: r.get(2)?,
            studio: lat.zip(lng),
            founding: r.get(5)?,
            timezone: r.get(6)?,
            years: r.get(7)?,
            active_at: r.get(8)?,
        })
    })
    .optional()
}

/// The weekly open hours of the instructor's rules (overrides and bookings are left to the
/// exact slot check of the results shown).
fn week_hours(conn: &Connection, id: &str, timezone: &str) -> rusqlite::Result<[u64; 3]> {
    let mut bits = [0u64; 3];
    let (doc, _) = availability::load(conn, id, timezone)?;
    let Ok(rules) = document::validate(&doc) else {
        return Ok(bits);
    };
    for (day, windows) in rules.weekly.iter().enumerate() {
        for window in windows {
            let (start, end) = (usize::from(window.start.0), usize::from(window.end.0));
            for hour in start / 60..end.div_ceil(60).min(24) {
                let bit = day * 24 + hour;
                bits[bit / 64] |= 1 << (bit % 64);
            }
        }
    }
    Ok(bits)
}

/// The offerings of `id` if they are live and searchable; empty otherwise.
pub fn of_instructor(
    conn: &Connection,
    catalog: &Catalog,
    areas: &Areas,
    platform: crate::reviews::rating::Totals,
    id: &str,
) -> rusqlite::Result<Vec<Offering>> {
    let Some(p) = profile(conn, id)? else {
        return Ok(Vec::new());
    };
    let served = instructors::areas_of(conn, id)?;
    let summary = reviews::summary_with(conn, id, platform)?;
    let week = week_hours(conn, id, &p.timezone)?;
    let mut covered: Vec<String> = Vec::new();
    for slug in &served {
        covered.push(slug.clone());
        if let Some(parent) = areas.get(slug).and_then(|a| a.parent.clone()) {
            covered.push(parent);
        }
    }
    let studio_area = p.studio.and_then(|(lat, lng)| areas.containing(lat, lng));
    if let Some(area) = studio_area {
        covered.push(area.slug.clone());
        covered.extend(area.parent.clone());
    }
    covered.sort();
    covered.dedup();
    let position = p.studio.or_else(|| {
        served
            .first()
            .and_then(|slug| areas.get(slug))
            .map(|a| (a.lat, a.lng))
    });
    let completeness = [
        p.photo_key.is_some(),
        p.bio.chars().count() >= 120,
        p.years > 0,
        !served.is_empty() || p.studio.is_some(),
        summary.review_count > 0,
    ]
    .iter()
    .filter(|done| **done)
    .count() as f64
        / 5.0;
    let offerings = instructors::offerings_of(conn, id)?;
    Ok(offerings
        .into_iter()
        .filter_map(|o: OfferingRow| {
            let service = catalog.service(o.service_id).filter(|s| !s.hidden)?;
            let subcategory = catalog
                .categories
                .iter()
                .flat_map(|c| &c.subcategories)
                .find(|sc| sc.slug == service.subcategory_slug)
                .map(|sc| sc.name.clone())
                .unwrap_or_default();
            let text = format!(
                "{} {} {} {} {} {} {}",
                service.name,
                service.terms.join(" "),
                subcategory,
                service.category_name,
                o.description,
                p.bio,
                p.full_name
            );
            Some(Offering {
                instructor_id: id.to_string(),
                offering_id: o.id.clone(),
                service_id: o.service_id,
                service_slug: service.slug.clone(),
                service_name: service.name.clone(),
                category_slug: service.category_slug.clone(),
                display_name: crate::auth::model::display_name(&p.full_name),
                photo_url: p.photo_key.as_deref().map(|k| media::photo_url(k, 400)),
                text,
                rate_travel: o.travel.unwrap_or(0).unsigned_abs(),
                rate_studio: o.studio.unwrap_or(0).unsigned_abs(),
                rate_online: o.online.unwrap_or(0).unsigned_abs(),
                ages: o
                    .age_groups
                    .iter()
                    .map(|g| age_bit(*g))
                    .fold(0, |a, b| a | b),
                skills: o
                    .skill_levels
                    .iter()
                    .map(|s| skill_bit(s))
                    .fold(0, |a, b| a | b),
                // Travel reaches the served areas; the studio is where it is.
                areas: covered.clone(),
                position,
                rating: summary.rating.unwrap_or(0.0),
                review_count: u64::from(summary.review_count),
                completeness,
                active_at: p.active_at,
                founding: p.founding,
                week_hours: week,
            })
        })
        .collect())
}

/// Every live instructor's id, for a rebuild.
pub fn live_ids(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT p.user_id FROM instructor_profiles p JOIN users u ON u.id = p.user_id WHERE p.live = 1 AND u.status = 'active' ORDER BY p.user_id")?
        .query_map(params![], |r| r.get(0))?
        .collect()
}

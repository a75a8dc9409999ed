//! SQL for instructor profiles, their areas and their services.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::availability::slots::Format;
use crate::catalog::AgeGroup;

#[derive(Clone, Debug, Default)]
pub struct ProfileRow {
    pub user_id: String,
    pub bio: String,
    pub years_experience: i64,
    pub languages: Vec<String>,
    pub timezone: String,
    pub meeting_url: Option<String>,
    pub studio_address: Option<String>,
    pub studio_lat: Option<f64>,
    pub studio_lng: Option<f64>,
    pub photo_key: Option<String>,
    pub payouts_status: String,
    pub background_status: String,
    pub background_note: Option<String>,
    pub background_document: Option<String>,
    pub background_checked_at: Option<i64>,
    pub background_expires_at: Option<i64>,
    pub live: bool,
    pub founding: bool,
    pub updated_at: i64,
}

const PROFILE_COLUMNS: &str = "user_id, bio, years_experience, languages, timezone, meeting_url, studio_address, \
     studio_lat, studio_lng, photo_key, payouts_status, background_status, background_note, background_document, \
     background_checked_at, background_expires_at, live, founding, updated_at";

fn profile_from_row(r: &Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        user_id: r.get(0)?,
        bio: r.get(1)?,
        years_experience: r.get(2)?,
        languages: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
        timezone: r.get(4)?,
        meeting_url: r.get(5)?,
        studio_address: r.get(6)?,
        studio_lat: r.get(7)?,
        studio_lng: r.get(8)?,
        photo_key: r.get(9)?,
        payouts_status: r.get(10)?,
        background_status: r.get(11)?,
        background_note: r.get(12)?,
        background_document: r.get(13)?,
        background_checked_at: r.get(14)?,
        background_expires_at: r.get(15)?,
        live: r.get(16)?,
        founding: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

/// Creates the profile of an instructor who has none yet (in their account's time zone).
pub fn ensure_profile(conn: &Connection, user_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO instructor_profiles (user_id, timezone, created_at, updated_at)
         SELECT id, timezone, ?2, ?2 FROM users WHERE id = ?1
         ON CONFLICT (user_id) DO NOTHING",
        params![user_id, now],
    )?;
    Ok(())
}

pub fn profile(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<ProfileRow>> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM instructor_profiles WHERE user_id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([user_id], profile_from_row)
        .optional()
}

pub struct ProfileUpdate<'a> {
    pub bio: &'a str,
    pub years_experience: i64,
    pub languages: &'a [String],
    pub timezone: &'a str,
    pub meeting_url: Option<&'a str>,
    pub studio_address: Option<&'a str>,
    pub studio_lat: Option<f64>,
    pub studio_lng: Option<f64>,
}

pub fn update_profile(
    conn: &Connection,
    user_id: &str,
    p: &ProfileUpdate<'_>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instructor_profiles SET bio = ?2, years_experience = ?3, languages = ?4, timezone = ?5,
                meeting_url = ?6, studio_address = ?7, studio_lat = ?8, studio_lng = ?9, updated_at = ?10
         WHERE user_id = ?1",
        params![
            user_id,
            p.bio,
            p.years_experience,
            serde_json::to_string(p.languages).unwrap_or_default(),
            p.timezone,
            p.meeting_url,
            p.studio_address,
            p.studio_lat,
            p.studio_lng,
            now
        ],
    )?;
    // Search shows this: re-read the instructor there.
    crate::search::request_reindex(conn, user_id, now)?;
    Ok(())
}

pub fn set_photo(
    conn: &Connection,
    user_id: &str,
    key: &str,
    now: i64,
) -> rusqlite::Result<Option<String>> {
    let old: Option<String> = conn.query_row(
        "SELECT photo_key FROM instructor_profiles WHERE user_id = ?1",
        [user_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE instructor_profiles SET photo_key = ?2, updated_at = ?3 WHERE user_id = ?1",
        params![user_id, key, now],
    )?;
    // Search shows this: re-read the instructor there.
    crate::search::request_reindex(conn, user_id, now)?;
    Ok(old)
}

pub fn set_payouts(
    conn: &Connection,
    user_id: &str,
    status: &str,
    account: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instructor_profiles SET payouts_status = ?2, payouts_account = ?3, updated_at = ?4 WHERE user_id = ?1",
        params![user_id, status, account, now],
    )?;
    Ok(())
}

pub fn submit_background_document(
    conn: &Connection,
    user_id: &str,
    file: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instructor_profiles SET background_status = 'pending', background_document = ?2,
                background_note = NULL, updated_at = ?3
         WHERE user_id = ?1",
        params![user_id, file, now],
    )?;
    Ok(())
}

/// An admin's decision on a pending check; false when nothing was pending for that instructor.
pub fn decide_background(
    conn: &Connection,
    user_id: &str,
    passed: bool,
    note: &str,
    now: i64,
    expires_at: Option<i64>,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE instructor_profiles SET background_status = ?2, background_note = ?3,
                background_checked_at = ?4, background_expires_at = ?5, updated_at = ?4
         WHERE user_id = ?1 AND background_status = 'pending'",
        params![
            user_id,
            if passed { "passed" } else { "failed" },
            note,
            now,
            expires_at
        ],
    )? == 1)
}

pub fn set_live(conn: &Connection, user_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instructor_profiles SET live = 1, live_at = COALESCE(live_at, ?2), updated_at = ?2 WHERE user_id = ?1",
        params![user_id, now],
    )?;
    // Search shows this: re-read the instructor there.
    crate::search::request_reindex(conn, user_id, now)?;
    Ok(())
}

pub fn areas_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT area_slug FROM instructor_areas WHERE user_id = ?1 ORDER BY area_slug",
    )?
    .query_map([user_id], |r| r.get(0))?
    .collect()
}

pub fn replace_areas(conn: &Connection, user_id: &str, slugs: &[String]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM instructor_areas WHERE user_id = ?1", [user_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO instructor_areas (user_id, area_slug) VALUES (?1, ?2)",
    )?;
    for slug in slugs {
        insert.execute(params![user_id, slug])?;
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq)]
pub struct OfferingRow {
    pub id: String,
    pub service_id: i64,
    pub description: String,
    pub durations: Vec<u16>,
    pub age_groups: Vec<AgeGroup>,
    pub skill_levels: Vec<String>,
    pub travel: Option<i64>,
    pub studio: Option<i64>,
    pub online: Option<i64>,
}

impl OfferingRow {
    pub fn rate(&self, format: Format) -> Option<i64> {
        match format {
            Format::Travel => self.travel,
            Format::Studio => self.studio,
            Format::Online => self.online,
        }
    }

    pub fn min_rate(&self) -> Option<i64> {
        [self.travel, self.studio, self.online]
            .into_iter()
            .flatten()
            .min()
    }
}

pub fn offerings_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<OfferingRow>> {
    conn.prepare_cached(
        "SELECT id, service_id, description, durations, age_groups, skill_levels,
                travel_cents_per_hour, studio_cents_per_hour, online_cents_per_hour
         FROM instructor_services WHERE user_id = ?1 AND active = 1 ORDER BY position",
    )?
    .query_map([user_id], |r| {
        Ok(OfferingRow {
            id: r.get(0)?,
            service_id: r.get(1)?,
            description: r.get(2)?,
            durations: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
            age_groups: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
            skill_levels: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
            travel: r.get(6)?,
            studio: r.get(7)?,
            online: r.get(8)?,
        })
    })?
    .collect()
}

/// Replaces the instructor's offerings, keeping the ids of services that stay (bookings will
/// point at them).
pub fn replace_offerings(
    conn: &Connection,
    user_id: &str,
    offerings: &[OfferingRow],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE instructor_services SET active = 0 WHERE user_id = ?1",
        [user_id],
    )?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO instructor_services (id, user_id, service_id, description, durations, age_groups, skill_levels,
                travel_cents_per_hour, studio_cents_per_hour, online_cents_per_hour, active, position, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?12)
         ON CONFLICT (user_id, service_id) DO UPDATE SET
                description = excluded.description, durations = excluded.durations,
                age_groups = excluded.age_groups, skill_levels = excluded.skill_levels,
                travel_cents_per_hour = excluded.travel_cents_per_hour,
                studio_cents_per_hour = excluded.studio_cents_per_hour,
                online_cents_per_hour = excluded.online_cents_per_hour,
                active = 1, position = excluded.position",
    )?;
    for (position, o) in (0i64..).zip(offerings) {
        upsert.execute(params![
            o.id,
            user_id,
            o.service_id,
            o.description,
            serde_json::to_string(&o.durations).unwrap_or_default(),
            serde_json::to_string(&o.age_groups).unwrap_or_default(),
            serde_json::to_string(&o.skill_levels).unwrap_or_default(),
            o.travel,
            o.studio,
            o.online,
            position,
            now
        ])?;
    }
    // Search shows this: re-read the instructor there.
    crate::search::request_reindex(conn, user_id, now)?;
    Ok(())
}

/// Live instructors matching the filters, newest live first: (user id, full name, photo key,
/// bio, years) and the total.
pub struct ListFilter<'a> {
    pub category: Option<&'a str>,
    pub service: Option<&'a str>,
    pub areas: &'a [String],
    pub limit: u32,
    pub offset: u32,
}

pub struct Listed {
    pub user_id: String,
    pub full_name: String,
    pub photo_key: Option<String>,
    pub bio: String,
    pub years_experience: i64,
}

pub fn list_live(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<(Vec<Listed>, u64)> {
    let areas = serde_json::to_string(f.areas).unwrap_or_default();
    let filter = "p.live = 1 AND u.status = 'active'
        AND (?1 IS NULL OR EXISTS (SELECT 1 FROM instructor_services o JOIN services s ON s.id = o.service_id
              JOIN subcategories sc ON sc.id = s.subcategory_id JOIN categories c ON c.id = sc.category_id
              WHERE o.user_id = p.user_id AND o.active = 1 AND c.slug = ?1))
        AND (?2 IS NULL OR EXISTS (SELECT 1 FROM instructor_services o JOIN services s ON s.id = o.service_id
              WHERE o.user_id = p.user_id AND o.active = 1 AND s.slug = ?2))
        AND (?3 = '[]' OR EXISTS (SELECT 1 FROM instructor_areas a WHERE a.user_id = p.user_id
              AND a.area_slug IN (SELECT value FROM json_each(?3))))";
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM instructor_profiles p JOIN users u ON u.id = p.user_id WHERE {filter}"),
        params![f.category, f.service, areas],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.user_id, u.full_name, p.photo_key, p.bio, p.years_experience
         FROM instructor_profiles p JOIN users u ON u.id = p.user_id WHERE {filter}
         ORDER BY p.live_at DESC, p.user_id LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt
        .query_map(
            params![f.category, f.service, areas, f.limit, f.offset],
            |r| {
                Ok(Listed {
                    user_id: r.get(0)?,
                    full_name: r.get(1)?,
                    photo_key: r.get(2)?,
                    bio: r.get(3)?,
                    years_experience: r.get(4)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total.unsigned_abs()))
}

/// A background check waiting for an admin.
pub struct PendingCheck {
    pub user_id: String,
    pub full_name: String,
    pub email: String,
    pub document: Option<String>,
    pub submitted_at: i64,
}

/// Pending background checks, oldest first.
pub fn pending_background_checks(conn: &Connection) -> rusqlite::Result<Vec<PendingCheck>> {
    conn.prepare(
        "SELECT p.user_id, u.full_name, u.email, p.background_document, p.updated_at
         FROM instructor_profiles p JOIN users u ON u.id = p.user_id
         WHERE p.background_status = 'pending' ORDER BY p.updated_at",
    )?
    .query_map([], |r| {
        Ok(PendingCheck {
            user_id: r.get(0)?,
            full_name: r.get(1)?,
            email: r.get(2)?,
            document: r.get(3)?,
            submitted_at: r.get(4)?,
        })
    })?
    .collect()
}

/// Passed checks that expire before `before` (for the 30-day reminder).
pub fn expiring_background_checks(
    conn: &Connection,
    now: i64,
    before: i64,
) -> rusqlite::Result<Vec<(String, i64)>> {
    conn.prepare(
        "SELECT user_id, background_expires_at FROM instructor_profiles
         WHERE background_status = 'passed' AND background_expires_at > ?1 AND background_expires_at <= ?2",
    )?
    .query_map(params![now, before], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// The connected account payouts go to, once it can receive money (onboarding complete): a
/// charge or transfer to an account still being set up would be refused.
pub fn payouts_account(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT payouts_account FROM instructor_profiles WHERE user_id = ?1 AND payouts_status = 'complete'",
    )?
        .query_row([user_id], |r| r.get(0))
        .optional()
        .map(Option::flatten)
}

//! The demo market: `seed --demo` (and `serve --demo` on an empty database) builds live
//! instructors spread over the areas and the catalog, each with a generated portrait, services
//! and prices, areas and a weekly schedule, plus a demo student and admin. The same seed number
//! always builds the same market.

mod avatar;
mod lessons;
mod random;
mod words;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use crate::app::AppState;
use crate::areas::Kind;
use crate::auth::model::Role;
use crate::auth::{password, secrets, store as accounts};
use crate::availability::document::{DAYS, Document, LocalTime, Window};
use crate::availability::store as availability;
use crate::catalog::Service;
use crate::common::time::to_db;
use crate::error::{AppError, AppResult};
use crate::instructors::media;
use crate::instructors::store::{self as instructors, OfferingRow, ProfileUpdate};
use random::Random;

pub const STUDENT_EMAIL: &str = "student@demo.instainstru.local";
pub const STUDENT_PASSWORD: &str = "learn-something-new-2026";
pub const ADMIN_EMAIL: &str = "admin@demo.instainstru.local";
pub const ADMIN_PASSWORD: &str = "keep-the-market-fair-2026";
pub const INSTRUCTOR_PASSWORD: &str = "teach-what-you-love-2026";
const BATCH: usize = 100;
const PORTRAITS: usize = 1_000;

/// What was seeded, for the start-up banner.
pub struct Seeded {
    pub instructors: usize,
    /// False when the database already had the demo market.
    pub created: bool,
}

/// Seeds `count` instructors (once per database) with `seed`, reporting progress.
pub async fn seed(
    state: &AppState,
    count: usize,
    seed: u64,
    progress: impl Fn(usize, usize),
) -> AppResult<Seeded> {
    let exists = state
        .db
        .read(|c| Ok(accounts::user_by_email(c, ADMIN_EMAIL)?.is_some()))
        .await?;
    if exists {
        return Ok(Seeded {
            instructors: 0,
            created: false,
        });
    }
    // One argon2 hash per role: the demo shares passwords, and hashing 1,000 would take ages.
    let hashes = tokio::task::spawn_blocking(|| {
        [STUDENT_PASSWORD, ADMIN_PASSWORD, INSTRUCTOR_PASSWORD]
            .map(|p| password::hash(p).unwrap_or_default())
    })
    .await
    .map_err(AppError::internal)?;
    let now = state.clock.now();
    let [student_hash, admin_hash, instructor_hash] = hashes;
    state
        .db
        .write(move |tx| {
            person(
                tx,
                STUDENT_EMAIL,
                "Sam Student",
                Role::Student,
                &student_hash,
                now,
            )?;
            person(tx, ADMIN_EMAIL, "Alex Admin", Role::Admin, &admin_hash, now)?;
            Ok(())
        })
        .await?;

    let photos = media::photos_dir(state.config.data_dir());
    tokio::fs::create_dir_all(&photos)
        .await
        .map_err(AppError::internal)?;
    let catalog = state.catalog.get();
    let services: Vec<Service> = catalog
        .services
        .values()
        .filter(|s| !s.hidden)
        .cloned()
        .collect::<Vec<_>>();
    let mut services = services;
    services.sort_by_key(|s| s.id);
    let neighborhoods: Vec<(String, String, f64, f64)> = state
        .areas
        .all()
        .iter()
        .filter(|a| a.kind == Kind::Neighborhood)
        .map(|a| {
            (
                a.slug.clone(),
                a.parent.clone().unwrap_or_default(),
                a.lat,
                a.lng,
            )
        })
        .collect();
    let neighborhoods = std::sync::Arc::new(neighborhoods);
    let mut done = 0;
    while done < count {
        let size = BATCH.min(count - done);
        // Each instructor has a generator of its own, so halves of a batch are drawn (and their
        // portraits painted) on both cores and the market is still the same for the same seed.
        let halves = [(done, done + size / 2), (done + size / 2, done + size)].map(|(from, to)| {
            let (services, neighborhoods) = (services.clone(), neighborhoods.clone());
            tokio::task::spawn_blocking(move || {
                (from..to)
                    .map(|i| {
                        instructor(
                            &mut Random::new(seed.wrapping_mul(1_000_003).wrapping_add(i as u64)),
                            i,
                            &services,
                            &neighborhoods,
                        )
                    })
                    .collect::<Vec<_>>()
            })
        });
        let mut batch = Vec::with_capacity(size);
        for half in halves {
            batch.extend(half.await.map_err(AppError::internal)?);
        }
        for planned in &batch {
            for (side, jpeg) in &planned.photo {
                tokio::fs::write(
                    photos.join(format!("{}-{side}.jpg", planned.photo_key)),
                    jpeg,
                )
                .await
                .map_err(AppError::internal)?;
            }
        }
        let hash = instructor_hash.clone();
        let valid = state.config.market.background_check_valid.chrono();
        state
            .db
            .write(move |tx| {
                for planned in &batch {
                    insert(tx, planned, &hash, now, now + valid)?;
                }
                Ok(())
            })
            .await?;
        done += size;
        progress(done, count);
    }
    lessons::book(state).await?;
    // One rebuild instead of the reindex job each seeded change queued.
    state
        .db
        .write(|tx| {
            Ok(tx.execute(
                "DELETE FROM jobs WHERE kind = ?1 AND state = 'queued'",
                [crate::search::jobs::REINDEX_INSTRUCTOR],
            )?)
        })
        .await?;
    crate::search::rebuild(state, |_, _| {})
        .await
        .map_err(AppError::internal)?;
    Ok(Seeded {
        instructors: count,
        created: true,
    })
}

fn person(
    conn: &Connection,
    email: &str,
    name: &str,
    role: Role,
    hash: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let id = secrets::new_id();
    let new = accounts::NewUser {
        id: &id,
        email,
        password_hash: hash,
        full_name: name,
        role,
        verified: true,
    };
    accounts::insert_user(conn, &new, to_db(now))?;
    Ok(id)
}

struct Planned {
    email: String,
    name: String,
    bio: String,
    years: i64,
    languages: Vec<String>,
    areas: Vec<String>,
    lat: f64,
    lng: f64,
    offerings: Vec<OfferingRow>,
    document: Document,
    photo_key: String,
    photo: Vec<(u32, Vec<u8>)>,
}

fn instructor(
    rng: &mut Random,
    i: usize,
    services: &[Service],
    neighborhoods: &[(String, String, f64, f64)],
) -> Planned {
    let name = format!(
        "{} {}",
        rng.pick(words::FIRST_NAMES),
        rng.pick(words::LAST_NAMES)
    );
    let years = rng.between(1, 30);
    // One to three services from the same category, so profiles read like real people.
    let first = rng.pick(services).clone();
    let related: Vec<Service> = services
        .iter()
        .filter(|s| s.category_slug == first.category_slug && s.id != first.id)
        .cloned()
        .collect();
    let extra = rng.below(3);
    let mut chosen = vec![first.clone()];
    chosen.extend(rng.sample(&related, extra));
    let offerings = chosen
        .iter()
        .map(|service| {
            let online = service.online_capable && rng.chance(70);
            let studio = rng.chance(60);
            let travel = rng.chance(45) || (!online && !studio);
            let in_person = rng.between(16, 40) * 500;
            let how_many = 1 + rng.below(service.age_groups.len());
            let mut ages = rng.sample(&service.age_groups, how_many);
            ages.sort();
            OfferingRow {
                id: secrets::new_id(),
                service_id: service.id,
                description: format!(
                    "{} lessons shaped around your goals and pace.",
                    service.name
                ),
                durations: rng
                    .pick(&[
                        vec![30, 45, 60],
                        vec![45, 60],
                        vec![60, 90],
                        vec![30, 60],
                        vec![60],
                    ])
                    .clone(),
                age_groups: ages,
                skill_levels: vec!["beginner".into(), "intermediate".into(), "advanced".into()],
                travel: travel.then(|| in_person + rng.between(0, 6) * 500),
                studio: studio.then_some(in_person),
                online: online.then(|| (in_person * 3 / 4 / 500 * 500).max(6_000)),
            }
        })
        .collect();
    let home = rng.pick(neighborhoods).clone();
    let nearby: Vec<String> = neighborhoods
        .iter()
        .filter(|n| n.1 == home.1)
        .map(|n| n.0.clone())
        .collect();
    let mut areas = vec![home.0.clone()];
    let more = rng.below(4);
    for area in rng.sample(&nearby, more) {
        if !areas.contains(&area) {
            areas.push(area);
        }
    }
    let bio = [
        rng.pick(words::OPENINGS)
            .replace("{service}", &first.name.to_lowercase())
            .replace("{years}", &years.to_string()),
        rng.pick(words::MIDDLES).to_string(),
        rng.pick(words::CLOSINGS).to_string(),
    ]
    .join(" ");
    let bio = capitalised(&bio);
    let mut languages = vec!["English".to_string()];
    if rng.chance(35) {
        languages.push(rng.pick(words::LANGUAGES).to_string());
    }
    Planned {
        email: format!("instructor{:04}@demo.instainstru.local", i + 1),
        bio,
        years,
        languages,
        lat: home.2 + rng.between(-40, 40) as f64 / 10_000.0,
        lng: home.3 + rng.between(-40, 40) as f64 / 10_000.0,
        areas,
        offerings,
        document: schedule(rng),
        // Portraits are painted for the first PORTRAITS instructors; larger markets (load
        // tests) reuse them, which keeps seeding 100,000 instructors to minutes.
        // The draw that used to name each photo is kept, so a seed still makes the market it
        // always made (benchmarks compare like with like).
        photo_key: {
            let _ = rng.next_u64();
            format!("demo-{:04}", i % PORTRAITS + 1)
        },
        photo: if i < PORTRAITS {
            avatar::portrait(rng)
        } else {
            Vec::new()
        },
        name,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A plausible week: after-school evenings, weekend days, some mornings.
fn schedule(rng: &mut Random) -> Document {
    let mut doc = Document::empty("America/New_York");
    let window = |start: u16, end: u16| Window {
        start: LocalTime(start * 60),
        end: LocalTime(end * 60),
    };
    for (i, day) in DAYS.iter().enumerate() {
        let weekend = i >= 5;
        let mut windows = Vec::new();
        if weekend && rng.chance(70) {
            windows.push(window(
                rng.between(8, 11) as u16,
                rng.between(14, 18) as u16,
            ));
        } else if !weekend {
            if rng.chance(35) {
                windows.push(window(rng.between(7, 9) as u16, 12));
            }
            if rng.chance(75) {
                windows.push(window(
                    rng.between(14, 16) as u16,
                    rng.between(19, 21) as u16,
                ));
            }
        }
        doc.weekly.insert((*day).to_string(), windows);
    }
    doc
}

fn insert(
    conn: &Connection,
    p: &Planned,
    hash: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> AppResult<()> {
    let id = person(conn, &p.email, &p.name, Role::Instructor, hash, now)?;
    let at = to_db(now);
    instructors::ensure_profile(conn, &id, at)?;
    let update = ProfileUpdate {
        bio: &p.bio,
        years_experience: p.years,
        languages: &p.languages,
        timezone: "America/New_York",
        meeting_url: None,
        studio_address: Some("Demo studio"),
        studio_lat: Some(p.lat),
        studio_lng: Some(p.lng),
    };
    instructors::update_profile(conn, &id, &update, at)?;
    instructors::replace_areas(conn, &id, &p.areas)?;
    instructors::replace_offerings(conn, &id, &p.offerings, at)?;
    instructors::set_photo(conn, &id, &p.photo_key, at)?;
    instructors::set_payouts(
        conn,
        &id,
        "complete",
        &format!("acct_demo_{}", id.replace('-', "")),
        at,
    )?;
    conn.execute(
        "UPDATE instructor_profiles SET background_status = 'passed', background_checked_at = ?2,
                background_expires_at = ?3 WHERE user_id = ?1",
        params![id, at, to_db(expires)],
    )?;
    let _ = availability::save(conn, &id, &p.document, 0, at)?;
    instructors::set_live(conn, &id, at)?;
    Ok(())
}

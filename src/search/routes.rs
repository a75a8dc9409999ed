//! `GET /api/v1/search` (API.md "Search") and `GET /api/v1/search/suggest` (the search box).
//! Every search is logged (query, what was understood, how many were found) so admins can see
//! the queries that find nothing.

use axum::extract::State;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::query::{self, Context, Parsed};
use super::relax;
use super::retrieve::{Hit, Sort};
use crate::app::AppState;
use crate::auth::extract::MaybeUser;
use crate::availability::slots::{self, Request};
use crate::common::page::Page;
use crate::common::time::{rfc3339, to_db};
use crate::error::{AppError, AppResult};
use crate::http::{Json, Query};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(super::suggest::suggest))
}

/// Where the operator's region is, for visitors who are not signed in.
const REGION_ZONE: &str = "America/New_York";
const MAX_QUERY_CHARS: usize = 300;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What the student typed.
    q: Option<String>,
    /// The student's position, for "near me" and distances.
    lat: Option<f64>,
    lng: Option<f64>,
    /// recommended (default), price_asc, price_desc, rating.
    #[param(inline)]
    sort: Option<Sort>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ResultService {
    /// The instructor's offering (instructor service) id.
    id: String,
    /// The catalog service id.
    service_id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    instructor_id: String,
    display_name: String,
    photo_url: Option<String>,
    service: ResultService,
    /// For the format asked for, else the cheapest the instructor offers.
    price_cents_per_hour: i64,
    /// travel, studio or online: the format the price is for.
    format: String,
    /// Shown from 3 reviews.
    rating: Option<f64>,
    review_count: u64,
    distance_km: Option<f64>,
    /// The first open start in the asked window (else the next 14 days), RFC 3339.
    next_slot: Option<String>,
    score: f32,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    parsed: Parsed,
    results: Vec<SearchResult>,
    /// What was loosened to find enough: time, date, location, price.
    relaxed: Vec<&'static str>,
    message: Option<String>,
    total: u64,
    page: u32,
    per_page: u32,
}

fn coordinates(lat: Option<f64>, lng: Option<f64>) -> AppResult<Option<(f64, f64)>> {
    match (lat, lng) {
        (None, None) => Ok(None),
        (Some(lat), Some(lng))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) =>
        {
            Ok(Some((lat, lng)))
        }
        (Some(_), Some(_)) => Err(AppError::invalid(
            "request.invalid_query",
            "lat",
            "lat must be within -90..90 and lng within -180..180",
        )),
        (None, Some(_)) => Err(AppError::invalid(
            "request.invalid_query",
            "lat",
            "is required with lng",
        )),
        (Some(_), None) => Err(AppError::invalid(
            "request.invalid_query",
            "lng",
            "is required with lat",
        )),
    }
}

/// Find instructors from a plain-language query.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses((status = 200, body = SearchResponse), (status = 422, description = "request.invalid_query")))]
async fn search(
    State(state): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<SearchQuery>,
) -> AppResult<Json<SearchResponse>> {
    let page = Page::new(params.page, params.per_page)?;
    let near = coordinates(params.lat, params.lng)?;
    let text: String = params
        .q
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let zone: Tz = me
        .as_ref()
        .and_then(|m| m.user.timezone.parse().ok())
        .unwrap_or(chrono_tz::America::New_York);
    let now = state.clock.now();
    let local = now.with_timezone(&zone);
    let context = Context {
        today: local.date_naive(),
        now: local.time(),
        near,
    };
    let vocabulary = state.search.vocabulary(&state);
    let parsed = query::parse(&text, &vocabulary, &context);
    let sort = params.sort.unwrap_or(Sort::Recommended);
    let limit = (page.offset() + page.per_page) as usize;
    let key = (
        serde_json::to_string(&parsed).unwrap_or_default(),
        sort,
        limit,
        near.map(|(lat, lng)| ((lat * 1e3) as i64, (lng * 1e3) as i64)),
        now.timestamp() / 3600,
    );
    let outcome = state
        .search
        .answer(key, || {
            relax::run(
                &state.search.index,
                &parsed,
                &state.areas,
                near,
                sort,
                now.timestamp(),
                limit,
            )
        })
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let total = outcome.total as u64;
    let shown: Vec<Hit> = outcome
        .hits
        .iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .cloned()
        .collect();
    // The next open slot is looked for in the window actually searched.
    let mut window = parsed.clone();
    if outcome.relaxed.contains(&"time") {
        (window.time_from, window.time_to) = (None, None);
    }
    if outcome.relaxed.contains(&"date") {
        (window.date_from, window.date_to) = (None, None);
    }
    let results = results(&state, &shown, &window, context.today, now).await?;
    log(&state, &text, &parsed, total).await;
    Ok(Json(SearchResponse {
        parsed,
        results,
        relaxed: outcome.relaxed.clone(),
        message: outcome.message.clone(),
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

fn stored(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The cards of one page: stored fields from the index, the next open slot from the engine.
async fn results(
    state: &AppState,
    hits: &[Hit],
    parsed: &Parsed,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<SearchResult>> {
    let searcher = state.search.index.reader.searcher();
    let f = state.search.index.fields;
    let mut cards = Vec::with_capacity(hits.len());
    for hit in hits {
        let doc: TantivyDocument = searcher
            .doc(hit.address)
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
        let photo = stored(&doc, f.photo_url);
        cards.push(SearchResult {
            instructor_id: stored(&doc, f.instructor_id),
            display_name: stored(&doc, f.display_name),
            photo_url: (!photo.is_empty()).then_some(photo),
            service: ResultService {
                id: stored(&doc, f.offering_id),
                service_id: doc
                    .get_first(f.service_id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default()
                    .to_string(),
                name: stored(&doc, f.service_name),
            },
            price_cents_per_hour: hit.price_cents,
            format: hit.format.as_str().to_string(),
            rating: (hit.reviews >= 3).then_some(hit.rating),
            review_count: hit.reviews,
            distance_km: hit.distance_km.map(|km| (km * 10.0).round() / 10.0),
            next_slot: None,
            score: (hit.score * 1000.0).round() / 1000.0,
        });
    }
    let from = parsed.date_from.unwrap_or(today).max(today);
    let to = parsed
        .date_to
        .unwrap_or(from + Duration::days(13))
        .max(from);
    let (start, end) = (parsed.time_from, parsed.time_to);
    let wanted: Vec<(String, slots::Format)> = cards
        .iter()
        .zip(hits)
        .map(|(card, hit)| (card.instructor_id.clone(), hit.format))
        .collect();
    let rules = state.rules.clone();
    let firsts = state
        .db
        .read(move |c| {
            let mut firsts = Vec::with_capacity(wanted.len());
            for (id, format) in &wanted {
                firsts.push(next_open(
                    c,
                    &rules,
                    id,
                    *format,
                    (from, to),
                    (start, end),
                    now,
                )?);
            }
            Ok(firsts)
        })
        .await?;
    for (card, first) in cards.iter_mut().zip(firsts) {
        card.next_slot = first.map(rfc3339);
    }
    Ok(cards)
}

/// The first open 60-minute start of `id` between the dates whose local time lies in the
/// times asked (in the instructor's zone, which in one operator region is the student's).
fn next_open(
    c: &rusqlite::Connection,
    rules: &crate::availability::RulesCache,
    id: &str,
    format: slots::Format,
    (from, to): (NaiveDate, NaiveDate),
    (start, end): (Option<NaiveTime>, Option<NaiveTime>),
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let timezone = crate::instructors::store::profile(c, id)?
        .map(|p| p.timezone)
        .unwrap_or_else(|| REGION_ZONE.to_string());
    let tz: Tz = timezone.parse().unwrap_or(chrono_tz::America::New_York);
    let (_, rules) = rules.rules_of(c, id, &timezone)?;
    let busy = crate::availability::store::busy(
        c,
        id,
        now - Duration::days(1),
        now + Duration::days(i64::from(rules.horizon_days) + 2),
        None,
    )?;
    let request = Request {
        from,
        to,
        duration_min: 60,
        format,
        now,
    };
    Ok(slots::open_slots(&rules, tz, &busy, &request)
        .into_iter()
        .map(|s| s.start)
        .find(|at| {
            let time = at.with_timezone(&tz).time();
            start.is_none_or(|s| time >= s) && end.is_none_or(|e| time < e)
        }))
}

/// Records the search for admins (zero-result queries above all). A failure to log never
/// fails the search.
async fn log(state: &AppState, text: &str, parsed: &Parsed, total: u64) {
    let (text, parsed, now) = (
        text.to_string(),
        serde_json::to_string(parsed).unwrap_or_default(),
        to_db(state.clock.now()),
    );
    let written = state
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO search_log (query, parsed, results, created_at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![text, parsed, i64::try_from(total).unwrap_or(i64::MAX), now],
            )?;
            Ok(())
        })
        .await;
    if let Err(err) = written {
        tracing::warn!(%err, "could not log a search");
    }
}

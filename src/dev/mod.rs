//! Development and test endpoints: the test clock, running due jobs, and the mail outbox.
//! The clock endpoints answer 404 unless `dev.test_clock = true`; the outbox answers 404 unless
//! the email transport is `outbox`.

use axum::extract::{Query, State};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::common::time::{rfc3339, serde_rfc3339};
use crate::error::{AppError, AppResult};
use crate::http::Json;
use crate::notifications::outbox::{self, OutboxItem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_clock, set_clock))
        .routes(routes!(run_jobs))
        .routes(routes!(list_outbox))
}

#[derive(Serialize, ToSchema)]
pub struct ClockState {
    /// The app's current time, RFC 3339 UTC.
    now: String,
    /// How many jobs ran because of this call.
    jobs_run: usize,
}

/// Exactly one of `now` and `advance_seconds`.
#[derive(Deserialize, ToSchema)]
pub struct SetClock {
    #[serde(default, with = "option_rfc3339")]
    #[schema(value_type = Option<String>, example = "2026-12-01T15:00:00Z")]
    now: Option<DateTime<Utc>>,
    advance_seconds: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct JobsRun {
    jobs_run: usize,
}

#[derive(Serialize, ToSchema)]
pub struct Outbox {
    items: Vec<OutboxItem>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only mail sent to this address.
    to: Option<String>,
}

fn require_test_clock(state: &AppState) -> AppResult<()> {
    if state.config.dev.test_clock && state.clock.is_manual() {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// The app's clock (test clock only).
#[utoipa::path(get, path = "/api/v1/dev/clock", tag = "dev",
    responses((status = 200, body = ClockState), (status = 404, description = "test clock is off")))]
async fn get_clock(State(state): State<AppState>) -> AppResult<Json<ClockState>> {
    require_test_clock(&state)?;
    Ok(Json(ClockState {
        now: rfc3339(state.clock.now()),
        jobs_run: 0,
    }))
}

/// Sets or advances the clock, running every job that falls due on the way, in order.
#[utoipa::path(post, path = "/api/v1/dev/clock", tag = "dev", request_body = SetClock,
    responses((status = 200, body = ClockState), (status = 404, description = "test clock is off"),
              (status = 422, description = "neither or both of now and advance_seconds")))]
async fn set_clock(
    State(state): State<AppState>,
    Json(body): Json<SetClock>,
) -> AppResult<Json<ClockState>> {
    require_test_clock(&state)?;
    let target = match (body.now, body.advance_seconds) {
        (Some(now), None) => now,
        (None, Some(secs)) if secs >= 0 => state.clock.now() + Duration::seconds(secs),
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "dev.invalid_clock",
                "advance_seconds",
                "must not be negative",
            ));
        }
        _ => {
            return Err(AppError::invalid(
                "dev.invalid_clock",
                "now",
                "give exactly one of now and advance_seconds",
            ));
        }
    };
    let jobs_run = state.jobs.advance_clock(&state, target).await?;
    Ok(Json(ClockState {
        now: rfc3339(state.clock.now()),
        jobs_run,
    }))
}

/// Runs every job that is due now (test clock only).
#[utoipa::path(post, path = "/api/v1/dev/jobs/run", tag = "dev",
    responses((status = 200, body = JobsRun), (status = 404, description = "test clock is off")))]
async fn run_jobs(State(state): State<AppState>) -> AppResult<Json<JobsRun>> {
    require_test_clock(&state)?;
    Ok(Json(JobsRun {
        jobs_run: state.jobs.run_due(&state).await?,
    }))
}

/// Mail kept by the `outbox` transport, newest first.
#[utoipa::path(get, path = "/api/v1/dev/outbox", tag = "dev", params(OutboxQuery),
    responses((status = 200, body = Outbox), (status = 404, description = "transport is not outbox")))]
async fn list_outbox(
    State(state): State<AppState>,
    Query(query): Query<OutboxQuery>,
) -> AppResult<Json<Outbox>> {
    if !state.mailer.uses_outbox() {
        return Err(AppError::not_found());
    }
    let items = state
        .db
        .read(move |c| Ok(outbox::list(c, query.to.as_deref(), 200)?))
        .await?;
    Ok(Json(Outbox { items }))
}

mod option_rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::serde_rfc3339")] DateTime<Utc>);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(at)| at))
    }
}

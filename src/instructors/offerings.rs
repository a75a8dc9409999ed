//! The services an instructor offers: durations, audiences, skill levels and an hourly rate per
//! format, checked against the catalog and the market's floors and cap.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, OfferingRow};
use crate::app::AppState;
use crate::auth::secrets::new_id;
use crate::catalog::{AgeGroup, Catalog};
use crate::common::time::to_db;
use crate::config::MarketConfig;
use crate::error::{AppError, AppResult};

pub const SKILL_LEVELS: [&str; 3] = ["beginner", "intermediate", "advanced"];

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Rates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel_cents_per_hour: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub studio_cents_per_hour: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_cents_per_hour: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct OfferingInput {
    /// The catalog service id.
    pub service_id: String,
    pub description: Option<String>,
    pub durations_min: Vec<u16>,
    pub age_groups: Vec<AgeGroup>,
    pub skill_levels: Option<Vec<String>>,
    pub rates: Rates,
}

#[derive(Serialize, ToSchema)]
pub struct OfferingView {
    /// The instructor service id (what bookings and slots refer to).
    pub id: String,
    /// The catalog service id.
    pub service_id: String,
    pub service_name: String,
    pub description: String,
    pub durations_min: Vec<u16>,
    pub age_groups: Vec<AgeGroup>,
    pub skill_levels: Vec<String>,
    pub rates: Rates,
}

pub fn view(catalog: &Catalog, o: &OfferingRow) -> OfferingView {
    OfferingView {
        id: o.id.clone(),
        service_id: o.service_id.to_string(),
        service_name: catalog
            .service(o.service_id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        description: o.description.clone(),
        durations_min: o.durations.clone(),
        age_groups: o.age_groups.clone(),
        skill_levels: o.skill_levels.clone(),
        rates: Rates {
            travel_cents_per_hour: o.travel,
            studio_cents_per_hour: o.studio,
            online_cents_per_hour: o.online,
        },
    }
}

/// Floors (in person and online, pro-rated by duration since they are hourly) and the cap.
pub fn validate_rates(market: &MarketConfig, rates: &Rates, field: &str) -> AppResult<()> {
    let checks = [
        (
            "travel_cents_per_hour",
            rates.travel_cents_per_hour,
            market.rate_floor_in_person_cents,
        ),
        (
            "studio_cents_per_hour",
            rates.studio_cents_per_hour,
            market.rate_floor_in_person_cents,
        ),
        (
            "online_cents_per_hour",
            rates.online_cents_per_hour,
            market.rate_floor_online_cents,
        ),
    ];
    if checks.iter().all(|(_, rate, _)| rate.is_none()) {
        return Err(AppError::invalid(
            "request.invalid_field",
            &format!("{field}.rates"),
            "set a rate for at least one format",
        ));
    }
    for (name, rate, floor) in checks {
        let Some(rate) = rate else { continue };
        let key = format!("{field}.rates.{name}");
        if rate < floor {
            return Err(AppError::invalid(
                "instructor.rate_below_floor",
                &key,
                format!("must be at least {} cents an hour", floor),
            ));
        }
        if rate > market.rate_cap_cents {
            return Err(AppError::invalid(
                "instructor.rate_above_cap",
                &key,
                format!("must be at most {} cents an hour", market.rate_cap_cents),
            ));
        }
    }
    Ok(())
}

fn check(
    catalog: &Catalog,
    market: &MarketConfig,
    i: usize,
    input: &OfferingInput,
    existing: &[OfferingRow],
) -> AppResult<OfferingRow> {
    let field = format!("services[{i}]");
    let bad = |key: &str, message: &str| {
        AppError::invalid("request.invalid_field", &format!("{field}.{key}"), message)
    };
    let service = input
        .service_id
        .parse::<i64>()
        .ok()
        .and_then(|id| catalog.service(id))
        .filter(|s| !s.hidden)
        .ok_or_else(|| bad("service_id", "is not a service in the catalog"))?;
    let description = input
        .description
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    if description.chars().count() > 500 {
        return Err(bad("description", "must be at most 500 characters"));
    }
    let mut durations = input.durations_min.clone();
    durations.sort_unstable();
    durations.dedup();
    if durations.is_empty()
        || durations
            .iter()
            .any(|d| !(30..=240).contains(d) || d % 15 != 0)
    {
        return Err(bad(
            "durations_min",
            "choose lengths from 30 to 240 minutes in 15-minute steps",
        ));
    }
    let mut ages = input.age_groups.clone();
    ages.sort();
    ages.dedup();
    if ages.is_empty() || ages.iter().any(|a| !service.age_groups.contains(a)) {
        return Err(bad("age_groups", "choose among the service's age groups"));
    }
    let skills = input
        .skill_levels
        .clone()
        .unwrap_or_else(|| SKILL_LEVELS.iter().map(|s| s.to_string()).collect());
    if skills.is_empty() || skills.iter().any(|s| !SKILL_LEVELS.contains(&s.as_str())) {
        return Err(bad(
            "skill_levels",
            "choose among beginner, intermediate and advanced",
        ));
    }
    if input.rates.online_cents_per_hour.is_some() && !service.online_capable {
        return Err(AppError::invalid(
            "instructor.online_not_offered",
            &format!("{field}.rates.online_cents_per_hour"),
            "this service cannot be taught online",
        ));
    }
    validate_rates(market, &input.rates, &field)?;
    let id = existing
        .iter()
        .find(|o| o.service_id == service.id)
        .map_or_else(new_id, |o| o.id.clone());
    Ok(OfferingRow {
        id,
        service_id: service.id,
        description,
        durations,
        age_groups: ages,
        skill_levels: skills,
        travel: input.rates.travel_cents_per_hour,
        studio: input.rates.studio_cents_per_hour,
        online: input.rates.online_cents_per_hour,
    })
}

/// Replaces the whole set; a service listed twice is refused.
pub async fn replace(
    state: &AppState,
    user_id: &str,
    inputs: Vec<OfferingInput>,
) -> AppResult<Vec<OfferingRow>> {
    super::profile::own(state, user_id).await?;
    if inputs.len() > 20 {
        return Err(AppError::invalid(
            "request.invalid_field",
            "services",
            "at most 20 services",
        ));
    }
    let id = user_id.to_string();
    let existing = state
        .db
        .read(move |c| Ok(store::offerings_of(c, &id)?))
        .await?;
    let catalog = state.catalog.get();
    let mut rows: Vec<OfferingRow> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let row = check(&catalog, &state.config.market, i, input, &existing)?;
        if rows.iter().any(|r| r.service_id == row.service_id) {
            return Err(AppError::invalid(
                "request.invalid_field",
                &format!("services[{i}].service_id"),
                "is listed twice",
            ));
        }
        rows.push(row);
    }
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    let saved = rows.clone();
    state
        .db
        .write(move |tx| Ok(store::replace_offerings(tx, &id, &saved, now)?))
        .await?;
    Ok(rows)
}

//! The demo student's first lessons, booked through the real booking path (so their payment
//! jobs, notices and ledger rows are the real ones): one with each of two demo instructors
//! (the first who have a free hour; a travel lesson goes to a demo address in their first
//! area), on different days next week, so both dashboards have something to show.

use chrono::{Duration, Timelike};
use chrono_tz::Tz;

use super::STUDENT_EMAIL;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::store as accounts;
use crate::availability::slots::{self, Format, Request, Slot};
use crate::bookings::NewBooking;
use crate::error::{AppError, AppResult};
use crate::instructors::{self, Listing};

const LESSONS: usize = 2;

pub async fn book(state: &AppState) -> AppResult<usize> {
    let student = state
        .db
        .read(|c| Ok(accounts::user_by_email(c, STUDENT_EMAIL)?))
        .await?
        .ok_or_else(AppError::not_found)?;
    let me = CurrentUser {
        user: student,
        session_id: None,
        csrf_token: None,
    };
    let mut booked = 0;
    for n in 1..=20 {
        if booked == LESSONS {
            break;
        }
        let email = format!("instructor{n:04}@demo.instainstru.local");
        let Some(teacher) = state
            .db
            .read(move |c| Ok(accounts::user_by_email(c, &email)?))
            .await?
        else {
            break;
        };
        let listing = instructors::visible(state, &teacher.id, false).await?;
        let first_day = 3 + 2 * i64::try_from(booked).unwrap_or(0);
        let Some(input) = first_lesson(state, &listing, first_day).await? else {
            continue;
        };
        crate::bookings::book(state, &me, input).await?;
        booked += 1;
    }
    Ok(booked)
}

/// A booking of the instructor's first service at their first free hour from `first_day` days
/// on, when there is one.
async fn first_lesson(
    state: &AppState,
    listing: &Listing,
    first_day: i64,
) -> AppResult<Option<NewBooking>> {
    let Some(offering) = listing.offerings.first() else {
        return Ok(None);
    };
    let Some(format) = [Format::Online, Format::Studio, Format::Travel]
        .into_iter()
        .find(|f| offering.rate(*f).is_some())
    else {
        return Ok(None);
    };
    let (address, area) = match (format, listing.areas.first()) {
        (Format::Travel, None) => return Ok(None),
        (Format::Travel, Some(slug)) => {
            let name = state
                .areas
                .get(slug)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            (Some(format!("100 Demo Street, {name}")), Some(slug.clone()))
        }
        _ => (None, None),
    };
    let Some(&minutes) = offering.durations.iter().min() else {
        return Ok(None);
    };
    let (cache, id, zone) = (
        state.rules.clone(),
        listing.profile.user_id.clone(),
        listing.profile.timezone.clone(),
    );
    let (_, rules) = state
        .db
        .read(move |c| cache.rules_of(c, &id, &zone))
        .await?;
    let tz: Tz = listing.profile.timezone.parse().unwrap_or(chrono_tz::UTC);
    let now = state.clock.now();
    let day = slots::local_today(tz, now) + Duration::days(first_day);
    let request = Request {
        from: day,
        to: day + Duration::days(6),
        duration_min: minutes,
        format,
        now,
    };
    let open = slots::open_slots(&rules, tz, &[], &request);
    let on_the_hour = |s: &&Slot| s.start.minute() == 0 && s.start.with_timezone(&tz).hour() >= 10;
    let Some(slot) = open.iter().find(on_the_hour).or(open.first()) else {
        return Ok(None);
    };
    Ok(Some(NewBooking {
        instructor_id: listing.profile.user_id.clone(),
        instructor_service_id: offering.id.clone(),
        format,
        start: slot.start,
        duration_min: minutes,
        address,
        area,
        note: Some("Looking forward to it!".into()),
        payment_method_id: "pm_card_visa".into(),
        use_credits: false,
    }))
}

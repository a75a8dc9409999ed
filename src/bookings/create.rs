//! Instant booking (SPEC 5): validate against the instructor's offer, availability and the
//! calendars, price it, and create it with its credit reservation in one write transaction
//! that re-checks the time is still free.
//!
//! A lesson at least 24 h away is confirmed at once with its payment `scheduled` (a job
//! authorises at T-24h). A nearer lesson is authorised before it is confirmed: the booking
//! holds the slot as `pending_payment` while the provider is asked, then becomes `confirmed`,
//! or disappears (402) when the card is refused. A recovery job finishes a pending booking
//! whose request died half way.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{BookingRow, Party, PaymentStatus, Status};
use super::pricing::{self, Price};
use super::{authorize, jobs, store, view};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::secrets::new_id;
use crate::availability::document;
use crate::availability::slots::{self, Format, Refusal};
use crate::common::time::{serde_rfc3339, to_db};
use crate::credits::store as credits;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::instructors;
use crate::jobs::{NewJob, enqueue};
use crate::payments::idempotency::{self, Key};
use crate::payments::{Card, customers};

/// A lesson at least this far away is paid by a job at T-24h instead of at once.
pub const AUTHORIZE_BEFORE: Duration = Duration::hours(24);

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub instructor_id: String,
    /// The instructor's service id (or the catalog service id).
    pub instructor_service_id: String,
    pub format: Format,
    #[serde(with = "serde_rfc3339")]
    #[schema(value_type = String, example = "2026-12-08T15:00:00Z")]
    pub start: DateTime<Utc>,
    pub duration_min: u16,
    /// Where a travel lesson happens; it must name a neighborhood or borough the instructor
    /// serves (or send `area`).
    pub address: Option<String>,
    /// The area slug of a travel address, when the address does not name it.
    pub area: Option<String>,
    /// For the instructor, at most 1000 characters.
    pub note: Option<String>,
    /// A saved card's id, or a provider payment method (`pm_card_visa` on `simulated`), which is
    /// saved for next time. Required to book; a quote may leave it out.
    #[serde(default)]
    pub payment_method_id: String,
    /// Spend available credit on the lesson price (never on the fee).
    #[serde(default)]
    pub use_credits: bool,
}

/// Everything checked and looked up before the write.
pub struct Plan {
    pub row: BookingRow,
    pub cents_per_hour: i64,
    pub use_credits: bool,
    /// A provider payment method to save for the student in the same transaction.
    pub new_card: Option<crate::payments::Card>,
    pub tz: Tz,
    pub rules: std::sync::Arc<document::Rules>,
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::OffGrid => AppError::invalid(
            "booking.invalid_start",
            "start",
            "lessons start on the quarter hour of the instructor's time zone",
        ),
        Refusal::TooSoon => AppError::invalid(
            "booking.too_soon",
            "start",
            "is inside the instructor's minimum notice",
        ),
        Refusal::TooFar => AppError::invalid(
            "booking.too_far",
            "start",
            "is beyond the instructor's booking horizon",
        ),
        Refusal::OutsideAvailability => AppError::invalid(
            "booking.outside_availability",
            "start",
            "the lesson does not fit in the instructor's availability",
        ),
        Refusal::Taken => slot_taken(),
    }
}

pub fn slot_taken() -> AppError {
    AppError::conflict(
        "booking.slot_taken",
        "Someone just booked this time; pick another slot.",
    )
    .with_field("start", "is no longer free")
}

fn student_overlap() -> AppError {
    AppError::invalid(
        "booking.student_overlap",
        "start",
        "you already have a lesson at this time",
    )
}

/// Checks `input` for `student` and prices nothing yet; `except` is a booking being replaced.
pub async fn plan(
    state: &AppState,
    student: &CurrentUser,
    input: &NewBooking,
    except: Option<String>,
    quoting: bool,
) -> AppResult<Plan> {
    if student.user.email_verified_at.is_none() {
        return Err(AppError::invalid(
            "booking.email_unverified",
            "email",
            "confirm your email address before booking",
        ));
    }
    if let Some(note) = &input.note
        && note.chars().count() > 1000
    {
        return Err(AppError::invalid(
            "booking.note_too_long",
            "note",
            "at most 1000 characters",
        ));
    }
    let now = state.clock.now();
    let (student_id, start, format, duration) = (
        student.user.id.clone(),
        input.start,
        input.format,
        input.duration_min,
    );
    let card_ref = input.payment_method_id.trim().to_string();
    let end = start + Duration::minutes(i64::from(duration));
    let except_id = except.clone();
    let cache = state.rules.clone();
    let listing =
        instructors::visible_with(state, &input.instructor_id, false, move |c, profile| {
            let (_, rules) = cache.rules_of(c, &profile.user_id, &profile.timezone)?;
            let busy = store::busy(c, &profile.user_id, start, end, except_id.as_deref())?;
            let overlap =
                store::student_overlaps(c, &student_id, start, end, except_id.as_deref())?;
            let completed = store::completed_since(c, &profile.user_id, now - Duration::days(30))?;
            let saved = saved_card(c, &student_id, &card_ref)?;
            Ok((rules, busy, overlap, completed, saved))
        })
        .await;
    let (instructor, (rules, busy, overlap, completed, saved)) = match listing {
        Ok(found) => found,
        Err(err) if err.kind == ErrorKind::NotFound => {
            return Err(AppError::invalid(
                "booking.instructor_unavailable",
                "instructor_id",
                "is not an instructor taking bookings",
            ));
        }
        Err(err) => return Err(err),
    };
    let offering = instructor
        .offerings
        .iter()
        .find(|o| {
            o.id == input.instructor_service_id
                || o.service_id.to_string() == input.instructor_service_id
        })
        .ok_or_else(|| {
            AppError::invalid(
                "booking.service_not_offered",
                "instructor_service_id",
                "is not a service of this instructor",
            )
        })?;
    let cents_per_hour = offering.rate(format).ok_or_else(|| {
        AppError::invalid(
            "booking.format_not_offered",
            "format",
            "is not offered for this service",
        )
    })?;
    if !offering.durations.contains(&duration) {
        return Err(AppError::invalid(
            "booking.duration_not_offered",
            "duration_min",
            "is not one of the lengths offered for this service",
        ));
    }
    let (address, area_slug) = travel_place(state, input, &instructor.areas)?;
    let tz: Tz = instructor
        .profile
        .timezone
        .parse()
        .unwrap_or(chrono_tz::UTC);
    slots::check_start(&rules, tz, &busy, format, duration, start, now).map_err(refusal)?;
    if overlap {
        return Err(student_overlap());
    }
    let (payment_method_ref, new_card) = match saved {
        Some(provider_ref) => (provider_ref, None),
        None if quoting && input.payment_method_id.trim().is_empty() => (String::new(), None),
        None => {
            let customer = customers::ensure(state, &student.user.id, &student.user.email)
                .await?
                .map_err(|_| authorize::payment_unavailable())?;
            let card = state
                .payments
                .save_payment_method(input.payment_method_id.trim(), customer.as_deref())
                .await
                .map_err(|_| {
                    AppError::invalid(
                        "payment.invalid_method",
                        "payment_method_id",
                        "is not one of your saved cards or a payment method the provider knows",
                    )
                })?;
            (card.payment_method_id.clone(), Some(card))
        }
    };
    let service_name = state
        .catalog
        .get()
        .service(offering.service_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let commission_bps = pricing::commission_bps(completed, instructor.profile.founding);
    let quote = pricing::price(
        cents_per_hour,
        i64::from(duration),
        0,
        commission_bps,
        state.config.market.service_fee_bps,
    );
    let row = BookingRow {
        id: new_id(),
        student_id: student.user.id.clone(),
        instructor_id: instructor.profile.user_id.clone(),
        instructor_service_id: offering.id.clone(),
        service_id: offering.service_id,
        service_name,
        format,
        start,
        end,
        duration_min: duration,
        timezone: instructor.profile.timezone.clone(),
        address,
        area_slug,
        note: input.note.clone().filter(|n| !n.trim().is_empty()),
        status: Status::Confirmed,
        lesson_price_cents: quote.lesson_price_cents,
        service_fee_cents: quote.service_fee_cents,
        credits_applied_cents: 0,
        total_charge_cents: quote.total_charge_cents,
        commission_bps,
        commission_cents: quote.commission_cents,
        instructor_payout_cents: quote.instructor_payout_cents,
        payment_status: PaymentStatus::Scheduled,
        payment_method_ref,
        payment_intent: None,
        authorize_attempts: 0,
        policy_start: start,
        late_reschedules: 0,
        rescheduled_from: None,
        rescheduled_to: None,
        cancelled_by: None,
        cancel_reason: None,
        cancelled_at: None,
        cancel_policy: None,
        cancel_refund_cents: None,
        cancel_credit_cents: None,
        cancel_payout_cents: None,
        completed_at: None,
        settled_at: None,
        created_at: now,
    };
    Ok(Plan {
        row,
        cents_per_hour,
        use_credits: input.use_credits,
        new_card,
        tz,
        rules,
    })
}

/// The provider reference of the student's saved card named by `id` or by its reference.
pub(super) fn saved_card(
    c: &Connection,
    student_id: &str,
    id: &str,
) -> rusqlite::Result<Option<String>> {
    rusqlite::OptionalExtension::optional(
        c.prepare_cached(
            "SELECT provider_ref FROM payment_methods WHERE user_id = ?1 AND (id = ?2 OR provider_ref = ?2)",
        )?
        .query_row(params![student_id, id], |r| r.get(0)),
    )
}

/// The address and area of a travel lesson (none for studio and online lessons).
fn travel_place(
    state: &AppState,
    input: &NewBooking,
    served: &[String],
) -> AppResult<(Option<String>, Option<String>)> {
    if input.format != Format::Travel {
        return Ok((None, None));
    }
    let address = input
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "booking.address_required",
                "address",
                "a travel lesson needs the address to come to",
            )
        })?;
    if address.chars().count() > 300 {
        return Err(AppError::invalid(
            "booking.address_too_long",
            "address",
            "at most 300 characters",
        ));
    }
    let area = match input.area.as_deref() {
        Some(slug) => state.areas.get(slug).ok_or_else(|| {
            AppError::invalid("booking.unknown_area", "area", "is not an area we know")
        })?,
        None => state.areas.mentioned_in(address).ok_or_else(|| {
            AppError::invalid(
                "booking.address_unrecognized",
                "address",
                "name the neighborhood or borough (e.g. \"Park Slope, Brooklyn\")",
            )
        })?,
    };
    if !served.iter().any(|s| state.areas.covers(s, &area.slug)) {
        return Err(AppError::invalid(
            "booking.outside_service_area",
            "address",
            format!(
                "{} is outside the areas this instructor travels to",
                area.name
            ),
        ));
    }
    Ok((Some(address.to_string()), Some(area.slug.clone())))
}

/// The price for the student now, with the credit they would spend.
pub async fn quote(
    state: &AppState,
    student: &CurrentUser,
    input: &NewBooking,
) -> AppResult<Price> {
    let plan = plan(state, student, input, None, true).await?;
    let (user_id, now) = (student.user.id.clone(), state.clock.now());
    let balance = if plan.use_credits {
        state
            .db
            .read(move |c| Ok(credits::balance(c, &user_id, now)?))
            .await?
    } else {
        0
    };
    Ok(price_with_credits(state, &plan, balance))
}

fn price_with_credits(state: &AppState, plan: &Plan, credits: i64) -> Price {
    pricing::price(
        plan.cents_per_hour,
        i64::from(plan.row.duration_min),
        credits,
        plan.row.commission_bps,
        state.config.market.service_fee_bps,
    )
}

/// Re-checks, inside the write, that nobody took the time since the plan was made.
pub fn recheck(
    tx: &Transaction<'_>,
    plan: &Plan,
    except: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let b = &plan.row;
    let busy = store::busy(tx, &b.instructor_id, b.start, b.end, except)?;
    slots::check_start(
        &plan.rules,
        plan.tz,
        &busy,
        b.format,
        b.duration_min,
        b.start,
        now,
    )
    .map_err(refusal)?;
    if store::student_overlaps(tx, &b.student_id, b.start, b.end, except)? {
        return Err(student_overlap());
    }
    Ok(())
}

/// Keeps a card the student paid with for next time (the first becomes the default).
pub(super) fn save_card(
    tx: &Connection,
    student_id: &str,
    card: &Card,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO payment_methods (id, user_id, provider_ref, brand, last4, is_default, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, NOT EXISTS (SELECT 1 FROM payment_methods WHERE user_id = ?2), ?6)
         ON CONFLICT (user_id, provider_ref) DO NOTHING",
        params![new_id(), student_id, card.payment_method_id, card.brand, card.last4, to_db(now)],
    )?;
    Ok(())
}

/// Inserts the planned booking with its credit reservation and price; returns the row. A new
/// card is saved with a confirmed booking; a booking waiting for its authorisation saves it
/// only once the card is accepted (a refused card must not become the default).
pub fn insert(
    tx: &Transaction<'_>,
    state: &AppState,
    plan: &Plan,
    status: Status,
    now: DateTime<Utc>,
) -> AppResult<BookingRow> {
    if status == Status::Confirmed
        && let Some(card) = &plan.new_card
    {
        save_card(tx, &plan.row.student_id, card, now)?;
    }
    let mut row = plan.row.clone();
    row.status = status;
    store::insert(tx, &row, now)?;
    if plan.use_credits {
        // The reservation refers to the booking, so it comes second and the price follows it.
        let reserved = credits::reserve(tx, &row.student_id, &row.id, row.lesson_price_cents, now)?;
        let price = price_with_credits(state, plan, reserved);
        row.credits_applied_cents = price.credits_applied_cents;
        row.total_charge_cents = price.total_charge_cents;
        tx.execute(
            "UPDATE bookings SET credits_applied_cents = ?2, total_charge_cents = ?3 WHERE id = ?1",
            params![row.id, row.credits_applied_cents, row.total_charge_cents],
        )?;
    }
    Ok(row)
}

/// What the booking write decided.
enum Written {
    Confirmed(serde_json::Value),
    Pending(Box<BookingRow>),
    Replay(idempotency::Stored),
}

/// The answer to `POST /api/v1/bookings`.
pub enum Created {
    /// Status and JSON body, as stored for Idempotency-Key replays.
    Fresh(StatusCode, serde_json::Value),
    /// The stored answer of the first request with this key.
    Replay(idempotency::Stored),
}

/// Creates the booking for `POST /api/v1/bookings`.
pub async fn create(
    state: &AppState,
    student: &CurrentUser,
    input: NewBooking,
    key: Option<Key>,
) -> AppResult<Created> {
    let plan = plan(state, student, &input, None, false).await?;
    let now = state.clock.now();
    let immediate = plan.row.start - now < AUTHORIZE_BEFORE;
    let new_card = plan.new_card.clone();
    let (st, viewer) = (state.clone(), student.user.id.clone());
    let write_key = key.clone();
    let created = state
        .db
        .write(move |tx| {
            if let Some(key) = &write_key
                && let Some(stored) = idempotency::claim(tx, key, now)?
            {
                return Ok(Written::Replay(stored));
            }
            recheck(tx, &plan, None, now)?;
            let status = if immediate {
                Status::PendingPayment
            } else {
                Status::Confirmed
            };
            let row = insert(tx, &st, &plan, status, now)?;
            store::add_event(tx, &row.id, Party::Student, "booked", "", now)?;
            if immediate {
                // Finishes the booking if this request dies before the provider answers.
                enqueue(
                    tx,
                    &NewJob::new(
                        jobs::SETTLE_PENDING,
                        &jobs::Pending {
                            booking_id: row.id.clone(),
                            key: write_key.clone(),
                        },
                        now,
                    )
                    .run_at(now + Duration::minutes(2))
                    .dedupe(format!("booking:{}:settle_pending", row.id)),
                )?;
                return Ok(Written::Pending(Box::new(row)));
            }
            jobs::schedule_lifecycle(tx, &row, "confirmed", now)?;
            let body = serde_json::to_value(view::render(tx, row.clone(), &viewer, false, now)?)
                .map_err(AppError::internal)?;
            if let Some(key) = &write_key {
                idempotency::finish(tx, key, StatusCode::CREATED, &body.to_string())?;
            }
            Ok(Written::Confirmed(body))
        })
        .await?;
    state.jobs.wake();
    match created {
        Written::Confirmed(body) => Ok(Created::Fresh(StatusCode::CREATED, body)),
        Written::Replay(stored) => Ok(Created::Replay(stored)),
        Written::Pending(row) => {
            authorize::authorize_now(state, *row, &student.user.id, key, new_card)
                .await
                .map(|(status, body)| Created::Fresh(status, body))
        }
    }
}

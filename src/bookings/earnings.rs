//! Instructor earnings: per lesson gross (the lesson price, or the share a late cancellation
//! pays), commission, net and tips, with status `scheduled` (money not yet settled) or `paid`;
//! totals; the last 12 weeks for the chart; and the same rows as CSV.
//!
//! Tips count at 100% (they carry no commission) and are read from the ledger's `tip_capture`
//! rows, so this page needs nothing from the reviews domain above it. A tip reaches the
//! instructor when it is charged, so it counts as paid even while its lesson still settles.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{BookingRow, COLUMNS, Status};
use crate::app::AppState;
use crate::auth::Instructor;
use crate::common::money::dollars;
use crate::common::time::rfc3339;
use crate::error::AppResult;
use crate::http::Json;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(earnings))
        .routes(routes!(earnings_csv))
}

#[derive(Clone, Serialize, ToSchema)]
pub struct EarningsRow {
    booking_id: String,
    start: String,
    service_name: String,
    student_name: String,
    status: String,
    gross_cents: i64,
    commission_cents: i64,
    net_cents: i64,
    /// Tips go 100% to the instructor.
    tip_cents: i64,
}

#[derive(Default, Serialize, ToSchema)]
pub struct EarningsTotals {
    gross_cents: i64,
    commission_cents: i64,
    net_cents: i64,
    tip_cents: i64,
    /// Settled and sent to the payouts account (tips as soon as they are charged).
    paid_cents: i64,
    /// Booked or awaiting settlement.
    scheduled_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Week {
    /// The Monday the week starts on, in the instructor's zone.
    week_start: String,
    net_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Earnings {
    items: Vec<EarningsRow>,
    totals: EarningsTotals,
    /// The last 12 weeks, oldest first (net by lesson date).
    weeks: Vec<Week>,
    /// Payouts from the Stripe balance to the instructor's bank, newest first (Stripe only).
    payouts: Vec<Payout>,
}

#[derive(Serialize, ToSchema)]
pub struct Payout {
    id: String,
    amount_cents: i64,
    /// Stripe's payout status: `pending`, `in_transit`, `paid`, `failed`, `canceled`.
    status: String,
    arrival_at: Option<String>,
}

fn payouts(conn: &Connection, instructor_id: &str) -> rusqlite::Result<Vec<Payout>> {
    conn.prepare(
        "SELECT o.id, o.amount_cents, o.status, o.arrival_at FROM instructor_payouts o
         JOIN instructor_profiles p ON p.payouts_account = o.account
         WHERE p.user_id = ?1 ORDER BY o.arrival_at DESC, o.id LIMIT 50",
    )?
    .query_map([instructor_id], |r| {
        Ok(Payout {
            id: r.get(0)?,
            amount_cents: r.get(1)?,
            status: r.get(2)?,
            arrival_at: r
                .get::<_, Option<i64>>(3)?
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .map(rfc3339),
        })
    })?
    .collect()
}

/// A lesson with its student's name and the tips paid on it.
type Found = (BookingRow, String, i64);

/// One row per lesson that pays (or will pay) the instructor, newest first.
fn rows(conn: &Connection, instructor_id: &str) -> rusqlite::Result<Vec<Found>> {
    conn.prepare(&format!(
        "SELECT {COLUMNS}, (SELECT full_name FROM users u WHERE u.id = bookings.student_id),
            (SELECT COALESCE(SUM(l.amount_cents), 0) FROM ledger_entries l
             WHERE l.booking_id = bookings.id AND l.kind = 'tip_capture')
         FROM bookings
         WHERE instructor_id = ?1 AND (status IN ('confirmed', 'completed', 'no_show') OR cancel_payout_cents > 0)
         ORDER BY start_at DESC"
    ))?
    .query_map([instructor_id], |r| {
        Ok((
            BookingRow::from_row(r)?,
            r.get::<_, Option<String>>(40)?.unwrap_or_default(),
            r.get(41)?,
        ))
    })?
    .collect()
}

fn row_of(b: &BookingRow, student: &str, tip: i64) -> Option<EarningsRow> {
    let (gross, net) = match b.status {
        Status::Cancelled => {
            let net = b.cancel_payout_cents.unwrap_or(0);
            ((b.lesson_price_cents + 1) / 2, net)
        }
        // An absent instructor earns nothing (but keeps a tip already given).
        Status::NoShow
            if b.payment_status == super::model::PaymentStatus::Refunded
                || b.payment_status == super::model::PaymentStatus::Released =>
        {
            if tip == 0 {
                return None;
            }
            (0, 0)
        }
        _ => (b.lesson_price_cents, b.instructor_payout_cents),
    };
    Some(EarningsRow {
        booking_id: b.id.clone(),
        start: rfc3339(b.start),
        service_name: b.service_name.clone(),
        student_name: crate::auth::model::display_name(student),
        status: if b.settled_at.is_some() {
            "paid"
        } else {
            "scheduled"
        }
        .to_string(),
        gross_cents: gross,
        commission_cents: gross - net,
        net_cents: net,
        tip_cents: tip,
    })
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn summarize(
    items: &[(EarningsRow, DateTime<Utc>)],
    tz: Tz,
    now: DateTime<Utc>,
) -> (EarningsTotals, Vec<Week>) {
    let mut totals = EarningsTotals::default();
    let this_week = monday_of(now.with_timezone(&tz).date_naive());
    let mut weeks: Vec<Week> = (0..12)
        .rev()
        .map(|n| Week {
            week_start: (this_week - Duration::weeks(n)).to_string(),
            net_cents: 0,
        })
        .collect();
    for (row, start) in items {
        totals.gross_cents += row.gross_cents;
        totals.commission_cents += row.commission_cents;
        totals.net_cents += row.net_cents;
        totals.tip_cents += row.tip_cents;
        // Tips are paid out with their charge, whatever the lesson's own status.
        totals.paid_cents += row.tip_cents;
        if row.status == "paid" {
            totals.paid_cents += row.net_cents;
        } else {
            totals.scheduled_cents += row.net_cents;
        }
        let week = monday_of(start.with_timezone(&tz).date_naive()).to_string();
        if let Some(w) = weeks.iter_mut().find(|w| w.week_start == week) {
            w.net_cents += row.net_cents + row.tip_cents;
        }
    }
    (totals, weeks)
}

async fn load(
    state: &AppState,
    instructor_id: &str,
) -> AppResult<(Vec<(EarningsRow, DateTime<Utc>)>, Tz)> {
    let id = instructor_id.to_string();
    let (found, zone) = state
        .db
        .read(move |c| {
            let zone = crate::instructors::store::profile(c, &id)?
                .map(|p| p.timezone)
                .unwrap_or_default();
            Ok((rows(c, &id)?, zone))
        })
        .await?;
    let items = found
        .iter()
        .filter_map(|(b, student, tip)| row_of(b, student, *tip).map(|r| (r, b.start)))
        .collect();
    Ok((items, zone.parse().unwrap_or(chrono_tz::UTC)))
}

/// The instructor's earnings per lesson, totals and the last 12 weeks.
#[utoipa::path(get, path = "/api/v1/instructor/earnings", tag = "instructor", responses((status = 200, body = Earnings)))]
async fn earnings(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Json<Earnings>> {
    let (items, tz) = load(&state, &me.user.id).await?;
    let (totals, weeks) = summarize(&items, tz, state.clock.now());
    let id = me.user.id.clone();
    let payouts = state.db.read(move |c| Ok(payouts(c, &id)?)).await?;
    Ok(Json(Earnings {
        items: items.into_iter().map(|(r, _)| r).collect(),
        totals,
        weeks,
        payouts,
    }))
}

fn csv_field(raw: &str) -> String {
    // Quote everything; a leading formula character is neutralised for spreadsheets.
    let safe = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// The same rows as CSV (dollars with two decimals).
#[utoipa::path(get, path = "/api/v1/instructor/earnings.csv", tag = "instructor",
    responses((status = 200, content_type = "text/csv", body = String)))]
async fn earnings_csv(
    State(state): State<AppState>,
    Instructor(me): Instructor,
) -> AppResult<Response> {
    let (items, _) = load(&state, &me.user.id).await?;
    let mut out =
        String::from("booking_id,start,service,student,status,gross,commission,net,tip\r\n");
    for (r, _) in items {
        let fields = [
            csv_field(&r.booking_id),
            csv_field(&r.start),
            csv_field(&r.service_name),
            csv_field(&r.student_name),
            csv_field(&r.status),
            dollars(r.gross_cents),
            dollars(r.commission_cents),
            dollars(r.net_cents),
            dollars(r.tip_cents),
        ];
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"earnings.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Piano"), "\"Piano\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(dollars(10_560), "105.60");
        assert_eq!(dollars(-5), "-0.05");
    }

    #[test]
    fn weeks_start_on_monday() {
        let wed = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            monday_of(wed),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
    }
}

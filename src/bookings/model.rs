//! The booking as stored, its statuses, and the row mapping.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::availability::slots::Format;
use crate::common::time::from_db;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

string_enum!(
    /// `pending_payment` only while an immediate authorisation is in flight.
    Status {
        PendingPayment = "pending_payment",
        Confirmed = "confirmed",
        Completed = "completed",
        Cancelled = "cancelled",
        NoShow = "no_show",
        PaymentFailed = "payment_failed",
    }
);

string_enum!(
    PaymentStatus {
        Scheduled = "scheduled",
        Authorized = "authorized",
        Captured = "captured",
        Locked = "locked",
        Released = "released",
        Refunded = "refunded",
        Failed = "failed",
    }
);

string_enum!(
    Party {
        Student = "student",
        Instructor = "instructor",
        System = "system",
        Admin = "admin",
    }
);

impl Status {
    /// Lessons that hold the instructor's and the student's time.
    pub fn holds_time(self) -> bool {
        matches!(self, Self::PendingPayment | Self::Confirmed)
    }
}

#[derive(Clone, Debug)]
pub struct BookingRow {
    pub id: String,
    pub student_id: String,
    pub instructor_id: String,
    pub instructor_service_id: String,
    pub service_id: i64,
    pub service_name: String,
    pub format: Format,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration_min: u16,
    pub timezone: String,
    pub address: Option<String>,
    pub area_slug: Option<String>,
    pub note: Option<String>,
    pub status: Status,
    pub lesson_price_cents: i64,
    pub service_fee_cents: i64,
    pub credits_applied_cents: i64,
    pub total_charge_cents: i64,
    pub commission_bps: i64,
    pub commission_cents: i64,
    pub instructor_payout_cents: i64,
    pub payment_status: PaymentStatus,
    pub payment_method_ref: String,
    pub payment_intent: Option<String>,
    pub authorize_attempts: i64,
    pub policy_start: DateTime<Utc>,
    pub late_reschedules: i64,
    pub rescheduled_from: Option<String>,
    pub rescheduled_to: Option<String>,
    pub cancelled_by: Option<Party>,
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_policy: Option<String>,
    pub cancel_refund_cents: Option<i64>,
    pub cancel_credit_cents: Option<i64>,
    pub cancel_payout_cents: Option<i64>,
    pub completed_at: Option<DateTime<Utc>>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub const COLUMNS: &str = "id, student_id, instructor_id, instructor_service_id, service_id, service_name, format,
    start_at, end_at, duration_min, timezone, address, area_slug, note, status, lesson_price_cents,
    service_fee_cents, credits_applied_cents, total_charge_cents, commission_bps, commission_cents,
    instructor_payout_cents, payment_status, payment_method_ref, payment_intent, authorize_attempts,
    policy_start_at, late_reschedules, rescheduled_from, rescheduled_to, cancelled_by, cancel_reason,
    cancelled_at, cancel_policy, cancel_refund_cents, cancel_credit_cents, cancel_payout_cents,
    completed_at, settled_at, created_at";

fn bad_value(column: usize, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unexpected value {value}").into(),
    )
}

fn parsed<T>(row: &Row<'_>, column: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let raw: String = row.get(column)?;
    parse(&raw).ok_or_else(|| bad_value(column, &raw))
}

fn format_of(raw: &str) -> Option<Format> {
    match raw {
        "travel" => Some(Format::Travel),
        "studio" => Some(Format::Studio),
        "online" => Some(Format::Online),
        _ => None,
    }
}

impl BookingRow {
    pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        let at = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
            Ok(r.get::<_, Option<i64>>(i)?.map(from_db))
        };
        let cancelled_by: Option<String> = r.get(30)?;
        Ok(Self {
            id: r.get(0)?,
            student_id: r.get(1)?,
            instructor_id: r.get(2)?,
            instructor_service_id: r.get(3)?,
            service_id: r.get(4)?,
            service_name: r.get(5)?,
            format: parsed(r, 6, format_of)?,
            start: from_db(r.get(7)?),
            end: from_db(r.get(8)?),
            duration_min: r.get(9)?,
            timezone: r.get(10)?,
            address: r.get(11)?,
            area_slug: r.get(12)?,
            note: r.get(13)?,
            status: parsed(r, 14, Status::parse)?,
            lesson_price_cents: r.get(15)?,
            service_fee_cents: r.get(16)?,
            credits_applied_cents: r.get(17)?,
            total_charge_cents: r.get(18)?,
            commission_bps: r.get(19)?,
            commission_cents: r.get(20)?,
            instructor_payout_cents: r.get(21)?,
            payment_status: parsed(r, 22, PaymentStatus::parse)?,
            payment_method_ref: r.get(23)?,
            payment_intent: r.get(24)?,
            authorize_attempts: r.get(25)?,
            policy_start: from_db(r.get(26)?),
            late_reschedules: r.get(27)?,
            rescheduled_from: r.get(28)?,
            rescheduled_to: r.get(29)?,
            cancelled_by: match cancelled_by {
                Some(raw) => Some(Party::parse(&raw).ok_or_else(|| bad_value(30, &raw))?),
                None => None,
            },
            cancel_reason: r.get(31)?,
            cancelled_at: at(32)?,
            cancel_policy: r.get(33)?,
            cancel_refund_cents: r.get(34)?,
            cancel_credit_cents: r.get(35)?,
            cancel_payout_cents: r.get(36)?,
            completed_at: at(37)?,
            settled_at: at(38)?,
            created_at: from_db(r.get(39)?),
        })
    }

    /// The money a cancellation policy needs.
    pub fn money(&self) -> super::policy::Money {
        super::policy::Money {
            lesson_price_cents: self.lesson_price_cents,
            credits_applied_cents: self.credits_applied_cents,
            total_charge_cents: self.total_charge_cents,
            instructor_payout_cents: self.instructor_payout_cents,
            locked: self.payment_status == PaymentStatus::Locked,
        }
    }
}

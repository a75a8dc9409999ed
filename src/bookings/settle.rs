//! Settling a booking's money, once its outcome is known: the provider calls first (each with an
//! idempotency key derived from the booking, so a rerun moves nothing twice), then one write
//! that records the ledger rows and marks the booking settled.
//!
//! | outcome | card | instructor | credit |
//! |---|---|---|---|
//! | completed, or the student was absent | captured | payout (LP - commission) | reserved credit used (forfeited when absent) |
//! | `full_release`, instructor cancel, instructor absent | released, or refunded with the fee when captured | 0 | given back at cancel time |
//! | `credit_full` | captured | 0 | used; the LP granted as new credit |
//! | `credit_half` | captured | half their payout | used; half the LP granted |
//!
//! The platform keeps what is left: the fee and commission, or the fee on a late cancellation.
//! A captured destination charge pays the instructor its amount minus the application fee; when
//! the instructor is owed more than the card paid (credit covered the lesson), a transfer tops
//! it up. A `locked` payment was captured with the platform holding everything, so the
//! instructor's share goes by transfer.
//!
//! Completed lessons settle at end + 24 h; a failed capture is retried every 4 h and admins are
//! alerted after 72 h.

use chrono::{Duration, Utc};

use super::model::{BookingRow, Party, PaymentStatus, Status};
use super::{complete, jobs, store};
use crate::app::AppState;
use crate::credits::store::{self as credits, NewGrant};
use crate::error::AppResult;
use crate::instructors;
use crate::jobs::JobError;
use crate::ledger::{self, Entry, Kind};
use crate::payments::PaymentError;

const CAPTURE_RETRY: Duration = Duration::hours(4);
const ALERT_AFTER: Duration = Duration::hours(72);

/// What settling means for this booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The lesson happened (or the student did not come): everyone is paid.
    Paid { absent_student: bool },
    /// Everything goes back to the student.
    Refund,
    /// The card is charged; the instructor gets `instructor`, the student `credit` as credit.
    Kept { instructor: i64, credit: i64 },
}

fn outcome_of(b: &BookingRow, report: Option<&store::NoShowRow>) -> Option<Outcome> {
    match b.status {
        Status::Completed => Some(Outcome::Paid {
            absent_student: false,
        }),
        Status::NoShow => Some(match report.map(|r| r.absent) {
            Some(Party::Instructor) => Outcome::Refund,
            _ => Outcome::Paid {
                absent_student: true,
            },
        }),
        Status::PaymentFailed => Some(Outcome::Refund),
        Status::Cancelled => match b.cancel_policy.as_deref() {
            Some("credit_full") | Some("credit_half") => Some(Outcome::Kept {
                instructor: b.cancel_payout_cents.unwrap_or(0),
                credit: b.cancel_credit_cents.unwrap_or(0),
            }),
            _ => Some(Outcome::Refund),
        },
        Status::Confirmed | Status::PendingPayment => None,
    }
}

/// The settle job: auto-completes a lesson 24 h after its end, then moves the money of any
/// booking whose outcome is known.
pub async fn settle(state: &AppState, id: &str) -> Result<(), JobError> {
    let now = state.clock.now();
    let booking_id = id.to_string();
    let found = state
        .db
        .read(move |c| {
            Ok(match store::get(c, &booking_id)? {
                Some(b) => {
                    let report = store::no_show(c, &b.id)?;
                    let account = instructors::store::payouts_account(c, &b.instructor_id)?;
                    let attempt: i64 = c.query_row(
                        "SELECT COUNT(*) FROM booking_events WHERE booking_id = ?1 AND kind = 'settle_failed'",
                        [&b.id],
                        |r| r.get(0),
                    )?;
                    Some((b, report, account, attempt))
                }
                None => None,
            })
        })
        .await?;
    let Some((mut b, report, account, attempt)) = found else {
        return Ok(());
    };
    if b.settled_at.is_some() {
        return Ok(());
    }
    let report_open = report
        .as_ref()
        .is_some_and(|r| r.state == "open" || r.state == "disputed");
    let due = now >= b.end + jobs::SETTLE_AFTER;
    match b.status {
        Status::Confirmed | Status::Completed if report_open || !due => return Ok(()),
        Status::Confirmed => {
            let booking_id = b.id.clone();
            let validity = state.config.market.credit_validity.chrono();
            b = state
                .db
                .write(move |tx| {
                    let b = store::get(tx, &booking_id)?
                        .ok_or_else(crate::error::AppError::not_found)?;
                    if b.status == Status::Confirmed {
                        complete::mark_completed(tx, &b, Party::System, validity, now)?;
                    }
                    store::get(tx, &booking_id)?.ok_or_else(crate::error::AppError::not_found)
                })
                .await?;
        }
        _ => {}
    }
    let Some(outcome) = outcome_of(&b, report.as_ref()) else {
        return Ok(());
    };
    match pay(state, &b, outcome, account.as_deref(), attempt).await {
        Ok(()) => Ok(()),
        Err(PaymentError::Unavailable(cause)) => Err(JobError::Retry(anyhow::anyhow!(cause))),
        Err(err) => {
            tracing::warn!(booking = %b.id, %err, "settling failed; retrying in 4 h");
            let (booking_id, end) = (b.id.clone(), b.end);
            state
                .db
                .write(move |tx| {
                    store::add_event(
                        tx,
                        &booking_id,
                        Party::System,
                        "settle_failed",
                        &err.to_string(),
                        now,
                    )?;
                    jobs::settle_at(tx, &booking_id, now + CAPTURE_RETRY, now)?;
                    if now >= end + jobs::SETTLE_AFTER + ALERT_AFTER {
                        jobs::notify(tx, &booking_id, "capture_stuck", now)?;
                    }
                    Ok(())
                })
                .await?;
            Ok(())
        }
    }
}

/// The provider calls for `outcome` (attempt number `attempt`), then the ledger.
async fn pay(
    state: &AppState,
    b: &BookingRow,
    outcome: Outcome,
    account: Option<&str>,
    attempt: i64,
) -> Result<(), PaymentError> {
    // A failed call moved nothing, and the provider replays a key's first answer, so each
    // attempt has its own keys; a repeat within one attempt replays.
    let id = format!("{}:{attempt}", b.id);
    let total = b.total_charge_cents;
    let intent = b.payment_intent.clone();
    let mut captured_now = false;
    let final_status = match outcome {
        Outcome::Refund => match (b.payment_status, &intent) {
            (PaymentStatus::Authorized, Some(intent)) => {
                state
                    .payments
                    .release(intent, &format!("booking:{id}:release"))
                    .await?;
                PaymentStatus::Released
            }
            (PaymentStatus::Captured | PaymentStatus::Locked, Some(intent)) => {
                state
                    .payments
                    .refund(intent, total, true, true, &format!("booking:{id}:refund"))
                    .await?;
                PaymentStatus::Refunded
            }
            _ => PaymentStatus::Released,
        },
        Outcome::Paid { .. } | Outcome::Kept { .. } => {
            let owed = match outcome {
                Outcome::Kept { instructor, .. } => instructor,
                _ => b.instructor_payout_cents,
            };
            let by_charge = match (b.payment_status, &intent) {
                (PaymentStatus::Authorized, Some(intent)) => {
                    let to_instructor = owed.min(total);
                    state
                        .payments
                        .capture(
                            intent,
                            total - to_instructor,
                            &format!("booking:{id}:capture"),
                        )
                        .await?;
                    captured_now = true;
                    to_instructor
                }
                (PaymentStatus::Captured | PaymentStatus::Locked, Some(_)) => 0,
                _ => return Err(PaymentError::Invalid("nothing to capture".into())),
            };
            if owed > by_charge {
                let destination = account.ok_or_else(|| {
                    PaymentError::Invalid("the instructor has no payouts account".into())
                })?;
                state
                    .payments
                    .transfer(
                        destination,
                        owed - by_charge,
                        &format!("booking:{id}:transfer"),
                    )
                    .await?;
            }
            PaymentStatus::Captured
        }
    };
    let (b, now) = (b.clone(), state.clock.now());
    let validity = state.config.market.credit_validity.chrono();
    state
        .db
        .write(move |tx| {
            if !store::mark_settled(tx, &b.id, now)? {
                return Ok(());
            }
            store::set_payment(tx, &b.id, final_status, None, now)?;
            record(tx, &b, outcome, captured_now, validity, now)?;
            store::add_event(
                tx,
                &b.id,
                Party::System,
                "settled",
                final_status.as_str(),
                now,
            )?;
            if matches!(outcome, Outcome::Paid { .. }) && captured_now {
                jobs::notify(tx, &b.id, "receipt", now)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    state.jobs.wake();
    Ok(())
}

/// The ledger rows (and credit moves) of a settlement.
fn record(
    tx: &rusqlite::Connection,
    b: &BookingRow,
    outcome: Outcome,
    captured_now: bool,
    credit_validity: Duration,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let at = crate::common::time::to_db(now);
    let entry = |kind: Kind, user: &str, amount: i64| -> AppResult<()> {
        let row = Entry {
            kind,
            booking_id: Some(&b.id),
            user_id: Some(user),
            amount_cents: amount,
            reference: b.payment_intent.as_deref(),
        };
        Ok(ledger::record(tx, &row, at)?)
    };
    if captured_now {
        entry(Kind::CardCapture, &b.student_id, b.total_charge_cents)?;
    }
    match outcome {
        Outcome::Refund => {
            let was_captured = matches!(
                b.payment_status,
                PaymentStatus::Captured | PaymentStatus::Locked
            );
            if was_captured {
                entry(Kind::CardRefund, &b.student_id, b.total_charge_cents)?;
            }
            credits::release(tx, &b.id)?;
            credits::revoke(tx, "loyalty", &b.id, now)?;
        }
        Outcome::Paid { absent_student } => {
            if absent_student {
                credits::forfeit(tx, &b.id, &b.student_id, now)?;
            } else {
                credits::consume(tx, &b.id, &b.student_id, now)?;
            }
            entry(
                Kind::InstructorPayout,
                &b.instructor_id,
                b.instructor_payout_cents,
            )?;
            entry(Kind::PlatformFee, &b.student_id, b.service_fee_cents)?;
            entry(Kind::Commission, &b.instructor_id, b.commission_cents)?;
        }
        Outcome::Kept { instructor, credit } => {
            let used = credits::consume(tx, &b.id, &b.student_id, now)?;
            entry(Kind::InstructorPayout, &b.instructor_id, instructor)?;
            credits::grant(
                tx,
                &NewGrant {
                    user_id: &b.student_id,
                    amount_cents: credit,
                    reason: "cancellation",
                    source_booking_id: Some(&b.id),
                    from_booking_money: true,
                    expires_at: now + credit_validity,
                },
                now,
            )?;
            let kept = b.total_charge_cents + used - instructor - credit;
            entry(Kind::PlatformFee, &b.student_id, kept)?;
        }
    }
    Ok(())
}

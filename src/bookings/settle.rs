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
use super::{authorize, complete, jobs, store};
use crate::app::AppState;
use crate::common::time::to_db;
use crate::credits::store::{self as credits, NewGrant};
use crate::error::AppResult;
use crate::instructors;
use crate::jobs::JobError;
use crate::ledger::{self, Entry, Kind};
use crate::payments::{ChargeRequest, PaymentError};

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
    if matches!(b.status, Status::Confirmed | Status::Completed) {
        if report_open || !due {
            return Ok(());
        }
        // Claim the lesson for settling in a write, which a no-show report (also a write)
        // cannot slip past: the report is re-checked here and refused after this.
        let booking_id = b.id.clone();
        let validity = state.config.market.credit_validity.chrono();
        let claimed = state
            .db
            .write(move |tx| {
                let b =
                    store::get(tx, &booking_id)?.ok_or_else(crate::error::AppError::not_found)?;
                let open = store::no_show(tx, &booking_id)?
                    .is_some_and(|r| r.state == "open" || r.state == "disputed");
                if open || !matches!(b.status, Status::Confirmed | Status::Completed) {
                    return Ok(None);
                }
                if b.status == Status::Confirmed {
                    complete::mark_completed(tx, &b, Party::System, validity, now)?;
                }
                if !store::has_event(tx, &booking_id, "settling")? {
                    store::add_event(tx, &booking_id, Party::System, "settling", "", now)?;
                }
                store::get(tx, &booking_id).map_err(crate::error::AppError::from)
            })
            .await?;
        match claimed {
            Some(current) => b = current,
            None => return Ok(()),
        }
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

/// The provider calls for `outcome`, then the ledger. The card step (capture, release or
/// refund) is written down as soon as it succeeds, so a retry never repeats it; keys carry the
/// attempt number because the provider replays a key's first answer, failures included.
async fn pay(
    state: &AppState,
    b: &BookingRow,
    outcome: Outcome,
    account: Option<&str>,
    attempt: i64,
) -> Result<(), PaymentError> {
    let key = |operation: &str| format!("booking:{}:{operation}:{attempt}", b.id);
    let total = b.total_charge_cents;
    // A late cancellation whose T-24h authorisation had not happened yet (the job was late):
    // the card is charged now, or, refused, the cancellation costs nothing after all.
    let late_authorized;
    let b = if matches!(outcome, Outcome::Kept { .. })
        && b.payment_status == PaymentStatus::Scheduled
    {
        let (_, customer) = authorize::parties(state, b)
            .await
            .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        let request = ChargeRequest {
            amount_cents: total,
            payment_method_id: b.payment_method_ref.clone(),
            destination: account.map(str::to_string),
            customer,
            off_session: true,
            idempotency_key: key("late-authorize"),
        };
        match state.payments.authorize(&request).await {
            Ok(intent) => {
                late_authorized = authorized_late(state, b, &intent).await?;
                &late_authorized
            }
            Err(PaymentError::Unavailable(cause)) => return Err(PaymentError::Unavailable(cause)),
            Err(_) => return waive(state, b).await,
        }
    } else {
        b
    };
    // A hold too old to capture safely is replaced first.
    let renewed;
    let b = if !matches!(outcome, Outcome::Refund) && hold_expiring(state, b).await? {
        renewed = reauthorize(state, b, account, &key("reauthorize")).await?;
        &renewed
    } else {
        b
    };
    if b.payment_status == PaymentStatus::Locked {
        capture_locked(state, &b.id).await?;
    }
    let final_status = match outcome {
        Outcome::Refund => match (b.payment_status, &b.payment_intent) {
            (PaymentStatus::Authorized, Some(intent)) => {
                state.payments.release(intent, &key("release")).await?;
                card_moved(state, b, PaymentStatus::Released, None).await?;
                PaymentStatus::Released
            }
            (PaymentStatus::Captured | PaymentStatus::Locked, Some(intent)) => {
                state
                    .payments
                    .refund(intent, total, true, true, &key("refund"))
                    .await?;
                card_moved(state, b, PaymentStatus::Refunded, Some(Kind::CardRefund)).await?;
                PaymentStatus::Refunded
            }
            (PaymentStatus::Refunded, _) => PaymentStatus::Refunded,
            _ => PaymentStatus::Released,
        },
        Outcome::Paid { .. } | Outcome::Kept { .. } => {
            let owed = match outcome {
                Outcome::Kept { instructor, .. } => instructor,
                _ => b.instructor_payout_cents,
            };
            // A destination charge pays the instructor what the platform does not keep.
            let by_charge = match (b.payment_status, &b.payment_intent) {
                (PaymentStatus::Authorized, Some(intent)) => {
                    let to_instructor = owed.min(total);
                    state
                        .payments
                        .capture(intent, total - to_instructor, &key("capture"))
                        .await?;
                    card_moved(state, b, PaymentStatus::Captured, Some(Kind::CardCapture)).await?;
                    to_instructor
                }
                // Captured by an earlier attempt of this settlement.
                (PaymentStatus::Captured, Some(_)) => owed.min(total),
                // The platform holds a locked payment whole.
                (PaymentStatus::Locked, Some(_)) => 0,
                _ => return Err(PaymentError::Invalid("nothing to capture".into())),
            };
            if owed > by_charge {
                let destination = account.ok_or_else(|| {
                    PaymentError::Invalid("the instructor has no payouts account".into())
                })?;
                state
                    .payments
                    .transfer(destination, owed - by_charge, &key("transfer"))
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
            record(tx, &b, outcome, validity, now)?;
            store::add_event(
                tx,
                &b.id,
                Party::System,
                "settled",
                final_status.as_str(),
                now,
            )?;
            if matches!(outcome, Outcome::Paid { .. }) {
                jobs::notify(tx, &b.id, "receipt", now)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    state.jobs.wake();
    Ok(())
}

/// Whether the booking's authorisation is older than a card hold safely lasts. Card networks
/// keep an authorisation for 7 days, and some off-session Visa ones for only 4 days 18 hours;
/// we capture within [`HOLD_SAFE`] of authorising or authorise again. A lesson authorised at
/// T-24h settles by end + 24 h (at most 52 h later), so only a held-up settlement (a disputed
/// no-show waiting for an admin, days of failed captures) ever gets here.
async fn hold_expiring(state: &AppState, b: &BookingRow) -> Result<bool, PaymentError> {
    if b.payment_status != PaymentStatus::Authorized {
        return Ok(false);
    }
    let id = b.id.clone();
    let authorized_at: Option<i64> = state
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT authorized_at FROM bookings WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )?)
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    Ok(authorized_at
        .is_some_and(|at| state.clock.now() - crate::common::time::from_db(at) > HOLD_SAFE))
}

/// The shortest card hold (4 days 18 hours) less a margin for retries.
pub const HOLD_SAFE: Duration = Duration::hours(4 * 24 + 12);

/// A fresh off-session authorisation replacing an old hold, which is let go.
async fn reauthorize(
    state: &AppState,
    b: &BookingRow,
    account: Option<&str>,
    key: &str,
) -> Result<BookingRow, PaymentError> {
    let (_, customer) = authorize::parties(state, b)
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    let request = ChargeRequest {
        amount_cents: b.total_charge_cents,
        payment_method_id: b.payment_method_ref.clone(),
        destination: account.map(str::to_string),
        customer,
        off_session: true,
        idempotency_key: key.to_string(),
    };
    let fresh = state.payments.authorize(&request).await?;
    let (id, old, now) = (b.id.clone(), b.payment_intent.clone(), state.clock.now());
    let renewed = state
        .db
        .write(move |tx| {
            store::set_payment(tx, &id, PaymentStatus::Authorized, Some(&fresh), now)?;
            store::add_event(
                tx,
                &id,
                Party::System,
                "payment_reauthorized",
                "the card hold was about to expire",
                now,
            )?;
            if let Some(old) = old.filter(|old| *old != fresh) {
                jobs::release_intent(tx, &old, now)?;
            }
            store::get(tx, &id)?.ok_or_else(crate::error::AppError::not_found)
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    state.jobs.wake();
    Ok(renewed)
}

/// Records an authorisation made at settling time; returns the booking as it now is.
async fn authorized_late(
    state: &AppState,
    b: &BookingRow,
    intent: &str,
) -> Result<BookingRow, PaymentError> {
    let (id, intent, now) = (b.id.clone(), intent.to_string(), state.clock.now());
    state
        .db
        .write(move |tx| {
            store::set_payment(tx, &id, PaymentStatus::Authorized, Some(&intent), now)?;
            store::add_event(
                tx,
                &id,
                Party::System,
                "payment_authorized",
                "at cancellation",
                now,
            )?;
            store::get(tx, &id)?.ok_or_else(crate::error::AppError::not_found)
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))
}

/// A late cancellation whose card is refused: nothing is charged, reserved credit goes back,
/// and the recorded outcome says so.
async fn waive(state: &AppState, b: &BookingRow) -> Result<(), PaymentError> {
    let (b, now) = (b.clone(), state.clock.now());
    state
        .db
        .write(move |tx| {
            if !store::mark_settled(tx, &b.id, now)? {
                return Ok(());
            }
            tx.execute(
                "UPDATE bookings SET cancel_policy = 'full_release', cancel_refund_cents = 0,
                    cancel_credit_cents = credits_applied_cents, cancel_payout_cents = 0,
                    payment_status = 'failed'
                 WHERE id = ?1",
                [&b.id],
            )?;
            credits::release(tx, &b.id)?;
            store::add_event(
                tx,
                &b.id,
                Party::System,
                "payment_failed",
                "refused at cancellation; nothing charged",
                now,
            )?;
            Ok(())
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))
}

/// Writes down a card step: the new payment status and its ledger row, once (a rerun finds
/// the status already moved).
async fn card_moved(
    state: &AppState,
    b: &BookingRow,
    to: PaymentStatus,
    row: Option<Kind>,
) -> Result<(), PaymentError> {
    let (b, now) = (b.clone(), state.clock.now());
    state
        .db
        .write(move |tx| {
            let moved = tx.execute(
                "UPDATE bookings SET payment_status = ?2, updated_at = ?4 WHERE id = ?1 AND payment_status = ?3",
                rusqlite::params![b.id, to.as_str(), b.payment_status.as_str(), to_db(now)],
            )?;
            if let (1, Some(kind)) = (moved, row) {
                let entry = Entry {
                    kind,
                    booking_id: Some(&b.id),
                    user_id: Some(&b.student_id),
                    amount_cents: b.total_charge_cents,
                    reference: b.payment_intent.as_deref(),
                };
                ledger::record(tx, &entry, to_db(now))?;
            }
            Ok(())
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))
}

/// Captures a `locked` payment whole (the platform holds it until the lesson settles), once per
/// intent, and records it on the booking that holds the payment now.
pub async fn capture_locked(state: &AppState, booking_id: &str) -> Result<(), PaymentError> {
    let id = booking_id.to_string();
    let found = state
        .db
        .read(move |c| {
            let Some(b) = store::get(c, &id)? else {
                return Ok(None);
            };
            let recorded: bool = c.query_row(
                "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'card_capture' AND reference = ?1)",
                [&b.payment_intent],
                |r| r.get(0),
            )?;
            Ok(Some((b, recorded)))
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
    let Some((b, false)) = found else {
        return Ok(());
    };
    let (PaymentStatus::Locked, Some(intent)) = (b.payment_status, b.payment_intent.clone()) else {
        return Ok(());
    };
    state
        .payments
        .capture(&intent, b.total_charge_cents, &format!("{intent}:lock"))
        .await?;
    let (student, total, now) = (
        b.student_id.clone(),
        b.total_charge_cents,
        state.clock.now(),
    );
    state
        .db
        .write(move |tx| {
            let recorded: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'card_capture' AND reference = ?1)",
                [&intent],
                |r| r.get(0),
            )?;
            // The payment may have moved on with another reschedule meanwhile.
            let holder: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT id FROM bookings WHERE payment_intent = ?1 AND rescheduled_to IS NULL",
                [&intent],
                |r| r.get(0),
            ))?;
            if let (false, Some(holder)) = (recorded, holder) {
                let entry = Entry {
                    kind: Kind::CardCapture,
                    booking_id: Some(&holder),
                    user_id: Some(&student),
                    amount_cents: total,
                    reference: Some(&intent),
                };
                ledger::record(tx, &entry, to_db(now))?;
                store::add_event(tx, &holder, Party::System, "payment_locked", "captured; held until the lesson", now)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| PaymentError::Unavailable(e.to_string()))
}

/// The ledger rows (and credit moves) of a settlement.
fn record(
    tx: &rusqlite::Connection,
    b: &BookingRow,
    outcome: Outcome,
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
    match outcome {
        Outcome::Refund => {
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

//! What Stripe's events mean to us, handled in the write that records the event (so an event is
//! acted on exactly once). Events can arrive late and out of order, so each handler either keeps
//! only the newest state of its object (accounts, disputes, payouts) or asks the provider for
//! the object's current state in a job (payment intents, which bookings own).
//!
//! | event | what happens |
//! |---|---|
//! | `account.updated` | an instructor's payouts become ready, or stop being ready |
//! | `payment_intent.*` | a `payments.reconcile_intent` job (bookings): a booking waiting for the bank's check is finished; an authorised hold that went away is authorised again |
//! | `charge.refunded` | a job compares Stripe's refunded total with our ledger 10 minutes later (our own refunds are written just after Stripe answers) and alerts admins about refunds made elsewhere |
//! | `charge.dispute.*` | the dispute is recorded; while open the student's credits are frozen; admins are alerted when it opens and closes (won thaws, lost stays frozen for an admin to decide) |
//! | `payout.*` | the instructor's payout history (`GET /api/v1/instructor/earnings`) |
//! | `transfer.*` | acknowledged: every transfer is ours and recorded when made |

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::AppState;
use crate::common::money::usd;
use crate::common::time::to_db;
use crate::credits::store as credits;
use crate::error::AppResult;
use crate::jobs::{JobError, NewJob, Registry, enqueue};
use crate::notifications::{Notice, Recipient};

/// Handled by the bookings domain, which owns intents (jobs carry work upwards).
pub const RECONCILE_INTENT: &str = "payments.reconcile_intent";
const CHECK_REFUNDS: &str = "payments.check_refunds";

#[derive(Serialize, Deserialize)]
pub struct IntentNews {
    pub intent: String,
}

/// One verified event.
pub struct Event {
    pub id: String,
    pub kind: String,
    pub created: i64,
    pub object: Value,
}

/// Acts on `event`; whether it was one we handle (unknown types are only stored).
pub fn handle(
    state: &AppState,
    tx: &Connection,
    event: &Event,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let object = &event.object;
    let kind = event.kind.as_str();
    match kind {
        "account.updated" => account_updated(tx, object, event.created, to_db(now))?,
        _ if kind.starts_with("payment_intent.") => {
            let Some(intent) = object["id"].as_str() else {
                return Ok(false);
            };
            let news = IntentNews {
                intent: intent.to_string(),
            };
            enqueue(
                tx,
                &NewJob::new(RECONCILE_INTENT, &news, now).dedupe(format!("{intent}:{}", event.id)),
            )?;
        }
        "charge.refunded" => {
            let Some(intent) = object["payment_intent"].as_str() else {
                return Ok(false);
            };
            let news = IntentNews {
                intent: intent.to_string(),
            };
            enqueue(
                tx,
                &NewJob::new(CHECK_REFUNDS, &news, now)
                    .run_at(now + Duration::minutes(10))
                    .dedupe(format!("{intent}:refunds:{}", event.id)),
            )?;
        }
        _ if kind.starts_with("charge.dispute.") => dispute(state, tx, object, event.created, now)?,
        _ if kind.starts_with("payout.") => payout(tx, object, event.created, to_db(now))?,
        _ if kind.starts_with("transfer.") => {}
        _ => return Ok(false),
    }
    Ok(true)
}

/// An instructor's connected account changed: payouts are ready when it can take charges and
/// receive payouts. Only the newest event per account counts.
fn account_updated(tx: &Connection, account: &Value, created: i64, now: i64) -> AppResult<()> {
    let Some(id) = account["id"].as_str() else {
        return Ok(());
    };
    let charges = account["charges_enabled"].as_bool().unwrap_or(false);
    let payouts = account["payouts_enabled"].as_bool().unwrap_or(false);
    let newest = tx.execute(
        "INSERT INTO stripe_accounts (account, charges_enabled, payouts_enabled, last_event_created)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account) DO UPDATE SET charges_enabled = excluded.charges_enabled,
             payouts_enabled = excluded.payouts_enabled, last_event_created = excluded.last_event_created
         WHERE excluded.last_event_created >= stripe_accounts.last_event_created",
        params![id, charges, payouts, created],
    )?;
    if newest == 1 {
        let status = if charges && payouts {
            "complete"
        } else {
            "pending"
        };
        tx.execute(
            "UPDATE instructor_profiles SET payouts_status = ?2, updated_at = ?3 WHERE payouts_account = ?1",
            params![id, status, now],
        )?;
    }
    Ok(())
}

/// Dispute statuses after which the bank has decided.
fn dispute_closed(status: &str) -> bool {
    matches!(
        status,
        "won" | "lost" | "warning_closed" | "charge_refunded" | "prevented"
    )
}

/// A chargeback opened, changed or closed.
fn dispute(
    state: &AppState,
    tx: &Connection,
    object: &Value,
    created: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(id) = object["id"].as_str() else {
        return Ok(());
    };
    let status = object["status"].as_str().unwrap_or("needs_response");
    let intent = object["payment_intent"].as_str();
    let booking: Option<(String, String)> = match intent {
        Some(intent) => tx
            .query_row(
                "SELECT id, student_id FROM bookings WHERE payment_intent = ?1 ORDER BY created_at DESC LIMIT 1",
                [intent],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?,
        None => None,
    };
    let (booking_id, user_id) = booking.unzip();
    let amount = object["amount"].as_i64().unwrap_or(0);
    let reason = object["reason"].as_str().unwrap_or("general");
    let stamp = to_db(now);
    let before: Option<String> = tx
        .query_row(
            "SELECT status FROM payment_disputes WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let newest = tx.execute(
        "INSERT INTO payment_disputes (id, intent, booking_id, user_id, amount_cents, reason, status,
             last_event_created, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount_cents = excluded.amount_cents,
             last_event_created = excluded.last_event_created, updated_at = excluded.updated_at
         WHERE excluded.last_event_created >= payment_disputes.last_event_created",
        params![id, intent, booking_id, user_id, amount, reason, status, created, stamp],
    )?;
    if newest == 0 || before.as_deref() == Some(status) {
        return Ok(());
    }
    let closed = dispute_closed(status);
    if let Some(user) = &user_id {
        if !closed {
            credits::freeze(tx, user, &format!("chargeback {id}"), now)?;
        } else if status != "lost" {
            let open: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM payment_disputes WHERE user_id = ?1 AND id != ?2
                   AND status NOT IN ('won', 'lost', 'warning_closed', 'charge_refunded', 'prevented'))",
                params![user, id],
                |r| r.get(0),
            )?;
            if !open {
                credits::thaw(tx, user)?;
            }
        }
    }
    let what = match (before.is_none(), closed) {
        (true, false) => "opened",
        (_, true) => "closed",
        (false, false) => return Ok(()),
    };
    let alert = format!(
        "A chargeback of {} ({reason}) was {what}: status {status}, booking {}.{}",
        usd(amount),
        booking_id.as_deref().unwrap_or("unknown"),
        if what == "opened" {
            " The student's credits are frozen until it is decided."
        } else {
            ""
        }
    );
    alert_admins(
        state,
        tx,
        &format!("dispute:{id}:{status}"),
        "Chargeback",
        &alert,
        now,
    )
}

/// A payout from an instructor's Stripe balance to their bank; the newest event wins.
fn payout(tx: &Connection, object: &Value, created: i64, now: i64) -> AppResult<()> {
    let (Some(id), Some(account)) = (object["id"].as_str(), object["account"].as_str()) else {
        return Ok(());
    };
    tx.execute(
        "INSERT INTO instructor_payouts (id, account, amount_cents, status, arrival_at, last_event_created, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, amount_cents = excluded.amount_cents,
             arrival_at = excluded.arrival_at, last_event_created = excluded.last_event_created,
             updated_at = excluded.updated_at
         WHERE excluded.last_event_created >= instructor_payouts.last_event_created",
        params![
            id,
            account,
            object["amount"].as_i64().unwrap_or(0),
            object["status"].as_str().unwrap_or("pending"),
            object["arrival_date"].as_i64(),
            created,
            now
        ],
    )?;
    Ok(())
}

/// Tells every admin, by email and in the app, once per `key`.
pub fn alert_admins(
    state: &AppState,
    tx: &Connection,
    key: &str,
    title: &str,
    alert: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for admin in crate::auth::store::admins(tx)? {
        let notice = Notice::new("admin_alert", format!("{key}:{}", admin.id))
            .var("alert", alert.to_string())
            .in_app(
                title.to_string(),
                alert.to_string(),
                Some("/admin/bookings"),
            );
        let to = Recipient {
            user_id: &admin.id,
            email: &admin.email,
            name: &admin.full_name,
        };
        state.notifier.send(tx, &to, &notice, now)?;
    }
    Ok(())
}

/// Compares what Stripe refunded on `intent` with what our ledger refunded, and alerts admins
/// when Stripe refunded more (a refund made on the dashboard, outside the app).
async fn check_refunds(state: &AppState, intent: &str) -> Result<(), JobError> {
    let Some(stripe) = state.payments.stripe() else {
        return Ok(());
    };
    let refunded = match stripe.refunded_cents(intent).await {
        Ok(cents) => cents,
        Err(err) => return Err(JobError::Retry(anyhow::anyhow!(err))),
    };
    let (intent, now, st) = (intent.to_string(), state.clock.now(), state.clone());
    state
        .db
        .write(move |tx| {
            let ours: i64 = tx.query_row(
                "SELECT COALESCE(SUM(l.amount_cents), 0) FROM ledger_entries l JOIN bookings b ON b.id = l.booking_id
                 WHERE b.payment_intent = ?1 AND l.kind = 'card_refund'",
                [&intent],
                |r| r.get(0),
            )?;
            if refunded > ours {
                let alert = format!(
                    "Stripe refunded {} on {intent} but the app refunded {}: a refund was made outside the app.",
                    usd(refunded),
                    usd(ours)
                );
                alert_admins(&st, tx, &format!("refund:{intent}:{refunded}"), "Refund made outside the app", &alert, now)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

pub fn register(registry: &mut Registry) {
    registry.register(CHECK_REFUNDS, |state: AppState, p: IntentNews| async move {
        check_refunds(&state, &p.intent).await
    });
}

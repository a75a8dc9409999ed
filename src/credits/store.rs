//! SQL over credit grants and reservations. Every change that moves credit value writes its
//! ledger row in the same transaction; reserving and releasing only move credit between a
//! grant's `remaining_cents` and a booking's reservation.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::rules::{self, Grant};
use crate::auth::secrets::new_id;
use crate::common::time::{from_db, to_db};
use crate::ledger::{self, Entry, Kind};

/// A grant to make.
pub struct NewGrant<'a> {
    pub user_id: &'a str,
    pub amount_cents: i64,
    pub reason: &'a str,
    /// The booking that caused it (at most one grant per reason and booking).
    pub source_booking_id: Option<&'a str>,
    /// Whether the grant is paid out of that booking's money (cancellation credit) rather than
    /// the platform's marketing (loyalty).
    pub from_booking_money: bool,
    pub expires_at: DateTime<Utc>,
}

/// Makes a grant; `None` when this reason already granted for this booking.
pub fn grant(
    conn: &Connection,
    new: &NewGrant<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<String>> {
    if new.amount_cents <= 0 {
        return Ok(None);
    }
    let id = new_id();
    let inserted = conn.prepare_cached(
        "INSERT INTO credit_grants (id, user_id, amount_cents, remaining_cents, reason, source_booking_id, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        id,
        new.user_id,
        new.amount_cents,
        new.reason,
        new.source_booking_id,
        to_db(new.expires_at),
        to_db(now)
    ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let entry = Entry {
        kind: Kind::CreditGrant,
        booking_id: new.source_booking_id.filter(|_| new.from_booking_money),
        user_id: Some(new.user_id),
        amount_cents: new.amount_cents,
        reference: Some(&id),
    };
    ledger::record(conn, &entry, to_db(now))?;
    Ok(Some(id))
}

/// Spendable grants: none while the student's credits are frozen (an open chargeback).
fn active_grants(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<Grant>> {
    conn.prepare_cached(
        "SELECT id, remaining_cents, expires_at FROM credit_grants
         WHERE user_id = ?1 AND status = 'active' AND remaining_cents > 0
           AND NOT EXISTS (SELECT 1 FROM credit_freezes f WHERE f.user_id = ?1)",
    )?
    .query_map([user_id], |r| {
        Ok(Grant {
            id: r.get(0)?,
            remaining_cents: r.get(1)?,
            expires_at: from_db(r.get(2)?),
        })
    })?
    .collect()
}

/// Stops `user_id` spending credit until `thaw` (a chargeback is open against them).
pub fn freeze(
    conn: &Connection,
    user_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO credit_freezes (user_id, reason, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET reason = excluded.reason",
        params![user_id, reason, to_db(now)],
    )?;
    Ok(())
}

pub fn thaw(conn: &Connection, user_id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM credit_freezes WHERE user_id = ?1", [user_id])?;
    Ok(())
}

pub fn is_frozen(conn: &Connection, user_id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM credit_freezes WHERE user_id = ?1)",
        [user_id],
        |r| r.get(0),
    )
}

/// What the student can spend now.
pub fn balance(conn: &Connection, user_id: &str, now: DateTime<Utc>) -> rusqlite::Result<i64> {
    Ok(rules::balance(&active_grants(conn, user_id)?, now))
}

/// Holds up to `wanted` cents of the student's credit for `booking_id`, earliest expiry first;
/// returns how much was held.
pub fn reserve(
    conn: &Connection,
    user_id: &str,
    booking_id: &str,
    wanted: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let taken = rules::allocate(&active_grants(conn, user_id)?, wanted, now);
    let mut total = 0;
    for (grant_id, cents) in taken {
        conn.prepare_cached(
            "UPDATE credit_grants SET remaining_cents = remaining_cents - ?2 WHERE id = ?1",
        )?
        .execute(params![grant_id, cents])?;
        conn.prepare_cached(
            "INSERT INTO credit_reservations (booking_id, grant_id, amount_cents) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![booking_id, grant_id, cents])?;
        total += cents;
    }
    Ok(total)
}

/// Gives a booking's reserved credit back to its grants (cancellation, failed payment).
pub fn release(conn: &Connection, booking_id: &str) -> rusqlite::Result<i64> {
    let released: i64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM credit_reservations WHERE booking_id = ?1 AND state = 'reserved'",
        [booking_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE credit_grants SET remaining_cents = remaining_cents +
            (SELECT amount_cents FROM credit_reservations r WHERE r.grant_id = credit_grants.id
                AND r.booking_id = ?1 AND r.state = 'reserved')
         WHERE id IN (SELECT grant_id FROM credit_reservations WHERE booking_id = ?1 AND state = 'reserved')",
        [booking_id],
    )?;
    conn.execute(
        "UPDATE credit_reservations SET state = 'released' WHERE booking_id = ?1 AND state = 'reserved'",
        [booking_id],
    )?;
    Ok(released)
}

/// Ends a booking's reservation as spent (`consumed`) or lost (`forfeited`), with its ledger
/// row; returns the amount.
fn settle(
    conn: &Connection,
    booking_id: &str,
    student_id: &str,
    state: &str,
    kind: Kind,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let amount: i64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM credit_reservations WHERE booking_id = ?1 AND state = 'reserved'",
        [booking_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE credit_reservations SET state = ?2 WHERE booking_id = ?1 AND state = 'reserved'",
        params![booking_id, state],
    )?;
    let entry = Entry {
        kind,
        booking_id: Some(booking_id),
        user_id: Some(student_id),
        amount_cents: amount,
        reference: None,
    };
    ledger::record(conn, &entry, to_db(now))?;
    Ok(amount)
}

/// The lesson was paid for: the reserved credit is spent.
pub fn consume(
    conn: &Connection,
    booking_id: &str,
    student_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    settle(
        conn,
        booking_id,
        student_id,
        "consumed",
        Kind::CreditUse,
        now,
    )
}

/// The student did not come: the reserved credit is lost.
pub fn forfeit(
    conn: &Connection,
    booking_id: &str,
    student_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    settle(
        conn,
        booking_id,
        student_id,
        "forfeited",
        Kind::CreditForfeit,
        now,
    )
}

/// Ends grants past their expiry; returns how many.
pub fn expire_due(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    let due: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT id, user_id, remaining_cents FROM credit_grants WHERE status = 'active' AND expires_at <= ?1",
        )?
        .query_map([to_db(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, user_id, remaining) in &due {
        conn.execute(
            "UPDATE credit_grants SET status = 'expired', remaining_cents = 0 WHERE id = ?1",
            [id],
        )?;
        let entry = Entry {
            kind: Kind::CreditExpire,
            booking_id: None,
            user_id: Some(user_id),
            amount_cents: *remaining,
            reference: Some(id),
        };
        ledger::record(conn, &entry, to_db(now))?;
    }
    Ok(due.len())
}

/// Takes back what is left of the grant `reason` made because of `booking_id` (a loyalty
/// grant whose lesson was refunded); what was already spent stays spent.
pub fn revoke(
    conn: &Connection,
    reason: &str,
    booking_id: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    let found: Option<(String, String, i64)> =
        rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT id, user_id, remaining_cents FROM credit_grants
         WHERE reason = ?1 AND source_booking_id = ?2 AND status = 'active'",
            params![reason, booking_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        ))?;
    let Some((id, user_id, remaining)) = found else {
        return Ok(0);
    };
    conn.execute(
        "UPDATE credit_grants SET status = 'revoked', remaining_cents = 0 WHERE id = ?1",
        [&id],
    )?;
    let entry = Entry {
        kind: Kind::CreditRevoke,
        booking_id: None,
        user_id: Some(&user_id),
        amount_cents: remaining,
        reference: Some(&id),
    };
    ledger::record(conn, &entry, to_db(now))?;
    Ok(remaining)
}

/// One grant as its owner sees it.
pub struct GrantRow {
    pub id: String,
    pub amount_cents: i64,
    pub remaining_cents: i64,
    pub reason: String,
    pub status: String,
    pub expires_at: i64,
    pub created_at: i64,
}

pub fn grants_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<GrantRow>> {
    conn.prepare_cached(
        "SELECT id, amount_cents, remaining_cents, reason, status, expires_at, created_at
         FROM credit_grants WHERE user_id = ?1 ORDER BY created_at DESC, id DESC",
    )?
    .query_map([user_id], |r| {
        Ok(GrantRow {
            id: r.get(0)?,
            amount_cents: r.get(1)?,
            remaining_cents: r.get(2)?,
            reason: r.get(3)?,
            status: r.get(4)?,
            expires_at: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?
    .collect()
}

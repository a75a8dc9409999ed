//! The ledger invariants, which tests check after every scenario (and an admin can run):
//! for a settled booking, money in equals money out; credits add up per student; and the
//! payment provider's own records agree with the ledger on card money (lesson charges and tips)
//! and on what reached each instructor. The kinds are described in `crate::ledger`.

use std::collections::BTreeMap;

use rusqlite::Connection;

use crate::payments::Totals;

/// Checks every invariant against the simulated provider's records; the list of violations
/// when any fails.
pub fn verify(conn: &Connection) -> rusqlite::Result<Result<(), Vec<String>>> {
    verify_against(conn, &crate::payments::totals(conn)?)
}

/// Checks every invariant, with `provider` as the payment provider's own books (Stripe's,
/// summed from its objects, in the tests against the wire-format fake).
pub fn verify_against(
    conn: &Connection,
    provider: &Totals,
) -> rusqlite::Result<Result<(), Vec<String>>> {
    let mut problems = Vec::new();
    bookings_balance(conn, &mut problems)?;
    credits_add_up(conn, &mut problems)?;
    provider_agrees(conn, provider, &mut problems)?;
    Ok(if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    })
}

fn bookings_balance(conn: &Connection, problems: &mut Vec<String>) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT b.id, b.settled_at IS NOT NULL,
            COALESCE(SUM(CASE WHEN l.kind IN ('card_capture', 'credit_use', 'credit_forfeit', 'tip_capture') THEN l.amount_cents END), 0),
            COALESCE(SUM(CASE WHEN l.kind IN ('card_refund', 'instructor_payout', 'platform_fee', 'commission', 'credit_grant') THEN l.amount_cents END), 0),
            COALESCE(SUM(CASE WHEN l.kind = 'instructor_payout' THEN l.amount_cents END), 0)
         FROM bookings b LEFT JOIN ledger_entries l ON l.booking_id = b.id
         GROUP BY b.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    for row in rows {
        let (id, settled, money_in, money_out, payout) = row?;
        if settled && money_in != money_out {
            problems.push(format!(
                "booking {id}: {money_in} came in but {money_out} went out"
            ));
        }
        if !settled && money_out > money_in {
            problems.push(format!(
                "booking {id}: {money_out} went out of {money_in} before settling"
            ));
        }
        if payout < 0 {
            problems.push(format!("booking {id}: instructor payout {payout} < 0"));
        }
    }
    Ok(())
}

fn credits_add_up(conn: &Connection, problems: &mut Vec<String>) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare(
        "WITH ledger AS (
            SELECT user_id,
                SUM(CASE kind WHEN 'credit_grant' THEN amount_cents
                              WHEN 'credit_use' THEN -amount_cents WHEN 'credit_forfeit' THEN -amount_cents
                              WHEN 'credit_expire' THEN -amount_cents WHEN 'credit_revoke' THEN -amount_cents END) AS net
            FROM ledger_entries WHERE kind LIKE 'credit_%' GROUP BY user_id),
         held AS (
            SELECT g.user_id,
                SUM(g.remaining_cents + COALESCE((SELECT SUM(r.amount_cents) FROM credit_reservations r
                    WHERE r.grant_id = g.id AND r.state = 'reserved'), 0)) AS held
            FROM credit_grants g GROUP BY g.user_id)
         SELECT COALESCE(ledger.user_id, held.user_id), COALESCE(ledger.net, 0), COALESCE(held.held, 0)
         FROM ledger FULL OUTER JOIN held ON held.user_id = ledger.user_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (user, net, held) = row?;
        if net != held {
            problems.push(format!(
                "credits of {user}: the ledger says {net} but grants hold {held}"
            ));
        }
    }
    let negative: i64 = conn.query_row(
        "SELECT COUNT(*) FROM credit_grants WHERE remaining_cents < 0",
        [],
        |r| r.get(0),
    )?;
    if negative > 0 {
        problems.push(format!("{negative} credit grants are negative"));
    }
    Ok(())
}

fn provider_agrees(
    conn: &Connection,
    provider: &Totals,
    problems: &mut Vec<String>,
) -> rusqlite::Result<()> {
    // Tips are captured card money too, on intents of their own (destination charges with no
    // fee, so the provider also counts them as reaching the instructor).
    let card_net: i64 = conn.query_row(
        "SELECT COALESCE(SUM(CASE WHEN kind IN ('card_capture', 'tip_capture') THEN amount_cents ELSE -amount_cents END), 0)
         FROM ledger_entries WHERE kind IN ('card_capture', 'card_refund', 'tip_capture')",
        [],
        |r| r.get(0),
    )?;
    if card_net != provider.card_net_cents {
        problems.push(format!(
            "card money: the ledger says {card_net}, the provider {}",
            provider.card_net_cents
        ));
    }
    let mut paid = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT p.payouts_account, SUM(l.amount_cents) FROM ledger_entries l
         JOIN instructor_profiles p ON p.user_id = l.user_id
         WHERE l.kind = 'instructor_payout' GROUP BY p.payouts_account",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (account, cents) = row?;
        if cents != 0 {
            paid.insert(account.unwrap_or_default(), cents);
        }
    }
    if paid != provider.destinations {
        problems.push(format!(
            "instructor payouts: the ledger says {paid:?}, the provider {:?}",
            provider.destinations
        ));
    }
    Ok(())
}

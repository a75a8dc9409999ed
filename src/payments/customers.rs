//! The provider's customer behind each student (Stripe `cus_...`). Made on first need, with an
//! idempotency key tied to the user, so a retry or a race between two requests ends with one
//! customer; the row is written after Stripe answers and a second writer keeps the first row.
//! The `simulated` provider has no customers.

use rusqlite::{Connection, OptionalExtension, params};

use super::PaymentError;
use crate::app::AppState;
use crate::common::time::to_db;
use crate::error::AppResult;

/// The customer of `user_id`, if one was made.
pub fn of(conn: &Connection, user_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT customer FROM payment_customers WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()
}

/// The customer of `user_id`, made now if needed; `None` when the provider has none.
pub async fn ensure(
    state: &AppState,
    user_id: &str,
    email: &str,
) -> AppResult<Result<Option<String>, PaymentError>> {
    let id = user_id.to_string();
    if let Some(customer) = state.db.read(move |c| Ok(of(c, &id)?)).await? {
        return Ok(Ok(Some(customer)));
    }
    let made = match state.payments.create_customer(user_id, email).await {
        Ok(Some(customer)) => customer,
        other => return Ok(other),
    };
    let (id, now) = (user_id.to_string(), to_db(state.clock.now()));
    let customer = state
        .db
        .write(move |tx| {
            tx.execute(
                "INSERT INTO payment_customers (user_id, customer, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user_id) DO NOTHING",
                params![id, made, now],
            )?;
            Ok(of(tx, &id)?)
        })
        .await?;
    Ok(Ok(customer))
}

//! The money ledger: one row per movement, written in the same transaction as the state change
//! it records. `bookings::audit::verify` checks its invariants. Credits and payments both write
//! here, so it sits below them.
//!
//! Kinds and what they mean (amounts are positive):
//! - money in for a booking: `card_capture` (from the student's card), `credit_use` and
//!   `credit_forfeit` (credit the student spent or lost on it, which the platform funds),
//!   `tip_capture` (a tip charged to the student's card on its own intent; it leaves again as an
//!   `instructor_payout` of the same amount, since tips carry no platform fee);
//! - money out of it: `card_refund` (back to the card), `instructor_payout` (to the
//!   instructor's account; a reversal is negative), `platform_fee` and `commission` (kept),
//!   `credit_grant` with a booking (credit given back because of the booking);
//! - credit liabilities not tied to one booking's money: `credit_grant` without a booking
//!   (loyalty, goodwill), `credit_expire`, `credit_revoke`.
//!
//! For a settled booking, money in equals money out. Credits add up per student: granted minus
//! used, forfeited, expired and revoked equals what remains plus what is reserved. And the
//! provider's own records (`simulated`) agree with the ledger on card money and on what reached
//! each instructor.

use rusqlite::{Connection, params};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    CardCapture,
    CardRefund,
    PlatformFee,
    Commission,
    InstructorPayout,
    CreditGrant,
    CreditUse,
    CreditForfeit,
    CreditExpire,
    CreditRevoke,
    TipCapture,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CardCapture => "card_capture",
            Self::CardRefund => "card_refund",
            Self::PlatformFee => "platform_fee",
            Self::Commission => "commission",
            Self::InstructorPayout => "instructor_payout",
            Self::CreditGrant => "credit_grant",
            Self::CreditUse => "credit_use",
            Self::CreditForfeit => "credit_forfeit",
            Self::CreditExpire => "credit_expire",
            Self::CreditRevoke => "credit_revoke",
            Self::TipCapture => "tip_capture",
        }
    }
}

/// One movement. Zero amounts are not written.
pub struct Entry<'a> {
    pub kind: Kind,
    pub booking_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub amount_cents: i64,
    /// The provider's id for it (intent, refund, transfer), when there is one.
    pub reference: Option<&'a str>,
}

pub fn record(conn: &Connection, entry: &Entry<'_>, now: i64) -> rusqlite::Result<()> {
    if entry.amount_cents == 0 {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO ledger_entries (booking_id, user_id, kind, amount_cents, reference, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        entry.booking_id,
        entry.user_id,
        entry.kind.as_str(),
        entry.amount_cents,
        entry.reference,
        now
    ])?;
    Ok(())
}

//! What happens to the money when a lesson is cancelled (SPEC 5), as a pure function of who
//! cancels, how much notice they give, and the booking's money.
//!
//! | notice (student) | card | student gets | instructor gets |
//! |---|---|---|---|
//! | >= 24 h | authorisation released | reserved credits back | 0 |
//! | 12-24 h | captured, transfer reversed | 100% of LP as credit (fee kept) | 0 |
//! | < 12 h | captured | 50% of LP as credit | 50% of their payout |
//!
//! An instructor's cancellation refunds everything, fee included. A locked payment (after a
//! late reschedule) never goes back to the card: cancelling it 24 h or more ahead gives credit
//! as in 12-24 h, later the tiers apply as usual.

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    FullRelease,
    CreditFull,
    CreditHalf,
    InstructorCancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Canceller {
    Student,
    Instructor,
}

/// The money of a booking that matters to a cancellation.
#[derive(Clone, Copy, Debug)]
pub struct Money {
    pub lesson_price_cents: i64,
    pub credits_applied_cents: i64,
    pub total_charge_cents: i64,
    pub instructor_payout_cents: i64,
    /// Captured after a late reschedule: it can only become credit.
    pub locked: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Outcome {
    pub policy: Policy,
    /// Back to the card (a release of an uncaptured authorisation counts as no refund).
    pub refund_cents: i64,
    /// Credit the student holds afterwards because of this booking (reserved credits returned
    /// included).
    pub credit_cents: i64,
    pub instructor_payout_cents: i64,
}

/// The outcome of cancelling with `notice` left before the lesson (measured from its start,
/// or from the original start when a late reschedule must not reset the clock).
pub fn cancellation(by: Canceller, notice: Duration, money: Money) -> Outcome {
    let lp = money.lesson_price_cents;
    match by {
        Canceller::Instructor => Outcome {
            policy: Policy::InstructorCancel,
            refund_cents: if money.locked {
                money.total_charge_cents
            } else {
                0
            },
            credit_cents: money.credits_applied_cents,
            instructor_payout_cents: 0,
        },
        Canceller::Student if notice >= Duration::hours(24) && !money.locked => Outcome {
            policy: Policy::FullRelease,
            refund_cents: 0,
            credit_cents: money.credits_applied_cents,
            instructor_payout_cents: 0,
        },
        Canceller::Student if notice >= Duration::hours(12) => Outcome {
            policy: Policy::CreditFull,
            refund_cents: 0,
            credit_cents: lp,
            instructor_payout_cents: 0,
        },
        Canceller::Student => Outcome {
            policy: Policy::CreditHalf,
            refund_cents: 0,
            credit_cents: (lp + 1) / 2,
            instructor_payout_cents: (money.instructor_payout_cents + 1) / 2,
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reschedule {
    /// >= 24 h: as often as the student likes.
    Free,
    /// 12-24 h: once, and the payment becomes locked.
    OnceAndLock,
    /// < 12 h.
    WindowClosed,
}

pub fn reschedule(notice: Duration) -> Reschedule {
    if notice >= Duration::hours(24) {
        Reschedule::Free
    } else if notice >= Duration::hours(12) {
        Reschedule::OnceAndLock
    } else {
        Reschedule::WindowClosed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(locked: bool) -> Money {
        // LP $120 with $20 of credits, fee $14.40, payout $105.60.
        Money {
            lesson_price_cents: 12_000,
            credits_applied_cents: 2_000,
            total_charge_cents: 11_440,
            instructor_payout_cents: 10_560,
            locked,
        }
    }

    #[test]
    fn student_cancellations_follow_the_notice_table() {
        let early = cancellation(Canceller::Student, Duration::hours(24), money(false));
        assert_eq!(
            early,
            Outcome {
                policy: Policy::FullRelease,
                refund_cents: 0,
                credit_cents: 2_000,
                instructor_payout_cents: 0
            }
        );
        let day = cancellation(
            Canceller::Student,
            Duration::hours(24) - Duration::seconds(1),
            money(false),
        );
        assert_eq!(
            day,
            Outcome {
                policy: Policy::CreditFull,
                refund_cents: 0,
                credit_cents: 12_000,
                instructor_payout_cents: 0
            }
        );
        let late = cancellation(
            Canceller::Student,
            Duration::hours(12) - Duration::seconds(1),
            money(false),
        );
        assert_eq!(
            late,
            Outcome {
                policy: Policy::CreditHalf,
                refund_cents: 0,
                credit_cents: 6_000,
                instructor_payout_cents: 5_280
            }
        );
        let after_start = cancellation(Canceller::Student, Duration::minutes(-5), money(false));
        assert_eq!(after_start.policy, Policy::CreditHalf);
    }

    #[test]
    fn instructors_refund_everything_and_locked_payments_only_become_credit() {
        let by_instructor = cancellation(Canceller::Instructor, Duration::hours(2), money(false));
        assert_eq!(by_instructor.policy, Policy::InstructorCancel);
        assert_eq!(
            (
                by_instructor.credit_cents,
                by_instructor.instructor_payout_cents
            ),
            (2_000, 0)
        );
        let locked = cancellation(Canceller::Student, Duration::hours(48), money(true));
        assert_eq!(locked.policy, Policy::CreditFull);
        let locked_late = cancellation(Canceller::Student, Duration::hours(3), money(true));
        assert_eq!(locked_late.policy, Policy::CreditHalf);
        let locked_by_instructor =
            cancellation(Canceller::Instructor, Duration::hours(48), money(true));
        assert_eq!(
            locked_by_instructor.refund_cents, 11_440,
            "a captured payment is refunded in full"
        );
    }

    #[test]
    fn reschedule_windows() {
        assert_eq!(reschedule(Duration::hours(30)), Reschedule::Free);
        assert_eq!(reschedule(Duration::hours(24)), Reschedule::Free);
        assert_eq!(reschedule(Duration::hours(23)), Reschedule::OnceAndLock);
        assert_eq!(reschedule(Duration::hours(12)), Reschedule::OnceAndLock);
        assert_eq!(reschedule(Duration::minutes(719)), Reschedule::WindowClosed);
    }
}

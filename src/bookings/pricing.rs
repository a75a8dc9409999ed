//! What a lesson costs and who gets what (SPEC 5). Pure integer-cent arithmetic, rounded half
//! up to the cent.
//!
//! LP = hourly rate x minutes / 60. The student pays LP + a 12% service fee, minus credits,
//! which cover the LP only. The instructor's commission depends on their completed lessons in
//! the last 30 days (1-4: 15%, 5-10: 12%, 11+: 10%; founding instructors 8% for life); their
//! payout is LP - commission. Example: LP $120, fee $14.40, tier 12% -> payout $105.60,
//! card $134.40.

/// Basis points (1/100 of a percent): 1200 = 12%.
pub type Bps = i64;

/// The default service fee (operators set `market.service_fee_bps`).
pub const SERVICE_FEE_BPS: Bps = 1200;
pub const FOUNDING_BPS: Bps = 800;

/// `amount * bps / 10_000`, rounded half up.
pub fn share(amount: i64, bps: Bps) -> i64 {
    (amount * bps + 5_000).div_euclid(10_000)
}

/// The lesson price for `minutes` at `cents_per_hour`, rounded half up to the cent.
pub fn lesson_price(cents_per_hour: i64, minutes: i64) -> i64 {
    (cents_per_hour * minutes * 2 + 60).div_euclid(120)
}

/// The commission tier for an instructor with `completed` lessons in the last 30 days.
pub fn commission_bps(completed_last_30_days: u32, founding: bool) -> Bps {
    match (founding, completed_last_30_days) {
        (true, _) => FOUNDING_BPS,
        (false, 0..=4) => 1500,
        (false, 5..=10) => 1200,
        (false, _) => 1000,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    pub lesson_price_cents: i64,
    pub service_fee_cents: i64,
    pub credits_applied_cents: i64,
    /// What the card is charged: LP + fee - credits.
    pub total_charge_cents: i64,
    pub commission_bps: Bps,
    pub commission_cents: i64,
    pub instructor_payout_cents: i64,
}

/// Prices a lesson, applying at most `credits_available` against the LP.
pub fn price(
    cents_per_hour: i64,
    minutes: i64,
    credits_available: i64,
    commission_bps: Bps,
    fee_bps: Bps,
) -> Price {
    let lesson = lesson_price(cents_per_hour, minutes);
    let fee = share(lesson, fee_bps);
    let credits = credits_available.clamp(0, lesson);
    let commission = share(lesson, commission_bps);
    Price {
        lesson_price_cents: lesson,
        service_fee_cents: fee,
        credits_applied_cents: credits,
        total_charge_cents: lesson + fee - credits,
        commission_bps,
        commission_cents: commission,
        instructor_payout_cents: lesson - commission,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_adds_up() {
        let p = price(12_000, 60, 0, commission_bps(7, false), SERVICE_FEE_BPS);
        assert_eq!(p.lesson_price_cents, 12_000);
        assert_eq!(p.service_fee_cents, 1_440);
        assert_eq!(p.instructor_payout_cents, 10_560);
        assert_eq!(p.total_charge_cents, 13_440);
    }

    #[test]
    fn prices_are_pro_rated_and_rounded_half_up() {
        assert_eq!(lesson_price(8_000, 45), 6_000);
        assert_eq!(lesson_price(8_333, 45), 6_250, "6249.75 rounds up");
        assert_eq!(lesson_price(8_001, 30), 4_001, "4000.5 rounds up");
        assert_eq!(share(4_001, 1_200), 480, "480.12 rounds down");
        assert_eq!(share(4_125, 1_200), 495);
        assert_eq!(share(4_375, 1_200), 525);
        assert_eq!(share(125, 1_200), 15);
    }

    #[test]
    fn credits_cover_the_lesson_never_the_fee() {
        let p = price(10_000, 60, 50_000, 1_500, SERVICE_FEE_BPS);
        assert_eq!(p.credits_applied_cents, 10_000);
        assert_eq!(
            p.total_charge_cents, 1_200,
            "only the fee is left on the card"
        );
        assert_eq!(
            p.instructor_payout_cents, 8_500,
            "credits do not change the instructor's share"
        );
        let partial = price(10_000, 60, 2_500, 1_500, SERVICE_FEE_BPS);
        assert_eq!(partial.total_charge_cents, 10_000 + 1_200 - 2_500);
    }

    #[test]
    fn commission_tiers() {
        assert_eq!(commission_bps(0, false), 1500);
        assert_eq!(commission_bps(4, false), 1500);
        assert_eq!(commission_bps(5, false), 1200);
        assert_eq!(commission_bps(10, false), 1200);
        assert_eq!(commission_bps(11, false), 1000);
        assert_eq!(commission_bps(40, true), 800);
    }
}

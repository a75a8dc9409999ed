//! The public rating (SPEC 7), pure arithmetic: a Bayesian average that pulls an instructor
//! with few reviews towards the platform mean, so three 5-star reviews do not outrank a hundred
//! 4.9s.
//!
//! `rating = (C * m + sum) / (C + n)` with `C` = 5 reviews of prior weight, `m` the platform
//! mean over visible reviews, `n` and `sum` the instructor's visible reviews and stars. With no
//! review anywhere `m` is 4.5, a typical marketplace mean; it only matters until the first
//! reviews arrive, and no rating is shown before an instructor has 3 anyway. The result is
//! rounded half up to one decimal, in integers (means are fractions here), so 4.25 is 4.3 and
//! never 4.2 from a float that came out as 4.2499.

/// Reviews' worth of prior at the platform mean.
pub const PRIOR_WEIGHT: i64 = 5;
/// 4.5 as a fraction (9 stars over 2 reviews), the mean before anyone has a review.
const FALLBACK_MEAN: Totals = Totals { count: 2, sum: 9 };
/// A rating is shown from this many visible reviews.
pub const SHOWN_FROM: i64 = 3;
/// Under this many visible reviews an instructor is "New".
pub const NEW_UNDER: i64 = 5;

/// A number of reviews and their stars added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub sum: i64,
}

impl Totals {
    pub fn plus(self, other: Self) -> Self {
        Self {
            count: self.count + other.count,
            sum: self.sum + other.sum,
        }
    }
}

/// The Bayesian average in tenths of a star, rounded half up.
pub fn tenths(own: Totals, platform: Totals) -> i64 {
    let m = if platform.count > 0 {
        platform
    } else {
        FALLBACK_MEAN
    };
    // (C * m.sum / m.count + sum) / (C + n), over one denominator.
    let numerator =
        i128::from(PRIOR_WEIGHT) * i128::from(m.sum) + i128::from(own.sum) * i128::from(m.count);
    let denominator = i128::from(m.count) * i128::from(PRIOR_WEIGHT + own.count.max(0));
    // round(10 * a / b) = floor((20 * a + b) / (2 * b)) for positive a and b.
    let rounded = (20 * numerator + denominator) / (2 * denominator);
    i64::try_from(rounded).unwrap_or_default()
}

/// The rating to show: one decimal, from [`SHOWN_FROM`] reviews on.
pub fn shown(own: Totals, platform: Totals) -> Option<f64> {
    (own.count >= SHOWN_FROM).then(|| tenths(own, platform) as f64 / 10.0)
}

/// Whether an instructor with `count` visible reviews is still "New".
pub fn is_new(count: i64) -> bool {
    count < NEW_UNDER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(count: i64, sum: i64) -> Totals {
        Totals { count, sum }
    }

    #[test]
    fn few_reviews_are_pulled_towards_the_platform_mean() {
        // Platform mean 4.0; three reviews 5, 5, 4: (5*4 + 14) / 8 = 4.25, shown 4.3.
        assert_eq!(tenths(t(3, 14), t(10, 40)), 43);
        // Three perfect reviews where everyone averages 4.0: (20 + 15) / 8 = 4.375.
        assert_eq!(tenths(t(3, 15), t(10, 40)), 44);
        // Many reviews outweigh the prior: 100 reviews averaging 4.9 -> (20 + 490) / 105.
        assert_eq!(tenths(t(100, 490), t(200, 800)), 49);
        // Nobody can be pulled above 5 or below 1.
        assert_eq!(tenths(t(50, 250), t(50, 250)), 50);
        assert_eq!(tenths(t(50, 50), t(50, 50)), 10);
    }

    #[test]
    fn rounding_is_half_up_to_one_decimal() {
        // (5*4 + 14) / 8 = 4.25 exactly.
        assert_eq!(shown(t(3, 14), t(10, 40)), Some(4.3));
        // A fractional mean, 3.5 (7 stars over 2), and 5 reviews summing 21:
        // (5*3.5 + 21) / 10 = 3.85 -> 3.9.
        assert_eq!(tenths(t(5, 21), t(2, 7)), 39);
    }

    #[test]
    fn with_no_reviews_anywhere_the_mean_is_four_and_a_half() {
        assert_eq!(tenths(t(0, 0), t(0, 0)), 45);
        // The instructor's own reviews are part of the platform in practice; alone they are
        // the platform: three 5s -> (5*5 + 15) / 8 = 5.0.
        assert_eq!(shown(t(3, 15), t(3, 15)), Some(5.0));
    }

    #[test]
    fn shown_from_three_reviews_and_new_under_five() {
        assert_eq!(shown(t(2, 10), t(2, 10)), None);
        assert!(shown(t(3, 10), t(3, 10)).is_some());
        assert!(is_new(0));
        assert!(is_new(4));
        assert!(!is_new(5));
    }
}

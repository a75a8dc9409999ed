//! Pure credit rules: which grants pay for a booking (earliest expiry first), and the loyalty
//! grants earned by lifetime lesson count.

use chrono::{DateTime, Utc};

/// What is left of one grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub remaining_cents: i64,
    pub expires_at: DateTime<Utc>,
}

/// Takes up to `wanted` cents from the grants still valid at `now`, the one expiring first
/// first (ties by id, so the choice is stable). Returns (grant id, cents taken) pairs; their
/// sum is what could be covered.
pub fn allocate(grants: &[Grant], wanted: i64, now: DateTime<Utc>) -> Vec<(String, i64)> {
    let mut usable: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.expires_at > now && g.remaining_cents > 0)
        .collect();
    usable.sort_by(|a, b| {
        a.expires_at
            .cmp(&b.expires_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut left = wanted.max(0);
    let mut taken = Vec::new();
    for grant in usable {
        if left == 0 {
            break;
        }
        let take = grant.remaining_cents.min(left);
        taken.push((grant.id.clone(), take));
        left -= take;
    }
    taken
}

/// The balance a student can spend at `now`.
pub fn balance(grants: &[Grant], now: DateTime<Utc>) -> i64 {
    grants
        .iter()
        .filter(|g| g.expires_at > now)
        .map(|g| g.remaining_cents.max(0))
        .sum()
}

/// The loyalty credit earned by completing lifetime lesson number `n`: $20 at every 11th
/// (11, 22, 33, ...), $10 at 5, 16, 27, ... (five lessons into each run of eleven).
pub fn loyalty_grant(n: u32) -> Option<i64> {
    match n {
        0 => None,
        n if n % 11 == 0 => Some(2_000),
        n if n % 11 == 5 => Some(1_000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + days * 86_400, 0).unwrap()
    }

    fn grant(id: &str, cents: i64, expires_day: i64) -> Grant {
        Grant {
            id: id.into(),
            remaining_cents: cents,
            expires_at: at(expires_day),
        }
    }

    #[test]
    fn earliest_expiry_is_spent_first_and_expired_grants_not_at_all() {
        let grants = [
            grant("late", 5_000, 300),
            grant("soon", 1_500, 20),
            grant("gone", 9_000, -1),
            grant("mid", 2_000, 100),
        ];
        assert_eq!(
            allocate(&grants, 3_000, at(0)),
            vec![("soon".into(), 1_500), ("mid".into(), 1_500)]
        );
        assert_eq!(
            allocate(&grants, 100_000, at(0))
                .iter()
                .map(|(_, c)| c)
                .sum::<i64>(),
            8_500
        );
        assert_eq!(balance(&grants, at(0)), 8_500);
        assert!(allocate(&grants, 0, at(0)).is_empty());
        assert!(allocate(&grants, 1_000, at(400)).is_empty());
    }

    #[test]
    fn loyalty_grants_follow_the_lesson_count() {
        let earned: Vec<(u32, i64)> = (1..=33)
            .filter_map(|n| loyalty_grant(n).map(|c| (n, c)))
            .collect();
        assert_eq!(
            earned,
            vec![
                (5, 1_000),
                (11, 2_000),
                (16, 1_000),
                (22, 2_000),
                (27, 1_000),
                (33, 2_000)
            ]
        );
    }
}

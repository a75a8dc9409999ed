//! Integer cents shown as decimal dollars.

/// `10560` -> `"105.60"`, `-5` -> `"-0.05"`.
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// `10560` -> `"$105.60"`, `-5` -> `"-$0.05"`.
pub fn usd(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${}", dollars(cents.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_become_dollars() {
        assert_eq!(dollars(10_560), "105.60");
        assert_eq!(dollars(-5), "-0.05");
        assert_eq!(usd(-250), "-$2.50");
    }
}

//! Human units in configuration: durations ("250ms", "30s", "5m", "1h", "7d") and sizes
//! ("512KB", "10MB", "1GB"; binary multiples, so 1MB = 1,048,576 bytes).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration(pub std::time::Duration);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSize(pub u64);

fn split_number(raw: &str) -> Option<(u64, &str)> {
    let raw = raw.trim();
    let digits = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let number = raw[..digits].parse().ok()?;
    Some((number, raw[digits..].trim()))
}

impl FromStr for Duration {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let err = || {
            format!("`{raw}` is not a duration; use a number with ms, s, m, h or d, like \"30s\"")
        };
        let (n, unit) = split_number(raw).ok_or_else(err)?;
        let ms = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(err()),
        };
        Ok(Self(std::time::Duration::from_millis(
            n.checked_mul(ms).ok_or_else(err)?,
        )))
    }
}

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let err =
            || format!("`{raw}` is not a size; use a number with B, KB, MB or GB, like \"10MB\"");
        let (n, unit) = split_number(raw).ok_or_else(err)?;
        let factor: u64 = match unit.to_ascii_uppercase().as_str() {
            "B" => 1,
            "KB" => 1 << 10,
            "MB" => 1 << 20,
            "GB" => 1 << 30,
            _ => return Err(err()),
        };
        Ok(Self(n.checked_mul(factor).ok_or_else(err)?))
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides the value exactly, so defaults print as they are written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        for (unit, size) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
        ] {
            if ms > 0 && ms.is_multiple_of(size) {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        if ms == 0 {
            write!(f, "0s")
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, size) in [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] {
            if self.0 > 0 && self.0.is_multiple_of(size) {
                return write!(f, "{}{unit}", self.0 / size);
            }
        }
        write!(f, "{}B", self.0)
    }
}

macro_rules! serde_via_str {
    ($t:ty) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?
                    .parse()
                    .map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}
serde_via_str!(Duration);
serde_via_str!(ByteSize);

impl Duration {
    pub const fn secs(n: u64) -> Self {
        Self(std::time::Duration::from_secs(n))
    }

    pub fn chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl ByteSize {
    pub const fn mb(n: u64) -> Self {
        Self(n << 20)
    }

    pub fn bytes(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_every_unit_and_print_back() {
        for (raw, ms) in [
            ("250ms", 250),
            ("30s", 30_000),
            ("5m", 300_000),
            ("1h", 3_600_000),
            ("7d", 604_800_000),
        ] {
            let d: Duration = raw.parse().unwrap();
            assert_eq!(d.0.as_millis(), ms);
            assert_eq!(d.to_string(), raw);
        }
    }

    #[test]
    fn sizes_are_binary_multiples() {
        assert_eq!("10MB".parse::<ByteSize>().unwrap().0, 10 * 1024 * 1024);
        assert_eq!("512kb".parse::<ByteSize>().unwrap().0, 512 * 1024);
        assert_eq!(ByteSize::mb(10).to_string(), "10MB");
    }

    #[test]
    fn bad_units_explain_the_format() {
        assert!(
            "30".parse::<Duration>()
                .unwrap_err()
                .contains("like \"30s\"")
        );
        assert!("ten MB".parse::<ByteSize>().is_err());
        assert!("10XB".parse::<ByteSize>().is_err());
    }
}

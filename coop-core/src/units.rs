//! Small value types that carry an invariant: money in cents, fractions, member numbers,
//! dates typed by users.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An amount of money in euro cents. Never a float.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    /// Zero euros.
    pub const ZERO: Cents = Cents(0);

    /// Whole euros.
    pub fn from_euros(euros: i64) -> Cents {
        Cents(euros.saturating_mul(100))
    }

    /// Multiplies by a count of shares, refusing overflow.
    pub fn times(self, count: u64) -> Option<Cents> {
        i64::try_from(count).ok().and_then(|c| self.0.checked_mul(c)).map(Cents)
    }
}

impl fmt::Display for Cents {
    /// Prints `1 234.50 €` style amounts without the currency sign: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = abs / 100;
        let cents = abs % 100;
        // Thousands separated by a thin space for readability in French documents.
        let digits = euros.to_string();
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if cents == 0 {
            write!(f, "{sign}{grouped} €")
        } else {
            write!(f, "{sign}{grouped}.{cents:02} €")
        }
    }
}

/// Why a typed amount was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not an amount in euros: expected digits with at most two decimals, such as 25 or 25.50")]
pub struct AmountError {
    /// What was typed.
    pub input: String,
}

impl FromStr for Cents {
    type Err = AmountError;

    /// Parses euros as typed by a user: `25`, `25.5`, `25.50`, `1000`. No sign, no
    /// thousands separator, at most two decimals, at most 10^12 euros.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AmountError { input: s.chars().take(40).collect() };
        let t = s.trim();
        let t = t.strip_suffix('€').map(str::trim_end).unwrap_or(t);
        let (whole, frac) = match t.split_once(['.', ',']) {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        if whole.is_empty() || whole.len() > 12 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || (t.len() > whole.len() && frac.is_empty()) {
            return Err(err());
        }
        let euros: i64 = whole.parse().map_err(|_| err())?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse().map_err(|_| err())?,
        };
        Ok(Cents(euros * 100 + cents))
    }
}

/// A non-negative fraction such as `1/4`, `2/3` or `0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: u32,
    den: u32,
}

impl Fraction {
    /// Zero.
    pub const ZERO: Fraction = Fraction { num: 0, den: 1 };
    /// One fifth.
    pub const FIFTH: Fraction = Fraction { num: 1, den: 5 };
    /// One quarter.
    pub const QUARTER: Fraction = Fraction { num: 1, den: 4 };
    /// One half.
    pub const HALF: Fraction = Fraction { num: 1, den: 2 };
    /// Two thirds.
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };

    /// Builds a fraction; `None` when the denominator is zero.
    pub fn new(num: u32, den: u32) -> Option<Fraction> {
        (den != 0).then_some(Fraction { num, den })
    }
    /// The numerator.
    pub fn num(self) -> u32 {
        self.num
    }
    /// The denominator (never zero).
    pub fn den(self) -> u32 {
        self.den
    }
    /// `self < other`, computed exactly.
    pub fn less_than(self, other: Fraction) -> bool {
        (self.num as u64) * (other.den as u64) < (other.num as u64) * (self.den as u64)
    }
    /// The fraction of `amount`, rounded up to the cent (a floor is never rounded down).
    pub fn of_ceil(self, amount: Cents) -> Cents {
        let a = amount.0.max(0) as i128;
        let v = (a * self.num as i128 + self.den as i128 - 1) / self.den as i128;
        Cents(v.min(i64::MAX as i128) as i64)
    }
    /// As a float, for display only.
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.num == 0 {
            write!(f, "0")
        } else if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// Why a fraction was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a fraction: expected a form such as 1/4, 2/3 or 0")]
pub struct FractionError {
    /// What was typed.
    pub input: String,
}

impl FromStr for Fraction {
    type Err = FractionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || FractionError { input: s.chars().take(40).collect() };
        let t = s.trim();
        let (n, d) = match t.split_once('/') {
            Some((n, d)) => (n.trim(), d.trim()),
            None => (t, "1"),
        };
        let num: u32 = n.parse().map_err(|_| err())?;
        let den: u32 = d.parse().map_err(|_| err())?;
        Fraction::new(num, den).ok_or_else(err)
    }
}

impl Serialize for Fraction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}/{}", self.num, self.den))
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A majority rule: `> 1/2` (strictly more than half of votes cast) or `>= 2/3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Majority {
    /// Strictly more than the fraction (`>`), or at least it (`>=`).
    pub strict: bool,
    /// The threshold.
    pub threshold: Fraction,
}

impl fmt::Display for Majority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", if self.strict { ">" } else { ">=" }, self.threshold)
    }
}

/// Why a majority rule was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a majority rule: expected '> 1/2' or '>= 2/3' (a comparison, then a fraction)")]
pub struct MajorityError {
    /// What was typed.
    pub input: String,
}

impl FromStr for Majority {
    type Err = MajorityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || MajorityError { input: s.chars().take(40).collect() };
        let t = s.trim();
        let (strict, rest) = if let Some(r) = t.strip_prefix(">=") {
            (false, r)
        } else if let Some(r) = t.strip_prefix('>') {
            (true, r)
        } else {
            return Err(err());
        };
        let threshold: Fraction = rest.parse().map_err(|_| err())?;
        if threshold.num > threshold.den {
            return Err(err());
        }
        Ok(Majority { strict, threshold })
    }
}

impl Serialize for Majority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Majority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A member's number in the register: sequential from 1, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberNo(pub u32);

impl fmt::Display for MemberNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The stable identity of a party (a member, later a partner): a ULID.
pub type PartyId = ulid::Ulid;

/// How a user names a member: by number (`12`) or by ULID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRef {
    /// The register number.
    Number(MemberNo),
    /// The party's ULID.
    Id(PartyId),
}

impl fmt::Display for MemberRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemberRef::Number(n) => write!(f, "{n}"),
            MemberRef::Id(id) => write!(f, "{id}"),
        }
    }
}

/// Why a member reference was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' does not name a member: expected a member number such as 12 or a 26-character ULID")]
pub struct MemberRefError {
    /// What was typed.
    pub input: String,
}

impl FromStr for MemberRef {
    type Err = MemberRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Ok(n) = t.parse::<u32>() {
            if n > 0 {
                return Ok(MemberRef::Number(MemberNo(n)));
            }
        }
        if t.len() == 26 {
            if let Ok(id) = ulid::Ulid::from_string(t) {
                return Ok(MemberRef::Id(id));
            }
        }
        Err(MemberRefError { input: s.chars().take(40).collect() })
    }
}

/// Why a date was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a date: expected YYYY-MM-DD, such as 2026-06-30")]
pub struct DateError {
    /// What was typed.
    pub input: String,
}

/// Parses a `YYYY-MM-DD` date, strictly (no other format, no time).
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let t = s.trim();
    let err = || DateError { input: s.chars().take(40).collect() };
    if t.len() != 10 || t.as_bytes()[4] != b'-' || t.as_bytes()[7] != b'-' {
        return Err(err());
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| err())
}

/// `n` and the noun agreeing with it: `count(1, "share", "shares")` is "1 share", 0 and 2 take
/// the plural ("0 shares", "2 shares").
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Adds a number of calendar years, clamping 29 February to 28 February.
pub fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    use chrono::Datelike;
    date.with_year(date.year() + years).or_else(|| date.pred_opt().and_then(|d| d.with_year(d.year() + years))).unwrap_or(date)
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn a_count_agrees_with_its_noun() {
        assert_eq!(super::count(1u32, "share", "shares"), "1 share");
        assert_eq!(super::count(2u32, "share", "shares"), "2 shares");
        assert_eq!(super::count(0u64, "problem", "problems"), "0 problems");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_as_typed_by_a_secretary() {
        assert_eq!("25".parse::<Cents>(), Ok(Cents(2500)));
        assert_eq!("25.5".parse::<Cents>(), Ok(Cents(2550)));
        assert_eq!("25.50".parse::<Cents>(), Ok(Cents(2550)));
        assert_eq!("25,05".parse::<Cents>(), Ok(Cents(2505)));
        assert_eq!("0".parse::<Cents>(), Ok(Cents(0)));
        for bad in ["", "-5", "25.", ".5", "25.505", "1e3", "abc", "2 500", "9999999999999"] {
            assert!(bad.parse::<Cents>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn amounts_display_with_grouping() {
        assert_eq!(Cents(1_850_000).to_string(), "18,500 €");
        assert_eq!(Cents(2550).to_string(), "25.50 €");
        assert_eq!(Cents(-100).to_string(), "-1 €");
    }

    #[test]
    fn fractions_and_majorities() {
        let q: Fraction = "1/4".parse().unwrap();
        assert_eq!((q.num(), q.den()), (1, 4));
        assert_eq!("0".parse::<Fraction>().unwrap().num(), 0);
        assert!("1/0".parse::<Fraction>().is_err());
        assert!("a/b".parse::<Fraction>().is_err());
        assert!(Fraction::new(1, 5).unwrap().less_than(q));
        assert!(!q.less_than(Fraction::new(2, 8).unwrap()));
        assert_eq!(q.of_ceil(Cents(1001)), Cents(251));
        let m: Majority = "> 1/2".parse().unwrap();
        assert!(m.strict);
        let m: Majority = ">= 2/3".parse().unwrap();
        assert!(!m.strict);
        assert!("= 1/2".parse::<Majority>().is_err());
        assert!("> 3/2".parse::<Majority>().is_err());
    }

    #[test]
    fn member_refs_and_dates() {
        assert_eq!("12".parse::<MemberRef>(), Ok(MemberRef::Number(MemberNo(12))));
        assert!("0".parse::<MemberRef>().is_err());
        assert!("x12".parse::<MemberRef>().is_err());
        let id = ulid::Ulid::new();
        assert_eq!(id.to_string().parse::<MemberRef>(), Ok(MemberRef::Id(id)));
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-3").is_err());
        assert!(parse_date("30/06/2016").is_err());
        assert_eq!(parse_date("2016-06-30").unwrap().to_string(), "2016-06-30");
        let leap = parse_date("2024-02-29").unwrap();
        assert_eq!(add_years(leap, 5).to_string(), "2029-02-28");
    }
}

//! Dates in binary forms as day numbers: `#[serde(with = "crate::day")]` (and `day::opt`,
//! `day::pairs`) on date fields of pieces read in bulk.
//!
//! chrono writes a `NaiveDate` as text ("2021-01-10") in every format, and parsing that text
//! back is most of the cost of reading a project's participation spells. In a format that is
//! not human-readable (postcard, the store's binary pieces) a date is written as its day number
//! instead; in JSON (and any human-readable format) it stays the text chrono writes, so
//! nothing a person or a script reads changes.

use chrono::{Datelike, NaiveDate};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date that serializes as text for people and as a day number otherwise.
struct Day(NaiveDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.0.serialize(s)
        } else {
            s.serialize_i32(self.0.num_days_from_ce())
        }
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        if d.is_human_readable() {
            return NaiveDate::deserialize(d).map(Day);
        }
        let n = i32::deserialize(d)?;
        NaiveDate::from_num_days_from_ce_opt(n).map(Day).ok_or_else(|| D::Error::custom(format!("day {n} is out of range")))
    }
}

pub(crate) fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    Day(*d).serialize(s)
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    Day::deserialize(d).map(|d| d.0)
}

/// An optional date.
pub(crate) mod opt {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        d.map(Day).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<Day>::deserialize(d)?.map(|d| d.0))
    }
}

/// Dated values: `(from date, value)` in order.
pub(crate) mod pairs {
    use super::*;

    pub(crate) fn serialize<S: Serializer, T: Serialize>(v: &[(NaiveDate, T)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|(d, t)| (Day(*d), t)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<(NaiveDate, T)>, D::Error> {
        Ok(Vec::<(Day, T)>::deserialize(d)?.into_iter().map(|(d, t)| (d.0, t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(with = "crate::day")]
        on: chrono::NaiveDate,
        #[serde(with = "crate::day::opt")]
        until: Option<chrono::NaiveDate>,
        #[serde(with = "crate::day::pairs")]
        roles: Vec<(chrono::NaiveDate, String)>,
    }

    #[test]
    fn dates_are_text_in_json_and_day_numbers_in_postcard() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let v = Dated { on: d("2021-01-10"), until: Some(d("2024-02-29")), roles: vec![(d("2021-01-10"), "lead".into())] };
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#"{"on":"2021-01-10","until":"2024-02-29","roles":[["2021-01-10","lead"]]}"#, "as chrono writes them");
        assert_eq!(serde_json::from_str::<Dated>(&json).unwrap(), v);
        let bin = postcard::to_stdvec(&v).unwrap();
        assert_eq!(postcard::from_bytes::<Dated>(&bin).unwrap(), v);
        assert!(bin.len() < 20, "{} bytes: day numbers, not text", bin.len());
        let none = Dated { on: d("1999-12-31"), until: None, roles: Vec::new() };
        assert_eq!(postcard::from_bytes::<Dated>(&postcard::to_stdvec(&none).unwrap()).unwrap(), none);
        // A day number no calendar has is an error, never a panic.
        let bad = postcard::to_stdvec(&(i32::MAX, None::<i32>, Vec::<(i32, String)>::new())).unwrap();
        assert!(postcard::from_bytes::<Dated>(&bad).is_err());
    }
}

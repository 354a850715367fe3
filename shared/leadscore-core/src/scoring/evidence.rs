//! The evidence of a contribution: what matched, kept as data while a score
//! is computed and written out in words only when it is shown or
//! serialized.
//!
//! Scoring a batch builds one evidence per fired rule per lead; most are
//! never read (a rescoring run stores them, an alert shows the top three).
//! Writing each one's date and counts as text cost about a sixth of the
//! scoring time, so the engine keeps the parts (the matched text, the count,
//! the date) and [`fmt::Display`] writes the words, identical to the text
//! the engine used to build.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What matched, in words: `seniority = director`, `page_viewed /pricing
/// (×2, latest 2026-10-30)`, `0 matching in the last 30 days`.
///
/// Shown with [`fmt::Display`] (or [`ToString`]); serialized as that text
/// and read back from it, so stored scores and events carry plain strings.
/// Two evidences are equal when their texts are.
#[derive(Debug, Clone, Default)]
pub struct EvidenceText {
    /// The text before the tail (all of it for text read back).
    text: String,
    /// What follows the text.
    tail: Tail,
}

/// The part of an evidence computed from numbers, written on display.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) enum Tail {
    /// Nothing.
    #[default]
    None,
    /// ` (YYYY-MM-DD)` for one occurrence, ` (×N, latest YYYY-MM-DD)` for
    /// more: the latest occurrence's date.
    Latest {
        /// Matching occurrences.
        count: u32,
        /// When the latest happened.
        at: DateTime<Utc>,
    },
    /// `N matching`, then ` in the last W days` when the rule has a window.
    Count {
        /// Occurrences counted.
        count: u32,
        /// The rule's window, in days.
        within_days: Option<f64>,
    },
}

impl EvidenceText {
    /// Empties the evidence, keeping its buffer.
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.tail = Tail::None;
    }

    /// The text part, to append to.
    pub(super) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// Sets the tail.
    pub(super) fn set_tail(&mut self, tail: Tail) {
        self.tail = tail;
    }

    /// Makes this evidence a copy of `other`, reusing its buffer.
    pub(super) fn copy_from(&mut self, other: &Self) {
        self.text.clear();
        self.text.push_str(&other.text);
        self.tail = other.tail;
    }

    /// Puts `prefix` before the text.
    pub(super) fn prepend(&mut self, prefix: &str) {
        self.text.insert_str(0, prefix);
    }

    /// Whether the written evidence starts with `prefix`.
    pub fn starts_with(&self, prefix: &str) -> bool {
        if self.text.len() >= prefix.len() || !prefix.starts_with(self.text.as_str()) {
            // The text alone decides.
            self.text.starts_with(prefix)
        } else {
            self.to_string().starts_with(prefix)
        }
    }

    /// Whether the written evidence contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.text.contains(needle) || self.to_string().contains(needle)
    }

    /// Whether the written evidence is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.tail == Tail::None
    }
}

impl fmt::Display for EvidenceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        match self.tail {
            Tail::None => Ok(()),
            Tail::Latest { count, at } if count > 1 => {
                write!(f, " (×{count}, latest {})", Ymd::of(at).as_str())
            }
            Tail::Latest { at, .. } => write!(f, " ({})", Ymd::of(at).as_str()),
            Tail::Count { count, within_days } => {
                write!(f, "{count} matching")?;
                match within_days {
                    Some(w) => write!(f, " in the last {} days", super::format_number(w)),
                    None => Ok(()),
                }
            }
        }
    }
}

impl EvidenceText {
    /// Whether the written evidence is `expected`, written piece by piece
    /// against it (no allocation).
    fn writes(&self, expected: &str) -> bool {
        /// Consumes `rest` with what is written; fails on a difference.
        struct Against<'a> {
            rest: &'a str,
        }
        impl fmt::Write for Against<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.rest = self.rest.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut w = Against { rest: expected };
        fmt::write(&mut w, format_args!("{self}")).is_ok() && w.rest.is_empty()
    }
}

impl PartialEq for EvidenceText {
    fn eq(&self, other: &Self) -> bool {
        match (self.tail, other.tail) {
            (a, b) if a == b => self.text == other.text,
            (_, Tail::None) => self.writes(&other.text),
            (Tail::None, _) => other.writes(&self.text),
            _ => self.writes(&other.to_string()),
        }
    }
}

impl PartialEq<str> for EvidenceText {
    fn eq(&self, other: &str) -> bool {
        self.writes(other)
    }
}

impl PartialEq<&str> for EvidenceText {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl From<String> for EvidenceText {
    fn from(text: String) -> Self {
        Self {
            text,
            tail: Tail::None,
        }
    }
}

impl From<&str> for EvidenceText {
    fn from(text: &str) -> Self {
        text.to_owned().into()
    }
}

impl Serialize for EvidenceText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.tail {
            Tail::None => serializer.serialize_str(&self.text),
            _ => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for EvidenceText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// A UTC date written as `YYYY-MM-DD` (years past 9999 in full, years
/// before 0 as 0000), without chrono's formatting machinery.
pub(super) struct Ymd {
    buf: [u8; 26],
    len: usize,
}

impl Ymd {
    pub(super) fn of(t: DateTime<Utc>) -> Self {
        let (year, month, day) =
            civil_from_days(t.timestamp().div_euclid(86_400)).unwrap_or_else(|| {
                use chrono::Datelike;
                let d = t.date_naive();
                (i64::from(d.year()), d.month(), d.day())
            });
        let mut out = Self {
            buf: [0; 26],
            len: 0,
        };
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut y = year.max(0) as u64;
        loop {
            i -= 1;
            digits[i] = b'0' + (y % 10) as u8;
            y /= 10;
            if y == 0 {
                break;
            }
        }
        for _ in (digits.len() - i)..4 {
            out.push(b'0');
        }
        for &d in &digits[i..] {
            out.push(d);
        }
        for (sep, n) in [(b'-', month), (b'-', day)] {
            out.push(sep);
            out.push(b'0' + (n / 10 % 10) as u8);
            out.push(b'0' + (n % 10) as u8);
        }
        out
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    pub(super) fn as_str(&self) -> &str {
        // Only ASCII digits and dashes were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The proleptic Gregorian (year, month, day) of a Unix day number, by Neri
/// and Schneider's Euclidean affine functions ("Euclidean affine functions
/// and their application to calendar algorithms", 2022): a few unsigned
/// multiplications and shifts. Valid from about year -32,800 on; `None`
/// before.
fn civil_from_days(days: i64) -> Option<(i64, u32, u32)> {
    const S: u32 = 82;
    const K: u32 = 719_468 + 146_097 * S;
    const L: u32 = 400 * S;
    let n = u32::try_from(days.checked_add(i64::from(K))?).ok()?;
    // 4n + 3 must fit in 32 bits.
    if n > (u32::MAX - 3) / 4 {
        return None;
    }
    let n1 = 4 * n + 3;
    let c = n1 / 146_097;
    let nc = n1 % 146_097 / 4;
    let n2 = 4 * nc + 3;
    let p2 = 2_939_745 * u64::from(n2);
    let z = (p2 >> 32) as u32;
    let ny = (p2 as u32) / 2_939_745 / 4;
    let y = 100 * c + z;
    let n3 = 2_141 * ny + 197_913;
    let m = n3 >> 16;
    let d = (n3 & 0xFFFF) / 2_141;
    let j = ny >= 306;
    Some((
        i64::from(y) - i64::from(L) + i64::from(j),
        if j { m - 12 } else { m },
        d + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone};

    /// The evidence date, as chrono's calendar fields give it.
    fn reference(t: DateTime<Utc>) -> String {
        format!("{:04}-{:02}-{:02}", t.year().max(0), t.month(), t.day())
    }

    #[test]
    fn evidence_dates_match_chrono_across_the_calendar() {
        let mut checked = 0;
        let days = (-1_100_000i64..2_600_000)
            .chain((-100_000_000i64..-1_100_000).step_by(9_973))
            .chain((2_600_000i64..95_000_000).step_by(9_973));
        for d in days {
            let Some(t) = Utc.timestamp_opt(d * 86_400 + 86_399, 0).single() else {
                continue;
            };
            assert_eq!(Ymd::of(t).as_str(), reference(t), "day {d}");
            checked += 1;
        }
        for t in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            assert_eq!(Ymd::of(t).as_str(), reference(t));
        }
        assert!(checked > 3_000_000);
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap()
    }

    fn evidence(text: &str, tail: Tail) -> EvidenceText {
        let mut e = EvidenceText::from(text);
        e.set_tail(tail);
        e
    }

    #[test]
    fn evidence_is_written_as_words() {
        let t = at("2026-10-30T23:59:59Z");
        let cases = [
            (
                evidence("seniority = director", Tail::None),
                "seniority = director",
            ),
            (
                evidence("page_viewed /pricing", Tail::Latest { count: 1, at: t }),
                "page_viewed /pricing (2026-10-30)",
            ),
            (
                evidence("/pricing", Tail::Latest { count: 12, at: t }),
                "/pricing (×12, latest 2026-10-30)",
            ),
            (
                evidence(
                    "",
                    Tail::Count {
                        count: 0,
                        within_days: Some(30.0),
                    },
                ),
                "0 matching in the last 30 days",
            ),
            (
                evidence(
                    "",
                    Tail::Count {
                        count: 3,
                        within_days: Some(2.5),
                    },
                ),
                "3 matching in the last 2.50 days",
            ),
            (
                evidence(
                    "tech: ",
                    Tail::Count {
                        count: 4,
                        within_days: None,
                    },
                ),
                "tech: 4 matching",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
            assert_eq!(e, want);
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                serde_json::to_string(want).unwrap()
            );
            // Read back, it is the text, and equal to the structured one.
            let back: EvidenceText =
                serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
            assert_eq!(back, e);
            assert_eq!(back.to_string(), want);
            // Every prefix and every suffix, across the text and the tail.
            for (i, _) in want.char_indices() {
                assert!(
                    e.starts_with(&want[..i]),
                    "{want} starts with {}",
                    &want[..i]
                );
                assert!(e.contains(&want[i..]), "{want} contains {}", &want[i..]);
            }
            assert!(!e.starts_with("x"));
            assert!(!e.contains("never"));
        }
        assert_ne!(
            evidence("a", Tail::Latest { count: 1, at: t }),
            evidence("a", Tail::Latest { count: 2, at: t })
        );
        assert!(EvidenceText::default().is_empty());
        assert!(!evidence("", Tail::Latest { count: 1, at: t }).is_empty());
    }
}

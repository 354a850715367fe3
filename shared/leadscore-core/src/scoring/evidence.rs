//! The evidence of a contribution: what matched, kept as data while a score
//! is computed and written out in words only when it is shown or
//! serialized.
//!
//! Scoring a batch builds one evidence per fired rule per lead; most are
//! never read (a rescoring run stores them, an alert shows the top three).
//! Writing each one's date and counts as text cost about a sixth of the
//! scoring instructions, so the engine keeps the parts (the matched text,
//! the count, the date) and [`fmt::Display`] writes the words, identical to
//! the text the engine used to build.

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
        // The tail is written out only when `prefix` runs past the text.
        self.text.starts_with(prefix)
            || (prefix.starts_with(self.text.as_str()) && self.to_string().starts_with(prefix))
    }

    /// Whether the written evidence contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        match self.tail {
            Tail::None => self.text.contains(needle),
            _ => self.to_string().contains(needle),
        }
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
                write!(f, " (×{count}, latest {})", Date(at))
            }
            Tail::Latest { at, .. } => write!(f, " ({})", Date(at)),
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
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EvidenceText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// The UTC date of an instant, written `YYYY-MM-DD` (years before 0 as
/// 0000).
struct Date(DateTime<Utc>);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike;
        let d = self.0.date_naive();
        write!(f, "{:04}-{:02}-{:02}", d.year().max(0), d.month(), d.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Years past 9999 in full, before year 0 as 0000 (as the text was).
        for (at, want) in [
            (DateTime::<Utc>::MAX_UTC, "x (262142-12-31)"),
            (DateTime::<Utc>::MIN_UTC, "x (0000-01-01)"),
        ] {
            let e = evidence("x", Tail::Latest { count: 1, at });
            assert_eq!(e.to_string(), want);
        }
        assert!(EvidenceText::default().is_empty());
        assert!(!evidence("", Tail::Latest { count: 1, at: t }).is_empty());
    }
}

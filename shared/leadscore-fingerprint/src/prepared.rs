//! Pattern analyses computed ahead of time, in a compact encoded form.
//!
//! Loading a fingerprint database parses each regex (`regex_syntax`) for
//! the literals its prefilter looks for: a third of the load. Whoever knows
//! the patterns before run time — the binaries, whose build script loads the
//! embedded files with this engine — encodes
//! [`FingerprintDb::pattern_analyses`](crate::FingerprintDb::pattern_analyses)
//! with [`PreparedPatterns::encode`], embeds the bytes, and loads with
//! [`FingerprintDb::from_sources_prepared`](crate::FingerprintDb::from_sources_prepared).
//!
//! The bytes are [postcard](https://docs.rs/postcard) of a format version and
//! the analyses sorted by body; strings are borrowed from them when decoded.
//! A flat byte string rather than generated Rust statics: statics of string
//! slices cost a pointer and a relocation per string, 2.5× the bytes.

use serde::{Deserialize, Serialize};

use crate::error::FingerprintError;
use crate::pattern::PatternAnalysis;

/// Changes whenever the encoded layout or the meaning of an analysis does.
const FORMAT: u32 = 2;

/// One analysis, borrowed from the encoded bytes.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Prepared<'a> {
    #[serde(borrow)]
    pub(crate) body: &'a str,
    pub(crate) unicode: bool,
    #[serde(borrow)]
    pub(crate) literals: Vec<&'a str>,
    #[serde(borrow)]
    pub(crate) also: Vec<Vec<&'a str>>,
    pub(crate) confined: bool,
}

impl Prepared<'_> {
    /// The literals and the further literal sets, owned.
    pub(crate) fn literal_sets(&self) -> (Vec<String>, Vec<Vec<String>>) {
        fn owned(set: &[&str]) -> Vec<String> {
            set.iter().map(|l| (*l).to_owned()).collect()
        }
        (
            owned(&self.literals),
            self.also.iter().map(|set| owned(set)).collect(),
        )
    }
}

/// The encoded form: the format version, then the analyses.
#[derive(Serialize, Deserialize)]
struct Encoded<'a> {
    format: u32,
    #[serde(borrow)]
    analyses: Vec<Prepared<'a>>,
}

/// Pattern analyses known ahead of time, looked up by regex body at load.
/// [`Default`] is the empty set (every regex is parsed).
#[derive(Debug, Default)]
pub struct PreparedPatterns<'a> {
    /// Sorted by body, bodies unique.
    analyses: Vec<Prepared<'a>>,
}

impl<'a> PreparedPatterns<'a> {
    /// Encodes `analyses` (any order; one per body).
    pub fn encode(analyses: &[PatternAnalysis]) -> Vec<u8> {
        let mut sorted: Vec<&PatternAnalysis> = analyses.iter().collect();
        sorted.sort_by(|a, b| a.body.cmp(&b.body));
        sorted.dedup_by(|a, b| a.body == b.body);
        fn strs(set: &[String]) -> Vec<&str> {
            set.iter().map(String::as_str).collect()
        }
        let encoded = Encoded {
            format: FORMAT,
            analyses: sorted
                .into_iter()
                .map(|a| Prepared {
                    body: &a.body,
                    unicode: a.unicode,
                    literals: strs(&a.literals),
                    also: a.also.iter().map(|set| strs(set)).collect(),
                    confined: a.confined,
                })
                .collect(),
        };
        // Serializing plain strings, bools and sequences into a Vec cannot
        // fail.
        postcard::to_allocvec(&encoded).unwrap_or_default()
    }

    /// Reads what [`encode`](Self::encode) wrote, borrowing its strings.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, FingerprintError> {
        let encoded: Encoded<'a> =
            postcard::from_bytes(bytes).map_err(|e| FingerprintError::Prepared(e.to_string()))?;
        if encoded.format != FORMAT {
            return Err(FingerprintError::Prepared(format!(
                "format {} where this build reads {FORMAT}",
                encoded.format
            )));
        }
        if !encoded.analyses.is_sorted_by(|a, b| a.body < b.body) {
            return Err(FingerprintError::Prepared(
                "analyses not sorted by body, or a body twice".into(),
            ));
        }
        Ok(Self {
            analyses: encoded.analyses,
        })
    }

    /// Number of analyses.
    pub fn len(&self) -> usize {
        self.analyses.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.analyses.is_empty()
    }

    /// The analyses, owned (as [`encode`](Self::encode) took them, sorted).
    pub fn to_analyses(&self) -> Vec<PatternAnalysis> {
        self.analyses
            .iter()
            .map(|p| {
                let (literals, also) = p.literal_sets();
                PatternAnalysis {
                    body: p.body.to_owned(),
                    unicode: p.unicode,
                    literals,
                    also,
                    confined: p.confined,
                }
            })
            .collect()
    }

    /// The analysis of `body`, if prepared.
    pub(crate) fn get(&self, body: &str) -> Option<&Prepared<'a>> {
        self.analyses
            .binary_search_by(|p| p.body.cmp(body))
            .ok()
            .map(|i| &self.analyses[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysis(body: &str, literals: &[&str], also: &[&[&str]]) -> PatternAnalysis {
        PatternAnalysis {
            body: body.into(),
            unicode: body.contains('é'),
            literals: literals.iter().map(|l| (*l).into()).collect(),
            also: also
                .iter()
                .map(|set| set.iter().map(|l| (*l).into()).collect())
                .collect(),
            confined: !body.contains('>'),
        }
    }

    #[test]
    fn round_trips_sorted() {
        let given = [
            analysis("zeta(\\d+)", &["zeta"], &[]),
            analysis("caf(é|e)-x", &["caf"], &[&["-x\"q\\"]]),
            analysis("a(b|c)d", &[], &[&["abd", "acd"], &["xyz"]]),
            analysis("<a[^>]+>", &["<a"], &[]),
        ];
        let bytes = PreparedPatterns::encode(&given);
        let prepared = PreparedPatterns::decode(&bytes).unwrap();
        assert_eq!(prepared.len(), 4);
        let mut want = given.to_vec();
        want.sort_by(|a, b| a.body.cmp(&b.body));
        assert_eq!(prepared.to_analyses(), want);
        assert_eq!(prepared.get("caf(é|e)-x").unwrap().also, [["-x\"q\\"]]);
        assert!(prepared.get("caf").is_none());
    }

    #[test]
    fn refuses_other_formats_and_broken_bytes() {
        let bytes = PreparedPatterns::encode(&[analysis("a+b", &[], &[])]);
        assert!(PreparedPatterns::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut other = bytes.clone();
        other[0] = 9; // the format version, a one-byte varint
        let err = PreparedPatterns::decode(&other).unwrap_err();
        assert!(err.to_string().contains("format 9"), "{err}");
        assert!(PreparedPatterns::decode(&[]).is_err());
    }

    #[test]
    fn refuses_unsorted_analyses() {
        let encoded = Encoded {
            format: FORMAT,
            analyses: ["b+", "a+"]
                .map(|body| Prepared {
                    body,
                    unicode: false,
                    literals: Vec::new(),
                    also: Vec::new(),
                    confined: false,
                })
                .into(),
        };
        let bytes = postcard::to_allocvec(&encoded).unwrap();
        let err = PreparedPatterns::decode(&bytes).unwrap_err();
        assert!(err.to_string().contains("sorted"), "{err}");
    }
}

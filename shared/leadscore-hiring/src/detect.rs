//! ATS detection from raw HTML (links, script sources, iframes, inline JSON).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// An applicant-tracking system this crate recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ats {
    /// Greenhouse job boards.
    Greenhouse,
    /// Lever postings.
    Lever,
    /// Ashby job boards.
    Ashby,
    /// Workable careers pages.
    Workable,
    /// SmartRecruiters careers pages.
    SmartRecruiters,
    /// Recruitee careers sites.
    Recruitee,
    /// Personio job pages.
    Personio,
    /// Teamtailor careers sites.
    Teamtailor,
    /// BambooHR careers pages.
    BambooHr,
    /// Workday (myworkdayjobs.com).
    Workday,
}

impl Ats {
    /// Every ATS, in declaration order.
    pub const ALL: [Self; 10] = [
        Self::Greenhouse,
        Self::Lever,
        Self::Ashby,
        Self::Workable,
        Self::SmartRecruiters,
        Self::Recruitee,
        Self::Personio,
        Self::Teamtailor,
        Self::BambooHr,
        Self::Workday,
    ];
}

/// The most boards [`detect_ats`] returns for one page.
pub const MAX_BOARDS: usize = 8;

/// One detected ATS board.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AtsBoard {
    /// Which ATS.
    pub ats: Ats,
    /// Board token / company slug as the ATS's public API expects it.
    /// For Workday this is `tenant/wdN/site`.
    pub token: String,
    /// A board in the ATS's EU region (Lever: `jobs.eu.lever.co`), served by
    /// its EU API host.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub eu: bool,
}

/// Compiled [`PATTERN_SOURCES`]; a unit test checks that none failed to compile.
static PATTERNS: LazyLock<Vec<(Ats, Regex)>> = LazyLock::new(|| {
    PATTERN_SOURCES
        .iter()
        .filter_map(|(ats, src)| Regex::new(src).ok().map(|r| (*ats, r)))
        .collect()
});

/// (ATS, pattern) pairs; capture group 1 is the token (Workday: 1-3).
const PATTERN_SOURCES: &[(Ats, &str)] = &[
    (
        Ats::Greenhouse,
        // The query's other parameters are bounded (at most 8, of 256
        // bytes each): unbounded, each match scanned to the end of a run of
        // `job_app?` copies, quadratic on a hostile page.
        r"(?:job-)?boards(?:\.[a-z]{2,})?\.greenhouse\.io/(?:embed/job_(?:board(?:/js)?|app)\?(?:[^\s&<>]{0,256}&(?:amp;)?){0,8}for=)?([A-Za-z0-9_-]+)",
    ),
    (
        Ats::Greenhouse,
        r"boards-api\.greenhouse\.io/v1/boards/([A-Za-z0-9_-]+)",
    ),
    (Ats::Lever, r"jobs\.(?:eu\.)?lever\.co/([A-Za-z0-9_.-]+)"),
    (
        Ats::Lever,
        r"api\.(?:eu\.)?lever\.co/v0/postings/([A-Za-z0-9_.-]+)",
    ),
    (Ats::Ashby, r"jobs\.ashbyhq\.com/([A-Za-z0-9_.%-]+)"),
    (
        Ats::Ashby,
        r"api\.ashbyhq\.com/posting-api/job-board/([A-Za-z0-9_.%-]+)",
    ),
    (Ats::Workable, r"apply\.workable\.com/([A-Za-z0-9_-]+)"),
    (
        Ats::SmartRecruiters,
        r"(?:jobs|careers)\.smartrecruiters\.com/([A-Za-z0-9_-]+)",
    ),
    (Ats::Recruitee, r"([a-z0-9-]+)\.recruitee\.com"),
    (Ats::Personio, r"([a-z0-9-]+)\.jobs\.personio\.[a-z]{2,3}"),
    (
        Ats::Teamtailor,
        r"([a-z0-9-]+)(?:\.career)?\.teamtailor\.com",
    ),
    (
        Ats::BambooHr,
        r"([a-z0-9-]+)\.bamboohr\.com/(?:careers|jobs)",
    ),
    (
        Ats::Workday,
        r"([a-z0-9-]+)\.(wd\d+)\.myworkdayjobs\.com/(?:[a-z]{2}-[A-Z]{2}/)?([A-Za-z0-9_-]+)",
    ),
];

/// Tokens that are path segments or asset hosts, never board tokens.
const NOT_TOKENS: &[&str] = &[
    "embed",
    // SmartRecruiters' one-click apply pages
    // (`jobs.smartrecruiters.com/oneclick-ui/company/{id}/…`).
    "oneclick-ui",
    "j",
    "api",
    "www",
    "static",
    "careers-page-assets",
    "assets",
    "cdn",
    "app",
    "wday",
    "v1",
    "v0",
];

/// Detects every ATS board referenced anywhere in `html` (attributes, scripts,
/// inline JSON such as `__NEXT_DATA__`), in order of first appearance, deduplicated.
///
/// The text is scanned as-is, so it also works on JSON, sitemap XML or a plain URL.
/// At most [`MAX_BOARDS`], the first to appear: a company posts its jobs on one
/// or two boards, and each board found is a request to its ATS.
pub fn detect_ats(html: &str) -> Vec<AtsBoard> {
    // Inline JSON escapes slashes (`https:\/\/jobs.lever.co\/acme`).
    let text = html.replace("\\/", "/");
    let mut found: Vec<(usize, AtsBoard)> = Vec::new();
    // A hash set, not a scan of `found`: a hostile page can name hundreds
    // of thousands of distinct boards.
    let mut seen: HashSet<AtsBoard> = HashSet::new();
    for (ats, pattern) in PATTERNS.iter() {
        for caps in pattern.captures_iter(&text) {
            let Some(whole) = caps.get(0) else { continue };
            let token = if *ats == Ats::Workday {
                match (caps.get(1), caps.get(2), caps.get(3)) {
                    (Some(t), Some(w), Some(s)) => {
                        format!("{}/{}/{}", t.as_str(), w.as_str(), s.as_str())
                    }
                    _ => continue,
                }
            } else {
                match caps.get(1) {
                    // Ashby board names may be percent-encoded in links
                    // (`Acme%20Labs`); the token is the name, encoded once
                    // when the request URL is built.
                    Some(t) => percent_encoding::percent_decode_str(t.as_str())
                        .decode_utf8_lossy()
                        .into_owned(),
                    None => continue,
                }
            };
            if NOT_TOKENS.contains(&token.to_ascii_lowercase().as_str()) {
                continue;
            }
            let eu = *ats == Ats::Lever && whole.as_str().contains(".eu.lever.co");
            let board = AtsBoard {
                ats: *ats,
                token,
                eu,
            };
            if seen.insert(board.clone()) {
                found.push((whole.start(), board));
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.truncate(MAX_BOARDS);
    found.into_iter().map(|(_, b)| b).collect()
}

/// True when the page carries Teamtailor markers (generator meta tag or asset
/// hosts) even on a custom domain; then `{origin}/jobs.rss` is the job feed.
pub fn is_teamtailor_site(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.contains("content=\"teamtailor\"")
        || lower.contains("careers-page-assets.teamtailor.com")
        || lower.contains("static.teamtailor.com")
}

#[cfg(test)]
mod tests {
    use super::{Ats, PATTERN_SOURCES, PATTERNS};

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(PATTERNS.len(), PATTERN_SOURCES.len());
    }

    #[test]
    fn all_lists_every_ats_once() {
        // Exhaustive: a new ATS does not compile here until it has a place,
        // and then fails until `Ats::ALL` lists it there.
        fn place(a: Ats) -> usize {
            match a {
                Ats::Greenhouse => 0,
                Ats::Lever => 1,
                Ats::Ashby => 2,
                Ats::Workable => 3,
                Ats::SmartRecruiters => 4,
                Ats::Recruitee => 5,
                Ats::Personio => 6,
                Ats::Teamtailor => 7,
                Ats::BambooHr => 8,
                Ats::Workday => 9,
            }
        }
        for (i, a) in Ats::ALL.into_iter().enumerate() {
            assert_eq!(place(a), i, "{a:?}");
        }
    }
}

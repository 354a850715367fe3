//! # leadscore-fingerprint
//!
//! Technology detection ("tech stack" enrichment) on pages that were
//! **already fetched**. It reads fingerprints in the
//! [Wappalyzer technology format](https://github.com/wappalyzer/wappalyzer)
//! (the last MIT-licensed data ships in `third_party/wappalyzer/`, our
//! B2B additions in `data/fingerprints/b2b.json`), compiles them once into a
//! [`FingerprintDb`], and returns [`Detection`]s with confidence, version and
//! evidence.
//!
//! ## What this crate must never do
//! * No network and no async: it depends on no tokio, reqwest, AWS or
//!   lambda crate. Fetching pages is someone else's job.
//! * No file I/O in loading from text or in detection. The only function
//!   that touches the file system is [`fs::load_dir`], kept apart for
//!   callers' convenience.
//! * No silent drops: a pattern that cannot be compiled is listed in the
//!   [`LoadReport`].
//!
//! ## Supported fields
//! `url`, `html`, `scriptSrc` (also applied to the URL-like string literals
//! of inline scripts), `scripts` (inline script text), `meta`, `headers`,
//! `cookies` (with `*` globs), `js` (approximated from inline script
//! assignments and uses such as
//! `window._hsq =` or `var piAId =`), `dom` (string, array or object form
//! with `exists`, `text`, `attributes`, `properties` — properties read as
//! attributes), `implies`, `excludes`, `requires`, `requiresCategory`,
//! `cats`, and the `\;confidence:N` and `\;version:\1` (and `\1?a:b`) tags.
//!
//! ## Example
//! ```
//! use leadscore_fingerprint::{FingerprintDb, PageInput, Source};
//!
//! let techs = r#"{"HubSpot": {"cats": [32], "scriptSrc": "js\\.hs-scripts\\.com/"}}"#;
//! let cats = r#"{"32": {"name": "Marketing automation"}}"#;
//! let (db, report) = FingerprintDb::from_sources(&[
//!     Source::categories("categories.json", cats),
//!     Source::technologies("ours.json", techs),
//! ])?;
//! assert!(report.issues.is_empty());
//! let html = r#"<script id="hs-script-loader" async defer src="//js.hs-scripts.com/123.js"></script>"#;
//! let found = db.detect(&PageInput::new("https://example.com/", html));
//! assert_eq!(found[0].name, "HubSpot");
//! assert_eq!(found[0].categories, ["Marketing automation"]);
//! # Ok::<(), leadscore_fingerprint::FingerprintError>(())
//! ```
//!
//! ## Loading at a cold start
//! Loading parses each regex for the literals of its prefilter. A caller
//! that knows its fingerprint files ahead of time can do that once: load
//! them, encode [`FingerprintDb::pattern_analyses`] with
//! [`PreparedPatterns::encode`], ship the bytes, and load with
//! [`FingerprintDb::from_sources_prepared`] (the binaries' build script does
//! this for the embedded set).

mod css;
mod detection;
mod engine;
mod error;
pub mod fs;
mod pattern;
mod prepared;
mod scan;
mod source;

pub use detection::{Detection, Evidence, PageInput, merge_detections};
pub use engine::{FingerprintDb, LoadIssue, LoadReport};
pub use error::FingerprintError;
pub use pattern::PatternAnalysis;
pub use prepared::PreparedPatterns;
pub use source::{IGNORED_FIELDS, Source, SourceKind};

//! The fingerprint sets compiled into the binary: the last MIT-licensed
//! Wappalyzer data (`third_party/wappalyzer/`, v6.10.47) and our B2B file
//! (`data/fingerprints/b2b.json`), which overrides it by technology name.
//!
//! The build script embeds each file minified and without the fields the
//! engine never reads (descriptions, websites, icons, …): 0.43 MB instead of
//! 1.41 MB. Origins in load reports are the committed files' paths. It also
//! analyses their regexes ([`PREPARED`]), so that a start parses none.

use leadscore_fingerprint::{FingerprintError, PreparedPatterns, Source};

/// The fields the build script drops from every embedded technology.
pub const DROPPED_FIELDS: &[&str] = include!(concat!(env!("OUT_DIR"), "/embedded_dropped.rs"));

/// What parsing gives for each regex of the embedded sources, computed by
/// the build script with the engine itself and encoded
/// ([`PreparedPatterns::encode`]); loading the embedded sources with it
/// parses none of them
/// ([`FingerprintDb::from_sources_prepared`](leadscore_fingerprint::FingerprintDb::from_sources_prepared)).
pub fn prepared() -> Result<PreparedPatterns<'static>, FingerprintError> {
    PreparedPatterns::decode(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/embedded_prepared.bin"
    )))
}

/// The embedded sources, in load order (later files override earlier ones).
pub fn sources() -> Vec<Source> {
    include!(concat!(env!("OUT_DIR"), "/embedded_sources.rs"))
}

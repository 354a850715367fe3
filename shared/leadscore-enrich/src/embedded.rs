//! The fingerprint sets compiled into the binary: the last MIT-licensed
//! Wappalyzer data (`third_party/wappalyzer/`, v6.10.47) and our B2B file
//! (`data/fingerprints/b2b.json`), which overrides it by technology name.
//!
//! The build script embeds each file minified and without the fields the
//! engine never reads (descriptions, websites, icons, …): 0.43 MB instead of
//! 1.41 MB. Origins in load reports are the committed files' paths.

use leadscore_fingerprint::Source;

/// The fields the build script drops from every embedded technology.
pub const DROPPED_FIELDS: &[&str] = include!(concat!(env!("OUT_DIR"), "/embedded_dropped.rs"));

/// The embedded sources, in load order (later files override earlier ones).
pub fn sources() -> Vec<Source> {
    include!(concat!(env!("OUT_DIR"), "/embedded_sources.rs"))
}

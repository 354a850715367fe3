//! Errors of this crate.

/// Why fingerprints could not be loaded.
///
/// Problems inside a technology (a bad pattern or selector) are not errors:
/// they are listed in the [`crate::LoadReport`] and the rest still loads.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    /// A source is not valid JSON.
    #[error("{origin}: invalid JSON: {source}")]
    Json {
        /// The source's origin.
        origin: String,
        /// The parser's error (with line and column).
        source: serde_json::Error,
    },
    /// A source is JSON of the wrong shape.
    #[error("{origin}: expected {expected}")]
    Shape {
        /// The source's origin.
        origin: String,
        /// What was expected.
        expected: &'static str,
    },
    /// Encoded [`crate::PreparedPatterns`] that cannot be read.
    #[error("prepared pattern analyses: {0}")]
    Prepared(String),
    /// Reading a fingerprint file or folder failed (only [`crate::fs`]).
    #[error("{path}: {source}")]
    Io {
        /// The path that could not be read.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

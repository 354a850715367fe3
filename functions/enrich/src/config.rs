//! The enrich function's configuration, read once at cold start.

use leadscore_lambda::{ConfigError, Env};

/// Settings from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table: String,
    /// `EVENT_BUS_NAME`: where events go.
    pub event_bus: String,
    /// `MAX_CONCURRENCY`: accounts of one batch enriched at once.
    pub concurrency: usize,
}

impl Config {
    /// Reads the settings. The fetcher's settings (`FETCH_*`, `CRAWL_*`) are
    /// read by [`leadscore_lambda::build_enricher`].
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required("TABLE_NAME")?,
            event_bus: env.required("EVENT_BUS_NAME")?,
            concurrency: env.parse_or("MAX_CONCURRENCY", 4usize)?.max(1),
        })
    }
}

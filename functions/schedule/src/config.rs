//! The schedule function's configuration, read once at cold start.

use leadscore_lambda::{ConfigError, Env};

/// Settings from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table: String,
    /// `ENRICH_QUEUE_URL`: where enrichment requests go.
    pub queue_url: String,
    /// `EVENT_BUS_NAME`: where pending alerts go.
    pub event_bus: String,
    /// `STALE_AFTER_DAYS`: enrichment older than this is redone.
    pub stale_after_days: i64,
    /// `RESCORE_AFTER_HOURS`: scores last checked longer ago than this
    /// before the tick are rescored by the run's `Scores Due` pass. A score
    /// is rescored within the schedule's period plus this of its last
    /// check (30 h with the daily default); keep it over the length of a
    /// run's chain of passes (hours at most), so that the scores its later
    /// rounds check are due at the next tick.
    pub rescore_after_hours: i64,
    /// `MAX_ACCOUNTS_PER_RUN`: the bound of one run.
    pub max_accounts: usize,
    /// `ALERT_DRAIN_LIMIT`: pending alerts published per run.
    pub drain_limit: usize,
}

impl Config {
    /// Reads the settings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required("TABLE_NAME")?,
            queue_url: env.required("ENRICH_QUEUE_URL")?,
            event_bus: env.required("EVENT_BUS_NAME")?,
            stale_after_days: env.days("STALE_AFTER_DAYS", 7)?,
            rescore_after_hours: env.hours("RESCORE_AFTER_HOURS", 6)?,
            max_accounts: env.count("MAX_ACCOUNTS_PER_RUN", 500)?,
            drain_limit: env.parse_or("ALERT_DRAIN_LIMIT", 100usize)?.max(1),
        })
    }
}

//! The score function's configuration, read once at cold start.

use leadscore_lambda::{ConfigError, Env};

/// Settings from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table: String,
    /// `EVENT_BUS_NAME`: where alerts go.
    pub event_bus: String,
    /// `ALERT_DRAIN_LIMIT`: pending alerts published per invocation.
    pub drain_limit: usize,
    /// `RESCORE_PASS_LIMIT`: leads a `Scores Due` pass takes at most.
    pub pass_limit: usize,
}

impl Config {
    /// Reads the settings (`SCORING_MODEL` is read by
    /// [`leadscore_lambda::load_model`]).
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table: env.required("TABLE_NAME")?,
            event_bus: env.required("EVENT_BUS_NAME")?,
            drain_limit: env.parse_or("ALERT_DRAIN_LIMIT", 100usize)?.max(1),
            pass_limit: env.count("RESCORE_PASS_LIMIT", 2_000)?,
        })
    }
}

//! The form-submit function's configuration, read once at cold start.

use chrono::Duration;
use leadscore_intake::{FormRules, IntakeConfig};
use leadscore_lambda::{ConfigError, Env};

/// Settings from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table: String,
    /// `EVENT_BUS_NAME`: where `Lead Submitted` goes.
    pub event_bus: String,
    /// `ENRICH_QUEUE_URL`: where enrichment requests go.
    pub queue_url: String,
    /// The intake's settings: `ALLOWED_ORIGINS` (comma-separated, `*` for
    /// any), `REQUIRE_CONSENT`, `HONEYPOT_FIELD`, `MAX_BODY_BYTES`,
    /// `STALE_AFTER_DAYS`, `WEBSITE_PORTS`, `FORM_RATE_LIMIT` (posts an
    /// address may make in an hour, 0 for no limit).
    pub intake: IntakeConfig,
}

impl Config {
    /// Reads the settings (`SCORING_MODEL` is read by
    /// [`leadscore_lambda::load_model`]).
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = IntakeConfig::default();
        let rules = FormRules::default();
        let allowed_origins = env.list("ALLOWED_ORIGINS");
        if let Some(reason) = allowed_origins
            .iter()
            .find_map(|o| leadscore_intake::http::origin_problem(o))
        {
            return Err(ConfigError::Invalid {
                name: "ALLOWED_ORIGINS".into(),
                value: allowed_origins.join(","),
                reason,
            });
        }
        Ok(Self {
            table: env.required("TABLE_NAME")?,
            event_bus: env.required("EVENT_BUS_NAME")?,
            queue_url: env.required("ENRICH_QUEUE_URL")?,
            intake: IntakeConfig {
                rules: FormRules {
                    require_consent: env.parse_or("REQUIRE_CONSENT", rules.require_consent)?,
                    honeypot_field: env
                        .optional("HONEYPOT_FIELD")
                        .unwrap_or(rules.honeypot_field),
                    ..rules
                },
                max_body_bytes: env.parse_or("MAX_BODY_BYTES", defaults.max_body_bytes)?,
                allowed_origins,
                stale_after: Duration::days(
                    env.days("STALE_AFTER_DAYS", defaults.stale_after.num_days())?,
                ),
                lease: defaults.lease,
                website_ports: env.parse_or("WEBSITE_PORTS", defaults.website_ports)?,
                rate_limit_per_hour: env
                    .parse_or("FORM_RATE_LIMIT", defaults.rate_limit_per_hour)?,
                // API Gateway's `sourceIp` is the client (a CloudFront
                // viewer's included), and the X-Forwarded-For it passes
                // holds that one address, not a chain to walk.
                trusted_proxies: Vec::new(),
            },
        })
    }
}

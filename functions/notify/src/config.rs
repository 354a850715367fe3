//! The notify function's configuration, read once at cold start.

use leadscore_lambda::{ConfigError, Env};

/// Settings from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table (delivery claims).
    pub table: String,
    /// `SLACK_WEBHOOK_SECRET`: a Secrets Manager id holding
    /// the incoming-webhook URL (or `{"url": ...}`); empty disables Slack.
    pub slack_secret: Option<String>,
    /// `SES_FROM`: the verified sender; empty disables email.
    pub ses_from: Option<String>,
    /// `SALES_EMAIL`: comma-separated recipients.
    pub sales_email: Vec<String>,
    /// `EMAIL_LEAD_OWNER`: send to the lead's owner when it is an address.
    pub email_owner: bool,
    /// `FAILURE_QUEUE_URL`: where a message that is no alert goes at once
    /// (the queue's dead-letter queue); empty leaves it to the queue's
    /// retries.
    pub failure_queue: Option<String>,
}

impl Config {
    /// Reads the settings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let config = Self {
            table: env.required("TABLE_NAME")?,
            slack_secret: env.optional("SLACK_WEBHOOK_SECRET"),
            ses_from: env.optional("SES_FROM"),
            sales_email: env.list("SALES_EMAIL"),
            email_owner: env.parse_or("EMAIL_LEAD_OWNER", false)?,
            failure_queue: env.optional("FAILURE_QUEUE_URL"),
        };
        if config.ses_from.is_some() && config.sales_email.is_empty() && !config.email_owner {
            return Err(ConfigError::Missing(
                "SALES_EMAIL (or EMAIL_LEAD_OWNER=true) when SES_FROM is set".into(),
            ));
        }
        Ok(config)
    }
}

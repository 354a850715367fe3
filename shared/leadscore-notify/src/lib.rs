//! Alert notifications: what sales sees in Slack and in their inbox.
//!
//! - [`render`]: an [`Alert`](leadscore_core::Alert) as a Slack Block Kit
//!   message and as an email (subject, text, HTML) — pure functions.
//! - [`slack::SlackWebhook`]: an [`AlertSink`](leadscore_pipeline::AlertSink)
//!   posting to a Slack incoming webhook, honouring `Retry-After` on 429 and
//!   retrying 5xx with backoff, bounded.
//! - [`once::Once`]: wraps any sink so that an alert id is delivered to it at
//!   most once, across retries, redeliveries and concurrent workers, using
//!   the store's idempotency claims.
//! - `smtp::SmtpEmail` (feature `smtp`): the alert email over SMTP, for the
//!   local product (the Lambdas use SES).

pub mod once;
pub mod render;
pub mod slack;
#[cfg(feature = "smtp")]
pub mod smtp;

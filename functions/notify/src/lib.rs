//! The `notify` Lambda: the target of the `Lead Became Hot` rule. Posts the
//! alert to Slack (Block Kit, incoming webhook from Secrets Manager or SSM)
//! and emails it through SES v2, each channel at most once per alert id
//! (a redelivered event sends nothing twice).

pub mod config;
pub mod handler;

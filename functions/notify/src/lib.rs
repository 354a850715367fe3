//! The `notify` Lambda: the target of the `Lead Became Hot` rule. Posts the
//! alert to Slack (Block Kit, incoming webhook from Secrets Manager or SSM)
//! and emails it through SES v2, each channel at most once per alert id
//! (a redelivered event sends nothing twice).

use std::time::Duration;

pub mod config;
pub mod handler;

/// How long a delivery's claim on a channel is held, and so the longest a
/// send may take. Under the function's timeout (30 s, `infra/template.yaml`,
/// checked by the workspace's consistency tests), so a send outlasting it is
/// cut short and its claim released by the function itself; and under
/// Lambda's first retry of an asynchronous invocation (a minute later), so
/// even the claim of a function killed mid-send has expired when the retry
/// comes, and the retry sends instead of finding the channel busy.
pub const CLAIM_LEASE: Duration = Duration::from_secs(25);

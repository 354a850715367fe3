//! The `notify` Lambda: fed by `NotifyQueue`, where the hot-lead rule puts
//! the `Lead Became Hot` events (an alert whose channel is down is tried
//! again by the queue, for hours, not lost after two retries). Posts the
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
/// `NotifyQueue`'s visibility timeout (5 minutes), after which a failed
/// alert comes back, so even the claim of a function killed mid-send has
/// expired when the alert is tried again, and the retry sends instead of
/// finding the channel busy.
pub const CLAIM_LEASE: Duration = Duration::from_secs(25);

/// A channel whose configuration could not be read at a cold start (its
/// secret missing, unreadable or not a URL): every delivery fails,
/// retryably, with the reason. The other channels still deliver, and the
/// retry (after the secret is fixed, by a new cold start) sends only here.
#[derive(Debug, Clone)]
pub struct Misconfigured {
    /// The channel's name.
    pub channel: String,
    /// Why it cannot deliver.
    pub reason: String,
}

#[async_trait::async_trait]
impl leadscore_pipeline::AlertSink for Misconfigured {
    async fn deliver(
        &self,
        _: &leadscore_core::domain::Alert,
    ) -> Result<(), leadscore_pipeline::DeliveryError> {
        Err(leadscore_pipeline::DeliveryError {
            sink: self.channel.clone(),
            reason: self.reason.clone(),
            retryable: true,
        })
    }
}

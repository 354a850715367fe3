//! The `notify` Lambda: fed by `NotifyQueue`, where the hot-lead rule puts
//! the `Lead Became Hot` events (an alert whose channel is down is tried
//! again by the queue, for hours, not lost after two retries). Posts the
//! alert to Slack (Block Kit, incoming webhook from Secrets Manager)
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

/// Slack requests per delivery at most.
pub const SLACK_ATTEMPTS: u32 = 2;
/// How long one Slack request may wait for its answer.
pub const SLACK_TIMEOUT: Duration = Duration::from_secs(8);
/// The longest wait between two Slack requests (a 429's `Retry-After`, the
/// backoff).
pub const SLACK_MAX_WAIT: Duration = Duration::from_secs(3);

/// The longest a Slack delivery takes with [`SLACK_ATTEMPTS`] requests of
/// [`SLACK_TIMEOUT`] and the waits between them: inside the send time of a
/// [`CLAIM_LEASE`] (the lease less a tenth), so the claim cuts a send only
/// when something hangs past every timeout (a cut send's outcome is
/// unknown, and counts toward the twice-at-most rule).
pub fn slack_delivery_bound() -> Duration {
    SLACK_TIMEOUT * SLACK_ATTEMPTS + SLACK_MAX_WAIT * (SLACK_ATTEMPTS - 1)
}

/// Where the Slack webhook's URL comes from (the secret, in the Lambda).
#[async_trait::async_trait]
pub trait WebhookUrl: Send + Sync {
    /// The URL, or why it cannot be had now.
    async fn url(&self) -> Result<String, String>;
}

#[async_trait::async_trait]
impl<U: WebhookUrl + ?Sized> WebhookUrl for std::sync::Arc<U> {
    async fn url(&self) -> Result<String, String> {
        (**self).url().await
    }
}

/// Slack, its webhook URL read when first needed and kept while Slack
/// takes it. A read that fails (a throttled or unreachable Secrets
/// Manager, a secret deleted or not a URL) fails that delivery, retryably,
/// and the next delivery reads again: a passing error at a cold start does
/// not turn Slack off for the container's life, and a fixed secret is read
/// without a new cold start. A URL Slack refuses for good (a revoked or
/// rotated webhook: 403, 404, 410) is dropped too, so the next delivery
/// reads the secret again: a warm container does not keep posting to the
/// old URL after the secret was changed. Email is not held up meanwhile.
pub struct LazySlack<U> {
    source: U,
    client: reqwest::Client,
    webhook: std::sync::Mutex<Option<leadscore_notify::slack::SlackWebhook>>,
}

impl<U> std::fmt::Debug for LazySlack<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazySlack")
            .field(
                "ready",
                &self.webhook.lock().map(|w| w.is_some()).unwrap_or(false),
            )
            .finish_non_exhaustive()
    }
}

impl<U: WebhookUrl> LazySlack<U> {
    /// Slack through `client`, the URL from `source`.
    pub fn new(source: U, client: reqwest::Client) -> Self {
        Self {
            source,
            client,
            webhook: std::sync::Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<leadscore_notify::slack::SlackWebhook> {
        self.webhook.lock().ok().and_then(|w| w.clone())
    }

    async fn webhook(
        &self,
    ) -> Result<leadscore_notify::slack::SlackWebhook, leadscore_pipeline::DeliveryError> {
        if let Some(w) = self.cached() {
            return Ok(w);
        }
        let fail = |reason: String| leadscore_pipeline::DeliveryError {
            sink: "slack".into(),
            reason,
            retryable: true,
            outcome_unknown: false,
        };
        let text = self.source.url().await.map_err(fail)?;
        let url = url::Url::parse(&text)
            .map_err(|e| fail(format!("the Slack webhook secret is not a URL: {e}")))?;
        // A retry loop that fits the claim's lease (`slack_delivery_bound`).
        let webhook = leadscore_notify::slack::SlackWebhook::new(self.client.clone(), url)
            .with_limits(SLACK_ATTEMPTS, SLACK_MAX_WAIT)
            .with_timeout(SLACK_TIMEOUT);
        if let Ok(mut cached) = self.webhook.lock() {
            *cached = Some(webhook.clone());
        }
        Ok(webhook)
    }
}

#[async_trait::async_trait]
impl<U: WebhookUrl> leadscore_pipeline::AlertSink for LazySlack<U> {
    async fn deliver(
        &self,
        alert: &leadscore_core::domain::Alert,
    ) -> Result<(), leadscore_pipeline::DeliveryError> {
        let result = self.webhook().await?.deliver(alert).await;
        if result.as_ref().is_err_and(|e| !e.retryable)
            && let Ok(mut cached) = self.webhook.lock()
        {
            // Refused for good: perhaps an old URL; read the secret again.
            *cached = None;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slack_delivery_fits_the_claims_send_time() {
        let send_time = CLAIM_LEASE - CLAIM_LEASE / 10;
        assert!(
            slack_delivery_bound() <= send_time,
            "{:?} > {send_time:?}",
            slack_delivery_bound()
        );
    }
}

//! The Slack incoming-webhook sink.

use std::time::Duration;

use async_trait::async_trait;
use leadscore_core::domain::Alert;
use leadscore_pipeline::{AlertSink, DeliveryError};
use url::Url;

use crate::render::slack_message;

/// Posts alerts to a Slack incoming webhook.
///
/// 2xx is success. 429 waits for `Retry-After` (seconds, capped) and
/// retries; 5xx and connection errors retry with exponential backoff; other
/// 4xx (a revoked webhook, an invalid payload) fail at once. A request sent
/// but not answered (in time, or at all: a connection reset or closed
/// after the request went out) is not resent in the same delivery: Slack
/// may have posted it (a webhook that posts, then answers slowly), and each
/// resend would post it again; the delivery fails (retryable, its outcome
/// unknown), so the alert stays pending and a later delivery sends it once
/// more. Attempts are bounded. The webhook URL is a secret and never logged.
#[derive(Clone)]
pub struct SlackWebhook {
    client: reqwest::Client,
    url: Url,
    max_attempts: u32,
    max_wait: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for SlackWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackWebhook")
            .field("host", &self.url.host_str())
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

impl SlackWebhook {
    /// A sink posting to `url` with `client` (built once per process).
    pub fn new(client: reqwest::Client, url: Url) -> Self {
        Self {
            client,
            url,
            max_attempts: 5,
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }

    /// Overrides how long one request may wait for its answer (default
    /// 10 s).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Overrides the attempt count and the longest wait honoured.
    #[must_use]
    pub fn with_limits(mut self, max_attempts: u32, max_wait: Duration) -> Self {
        self.max_attempts = max_attempts.max(1);
        self.max_wait = max_wait;
        self
    }

    fn error(reason: String, retryable: bool) -> DeliveryError {
        DeliveryError {
            sink: "slack".into(),
            reason,
            retryable,
            outcome_unknown: false,
        }
    }

    /// Posts one payload, with the retry policy.
    pub async fn post(&self, payload: &serde_json::Value) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(payload).map_err(|e| Self::error(e.to_string(), false))?;
        let mut backoff = Duration::from_millis(200);
        let mut last = Self::error("no attempt".into(), true);
        for attempt in 1..=self.max_attempts {
            let response = self
                .client
                .post(self.url.clone())
                .header("content-type", "application/json")
                .timeout(self.timeout)
                .body(body.clone())
                .send()
                .await;
            let wait = match response {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) if r.status().as_u16() == 429 => {
                    let after = rate_limit_wait(
                        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
                        backoff,
                    );
                    last = Self::error(
                        format!("HTTP 429 (rate limited; retry after {after:?})"),
                        true,
                    );
                    after.min(self.max_wait)
                }
                Ok(r) if r.status().is_server_error() => {
                    last = Self::error(format!("HTTP {}", r.status().as_u16()), true);
                    backoff
                }
                Ok(r) => {
                    let status = r.status().as_u16();
                    let text = r.text().await.unwrap_or_default();
                    return Err(Self::error(
                        format!(
                            "HTTP {status}: {}",
                            text.chars().take(200).collect::<String>()
                        ),
                        false,
                    ));
                }
                Err(e) if e.is_timeout() && !e.is_connect() => {
                    // Sent, maybe posted: not resent now (see the type's
                    // docs).
                    return Err(DeliveryError {
                        outcome_unknown: true,
                        ..Self::error(
                            format!(
                                "no answer within {:.1} s (the message may have been posted; not resent in this delivery)",
                                self.timeout.as_secs_f64()
                            ),
                            true,
                        )
                    });
                }
                // Refused or cut before the request went out: nothing was
                // posted, so it is sent again.
                Err(e) if e.is_connect() || e.is_builder() => {
                    last = Self::error(format!("request failed: {}", e.without_url()), true);
                    backoff
                }
                Err(e) => {
                    // Cut after the request was written (a reset, a
                    // connection closed before the answer): Slack may have
                    // posted it, as after a timeout.
                    return Err(DeliveryError {
                        outcome_unknown: true,
                        ..Self::error(
                            format!(
                                "the connection failed after the request was sent (the message may have been posted; not resent in this delivery): {}",
                                e.without_url()
                            ),
                            true,
                        )
                    });
                }
            };
            if attempt < self.max_attempts {
                tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, reason = %last.reason, "slack webhook: retrying");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(self.max_wait);
            }
        }
        Err(last)
    }
}

/// How long a 429 asks to wait: its `Retry-After` in seconds (the form
/// Slack sends), else the current backoff. The caller caps it.
fn rate_limit_wait(retry_after: Option<&str>, backoff: Duration) -> Duration {
    retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(backoff, Duration::from_secs)
}

#[async_trait]
impl AlertSink for SlackWebhook {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        self.post(&slack_message(alert)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_waits_for_its_retry_after_else_the_backoff() {
        let backoff = Duration::from_millis(200);
        assert_eq!(rate_limit_wait(Some("1"), backoff), Duration::from_secs(1));
        assert_eq!(
            rate_limit_wait(Some(" 30 "), backoff),
            Duration::from_secs(30)
        );
        // An HTTP date or garbage is not a number of seconds: the backoff.
        assert_eq!(
            rate_limit_wait(Some("Wed, 21 Oct 2026 07:28:00 GMT"), backoff),
            backoff
        );
        assert_eq!(rate_limit_wait(None, backoff), backoff);
    }
}

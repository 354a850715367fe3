//! At-most-once delivery per channel over the store's idempotency claims.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use leadscore_core::domain::Alert;
use leadscore_pipeline::{AlertSink, DeliveryError};
use leadscore_store::{Claim, Store};

/// Delivers an alert id to the inner sink at most once.
///
/// Before sending it claims `notify:<channel>:<alert id>` with a lease; after
/// a successful send it completes the claim, after a failure it releases it
/// so the retry can send. A redelivered alert (same id) finds the claim done
/// and is dropped; a concurrent worker finds it busy and gets a retryable
/// error.
///
/// The send is cut short when it outlasts the lease (less a tenth, kept for
/// completing the claim), and the claim released: so no other worker can
/// acquire the claim while this one still sends, and a process killed
/// mid-send (a Lambda at its timeout) leaves a claim that expires before the
/// retry comes. Set the lease under the process's own time limit
/// ([`Once::with_lease`]).
///
/// What cannot be ruled out: a message sent twice when its first send's
/// outcome is unknown (a timeout after the receiver accepted it, or a crash
/// between the send and the completion). Slack's incoming webhooks and SES
/// take no idempotency key, so a retry after such a failure may repeat the
/// message; it is never lost instead.
pub struct Once<S> {
    store: Arc<dyn Store>,
    channel: String,
    inner: S,
    lease: Duration,
}

impl<S> std::fmt::Debug for Once<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Once")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl<S: AlertSink> Once<S> {
    /// Wraps `inner`, naming its channel in the claim keys.
    pub fn new(store: Arc<dyn Store>, channel: impl Into<String>, inner: S) -> Self {
        Self {
            store,
            channel: channel.into(),
            inner,
            lease: Duration::minutes(5),
        }
    }

    /// Sets how long a claim is held (default 5 minutes); sends are cut short
    /// before it ends.
    #[must_use]
    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = Duration::from_std(lease).unwrap_or(self.lease);
        self
    }

    /// How long a send may take: the lease less a tenth, kept for
    /// completing the claim.
    fn send_limit(&self) -> std::time::Duration {
        let lease = self.lease.to_std().unwrap_or_default();
        lease - lease / 10
    }

    /// The wrapped sink.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn err(&self, reason: String, retryable: bool) -> DeliveryError {
        DeliveryError {
            sink: self.channel.clone(),
            reason,
            retryable,
        }
    }
}

#[async_trait]
impl<S: AlertSink> AlertSink for Once<S> {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let key = format!("notify:{}:{}", self.channel, alert.id);
        // The lease runs from here, so the send's time limit does too: a
        // slow claim leaves less time to send, never a send past the lease.
        let started = tokio::time::Instant::now();
        let now = Utc::now();
        let lease_until = now + self.lease;
        let claim = self
            .store
            .claim(&key, now, lease_until)
            .await
            .map_err(|e| self.err(format!("claiming {key}: {e}"), true))?;
        match claim {
            Claim::Done => {
                tracing::info!(alert = %alert.id, channel = %self.channel, "already delivered; dropping the redelivery");
                Ok(())
            }
            Claim::Busy => Err(self.err("another worker is delivering this alert".into(), true)),
            Claim::Acquired => {
                let limit = self.send_limit().saturating_sub(started.elapsed());
                match tokio::time::timeout(limit, self.inner.deliver(alert))
                    .await
                    .unwrap_or_else(|_| {
                        Err(self.err(
                            format!("sending took longer than {limit:?}; cut short"),
                            true,
                        ))
                    }) {
                    Ok(()) => self
                        .store
                        .complete(&key, Utc::now())
                        .await
                        .map_err(|e| self.err(format!("completing {key}: {e}"), true)),
                    Err(e) => {
                        // Only this holder's claim: one acquired by another
                        // worker after this lease is left alone.
                        if let Err(release) = self.store.release(&key, lease_until).await {
                            tracing::warn!(%key, error = %release, "could not release the claim; it expires with its lease");
                        }
                        Err(e)
                    }
                }
            }
        }
    }
}

//! At-most-once delivery per channel over the store's idempotency claims.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use leadscore_core::domain::Alert;
use leadscore_pipeline::{AlertSink, DeliveryError};
use leadscore_store::{Claim, Store};

/// How often a worker that found an alert's claim busy looks again.
pub const BUSY_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// The longest a worker waits on a busy claim (less with a shorter lease):
/// a holder sends in a second or two, or gives up within its own lease.
pub const BUSY_WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The least time left of a claim's lease to start a send in: with less, the
/// send is not started (a cut send's outcome is unknown).
pub const MIN_SEND_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// Delivers an alert id to the inner sink at most once.
///
/// Before sending it claims `notify:<channel>:<alert id>` with a lease; after
/// a successful send it completes the claim, after a failure it releases it
/// so the retry can send. A redelivered alert (same id) finds the claim done
/// and is dropped. A concurrent worker (the same alert published twice at
/// once, as an outbox drain and the form submit that wrote the alert may)
/// finds it busy and waits for the holder's outcome, looking again every
/// [`BUSY_POLL`] within its own send time (at most [`BUSY_WAIT_LIMIT`]):
/// done, it is dropped; given up, this worker sends. Only a holder still sending when that time is up
/// gives a retryable error.
///
/// The send is cut short when it outlasts the lease (less a tenth, kept for
/// completing the claim), and the claim released: so no other worker can
/// acquire the claim while this one still sends, and a process killed
/// mid-send (a Lambda at its timeout) leaves a claim that expires before the
/// retry comes. A cut send's outcome is unknown, as a send with no answer
/// is (below). Set the lease under the process's own time limit
/// ([`Once::with_lease`]), and the inner sink's own timeouts and retries
/// within the lease, so a send is cut only when something hangs.
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
    /// Claims whose send was dropped mid-way (a run stopped by Ctrl-C):
    /// key and lease, for [`AlertSink::release_abandoned`].
    abandoned: Abandoned,
}

/// Claims (key, lease end) whose sends were dropped mid-way.
type Abandoned = Arc<std::sync::Mutex<Vec<(String, chrono::DateTime<Utc>)>>>;

/// A claim held while its send runs: noted as abandoned when the send's
/// future is dropped before it settled the claim.
struct Held {
    abandoned: Abandoned,
    claim: Option<(String, chrono::DateTime<Utc>)>,
}

impl Held {
    /// The claim is settled (completed or released): nothing to note.
    fn settled(&mut self) {
        self.claim = None;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(claim) = self.claim.take()
            && let Ok(mut list) = self.abandoned.lock()
        {
            list.push(claim);
        }
    }
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
            abandoned: Arc::default(),
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

    /// Whether a send of the claim `key` had an unknown outcome before;
    /// notes this one (a marker claim `KEY:unknown`, completed) when not.
    async fn unknown_before(&self, key: &str) -> bool {
        let marker = format!("{key}:unknown");
        let now = Utc::now();
        match self.store.claim(&marker, now, now + self.lease).await {
            Ok(Claim::Done) => true,
            Ok(Claim::Acquired) => {
                if let Err(e) = self.store.complete(&marker, now).await {
                    tracing::warn!(%marker, error = %e, "could not note a send with no answer");
                }
                false
            }
            // Another worker noting one at this moment, or the store
            // failing: not taken as delivered.
            Ok(Claim::Busy) | Err(_) => false,
        }
    }

    fn err(&self, reason: String, retryable: bool) -> DeliveryError {
        DeliveryError {
            sink: self.channel.clone(),
            reason,
            retryable,
            outcome_unknown: false,
        }
    }
}

#[async_trait]
impl<S: AlertSink> AlertSink for Once<S> {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let key = format!("notify:{}:{}", self.channel, alert.id);
        // The lease runs from here, so the send's time limit does too: a
        // slow claim (or a wait on a busy one) leaves less time to send,
        // never a send past the lease.
        let started = tokio::time::Instant::now();
        let lease_until = Utc::now() + self.lease;
        let claim = loop {
            let claim = self
                .store
                .claim(&key, Utc::now(), lease_until)
                .await
                .map_err(|e| self.err(format!("claiming {key}: {e}"), true))?;
            let wait_limit = self.send_limit().min(BUSY_WAIT_LIMIT);
            if claim != Claim::Busy || started.elapsed() + BUSY_POLL >= wait_limit {
                break claim;
            }
            tokio::time::sleep(BUSY_POLL).await;
        };
        match claim {
            Claim::Done => {
                tracing::info!(alert = %alert.id, channel = %self.channel, "already delivered; dropping the redelivery");
                Ok(())
            }
            Claim::Busy => {
                Err(self.err("another worker is still delivering this alert".into(), true))
            }
            Claim::Acquired => {
                let mut held = Held {
                    abandoned: self.abandoned.clone(),
                    claim: Some((key.clone(), lease_until)),
                };
                let limit = self.send_limit().saturating_sub(started.elapsed());
                let outcome = if limit < MIN_SEND_TIME {
                    // A claim acquired at the end of a wait on a busy one:
                    // no time to send; nothing sent.
                    Err(self.err(
                        format!(
                            "only {:.1} s of the claim's lease left to send; not sent",
                            limit.as_secs_f64()
                        ),
                        true,
                    ))
                } else {
                    tokio::time::timeout(limit, self.inner.deliver(alert))
                        .await
                        .unwrap_or_else(|_| {
                            // Cut mid-send: the receiver may have taken the
                            // message, so the twice-at-most rule applies.
                            Err(DeliveryError {
                                outcome_unknown: true,
                                ..self.err(
                                    format!(
                                        "sending took longer than {:.1} s; cut short (the message may have been sent)",
                                        limit.as_secs_f64()
                                    ),
                                    true,
                                )
                            })
                        })
                };
                match outcome {
                    Ok(()) => {
                        let done = self
                            .store
                            .complete(&key, Utc::now())
                            .await
                            .map_err(|e| self.err(format!("completing {key}: {e}"), true));
                        held.settled();
                        done
                    }
                    Err(e) if e.outcome_unknown && self.unknown_before(&key).await => {
                        // The second send whose outcome is unknown (a
                        // webhook that posts, then answers too late): the
                        // message most likely went out, twice already;
                        // taken as delivered rather than repeated at every
                        // retry.
                        tracing::warn!(alert = %alert.id, channel = %self.channel, error = %e, "a second send with no answer: taken as delivered, not sent again");
                        let done = self
                            .store
                            .complete(&key, Utc::now())
                            .await
                            .map_err(|e| self.err(format!("completing {key}: {e}"), true));
                        held.settled();
                        done
                    }
                    Err(e) => {
                        // Only this holder's claim: one acquired by another
                        // worker after this lease is left alone.
                        if let Err(release) = self.store.release(&key, lease_until).await {
                            tracing::warn!(%key, error = %release, "could not release the claim; it expires with its lease");
                        }
                        held.settled();
                        // Named by this channel (an SMTP sink's failure is
                        // the `email` channel's): the outbox records it, and
                        // a later delivery reads which channel still needs
                        // the alert.
                        Err(DeliveryError {
                            sink: self.channel.clone(),
                            ..e
                        })
                    }
                }
            }
        }
    }

    /// Releases the claims of sends dropped mid-way, so the next delivery
    /// of their alerts need not wait for the leases to end. Whether such a
    /// send reached the receiver is unknown: the next one may repeat it, as
    /// after any send whose outcome is unknown.
    async fn release_abandoned(&self) {
        let claims: Vec<(String, chrono::DateTime<Utc>)> = self
            .abandoned
            .lock()
            .map(|mut list| std::mem::take(&mut *list))
            .unwrap_or_default();
        for (key, lease_until) in claims {
            if let Err(e) = self.store.release(&key, lease_until).await {
                tracing::warn!(%key, error = %e, "could not release an abandoned claim; it expires with its lease");
            }
        }
    }
}

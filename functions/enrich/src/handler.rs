//! Event in, core call, response out.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use leadscore_enrich::{EnrichAccountError, Enricher, account_enriched_event, enrich_account};
use leadscore_pipeline::{EnrichRequest, EventBus};
use leadscore_store::Store;
use serde::{Deserialize, Serialize};

/// What the handler needs, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The bus.
    pub bus: Arc<dyn EventBus>,
    /// The enricher (fetcher + fingerprints).
    pub enricher: Arc<Enricher>,
    /// Accounts enriched at once.
    pub concurrency: usize,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// The two ways in.
#[derive(Debug)]
pub enum Input {
    /// A batch from the enrichment queue.
    Queue(SqsEvent),
    /// A direct invocation.
    Direct(EnrichRequest),
}

impl Input {
    /// Reads an invocation's payload: an SQS event (it has `Records`) or an
    /// enrichment request; anything else is a typed [`EnrichFailure::BadInput`]
    /// saying what is wrong with it.
    pub fn read(payload: serde_json::Value) -> Result<Self, EnrichFailure> {
        let bad = |e: serde_json::Error| EnrichFailure::BadInput {
            reason: e.to_string(),
        };
        if payload.get("Records").is_some() {
            serde_json::from_value(payload)
                .map(Input::Queue)
                .map_err(bad)
        } else {
            serde_json::from_value(payload)
                .map(Input::Direct)
                .map_err(bad)
        }
    }
}

/// The two ways out.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Output {
    /// The messages to redeliver.
    Queue(SqsBatchResponse),
    /// What one direct enrichment found.
    Direct(Summary),
}

/// A direct invocation's answer.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The account.
    pub domain: String,
    /// Technologies found.
    pub technologies: Vec<String>,
    /// Signals in the snapshot.
    pub signals: usize,
    /// Per-page errors (kept in the snapshot).
    pub page_errors: usize,
    /// Events emitted.
    pub events: usize,
    /// Whether the snapshot was stored: not when the site could not be
    /// reached for now and there was nothing to record (the account stays
    /// due for the next scheduled run or form submit).
    pub stored: bool,
}

/// Why one account failed.
#[derive(Debug, thiserror::Error)]
pub enum EnrichFailure {
    /// The invocation's payload is neither an SQS event nor an enrichment
    /// request.
    #[error("bad input: {reason}")]
    BadInput {
        /// Why.
        reason: String,
    },
    /// The message body is not an enrichment request.
    #[error("bad message {message_id}: {reason}")]
    BadMessage {
        /// The SQS message id.
        message_id: String,
        /// Why.
        reason: String,
    },
    /// Enrichment or the store failed.
    #[error("{domain}: {source}")]
    Enrich {
        /// The account.
        domain: String,
        /// Why.
        source: EnrichAccountError,
    },
    /// The bus refused events; the message is redelivered so none is lost.
    #[error("{domain}: events not published: {errors}")]
    Events {
        /// The account.
        domain: String,
        /// Which events.
        errors: String,
    },
    /// The invocation's time ran out before the account was done (or
    /// started); the message is redelivered.
    #[error("{domain}: not done before the invocation's deadline")]
    OutOfTime {
        /// The account.
        domain: String,
    },
}

impl From<EnrichFailure> for Diagnostic {
    fn from(e: EnrichFailure) -> Self {
        let kind = match &e {
            EnrichFailure::BadMessage { .. } | EnrichFailure::BadInput { .. } => "BadRequest",
            EnrichFailure::Enrich { .. } => "EnrichFailed",
            EnrichFailure::Events { .. } => "EventsNotPublished",
            EnrichFailure::OutOfTime { .. } => "OutOfTime",
        };
        leadscore_lambda::diagnostic(kind, &e)
    }
}

/// Enriches one account.
pub async fn enrich_one(deps: &Deps, req: &EnrichRequest) -> Result<Summary, EnrichFailure> {
    enrich_one_since(deps, req, None).await
}

/// Enriches one account asked for at `asked` (a queue message's
/// `SentTimestamp`): when the account has a snapshot from after that, the
/// request is done already, and this is its redelivery (the bus refused its
/// `Account Enriched`, or the deadline cut the invocation after the
/// snapshot was stored): that event is sent again, with its key, and the
/// site is not crawled a second time.
pub async fn enrich_one_since(
    deps: &Deps,
    req: &EnrichRequest,
    asked: Option<DateTime<Utc>>,
) -> Result<Summary, EnrichFailure> {
    let domain = req.domain.to_string();
    if let Some(asked) = asked
        && let Ok(Some(done)) = deps.store.latest_snapshot(&req.domain).await
        && done.enriched_at >= asked
    {
        tracing::info!(account = %domain, enriched_at = %done.enriched_at, "enriched since asked; sending Account Enriched again");
        let event = account_enriched_event(&done);
        if let Some(Err(e)) = deps.bus.publish(std::slice::from_ref(&event)).await.pop() {
            return Err(EnrichFailure::Events {
                domain,
                errors: format!("{}: {e}", event.detail_type),
            });
        }
        let details = leadscore_enrich::Details::of(&done);
        return Ok(Summary {
            domain,
            technologies: details.technologies.into_iter().map(|t| t.name).collect(),
            signals: done.signals.len(),
            page_errors: done.errors.len(),
            events: 1,
            stored: false,
        });
    }
    tracing::info!(account = %domain, reason = ?req.reason, "enriching");
    let stored = enrich_account(
        deps.store.as_ref(),
        &deps.enricher,
        Some(deps.bus.as_ref()),
        &req.domain,
        req.start.as_deref(),
        Utc::now(),
    )
    .await
    .map_err(|source| EnrichFailure::Enrich {
        domain: domain.clone(),
        source,
    })?;
    if !stored.event_errors.is_empty() {
        return Err(EnrichFailure::Events {
            domain,
            errors: stored.event_errors.join("; "),
        });
    }
    Ok(Summary {
        domain,
        technologies: stored
            .enrichment
            .technologies
            .iter()
            .map(|t| t.name.clone())
            .collect(),
        signals: stored.enrichment.snapshot.signals.len(),
        page_errors: stored.enrichment.snapshot.errors.len(),
        events: stored.events.len(),
        stored: stored.stored,
    })
}

/// Kept back from the invocation's deadline for answering: the batch's
/// per-message failures reach Lambda only in an answer, so an invocation
/// that times out has every message of its batch redelivered, those
/// already done included.
pub const ANSWER_MARGIN: Duration = Duration::from_secs(5);

/// The handler.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<serde_json::Value>,
) -> Result<Output, EnrichFailure> {
    let time = time_left(&event.context);
    match Input::read(event.payload)? {
        Input::Direct(req) => enrich_one(deps, &req).await.map(Output::Direct),
        Input::Queue(batch) => Ok(Output::Queue(handle_batch(deps, batch, time).await)),
    }
}

/// The invocation's time left less [`ANSWER_MARGIN`], from the context's
/// deadline (Unix milliseconds); none when the context has no deadline in
/// the future: a test's context has none, and `cargo lambda watch`'s
/// emulator sends a duration (`600000`) where Lambda sends an instant.
pub fn time_left(context: &Context) -> Option<Duration> {
    leadscore_lambda::time_left(context, ANSWER_MARGIN)
}

/// Enriches every account of a batch once (bounded concurrency; messages
/// naming the same domain share one enrichment and its outcome); the failed
/// ones are reported for redelivery (and end in the DLQ after the queue's
/// `maxReceiveCount`). A message whose enrichment panics is one failed
/// message (`enrich_account` catches the panic): the others are still
/// enriched and acknowledged. With `time` (the invocation's time left), an
/// account not done by then is given up and reported, so the answer with
/// the batch's failures goes out before the deadline; the template sizes
/// the batch so that this is the exception.
pub async fn handle_batch(
    deps: &Deps,
    batch: SqsEvent,
    time: Option<Duration>,
) -> SqsBatchResponse {
    let until = time.map(|t| tokio::time::Instant::now() + t);
    // One enrichment per domain: a batch may hold the same account twice
    // (submits from a new company's people, each queueing it), and two
    // crawls of it would publish the same technology changes twice. Every
    // message of a domain shares its outcome.
    let mut outcomes: Vec<(Vec<String>, Result<Summary, EnrichFailure>)> = Vec::new();
    // With the latest time one of its messages was sent (none when one
    // does not say): a snapshot from after it answers them all.
    let mut by_domain: Vec<(EnrichRequest, Vec<String>, Option<DateTime<Utc>>)> = Vec::new();
    for m in batch.records {
        let id = m.message_id.clone().unwrap_or_default();
        let sent = m
            .attributes
            .get("SentTimestamp")
            .and_then(|ms| ms.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis);
        match serde_json::from_str::<QueuedRequest>(m.body.as_deref().unwrap_or("")) {
            Ok(q) => {
                let req = q.into_request();
                match by_domain
                    .iter_mut()
                    .find(|(r, _, _)| r.domain == req.domain)
                {
                    Some((kept, ids, asked)) => {
                        ids.push(id);
                        *asked = asked.zip(sent).map(|(a, b)| a.max(b));
                        // A form's website (where the site really starts)
                        // over a scheduled run's bare domain.
                        if kept.start.is_none() && req.start.is_some() {
                            kept.start = req.start;
                        }
                    }
                    None => by_domain.push((req, vec![id], sent)),
                }
            }
            Err(e) => outcomes.push((
                vec![id.clone()],
                Err(EnrichFailure::BadMessage {
                    message_id: id,
                    reason: e.to_string(),
                }),
            )),
        }
    }
    let enriched: Vec<(Vec<String>, Result<Summary, EnrichFailure>)> =
        futures::stream::iter(by_domain)
            .map(|(req, ids, asked)| async move {
                let outcome = match until {
                    Some(until) => {
                        tokio::time::timeout_at(until, enrich_one_since(deps, &req, asked))
                            .await
                            .unwrap_or_else(|_| {
                                Err(EnrichFailure::OutOfTime {
                                    domain: req.domain.to_string(),
                                })
                            })
                    }
                    None => enrich_one_since(deps, &req, asked).await,
                };
                (ids, outcome)
            })
            .buffer_unordered(deps.concurrency)
            .collect()
            .await;
    outcomes.extend(enriched);
    let mut response = SqsBatchResponse::default();
    for (ids, outcome) in outcomes {
        match outcome {
            Ok(s) => {
                tracing::info!(account = %s.domain, messages = ids.len(), technologies = s.technologies.len(), signals = s.signals, page_errors = s.page_errors, stored = s.stored, "enriched")
            }
            Err(e) => {
                tracing::error!(message_ids = ?ids, error = %e, "enrichment failed; the messages will be redelivered");
                for id in ids {
                    let mut f = BatchItemFailure::default();
                    f.item_identifier = id;
                    response.batch_item_failures.push(f);
                }
            }
        }
    }
    response
}

/// A queue message's body: an [`EnrichRequest`], read leniently (a field a
/// newer producer adds must not send every message to the dead-letter
/// queue; the strict form tells direct invocations from SQS events).
#[derive(Debug, Deserialize)]
struct QueuedRequest {
    domain: leadscore_core::domain::Domain,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

impl QueuedRequest {
    fn into_request(self) -> EnrichRequest {
        EnrichRequest {
            domain: self.domain,
            start: self.start,
            reason: self.reason,
        }
    }
}

//! The jobs the Lambdas (and `leadscore run`) are made of: the enrichment
//! queue port, the scheduler that fills it with stale accounts, and the
//! reaction to bus events that rescores and publishes alerts.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadscore_core::ScoringModel;
use leadscore_core::domain::{Domain, Email};
use leadscore_core::events::detail_type;
use leadscore_store::Store;
use serde::{Deserialize, Serialize};

use crate::{
    AlertSink, DrainSummary, PipelineError, RescoreSummary, drain_outbox_with, rescore_account,
    rescore_lead, rollup_account,
};

/// One account to enrich: the body of an enrichment-queue message and of a
/// direct invocation of the enrich function (`{"domain": "acme.com"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrichRequest {
    /// The account.
    pub domain: Domain,
    /// Start URL when it is not `https://DOMAIN/` (the website a form gave).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Why it was queued (`stale`, `new account`, `form`), for the logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl EnrichRequest {
    /// A request for `domain` with a reason.
    pub fn new(domain: Domain, reason: &str) -> Self {
        Self {
            domain,
            start: None,
            reason: Some(reason.to_owned()),
        }
    }
}

/// Why queueing failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct QueueError {
    /// Why.
    pub reason: String,
    /// Whether a later attempt may succeed.
    pub retryable: bool,
}

/// The enrichment queue port (SQS in AWS, an in-process list locally).
#[async_trait]
pub trait EnrichQueue: Send + Sync {
    /// Queues requests; one outcome per request, in order. Implementations
    /// retry the entries that failed before reporting them.
    async fn enqueue(&self, requests: &[EnrichRequest]) -> Vec<Result<(), QueueError>>;
}

/// What a scheduling run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScheduleSummary {
    /// Accounts found due.
    pub due: usize,
    /// Accounts queued.
    pub queued: usize,
    /// Accounts the queue refused, with the reason.
    pub failed: Vec<(Domain, String)>,
    /// Whether the run stopped at its bound (more accounts may be due).
    pub truncated: bool,
}

/// The enrichment time before which an account is due again, `ttl` after
/// it was enriched, less a slack of a tenth of `ttl`. A run that starts on
/// a schedule stamps its accounts after the tick: seconds to hours later
/// (the enrich function stamps each account when it gets to it, and a
/// backlog or a redelivery takes a while), or locally a few milliseconds
/// later than the day before. Without the slack the next tick `ttl` later
/// would find them just short of due, and every account would go one
/// period late.
pub fn due_cutoff(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    let slack = (ttl / 10).max(Duration::zero());
    now - ttl + slack
}

/// Queues accounts never enriched or enriched before [`due_cutoff`], oldest
/// first, at most `max` per run, in batches of `batch` (SQS takes 10).
pub async fn schedule_due(
    store: &dyn Store,
    queue: &dyn EnrichQueue,
    now: DateTime<Utc>,
    ttl: Duration,
    max: usize,
    batch: usize,
) -> Result<ScheduleSummary, PipelineError> {
    // One more than the bound tells whether the run was truncated.
    let mut due = store
        .accounts_due(due_cutoff(now, ttl), max.saturating_add(1))
        .await?;
    let truncated = due.len() > max;
    due.truncate(max);
    let mut summary = ScheduleSummary {
        due: due.len(),
        truncated,
        ..ScheduleSummary::default()
    };
    for chunk in due.chunks(batch.max(1)) {
        let requests: Vec<EnrichRequest> = chunk
            .iter()
            .map(|d| EnrichRequest::new(d.clone(), "stale"))
            .collect();
        for (req, outcome) in requests.iter().zip(queue.enqueue(&requests).await) {
            match outcome {
                Ok(()) => summary.queued += 1,
                Err(e) => summary.failed.push((req.domain.clone(), e.reason)),
            }
        }
    }
    Ok(summary)
}

/// A bus event the score job reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// `Account Enriched`: rescore the account's leads.
    AccountEnriched(Domain),
    /// `Lead Submitted`: rescore the lead (and roll up its account).
    LeadSubmitted(Email),
}

/// Why an event is not a trigger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerError {
    /// A detail-type the score job does not handle.
    #[error("unsupported detail-type {0:?}")]
    Unsupported(String),
    /// The detail lacks a field or has a bad value.
    #[error("{detail_type}: {reason}")]
    BadDetail {
        /// The detail-type.
        detail_type: String,
        /// What is wrong.
        reason: String,
    },
}

impl Trigger {
    /// Reads a trigger from an event's detail-type and detail.
    pub fn from_event(detail_type: &str, detail: &serde_json::Value) -> Result<Self, TriggerError> {
        let field = |path: &[&str]| -> Result<String, TriggerError> {
            let mut v = detail;
            for p in path {
                v = v.get(p).ok_or_else(|| TriggerError::BadDetail {
                    detail_type: detail_type.to_owned(),
                    reason: format!("missing {}", path.join(".")),
                })?;
            }
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| TriggerError::BadDetail {
                    detail_type: detail_type.to_owned(),
                    reason: format!("{} is not a string", path.join(".")),
                })
        };
        let bad = |reason: String| TriggerError::BadDetail {
            detail_type: detail_type.to_owned(),
            reason,
        };
        match detail_type {
            detail_type::ACCOUNT_ENRICHED => Domain::parse(&field(&["account"])?)
                .map(Trigger::AccountEnriched)
                .map_err(|e| bad(e.to_string())),
            detail_type::LEAD_SUBMITTED => Email::parse(&field(&["lead", "email"])?)
                .map(Trigger::LeadSubmitted)
                .map_err(|e| bad(e.to_string())),
            other => Err(TriggerError::Unsupported(other.to_owned())),
        }
    }
}

/// What reacting to a trigger did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReactSummary {
    /// Rescoring.
    pub rescored: RescoreSummary,
    /// Alerts published from the outbox.
    pub alerts: DrainSummary,
}

/// Rescores what the trigger names, then publishes pending alerts (oldest
/// first, at most `drain_limit`) to `sink`, and the alerts this rescoring
/// wrote even when the store's listing does not show them yet. Publishing
/// drains the whole outbox, so an alert left by an earlier failed run goes
/// out too; the receivers drop duplicates by alert id.
pub async fn react(
    store: &dyn Store,
    model: &ScoringModel,
    sink: &dyn AlertSink,
    trigger: &Trigger,
    now: DateTime<Utc>,
    drain_limit: usize,
) -> Result<ReactSummary, PipelineError> {
    let rescored = match trigger {
        Trigger::AccountEnriched(domain) => rescore_account(store, model, domain, now).await?,
        Trigger::LeadSubmitted(email) => {
            let r = rescore_lead(store, model, email, now).await?;
            let mut s = RescoreSummary::default();
            s.record(email, &r);
            if let Some(d) = store.get_lead(email).await?.and_then(|l| l.account) {
                rollup_account(store, model, &d, Some(email)).await?;
                s.accounts = 1;
            }
            s
        }
    };
    let alerts = drain_outbox_with(store, sink, now, drain_limit, &rescored.alerts).await?;
    Ok(ReactSummary { rescored, alerts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_cutoff_allows_a_tenth_of_the_period() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let cutoff = |ttl| now - due_cutoff(now, ttl);
        assert_eq!(
            cutoff(Duration::days(7)),
            Duration::days(7) - Duration::minutes(1008)
        );
        assert_eq!(
            cutoff(Duration::hours(24)),
            Duration::hours(24) - Duration::minutes(144)
        );
        assert_eq!(cutoff(Duration::minutes(90)), Duration::minutes(81));
        assert_eq!(cutoff(Duration::zero()), Duration::zero());
        // A negative period (a misconfiguration) gets no slack.
        assert_eq!(cutoff(Duration::hours(-1)), Duration::hours(-1));
    }
}

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
    /// `Scores Due`: rescore the leads whose score was last checked before
    /// `before` (see [`rescore_due`]); `round` counts the passes of one
    /// scheduled run.
    ScoresDue {
        /// The cutoff.
        before: DateTime<Utc>,
        /// 0 from the schedule, then +1 per follow-up pass.
        round: u32,
        /// The event's idempotency key: one pass per key.
        key: String,
    },
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
    /// Whether an alert of this lead and account is this trigger's own: its
    /// lead's (`Lead Submitted`) or its account's (`Account Enriched`).
    /// A retry of the event finds the score it wrote unchanged and writes
    /// no alert, yet the alert it could not publish is still its own.
    pub fn concerns(&self, lead: &Email, account: Option<&Domain>) -> bool {
        match self {
            Self::LeadSubmitted(e) => e == lead,
            Self::AccountEnriched(d) => account == Some(d),
            Self::ScoresDue { .. } => false,
        }
    }

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
            detail_type::SCORES_DUE => {
                let before = DateTime::parse_from_rfc3339(&field(&["before"])?)
                    .map_err(|e| bad(format!("before: {e}")))?
                    .with_timezone(&Utc);
                let round = detail
                    .get("round")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|r| u32::try_from(r).ok())
                    .ok_or_else(|| bad("round is not a count".into()))?;
                let key = field(&["idempotency_key"])?;
                Ok(Trigger::ScoresDue { before, round, key })
            }
            other => Err(TriggerError::Unsupported(other.to_owned())),
        }
    }
}

/// What reacting to a trigger did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReactSummary {
    /// Rescoring.
    pub rescored: RescoreSummary,
    /// For `Scores Due`: what the pass found besides the rescoring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<DuePass>,
    /// Alerts published from the outbox.
    pub alerts: DrainSummary,
}

/// What a scheduled rescoring pass ([`rescore_due`]) did besides
/// rescoring.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DuePass {
    /// Leads due that the pass took (at most its limit).
    pub due: usize,
    /// Unchanged scores marked checked (not rewritten).
    pub checked: usize,
    /// Unchanged scores whose check could not be recorded (they stay due).
    pub unmarked: usize,
    /// Leads that failed, put back at the end of the queue (checked at
    /// `now`): retried by the next run instead of taking the head of every
    /// pass.
    pub deferred: usize,
    /// Leads that left the due list: written, checked or deferred. A pass
    /// that moved none would meet the same leads again.
    pub moved: usize,
    /// Whether leads may be left due: the pass took its whole limit, or
    /// stopped for time.
    pub more: bool,
}

/// The bounds of one scheduled rescoring pass.
#[derive(Clone, Copy)]
pub struct PassBounds<'a> {
    /// Leads taken at most.
    pub limit: usize,
    /// Asked before each lead; `false` ends the pass (the caller's time is
    /// running out). The leads left stay due for the next pass. The
    /// last accounts' rollups come after it: leave them time.
    pub keep_going: &'a (dyn Fn() -> bool + Send + Sync),
}

impl std::fmt::Debug for PassBounds<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassBounds")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// Rescores, at `now`, the leads whose score was last checked before
/// `before`, the longest unchecked first (see [`Store::scores_due`]): the
/// scheduled pass that lets points decay and expire, and hot leads cool,
/// without new data. A lead whose score comes out unchanged is marked
/// checked instead of rewritten; a changed one is written with its alert,
/// as any rescoring. The leads are taken by email domain, and the
/// accounts of changed leads rolled up as soon as their domain is done. One
/// lead's failure (it is gone, its data is corrupt, writers kept racing on
/// it) stops no other: it is put back at the end of the queue (its score
/// marked checked at `now`), so leads that keep failing cannot take the
/// head of every pass, and the next run tries it again. A failing store
/// ends the pass instead (`more`), leaving the leads due.
pub async fn rescore_due(
    store: &dyn Store,
    model: &ScoringModel,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
    bounds: PassBounds<'_>,
) -> Result<(RescoreSummary, DuePass), PipelineError> {
    let due = store.scores_due(before, bounds.limit).await?;
    let mut pass = DuePass {
        due: due.len(),
        more: due.len() >= bounds.limit,
        ..DuePass::default()
    };
    // Taken by the registrable domain of their email (stable: the longest
    // unchecked first within one), so an account's leads come together and
    // its rollup follows them at once: a pass cut short (out of time, or
    // killed) leaves no rolled-up account behind its leads but the one it
    // was in.
    let mut due: Vec<(Domain, Email)> = due
        .into_iter()
        .map(|e| (e.domain().registrable(), e))
        .collect();
    due.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = RescoreSummary::default();
    let mut changed: std::collections::BTreeSet<Domain> = std::collections::BTreeSet::new();
    let mut store_errors_in_a_row = 0;
    for (i, (group, email)) in due.iter().enumerate() {
        if i > 0 && due[i - 1].0 != *group {
            roll_up(store, model, &mut changed, &mut summary).await;
        }
        if !(bounds.keep_going)() {
            pass.more = true;
            break;
        }
        let outcome = rescore_lead(store, model, email, now).await;
        if !matches!(outcome, Err(PipelineError::Store(_))) {
            store_errors_in_a_row = 0;
        }
        match outcome {
            Ok(r) => {
                summary.record(email, &r);
                if r.written {
                    changed.extend(r.record.account.clone());
                    pass.moved += 1;
                } else if let Err(e) = store.mark_score_checked(email, r.record.version, now).await
                {
                    tracing::warn!(lead = %email, error = %e, "recording a check failed; the lead stays due");
                    pass.unmarked += 1;
                } else {
                    pass.checked += 1;
                    pass.moved += 1;
                }
            }
            // The store itself is failing: unavailable (after the client's
            // own retries), or failing for good on several leads in a row
            // (access denied, a table gone). The next leads would fail
            // alike, and putting them back would skip their rescoring, a
            // whole cycle of decay lost. Stop; they stay due. One lead's
            // lasting error of its own (corrupt data, an item the store
            // refuses) puts it back instead, below: stopping at it would
            // stop every round there.
            Err(PipelineError::Store(e))
                if e.is_retryable() || store_errors_in_a_row + 1 >= STORE_ERRORS_TO_STOP =>
            {
                summary.fail(email, &e);
                pass.more = true;
                break;
            }
            // This lead's own trouble (gone, corrupt, contended): put it back.
            Err(e) => {
                if matches!(e, PipelineError::Store(_)) {
                    store_errors_in_a_row += 1;
                }
                summary.fail(email, &e);
                let deferred = match store.current_score(email).await {
                    Ok(Some(r)) => store.mark_score_checked(email, r.version, now).await,
                    // No score: not due any more.
                    Ok(None) => Ok(()),
                    Err(e) => Err(e),
                };
                match deferred {
                    Ok(()) => {
                        pass.deferred += 1;
                        pass.moved += 1;
                    }
                    Err(e) => {
                        tracing::warn!(lead = %email, error = %e, "putting a failed lead back failed; it stays due");
                    }
                }
            }
        }
    }
    roll_up(store, model, &mut changed, &mut summary).await;
    Ok((summary, pass))
}

/// Leads in a row failing on a store error (not one that may pass) that
/// end a pass: one is that lead's own trouble (an item the store refuses),
/// several are the store's.
pub const STORE_ERRORS_TO_STOP: usize = 3;

/// Rolls up the accounts in `changed`, and empties it; one that cannot be
/// written stops no other.
async fn roll_up(
    store: &dyn Store,
    model: &ScoringModel,
    changed: &mut std::collections::BTreeSet<Domain>,
    summary: &mut RescoreSummary,
) {
    for domain in std::mem::take(changed) {
        match rollup_account(store, model, &domain, None).await {
            Ok(_) => summary.accounts += 1,
            Err(e) => {
                tracing::warn!(account = %domain, error = %e, "writing an account's rollup failed");
                summary.accounts_failed.push((domain, e.to_string()));
            }
        }
    }
}

/// Rescores what the trigger names (a `Scores Due` pass within `bounds`),
/// then publishes pending alerts (oldest
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
    bounds: PassBounds<'_>,
) -> Result<ReactSummary, PipelineError> {
    let mut pass = None;
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
        Trigger::ScoresDue { before, .. } => {
            let (s, p) = rescore_due(store, model, *before, now, bounds).await?;
            pass = Some(p);
            s
        }
    };
    let alerts = drain_outbox_with(store, sink, now, drain_limit, &rescored.alerts).await?;
    Ok(ReactSummary {
        rescored,
        pass,
        alerts,
    })
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

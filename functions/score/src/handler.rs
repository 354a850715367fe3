//! Event in, core call, response out.

use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::Utc;
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_core::ScoringModel;
use leadscore_core::events::Event;
use leadscore_pipeline::{
    AlertSink, EventBus, PassBounds, PipelineError, ReactSummary, Trigger, TriggerError, react,
};
use leadscore_store::{Claim, Store};
use serde::Serialize;

/// Kept back from the invocation's deadline by a `Scores Due` pass: it
/// stops taking leads then, and has time to roll up, publish its alerts
/// and ask for the next round.
pub const PASS_MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Rounds of one scheduled `Scores Due` run at most: a pass that could not
/// finish asks for the next round, up to this many.
pub const MAX_PASS_ROUNDS: u32 = 50;

/// What the handler needs, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The scoring model.
    pub model: Arc<ScoringModel>,
    /// Where alerts go (the bus).
    pub alerts: Arc<dyn AlertSink>,
    /// The bus, for the next round of a `Scores Due` pass that could not
    /// finish.
    pub bus: Arc<dyn EventBus>,
    /// Pending alerts published per invocation.
    pub drain_limit: usize,
    /// Leads a `Scores Due` pass takes at most.
    pub pass_limit: usize,
    /// The clock (`Utc::now` in the function).
    pub now: fn() -> chrono::DateTime<Utc>,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("model", &self.model.version)
            .field("drain_limit", &self.drain_limit)
            .field("pass_limit", &self.pass_limit)
            .finish_non_exhaustive()
    }
}

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// Not an event this function handles (never retried usefully).
    #[error(transparent)]
    Trigger(#[from] TriggerError),
    /// The store failed (retried by the async invocation).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Another invocation is passing this `Scores Due` event (its claim is
    /// held): the retry finds it done, or takes it over.
    #[error("the scores-due event {0} is being passed by another invocation")]
    PassBusy(String),
    /// Some leads or alerts failed; the event is retried, which redoes only
    /// what is left (rescoring is idempotent, the outbox keeps the alerts).
    #[error("{leads} lead(s) not rescored, {alerts} alert(s) not published: {first}")]
    Partial {
        /// Leads that failed.
        leads: usize,
        /// Alerts that failed.
        alerts: usize,
        /// The first lead failure.
        first: String,
    },
}

impl From<ScoreError> for Diagnostic {
    fn from(e: ScoreError) -> Self {
        let kind = match &e {
            ScoreError::Trigger(TriggerError::Unsupported(_)) => "UnsupportedEvent",
            ScoreError::Trigger(TriggerError::BadDetail { .. }) => "BadEvent",
            ScoreError::Pipeline(_) => "StoreError",
            ScoreError::Partial { .. } => "PartialFailure",
            ScoreError::PassBusy(_) => "PassBusy",
        };
        leadscore_lambda::diagnostic(kind, &e)
    }
}

/// What an invocation did.
#[derive(Debug, Serialize)]
pub struct Output {
    /// The rescoring and the alerts published.
    #[serde(flatten)]
    pub summary: ReactSummary,
    /// For a `Scores Due` pass that could not finish: the round it asked
    /// for next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_round: Option<u32>,
    /// A `Scores Due` event already passed (or being passed) under its
    /// key: nothing was done.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

/// The handler.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Output, ScoreError> {
    let time = leadscore_lambda::time_left(&event.context, PASS_MARGIN);
    let e = event.payload;
    let trigger = Trigger::from_event(&e.detail_type, &e.detail)?;
    tracing::info!(detail_type = %e.detail_type, ?trigger, "rescoring");
    let now = (deps.now)();
    if let Trigger::ScoresDue { before, round, key } = &trigger {
        return scores_due(deps, &trigger, (*before, *round, key), time, now).await;
    }
    let summary = react(
        deps.store.as_ref(),
        &deps.model,
        deps.alerts.as_ref(),
        &trigger,
        now,
        deps.drain_limit,
        PassBounds {
            limit: deps.pass_limit,
            keep_going: &|| true,
        },
    )
    .await?;
    tracing::info!(
        scored = summary.rescored.scored,
        written = summary.rescored.written,
        superseded = summary.rescored.superseded,
        became_hot = summary.rescored.became_hot.len(),
        cooled = summary.rescored.cooled.len(),
        alerts_published = summary.alerts.delivered,
        "rescored"
    );
    // Only this event's own alerts fail it when their publish may succeed on
    // a retry: the ones it wrote, and its lead's or account's (on the
    // event's retry, the score it wrote is found unchanged and no alert is
    // written, but the one not yet published is still its own, so the
    // retry fails again and Lambda's next retry comes). An alert the bus
    // refused for good would be refused again, and another lead's pending
    // alert is not this event's: it stays in the outbox for the next drain
    // and the daily schedule, and failing every event over it during a bus
    // brownout would send them all to the failure queue.
    let retryable_alerts = summary
        .alerts
        .retryable_ids
        .iter()
        .zip(&summary.alerts.retryable_for)
        .filter(|(id, (lead, account))| {
            summary.rescored.alerts.iter().any(|a| &a.id == *id)
                || trigger.concerns(lead, account.as_ref())
        })
        .count();
    let others = summary.alerts.retryable_ids.len() - retryable_alerts;
    if others > 0 {
        tracing::warn!(
            alerts = others,
            "older pending alerts not published; they stay in the outbox"
        );
    }
    if !summary.rescored.failed.is_empty() || retryable_alerts > 0 {
        return Err(ScoreError::Partial {
            leads: summary.rescored.failed.len(),
            alerts: retryable_alerts,
            first: summary
                .rescored
                .failed
                .first()
                .map(|(e, r)| format!("{e}: {r}"))
                .unwrap_or_else(|| "alert delivery".into()),
        });
    }
    Ok(Output {
        summary,
        next_round: None,
        duplicate: false,
    })
}

/// How long a `Scores Due` pass holds its event's claim before another
/// invocation may take the event over: under the minute after which Lambda
/// retries a failed invocation, so the retry of a pass that crashed (a
/// panic, memory) is not turned away. A redelivery that arrives later in a
/// long pass may pass the same round again: harmless (every write is
/// conditional), and the next round it asks for has the same key, so the
/// chain does not fork.
pub const PASS_CLAIM_LEASE: std::time::Duration = std::time::Duration::from_secs(50);

/// A `Scores Due` pass: once per event key (EventBridge delivers at least
/// once and Lambda retries a failed invocation), leads taken for half the
/// time left (the rollups of their accounts and the alerts get the rest).
///
/// A store failure that keeps the pass from listing its leads, or from
/// publishing their alerts, gives the key up and fails the invocation, for
/// the retry. Otherwise the pass is recorded done and asks for its next
/// round; when leads failed (put back in the queue for the next run, or,
/// when the store failed during the pass, left due), it then fails with
/// `PartialFailure` so the error alarm sees them: the retry finds the pass
/// done and does nothing.
async fn scores_due(
    deps: &Deps,
    trigger: &Trigger,
    (before, round, key): (chrono::DateTime<Utc>, u32, &str),
    time: Option<std::time::Duration>,
    now: chrono::DateTime<Utc>,
) -> Result<Output, ScoreError> {
    let claim = format!("scores_due:{key}");
    let lease_until =
        now + chrono::Duration::from_std(PASS_CLAIM_LEASE).unwrap_or(chrono::Duration::MAX);
    match deps
        .store
        .claim(&claim, now, lease_until)
        .await
        .map_err(PipelineError::from)?
    {
        Claim::Acquired => {}
        Claim::Done => {
            tracing::info!(round, %key, "scores due: this event was passed already");
            return Ok(Output {
                summary: ReactSummary::default(),
                next_round: None,
                duplicate: true,
            });
        }
        // Another invocation is passing it: fail, and the retry finds it
        // done, or takes it over if that one died.
        Claim::Busy => return Err(ScoreError::PassBusy(key.to_owned())),
    }
    let until = time.map(|t| std::time::Instant::now() + t / 2);
    let keep_going = move || until.is_none_or(|u| std::time::Instant::now() < u);
    let summary = match react(
        deps.store.as_ref(),
        &deps.model,
        deps.alerts.as_ref(),
        trigger,
        now,
        deps.drain_limit,
        PassBounds {
            limit: deps.pass_limit,
            keep_going: &keep_going,
        },
    )
    .await
    {
        Ok(summary) => summary,
        Err(e) => {
            if let Err(release) = deps.store.release(&claim, lease_until).await {
                tracing::warn!(error = %release, "giving up the pass's claim failed; a retry waits for its lease");
            }
            return Err(e.into());
        }
    };
    if let Err(e) = deps.store.complete(&claim, now).await {
        tracing::warn!(error = %e, "recording the pass done failed");
    }
    let next_round = next_round(deps, before, round, &summary, now).await;
    if let Some((lead, reason)) = summary.rescored.failed.first() {
        for (lead, reason) in &summary.rescored.failed {
            tracing::error!(%lead, %reason, "not rescored by the pass");
        }
        return Err(ScoreError::Partial {
            leads: summary.rescored.failed.len(),
            alerts: 0,
            first: format!("{lead}: {reason}"),
        });
    }
    Ok(Output {
        summary,
        next_round,
        duplicate: false,
    })
}

/// Asks for the next round of a `Scores Due` run when this pass could not
/// take every lead due and moved some out of the due list (a pass that
/// moved none would only meet the same leads again), up to
/// [`MAX_PASS_ROUNDS`]. A
/// failure to publish is logged: the leads stay due for the next run.
async fn next_round(
    deps: &Deps,
    before: chrono::DateTime<Utc>,
    round: u32,
    summary: &ReactSummary,
    now: chrono::DateTime<Utc>,
) -> Option<u32> {
    let pass = summary.pass.as_ref()?;
    tracing::info!(
        round,
        due = pass.due,
        written = summary.rescored.written,
        cooled = summary.rescored.cooled.len(),
        checked = pass.checked,
        deferred = pass.deferred,
        unmarked = pass.unmarked,
        more = pass.more,
        "scores due: pass done"
    );
    if !pass.more || pass.moved == 0 {
        return None;
    }
    let next = round + 1;
    if next >= MAX_PASS_ROUNDS {
        tracing::warn!(
            rounds = MAX_PASS_ROUNDS,
            "scores due: leads are left after the last round; they wait for the next run              (raise RESCORE_PASS_LIMIT or run the schedule more often)"
        );
        return None;
    }
    let event = Event::scores_due(before, next, now);
    match deps.bus.publish(std::slice::from_ref(&event)).await.pop() {
        Some(Ok(())) => Some(next),
        Some(Err(e)) => {
            tracing::error!(error = %e, round = next, "asking for the next round failed; the leads left wait for the next run");
            None
        }
        None => None,
    }
}

//! Event in, core call, response out.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_core::events::Event;
use leadscore_pipeline::{
    AlertSink, BusError, DrainSummary, EnrichQueue, EventBus, PipelineError, ScheduleSummary,
    drain_outbox, schedule_due,
};
use leadscore_store::Store;
use serde::{Deserialize, Serialize};

/// SQS takes 10 messages per batch.
pub const QUEUE_BATCH: usize = 10;

/// What the handler needs, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The enrichment queue.
    pub queue: Arc<dyn EnrichQueue>,
    /// Where pending alerts go (the bus).
    pub alerts: Arc<dyn AlertSink>,
    /// The bus, for the `Scores Due` event of each run.
    pub bus: Arc<dyn EventBus>,
    /// Enrichment older than this is redone.
    pub stale_after: Duration,
    /// Scores last checked longer ago than this before the tick are
    /// rescored by the run's `Scores Due` pass (see the configuration).
    pub rescore_after: Duration,
    /// Accounts queued per run at most.
    pub max_accounts: usize,
    /// Pending alerts published per run.
    pub drain_limit: usize,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("stale_after", &self.stale_after)
            .field("rescore_after", &self.rescore_after)
            .field("max_accounts", &self.max_accounts)
            .finish_non_exhaustive()
    }
}

/// The most accounts one run queues, whatever the input asks: more would
/// not be sent within the function's timeout.
pub const MAX_ACCOUNTS_LIMIT: usize = 2_000;

/// The schedule's input (the Scheduler target's `Input`); every field is
/// optional and overrides the configuration for this run.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Overrides `MAX_ACCOUNTS_PER_RUN`.
    #[serde(default)]
    pub max_accounts: Option<usize>,
    /// The tick this run is for (`<aws.scheduler.scheduled-time>` in the
    /// template's input). The rescoring pass's cutoff counts from it, so
    /// the Scheduler's retries of one tick ask for the same pass (one
    /// idempotency key), which the score function runs once. The clock
    /// when absent.
    #[serde(default)]
    pub scheduled_time: Option<DateTime<Utc>>,
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Output {
    /// Accounts queued.
    pub schedule: ScheduleSummary,
    /// Pending alerts published.
    pub alerts: DrainSummary,
    /// Why publishing pending alerts failed, if it did (they wait for the
    /// next run; the run is not failed, as a retry would queue its accounts
    /// again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts_error: Option<String>,
    /// The cutoff of the `Scores Due` event published: scores last checked
    /// before it are rescored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores_due_before: Option<DateTime<Utc>>,
    /// Why publishing `Scores Due` failed, if it did (the scores wait for
    /// the next run; the run is not failed, for the reason above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scores_due_error: Option<String>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The input is not the schedule's.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The store failed (listing the accounts due; nothing was queued).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Every account due was refused by the queue: nothing was queued, so a
    /// retry is safe, and the error alarm sees it.
    #[error("the queue refused all {0} account(s) due: {1}")]
    QueueFailed(usize, String),
}

impl From<ScheduleError> for Diagnostic {
    fn from(e: ScheduleError) -> Self {
        let kind = match &e {
            ScheduleError::BadInput(_) => "BadInput",
            ScheduleError::Pipeline(_) => "StoreError",
            ScheduleError::QueueFailed(..) => "QueueFailed",
        };
        leadscore_lambda::diagnostic(kind, &e)
    }
}

/// The handler. Accounts the queue refused stay due and are found again by
/// the next run.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<serde_json::Value>,
) -> Result<Output, ScheduleError> {
    let input: Input = match event.payload {
        serde_json::Value::Null => Input::default(),
        payload => {
            serde_json::from_value(payload).map_err(|e| ScheduleError::BadInput(e.to_string()))?
        }
    };
    let now = Utc::now();
    let scheduled = schedule_due(
        deps.store.as_ref(),
        deps.queue.as_ref(),
        now,
        deps.stale_after,
        input
            .max_accounts
            .unwrap_or(deps.max_accounts)
            .min(MAX_ACCOUNTS_LIMIT),
        QUEUE_BATCH,
    )
    .await;
    // The drain runs whatever the queueing did: it is the safety net of
    // pending alerts.
    let drained = drain_outbox(
        deps.store.as_ref(),
        deps.alerts.as_ref(),
        now,
        deps.drain_limit,
    )
    .await;
    // The rescoring pass, on the score function, so that scores decay and
    // expire, whatever became of the queueing: its cutoff counts from the
    // tick, so a retry of this run asks for the same pass, run once.
    let before = input.scheduled_time.unwrap_or(now) - deps.rescore_after;
    let published = deps
        .bus
        .publish(std::slice::from_ref(&Event::scores_due(before, 0, now)))
        .await
        .pop()
        .unwrap_or_else(|| {
            Err(BusError {
                reason: "the bus answered nothing".into(),
                retryable: false,
            })
        });
    let (scores_due_before, scores_due_error) = match published {
        Ok(()) => (Some(before), None),
        Err(e) => {
            tracing::error!(error = %e, "publishing Scores Due failed; the scores wait for the next run");
            (None, Some(e.to_string()))
        }
    };
    let schedule = scheduled?;
    for (domain, reason) in &schedule.failed {
        tracing::warn!(account = %domain, %reason, "not queued; the next run retries");
    }
    if schedule.queued == 0
        && let Some((_, reason)) = schedule.failed.first()
    {
        return Err(ScheduleError::QueueFailed(
            schedule.failed.len(),
            reason.clone(),
        ));
    }
    let (alerts, alerts_error) = match drained {
        Ok(a) => (a, None),
        Err(e) => {
            tracing::error!(error = %e, "publishing pending alerts failed; they wait for the next run");
            (DrainSummary::default(), Some(e.to_string()))
        }
    };
    tracing::info!(
        due = schedule.due,
        queued = schedule.queued,
        truncated = schedule.truncated,
        alerts_published = alerts.delivered,
        "scheduled"
    );
    Ok(Output {
        schedule,
        alerts,
        alerts_error,
        scores_due_before,
        scores_due_error,
    })
}

//! Event in, core call, response out.

use std::sync::Arc;

use chrono::{Duration, Utc};
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_pipeline::{
    AlertSink, DrainSummary, EnrichQueue, PipelineError, ScheduleSummary, drain_outbox,
    schedule_due,
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
    /// Enrichment older than this is redone.
    pub stale_after: Duration,
    /// Accounts queued per run at most.
    pub max_accounts: usize,
    /// Pending alerts published per run.
    pub drain_limit: usize,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("stale_after", &self.stale_after)
            .field("max_accounts", &self.max_accounts)
            .finish_non_exhaustive()
    }
}

/// The schedule's input (the Scheduler target's `Input`); every field is
/// optional and overrides the configuration for this run.
#[derive(Debug, Default, Deserialize)]
pub struct Input {
    /// Overrides `MAX_ACCOUNTS_PER_RUN`.
    #[serde(default)]
    pub max_accounts: Option<usize>,
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Output {
    /// Accounts queued.
    pub schedule: ScheduleSummary,
    /// Pending alerts published.
    pub alerts: DrainSummary,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The store failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

impl From<ScheduleError> for Diagnostic {
    fn from(e: ScheduleError) -> Self {
        leadscore_lambda::diagnostic("StoreError", &e)
    }
}

/// The handler. Accounts the queue refused stay due and are found again by
/// the next run.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<serde_json::Value>,
) -> Result<Output, ScheduleError> {
    let input: Input = serde_json::from_value(event.payload).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "unreadable schedule input; using the configuration");
        Input::default()
    });
    let now = Utc::now();
    let schedule = schedule_due(
        deps.store.as_ref(),
        deps.queue.as_ref(),
        now,
        deps.stale_after,
        input.max_accounts.unwrap_or(deps.max_accounts),
        QUEUE_BATCH,
    )
    .await?;
    for (domain, reason) in &schedule.failed {
        tracing::warn!(account = %domain, %reason, "not queued; the next run retries");
    }
    let alerts = drain_outbox(
        deps.store.as_ref(),
        deps.alerts.as_ref(),
        now,
        deps.drain_limit,
    )
    .await?;
    tracing::info!(
        due = schedule.due,
        queued = schedule.queued,
        truncated = schedule.truncated,
        alerts_published = alerts.delivered,
        "scheduled"
    );
    Ok(Output { schedule, alerts })
}

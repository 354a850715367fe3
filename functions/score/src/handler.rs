//! Event in, core call, response out.

use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::Utc;
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_core::ScoringModel;
use leadscore_pipeline::{AlertSink, PipelineError, ReactSummary, Trigger, TriggerError, react};
use leadscore_store::Store;

/// What the handler needs, built once per cold start.
#[derive(Clone)]
pub struct Deps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The scoring model.
    pub model: Arc<ScoringModel>,
    /// Where alerts go (the bus).
    pub alerts: Arc<dyn AlertSink>,
    /// Pending alerts published per invocation.
    pub drain_limit: usize,
    /// The clock (`Utc::now` in the function).
    pub now: fn() -> chrono::DateTime<Utc>,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deps")
            .field("model", &self.model.version)
            .field("drain_limit", &self.drain_limit)
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
        };
        leadscore_lambda::diagnostic(kind, &e)
    }
}

/// The handler.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<ReactSummary, ScoreError> {
    let e = event.payload;
    let trigger = Trigger::from_event(&e.detail_type, &e.detail)?;
    tracing::info!(detail_type = %e.detail_type, ?trigger, "rescoring");
    let summary = react(
        deps.store.as_ref(),
        &deps.model,
        deps.alerts.as_ref(),
        &trigger,
        (deps.now)(),
        deps.drain_limit,
    )
    .await?;
    tracing::info!(
        scored = summary.rescored.scored,
        written = summary.rescored.written,
        superseded = summary.rescored.superseded,
        became_hot = summary.rescored.became_hot.len(),
        alerts_published = summary.alerts.delivered,
        "rescored"
    );
    // Only this event's own alerts fail it when their publish may succeed on
    // a retry. An alert the bus refused for good would be refused again, and
    // an older pending alert is not this event's: it stays in the outbox for
    // the next drain and the daily schedule, and failing every event over it
    // during a bus brownout would send them all to the failure queue.
    let retryable_alerts = summary
        .alerts
        .retryable_ids
        .iter()
        .filter(|id| summary.rescored.alerts.iter().any(|a| &a.id == *id))
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
    Ok(summary)
}

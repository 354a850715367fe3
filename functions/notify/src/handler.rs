//! Event in, deliveries, response out.

use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_core::domain::AlertKind;
use leadscore_core::events::{LeadAlertDetail, detail_type};
use leadscore_pipeline::AlertSink;
use serde::Serialize;

/// What the handler needs, built once per cold start: the channels, each
/// already wrapped in `leadscore_notify::once::Once`.
#[derive(Clone)]
pub struct Deps {
    /// Channel name and sink.
    pub channels: Vec<(String, Arc<dyn AlertSink>)>,
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.channels.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Deps").field("channels", &names).finish()
    }
}

/// What an invocation did.
#[derive(Debug, Serialize)]
pub struct Output {
    /// The alert id.
    pub alert: String,
    /// Channels delivered to (or already delivered before).
    pub delivered: Vec<String>,
}

/// Why an invocation failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Not an alert event.
    #[error("unsupported detail-type {0:?}")]
    Unsupported(String),
    /// The detail is not an alert.
    #[error("bad alert detail: {0}")]
    BadDetail(String),
    /// Some channels failed; the retry sends only to those.
    #[error("delivery failed on {0}")]
    Delivery(String),
}

impl From<NotifyError> for Diagnostic {
    fn from(e: NotifyError) -> Self {
        let kind = match &e {
            NotifyError::Unsupported(_) => "UnsupportedEvent",
            NotifyError::BadDetail(_) => "BadEvent",
            NotifyError::Delivery(_) => "DeliveryFailed",
        };
        leadscore_lambda::diagnostic(kind, &e)
    }
}

/// The handler.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Output, NotifyError> {
    let e = event.payload;
    let kind = match e.detail_type.as_str() {
        detail_type::LEAD_BECAME_HOT => AlertKind::BecameHot,
        detail_type::LEAD_COOLED => AlertKind::Cooled,
        other => return Err(NotifyError::Unsupported(other.to_owned())),
    };
    let detail: LeadAlertDetail =
        serde_json::from_value(e.detail).map_err(|err| NotifyError::BadDetail(err.to_string()))?;
    let alert = detail
        .to_alert(kind)
        .map_err(|err| NotifyError::BadDetail(err.to_string()))?;
    let mut delivered = Vec::new();
    let mut failed = Vec::new();
    // The channels at once, each within its own claim's lease (under the
    // function's timeout): one after the other, a slow Slack would leave
    // email a lease running past the timeout, and a claim never released.
    let outcomes = futures::future::join_all(deps.channels.iter().map(|(name, sink)| {
        let alert = &alert;
        async move { (name, sink.deliver(alert).await) }
    }))
    .await;
    for (name, outcome) in outcomes {
        match outcome {
            Ok(()) => delivered.push(name.clone()),
            Err(err) => {
                tracing::error!(alert = %alert.id, channel = %name, error = %err, retryable = err.retryable, "delivery failed");
                failed.push(format!("{name} ({err})"));
            }
        }
    }
    if deps.channels.is_empty() {
        tracing::warn!(alert = %alert.id, "no channel configured (SLACK_WEBHOOK_SECRET, SES_FROM)");
    }
    if !failed.is_empty() {
        return Err(NotifyError::Delivery(failed.join(", ")));
    }
    tracing::info!(alert = %alert.id, lead = %alert.lead, ?delivered, "notified");
    Ok(Output {
        alert: alert.id,
        delivered,
    })
}

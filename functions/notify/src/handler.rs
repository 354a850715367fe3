//! Event in, deliveries, response out: `NotifyQueue`'s messages, each an
//! alert event as the hot-lead rule put it there.

use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{Diagnostic, LambdaEvent};
use leadscore_core::domain::AlertKind;
use leadscore_core::events::{LeadAlertDetail, detail_type};
use leadscore_pipeline::AlertSink;
use serde::Serialize;

/// What the handler needs, built once per cold start: the channels, each
/// already wrapped in `leadscore_notify::once::Once`, and where a message
/// that can never be delivered goes.
#[derive(Clone)]
pub struct Deps {
    /// Channel name and sink.
    pub channels: Vec<(String, Arc<dyn AlertSink>)>,
    /// The failure queue; without one, such a message is left to the
    /// queue's retries (and its redrive policy).
    pub parking: Option<Arc<dyn Parking>>,
}

/// Where a queue message that is no alert goes at once, with why: the
/// notify queue's own dead-letter queue, instead of 48 receives over 4
/// hours that would read as a channel outage.
#[async_trait::async_trait]
pub trait Parking: Send + Sync {
    /// Keeps `body` with `reason`.
    async fn park(&self, body: &str, reason: &str) -> Result<(), String>;
}

impl std::fmt::Debug for Deps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.channels.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Deps")
            .field("channels", &names)
            .field("parking", &self.parking.is_some())
            .finish()
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
    /// The queue message is not an EventBridge event.
    #[error("bad queue message: {0}")]
    BadMessage(String),
    /// Some channels failed; the retry sends only to those.
    #[error("delivery failed on {0}")]
    Delivery(String),
}

impl NotifyError {
    /// Whether another try can never succeed: the message is no alert.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, NotifyError::Delivery(_))
    }

    /// The error's kind, as Lambda reports it.
    pub fn kind(&self) -> &'static str {
        match self {
            NotifyError::Unsupported(_) => "UnsupportedEvent",
            NotifyError::BadDetail(_) | NotifyError::BadMessage(_) => "BadEvent",
            NotifyError::Delivery(_) => "DeliveryFailed",
        }
    }
}

impl From<NotifyError> for Diagnostic {
    fn from(e: NotifyError) -> Self {
        leadscore_lambda::diagnostic(e.kind(), &e)
    }
}

/// The handler of a batch from `NotifyQueue` (the template sends one
/// message an invocation; any number works, their alerts delivered at
/// once). A message whose alert could not be delivered (a channel down) is
/// reported as a batch item failure: it comes back after the queue's
/// visibility timeout, and after its last receive moves to the failure
/// queue. A message that is no alert goes to the failure queue at once
/// (`deps.parking`; reported as failed when that fails too, or when there
/// is none). The others are done.
pub async fn handle_queue(deps: &Deps, event: LambdaEvent<SqsEvent>) -> SqsBatchResponse {
    let records = event.payload.records;
    let outcomes = futures::future::join_all(records.iter().map(|m| async move {
        let outcome = match alert_event(m) {
            Ok(e) => notify(deps, e).await,
            Err(e) => Err(e),
        };
        (m, outcome)
    }))
    .await;
    let mut response = SqsBatchResponse::default();
    for (m, outcome) in outcomes {
        let id = m.message_id.clone().unwrap_or_default();
        let Err(e) = outcome else {
            continue;
        };
        if e.is_permanent()
            && let Some(parking) = &deps.parking
        {
            match parking
                .park(m.body.as_deref().unwrap_or_default(), &e.to_string())
                .await
            {
                Ok(()) => {
                    tracing::error!(message = %id, error = %e, kind = e.kind(), "not an alert; moved to the failure queue");
                    continue;
                }
                Err(park) => {
                    tracing::error!(message = %id, error = %e, kind = e.kind(), park_error = %park, "not an alert, and moving it to the failure queue failed; the queue tries it again");
                }
            }
        } else {
            tracing::error!(message = %id, error = %e, kind = e.kind(), receive_count = ?m.attributes.get("ApproximateReceiveCount"), "alert not delivered; the queue tries it again");
        }
        let mut f = BatchItemFailure::default();
        f.item_identifier = id;
        response.batch_item_failures.push(f);
    }
    response
}

/// The alert event a queue message carries: the event itself, or the
/// record an asynchronous invocation's on-failure destination made of it
/// (`requestPayload`), as earlier versions left failed alerts in the
/// failure queue: moved back, they are delivered too.
fn alert_event(m: &SqsMessage) -> Result<EventBridgeEvent<serde_json::Value>, NotifyError> {
    let body = m
        .body
        .as_deref()
        .ok_or_else(|| NotifyError::BadMessage("no body".into()))?;
    let mut value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| NotifyError::BadMessage(e.to_string()))?;
    if let Some(request) = value.get_mut("requestPayload") {
        value = request.take();
    }
    serde_json::from_value(value).map_err(|e| NotifyError::BadMessage(e.to_string()))
}

/// The handler of one alert event, as EventBridge delivers it.
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Output, NotifyError> {
    notify(deps, event.payload).await
}

/// Delivers the alert an event carries to every channel.
async fn notify(
    deps: &Deps,
    e: EventBridgeEvent<serde_json::Value>,
) -> Result<Output, NotifyError> {
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

//! The SQS adapter of the [`EnrichQueue`] port: `SendMessageBatch` in
//! batches of 10, retrying only the entries SQS rejected (the same policy as
//! the EventBridge publisher); and [`SqsSender`], one message at a time
//! with a reason (the notify function's failure queue).

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use leadscore_pipeline::{BusError, EnrichQueue, EnrichRequest, QueueError};

use crate::eventbridge::{FIRST_BACKOFF, ROUNDS, publish_with_retries};

/// Sends single messages, each with a `reason` attribute, to one queue:
/// where the notify function moves a message it can never deliver.
#[derive(Debug, Clone)]
pub struct SqsSender {
    client: Client,
    queue_url: String,
}

impl SqsSender {
    /// A sender to `queue_url`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// Sends `body` with the string attribute `reason` (cut to 1,000
    /// characters).
    pub async fn send(&self, body: &str, reason: &str) -> Result<(), String> {
        let reason: String = reason.chars().take(1000).collect();
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(if reason.is_empty() {
                "-".into()
            } else {
                reason
            })
            .build()
            .map_err(|e| e.to_string())?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_attributes("reason", attribute)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                format!(
                    "SendMessage: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&e)
                )
            })
    }
}

/// Sends enrichment requests to one SQS queue.
#[derive(Debug, Clone)]
pub struct SqsEnrichQueue {
    client: Client,
    queue_url: String,
}

impl SqsEnrichQueue {
    /// A sender to `queue_url`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    async fn send(&self, batch: Vec<(String, String)>) -> Result<Vec<Option<BusError>>, BusError> {
        let n = batch.len();
        let entries: Vec<SendMessageBatchRequestEntry> = batch
            .iter()
            .enumerate()
            .filter_map(|(i, (_, body))| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .ok()
            })
            .collect();
        let out = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| BusError {
                reason: format!(
                    "SendMessageBatch: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&e)
                ),
                retryable: true,
            })?;
        let mut results: Vec<Option<BusError>> = vec![
            Some(BusError {
                reason: "SQS did not report this entry".into(),
                retryable: true,
            });
            n
        ];
        for ok in out.successful() {
            if let Some(slot) = ok
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| results.get_mut(i))
            {
                *slot = None;
            }
        }
        for failed in out.failed() {
            if let Some(slot) = failed
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| results.get_mut(i))
            {
                *slot = Some(BusError {
                    reason: format!(
                        "{}: {}",
                        failed.code(),
                        failed.message().unwrap_or("rejected")
                    ),
                    retryable: !failed.sender_fault(),
                });
            }
        }
        Ok(results)
    }
}

#[async_trait]
impl EnrichQueue for SqsEnrichQueue {
    async fn enqueue(&self, requests: &[EnrichRequest]) -> Vec<Result<(), QueueError>> {
        let entries: Vec<Result<(String, String), BusError>> = requests
            .iter()
            .map(|r| {
                serde_json::to_string(r)
                    .map(|body| (r.domain.to_string(), body))
                    .map_err(|e| BusError {
                        reason: format!("encoding request: {e}"),
                        retryable: false,
                    })
            })
            .collect();
        publish_with_retries(entries, |batch| self.send(batch), ROUNDS, FIRST_BACKOFF)
            .await
            .into_iter()
            .map(|r| {
                r.map_err(|e| QueueError {
                    reason: e.reason,
                    retryable: e.retryable,
                })
            })
            .collect()
    }
}

//! The EventBridge adapter of the [`EventBus`] port.
//!
//! `PutEvents` accepts 10 entries per call and may accept some entries and
//! reject others (`FailedEntryCount`); only the rejected entries are retried,
//! with exponential backoff, for a bounded number of rounds.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime as SmithyDateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use leadscore_core::events::{Event, SOURCE};
use leadscore_pipeline::{BusError, EventBus};

/// Entries per `PutEvents` call (the service limit).
pub const BATCH: usize = 10;
/// Rounds of retrying rejected entries.
pub const ROUNDS: u32 = 5;
/// Backoff before the second round; doubles each round.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Publishes to one EventBridge bus.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    /// A publisher to `bus_name` (a name or ARN).
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }

    /// The bus name.
    pub fn bus_name(&self) -> &str {
        &self.bus_name
    }

    fn entry(&self, e: &Event) -> Result<PutEventsRequestEntry, BusError> {
        let detail = serde_json::to_string(&e.detail).map_err(|err| BusError {
            reason: format!("encoding detail: {err}"),
            retryable: false,
        })?;
        Ok(PutEventsRequestEntry::builder()
            .source(SOURCE)
            .detail_type(&e.detail_type)
            .detail(detail)
            .event_bus_name(&self.bus_name)
            .time(SmithyDateTime::from_millis(e.time.timestamp_millis()))
            .build())
    }

    /// One `PutEvents` call: per entry, `None` when accepted, or the error.
    async fn put(
        &self,
        entries: Vec<PutEventsRequestEntry>,
    ) -> Result<Vec<Option<BusError>>, BusError> {
        let n = entries.len();
        let out = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| {
                // Refusals a retry would meet again: no permission, no such
                // bus, a request the service finds invalid. Throttling,
                // internal errors and transport failures may pass.
                let for_good = e.as_service_error().is_some_and(|se| {
                    use aws_sdk_eventbridge::error::ProvideErrorMetadata;
                    matches!(
                        se.code(),
                        Some(
                            "AccessDeniedException"
                                | "ResourceNotFoundException"
                                | "ValidationException"
                                | "UnrecognizedClientException"
                        )
                    )
                });
                BusError {
                    reason: format!(
                        "PutEvents: {}",
                        aws_sdk_eventbridge::error::DisplayErrorContext(&e)
                    ),
                    retryable: !for_good,
                }
            })?;
        let results = out.entries();
        if results.len() != n {
            return Err(BusError {
                reason: format!(
                    "PutEvents answered {} results for {n} entries",
                    results.len()
                ),
                retryable: true,
            });
        }
        Ok(results
            .iter()
            .map(|r| {
                r.error_code().map(|code| BusError {
                    reason: format!("{code}: {}", r.error_message().unwrap_or("rejected")),
                    retryable: entry_error_is_retryable(code),
                })
            })
            .collect())
    }
}

/// Whether an entry PutEvents rejected with `code` may pass when sent
/// again. AWS names the permanent ones (`PutEventsResultEntry.ErrorCode`):
/// sent again, they fail again, and would hold up every later event that
/// waits for them. An unknown code is taken as passing (as `InternalFailure`
/// and `ThrottlingException` are).
pub fn entry_error_is_retryable(code: &str) -> bool {
    !matches!(
        code,
        "AccessDeniedException"
            | "InvalidAccountIdException"
            | "InvalidArgument"
            | "MalformedDetail"
            | "RedactionFailure"
            | "NotAuthorizedForSourceException"
            | "NotAuthorizedForDetailTypeException"
            | "ValidationException"
    )
}

/// The batching and per-entry retry policy, independent of the transport:
/// `send` publishes up to [`BATCH`] entries and reports each one.
pub async fn publish_with_retries<T, F, Fut>(
    entries: Vec<Result<T, BusError>>,
    mut send: F,
    rounds: u32,
    first_backoff: Duration,
) -> Vec<Result<(), BusError>>
where
    T: Clone,
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Result<Vec<Option<BusError>>, BusError>>,
{
    let mut outcomes: Vec<Result<(), BusError>> = entries
        .iter()
        .map(|e| match e {
            Ok(_) => Err(BusError {
                reason: "not sent".into(),
                retryable: true,
            }),
            Err(err) => Err(err.clone()),
        })
        .collect();
    let mut pending: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.is_ok().then_some(i))
        .collect();
    let mut backoff = first_backoff;
    for round in 0..rounds {
        if pending.is_empty() {
            break;
        }
        if round > 0 {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        let mut still = Vec::new();
        for chunk in pending.chunks(BATCH) {
            let batch: Vec<T> = chunk
                .iter()
                .filter_map(|&i| entries[i].as_ref().ok().cloned())
                .collect();
            match send(batch).await {
                Ok(results) => {
                    for (&i, r) in chunk.iter().zip(results) {
                        match r {
                            None => outcomes[i] = Ok(()),
                            Some(err) => {
                                let retry = err.retryable;
                                outcomes[i] = Err(err);
                                if retry {
                                    still.push(i);
                                }
                            }
                        }
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, round, "PutEvents failed; will retry");
                    for &i in chunk {
                        outcomes[i] = Err(err.clone());
                        if err.retryable {
                            still.push(i);
                        }
                    }
                }
            }
        }
        pending = still;
    }
    outcomes
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
        let entries: Vec<_> = events.iter().map(|e| self.entry(e)).collect();
        publish_with_retries(entries, |batch| self.put(batch), ROUNDS, FIRST_BACKOFF).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn the_entry_errors_aws_calls_permanent_are_not_retried() {
        for code in [
            "AccessDeniedException",
            "InvalidAccountIdException",
            "InvalidArgument",
            "MalformedDetail",
            "RedactionFailure",
            "NotAuthorizedForSourceException",
            "NotAuthorizedForDetailTypeException",
        ] {
            assert!(!entry_error_is_retryable(code), "{code}");
        }
        for code in ["InternalFailure", "ThrottlingException", "SomethingNew"] {
            assert!(entry_error_is_retryable(code), "{code}");
        }
    }

    fn err(retryable: bool) -> BusError {
        BusError {
            reason: "InternalFailure".into(),
            retryable,
        }
    }

    #[tokio::test]
    async fn only_rejected_entries_are_retried_and_batches_hold_ten() {
        let sent: Mutex<Vec<Vec<u32>>> = Mutex::new(Vec::new());
        let entries: Vec<Result<u32, BusError>> = (0..23).map(Ok).collect();
        let outcomes = publish_with_retries(
            entries,
            |batch: Vec<u32>| {
                let round = sent.lock().unwrap().len();
                sent.lock().unwrap().push(batch.clone());
                async move {
                    // Odd entries fail in the first three batches (round one).
                    Ok(batch
                        .iter()
                        .map(|x| (round < 3 && x % 2 == 1).then(|| err(true)))
                        .collect())
                }
            },
            3,
            Duration::from_millis(1),
        )
        .await;
        assert!(outcomes.iter().all(Result::is_ok));
        let sent = sent.into_inner().unwrap();
        assert_eq!(
            sent.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![10, 10, 3, 10, 1]
        );
        assert!(
            sent[3..].iter().flatten().all(|x| x % 2 == 1),
            "round two resends only the rejected"
        );
    }

    #[tokio::test]
    async fn outages_and_permanent_rejections_are_reported_per_entry() {
        let calls = Mutex::new(0);
        let entries: Vec<Result<u32, BusError>> = vec![Ok(1), Err(err(false)), Ok(2)];
        let outcomes = publish_with_retries(
            entries,
            |batch: Vec<u32>| {
                *calls.lock().unwrap() += 1;
                async move {
                    if batch.contains(&1) {
                        Err(err(true))
                    } else {
                        Ok(vec![None; batch.len()])
                    }
                }
            },
            4,
            Duration::from_millis(1),
        )
        .await;
        assert_eq!(*calls.lock().unwrap(), 4, "bounded rounds");
        assert!(outcomes[0].is_err() && outcomes[1].is_err() && outcomes[2].is_err());
        let fatal = publish_with_retries(
            vec![Ok(7u32)],
            |_b: Vec<u32>| async { Ok(vec![Some(err(false))]) },
            4,
            Duration::from_millis(1),
        )
        .await;
        assert!(!fatal[0].as_ref().unwrap_err().retryable);
    }
}

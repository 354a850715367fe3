//! The notify handler on a real `Lead Became Hot` event: each channel gets
//! the alert once, a redelivery sends nothing, a failing channel is retried
//! alone.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_notify::handler::{Deps, NotifyError, handle};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use leadscore_core::domain::Alert;
use leadscore_notify::once::Once;
use leadscore_pipeline::{AlertSink, DeliveryError};
use leadscore_store::{MemoryStore, Store};

#[derive(Default)]
struct Channel {
    sent: Mutex<Vec<Alert>>,
    failures_left: Mutex<u32>,
}

struct Shared(Arc<Channel>);

#[async_trait]
impl AlertSink for Shared {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        let mut left = self.0.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return Err(DeliveryError {
                sink: "email".into(),
                reason: "503".into(),
                retryable: true,
                outcome_unknown: false,
            });
        }
        self.0.sent.lock().unwrap().push(alert.clone());
        Ok(())
    }
}

/// Slack and email, each behind `Once` on one store, failing their first
/// `slack_failures` and `email_failures` sends.
fn two_channels(slack_failures: u32, email_failures: u32) -> (Deps, Arc<Channel>, Arc<Channel>) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let slack = Arc::new(Channel::default());
    let email = Arc::new(Channel::default());
    *slack.failures_left.lock().unwrap() = slack_failures;
    *email.failures_left.lock().unwrap() = email_failures;
    let deps = Deps {
        channels: vec![
            (
                "slack".into(),
                Arc::new(Once::new(store.clone(), "slack", Shared(slack.clone()))),
            ),
            (
                "email".into(),
                Arc::new(Once::new(store, "email", Shared(email.clone()))),
            ),
        ],
        parking: None,
    };
    (deps, slack, email)
}

fn event() -> LambdaEvent<EventBridgeEvent<serde_json::Value>> {
    LambdaEvent::new(
        serde_json::from_str(include_str!("fixtures/lead-became-hot.json")).unwrap(),
        Context::default(),
    )
}

#[tokio::test]
async fn each_channel_gets_the_alert_once_even_across_retries() {
    let (deps, slack, email) = two_channels(0, 1);
    let err = handle(&deps, event()).await.unwrap_err();
    assert_eq!(Diagnostic::from(err).error_type, "DeliveryFailed");
    assert_eq!(slack.sent.lock().unwrap().len(), 1);
    assert_eq!(email.sent.lock().unwrap().len(), 0);
    // Lambda's retry of the same event: email goes out, Slack is not repeated.
    let out = handle(&deps, event()).await.unwrap();
    assert_eq!(out.delivered, ["slack", "email"]);
    assert_eq!(slack.sent.lock().unwrap().len(), 1);
    assert_eq!(email.sent.lock().unwrap().len(), 1);
    // A redelivery later: nothing new.
    handle(&deps, event()).await.unwrap();
    assert_eq!(slack.sent.lock().unwrap().len(), 1);
    assert_eq!(email.sent.lock().unwrap().len(), 1);
    let alert = slack.sent.lock().unwrap()[0].clone();
    assert_eq!(alert.id, "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(alert.lead.as_str(), "ada@acme.com");
    assert_eq!(alert.reasons.len(), 2);
    assert_eq!(alert.previous_score, Some(61.0));
}

#[tokio::test]
async fn other_events_and_bad_details_are_typed_errors() {
    let deps = Deps {
        channels: vec![],
        parking: None,
    };
    let mut e: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/lead-became-hot.json")).unwrap();
    e["detail-type"] = serde_json::json!("Account Enriched");
    let err = handle(
        &deps,
        LambdaEvent::new(
            serde_json::from_value(e.clone()).unwrap(),
            Context::default(),
        ),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, NotifyError::Unsupported(_)));
    e["detail-type"] = serde_json::json!("Lead Became Hot");
    e["detail"]["lead"]["email"] = serde_json::json!("not an email");
    let err = handle(
        &deps,
        LambdaEvent::new(serde_json::from_value(e).unwrap(), Context::default()),
    )
    .await
    .unwrap_err();
    assert_eq!(Diagnostic::from(err).error_type, "BadEvent");
}

/// A Slack webhook secret that cannot be read, counting the reads.
struct Unreadable(std::sync::atomic::AtomicUsize);

#[async_trait]
impl lambda_notify::WebhookUrl for Unreadable {
    async fn url(&self) -> Result<String, String> {
        match self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Err("ThrottlingException: rate exceeded".into()),
            _ => Ok("not a url".into()),
        }
    }
}

#[tokio::test]
async fn a_slack_secret_that_cannot_be_read_fails_slack_alone_and_is_read_again() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let email = Arc::new(Channel::default());
    let source = Arc::new(Unreadable(std::sync::atomic::AtomicUsize::new(0)));
    let client = leadscore_fetch::https_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let slack = lambda_notify::LazySlack::new(source.clone(), client);
    let deps = Deps {
        channels: vec![
            (
                "slack".into(),
                Arc::new(Once::new(store.clone(), "slack", slack)),
            ),
            (
                "email".into(),
                Arc::new(Once::new(store.clone(), "email", Shared(email.clone()))),
            ),
        ],
        parking: None,
    };
    let reasons = ["ThrottlingException", "not a URL"];
    for (tries, reason) in reasons.into_iter().enumerate() {
        // Each try fails on Slack (retryably: the queue brings the alert
        // back) and sends no second email; a failed read is not kept, so
        // each try reads the secret again.
        let err = handle(&deps, event()).await.unwrap_err();
        assert!(err.to_string().contains(reason), "{err}");
        assert_eq!(email.sent.lock().unwrap().len(), 1);
        assert_eq!(
            source.0.load(std::sync::atomic::Ordering::SeqCst),
            tries + 1
        );
    }
}

/// Waits at a barrier shared by every channel: it passes only while all of
/// them are delivering at once.
struct AllAtOnce(Arc<tokio::sync::Barrier>);

#[async_trait]
impl AlertSink for AllAtOnce {
    async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.0.wait())
            .await
            .map(|_| ())
            .map_err(|_| DeliveryError {
                sink: "test".into(),
                reason: "the other channel never started".into(),
                retryable: true,
                outcome_unknown: false,
            })
    }
}

#[tokio::test]
async fn the_channels_are_sent_to_at_once() {
    // One after the other, a slow Slack left email a lease running past the
    // function's timeout.
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let deps = Deps {
        channels: ["slack", "email"]
            .into_iter()
            .map(|name| {
                let sink: Arc<dyn AlertSink> =
                    Arc::new(Once::new(store.clone(), name, AllAtOnce(barrier.clone())));
                (name.to_owned(), sink)
            })
            .collect(),
        parking: None,
    };
    let out = handle(&deps, event()).await.unwrap();
    assert_eq!(out.delivered, ["slack", "email"]);
}

/// A queue batch of these alert events, as Lambda's SQS trigger passes it.
fn batch(bodies: &[&str]) -> LambdaEvent<aws_lambda_events::sqs::SqsEvent> {
    let records: Vec<serde_json::Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            serde_json::json!({
                "messageId": format!("m{i}"),
                "receiptHandle": "r",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notify",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    LambdaEvent::new(
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap(),
        Context::default(),
    )
}

#[tokio::test]
async fn a_queue_batch_reports_only_the_messages_that_failed_and_their_retry_sends_once() {
    use lambda_notify::handler::handle_queue;
    let (deps, slack, email) = two_channels(1, 0);
    let good = include_str!("fixtures/lead-became-hot.json");
    let out = handle_queue(&deps, batch(&[good, "not json", "{}"])).await;
    let failed: Vec<&str> = out
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    // Slack was down for the alert; the two messages that are no alert
    // event fail on their own.
    assert_eq!(failed, ["m0", "m1", "m2"]);
    assert_eq!(email.sent.lock().unwrap().len(), 1);
    assert_eq!(slack.sent.lock().unwrap().len(), 0);
    // The alert comes back from the queue: Slack now, no second email.
    let out = handle_queue(&deps, batch(&[good])).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(slack.sent.lock().unwrap().len(), 1);
    assert_eq!(email.sent.lock().unwrap().len(), 1);
    // An earlier version's failure record (the on-failure destination's),
    // moved back from the failure queue, is its alert: already sent.
    let record = serde_json::json!({
        "version": "1.0",
        "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": serde_json::from_str::<serde_json::Value>(good).unwrap(),
        "responsePayload": {"errorType": "DeliveryFailed"}
    })
    .to_string();
    let out = handle_queue(&deps, batch(&[&record])).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(slack.sent.lock().unwrap().len(), 1);
}

/// A failure queue that keeps what it is given, refusing while `down`.
#[derive(Default)]
struct Parked {
    kept: Mutex<Vec<(String, String)>>,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl lambda_notify::handler::Parking for Parked {
    async fn park(&self, body: &str, reason: &str) -> Result<(), String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("queue unreachable".into());
        }
        self.kept
            .lock()
            .unwrap()
            .push((body.to_owned(), reason.to_owned()));
        Ok(())
    }
}

/// A message that is no alert goes to the failure queue at once, with why,
/// instead of 48 receives over 4 hours; an alert a channel failed on stays
/// on the queue's retries; a message the failure queue cannot take stays
/// on them too.
#[tokio::test]
async fn a_message_that_is_no_alert_is_parked_at_once_and_a_failed_alert_is_retried() {
    use lambda_notify::handler::handle_queue;
    let (mut deps, slack, _email) = two_channels(1, 0);
    let parked = Arc::new(Parked::default());
    deps.parking = Some(parked.clone());
    let good = include_str!("fixtures/lead-became-hot.json");
    let mut other: serde_json::Value = serde_json::from_str(good).unwrap();
    other["detail-type"] = "Account Enriched".into();
    let other = other.to_string();
    let out = handle_queue(&deps, batch(&[good, "not json", &other])).await;
    let failed: Vec<&str> = out
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m0"], "only the alert Slack failed on comes back");
    let kept = parked.kept.lock().unwrap().clone();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[0].0, "not json");
    assert!(kept[0].1.starts_with("bad queue message"), "{}", kept[0].1);
    assert_eq!(kept[1].0, other);
    assert!(kept[1].1.contains("Account Enriched"), "{}", kept[1].1);
    assert_eq!(slack.sent.lock().unwrap().len(), 0);
    // The failure queue down: the message stays on the queue's retries.
    parked.down.store(true, std::sync::atomic::Ordering::SeqCst);
    let out = handle_queue(&deps, batch(&["not json"])).await;
    assert_eq!(out.batch_item_failures.len(), 1);
    assert_eq!(parked.kept.lock().unwrap().len(), 2);
}

/// The secret's URLs in turn: the old webhook's, then the new one's.
struct Rotated(Mutex<Vec<String>>, std::sync::atomic::AtomicUsize);

#[async_trait]
impl lambda_notify::WebhookUrl for Rotated {
    async fn url(&self) -> Result<String, String> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut urls = self.0.lock().unwrap();
        Ok(if urls.len() > 1 {
            urls.remove(0)
        } else {
            urls[0].clone()
        })
    }
}

/// A webhook Slack refuses for good (revoked: 404) is not kept: the next
/// delivery reads the secret again and posts to the new webhook, in the
/// same warm container.
#[tokio::test]
async fn a_refused_webhook_is_read_again_from_the_secret() {
    use leadscore_testkit::site::{Route, Site};
    let (old_hook, new_hook) = (Site::start().await, Site::start().await);
    old_hook.route("/hook", Route::status(404, "text/plain", "no_service"));
    new_hook.route("/hook", Route::status(200, "text/plain", "ok"));
    let old = format!("{}/hook", old_hook.url("127.0.0.1"));
    let new = format!("{}/hook", new_hook.url("127.0.0.1"));
    let client = leadscore_fetch::https_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let source = Arc::new(Rotated(
        Mutex::new(vec![old, new]),
        std::sync::atomic::AtomicUsize::new(0),
    ));
    let slack = lambda_notify::LazySlack::new(source.clone(), client);
    // No claims here: each delivery posts.
    let deps = Deps {
        channels: vec![("slack".into(), Arc::new(slack))],
        parking: None,
    };
    let e = handle(&deps, event()).await.unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
    handle(&deps, event()).await.unwrap();
    assert_eq!(old_hook.hits().len(), 1);
    assert_eq!(new_hook.hits().len(), 1);
    // Taken: kept, the secret not read again.
    handle(&deps, event()).await.unwrap();
    assert_eq!(new_hook.hits().len(), 2);
    assert_eq!(source.1.load(std::sync::atomic::Ordering::SeqCst), 2);
}

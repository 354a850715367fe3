//! The score handler on real EventBridge event shapes over the in-memory
//! store seeded with the worked example.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use lambda_score::handler::{Deps, ScoreError, handle};
use leadscore_core::ScoringModel;
use leadscore_core::domain::{Activity, Alert};
use leadscore_core::import::{parse_activities, parse_leads};
use leadscore_pipeline::{AlertSink, DeliveryError, import_activities, import_leads};
use leadscore_store::{MemoryStore, Store};

#[derive(Default)]
struct Sink(Mutex<Vec<Alert>>);

#[async_trait]
impl AlertSink for Sink {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        self.0.lock().unwrap().push(alert.clone());
        Ok(())
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-10-10T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn deps() -> (Deps, Arc<MemoryStore>, Arc<Sink>) {
    let store = Arc::new(MemoryStore::new());
    let leads = parse_leads(
        include_bytes!("../../../examples/seed-example/leads.csv"),
        None,
        now(),
    )
    .unwrap();
    let acts = parse_activities(
        include_bytes!("../../../examples/seed-example/activities.csv"),
        None,
    )
    .unwrap();
    import_leads(store.as_ref(), &leads, now()).await.unwrap();
    let acts: Vec<Activity> = acts.rows.into_iter().map(|(_, a)| a).collect();
    import_activities(store.as_ref(), &acts, now())
        .await
        .unwrap();
    let sink = Arc::new(Sink::default());
    let model = ScoringModel::from_toml(
        include_str!("../../../examples/seed-example/model.toml"),
        "model.toml",
    )
    .unwrap();
    let deps = Deps {
        store: store.clone(),
        model: Arc::new(model),
        alerts: sink.clone(),
        drain_limit: 10,
        now,
    };
    (deps, store, sink)
}

fn event(json: &str) -> LambdaEvent<EventBridgeEvent<serde_json::Value>> {
    LambdaEvent::new(serde_json::from_str(json).unwrap(), Context::default())
}

#[tokio::test]
async fn account_enriched_rescores_the_account_and_publishes_the_crossing_once() {
    let (deps, store, sink) = deps().await;
    let out = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap();
    assert_eq!(out.rescored.scored, 1);
    assert_eq!(out.rescored.became_hot.len(), 1);
    assert_eq!(out.alerts.delivered, 1);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
    assert!(store.pending_alerts(10).await.unwrap().is_empty());
    // Redelivery of the same event: nothing new.
    let again = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap();
    assert_eq!(again.rescored.written, 0);
    assert_eq!(again.alerts.delivered, 0);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn lead_submitted_rescores_the_lead() {
    let (deps, _store, sink) = deps().await;
    let out = handle(&deps, event(include_str!("fixtures/lead-submitted.json")))
        .await
        .unwrap();
    assert_eq!(out.rescored.scored, 1);
    assert_eq!(out.rescored.accounts, 1);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_and_bad_events_are_typed_errors() {
    let (deps, _store, _sink) = deps().await;
    let err = handle(&deps, event(include_str!("fixtures/unknown.json")))
        .await
        .unwrap_err();
    assert!(matches!(err, ScoreError::Trigger(_)));
    assert_eq!(Diagnostic::from(err).error_type, "UnsupportedEvent");
    let mut bad: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/account-enriched.json")).unwrap();
    bad["detail"]["account"] = serde_json::json!(42);
    let err = handle(
        &deps,
        LambdaEvent::new(serde_json::from_value(bad).unwrap(), Context::default()),
    )
    .await
    .unwrap_err();
    assert_eq!(Diagnostic::from(err).error_type, "BadEvent");
}

#[tokio::test]
async fn only_the_event_s_own_alerts_fail_it() {
    struct Down;
    #[async_trait]
    impl AlertSink for Down {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            Err(DeliveryError {
                sink: "bus".into(),
                reason: "throttled".into(),
                retryable: true,
            })
        }
    }
    let (mut deps, store, _) = deps().await;
    deps.alerts = Arc::new(Down);
    // The event's own crossing cannot be published: a retry may, so it fails.
    let err = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScoreError::Partial { alerts: 1, .. }),
        "{err}"
    );
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
    // The redelivered event writes nothing new: the pending alert is an
    // older one, which stays in the outbox without failing this event.
    let out = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap();
    assert_eq!(out.rescored.written, 0);
    assert_eq!(out.alerts.retryable_ids.len(), 1);
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
}

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
use leadscore_core::events::Event;
use leadscore_core::import::{parse_activities, parse_leads};
use leadscore_pipeline::{AlertSink, DeliveryError, import_activities, import_leads};
use leadscore_store::{MemoryStore, Store};

#[derive(Default)]
struct Sink(Mutex<Vec<Alert>>);

type Bus = leadscore_pipeline::MemoryBus;

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

/// The worked example's leads and activities.
async fn seed(store: &dyn Store) {
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
    import_leads(store, &leads, now()).await.unwrap();
    let acts: Vec<Activity> = acts.rows.into_iter().map(|(_, a)| a).collect();
    import_activities(store, &acts, now()).await.unwrap();
}

async fn deps() -> (Deps, Arc<MemoryStore>, Arc<Sink>) {
    let store = Arc::new(MemoryStore::new());
    seed(store.as_ref()).await;
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
        bus: Arc::new(Bus::default()),
        drain_limit: 10,
        pass_limit: 100,
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
    assert_eq!(out.summary.rescored.scored, 1);
    assert_eq!(out.summary.rescored.became_hot.len(), 1);
    assert_eq!(out.summary.alerts.delivered, 1);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
    assert!(store.pending_alerts(10).await.unwrap().is_empty());
    // Redelivery of the same event: nothing new.
    let again = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap();
    assert_eq!(again.summary.rescored.written, 0);
    assert_eq!(again.summary.alerts.delivered, 0);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn lead_submitted_rescores_the_lead() {
    let (deps, _store, sink) = deps().await;
    let out = handle(&deps, event(include_str!("fixtures/lead-submitted.json")))
        .await
        .unwrap();
    assert_eq!(out.summary.rescored.scored, 1);
    assert_eq!(out.summary.rescored.accounts, 1);
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
                outcome_unknown: false,
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
    // The redelivered event writes nothing new, but the alert is still its
    // account's: it fails again, so Lambda's next retry comes (the alert
    // waited for the next day's schedule).
    let err = handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScoreError::Partial { alerts: 1, .. }),
        "{err}"
    );
    // Another lead's event does not fail over it: the alert stays in the
    // outbox for the next drain.
    let other = include_str!("fixtures/lead-submitted.json")
        .replace("dana.reyes@northwind-analytics.com", "sam.ito@tinyloop.io")
        .replace("northwind-analytics.com", "tinyloop.io");
    let out = handle(&deps, event(&other)).await.unwrap();
    assert_eq!(out.summary.alerts.retryable_ids.len(), 1);
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
}

/// An event on the bus as EventBridge hands it to the function.
fn from_bus(e: &Event) -> LambdaEvent<EventBridgeEvent<serde_json::Value>> {
    event(
        &serde_json::json!({
            "version": "0",
            "id": "e6c1f0f2-8d3a-4c1b-9d51-5b0c0f6f1a11",
            "detail-type": e.detail_type,
            "source": "leadscore",
            "account": "111122223333",
            "time": e.time,
            "region": "us-east-1",
            "resources": [],
            "detail": e.detail,
        })
        .to_string(),
    )
}

/// `Scores Due`: the pass takes at most its limit and asks for the next
/// round with the same cutoff until no lead is left; a pass that finds
/// nothing due asks for nothing.
#[tokio::test]
async fn scores_due_passes_ask_for_the_next_round_until_none_is_left() {
    let (mut deps, store, _) = deps().await;
    let bus = Arc::new(Bus::default());
    deps.bus = bus.clone();
    deps.pass_limit = 1;
    scored_pair(&deps).await;
    let scored = store.list_scores(None).await.unwrap().len();
    assert_eq!(scored, 2, "both leads of the worked example are scored");
    deps.now = || now() + chrono::Duration::days(1);
    let before = now() + chrono::Duration::hours(12);
    let mut next = Event::scores_due(before, 0, now());
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let out = handle(&deps, from_bus(&next)).await.unwrap();
        let pass = out.summary.pass.clone().unwrap();
        rounds.push((pass.due, pass.checked, out.next_round));
        match out.next_round {
            Some(r) => {
                next = bus.take().pop().unwrap();
                assert_eq!(next.detail["round"], r);
                assert_eq!(next.detail["before"], serde_json::json!(before));
            }
            None => break,
        }
    }
    // One lead per pass (unchanged: checked), then an empty pass.
    assert_eq!(rounds, [(1, 1, Some(1)), (1, 1, Some(2)), (0, 0, None)]);
    assert!(store.scores_due(before, 10).await.unwrap().is_empty());
    assert!(bus.events().is_empty());

    // The last round asks for no other, however many are left.
    let out = handle(
        &deps,
        from_bus(&Event::scores_due(
            now() + chrono::Duration::hours(30),
            lambda_score::handler::MAX_PASS_ROUNDS - 1,
            now(),
        )),
    )
    .await
    .unwrap();
    assert_eq!(out.summary.rescored.scored, 1);
    assert_eq!(out.next_round, None);
    assert!(bus.events().is_empty());

    // A detail without its cutoff or key, or with a round that is no
    // count, is a bad event.
    for (field, value) in [
        ("before", None),
        ("idempotency_key", None),
        ("round", Some(serde_json::json!("3"))),
        ("round", Some(serde_json::json!(-1))),
        ("before", Some(serde_json::json!("yesterday"))),
    ] {
        let mut bad = Event::scores_due(before, 0, now());
        let detail = bad.detail.as_object_mut().unwrap();
        match value.clone() {
            Some(v) => detail.insert(field.into(), v),
            None => detail.remove(field),
        };
        let err = handle(&deps, from_bus(&bad)).await.unwrap_err();
        assert_eq!(
            Diagnostic::from(err).error_type,
            "BadEvent",
            "{field}: {value:?}"
        );
    }
}

/// A `Scores Due` event is passed once: a redelivery (or the retry of
/// the pass's own failure) does nothing and asks for no other round. A
/// lead that fails on its own (here its score outlived the lead) is put
/// back at the end of the queue and reported; the pass goes on and asks
/// for its next round.
#[tokio::test]
async fn a_scores_due_event_is_passed_once_and_a_failing_lead_is_put_back() {
    use leadscore_core::domain::Email;
    let (mut deps, store, _) = deps().await;
    scored_pair(&deps).await;
    // A score without its lead, checked before the others: first in line.
    let ghost = Email::parse("ghost@northwind-analytics.com").unwrap();
    let mut orphan = store
        .current_score(&Email::parse("dana.reyes@northwind-analytics.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    orphan.lead = ghost.clone();
    orphan.version = 1;
    orphan.score.scored_at = now() - chrono::Duration::days(1);
    store
        .save_score(&leadscore_store::ScoreWrite {
            record: orphan,
            expected_version: 0,
            alert: None,
        })
        .await
        .unwrap();
    let bus = Arc::new(Bus::new());
    deps.bus = bus.clone();
    deps.pass_limit = 1;
    deps.now = || now() + chrono::Duration::days(1);
    let before = now() + chrono::Duration::hours(12);
    let first = Event::scores_due(before, 0, now());
    let err = handle(&deps, from_bus(&first)).await.unwrap_err();
    assert!(matches!(err, ScoreError::Partial { leads: 1, .. }), "{err}");
    // It asked for the next round: the queue moved.
    let next = bus.take();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].detail["round"], 1);
    // The ghost was put back behind the others.
    assert_eq!(
        store.scores_due(before, 10).await.unwrap(),
        [
            Email::parse("dana.reyes@northwind-analytics.com").unwrap(),
            Email::parse("sam.ito@tinyloop.io").unwrap()
        ]
    );
    // The same event again (Lambda's retry of that failure): nothing.
    let again = handle(&deps, from_bus(&first)).await.unwrap();
    assert!(again.duplicate);
    assert_eq!((again.summary.pass, again.next_round), (None, None));
    assert!(bus.events().is_empty());
    // An event another invocation is passing is not taken: a retryable
    // error, for its retry finds it done (or takes it over).
    let other = Event::scores_due(before, 7, now());
    store
        .claim(
            &format!("scores_due:{}", other.idempotency_key),
            now() + chrono::Duration::days(1),
            now() + chrono::Duration::days(2),
        )
        .await
        .unwrap();
    let err = handle(&deps, from_bus(&other)).await.unwrap_err();
    assert_eq!(Diagnostic::from(err).error_type, "PassBusy");
}

/// A store that fails during the pass ends it: the leads stay due (none
/// is put back, which would skip its rescoring), no next round is asked
/// for, and the invocation reports the failure.
#[tokio::test]
async fn a_store_failing_during_the_pass_ends_it_and_leaves_the_leads_due() {
    use leadscore_store::faulty::FaultyStore;
    let (mut deps, _, _) = deps().await;
    let faulty = Arc::new(FaultyStore::new(MemoryStore::new()));
    seed(faulty.as_ref()).await;
    deps.store = faulty.clone();
    scored_pair(&deps).await;
    faulty.fail("lead_context", Some("dana.reyes@northwind-analytics.com"));
    let bus = Arc::new(Bus::new());
    deps.bus = bus.clone();
    deps.now = || now() + chrono::Duration::days(1);
    let before = now() + chrono::Duration::hours(12);
    let err = handle(&deps, from_bus(&Event::scores_due(before, 0, now())))
        .await
        .unwrap_err();
    assert!(matches!(err, ScoreError::Partial { leads: 1, .. }), "{err}");
    assert!(bus.events().is_empty(), "no next round");
    assert_eq!(faulty.scores_due(before, 10).await.unwrap().len(), 2);
}

/// Scores Dana (through the account's enrichment) and Sam (a form).
async fn scored_pair(deps: &Deps) {
    let mut sam: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/lead-submitted.json")).unwrap();
    sam["detail"]["lead"]["email"] = serde_json::json!("sam.ito@tinyloop.io");
    for fixture in [
        include_str!("fixtures/account-enriched.json").to_owned(),
        sam.to_string(),
    ] {
        handle(deps, event(&fixture)).await.unwrap();
    }
}

/// A pass that has no time left takes no lead, and asks for no next round
/// (it moved nothing: the next would meet the same leads): they wait for
/// the next run.
#[tokio::test]
async fn a_pass_out_of_time_takes_no_lead_and_asks_for_no_next_round() {
    let (mut deps, store, _) = deps().await;
    handle(&deps, event(include_str!("fixtures/account-enriched.json")))
        .await
        .unwrap();
    deps.now = || now() + chrono::Duration::days(1);
    let before = now() + chrono::Duration::hours(12);
    let mut late = from_bus(&Event::scores_due(before, 0, now()));
    // The deadline is the margin away: no time left for leads.
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    late.context.deadline =
        u64::try_from(unix_ms + lambda_score::handler::PASS_MARGIN.as_millis()).unwrap();
    let out = handle(&deps, late).await.unwrap();
    let pass = out.summary.pass.unwrap();
    assert_eq!((pass.due, pass.moved, pass.more), (1, 0, true));
    assert_eq!(out.summary.rescored.scored, 0);
    assert_eq!(out.next_round, None);
    assert_eq!(store.scores_due(before, 10).await.unwrap().len(), 1);
}

/// A pass whose checks cannot be recorded moved no lead out of the due
/// list, though it scored some: it asks for no next round, which would
/// only meet the same leads again.
#[tokio::test]
async fn a_pass_that_moved_no_lead_asks_for_no_next_round() {
    use leadscore_store::faulty::FaultyStore;
    let (mut deps, _, _) = deps().await;
    let faulty = Arc::new(FaultyStore::new(MemoryStore::new()));
    seed(faulty.as_ref()).await;
    deps.store = faulty.clone();
    scored_pair(&deps).await;
    faulty.fail("mark_score_checked", None);
    let bus = Arc::new(Bus::new());
    deps.bus = bus.clone();
    deps.pass_limit = 1;
    deps.now = || now() + chrono::Duration::days(1);
    let before = now() + chrono::Duration::hours(12);
    let out = handle(&deps, from_bus(&Event::scores_due(before, 0, now())))
        .await
        .unwrap();
    let pass = out.summary.pass.unwrap();
    assert_eq!(
        (
            out.summary.rescored.scored,
            pass.unmarked,
            pass.moved,
            pass.more
        ),
        (1, 1, 0, true)
    );
    assert_eq!(out.next_round, None);
    assert!(bus.events().is_empty());
}

//! Pipeline services over the embedded stores.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns panic by design

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadscore_core::domain::{Activity, ActivityKind, Alert, AlertKind, Email};
use leadscore_core::import::{parse_activities, parse_leads};
use leadscore_core::{Crossing, ScoringModel, Tier};
use leadscore_pipeline::{
    AlertSink, DeliveryError, drain_outbox, import_activities, import_leads, rescore_all,
    rescore_lead,
};
use leadscore_store::{MemoryStore, SqliteStore, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-10-10T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn example_model() -> ScoringModel {
    ScoringModel::from_toml(
        include_str!("../../../examples/seed-example/model.toml"),
        "examples/seed-example/model.toml",
    )
    .unwrap()
}

async fn seeded(store: &dyn Store) {
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

#[tokio::test]
async fn worked_example_through_the_store() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let s = rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(s.scored, 2);
    assert_eq!(
        s.became_hot,
        vec![Email::parse("dana.reyes@northwind-analytics.com").unwrap()]
    );
    let hot = store.list_scores(Some(Tier::Hot)).await.unwrap();
    assert_eq!(hot.len(), 1);
    assert_eq!(hot[0].score.total, 80.0);
    let warm = store.list_scores(Some(Tier::Warm)).await.unwrap();
    assert_eq!(warm[0].score.total, 65.0);
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
    assert_eq!(store.list_account_scores().await.unwrap().len(), 2);
}

#[tokio::test]
async fn reimport_and_rescore_are_idempotent() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let leads_before = store.list_leads().await.unwrap();
    let accounts_before = store.list_accounts().await.unwrap();
    seeded(&store).await;
    assert_eq!(store.list_leads().await.unwrap(), leads_before);
    assert_eq!(store.list_accounts().await.unwrap(), accounts_before);
    let m = example_model();
    rescore_all(&store, &m, now(), |_, _| {}).await.unwrap();
    let again = rescore_all(&store, &m, now() + Duration::hours(1), |_, _| {})
        .await
        .unwrap();
    assert_eq!(again.written, 0, "an unchanged score is not rewritten");
    assert!(again.became_hot.is_empty());
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn activities_for_unknown_emails_create_leads_with_accounts() {
    let store = MemoryStore::new();
    let e = Email::parse("new@startup.io").unwrap();
    let acts = vec![Activity::new(
        e.clone(),
        ActivityKind::WebinarAttended,
        now(),
    )];
    let s = import_activities(&store, &acts, now()).await.unwrap();
    assert_eq!((s.created, s.leads_created), (1, 1));
    let lead = store.get_lead(&e).await.unwrap().unwrap();
    assert_eq!(lead.account.unwrap().as_str(), "startup.io");
    assert_eq!(store.list_accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn cooling_below_the_margin_alerts_once() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(r.crossing, Crossing::BecameHot);
    // Dana moves to a 6-person company: 65 < 80 - 5.
    let mut acc = store.get_account(&dana.domain()).await.unwrap().unwrap();
    acc.firmographics.employees = Some(6);
    store.upsert_account(&acc).await.unwrap();
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(
        (r.crossing, r.record.tier, r.record.version),
        (Crossing::Cooled, Tier::Warm, 2)
    );
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(r.crossing, Crossing::None);
    let kinds: Vec<AlertKind> = store
        .pending_alerts(10)
        .await
        .unwrap()
        .iter()
        .map(|a| a.kind)
        .collect();
    assert_eq!(kinds, vec![AlertKind::BecameHot, AlertKind::Cooled]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rescoring_gives_one_alert() {
    let store: Arc<SqliteStore> = Arc::new(SqliteStore::open_in_memory().unwrap());
    seeded(store.as_ref()).await;
    let m = Arc::new(example_model());
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, m, dana) = (store.clone(), m.clone(), dana.clone());
            tokio::spawn(async move {
                rescore_lead(store.as_ref(), &m, &dana, now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut hot = 0;
    for t in tasks {
        if t.await.unwrap().crossing == Crossing::BecameHot {
            hot += 1;
        }
    }
    assert_eq!(hot, 1);
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
}

#[derive(Default)]
struct FlakySink {
    fail_first: usize,
    calls: AtomicUsize,
    delivered: Mutex<Vec<String>>,
}

#[async_trait]
impl AlertSink for FlakySink {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.fail_first {
            return Err(DeliveryError {
                sink: "flaky".into(),
                reason: "HTTP 503".into(),
                retryable: true,
            });
        }
        self.delivered.lock().unwrap().push(alert.id.clone());
        Ok(())
    }
}

#[tokio::test]
async fn failed_deliveries_stay_pending_until_delivered_once() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    let sink = FlakySink {
        fail_first: 2,
        ..FlakySink::default()
    };
    let mut rounds = 0;
    while !store.pending_alerts(10).await.unwrap().is_empty() {
        drain_outbox(&store, &sink, now(), 10).await.unwrap();
        rounds += 1;
        assert!(rounds <= 5, "outbox never drained");
    }
    assert_eq!(rounds, 3);
    assert_eq!(sink.delivered.lock().unwrap().len(), 1);
    assert_eq!(
        drain_outbox(&store, &sink, now(), 10)
            .await
            .unwrap()
            .delivered,
        0
    );
}

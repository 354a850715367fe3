//! The schedule handler: due accounts go to the queue in batches of 10,
//! bounded per run; a refused batch stays due for the next run.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, Utc};
use lambda_runtime::{Context, LambdaEvent};
use lambda_schedule::handler::{Deps, handle};
use leadscore_core::domain::{Account, Alert, Domain};
use leadscore_core::events::detail_type;
use leadscore_pipeline::{AlertSink, DeliveryError, EnrichQueue, EnrichRequest, QueueError};
use leadscore_store::{MemoryStore, Store};

#[derive(Default)]
struct Queue {
    batches: Mutex<Vec<Vec<EnrichRequest>>>,
    refuse_first: Mutex<bool>,
}

#[async_trait]
impl EnrichQueue for Queue {
    async fn enqueue(&self, requests: &[EnrichRequest]) -> Vec<Result<(), QueueError>> {
        let mut refuse = self.refuse_first.lock().unwrap();
        if *refuse {
            *refuse = false;
            return requests
                .iter()
                .map(|_| {
                    Err(QueueError {
                        reason: "throttled".into(),
                        retryable: true,
                    })
                })
                .collect();
        }
        self.batches.lock().unwrap().push(requests.to_vec());
        requests.iter().map(|_| Ok(())).collect()
    }
}

struct NoAlerts;

type Bus = leadscore_pipeline::MemoryBus;

#[async_trait]
impl AlertSink for NoAlerts {
    async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
        Ok(())
    }
}

/// The handler's dependencies: a 7-day period, at most `max_accounts` per
/// run, 10 alerts drained.
fn deps(store: Arc<dyn Store>, queue: Arc<dyn EnrichQueue>, max_accounts: usize) -> Deps {
    Deps {
        store,
        queue,
        alerts: Arc::new(NoAlerts),
        bus: Arc::new(Bus::default()),
        stale_after: Duration::days(7),
        rescore_after: Duration::hours(12),
        max_accounts,
        drain_limit: 10,
    }
}

#[tokio::test]
async fn due_accounts_are_queued_in_batches_of_ten_bounded_per_run() {
    let store = Arc::new(MemoryStore::new());
    let now = Utc::now();
    for i in 0..25 {
        let mut a = Account::new(Domain::parse(&format!("a{i:02}.example")).unwrap(), now);
        if i >= 20 {
            a.enriched_at = Some(now - Duration::hours(1)); // fresh
        }
        store.upsert_account(&a).await.unwrap();
    }
    let queue = Arc::new(Queue::default());
    *queue.refuse_first.lock().unwrap() = true;
    let deps = deps(store.clone(), queue.clone(), 15);
    let payload: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/scheduler.json")).unwrap();
    let out = handle(&deps, LambdaEvent::new(payload, Context::default()))
        .await
        .unwrap();
    assert_eq!(out.schedule.due, 15);
    assert!(out.schedule.truncated);
    assert_eq!(out.schedule.failed.len(), 10, "the first batch was refused");
    assert_eq!(out.schedule.queued, 5);
    let sizes: Vec<usize> = queue.batches.lock().unwrap().iter().map(Vec::len).collect();
    assert_eq!(sizes, [5]);
    // An input override of the bound.
    let out = handle(
        &deps,
        LambdaEvent::new(serde_json::json!({"max_accounts": 30}), Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(out.schedule.due, 20, "fresh accounts are not due");
    assert!(!out.schedule.truncated);
    let sizes: Vec<usize> = queue.batches.lock().unwrap().iter().map(Vec::len).collect();
    assert_eq!(sizes, [5, 10, 10]);
}

#[tokio::test]
async fn last_weeks_accounts_are_due_at_this_weeks_tick() {
    // The tick is `now`; last week's run stamped its accounts from 40
    // seconds to 3 hours after its tick (a backlog). They are all due now
    // (they used to wait for the next tick, a day later). An account
    // enriched a day into the week is not.
    let store = Arc::new(MemoryStore::new());
    let now = Utc::now();
    let last_tick = now - Duration::days(7);
    for (name, stamped) in [
        ("early.example", last_tick + Duration::seconds(40)),
        ("late.example", last_tick + Duration::hours(3)),
        ("fresh.example", last_tick + Duration::days(1)),
    ] {
        let mut a = Account::new(Domain::parse(name).unwrap(), now);
        a.enriched_at = Some(stamped);
        store.upsert_account(&a).await.unwrap();
    }
    let queue = Arc::new(Queue::default());
    let deps = deps(store.clone(), queue.clone(), 15);
    let out = handle(
        &deps,
        LambdaEvent::new(serde_json::json!({}), Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(out.schedule.queued, 2);
    let queued: Vec<String> = queue
        .batches
        .lock()
        .unwrap()
        .iter()
        .flatten()
        .map(|r| r.domain.to_string())
        .collect();
    assert_eq!(queued, ["early.example", "late.example"]);
}

#[tokio::test]
async fn a_run_the_queue_refuses_entirely_fails_and_bad_input_is_typed() {
    use lambda_schedule::handler::ScheduleError;
    struct Refusing;
    #[async_trait]
    impl EnrichQueue for Refusing {
        async fn enqueue(&self, requests: &[EnrichRequest]) -> Vec<Result<(), QueueError>> {
            requests
                .iter()
                .map(|_| {
                    Err(QueueError {
                        reason: "AccessDenied".into(),
                        retryable: false,
                    })
                })
                .collect()
        }
    }
    let store = Arc::new(MemoryStore::new());
    for i in 0..3 {
        let a = Account::new(Domain::parse(&format!("a{i}.example")).unwrap(), Utc::now());
        store.upsert_account(&a).await.unwrap();
    }
    let mut deps = deps(store.clone(), Arc::new(Refusing), 15);
    let bus = Arc::new(Bus::new());
    deps.bus = bus.clone();
    let run =
        |payload: serde_json::Value| handle(&deps, LambdaEvent::new(payload, Context::default()));
    // Nothing queued at all: an error the alarm sees, and a safe retry.
    let err = run(serde_json::json!({})).await.unwrap_err();
    assert!(matches!(err, ScheduleError::QueueFailed(3, _)), "{err}");
    // A failed run still asks for the rescoring pass: scores decay whatever
    // the queue does.
    assert_eq!(bus.events().len(), 1);
    // The Scheduler's retries of one tick ask for the same pass (one key),
    // which the score function runs once.
    let tick = serde_json::json!({"scheduled_time": "2026-12-06T06:00:00Z"});
    for _ in 0..2 {
        run(tick.clone()).await.unwrap_err();
    }
    let events = bus.take();
    let (a, b) = (&events[1], &events[2]);
    assert_eq!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.detail["before"], "2026-12-05T18:00:00Z");
    // A typo or a wrong type is refused, not run with the defaults.
    for bad in [
        serde_json::json!({"max_acounts": 20}),
        serde_json::json!({"max_accounts": "20"}),
        serde_json::json!({"scheduled_time": "yesterday"}),
    ] {
        let err = run(bad.clone()).await.unwrap_err();
        assert!(matches!(err, ScheduleError::BadInput(_)), "{bad}: {err}");
    }
    // No account due: nothing to queue is no failure.
    let empty = Deps {
        store: Arc::new(MemoryStore::new()),
        ..deps.clone()
    };
    let out = handle(
        &empty,
        LambdaEvent::new(serde_json::json!({}), Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(out.schedule.queued, 0);
}

/// The alert drain is the safety net of pending alerts: it runs when listing
/// the accounts due failed, and its own failure does not fail a run that
/// queued accounts (a retry would queue them again), it is reported.
#[tokio::test]
async fn the_drain_runs_and_fails_apart_from_the_queueing() {
    use leadscore_store::faulty::FaultyStore;

    let store = Arc::new(FaultyStore::new(MemoryStore::new()));
    let now = Utc::now();
    store
        .upsert_account(&Account::new(Domain::parse("a.example").unwrap(), now))
        .await
        .unwrap();
    let queue = Arc::new(Queue::default());
    let deps = deps(store.clone(), queue.clone(), 10);
    let run = || {
        handle(
            &deps,
            LambdaEvent::new(serde_json::Value::Null, Context::default()),
        )
    };

    // The outbox cannot be read: the account is queued, the run succeeds
    // and says why no alert went out.
    store.fail("pending_alerts", None);
    let out = run().await.unwrap();
    assert_eq!(out.schedule.queued, 1);
    let error = out.alerts_error.expect("the drain's failure is reported");
    assert!(error.contains("pending_alerts"), "{error}");

    // Listing the accounts fails too: the run fails, after the drain ran.
    store.fail("accounts_due", None);
    let err = run().await.unwrap_err();
    assert!(err.to_string().contains("accounts_due"), "{err}");
    assert_eq!(
        store.failed_calls(),
        ["pending_alerts", "accounts_due", "pending_alerts"]
    );
    assert_eq!(queue.batches.lock().unwrap().len(), 1);
}

/// Every run asks the score function for its rescoring pass: scores last
/// checked more than the period ago are due. A bus that refuses it fails
/// nothing: the scores wait for the next run.
#[tokio::test]
async fn every_run_publishes_scores_due() {
    let store = Arc::new(MemoryStore::new());
    let bus = Arc::new(Bus::default());
    let mut deps = deps(store, Arc::new(Queue::default()), 15);
    deps.bus = bus.clone();
    let start = Utc::now();
    let out = handle(
        &deps,
        LambdaEvent::new(serde_json::json!({}), Context::default()),
    )
    .await
    .unwrap();
    let events = bus.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].detail_type, detail_type::SCORES_DUE);
    assert_eq!(events[0].detail["round"], 0);
    let before = out.scores_due_before.unwrap();
    assert_eq!(events[0].detail["before"], serde_json::json!(before));
    // The run's clock, less the period.
    let end = Utc::now();
    assert!(
        start - Duration::hours(12) <= before && before <= end - Duration::hours(12),
        "{before}"
    );
    assert_eq!(out.scores_due_error, None);

    let down = Arc::new(Bus::new());
    down.refuse_next(1, true);
    deps.bus = down;
    let out = handle(
        &deps,
        LambdaEvent::new(serde_json::json!({}), Context::default()),
    )
    .await
    .unwrap();
    assert_eq!(out.scores_due_before, None);
    assert!(out.scores_due_error.unwrap().contains("refused"));
}

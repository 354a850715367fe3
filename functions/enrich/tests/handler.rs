//! The enrich handler on a real SQS batch shape, a loopback fixture site and
//! the in-memory store: a good account is enriched, a malformed message and
//! an unusable start URL are reported as batch item failures, nothing else
//! is lost.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lambda_enrich::handler::{Deps, Input, Output, handle};
use lambda_runtime::{Context, LambdaEvent};
use leadscore_core::domain::Domain;
use leadscore_core::events::Event;
use leadscore_lambda::{Env, build_enricher};
use leadscore_pipeline::{BusError, EventBus};
use leadscore_store::{MemoryStore, Store};
use leadscore_testkit::site::{Route, Site};

type Bus = leadscore_pipeline::MemoryBus;

fn enricher_env() -> Env {
    Env::from_map(BTreeMap::from([
        ("FETCH_ALLOW_PRIVATE_NETWORK".to_owned(), "true".to_owned()),
        (
            "FETCH_RESOLVE".to_owned(),
            "northwind.test=127.0.0.1".to_owned(),
        ),
    ]))
}

/// A loopback site whose homepage carries the HubSpot tracker.
async fn hubspot_site() -> Site {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(
            r#"<html><head><script id="hs-script-loader" src="//js.hs-scripts.com/4242424.js"></script></head><body>Northwind</body></html>"#,
        ),
    );
    site
}

/// The handler's dependencies over `store` and `bus`.
fn deps(store: Arc<MemoryStore>, bus: Arc<dyn EventBus>, concurrency: usize) -> Deps {
    Deps {
        store,
        bus,
        enricher: Arc::new(build_enricher(&enricher_env()).unwrap()),
        concurrency,
    }
}

#[tokio::test]
async fn a_batch_reports_only_the_bad_messages() {
    let site = hubspot_site().await;
    let (store, bus) = (Arc::new(MemoryStore::new()), Arc::new(Bus::default()));
    let deps = deps(store.clone(), bus.clone(), 2);
    let raw = include_str!("fixtures/sqs-batch.json")
        .replace("START_URL", &format!("{}/", site.url("northwind.test")));
    let input: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(matches!(Input::read(input.clone()), Ok(Input::Queue(_))));
    let out = handle(&deps, LambdaEvent::new(input, Context::default()))
        .await
        .unwrap();
    let Output::Queue(resp) = out else { panic!() };
    let mut failed: Vec<String> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            "2e1424d4-f796-459a-8184-9c92662be6da",
            "6b4bb4f5-7b5b-4a0e-9a8c-2f4b6c4d5e6f"
        ]
    );
    let snap = store
        .latest_snapshot(&Domain::parse("northwind.test").unwrap())
        .await
        .unwrap()
        .expect("the good account was enriched");
    assert!(!snap.signals.is_empty());
    let events = bus.events();
    assert_eq!(events[0].detail_type, "Account Enriched");
    assert_eq!(events[0].detail["account"], "northwind.test");
    // The answer serializes to the shape Lambda's SQS integration reads.
    let json = serde_json::to_value(Output::Queue(resp)).unwrap();
    assert_eq!(json["batchItemFailures"].as_array().unwrap().len(), 2);
    assert!(json["batchItemFailures"][0]["itemIdentifier"].is_string());
}

#[tokio::test]
async fn a_direct_invocation_enriches_one_account() {
    let site = Site::start().await;
    site.route("/", Route::html("<html><body>Northwind</body></html>"));
    let deps = Deps {
        store: Arc::new(MemoryStore::new()),
        bus: Arc::new(Bus::default()),
        enricher: Arc::new(build_enricher(&enricher_env()).unwrap()),
        concurrency: 1,
    };
    let payload = serde_json::json!({"domain": "northwind.test", "start": format!("{}/", site.url("northwind.test"))});
    let out = handle(&deps, LambdaEvent::new(payload, Context::default()))
        .await
        .unwrap();
    let Output::Direct(summary) = out else {
        panic!()
    };
    assert_eq!(summary.domain, "northwind.test");
    assert_eq!(summary.events, 1);
    // An unknown shape is refused when the event is read, before any work,
    // with a typed error that says what is wrong.
    for (bad, says) in [
        (serde_json::json!({"hello": 1}), "unknown field `hello`"),
        (
            serde_json::json!({"domian": "acme.com"}),
            "unknown field `domian`",
        ),
        (
            serde_json::json!({"domain": "not a domain"}),
            "not a domain",
        ),
    ] {
        let err = handle(&deps, LambdaEvent::new(bad.clone(), Context::default()))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, lambda_enrich::handler::EnrichFailure::BadInput { reason } if reason.contains(says)),
            "{bad}: {err}"
        );
    }
}

/// A bus that panics on one account's events (standing for any bug or
/// dependency panic while that account is enriched).
#[derive(Default)]
struct PanickingBus(Mutex<Vec<Event>>);

#[async_trait]
impl EventBus for PanickingBus {
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
        assert!(
            !events.iter().any(|e| e.detail["account"] == "poison.test"),
            "a bug triggered by poison.test"
        );
        self.0.lock().unwrap().extend_from_slice(events);
        events.iter().map(|_| Ok(())).collect()
    }
}

#[tokio::test]
async fn a_panic_while_enriching_one_account_fails_only_its_message() {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(
            r#"<html><head><script id="hs-script-loader" src="//js.hs-scripts.com/4242424.js"></script></head><body>Hello</body></html>"#,
        ),
    );
    let env = Env::from_map(BTreeMap::from([
        ("FETCH_ALLOW_PRIVATE_NETWORK".to_owned(), "true".to_owned()),
        (
            "FETCH_RESOLVE".to_owned(),
            "northwind.test=127.0.0.1,poison.test=127.0.0.1".to_owned(),
        ),
    ]));
    let store = Arc::new(MemoryStore::new());
    let bus = Arc::new(PanickingBus::default());
    let deps = Deps {
        store: store.clone(),
        bus: bus.clone(),
        enricher: Arc::new(build_enricher(&env).unwrap()),
        concurrency: 2,
    };
    let record = |id: &str, domain: &str| {
        serde_json::json!({
            "messageId": id,
            "body": serde_json::json!({
                "domain": domain,
                "start": format!("{}/", site.url(domain)),
            }).to_string(),
            "eventSource": "aws:sqs",
        })
    };
    let input = serde_json::json!({"Records": [
        record("m-poison", "poison.test"),
        record("m-good", "northwind.test"),
    ]});
    let out = handle(&deps, LambdaEvent::new(input, Context::default()))
        .await
        .unwrap();
    let Output::Queue(resp) = out else { panic!() };
    let failed: Vec<&str> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m-poison"]);
    assert!(
        store
            .latest_snapshot(&Domain::parse("northwind.test").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    let events = bus.0.lock().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|e| e.detail["account"] == "northwind.test")
    );
}

/// A bus that refuses the events whose detail-type starts with `kind`
/// while `refuse` is set; keeps the ones it took in `events`, and every
/// one it was given, with whether it took it, in `given`.
struct RefusingBus {
    kind: &'static str,
    refuse: std::sync::atomic::AtomicBool,
    events: Mutex<Vec<Event>>,
    given: Mutex<Vec<(Event, bool)>>,
}

impl RefusingBus {
    fn of(kind: &'static str) -> Self {
        Self {
            kind,
            refuse: std::sync::atomic::AtomicBool::new(false),
            events: Mutex::new(Vec::new()),
            given: Mutex::new(Vec::new()),
        }
    }
}

#[async_trait]
impl EventBus for RefusingBus {
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
        let refuse = self.refuse.load(std::sync::atomic::Ordering::SeqCst);
        events
            .iter()
            .map(|e| {
                let refused = refuse && e.detail_type.starts_with(self.kind);
                self.given.lock().unwrap().push((e.clone(), !refused));
                if refused {
                    Err(BusError {
                        reason: "throttled".into(),
                        retryable: true,
                    })
                } else {
                    self.events.lock().unwrap().push(e.clone());
                    Ok(())
                }
            })
            .collect()
    }
}

/// The HubSpot site, a store, a bus refusing `kind` when told, the
/// handler's dependencies over them, and a request for the site.
async fn refusing(
    kind: &'static str,
) -> (
    Site,
    Arc<MemoryStore>,
    Arc<RefusingBus>,
    Deps,
    Domain,
    leadscore_pipeline::EnrichRequest,
) {
    let site = hubspot_site().await;
    let (store, bus) = (
        Arc::new(MemoryStore::new()),
        Arc::new(RefusingBus::of(kind)),
    );
    let deps = deps(store.clone(), bus.clone(), 1);
    let domain = Domain::parse("northwind.test").unwrap();
    let mut req = leadscore_pipeline::EnrichRequest::new(domain.clone(), "test");
    req.start = Some(format!("{}/", site.url("northwind.test")));
    (site, store, bus, deps, domain, req)
}

#[tokio::test]
async fn technology_changes_the_bus_refused_are_found_again_by_the_retry() {
    use leadscore_core::events::detail_type;
    let (site, store, bus, deps, domain, req) = refusing("Technology").await;
    lambda_enrich::handler::enrich_one(&deps, &req)
        .await
        .unwrap();
    // HubSpot goes: missed once, it is kept (no change yet).
    site.route("/", Route::html("<html><body>Northwind</body></html>"));
    lambda_enrich::handler::enrich_one(&deps, &req)
        .await
        .unwrap();
    let first = store.latest_snapshot(&domain).await.unwrap().unwrap();

    // Missed again: removed; the bus refuses the change: the request fails
    // and the stored snapshot stays the one the change is measured against.
    bus.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    let e = lambda_enrich::handler::enrich_one(&deps, &req)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Technology Removed"), "{e}");
    assert_eq!(
        store.latest_snapshot(&domain).await.unwrap().unwrap(),
        first
    );

    // The redelivered request finds the change again and publishes it.
    bus.refuse.store(false, std::sync::atomic::Ordering::SeqCst);
    lambda_enrich::handler::enrich_one(&deps, &req)
        .await
        .unwrap();
    let kinds: Vec<String> = bus
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.detail_type.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            detail_type::ACCOUNT_ENRICHED,
            detail_type::ACCOUNT_ENRICHED,
            detail_type::TECHNOLOGY_REMOVED,
            detail_type::ACCOUNT_ENRICHED
        ]
    );
    assert_ne!(
        store.latest_snapshot(&domain).await.unwrap().unwrap(),
        first
    );
}

#[test]
fn the_time_left_comes_from_a_deadline_in_the_future_only() {
    use lambda_enrich::handler::{ANSWER_MARGIN, time_left};
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut context = Context::default();
    context.deadline = now + 60_000;
    let left = time_left(&context).unwrap();
    assert!(left <= Duration::from_secs(60) - ANSWER_MARGIN, "{left:?}");
    assert!(left > Duration::from_secs(30), "{left:?}");
    // Close to the deadline: no time left, not an underflow.
    context.deadline = now + 1_000;
    assert_eq!(time_left(&context), Some(Duration::ZERO));
    // None in the future: a test's context, or the emulator's duration.
    for deadline in [0, 600_000, now - 1_000] {
        context.deadline = deadline;
        assert_eq!(time_left(&context), None, "{deadline}");
    }
}

#[tokio::test]
async fn an_account_not_done_by_the_deadline_is_reported_and_the_answer_goes_out() {
    use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
    use std::time::Duration;
    // A site that never answers its homepage within the test's time.
    let site = Site::start().await;
    site.route(
        "/",
        Route::html("<html><body>slow</body></html>").delayed(Duration::from_secs(30)),
    );
    let deps = Deps {
        store: Arc::new(MemoryStore::new()),
        bus: Arc::new(Bus::default()),
        enricher: Arc::new(build_enricher(&enricher_env()).unwrap()),
        concurrency: 2,
    };
    let mut message = SqsMessage::default();
    message.message_id = Some("m-1".into());
    message.body = Some(
        serde_json::json!({"domain": "northwind.test", "start": format!("{}/", site.url("northwind.test"))})
            .to_string(),
    );
    let mut batch = SqsEvent::default();
    batch.records = vec![message];
    let resp = tokio::time::timeout(
        Duration::from_secs(20),
        lambda_enrich::handler::handle_batch(&deps, batch, Some(Duration::from_millis(500))),
    )
    .await
    .expect("answered by the deadline");
    let failed: Vec<_> = resp
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m-1"]);
}

/// The HubSpot site, a store, a bus, the handler's dependencies over them
/// (two accounts at once), and the site's start URL.
async fn batch_setup() -> (Site, Arc<MemoryStore>, Arc<Bus>, Deps, String) {
    let site = hubspot_site().await;
    let (store, bus) = (Arc::new(MemoryStore::new()), Arc::new(Bus::default()));
    let deps = deps(store.clone(), bus.clone(), 2);
    let start = format!("{}/", site.url("northwind.test"));
    (site, store, bus, deps, start)
}

/// A queue message with `id` and `body`, as the SQS trigger passes it.
fn message(id: &str, body: serde_json::Value) -> aws_lambda_events::sqs::SqsMessage {
    let mut m = aws_lambda_events::sqs::SqsMessage::default();
    m.message_id = Some(id.into());
    m.body = Some(body.to_string());
    m
}

/// A batch of `records`.
fn batch_of(records: Vec<aws_lambda_events::sqs::SqsMessage>) -> aws_lambda_events::sqs::SqsEvent {
    let mut batch = aws_lambda_events::sqs::SqsEvent::default();
    batch.records = records;
    batch
}

#[tokio::test]
async fn one_domain_queued_twice_in_a_batch_is_enriched_once() {
    let (site, _store, bus, deps, start) = batch_setup().await;
    let batch = batch_of(vec![
        message(
            "a",
            serde_json::json!({"domain": "northwind.test", "start": start, "reason": "new account"}),
        ),
        // A newer producer's extra field is no reason to dead-letter it.
        message(
            "b",
            serde_json::json!({"domain": "northwind.test", "start": start, "priority": 1}),
        ),
    ]);
    let resp = lambda_enrich::handler::handle_batch(&deps, batch, None).await;
    assert!(resp.batch_item_failures.is_empty());
    let enriched: Vec<String> = bus
        .events()
        .iter()
        .filter(|e| e.detail_type == "Account Enriched")
        .map(|e| e.detail["account"].to_string())
        .collect();
    // One crawl: before, each message crawled the site and published its
    // own technology changes and `Account Enriched`.
    assert_eq!(enriched.len(), 1, "{enriched:?}");
    assert_eq!(
        site.hits().iter().filter(|h| h.as_str() == "/").count(),
        1,
        "{:?}",
        site.hits()
    );
}

/// A batch holding a scheduled run's bare domain first and a form's
/// website for it second crawls from the website: the bare domain's
/// `https://northwind.test/` (port 443 on loopback here) is no site.
#[tokio::test]
async fn a_form_website_wins_over_a_bare_domain_queued_before_it() {
    let (site, store, _bus, deps, start) = batch_setup().await;
    let batch = batch_of(vec![
        message(
            "scheduled",
            serde_json::json!({"domain": "northwind.test", "reason": "stale"}),
        ),
        message(
            "form",
            serde_json::json!({"domain": "northwind.test", "start": start, "reason": "form"}),
        ),
    ]);
    let resp = lambda_enrich::handler::handle_batch(&deps, batch, None).await;
    assert!(resp.batch_item_failures.is_empty());
    assert_eq!(
        site.hits().iter().filter(|h| h.as_str() == "/").count(),
        1,
        "{:?}",
        site.hits()
    );
    let snapshot = store
        .latest_snapshot(&Domain::parse("northwind.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        snapshot.signals.iter().any(|s| s.name == "tech"
            && s.value == leadscore_core::domain::SignalValue::Text("HubSpot".into())),
        "{:?}",
        snapshot.signals
    );
}

/// The bus refuses `Account Enriched` after the snapshot is stored: the
/// message fails and comes back. Its redelivery (sent before that
/// snapshot) does not crawl again, which would have counted a page served
/// lighter in between as a second miss and removed its technology: it
/// sends the same `Account Enriched`, under the same key. A request sent
/// after the snapshot crawls.
#[tokio::test]
async fn a_redelivery_after_a_refused_account_enriched_sends_it_again_without_crawling() {
    let (site, store, bus, deps, domain, req) = refusing("Account Enriched").await;
    let on = |b: bool| bus.refuse.store(b, std::sync::atomic::Ordering::SeqCst);
    // A first enrichment, then one whose homepage misses HubSpot once
    // (kept, marked missed).
    lambda_enrich::handler::enrich_one(&deps, &req)
        .await
        .unwrap();
    site.route("/", Route::html("<html><body>Northwind</body></html>"));
    let asked = chrono::Utc::now();
    on(true);
    let e = lambda_enrich::handler::enrich_one_since(&deps, &req, Some(asked))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Account Enriched"), "{e}");
    let stored = store.latest_snapshot(&domain).await.unwrap().unwrap();
    let hits = site.hits().len();
    // Redelivered (the same message, sent at `asked`), the page still light.
    on(false);
    lambda_enrich::handler::enrich_one_since(&deps, &req, Some(asked))
        .await
        .unwrap();
    assert_eq!(site.hits().len(), hits, "crawled again: {:?}", site.hits());
    assert_eq!(
        store.latest_snapshot(&domain).await.unwrap().unwrap(),
        stored
    );
    let given = bus.given.lock().unwrap().clone();
    assert!(
        given
            .iter()
            .all(|(e, _)| e.detail_type != "Technology Removed"),
        "{given:?}"
    );
    let enriched: Vec<(String, bool)> = given
        .iter()
        .filter(|(e, _)| e.detail_type == "Account Enriched")
        .map(|(e, ok)| (e.idempotency_key.clone(), *ok))
        .collect();
    let n = enriched.len();
    assert!(n >= 3, "{enriched:?}");
    assert_eq!(enriched[n - 2].0, enriched[n - 1].0, "the same key");
    assert_eq!((enriched[n - 2].1, enriched[n - 1].1), (false, true));
    // A request made after that snapshot crawls.
    lambda_enrich::handler::enrich_one_since(&deps, &req, Some(chrono::Utc::now()))
        .await
        .unwrap();
    assert!(site.hits().len() > hits);
}

//! AWS adapters against a real DynamoDB/EventBridge/SQS-compatible server
//! (moto) on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers panic by design

use leadscore_testkit as support;

use leadscore_aws::DynamoStore;

async fn fresh_store() -> DynamoStore {
    let config = support::sdk_config().await;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&config),
        support::unique("leads"),
    );
    assert!(store.create_table().await.unwrap());
    store
}

mod dynamodb_contract {
    use super::fresh_store;
    leadscore_store::store_contract_tests!(fresh_store());
}

mod dynamodb_specifics {
    use super::*;
    use leadscore_store::Store;

    #[tokio::test]
    async fn create_table_is_idempotent() {
        let store = fresh_store().await;
        assert!(
            !store.create_table().await.unwrap(),
            "second create reports the existing table"
        );
    }

    /// A snapshot too big for one item, even compressed, is refused before
    /// it is sent, with an error naming the account; nothing is written.
    #[tokio::test]
    async fn an_oversized_snapshot_is_refused_naming_its_account() {
        use leadscore_core::domain::{Domain, EnrichmentSnapshot};
        use leadscore_store::contract::t0;
        let store = fresh_store().await;
        // Hex of a pseudo-random sequence: gzip halves it, no more.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let noise: String = (0..1_200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from_digit((x % 16) as u32, 16).unwrap()
            })
            .collect();
        let domain = Domain::parse("huge-board.example").unwrap();
        let snap = EnrichmentSnapshot {
            domain: domain.clone(),
            enriched_at: t0(),
            signals: Vec::new(),
            details: serde_json::json!({ "noise": noise }),
            errors: Vec::new(),
        };
        let err = store.put_snapshot(&snap).await.unwrap_err();
        assert!(
            err.to_string().contains("huge-board.example") && err.to_string().contains("400 KB"),
            "{err}"
        );
        assert!(store.latest_snapshot(&domain).await.unwrap().is_none());
    }

    /// A table left without its TTL (a first `store init` cut off while
    /// the table was being created) gets it from the next one.
    #[tokio::test]
    async fn create_table_turns_on_the_ttl_of_an_existing_table() {
        let config = support::sdk_config().await;
        let client = aws_sdk_dynamodb::Client::new(&config);
        let table = support::unique("leads");
        let store = DynamoStore::new(client.clone(), table.clone());
        assert!(store.create_table().await.unwrap());
        let ttl = |client: aws_sdk_dynamodb::Client, table: String| async move {
            client
                .describe_time_to_live()
                .table_name(table)
                .send()
                .await
                .unwrap()
                .time_to_live_description()
                .and_then(|d| d.time_to_live_status().map(|s| s.as_str().to_owned()))
        };
        client
            .update_time_to_live()
            .table_name(&table)
            .time_to_live_specification(
                aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                    .attribute_name("expires_at")
                    .enabled(false)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_ne!(
            ttl(client.clone(), table.clone()).await.as_deref(),
            Some("ENABLED")
        );
        assert!(!store.create_table().await.unwrap());
        assert_eq!(
            ttl(client.clone(), table.clone()).await.as_deref(),
            Some("ENABLED")
        );
        // Once more: already on, nothing to do, no error.
        assert!(!store.create_table().await.unwrap());
    }

    /// `store init` on a table made before the `scores_by_check` index:
    /// the index is added, and a score written without check keys is not
    /// due until the backfill puts it in, as never checked; a second
    /// backfill finds nothing to do.
    #[tokio::test]
    async fn an_older_table_gets_the_rescoring_index_and_its_scores() {
        use leadscore_core::domain::Email;
        use leadscore_store::contract::t0;
        let config = support::sdk_config().await;
        let client = aws_sdk_dynamodb::Client::new(&config);
        let table = support::unique("leads");
        let store = DynamoStore::new(client.clone(), table.clone());
        assert!(store.create_table().await.unwrap());
        let (old, new) = (
            Email::parse("old@acme.com").unwrap(),
            Email::parse("new@acme.com").unwrap(),
        );
        for email in [&old, &new] {
            let mut write = leadscore_store::contract::score_write(email.as_str(), 1);
            write.record.score.scored_at = t0();
            store.save_score(&write).await.unwrap();
        }
        client
            .update_item()
            .table_name(&table)
            .key(
                "pk",
                aws_sdk_dynamodb::types::AttributeValue::S(format!("LEAD#{old}")),
            )
            .key(
                "sk",
                aws_sdk_dynamodb::types::AttributeValue::S("SCORE".into()),
            )
            .update_expression("REMOVE check_pk, check_sk")
            .send()
            .await
            .unwrap();
        // A table made before the index: `store init` adds it.
        assert!(store.add_missing_indexes().await.unwrap().is_empty());
        client
            .update_table()
            .table_name(&table)
            .global_secondary_index_updates(
                aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
                    .delete(
                        aws_sdk_dynamodb::types::DeleteGlobalSecondaryIndexAction::builder()
                            .index_name("scores_by_check")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert!(store.scores_due(t0(), 10).await.is_err(), "no index");
        assert_eq!(
            store.add_missing_indexes().await.unwrap(),
            ["scores_by_check"]
        );
        let before = t0() - chrono::Duration::days(1);
        assert!(store.scores_due(before, 10).await.unwrap().is_empty());
        assert_eq!(store.backfill_score_checks().await.unwrap(), 1);
        assert_eq!(
            store.scores_due(before, 10).await.unwrap(),
            std::slice::from_ref(&old)
        );
        assert_eq!(store.backfill_score_checks().await.unwrap(), 0);
        // Checked, it leaves the due list like any other.
        store.mark_score_checked(&old, 1, t0()).await.unwrap();
        assert!(store.scores_due(before, 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn large_snapshots_are_compressed_and_round_trip() {
        use leadscore_core::domain::{Domain, EnrichmentSnapshot};
        let store = fresh_store().await;
        let snap = EnrichmentSnapshot {
            domain: Domain::parse("big.example").unwrap(),
            enriched_at: leadscore_store::contract::t0(),
            signals: Vec::new(),
            details: serde_json::json!({ "pages": vec!["<html>".repeat(20_000); 3] }),
            errors: Vec::new(),
        };
        store.put_snapshot(&snap).await.unwrap();
        assert_eq!(
            store.latest_snapshot(&snap.domain).await.unwrap(),
            Some(snap)
        );
    }

    /// Text that hardly compresses: a hash chain's bytes as printable ASCII.
    fn noise(seed: u64, len: usize) -> String {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let mut h = seed;
        let mut s = String::with_capacity(len + 8);
        while s.len() < len {
            h = BuildHasherDefault::<DefaultHasher>::default().hash_one(h);
            s.extend(h.to_le_bytes().iter().map(|b| char::from(b'!' + b % 94)));
        }
        s.truncate(len);
        s
    }

    #[tokio::test]
    async fn imports_are_chunked_by_size_and_an_oversized_lead_writes_nothing() {
        use leadscore_core::domain::{Email, Lead};
        let store = fresh_store().await;
        let now = leadscore_store::contract::t0();
        // 60 leads of ~100 KB each (6 MB, over one transaction's 4 MB):
        // written in more than one chunk, all of them.
        let leads: Vec<Lead> = (0..60)
            .map(|i| {
                let mut l = Lead::new(
                    Email::parse(&format!("p{i}@big.example")).unwrap(),
                    None,
                    now,
                );
                l.attributes.insert("notes".into(), noise(i, 100_000));
                l
            })
            .collect();
        store.upsert_leads(&leads, &[]).await.unwrap();
        assert_eq!(store.list_leads().await.unwrap().len(), 60);
        // One lead over the 400 KB item limit: refused, with its address,
        // before anything of the call is written.
        let mut huge = Lead::new(Email::parse("huge@other.example").unwrap(), None, now);
        huge.attributes.insert("notes".into(), noise(99, 1_000_000));
        let small = Lead::new(Email::parse("small@other.example").unwrap(), None, now);
        let err = store.upsert_leads(&[small, huge], &[]).await.unwrap_err();
        assert!(err.to_string().contains("huge@other.example"), "{err}");
        assert_eq!(store.list_leads().await.unwrap().len(), 60);
    }
}

/// Leads that the example model scores hot (80): director of marketing at
/// a software company, two pricing views and a webinar.
mod fixtures {
    use chrono::{DateTime, Duration, Utc};
    use leadscore_core::ScoringModel;
    use leadscore_core::domain::{Account, Activity, ActivityKind, Domain, Email, Lead};
    use leadscore_store::Store;

    pub fn now() -> DateTime<Utc> {
        leadscore_store::contract::t0()
    }

    pub fn model() -> ScoringModel {
        ScoringModel::from_toml(
            include_str!("../../../examples/seed-example/model.toml"),
            "examples/seed-example/model.toml",
        )
        .unwrap()
    }

    /// `n` hot leads over `accounts` accounts.
    pub async fn seed_hot_leads(store: &dyn Store, n: usize, accounts: usize) -> Vec<Email> {
        let mut emails = Vec::new();
        for a in 0..accounts {
            let domain = Domain::parse(&format!("company{a}.example")).unwrap();
            let mut acc = Account::new(domain.clone(), now());
            acc.firmographics.industry = Some("Software".into());
            acc.firmographics.employees = Some(200);
            let mut leads = Vec::new();
            for i in (0..n).filter(|i| i % accounts == a) {
                let email = Email::parse(&format!("person{i}@{domain}")).unwrap();
                let mut lead = Lead::new(email.clone(), None, now());
                lead.set_title(Some("Director of Marketing".into()));
                leads.push(lead);
                let acts = vec![
                    Activity::new(
                        email.clone(),
                        ActivityKind::PageViewed {
                            path: "/pricing".into(),
                        },
                        now() - Duration::days(3),
                    ),
                    Activity::new(
                        email.clone(),
                        ActivityKind::PageViewed {
                            path: "/pricing".into(),
                        },
                        now() - Duration::days(2),
                    ),
                    Activity::new(
                        email.clone(),
                        ActivityKind::WebinarAttended,
                        now() - Duration::days(1),
                    ),
                ];
                store.add_activities(&acts).await.unwrap();
                emails.push(email);
            }
            store.upsert_leads(&leads, &[acc]).await.unwrap();
        }
        emails
    }
}

mod eventbridge_delivery {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use aws_sdk_eventbridge::Client as EventBridge;
    use aws_sdk_sqs::Client as Sqs;
    use leadscore_aws::EventBridgeBus;
    use leadscore_core::events::{Event, detail_type};
    use leadscore_pipeline::{BusAlertSink, EventBus, drain_outbox, rescore_all};
    use leadscore_store::{MemoryStore, Store};

    use super::fixtures::{model, now, seed_hot_leads};
    use leadscore_testkit::{
        self as support,
        proxy::{Proxy, Verdict},
    };

    /// A bus with a rule (the template's pattern) delivering to a queue.
    async fn bus_to_queue() -> (String, String) {
        let config = support::sdk_config().await;
        let eb = EventBridge::new(&config);
        let sqs = Sqs::new(&config);
        let bus = support::unique("leadscore");
        eb.create_event_bus().name(&bus).send().await.unwrap();
        let queue_url = sqs
            .create_queue()
            .queue_name(support::unique("hot"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        let arn =
            attrs.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
        let pattern = serde_json::json!({
            "source": ["leadscore"],
            "detail-type": [detail_type::LEAD_BECAME_HOT]
        });
        eb.put_rule()
            .name("hot-leads")
            .event_bus_name(&bus)
            .event_pattern(pattern.to_string())
            .send()
            .await
            .unwrap();
        eb.put_targets()
            .rule("hot-leads")
            .event_bus_name(&bus)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(arn)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        (bus, queue_url)
    }

    /// Drains the queue for `window`, returning every message body.
    async fn receive(queue_url: &str, window: Duration) -> Vec<serde_json::Value> {
        let sqs = Sqs::new(&support::sdk_config().await);
        let deadline = Instant::now() + window;
        let mut bodies = Vec::new();
        while Instant::now() < deadline {
            let out = sqs
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            for m in out.messages() {
                bodies.push(serde_json::from_str(m.body().unwrap()).unwrap());
                sqs.delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        bodies
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_outage_loses_no_alert_and_recovery_delivers_each_exactly_once() {
        let (bus, queue) = bus_to_queue().await;
        let store = MemoryStore::new();
        seed_hot_leads(&store, 12, 3).await;
        let summary = rescore_all(&store, &model(), now(), |_, _| {})
            .await
            .unwrap();
        assert_eq!(summary.became_hot.len(), 12);

        // EventBridge answering 500 to every PutEvents.
        let down = Arc::new(AtomicBool::new(true));
        let d = down.clone();
        let proxy = Proxy::start(&support::moto().endpoint, move |op, _, _| {
            if op == "PutEvents" && d.load(Ordering::SeqCst) {
                Verdict::Respond(
                    500,
                    "application/x-amz-json-1.1",
                    r#"{"__type":"InternalException","message":"injected outage"}"#.into(),
                )
            } else {
                Verdict::Forward
            }
        })
        .await;
        let flaky = BusAlertSink {
            bus: EventBridgeBus::new(
                EventBridge::new(&support::sdk_config_at(&proxy.endpoint, 2).await),
                &bus,
            ),
        };
        let s = drain_outbox(&store, &flaky, now(), 100).await.unwrap();
        assert_eq!((s.delivered, s.failed), (0, 12));
        assert!(proxy.counts()["PutEvents"] >= 2, "it tried");

        // EventBridge refusing connections.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let refused = BusAlertSink {
            bus: EventBridgeBus::new(
                EventBridge::new(&support::sdk_config_at(&format!("http://{closed}"), 2).await),
                &bus,
            ),
        };
        let s = drain_outbox(&store, &refused, now(), 100).await.unwrap();
        assert_eq!((s.delivered, s.failed), (0, 12));
        assert_eq!(
            store.pending_alerts(100).await.unwrap().len(),
            12,
            "nothing lost"
        );
        assert!(receive(&queue, Duration::from_secs(1)).await.is_empty());

        // Recovery.
        down.store(false, Ordering::SeqCst);
        let s = drain_outbox(&store, &flaky, now(), 100).await.unwrap();
        assert_eq!((s.delivered, s.failed), (12, 0));
        assert_eq!(
            drain_outbox(&store, &flaky, now(), 100)
                .await
                .unwrap()
                .delivered,
            0
        );
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(15);
        while got.len() < 12 && Instant::now() < deadline {
            got.extend(receive(&queue, Duration::from_secs(1)).await);
        }
        got.extend(receive(&queue, Duration::from_secs(2)).await);
        let mut keys: Vec<String> = got
            .iter()
            .map(|m| m["detail"]["idempotency_key"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(keys.len(), 12, "each alert once: {keys:?}");
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 12);
        assert!(got.iter().all(
            |m| m["source"] == "leadscore" && m["detail-type"] == detail_type::LEAD_BECAME_HOT
        ));
    }

    /// Every hot alert reaches the queue, whatever its score (a model's hot
    /// tier may be under 70), and nothing else does.
    #[tokio::test]
    async fn the_rule_pattern_routes_every_hot_alert() {
        let (bus, queue) = bus_to_queue().await;
        let eb = EventBridgeBus::new(EventBridge::new(&support::sdk_config().await), &bus);
        let mk = |score: f64, key: &str| Event {
            detail_type: detail_type::LEAD_BECAME_HOT.into(),
            detail: serde_json::json!({"idempotency_key": key, "score": score}),
            idempotency_key: key.into(),
            time: now(),
        };
        let cooled = Event {
            detail_type: detail_type::LEAD_COOLED.into(),
            ..mk(40.0, "cooled")
        };
        let out = eb
            .publish(&[mk(62.5, "low-tier"), cooled, mk(95.0, "high")])
            .await;
        assert!(out.iter().all(Result::is_ok));
        let got = receive(&queue, Duration::from_secs(3)).await;
        let mut keys: Vec<&str> = got
            .iter()
            .map(|m| m["detail"]["idempotency_key"].as_str().unwrap())
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["high", "low-tier"]);
    }

    /// A message sent to a failure queue arrives with its reason.
    #[tokio::test]
    async fn a_parked_message_keeps_its_body_and_reason() {
        let config = support::sdk_config().await;
        let sqs = Sqs::new(&config);
        let queue_url = sqs
            .create_queue()
            .queue_name(support::unique("failed"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let sender = leadscore_aws::SqsSender::new(sqs.clone(), &queue_url);
        sender
            .send(r#"{"not":"an alert"}"#, "unsupported detail-type \"X\"")
            .await
            .unwrap();
        let out = sqs
            .receive_message()
            .queue_url(&queue_url)
            .message_attribute_names("All")
            .wait_time_seconds(2)
            .send()
            .await
            .unwrap();
        let m = &out.messages()[0];
        assert_eq!(m.body(), Some(r#"{"not":"an alert"}"#));
        let reason = &m.message_attributes().unwrap()["reason"];
        assert_eq!(reason.string_value(), Some("unsupported detail-type \"X\""));
        // A queue that is not there: an error, not a panic or a silent loss.
        let gone = leadscore_aws::SqsSender::new(sqs, format!("{queue_url}-missing"));
        assert!(gone.send("{}", "x").await.is_err());
    }

    /// A bus that does not exist refuses for good: not "retry".
    #[tokio::test]
    async fn a_missing_bus_is_a_refusal_for_good() {
        let eb = EventBridgeBus::new(
            EventBridge::new(&support::sdk_config().await),
            support::unique("no-such-bus"),
        );
        let e = Event {
            detail_type: detail_type::LEAD_BECAME_HOT.into(),
            detail: serde_json::json!({"idempotency_key": "k", "score": 80.0}),
            idempotency_key: "k".into(),
            time: now(),
        };
        let out = eb.publish(&[e]).await;
        let err = out[0].as_ref().unwrap_err();
        assert!(!err.retryable, "{err:?}");
    }
}

mod dynamodb_faults {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use leadscore_aws::DynamoStore;
    use leadscore_core::Crossing;
    use leadscore_pipeline::{rescore_all, rescore_lead};
    use leadscore_store::{Store, StoreError};

    use super::fixtures::{model, now, seed_hot_leads};
    use leadscore_testkit::{
        self as support,
        proxy::{Proxy, Verdict},
    };

    fn throttle(nth: usize) -> Verdict {
        let kind = if nth.is_multiple_of(2) {
            "ThrottlingException"
        } else {
            "ProvisionedThroughputExceededException"
        };
        Verdict::Respond(
            400,
            "application/x-amz-json-1.0",
            format!(
                r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected"}}"#
            ),
        )
    }

    async fn proxied(table: &str, proxy: &Proxy, attempts: u32) -> DynamoStore {
        DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&support::sdk_config_at(&proxy.endpoint, attempts).await),
            table,
        )
    }

    /// A claim write that lands while its answer is lost is sent again by
    /// the SDK, and its condition then fails on the claim it made itself:
    /// still acquired, not busy (a form submit would wait out its own
    /// lease and answer "in flight"; the notify Lambda would hold the alert
    /// for a lease).
    #[tokio::test]
    async fn a_claim_whose_answer_was_lost_is_still_acquired() {
        use leadscore_store::Claim;
        let direct = super::fresh_store().await;
        let proxy = Proxy::start(&support::moto().endpoint, |op, nth, body| {
            if op == "PutItem" && nth == 0 && body.contains("CLAIM#lost-answer") {
                Verdict::ForwardThenRespond(
                    500,
                    "application/x-amz-json-1.0",
                    r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"}"#.into(),
                )
            } else {
                Verdict::Forward
            }
        })
        .await;
        let store = proxied(direct.table(), &proxy, leadscore_aws::MAX_ATTEMPTS).await;
        let t0 = chrono::Utc::now();
        let lease = t0 + chrono::Duration::minutes(5);
        assert_eq!(
            store.claim("lost-answer", t0, lease).await.unwrap(),
            Claim::Acquired
        );
        assert_eq!(proxy.counts()["PutItem"], 2, "sent again by the SDK");
        // Anyone else finds it held, then done once completed.
        assert_eq!(
            direct.claim("lost-answer", t0, lease).await.unwrap(),
            Claim::Busy
        );
        store.complete("lost-answer", t0).await.unwrap();
        assert_eq!(
            direct.claim("lost-answer", t0, lease).await.unwrap(),
            Claim::Done
        );
    }

    /// Errors the SDK itself takes as transient, still failing after its
    /// attempts, are retryable store errors: a transaction still running
    /// when its retry came, and a 5xx whatever its code.
    #[tokio::test]
    async fn transient_errors_beyond_throttling_are_retryable() {
        for (status, kind) in [
            (400, "TransactionInProgressException"),
            (503, "SomethingUnheardOf"),
        ] {
            let direct = super::fresh_store().await;
            let emails = seed_hot_leads(&direct, 1, 1).await;
            let proxy = Proxy::start(&support::moto().endpoint, move |op, _, _| {
                if op == "TransactWriteItems" {
                    Verdict::Respond(
                        status,
                        "application/x-amz-json-1.0",
                        format!(
                            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected"}}"#
                        ),
                    )
                } else {
                    Verdict::Forward
                }
            })
            .await;
            let store = proxied(direct.table(), &proxy, 2).await;
            let err = rescore_lead(&store, &model(), &emails[0], now())
                .await
                .unwrap_err();
            assert!(
                matches!(&err, leadscore_pipeline::PipelineError::Store(e) if e.is_retryable()),
                "{kind}: {err}"
            );
        }
    }

    #[tokio::test]
    async fn throttled_writes_are_retried_and_not_lost() {
        let direct = super::fresh_store().await;
        let emails = seed_hot_leads(&direct, 4, 2).await;
        let proxy = Proxy::start(&support::moto().endpoint, |op, nth, _| {
            if op == "TransactWriteItems" && nth % 4 < 3 {
                throttle(nth)
            } else {
                Verdict::Forward
            }
        })
        .await;
        let store = proxied(direct.table(), &proxy, leadscore_aws::MAX_ATTEMPTS).await;
        let s = rescore_all(&store, &model(), now(), |_, _| {})
            .await
            .unwrap();
        assert_eq!((s.scored, s.became_hot.len(), s.failed.len()), (4, 4, 0));
        assert!(
            proxy.counts()["TransactWriteItems"] >= 16,
            "3 throttles before each write"
        );
        for e in &emails {
            assert_eq!(
                direct.current_score(e).await.unwrap().unwrap().score.total,
                80.0
            );
        }
        assert_eq!(direct.pending_alerts(10).await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn persistent_throttling_is_a_retryable_error_and_the_retry_lands() {
        let direct = super::fresh_store().await;
        let emails = seed_hot_leads(&direct, 1, 1).await;
        let down = Arc::new(AtomicBool::new(true));
        let d = down.clone();
        let proxy = Proxy::start(&support::moto().endpoint, move |op, nth, _| {
            if op == "TransactWriteItems" && d.load(Ordering::SeqCst) {
                throttle(nth)
            } else {
                Verdict::Forward
            }
        })
        .await;
        let store = proxied(direct.table(), &proxy, 3).await;
        let err = rescore_lead(&store, &model(), &emails[0], now())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, leadscore_pipeline::PipelineError::Store(e @ StoreError::Unavailable(_)) if e.is_retryable()),
            "{err}"
        );
        assert_eq!(
            proxy.counts()["TransactWriteItems"],
            3,
            "the SDK's bounded attempts"
        );
        assert!(direct.current_score(&emails[0]).await.unwrap().is_none());
        assert!(
            direct.pending_alerts(10).await.unwrap().is_empty(),
            "no alert without its score"
        );
        down.store(false, Ordering::SeqCst);
        let r = rescore_lead(&store, &model(), &emails[0], now())
            .await
            .unwrap();
        assert_eq!(r.crossing, Crossing::BecameHot);
        assert_eq!(direct.pending_alerts(10).await.unwrap().len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_lead_scored_by_two_tasks_at_once_alerts_once() {
        let store = Arc::new(super::fresh_store().await);
        let emails = seed_hot_leads(store.as_ref(), 1, 1).await;
        let m = Arc::new(model());
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let (store, m, e) = (store.clone(), m.clone(), emails[0].clone());
                tokio::spawn(
                    async move { rescore_lead(store.as_ref(), &m, &e, now()).await.unwrap() },
                )
            })
            .collect();
        let mut hot = 0;
        for t in tasks {
            hot += usize::from(t.await.unwrap().crossing == Crossing::BecameHot);
        }
        assert_eq!(hot, 1);
        assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
        assert_eq!(store.score_history(&emails[0], 10).await.unwrap().len(), 1);
    }

    /// DynamoDB requests per scored lead on the happy path, counted at the
    /// proxy (the figure in BENCHMARKS.md).
    #[tokio::test]
    async fn requests_per_scored_lead() {
        let direct = super::fresh_store().await;
        let leads = 40;
        let accounts = 8;
        let emails = seed_hot_leads(&direct, leads, accounts).await;
        let proxy = Proxy::start(&support::moto().endpoint, |_, _, _| Verdict::Forward).await;
        let store = proxied(direct.table(), &proxy, 1).await;

        // Rescoring one lead: its context, its account, the write.
        rescore_lead(&store, &model(), &emails[0], now())
            .await
            .unwrap();
        let single = proxy.counts();
        assert_eq!(proxy.total(), 3, "{single:?}");

        // Rescoring everyone: per lead one query and one write; per account
        // one read and one rollup write; one scan page to list the leads.
        proxy.reset();
        let s = rescore_all(&store, &model(), now(), |_, _| {})
            .await
            .unwrap();
        assert_eq!(s.written, leads - 1);
        let all = proxy.counts();
        let per_lead = (all["Query"] + all["TransactWriteItems"]) as f64 / leads as f64;
        let overall = proxy.total() as f64 / leads as f64;
        println!(
            "requests per scored lead: single lead {}, batch per-lead {per_lead:.2}, batch overall {overall:.2} ({all:?})",
            single.values().sum::<usize>()
        );
        assert!(per_lead <= 2.0, "{all:?}");
        assert_eq!(all["GetItem"], accounts);
        assert_eq!(all["PutItem"], accounts);

        // Unchanged scores are not rewritten: one request per lead.
        proxy.reset();
        rescore_all(&store, &model(), now(), |_, _| {})
            .await
            .unwrap();
        let again = proxy.counts();
        assert_eq!(again.get("TransactWriteItems"), None, "{again:?}");
        assert_eq!(again["Query"], leads);
    }

    #[tokio::test]
    async fn unprocessed_batch_items_are_resent_until_written() {
        use leadscore_core::domain::{Activity, ActivityKind, Email};
        let direct = super::fresh_store().await;
        // The first BatchGetItem and BatchWriteItem calls come back with
        // everything unprocessed, as DynamoDB does under load.
        let proxy = Proxy::start(&support::moto().endpoint, |op, nth, body| {
            let request: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            match (op, nth) {
                ("BatchGetItem", 0) => Verdict::Respond(
                    200,
                    "application/x-amz-json-1.0",
                    serde_json::json!({"Responses": {}, "UnprocessedKeys": request["RequestItems"]}).to_string(),
                ),
                ("BatchWriteItem", 0) => Verdict::Respond(
                    200,
                    "application/x-amz-json-1.0",
                    serde_json::json!({"UnprocessedItems": request["RequestItems"]}).to_string(),
                ),
                _ => Verdict::Forward,
            }
        })
        .await;
        let store = proxied(direct.table(), &proxy, 1).await;
        let e = Email::parse("batch@acme.com").unwrap();
        let acts: Vec<Activity> = (0..30)
            .map(|i| {
                Activity::new(
                    e.clone(),
                    ActivityKind::PageViewed {
                        path: format!("/p{i}"),
                    },
                    now(),
                )
            })
            .collect();
        assert_eq!(store.add_activities(&acts).await.unwrap(), 30);
        let c = proxy.counts();
        assert_eq!((c["BatchGetItem"], c["BatchWriteItem"]), (2, 3), "{c:?}");
        assert_eq!(direct.activities_of(&e).await.unwrap().len(), 30);
        assert_eq!(store.add_activities(&acts).await.unwrap(), 0);
    }
}

mod ses_email {
    use leadscore_aws::{Recipients, SesEmail};
    use leadscore_core::domain::Alert;
    use leadscore_pipeline::AlertSink;
    use leadscore_store::{MemoryStore, Store};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::fixtures::{model, now, seed_hot_leads};
    use leadscore_testkit as support;

    /// Moto's record of sent messages (its dashboard API).
    async fn sent_messages() -> serde_json::Value {
        let addr = support::moto()
            .endpoint
            .trim_start_matches("http://")
            .to_owned();
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(
            format!(
                "GET /moto-api/data.json HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw);
        let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str(body).unwrap()
    }

    async fn hot_alert() -> Alert {
        let store = MemoryStore::new();
        seed_hot_leads(&store, 1, 1).await;
        leadscore_pipeline::rescore_all(&store, &model(), now(), |_, _| {})
            .await
            .unwrap();
        store.pending_alerts(1).await.unwrap().remove(0)
    }

    #[tokio::test]
    async fn alert_email_is_sent_through_ses() {
        let config = support::sdk_config().await;
        let client = aws_sdk_sesv2::Client::new(&config);
        let from = format!("{}@leadscore.example", support::unique("alerts"));
        client
            .create_email_identity()
            .email_identity(&from)
            .send()
            .await
            .unwrap();
        let sink = SesEmail::new(
            client,
            &from,
            Recipients {
                default: vec!["sales@leadscore.example".into()],
                route_to_owner: true,
            },
        );
        let mut alert = hot_alert().await;
        sink.deliver(&alert).await.unwrap();
        let sent = messages_from(&sent_messages().await, &from);
        assert_eq!(sent.len(), 1, "one message from {from}");
        let first = sent[0].to_string();
        assert!(first.contains("sales@leadscore.example"), "{first:.600}");
        assert!(
            first.contains("Hot lead: person0@company0.example at company0.example"),
            "{first:.600}"
        );
        // Routed to its owner: sent to the owner, not the list.
        alert.owner = Some("rep@leadscore.example".into());
        sink.deliver(&alert).await.unwrap();
        let sent = messages_from(&sent_messages().await, &from);
        assert_eq!(sent.len(), 2);
        let second = sent
            .iter()
            .map(|m| m.to_string())
            .find(|m| *m != first)
            .unwrap();
        assert!(second.contains("rep@leadscore.example"), "{second:.600}");
        assert!(!second.contains("sales@leadscore.example"), "{second:.600}");

        alert.owner = Some(" mailto:Rep@LeadScore.example".into());
        assert_eq!(
            sink.recipients_for(&alert),
            vec!["rep@leadscore.example".to_owned()]
        );
        for not_an_address in ["@dana", "Dana Reyes (dana@)", "a@x.example; b@x.example"] {
            alert.owner = Some(not_an_address.into());
            assert_eq!(
                sink.recipients_for(&alert),
                vec!["sales@leadscore.example".to_owned()],
                "{not_an_address}"
            );
        }
    }

    /// The messages moto recorded as sent from `from` (objects with its
    /// `source` and a `subject`).
    fn messages_from(data: &serde_json::Value, from: &str) -> Vec<serde_json::Value> {
        fn walk(v: &serde_json::Value, from: &str, out: &mut Vec<serde_json::Value>) {
            match v {
                serde_json::Value::Object(m) => {
                    if m.get("source").and_then(serde_json::Value::as_str) == Some(from)
                        && m.contains_key("subject")
                    {
                        out.push(v.clone());
                    }
                    m.values().for_each(|x| walk(x, from, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, from, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(data, from, &mut out);
        out
    }

    #[tokio::test]
    async fn an_alert_with_nobody_to_email_is_skipped_not_failed() {
        // Owner routing with no fallback list, and an alert without an
        // owner: before, a non-retryable error that sent every such alert
        // to the failure queue. The sender is unverified, so an attempt to
        // send would fail too.
        let config = support::sdk_config().await;
        let sink = SesEmail::new(
            aws_sdk_sesv2::Client::new(&config),
            "nobody@unverified.example",
            Recipients {
                default: Vec::new(),
                route_to_owner: true,
            },
        );
        let alert = hot_alert().await;
        assert!(alert.owner.is_none());
        assert!(sink.recipients_for(&alert).is_empty());
        sink.deliver(&alert).await.unwrap();
    }

    #[tokio::test]
    async fn an_unverified_sender_is_a_delivery_error() {
        let config = support::sdk_config().await;
        let sink = SesEmail::new(
            aws_sdk_sesv2::Client::new(&config),
            "nobody@unverified.example",
            Recipients {
                default: vec!["sales@leadscore.example".into()],
                route_to_owner: false,
            },
        );
        let err = sink.deliver(&hot_alert().await).await.unwrap_err();
        assert_eq!(err.sink, "email");
        // SES refuses the message (MessageRejected): sending it again
        // would be refused again.
        assert!(!err.retryable, "{err:?}");
    }
}

//! Rendering, the Slack webhook against a loopback server, and once-only
//! delivery.
#![allow(clippy::unwrap_used)] // test helpers panic by design

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::domain::{Alert, AlertKind, Domain, Email};
use leadscore_core::scoring::{Category, Contribution};
use leadscore_core::{Grade, Tier};
use leadscore_notify::once::Once;
use leadscore_notify::render::{email, slack_message};
use leadscore_notify::slack::SlackWebhook;
use leadscore_pipeline::{AlertSink, DeliveryError};
use leadscore_store::MemoryStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn alert(id: &str) -> Alert {
    let lead = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    Alert {
        id: id.into(),
        kind: AlertKind::BecameHot,
        lead,
        lead_name: "Dana <Reyes> & Co".into(),
        title: Some("Director of Marketing".into()),
        owner: Some("sam@leadscore.example".into()),
        account: Some(Domain::parse("northwind-analytics.com").unwrap()),
        account_name: Some("Northwind Analytics".into()),
        score: 80.0,
        previous_score: Some(62.5),
        tier: Tier::Hot,
        grade: Grade {
            fit: 'A',
            engagement: 1,
        },
        reasons: vec![Contribution {
            rule: "webinar".into(),
            label: "Attended a webinar".into(),
            category: Category::Engagement,
            points: 25.0,
            raw_points: 25.0,
            decay: 1.0,
            occurrences: 1,
            capped: false,
            evidence: "webinar_attended Pipeline <2026>".into(),
            source_url: Some("https://leadscore.example/webinars/pipeline-2026".into()),
            observed_at: None,
        }],
        model_version: "seed-example@70da3d1f2f90".into(),
        score_version: 1,
        created_at: DateTime::parse_from_rfc3339("2026-10-10T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    }
}

mod render {
    use super::*;

    #[test]
    fn slack_block_kit_names_the_lead_score_and_reasons_with_links() {
        let m = slack_message(&alert("k1"));
        let blocks = m["blocks"].as_array().unwrap();
        let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["header", "section", "section", "context"]);
        assert!(
            blocks[0]["text"]["text"]
                .as_str()
                .unwrap()
                .contains("Hot lead: Dana <Reyes> & Co at Northwind Analytics")
        );
        let fields = serde_json::to_string(&blocks[1]["fields"]).unwrap();
        // The account by its name, linked by its domain.
        assert!(
            fields.contains(
                "*Account*\\nNorthwind Analytics\\n<https://northwind-analytics.com|northwind-analytics.com>"
            ),
            "{fields}"
        );
        assert!(fields.contains("Dana &lt;Reyes&gt; &amp; Co"), "{fields}");
        assert!(
            fields.contains("80.0 (was 62.5)") && fields.contains("hot · A1"),
            "{fields}"
        );
        let why = blocks[2]["text"]["text"].as_str().unwrap();
        assert!(why.contains("*+25.0* Attended a webinar"), "{why}");
        assert!(why.contains("Pipeline &lt;2026&gt;"), "{why}");
        assert!(
            why.contains("(<https://leadscore.example/webinars/pipeline-2026|source>)"),
            "{why}"
        );
        assert!(
            m["text"]
                .as_str()
                .unwrap()
                .contains("80.0 (was 62.5) hot A1")
        );
    }

    #[test]
    fn hostile_names_stay_text_and_long_fields_stay_within_block_kit_limits() {
        let mut a = alert("k2");
        a.lead_name = "<!channel> <https://evil.example|Reset your password>".into();
        let m = slack_message(&a);
        // The fallback text is mrkdwn to Slack too: no mention, no link.
        let text = m["text"].as_str().unwrap();
        assert!(
            !text.contains("<!channel>") && !text.contains("<https://evil"),
            "{text}"
        );
        assert!(text.contains("&lt;!channel&gt;"), "{text}");
        // Every mrkdwn text of the blocks is verbatim: Slack makes no link
        // of a bare URL or mention written into a form
        // (`https://evil.example/login`, `@here`, `#general`).
        fn mrkdwn_objects<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v serde_json::Value>) {
            match v {
                serde_json::Value::Object(m) => {
                    if m.get("type").and_then(|t| t.as_str()) == Some("mrkdwn") {
                        out.push(v);
                    }
                    m.values().for_each(|x| mrkdwn_objects(x, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| mrkdwn_objects(x, out)),
                _ => {}
            }
        }
        let mut objects = Vec::new();
        mrkdwn_objects(&m["blocks"], &mut objects);
        assert!(objects.len() >= 5, "{objects:?}");
        for o in objects {
            assert_eq!(o["verbatim"], true, "{o}");
        }

        // Names and titles of a form or CSV at their longest, every
        // character escaped: each field under 2,000 characters.
        a.lead_name = "&".repeat(400);
        a.title = Some("<".repeat(3000));
        a.owner = Some(">".repeat(500));
        let m = slack_message(&a);
        for f in m["blocks"][1]["fields"].as_array().unwrap() {
            let n = f["text"].as_str().unwrap().chars().count();
            assert!(n <= 2000, "{n}: {:.80}", f["text"]);
        }
        // A `|` in the address does not end the link's target.
        a.lead = Email::parse("a|b@northwind-analytics.com").unwrap();
        let m = slack_message(&a);
        let lead = m["blocks"][1]["fields"][0]["text"].as_str().unwrap();
        assert!(
            lead.contains("<mailto:a%7Cb@northwind-analytics.com|"),
            "{lead}"
        );
    }

    #[test]
    fn email_has_subject_text_and_escaped_html() {
        let e = email(&alert("k1"));
        assert_eq!(
            e.subject,
            "Hot lead: Dana <Reyes> & Co at Northwind Analytics — 80.0 hot A1"
        );
        assert!(
            e.text
                .contains("Account: Northwind Analytics (northwind-analytics.com)"),
            "{}",
            e.text
        );
        // Without a name, the domain; a name's line breaks do not reach the
        // subject.
        let mut a = alert("k1");
        a.account_name = None;
        assert_eq!(
            email(&a).subject,
            "Hot lead: Dana <Reyes> & Co at northwind-analytics.com — 80.0 hot A1"
        );
        a.account_name = Some("Northwind\r\nBcc: x@evil.example".into());
        assert_eq!(
            email(&a).subject,
            "Hot lead: Dana <Reyes> & Co at Northwind Bcc: x@evil.example — 80.0 hot A1"
        );
        // No encoded word for a mail client to decode, no reversed text.
        a.account_name = Some("=?utf-8?q?Paid?= North\u{202E}dniw".into());
        assert_eq!(
            email(&a).subject,
            "Hot lead: Dana <Reyes> & Co at = ?utf-8?q?Paid?= Northdniw — 80.0 hot A1"
        );
        assert!(
            e.text
                .contains("+25.0  Attended a webinar — webinar_attended Pipeline <2026>")
        );
        assert!(e.html.contains("Dana &lt;Reyes&gt; &amp; Co"));
        // A direction override in a name or a title reaches no message.
        let mut a = alert("k1");
        a.lead_name = "\u{202E}evil Name".into();
        a.title = Some("VP \u{2067}Sales\u{2069}".into());
        let e = email(&a);
        assert!(e.text.contains("Lead:  evil Name <"), "{}", e.text);
        assert!(e.html.contains("evil Name"));
        let slack = slack_message(&a).to_string();
        assert!(
            slack.contains("evil Name") && slack.contains("VP Sales"),
            "{slack}"
        );
        for text in [&e.text, &e.html, &slack] {
            assert!(
                !text.contains(['\u{202E}', '\u{2067}', '\u{2069}']),
                "{text}"
            );
        }
        assert!(!e.html.contains("<2026>"));
        assert!(
            e.html.contains(
                r#"<a href="https://leadscore.example/webinars/pipeline-2026">source</a>"#
            )
        );
    }
}

/// A loopback webhook answering a scripted list of (status, retry-after).
struct Webhook {
    url: url::Url,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

async fn webhook(script: Vec<(u16, Option<&'static str>)>) -> Webhook {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!(
        "http://{}/services/T000/B000/XXXX",
        listener.local_addr().unwrap()
    ))
    .unwrap();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let b = bodies.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let k = sock.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..k]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    if buf.len() >= end + 4 + len {
                        b.lock()
                            .unwrap()
                            .push(serde_json::from_slice(&buf[end + 4..end + 4 + len]).unwrap());
                        break;
                    }
                }
            }
            let (status, retry) = script.get(n).copied().unwrap_or((200, None));
            n += 1;
            if status == 1 {
                // The request read, the connection closed with no answer
                // (a reset after Slack took it).
                drop(sock);
                continue;
            }
            if status == 0 {
                // No answer in time (the client's timeout is shorter); the
                // next connection is taken at once.
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    drop(sock);
                });
                continue;
            }
            let extra = retry
                .map(|r| format!("retry-after: {r}\r\n"))
                .unwrap_or_default();
            let body = if status == 200 { "ok" } else { "no" };
            let resp = format!(
                "HTTP/1.1 {status} X\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    Webhook { url, bodies }
}

mod slack_webhook {
    use super::*;

    fn sink(w: &Webhook) -> SlackWebhook {
        SlackWebhook::new(
            leadscore_fetch::https_client_builder()
                .unwrap()
                .build()
                .unwrap(),
            w.url.clone(),
        )
        .with_limits(4, Duration::from_secs(2))
    }

    #[tokio::test]
    async fn rate_limits_are_honoured_then_the_message_is_posted_once() {
        let w = webhook(vec![(429, Some("1")), (200, None)]).await;
        // How long it waits is `rate_limit_wait`'s unit test; a time is
        // never asserted here.
        tokio::time::timeout(Duration::from_secs(10), sink(&w).deliver(&alert("k1")))
            .await
            .unwrap()
            .unwrap();
        let bodies = w.bodies.lock().unwrap();
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[0], bodies[1]);
        assert_eq!(bodies[1]["blocks"][0]["type"], "header");
    }

    #[tokio::test]
    async fn server_errors_retry_and_client_errors_do_not() {
        let w = webhook(vec![(500, None), (503, None), (200, None)]).await;
        sink(&w).deliver(&alert("k1")).await.unwrap();
        assert_eq!(w.bodies.lock().unwrap().len(), 3);

        let w = webhook(vec![(404, None)]).await;
        let e = sink(&w).deliver(&alert("k1")).await.unwrap_err();
        assert!(!e.retryable && e.reason.contains("404"), "{e}");
        assert_eq!(w.bodies.lock().unwrap().len(), 1);

        let w = webhook(vec![(503, None); 10]).await;
        let e = tokio::time::timeout(Duration::from_secs(10), sink(&w).deliver(&alert("k1")))
            .await
            .unwrap()
            .unwrap_err();
        assert!(e.retryable);
        assert_eq!(w.bodies.lock().unwrap().len(), 4, "bounded attempts");
    }

    /// A request Slack took but did not answer in time may have been
    /// posted: it is not resent in the same delivery (a slow webhook got
    /// five copies of one alert per delivery).
    #[tokio::test]
    async fn a_request_not_answered_in_time_is_not_resent_at_once() {
        let w = webhook(vec![(0, None), (200, None)]).await;
        let e = tokio::time::timeout(
            Duration::from_secs(10),
            sink(&w)
                .with_timeout(Duration::from_millis(300))
                .deliver(&alert("k1")),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert!(
            e.retryable && e.reason.contains("may have been posted"),
            "{e}"
        );
        assert_eq!(w.bodies.lock().unwrap().len(), 1, "sent once");
    }

    /// A connection closed after the request was written: Slack may have
    /// posted it, so it is not resent in the same delivery either.
    #[tokio::test]
    async fn a_connection_closed_after_the_request_is_not_resent_at_once() {
        let w = webhook(vec![(1, None), (200, None)]).await;
        let e = tokio::time::timeout(Duration::from_secs(10), sink(&w).deliver(&alert("k1")))
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            e.retryable && e.outcome_unknown && e.reason.contains("may have been posted"),
            "{e}"
        );
        assert_eq!(w.bodies.lock().unwrap().len(), 1, "sent once");
    }
}

mod once_only {
    use super::*;

    struct Counting {
        calls: AtomicUsize,
        fail_first: usize,
    }

    #[async_trait]
    impl AlertSink for Counting {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            if n < self.fail_first {
                Err(DeliveryError {
                    sink: "test".into(),
                    reason: "down".into(),
                    retryable: true,
                    outcome_unknown: false,
                })
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test]
    async fn a_redelivered_alert_is_sent_once_and_a_failure_can_be_retried() {
        let store = Arc::new(MemoryStore::new());
        let once = Once::new(
            store,
            "slack",
            Counting {
                calls: AtomicUsize::new(0),
                fail_first: 1,
            },
        );
        assert!(once.deliver(&alert("k1")).await.is_err());
        once.deliver(&alert("k1")).await.unwrap();
        once.deliver(&alert("k1")).await.unwrap();
        once.deliver(&alert("k2")).await.unwrap();
        assert_eq!(
            once.inner_calls(),
            3,
            "k1 failed once, sent once, dropped once; k2 sent"
        );
    }

    /// A receiver that takes every message and never answers in time: the
    /// first send's outcome is unknown and it is tried again; the second
    /// one's too, and it is taken as delivered (a slow webhook that posts
    /// got a copy at every retry, every minute while serving).
    #[tokio::test]
    async fn a_second_send_with_no_answer_is_taken_as_delivered() {
        struct NoAnswer(AtomicUsize);
        #[async_trait]
        impl AlertSink for NoAnswer {
            async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
                self.0.fetch_add(1, Ordering::SeqCst);
                Err(DeliveryError {
                    sink: "slack".into(),
                    reason: "no answer within 10.0 s".into(),
                    retryable: true,
                    outcome_unknown: true,
                })
            }
        }
        let store = Arc::new(MemoryStore::new());
        let once = Once::new(store, "slack", NoAnswer(AtomicUsize::new(0)));
        let e = once.deliver(&alert("k1")).await.unwrap_err();
        assert!(e.outcome_unknown && e.retryable, "{e}");
        once.deliver(&alert("k1")).await.unwrap();
        once.deliver(&alert("k1")).await.unwrap();
        assert_eq!(
            once.inner().0.load(Ordering::SeqCst),
            2,
            "two sends at most"
        );
        // Another alert has its own two.
        assert!(once.deliver(&alert("k2")).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_workers_send_once() {
        let store = Arc::new(MemoryStore::new());
        let once = Arc::new(Once::new(
            store,
            "email",
            Counting {
                calls: AtomicUsize::new(0),
                fail_first: 0,
            },
        ));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let once = once.clone();
                tokio::spawn(async move { once.deliver(&alert("k9")).await })
            })
            .collect();
        for t in tasks {
            // The workers that found the claim busy waited for the holder's
            // outcome instead of failing (and raising an alarm).
            t.await.unwrap().unwrap();
        }
        assert_eq!(once.inner_calls(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_waiting_on_a_holder_that_gives_up_sends_itself() {
        struct SlowFailFirst(AtomicUsize);
        #[async_trait]
        impl AlertSink for SlowFailFirst {
            async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
                let n = self.0.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                if n == 0 {
                    Err(DeliveryError {
                        sink: "test".into(),
                        reason: "webhook down".into(),
                        retryable: true,
                        outcome_unknown: false,
                    })
                } else {
                    Ok(())
                }
            }
        }
        let store = Arc::new(MemoryStore::new());
        let once = Arc::new(Once::new(
            store,
            "slack",
            SlowFailFirst(AtomicUsize::new(0)),
        ));
        let holder = {
            let once = once.clone();
            tokio::spawn(async move { once.deliver(&alert("k5")).await })
        };
        // Until the holder has its claim.
        while once.inner().0.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let waiter = once.deliver(&alert("k5")).await;
        assert!(holder.await.unwrap().is_err(), "the holder's send failed");
        waiter.unwrap();
        assert_eq!(once.inner().0.load(Ordering::SeqCst), 2);
        // Done now: a third worker sends nothing.
        once.deliver(&alert("k5")).await.unwrap();
        assert_eq!(once.inner().0.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_worker_stops_waiting_on_a_holder_still_sending_at_its_limit() {
        use leadscore_store::Store as _;
        let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
        let now = Utc::now();
        // Another process holds the claim for an hour (and is still sending).
        let key = "notify:slack:k6";
        assert_eq!(
            store
                .claim(key, now, now + chrono::Duration::hours(1))
                .await
                .unwrap(),
            leadscore_store::Claim::Acquired
        );
        let once = Once::new(
            store,
            "slack",
            Counting {
                calls: AtomicUsize::new(0),
                fail_first: 0,
            },
        )
        .with_lease(Duration::from_millis(800));
        let e = tokio::time::timeout(Duration::from_secs(30), once.deliver(&alert("k6")))
            .await
            .expect("gives up within its own send time")
            .unwrap_err();
        assert!(e.retryable && e.reason.contains("still delivering"), "{e}");
        assert_eq!(once.inner_calls(), 0);
    }

    #[tokio::test]
    async fn a_send_outlasting_the_lease_is_cut_short_and_its_claim_released() {
        struct Stuck(AtomicUsize);
        #[async_trait]
        impl AlertSink for Stuck {
            async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
                if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
                    // The first send hangs (a webhook that never answers).
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(())
            }
        }
        let store = Arc::new(MemoryStore::new());
        let once = Once::new(store, "slack", Stuck(AtomicUsize::new(0)))
            .with_lease(Duration::from_millis(1300));
        let e = tokio::time::timeout(Duration::from_secs(30), once.deliver(&alert("k3")))
            .await
            .expect("cut short by the lease, not left hanging")
            .unwrap_err();
        assert!(e.retryable && e.reason.contains("cut short"), "{e}");
        // The receiver may have taken it: the outcome is unknown.
        assert!(e.outcome_unknown, "{e}");
        // Released at once: the retry sends without waiting for the lease.
        once.deliver(&alert("k3")).await.unwrap();
        once.deliver(&alert("k3")).await.unwrap();
        assert_eq!(once.inner().0.load(Ordering::SeqCst), 2);
    }

    /// A receiver that takes every message and never answers, cut by the
    /// lease each time (a webhook hanging longer than the sink's own
    /// timeouts allow for): sent twice at most, not once per retry.
    #[tokio::test]
    async fn sends_cut_by_the_lease_are_sent_twice_at_most() {
        struct Hanging(AtomicUsize);
        #[async_trait]
        impl AlertSink for Hanging {
            async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
                self.0.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(())
            }
        }
        let store = Arc::new(MemoryStore::new());
        let once = Once::new(store, "slack", Hanging(AtomicUsize::new(0)))
            .with_lease(Duration::from_millis(1300));
        for _ in 0..3 {
            let _ = tokio::time::timeout(Duration::from_secs(30), once.deliver(&alert("k7")))
                .await
                .expect("cut short by the lease");
        }
        assert_eq!(
            once.inner().0.load(Ordering::SeqCst),
            2,
            "two sends at most"
        );
    }

    trait InnerCalls {
        fn inner_calls(&self) -> usize;
    }

    impl InnerCalls for Once<Counting> {
        fn inner_calls(&self) -> usize {
            self.inner().calls.load(Ordering::SeqCst)
        }
    }
}

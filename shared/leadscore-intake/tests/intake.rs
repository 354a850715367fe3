//! The intake over the in-memory store with recording queue and bus.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use http::{Request, StatusCode};
use leadscore_core::ScoringModel;
use leadscore_core::domain::Email;
use leadscore_core::events::Event;
use leadscore_intake::{Intake, IntakeConfig, http::handle};
use leadscore_pipeline::{BusError, EnrichQueue, EnrichRequest, EventBus, QueueError};
use leadscore_store::{MemoryStore, Store};

#[derive(Default)]
struct Queue(Mutex<Vec<EnrichRequest>>, bool);

#[async_trait]
impl EnrichQueue for Queue {
    async fn enqueue(&self, requests: &[EnrichRequest]) -> Vec<Result<(), QueueError>> {
        if self.1 {
            return requests
                .iter()
                .map(|_| {
                    Err(QueueError {
                        reason: "queue down".into(),
                        retryable: true,
                    })
                })
                .collect();
        }
        self.0.lock().unwrap().extend_from_slice(requests);
        requests.iter().map(|_| Ok(())).collect()
    }
}

type Bus = leadscore_pipeline::MemoryBus;

struct Fixture {
    store: Arc<MemoryStore>,
    queue: Arc<Queue>,
    bus: Arc<Bus>,
    intake: Intake,
}

fn fixture(queue_down: bool) -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let queue = Arc::new(Queue(Mutex::default(), queue_down));
    let bus = Arc::new(Bus::default());
    let intake = Intake {
        store: store.clone(),
        model: Arc::new(ScoringModel::default_model().unwrap()),
        queue: Some(queue.clone()),
        bus: Some(bus.clone()),
        config: IntakeConfig {
            allowed_origins: vec!["https://www.example.com".into()],
            ..IntakeConfig::default()
        },
    };
    Fixture {
        store,
        queue,
        bus,
        intake,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap()
}

fn post(ct: &str, origin: Option<&str>) -> Request<()> {
    let mut b = Request::post("/submit").header("content-type", ct);
    if let Some(o) = origin {
        b = b.header("origin", o);
    }
    b.body(()).unwrap()
}

/// A JSON submit without an Origin header, at `now()`.
async fn submit(intake: &Intake, body: impl AsRef<[u8]>) -> http::Response<String> {
    handle(
        intake,
        &post("application/json", None),
        body.as_ref(),
        None,
        now(),
    )
    .await
}

const BODY: &str = r#"{"email":"Ada@Acme.com","name":"Ada Lovelace","title":"VP of Sales","company":"Acme","consent":true,"page_url":"https://www.example.com/demo","form":"demo-request"}"#;

#[tokio::test]
async fn a_submit_stores_the_lead_queues_enrichment_scores_and_publishes() {
    let f = fixture(false);
    let resp = handle(
        &f.intake,
        &post("application/json", Some("https://www.example.com")),
        BODY.as_bytes(),
        None,
        now(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://www.example.com"
    );
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["status"], "accepted");
    assert_eq!(v["duplicate"], false);
    assert_eq!(f.queue.0.lock().unwrap().len(), 1, "enrichment queued");
    // The public answer tells neither the score nor whether enrichment was
    // queued (whether the company is known).
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["duplicate", "lead_id", "status"], "{v}");

    let email = Email::parse("ada@acme.com").unwrap();
    let lead = f.store.get_lead(&email).await.unwrap().unwrap();
    assert_eq!(lead.first_name.as_deref(), Some("Ada"));
    assert_eq!(lead.account.as_ref().unwrap().as_str(), "acme.com");
    assert_eq!(lead.attributes["company"], "Acme");
    let acts = f.store.activities_of(&email).await.unwrap();
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].detail.as_deref(), Some("demo-request"));
    assert!(f.store.current_score(&email).await.unwrap().is_some());
    let queued = f.queue.0.lock().unwrap().clone();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].domain.as_str(), "acme.com");
    let events = f.bus.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].detail_type, "Lead Submitted");
    assert_eq!(events[0].detail["lead"]["email"], "ada@acme.com");
}

#[tokio::test]
async fn a_double_submit_creates_one_lead_and_one_activity() {
    let f = fixture(false);
    for _ in 0..2 {
        let resp = submit(&f.intake, BODY.as_bytes()).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
    }
    let email = Email::parse("ada@acme.com").unwrap();
    assert_eq!(f.store.activities_of(&email).await.unwrap().len(), 1);
    assert_eq!(f.bus.events().len(), 1);
    assert_eq!(f.queue.0.lock().unwrap().len(), 1);
    // A client key makes a new submission with the same body a new one.
    let mut req = post("application/json", None);
    req.headers_mut()
        .insert("idempotency-key", "second-visit".parse().unwrap());
    let resp = handle(&f.intake, &req, BODY.as_bytes(), None, now()).await;
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["duplicate"], false);
    let resp = handle(&f.intake, &req, BODY.as_bytes(), None, now()).await;
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["duplicate"], true);
    assert_eq!(f.store.list_leads().await.unwrap().len(), 1);
    assert_eq!(f.store.activities_of(&email).await.unwrap().len(), 2);
    // The same key from another form of the page is another submission.
    let pricing = BODY.replace("demo-request", "pricing");
    let resp = handle(&f.intake, &req, pricing.as_bytes(), None, now()).await;
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["duplicate"], false);
    assert_eq!(f.store.activities_of(&email).await.unwrap().len(), 3);
    // A key that cannot be used is refused, not ignored (ignored, the
    // submit would be taken for the same-day one with the same fields).
    let mut long = post("application/json", None);
    long.headers_mut()
        .insert("idempotency-key", "k".repeat(201).parse().unwrap());
    let resp = handle(&f.intake, &long, BODY.as_bytes(), None, now()).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.body().contains("Idempotency-Key"), "{}", resp.body());
    assert_eq!(f.store.activities_of(&email).await.unwrap().len(), 3);
}

/// A model under which one demo request from a VP is hot.
const HOT_ON_SUBMIT: &str = r#"
name = "hot-on-submit"
[scale]
fit_max = 10
engagement_max = 10
[weights]
fit = 0.5
engagement = 0.5
[tiers]
hot = 70
warm = 40
hysteresis = 5
[grades]
fit = [70, 45, 25]
engagement = [75, 50, 25]
[[rule]]
id = "vp"
lead = "seniority"
equals = "vp"
points = 10
[[rule]]
id = "form"
activity = "form_submitted"
points = 10
"#;

#[tokio::test]
async fn a_submit_that_makes_the_lead_hot_publishes_its_alert_at_once() {
    let model = Arc::new(ScoringModel::from_toml(HOT_ON_SUBMIT, "hot.toml").unwrap());
    // Submits once on a fresh fixture whose bus refuses its first `refused`
    // publishes; the detail types published.
    let run = |refused: usize| {
        let mut f = fixture(false);
        f.intake.model = model.clone();
        f.bus.refuse_next(refused, true);
        async move {
            let resp = submit(&f.intake, BODY.as_bytes()).await;
            assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
            let kinds: Vec<String> = f
                .bus
                .events()
                .iter()
                .map(|e| e.detail_type.clone())
                .collect();
            (f, kinds)
        }
    };
    let (f, kinds) = run(0).await;
    // The alert first, then the submit: a receiver of `Lead Submitted`
    // rescoring the unchanged lead has no alert of its own to publish.
    assert_eq!(kinds, ["Lead Became Hot", "Lead Submitted"]);
    assert!(
        f.store.pending_alerts(10).await.unwrap().is_empty(),
        "marked published"
    );

    // The bus down for the alert only: the submit still succeeds, and the
    // alert waits in the outbox for the next drain.
    let (f, kinds) = run(1).await;
    assert_eq!(kinds, ["Lead Submitted"]);
    let pending = f.store.pending_alerts(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].lead.as_str(), "ada@acme.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submit_waits_for_another_writing_the_same_lead() {
    // Another submit for ada@acme.com holds the lead's write lock (it read
    // the lead and is about to write it back): this one waits instead of
    // reading the same lead and erasing that submit's fields.
    let f = Arc::new(fixture(false));
    let lease = now() + chrono::Duration::seconds(10);
    assert_eq!(
        f.store
            .claim("lead:ada@acme.com", now(), lease)
            .await
            .unwrap(),
        leadscore_store::Claim::Acquired
    );
    let task = {
        let f = f.clone();
        tokio::spawn(async move { submit(&f.intake, BODY.as_bytes()).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let email = Email::parse("ada@acme.com").unwrap();
    assert!(f.store.get_lead(&email).await.unwrap().is_none(), "waited");
    assert!(!task.is_finished());
    f.store.release("lead:ada@acme.com", lease).await.unwrap();
    let resp = tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    assert!(f.store.get_lead(&email).await.unwrap().is_some());
    // The lock is given back: the next submit does not wait.
    let other = BODY.replace("demo-request", "pricing");
    let resp = submit(&f.intake, other.as_bytes()).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
}

#[tokio::test]
async fn a_failed_publish_is_retryable_and_the_retry_adds_nothing_twice() {
    let f = fixture(false);
    f.bus.refuse_next(1, true);
    let resp = submit(&f.intake, BODY.as_bytes()).await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let resp = submit(&f.intake, BODY.as_bytes()).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["duplicate"], false);
    let email = Email::parse("ada@acme.com").unwrap();
    assert_eq!(f.store.activities_of(&email).await.unwrap().len(), 1);
    assert_eq!(f.bus.events().len(), 1);
}

#[tokio::test]
async fn a_queue_outage_still_stores_the_lead() {
    let f = fixture(true);
    let resp = submit(&f.intake, BODY.as_bytes()).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert!(f.queue.0.lock().unwrap().is_empty(), "the queue refused it");
    // The lead is stored, and the schedule finds the never-enriched account.
    let lead = f
        .store
        .get_lead(&Email::parse("ada@acme.com").unwrap())
        .await
        .unwrap()
        .expect("the lead is stored");
    let due = f.store.accounts_due(now(), 10).await.unwrap();
    assert_eq!(due, [lead.account.unwrap()]);
}

#[tokio::test]
async fn bad_requests_get_typed_answers_and_store_nothing() {
    let f = fixture(false);
    let cases: Vec<(Request<()>, Vec<u8>, StatusCode)> = vec![
        (
            post("application/json", None),
            br#"{"email":"nope","consent":true}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            post("application/json", None),
            b"{".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            post("text/plain", None),
            b"x".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            post("application/json", None),
            vec![b' '; 65 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            post("application/json", Some("https://evil.example")),
            BODY.as_bytes().to_vec(),
            StatusCode::FORBIDDEN,
        ),
        (
            Request::get("/submit").body(()).unwrap(),
            Vec::new(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            post("application/x-www-form-urlencoded", None),
            b"email=bot%40acme.com&consent=on&_gotcha=http%3A%2F%2Fspam".to_vec(),
            StatusCode::ACCEPTED,
        ),
    ];
    for (req, body, want) in cases {
        let resp = handle(&f.intake, &req, &body, None, now()).await;
        assert_eq!(resp.status(), want, "{}", resp.body());
    }
    assert!(f.store.list_leads().await.unwrap().is_empty());
    let bad = submit(&f.intake, br#"{"email":"nope"}"#).await;
    let v: serde_json::Value = serde_json::from_str(bad.body()).unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "consent"]);
}

/// Allowed origins are compared as browsers send them: default port,
/// Unicode host, trailing slash or path.
#[test]
fn allowed_origins_match_the_origin_a_browser_sends() {
    use leadscore_intake::http::origin_allowed;
    let allowed = |list: &[&str], origin: &str| {
        origin_allowed(
            &list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            origin,
        )
    };
    assert!(allowed(&["https://bücher.de"], "https://xn--bcher-kva.de"));
    assert!(allowed(
        &["https://www.acme.com:443"],
        "https://www.acme.com"
    ));
    assert!(allowed(&["https://www.acme.com/"], "https://www.acme.com"));
    assert!(allowed(
        &["https://www.acme.com/contact"],
        "https://www.acme.com"
    ));
    assert!(allowed(&["HTTPS://WWW.ACME.COM"], "https://www.acme.com"));
    assert!(allowed(&["http://localhost:8080"], "http://localhost:8080"));
    assert!(!allowed(&["https://www.acme.com"], "http://www.acme.com"));
    assert!(!allowed(
        &["https://www.acme.com"],
        "https://www.acme.com:8443"
    ));
    assert!(!allowed(&["https://www.acme.com"], "https://acme.com"));
    assert!(!allowed(&["https://www.acme.com"], "null"));
    assert!(!allowed(&["not a url"], "null"));
}

#[tokio::test]
async fn preflight_answers_cors() {
    let f = fixture(false);
    let req = Request::options("/submit")
        .header("origin", "https://www.example.com")
        .body(())
        .unwrap();
    let resp = handle(&f.intake, &req, b"", None, now()).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        resp.headers()["access-control-allow-methods"],
        "POST, OPTIONS"
    );
}

#[tokio::test]
async fn the_message_is_kept_and_a_form_without_consent_does_not_erase_it() {
    let mut f = fixture(false);
    f.intake.config.rules.require_consent = false;
    let first = r#"{"email":"ada@acme.com","consent":true,"form":"demo-request","message":"Call me about pricing"}"#;
    let resp = handle(
        &f.intake,
        &post("application/json", Some("https://www.example.com")),
        first.as_bytes(),
        None,
        now(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    // A newsletter form later, without the consent box.
    let second = r#"{"email":"ada@acme.com","form":"newsletter"}"#;
    let resp = handle(
        &f.intake,
        &post("application/json", Some("https://www.example.com")),
        second.as_bytes(),
        None,
        now() + chrono::Duration::hours(1),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    let lead = f
        .store
        .get_lead(&Email::parse("ada@acme.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lead.attributes["consent"], "true");
    assert_eq!(lead.attributes["message"], "Call me about pricing");
    // A first form without consent records that none was given.
    let resp = handle(
        &f.intake,
        &post("application/json", Some("https://www.example.com")),
        br#"{"email":"bo@acme.com","form":"newsletter"}"#,
        None,
        now(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    let bo = f
        .store
        .get_lead(&Email::parse("bo@acme.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bo.attributes["consent"], "false");
}

/// Everything is stored and published, then marking the submission done
/// fails: the submit is still taken (202); failing it would have the client
/// send again work that is done.
#[tokio::test]
async fn a_submit_whose_completion_mark_fails_is_still_accepted() {
    use leadscore_store::faulty::FaultyStore;

    let store = Arc::new(FaultyStore::new(MemoryStore::new()));
    store.fail("complete", None);
    let bus = Arc::new(Bus::default());
    let intake = Intake {
        store: store.clone(),
        model: Arc::new(ScoringModel::default_model().unwrap()),
        queue: Some(Arc::new(Queue::default())),
        bus: Some(bus.clone()),
        config: IntakeConfig::default(),
    };
    let resp = submit(&intake, BODY.as_bytes()).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    let failed = store.failed_calls();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].starts_with("complete:"), "{failed:?}");
    let email = Email::parse("ada@acme.com").unwrap();
    assert!(store.get_lead(&email).await.unwrap().is_some());
    assert_eq!(store.activities_of(&email).await.unwrap().len(), 1);
    assert!(!bus.events().is_empty(), "published");
}

/// A burst of submits from one company's people queues one crawl of it;
/// the hold ends with its lease.
#[tokio::test]
async fn submits_from_one_new_company_queue_one_crawl() {
    let f = fixture(false);
    for who in ["ada", "bo", "cy"] {
        let body = format!(r#"{{"email":"{who}@acme.com","consent":true}}"#);
        let resp = submit(&f.intake, body.as_bytes()).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    }
    assert_eq!(f.queue.0.lock().unwrap().len(), 1);
    // After the hold, a submit for the still unenriched account queues again.
    let later = now() + leadscore_intake::ENRICH_QUEUE_HOLD + chrono::Duration::seconds(1);
    let resp = handle(
        &f.intake,
        &post("application/json", None),
        br#"{"email":"di@acme.com","consent":true}"#,
        None,
        later,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(f.queue.0.lock().unwrap().len(), 2);
}

/// A free-mail lead whose typed website is a shared site or a provider gets
/// no account and queues no crawl (gmail.com and linkedin.com became
/// accounts gathering unrelated people); a company site is its account.
#[tokio::test]
async fn a_free_mail_lead_s_shared_site_is_no_account() {
    let f = fixture(false);
    for (who, website) in [
        ("joe", "https://www.linkedin.com/in/joe"),
        ("ann", "gmail.com"),
    ] {
        let body = format!(r#"{{"email":"{who}@gmail.com","website":"{website}","consent":true}}"#);
        let resp = submit(&f.intake, body.as_bytes()).await;
        assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
        let email = Email::parse(&format!("{who}@gmail.com")).unwrap();
        let lead = f.store.get_lead(&email).await.unwrap().unwrap();
        assert_eq!(lead.account, None, "{website}");
    }
    assert!(f.queue.0.lock().unwrap().is_empty());
    let resp = submit(
        &f.intake,
        br#"{"email":"cy@gmail.com","website":"joesbakery.example","consent":true}"#,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let lead = f
        .store
        .get_lead(&Email::parse("cy@gmail.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lead.account.unwrap().as_str(), "joesbakery.example");
}

/// A free-mail lead whose typed website is a subdomain (`eu.acme.com`)
/// joins the account stored under it, as a work address there would, and
/// queues no crawl of a new acme.com account; without such an account, the
/// registrable domain is the account.
#[tokio::test]
async fn a_free_mail_lead_s_website_joins_a_stored_narrower_account() {
    use leadscore_core::domain::{Account, Domain};
    let f = fixture(false);
    let legacy = Account {
        enriched_at: Some(now()),
        ..Account::new(Domain::parse("eu.acme.com").unwrap(), now())
    };
    f.store.upsert_leads(&[], &[legacy]).await.unwrap();
    let account_of = |who: &'static str, website: &'static str| {
        let f = &f;
        async move {
            let body = format!(r#"{{"email":"{who}","website":"{website}","consent":true}}"#);
            let resp = submit(&f.intake, body.as_bytes()).await;
            assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
            let lead = f.store.get_lead(&Email::parse(who).unwrap()).await.unwrap();
            lead.unwrap().account.map(|d| d.to_string())
        }
    };
    assert_eq!(
        account_of("eve@gmail.com", "https://www.eu.acme.com/")
            .await
            .as_deref(),
        Some("eu.acme.com")
    );
    assert!(f.queue.0.lock().unwrap().is_empty());
    assert_eq!(
        account_of("gus@gmail.com", "us.globex.com")
            .await
            .as_deref(),
        Some("globex.com")
    );
    // A host below the stored one joins it too.
    assert_eq!(
        account_of("hal@gmail.com", "careers.shop.eu.acme.com")
            .await
            .as_deref(),
        Some("eu.acme.com")
    );
    // A stored lead without an account that gets one from a form now.
    let bare =
        leadscore_core::domain::Lead::new(Email::parse("ida@gmail.com").unwrap(), None, now());
    f.store.upsert_leads(&[bare], &[]).await.unwrap();
    assert_eq!(
        account_of("ida@gmail.com", "eu.acme.com").await.as_deref(),
        Some("eu.acme.com")
    );
    // Only globex.com, new, was queued for a crawl.
    assert_eq!(f.queue.0.lock().unwrap().len(), 1);
}

/// A bot that fills the honeypot gets the answer a new submission gets, and
/// nothing is stored.
#[tokio::test]
async fn the_honeypot_answer_looks_like_an_accepted_submit() {
    let f = fixture(false);
    let real = submit(&f.intake, br#"{"email":"ada@acme.com","consent":true}"#).await;
    let bot = submit(
        &f.intake,
        br#"{"email":"bot@spam.example","consent":true,"_gotcha":"x"}"#,
    )
    .await;
    assert_eq!(bot.status(), real.status());
    // The same fields with the same values, but for the lead's own id.
    let answer = |r: &http::Response<String>| {
        let mut v: serde_json::Value = serde_json::from_str(r.body()).unwrap();
        v.as_object_mut().unwrap().remove("lead_id").unwrap();
        v
    };
    assert_eq!(answer(&bot), answer(&real));
    let bot_email = Email::parse("bot@spam.example").unwrap();
    assert!(f.store.get_lead(&bot_email).await.unwrap().is_none());
    // Posted again, each is answered as a repeat.
    let real = submit(&f.intake, br#"{"email":"ada@acme.com","consent":true}"#).await;
    let bot = submit(
        &f.intake,
        br#"{"email":"bot@spam.example","consent":true,"_gotcha":"x"}"#,
    )
    .await;
    assert_eq!(answer(&bot), answer(&real));
    assert_eq!(answer(&bot)["duplicate"], true);
}

/// A bus that refuses for good (a missing permission) is answered 500, not
/// "retry": a retry would be refused again.
#[tokio::test]
async fn a_bus_refusal_for_good_is_not_answered_retry() {
    struct Refusing;
    #[async_trait]
    impl EventBus for Refusing {
        async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
            events
                .iter()
                .map(|_| {
                    Err(BusError {
                        reason: "AccessDenied".into(),
                        retryable: false,
                    })
                })
                .collect()
        }
    }
    let mut f = fixture(false);
    f.intake.bus = Some(Arc::new(Refusing));
    let resp = submit(&f.intake, BODY.as_bytes()).await;
    assert_eq!(
        resp.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        resp.body()
    );
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["retryable"], false);
    // The lead is stored: the answer says so, and not "try again".
    assert_eq!(
        v["error"], "the submission was stored but could not be passed on",
        "{v}"
    );
}

/// A double click: the second submit of a submission in flight waits for
/// the first and is answered as a duplicate, not 409.
#[tokio::test]
async fn the_second_click_of_a_submission_in_flight_is_a_duplicate() {
    let f = Arc::new(fixture(false));
    let submission = leadscore_intake::form::parse(
        Some("application/json"),
        BODY.as_bytes(),
        &f.intake.config.rules,
    )
    .unwrap();
    let key = format!(
        "form:{}",
        leadscore_intake::submission_key(None, &submission, now())
    );
    let lease = now() + chrono::Duration::seconds(30);
    assert_eq!(
        f.store.claim(&key, now(), lease).await.unwrap(),
        leadscore_store::Claim::Acquired
    );
    let task = {
        let f = f.clone();
        tokio::spawn(async move { submit(&f.intake, BODY.as_bytes()).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!task.is_finished(), "it waits for the first");
    f.store.complete(&key, now()).await.unwrap();
    let resp = tokio::time::timeout(std::time::Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED, "{}", resp.body());
    let v: serde_json::Value = serde_json::from_str(resp.body()).unwrap();
    assert_eq!(v["duplicate"], true);
}

/// Posts one address may make in a clock hour: the next is answered 429
/// with `Retry-After` (the seconds to the hour's end), whatever its body;
/// another address, the next hour, or a post with no known address are
/// not limited; an IPv6 /64 counts as one address.
#[tokio::test]
async fn posts_over_the_hourly_limit_of_an_address_are_refused() {
    let mut f = fixture(false);
    f.intake.config.rate_limit_per_hour = 3;
    let post_from = |ip: &str, at: DateTime<Utc>, body: &'static str| {
        let intake = &f.intake;
        let ip: std::net::IpAddr = ip.parse().unwrap();
        async move {
            handle(
                intake,
                &post("application/json", None),
                body.as_bytes(),
                Some(ip),
                at,
            )
            .await
        }
    };
    let at = now() + chrono::Duration::minutes(20);
    for _ in 0..3 {
        let r = post_from("198.51.100.7", at, BODY).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.body());
    }
    // A bad body counts too, and is refused for the limit first.
    let r = post_from("198.51.100.7", at, "{").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{}", r.body());
    assert_eq!(r.headers()["retry-after"], "2400");
    // From a form's page, its script can read the wait.
    let r = handle(
        &f.intake,
        &post("application/json", Some("https://www.example.com")),
        BODY.as_bytes(),
        Some("198.51.100.7".parse().unwrap()),
        at,
    )
    .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{}", r.body());
    assert_eq!(r.headers()["access-control-expose-headers"], "retry-after");
    let v: serde_json::Value = serde_json::from_str(r.body()).unwrap();
    assert_eq!(v["retryable"], true);
    assert_eq!(
        post_from("203.0.113.9", at, BODY).await.status(),
        StatusCode::ACCEPTED
    );
    let next_hour = now() + chrono::Duration::hours(1);
    assert_eq!(
        post_from("198.51.100.7", next_hour, BODY).await.status(),
        StatusCode::ACCEPTED
    );
    // No address known (a local tunnel): not counted.
    for _ in 0..5 {
        let r = handle(
            &f.intake,
            &post("application/json", None),
            BODY.as_bytes(),
            None,
            at,
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    // One /64: the fourth post of its hosts is refused; another /64 is not.
    for host in ["2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2:ffff::1"] {
        assert_eq!(
            post_from(host, at, BODY).await.status(),
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(
        post_from("2001:db8:1:2::c", at, BODY).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post_from("2001:db8:1:3::a", at, BODY).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        leadscore_intake::http::client_group("::ffff:198.51.100.7".parse().unwrap()),
        "198.51.100.7"
    );
}

/// Behind a trusted proxy the client is the rightmost `X-Forwarded-For`
/// address that is not a trusted proxy; what a client writes into the
/// header itself (to the left) is never reached, not even to be decoded; a
/// peer that is not trusted is the client whatever the header says; when a
/// trusted proxy names no such address, the last address reached is the
/// client (nginx's `real_ip_recursive`), so the post is still counted.
#[test]
fn the_client_behind_trusted_proxies_is_the_rightmost_untrusted_address() {
    use leadscore_intake::http::{client_address, parse_trusted_proxy};
    let trusted: Vec<_> = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
        .iter()
        .map(|t| parse_trusted_proxy(t).unwrap())
        .collect();
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    let client_of = |peer: &str, lines: &[&[u8]]| {
        let mut headers = http::HeaderMap::new();
        for l in lines {
            headers.append("x-forwarded-for", http::HeaderValue::from_bytes(l).unwrap());
        }
        client_address(ip(peer), &headers, &trusted).to_string()
    };
    let client = |peer: &str, lines: &[&str]| {
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        client_of(peer, &lines)
    };
    // A peer that is not trusted: its header is the client's own words.
    assert_eq!(client("203.0.113.5", &["198.51.100.7"]), "203.0.113.5");
    assert_eq!(client("203.0.113.5", &[]), "203.0.113.5");
    // A trusted peer: the rightmost address it and the proxies before it
    // did not write themselves.
    assert_eq!(client("127.0.0.1", &["198.51.100.7"]), "198.51.100.7");
    assert_eq!(
        client("127.0.0.1", &["6.6.6.6, 198.51.100.7, 10.1.2.3"]),
        "198.51.100.7"
    );
    // Header lines read in order, the last one rightmost.
    assert_eq!(
        client("10.0.0.9", &["6.6.6.6", "198.51.100.7", "10.1.2.3"]),
        "198.51.100.7"
    );
    // Bytes a client wrote (not UTF-8, not an address) left of what the
    // proxy appended are never read: they cannot turn the count off.
    assert_eq!(
        client_of("127.0.0.1", &[b"\xff\xfe, 198.51.100.7"]),
        "198.51.100.7"
    );
    assert_eq!(
        client_of("127.0.0.1", &[b"\xff", b"198.51.100.7"]),
        "198.51.100.7"
    );
    assert_eq!(
        client("127.0.0.1", &["unknown, 198.51.100.7"]),
        "198.51.100.7"
    );
    // Ports, brackets, IPv6, empty entries, and an IPv4 peer of an IPv6
    // listener.
    assert_eq!(
        client("::ffff:127.0.0.1", &["198.51.100.7:4711"]),
        "198.51.100.7"
    );
    assert_eq!(client("fd00::1", &["[2001:db8::1]:4711"]), "2001:db8::1");
    assert_eq!(client("fd00::1", &["[2001:db8::2]"]), "2001:db8::2");
    assert_eq!(
        client("127.0.0.1", &["::ffff:198.51.100.7"]),
        "198.51.100.7"
    );
    assert_eq!(client("127.0.0.1", &["198.51.100.7, ,"]), "198.51.100.7");
    // No untrusted address named: the last one reached.
    assert_eq!(client("127.0.0.1", &[]), "127.0.0.1");
    assert_eq!(client("127.0.0.1", &["10.1.2.3, 127.0.0.1"]), "10.1.2.3");
    assert_eq!(client("127.0.0.1", &["198.51.100.7, unknown"]), "127.0.0.1");
    assert_eq!(
        client("127.0.0.1", &["6.6.6.6, unknown, 10.0.0.2"]),
        "10.0.0.2"
    );
}

#[test]
fn trusted_proxies_parse_as_networks_or_addresses() {
    use leadscore_intake::http::parse_trusted_proxy;
    let net = |s: &str| parse_trusted_proxy(s).map(|n| n.to_string());
    assert_eq!(net("10.0.0.0/8").unwrap(), "10.0.0.0/8");
    assert_eq!(net(" 127.0.0.1 ").unwrap(), "127.0.0.1/32");
    assert_eq!(net("::1").unwrap(), "::1/128");
    // Host bits are dropped: the network is meant.
    assert_eq!(net("10.1.2.3/8").unwrap(), "10.0.0.0/8");
    // IPv4-mapped: the IPv4 network, which the peers are compared in.
    assert_eq!(net("::ffff:10.0.0.0/104").unwrap(), "10.0.0.0/8");
    assert_eq!(net("::ffff:127.0.0.1").unwrap(), "127.0.0.1/32");
    for bad in ["", "localhost", "10.0.0.0/33", "10.0.0"] {
        let e = net(bad).unwrap_err();
        assert!(e.contains("not an address or network"), "{bad}: {e}");
    }
    for every in ["0.0.0.0/0", "::/0", "10.0.0.0/0"] {
        let e = net(every).unwrap_err();
        assert!(e.contains("trusts every address"), "{every}: {e}");
    }
}

/// With a trusted proxy, its posts count against the clients it names, so
/// one client over the limit is refused and another is not; a post from
/// elsewhere that writes the header counts against its own address.
#[tokio::test]
async fn posts_through_a_trusted_proxy_count_against_the_client_it_names() {
    let mut f = fixture(false);
    f.intake.config.rate_limit_per_hour = 2;
    f.intake.config.trusted_proxies =
        vec![leadscore_intake::http::parse_trusted_proxy("127.0.0.1").unwrap()];
    let post_via = |peer: &str, forwarded: &str| {
        let intake = &f.intake;
        let peer: std::net::IpAddr = peer.parse().unwrap();
        let mut req = post("application/json", None);
        req.headers_mut()
            .insert("x-forwarded-for", forwarded.parse().unwrap());
        async move {
            handle(intake, &req, BODY.as_bytes(), Some(peer), now())
                .await
                .status()
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(post_via("127.0.0.1", "198.51.100.7").await);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Another client through the same proxy.
    assert_eq!(
        post_via("127.0.0.1", "203.0.113.9").await,
        StatusCode::ACCEPTED
    );
    // A client that names the limited one itself is counted as itself.
    assert_eq!(
        post_via("192.0.2.44", "198.51.100.7").await,
        StatusCode::ACCEPTED
    );
    // One that writes a fresh address in front of the proxy's gains nothing.
    assert_eq!(
        post_via("127.0.0.1", "192.0.2.200, 198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A count the store cannot make does not refuse the post.
#[tokio::test]
async fn a_rate_count_that_fails_lets_the_post_through() {
    let store = Arc::new(leadscore_store::faulty::FaultyStore::new(MemoryStore::new()));
    store.fail("count_hit", None);
    let intake = Intake {
        store: store.clone(),
        model: Arc::new(ScoringModel::default_model().unwrap()),
        queue: None,
        bus: None,
        config: IntakeConfig {
            rate_limit_per_hour: 1,
            ..IntakeConfig::default()
        },
    };
    for _ in 0..3 {
        let r = handle(
            &intake,
            &post("application/json", None),
            BODY.as_bytes(),
            Some("198.51.100.7".parse().unwrap()),
            now(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{}", r.body());
    }
    assert_eq!(store.failed_calls().len(), 3);
}

//! Pipeline services over the embedded stores.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns panic by design

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use leadscore_core::domain::{Activity, ActivityKind, Alert, AlertKind, Email};
use leadscore_core::import::{parse_activities, parse_leads};
use leadscore_core::{Crossing, Scorer, ScoringModel, Tier};
use leadscore_pipeline::{
    AlertSink, DeliveryError, PassBounds, drain_outbox, drain_outbox_with, import_activities,
    import_leads, rescore_account, rescore_all, rescore_due, rescore_in_context, rescore_lead,
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

/// Moves `lead`'s account down to 6 employees (the example model's -15).
/// The lead's account shrinks to 6 employees, stamped a minute later as
/// the writers of a change stamp it.
async fn shrink_to_six(store: &dyn Store, lead: &Email) -> leadscore_core::domain::Account {
    let mut acc = store.get_account(&lead.domain()).await.unwrap().unwrap();
    acc.firmographics.employees = Some(6);
    acc.updated_at += Duration::minutes(1);
    store.upsert_account(&acc).await.unwrap();
    acc
}

/// The seeded store with Dana scored hot (version 1), the example model.
async fn hot_dana() -> (SqliteStore, ScoringModel, Email) {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(r.crossing, Crossing::BecameHot);
    (store, m, dana)
}

/// The kinds of the pending alerts, in queue order.
async fn pending_kinds(store: &dyn Store) -> Vec<AlertKind> {
    store
        .pending_alerts(10)
        .await
        .unwrap()
        .iter()
        .map(|a| a.kind)
        .collect()
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

/// A free-mail lead has no account to hold its company: the company is
/// kept on the lead, as a form submit keeps it, not dropped.
#[tokio::test]
async fn a_lead_without_an_account_keeps_its_company() {
    let store = MemoryStore::new();
    let file = parse_leads(
        b"email,company,industry,employees\njoe@gmail.com,Joe Co,Software,50\n",
        None,
        now(),
    )
    .unwrap();
    let s = import_leads(&store, &file, now()).await.unwrap();
    assert_eq!(s.created, 1);
    let joe = Email::parse("joe@gmail.com").unwrap();
    let lead = store.get_lead(&joe).await.unwrap().unwrap();
    assert_eq!(lead.account, None);
    assert_eq!(
        lead.attributes.get("company").map(String::as_str),
        Some("Joe Co")
    );
    // Imported again: unchanged, nothing rewritten.
    let s = import_leads(&store, &file, now()).await.unwrap();
    assert_eq!((s.existing, s.created), (1, 0));
}

#[tokio::test]
async fn a_reimport_keeps_what_its_file_leaves_empty_and_updates_the_account() {
    let store = SqliteStore::open_in_memory().unwrap();
    let first = parse_leads(
        b"email,first_name,title,owner,employees,industry\nana@acme.io,Ana,VP Sales,sam@us.io,40,Software\n",
        None,
        now(),
    )
    .unwrap();
    import_leads(&store, &first, now()).await.unwrap();
    // What a form submit stores beside the CRM's fields.
    let ana = Email::parse("ana@acme.io").unwrap();
    let mut lead = store.get_lead(&ana).await.unwrap().unwrap();
    lead.attributes.insert("consent".into(), "true".into());
    store.upsert_leads(&[lead], &[]).await.unwrap();

    // A CRM export with a new title, no owner, no first name, and only the
    // headcount changed on the account.
    let second = parse_leads(
        b"email,first_name,title,owner,employees\nana@acme.io,,Chief Revenue Officer,,55\n",
        None,
        now(),
    )
    .unwrap();
    let s = import_leads(&store, &second, now()).await.unwrap();
    assert_eq!((s.existing, s.created), (1, 0));
    let lead = store.get_lead(&ana).await.unwrap().unwrap();
    assert_eq!(lead.title.as_deref(), Some("Chief Revenue Officer"));
    assert_eq!(
        lead.first_name.as_deref(),
        Some("Ana"),
        "an empty cell keeps it"
    );
    assert_eq!(
        lead.owner.as_deref(),
        Some("sam@us.io"),
        "an empty cell keeps it"
    );
    assert_eq!(
        lead.attributes["consent"], "true",
        "the form's field is kept"
    );
    let account = store.get_account(&ana.domain()).await.unwrap().unwrap();
    assert_eq!(account.firmographics.employees, Some(55));
    assert_eq!(account.firmographics.industry.as_deref(), Some("Software"));

    // Only the account changed (same instant, same lead): still written.
    let third = parse_leads(b"email,employees\nana@acme.io,70\n", None, now()).unwrap();
    import_leads(&store, &third, now()).await.unwrap();
    let account = store.get_account(&ana.domain()).await.unwrap().unwrap();
    assert_eq!(account.firmographics.employees, Some(70));
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

/// People writing from `eu.acme.com` join acme.com's account, unless the
/// store already has an account of `eu.acme.com` (made before accounts
/// were registrable domains): then they keep joining that one, and no
/// company is split in two.
#[tokio::test]
async fn subdomain_addresses_join_the_registrable_account_or_the_stored_narrower_one() {
    use leadscore_core::domain::{Account, Domain, Lead};
    let store = MemoryStore::new();
    let legacy = Domain::parse("eu.acme.com").unwrap();
    let bob = Lead {
        account: Some(legacy.clone()),
        ..Lead::new(Email::parse("bob@eu.acme.com").unwrap(), None, now())
    };
    store
        .upsert_leads(
            std::slice::from_ref(&bob),
            &[Account::new(legacy.clone(), now())],
        )
        .await
        .unwrap();
    // Eve writes from a free-mail address: her typed website is her
    // account, and joins the stored one the same way; Fay's website is
    // only the registrable domain, which is acme.com's own.
    // Gil's bare lead (from an activity, no account) gets his account
    // from a row's website later; Al and Zed are on a host below the
    // stored one.
    let acts = [Activity::new(
        Email::parse("gil@gmail.com").unwrap(),
        ActivityKind::EmailOpened,
        now(),
    )];
    import_activities(&store, &acts, now()).await.unwrap();
    let csv = "email,title,website\n\
        ann@eu.acme.com,CEO,\n\
        bob@eu.acme.com,CTO,\n\
        cy@us.globex.com,VP Sales,\n\
        eve@gmail.com,CFO,https://www.eu.acme.com/about\n\
        fay@gmail.com,CMO,acme.com\n\
        gil@gmail.com,COO,eu.acme.com\n\
        al@shop.eu.acme.com,CTO,\n\
        zed@gmail.com,CIO,https://careers.shop.eu.acme.com/\n";
    let parsed = parse_leads(csv.as_bytes(), None, now()).unwrap();
    import_leads(&store, &parsed, now()).await.unwrap();
    let acts = [Activity::new(
        Email::parse("dee@eu.acme.com").unwrap(),
        ActivityKind::EmailOpened,
        now(),
    )];
    import_activities(&store, &acts, now()).await.unwrap();
    let account_of = |e: &str| {
        let e = Email::parse(e).unwrap();
        let store = &store;
        async move {
            store
                .get_lead(&e)
                .await
                .unwrap()
                .unwrap()
                .account
                .map(|d| d.to_string())
        }
    };
    for who in [
        "ann@eu.acme.com",
        "bob@eu.acme.com",
        "dee@eu.acme.com",
        "eve@gmail.com",
        "gil@gmail.com",
        "al@shop.eu.acme.com",
        "zed@gmail.com",
    ] {
        assert_eq!(
            account_of(who).await.as_deref(),
            Some("eu.acme.com"),
            "{who}"
        );
    }
    assert_eq!(
        account_of("cy@us.globex.com").await.as_deref(),
        Some("globex.com")
    );
    assert_eq!(
        account_of("fay@gmail.com").await.as_deref(),
        Some("acme.com")
    );
    let mut accounts: Vec<String> = store
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.domain.to_string())
        .collect();
    accounts.sort();
    assert_eq!(accounts, ["acme.com", "eu.acme.com", "globex.com"]);
    // Named for enrichment: a stored account stays, another subdomain is
    // its registrable domain's.
    for (named, want) in [
        ("eu.acme.com", "eu.acme.com"),
        ("shop.eu.acme.com", "eu.acme.com"),
        ("us.globex.com", "globex.com"),
        ("globex.com", "globex.com"),
    ] {
        let got = leadscore_pipeline::account_named(&store, Domain::parse(named).unwrap())
            .await
            .unwrap();
        assert_eq!(got.as_str(), want, "{named}");
    }
}

#[tokio::test]
async fn a_rescore_for_an_earlier_instant_reads_again_and_scores_at_the_later_one() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let later = now() + Duration::hours(2);
    let earlier = now() + Duration::hours(1);
    let r = rescore_lead(&store, &m, &dana, later).await.unwrap();
    assert_eq!((r.crossing, r.record.version), (Crossing::BecameHot, 1));

    // A rescore whose clock was taken before the stored score's (a slow
    // run's) neither writes its own score nor goes back in time: nothing
    // changed since, so nothing is written.
    let r = rescore_lead(&store, &m, &dana, earlier).await.unwrap();
    assert!(r.superseded && !r.written, "{r:?}");
    assert_eq!((r.crossing, r.record.version), (Crossing::None, 1));
    assert_eq!(r.record.score.scored_at, later);

    // The account shrinks (65 < 80 - 5). The slow run's scorer was made
    // with the account as it was; the lead is read again, with its account,
    // and rescored at the stored score's instant: it cools, once.
    let before = store.account_context(&dana.domain()).await.unwrap();
    shrink_to_six(&store, &dana).await;
    let ctx = store.lead_context(&dana).await.unwrap().unwrap();
    let mut scorer = Scorer::new();
    let mut stale = scorer.for_account(&m, before.account.as_ref(), &before.signals, earlier);
    let r = rescore_in_context(&store, &mut stale, ctx).await.unwrap();
    assert!(r.superseded && r.written, "{r:?}");
    assert_eq!(
        (r.crossing, r.record.version, r.record.tier),
        (Crossing::Cooled, 2, Tier::Warm)
    );
    assert_eq!(r.record.score.scored_at, later);
    assert_eq!(r.record.score.total, 65.0);

    // Everything at the earlier instant: Dana is rescored at hers, unchanged;
    // the other lead, never scored, at the earlier one.
    let s = rescore_all(&store, &m, earlier, |_, _| {}).await.unwrap();
    assert_eq!((s.scored, s.superseded, s.written), (2, 1, 1));
    assert!(s.cooled.is_empty() && s.became_hot.is_empty());
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 2);
}

/// What happens between the slow rescoring's reads and its write.
enum Meanwhile {
    /// An activity comes.
    Activity(ActivityKind),
    /// The account shrinks (-15 in the example model).
    AccountShrinks,
}

/// Two rescorings of one lead at one instant: the slow one reads the lead
/// (after a third pricing view) and its account; then `meanwhile` happens
/// and a fresh rescoring writes first. The slow one's write conflicts, and
/// it reads the lead and its account again instead of writing its old
/// result over the newer score: it finds that score current.
async fn lose_the_race(email: &str, meanwhile: Meanwhile) {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let lead = Email::parse(email).unwrap();
    rescore_lead(&store, &m, &lead, now()).await.unwrap();
    let pricing = ActivityKind::PageViewed {
        path: "/pricing".into(),
    };
    let view = Activity::new(lead.clone(), pricing, now() - Duration::hours(1));
    store.add_activities(&[view]).await.unwrap();
    let ctx = store.lead_context(&lead).await.unwrap().unwrap();
    let account = store.account_context(&lead.domain()).await.unwrap();
    match meanwhile {
        Meanwhile::Activity(kind) => {
            let a = Activity::new(lead.clone(), kind, now());
            store.add_activities(&[a]).await.unwrap();
        }
        Meanwhile::AccountShrinks => {
            shrink_to_six(&store, &lead).await;
        }
    }
    let fresh = rescore_lead(&store, &m, &lead, now()).await.unwrap();
    assert!(fresh.written);
    let mut scorer = Scorer::new();
    let mut slow = scorer.for_account(&m, account.account.as_ref(), &account.signals, now());
    let r = rescore_in_context(&store, &mut slow, ctx).await.unwrap();
    assert!(!r.written, "{email}: {r:?}");
    let current = store.current_score(&lead).await.unwrap().unwrap();
    assert_eq!(current.version, fresh.record.version, "{email}");
    assert_eq!(current.score.total, fresh.record.score.total, "{email}");
}

#[tokio::test]
async fn a_rescoring_that_lost_the_race_scores_the_newer_data_not_its_own() {
    lose_the_race(
        "sam.ito@tinyloop.io",
        Meanwhile::Activity(ActivityKind::WebinarAttended),
    )
    .await;
    lose_the_race(
        "dana.reyes@northwind-analytics.com",
        Meanwhile::AccountShrinks,
    )
    .await;
}

/// A batch rescoring (an account's leads, after its enrichment) read the
/// account before it shrank; a form submit then rescored the lead from the
/// shrunk account, and it cooled. The batch reads the lead after that
/// write, so its version check passes: it must not write the big account's
/// score back over the cooled one (a false "became hot", then another
/// cooling), but read the account again.
#[tokio::test]
async fn a_batch_that_read_the_account_before_a_change_does_not_put_the_old_score_back() {
    let (store, m, dana) = hot_dana().await;
    let before = store.account_context(&dana.domain()).await.unwrap();
    // The account changes (as an import stamps it) and a fresh rescoring
    // writes from it: Dana cools (65 < 80 - 5).
    let acc = shrink_to_six(&store, &dana).await;
    let fresh = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(
        (fresh.crossing, fresh.record.version),
        (Crossing::Cooled, 2)
    );
    assert_eq!(
        fresh.record.account_seen.map(|s| s.updated_at),
        Some(acc.updated_at)
    );

    let ctx = store.lead_context(&dana).await.unwrap().unwrap();
    let mut scorer = Scorer::new();
    let mut batch = scorer.for_account(&m, before.account.as_ref(), &before.signals, now());
    let r = rescore_in_context(&store, &mut batch, ctx).await.unwrap();
    assert!(!r.written, "{r:?}");
    assert_eq!((r.crossing, r.record.version), (Crossing::None, 2));
    assert_eq!(r.record.score.total, 65.0);
    assert_eq!(
        pending_kinds(&store).await,
        [AlertKind::BecameHot, AlertKind::Cooled]
    );

    // A scorer with the account as stored now writes as before: the same
    // account, nothing to read again.
    let now_ctx = store.account_context(&dana.domain()).await.unwrap();
    let ctx = store.lead_context(&dana).await.unwrap().unwrap();
    let mut current = scorer.for_account(&m, now_ctx.account.as_ref(), &now_ctx.signals, now());
    let r = rescore_in_context(&store, &mut current, ctx).await.unwrap();
    assert_eq!((r.written, r.record.version), (false, 2));
}

#[tokio::test]
async fn cooling_below_the_margin_alerts_once() {
    let (store, m, dana) = hot_dana().await;
    // Dana moves to a 6-person company: 65 < 80 - 5.
    shrink_to_six(&store, &dana).await;
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(
        (r.crossing, r.record.tier, r.record.version),
        (Crossing::Cooled, Tier::Warm, 2)
    );
    let r = rescore_lead(&store, &m, &dana, now()).await.unwrap();
    assert_eq!(r.crossing, Crossing::None);
    assert_eq!(
        pending_kinds(&store).await,
        [AlertKind::BecameHot, AlertKind::Cooled]
    );
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
                outcome_unknown: false,
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

#[tokio::test]
async fn an_alert_refused_for_good_is_counted_apart_and_stays_pending() {
    struct Refusing;
    #[async_trait]
    impl AlertSink for Refusing {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            Err(DeliveryError {
                sink: "bus".into(),
                reason: "event too large".into(),
                retryable: false,
                outcome_unknown: false,
            })
        }
    }
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    let d = drain_outbox(&store, &Refusing, now(), 10).await.unwrap();
    assert_eq!((d.delivered, d.failed, d.rejected), (0, 1, 1));
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
    let d = drain_outbox(&store, &FlakySink::default(), now(), 10)
        .await
        .unwrap();
    assert_eq!((d.delivered, d.failed, d.rejected), (1, 0, 0));
}

#[tokio::test]
async fn an_alert_that_keeps_failing_does_not_hold_up_the_next_one() {
    // Refuses Dana's became-hot alert, for good; takes the rest.
    struct RefusesHot(Mutex<Vec<AlertKind>>);
    #[async_trait]
    impl AlertSink for RefusesHot {
        async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
            if alert.kind == AlertKind::BecameHot {
                return Err(DeliveryError {
                    sink: "bus".into(),
                    reason: "event too large".into(),
                    retryable: false,
                    outcome_unknown: false,
                });
            }
            self.0.lock().unwrap().push(alert.kind);
            Ok(())
        }
    }
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    rescore_lead(&store, &m, &dana, now()).await.unwrap();
    shrink_to_six(&store, &dana).await;
    let r = rescore_lead(&store, &m, &dana, now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(r.crossing, Crossing::Cooled);
    // One alert per drain: the refused one goes to the back of the queue,
    // so the second drain reaches the cooled alert behind it.
    let sink = RefusesHot(Mutex::default());
    let at = |m: i64| now() + Duration::minutes(m);
    let d = drain_outbox(&store, &sink, at(2), 1).await.unwrap();
    assert_eq!((d.delivered, d.rejected), (0, 1));
    let d = drain_outbox(&store, &sink, at(3), 1).await.unwrap();
    assert_eq!((d.delivered, d.rejected), (1, 0));
    assert_eq!(*sink.0.lock().unwrap(), [AlertKind::Cooled]);
    assert_eq!(
        pending_kinds(&store).await,
        [AlertKind::BecameHot],
        "refused, still pending"
    );
}

/// An alert that fails goes behind the alerts written while its drain ran
/// (a form submit's, queued after the drain's `now`), not only behind the
/// ones queued before the drain.
#[tokio::test]
async fn a_failed_alert_goes_behind_alerts_written_during_its_drain() {
    struct Refusing;
    #[async_trait]
    impl AlertSink for Refusing {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            Err(DeliveryError {
                sink: "slack".into(),
                reason: "HTTP 500".into(),
                retryable: true,
                outcome_unknown: false,
            })
        }
    }
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    rescore_lead(&store, &m, &dana, now()).await.unwrap();
    let d = drain_outbox(&store, &Refusing, now(), 10).await.unwrap();
    assert_eq!(d.failed, 1);
    // Written a minute after the failing drain started.
    shrink_to_six(&store, &dana).await;
    let r = rescore_lead(&store, &m, &dana, now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(r.crossing, Crossing::Cooled);
    assert_eq!(
        pending_kinds(&store).await,
        [AlertKind::Cooled, AlertKind::BecameHot]
    );
}

/// An alert whose Slack delivery failed is held by a delivery that has no
/// Slack channel (`alerts deliver` run without the webhook), not marked
/// delivered by the channels it has; one with Slack delivers it.
#[tokio::test]
async fn an_alert_is_held_by_a_delivery_without_the_channel_that_failed() {
    struct Channels(Vec<&'static str>, AtomicUsize);
    #[async_trait]
    impl AlertSink for Channels {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        fn channels(&self) -> Option<Vec<String>> {
            Some(self.0.iter().map(|c| (*c).to_owned()).collect())
        }
    }
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    let id = store.pending_alerts(10).await.unwrap()[0].id.clone();
    store
        .record_alert_failure(&id, "slack: HTTP 500", now())
        .await
        .unwrap();
    let stdout_only = Channels(vec!["stdout"], AtomicUsize::new(0));
    let d = drain_outbox(&store, &stdout_only, now(), 10).await.unwrap();
    assert_eq!((d.delivered, d.held), (0, 1));
    assert_eq!(d.held_for, ["slack"]);
    assert_eq!(stdout_only.1.load(Ordering::SeqCst), 0, "not tried");
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
    // With Slack among its channels, it goes out.
    let with_slack = Channels(vec!["stdout", "slack"], AtomicUsize::new(0));
    let d = drain_outbox(&store, &with_slack, now(), 10).await.unwrap();
    assert_eq!((d.delivered, d.held), (1, 0));
    assert!(store.pending_alerts(10).await.unwrap().is_empty());
}

/// Held alerts keep their place at the head of the queue without taking
/// a limited drain's places; failures recorded as `smtp` (before a
/// failure was named by its channel) are the `email` channel's, and a
/// failure of another sink (an event bus) holds nothing.
#[tokio::test]
async fn held_alerts_take_no_place_of_a_limited_drain() {
    struct Channels(Vec<&'static str>);
    #[async_trait]
    impl AlertSink for Channels {
        async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
            Ok(())
        }
        fn channels(&self) -> Option<Vec<String>> {
            Some(self.0.iter().map(|c| (*c).to_owned()).collect())
        }
    }
    assert_eq!(
        leadscore_pipeline::failed_sinks("slack, smtp: slack: HTTP 500; smtp: 421"),
        ["slack", "email"]
    );
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let m = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    rescore_lead(&store, &m, &dana, now()).await.unwrap();
    let hot = store.pending_alerts(10).await.unwrap()[0].id.clone();
    store
        .record_alert_failure(&hot, "slack: HTTP 404", now())
        .await
        .unwrap();
    shrink_to_six(&store, &dana).await;
    rescore_lead(&store, &m, &dana, now() + Duration::minutes(1))
        .await
        .unwrap();
    // One place: the held alert at the head does not take it.
    let d = drain_outbox(&store, &Channels(vec!["stdout"]), now(), 1)
        .await
        .unwrap();
    assert_eq!((d.delivered, d.held), (1, 1), "{d:?}");
    assert_eq!(pending_kinds(&store).await, [AlertKind::BecameHot]);
    // `smtp` is the email channel's name; an event bus's failure holds
    // nothing.
    store
        .record_alert_failure(&hot, "smtp: 421 busy", now())
        .await
        .unwrap();
    let d = drain_outbox(&store, &Channels(vec!["stdout", "email"]), now(), 10)
        .await
        .unwrap();
    assert_eq!((d.delivered, d.held), (1, 0), "{d:?}");
}

#[tokio::test]
async fn a_run_publishes_the_alerts_it_wrote_even_when_the_listing_lags() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let s = rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(s.alerts.len(), 1, "the run wrote one alert");
    let sink = FlakySink::default();
    // A listing that shows nothing yet (limit 0 stands in for DynamoDB's
    // eventually consistent index of pending alerts): the run's own alert
    // still goes out, and is marked.
    let d = drain_outbox_with(&store, &sink, now(), 0, &s.alerts)
        .await
        .unwrap();
    assert_eq!((d.delivered, d.failed), (1, 0));
    assert!(store.pending_alerts(10).await.unwrap().is_empty());
    // In the listing and among the run's own: delivered once.
    let sink = FlakySink::default();
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let s = rescore_all(&store, &example_model(), now(), |_, _| {})
        .await
        .unwrap();
    let d = drain_outbox_with(&store, &sink, now(), 10, &s.alerts)
        .await
        .unwrap();
    assert_eq!(d.delivered, 1);
    assert_eq!(
        *sink.delivered.lock().unwrap(),
        vec![s.alerts[0].id.clone()]
    );
}

#[tokio::test]
async fn rescoring_everything_scores_each_lead_with_its_own_account() {
    use leadscore_core::domain::{Account, Domain, EnrichmentSnapshot, Lead, Signal, SignalValue};
    use leadscore_core::{ScoreInput, score};
    // Leads listed interleaved across three accounts (p0@alpha, p1@beta,
    // p2@gamma, p3@alpha, ...) plus a free-mail lead with none, each account
    // with its own firmographics and signals: rescore_all takes them account
    // by account (computing each account's contributions once), and every
    // stored score must equal a direct score with the lead's own account.
    let store = SqliteStore::open_in_memory().unwrap();
    let model = ScoringModel::default_model().unwrap();
    let domains = ["alpha.com", "beta.io", "gamma.dev"];
    let accounts: Vec<Account> = domains
        .iter()
        .zip([
            ("Computer Software", 240),
            ("Retail", 5),
            ("Banking", 20_000),
        ])
        .map(|(d, (industry, employees))| {
            let mut a = Account::new(Domain::parse(d).unwrap(), now());
            a.firmographics.industry = Some(industry.into());
            a.firmographics.employees = Some(employees);
            a
        })
        .collect();
    let titles = [
        "VP Sales",
        "Director of Marketing",
        "Software Engineer",
        "CEO",
    ];
    let mut leads: Vec<Lead> = (0..9)
        .map(|i| {
            let email = Email::parse(&format!("p{i}@{}", domains[i % 3])).unwrap();
            let mut l = Lead::new(email, None, now());
            l.set_title(Some(titles[i % 4].into()));
            l
        })
        .collect();
    leads.push(Lead::new(
        Email::parse("p9@gmail.com").unwrap(),
        None,
        now(),
    ));
    store.upsert_leads(&leads, &accounts).await.unwrap();
    let signals = [
        vec![
            Signal::new("tech", SignalValue::Text("HubSpot".into()), now())
                .with_evidence("hs-scripts.com loader", Some("https://alpha.com/".into())),
            Signal::new(
                "funding.round",
                SignalValue::Text("series_b".into()),
                now() - Duration::days(20),
            ),
        ],
        vec![Signal::new(
            "news.layoffs",
            SignalValue::Flag(true),
            now() - Duration::days(5),
        )],
    ];
    for (d, signals) in domains.iter().zip(&signals) {
        let snapshot = EnrichmentSnapshot {
            domain: Domain::parse(d).unwrap(),
            enriched_at: now(),
            signals: signals.clone(),
            details: serde_json::Value::Null,
            errors: Vec::new(),
        };
        store.put_snapshot(&snapshot).await.unwrap();
    }
    let acts: Vec<Activity> = leads
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            (0..i % 3 + 1).map(move |j| {
                Activity::new(
                    l.email.clone(),
                    ActivityKind::PageViewed {
                        path: "/pricing".into(),
                    },
                    now() - Duration::days(j as i64 + 1),
                )
            })
        })
        .collect();
    import_activities(&store, &acts, now()).await.unwrap();

    let mut calls = Vec::new();
    let s = rescore_all(&store, &model, now(), |done, total| {
        calls.push((done, total))
    })
    .await
    .unwrap();
    assert_eq!((s.scored, s.accounts), (10, 3));
    assert!(s.failed.is_empty(), "{:?}", s.failed);
    assert_eq!(calls, (1..=10).map(|d| (d, 10)).collect::<Vec<_>>());
    let mut fits = std::collections::BTreeSet::new();
    for lead in &leads {
        let ctx = store.lead_context(&lead.email).await.unwrap().unwrap();
        let account = match &ctx.lead.account {
            Some(d) => store.account_context(d).await.unwrap(),
            None => leadscore_store::AccountContext {
                account: None,
                signals: Vec::new(),
            },
        };
        let expected = score(
            &model,
            &ScoreInput {
                lead: &ctx.lead,
                account: account.account.as_ref(),
                signals: &account.signals,
                activities: &ctx.activities,
            },
            now(),
        );
        let stored = ctx.score.unwrap().score;
        // The store's JSON keeps floats to within an ulp.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        let same = (stored.total, stored.fit, stored.engagement)
            == (expected.total, expected.fit, expected.engagement)
            && (stored.tier, stored.grade) == (expected.tier, expected.grade)
            && stored.contributions.len() == expected.contributions.len()
            && stored
                .contributions
                .iter()
                .zip(&expected.contributions)
                .all(|(x, y)| {
                    (&x.rule, &x.evidence, &x.source_url, x.observed_at)
                        == (&y.rule, &y.evidence, &y.source_url, y.observed_at)
                        && (x.occurrences, x.capped) == (y.occurrences, y.capped)
                        && close(x.points, y.points)
                        && close(x.raw_points, y.raw_points)
                        && close(x.decay, y.decay)
                });
        assert!(same, "{}:\n{stored:?}\n{expected:?}", lead.email);
        fits.insert((stored.fit * 10.0) as i64);
    }
    // The accounts really score differently.
    assert!(fits.len() >= 3, "{fits:?}");
}

/// The stored rollup of `domain`.
async fn account_score(
    store: &dyn Store,
    domain: &leadscore_core::domain::Domain,
) -> leadscore_core::rollup::AccountScore {
    store
        .list_account_scores()
        .await
        .unwrap()
        .into_iter()
        .find(|a| &a.domain == domain)
        .unwrap()
}

/// An account's rollup is saved only from a complete pass over its leads: a
/// lead whose rescore failed (perhaps its best) would be missing from it.
#[tokio::test]
async fn a_failed_lead_keeps_the_account_s_stored_rollup() {
    use leadscore_core::domain::Lead;
    use leadscore_store::faulty::FaultyStore;

    let store = FaultyStore::new(MemoryStore::new());
    seeded(&store).await;
    let model = example_model();
    rescore_all(&store, &model, now(), |_, _| {}).await.unwrap();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let domain = dana.domain();
    let before = account_score(&store, &domain).await;
    assert_eq!(before.top_lead.as_ref(), Some(&dana));

    // A second lead joins; Dana's score write fails this time.
    let mut kim = Lead::new(
        Email::parse("kim@northwind-analytics.com").unwrap(),
        None,
        now(),
    );
    kim.set_title(Some("Marketing Intern".into()));
    store.upsert_leads(&[kim], &[]).await.unwrap();
    let later = now() + Duration::hours(1);
    let webinar = Activity::new(dana.clone(), ActivityKind::WebinarAttended, later);
    store.add_activities(&[webinar]).await.unwrap();
    store.fail("save_score", Some(dana.as_str()));
    let s = rescore_account(&store, &model, &domain, later)
        .await
        .unwrap();
    assert_eq!(s.failed.len(), 1, "{s:?}");
    assert_eq!(s.failed[0].0, dana);
    assert_eq!(s.accounts, 0);
    assert_eq!(
        account_score(&store, &domain).await,
        before,
        "the stored rollup stands"
    );

    // A pass over every lead keeps it too.
    let s = rescore_all(&store, &model, later, |_, _| {}).await.unwrap();
    assert_eq!(s.failed.len(), 1, "{s:?}");
    assert_eq!(
        account_score(&store, &domain).await,
        before,
        "the stored rollup stands after rescore_all"
    );

    // The next complete pass rolls up both.
    store.heal();
    let s = rescore_account(&store, &model, &domain, later)
        .await
        .unwrap();
    assert!(s.failed.is_empty());
    assert_eq!(s.accounts, 1);
    let after = account_score(&store, &domain).await;
    assert_eq!(after.leads, 2);
    assert_eq!(after.top_lead.as_ref(), Some(&dana));
}

/// A lead the account's listing still shows but that has moved to another
/// account (DynamoDB's index a moment behind) is scored with its own
/// account's signals, and is not in this account's rollup.
#[tokio::test]
async fn rescoring_an_account_scores_a_lead_that_moved_with_its_own_account() {
    use leadscore_core::domain::{Account, Domain, Lead};
    use leadscore_store::faulty::FaultyStore;

    let store = FaultyStore::new(MemoryStore::new());
    seeded(&store).await;
    let model = example_model();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let northwind = dana.domain();
    // Dana now works for a tiny company (the example model's negative
    // points for under 10 employees).
    let tiny = Domain::parse("tiny.example").unwrap();
    let mut account = Account::new(tiny.clone(), now());
    account.firmographics.employees = Some(4);
    store.upsert_account(&account).await.unwrap();
    let mut moved: Lead = store.get_lead(&dana).await.unwrap().unwrap();
    moved.account = Some(tiny.clone());
    store.upsert_leads(&[moved.clone()], &[]).await.unwrap();
    store.list_also(&northwind, moved);

    let s = rescore_account(&store, &model, &northwind, now())
        .await
        .unwrap();
    assert!(s.failed.is_empty(), "{s:?}");
    let record = store.current_score(&dana).await.unwrap().unwrap();
    assert_eq!(record.account.as_ref(), Some(&tiny));
    assert!(
        record.score.contributions.iter().any(|c| c.points < 0.0),
        "scored with the tiny account's firmographics: {:?}",
        record.score.contributions
    );
    let rollup = store
        .list_account_scores()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.domain == northwind);
    assert!(
        rollup.is_none_or(|r| r.top_lead.as_ref() != Some(&dana)),
        "not in Northwind's rollup"
    );
    // Rolled up alone (as the scheduled pass and a form submit do), the
    // account still listing Dana counts her no more: her score is tiny's.
    let r = leadscore_pipeline::rollup_account(&store, &model, &northwind, None)
        .await
        .unwrap();
    assert_ne!(r.top_lead.as_ref(), Some(&dana), "{r:?}");
    assert!(
        store
            .leads_of_account(&northwind)
            .await
            .unwrap()
            .iter()
            .any(|l| l.email == dana),
        "the listing still shows her"
    );
}

/// One account's rollup that cannot be written stops no other, and the
/// pass says which.
#[tokio::test]
async fn a_rollup_that_cannot_be_written_stops_no_other_account() {
    use leadscore_store::faulty::FaultyStore;

    let store = FaultyStore::new(MemoryStore::new());
    seeded(&store).await;
    let model = example_model();
    store.fail("save_account_score", None);
    let s = rescore_all(&store, &model, now(), |_, _| {}).await.unwrap();
    assert!(s.scored > 0 && s.failed.is_empty(), "{s:?}");
    assert_eq!(s.accounts, 0);
    assert!(!s.accounts_failed.is_empty(), "{s:?}");
}

/// A file imported by a build that derived ids without the URL and detail,
/// imported again: its rows are recognised by their old ids, not added a
/// second time; a row that differs is new.
#[tokio::test]
async fn reimporting_a_file_imported_under_the_old_ids_adds_nothing() {
    let store = MemoryStore::new();
    let csv = "email,kind,occurred_at,detail\n\
        ada@acme.test,content_downloaded,2026-10-01,Pricing guide\n\
        ada@acme.test,content_downloaded,2026-10-01,ROI calculator\n";
    let rows: Vec<Activity> = parse_activities(csv.as_bytes(), None)
        .unwrap()
        .rows
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    // What the earlier build stored: the first row, under its old id.
    let mut old = rows[0].clone();
    let mut bare = old.clone();
    bare.detail = None;
    old.id = bare.derived_id();
    import_activities(&store, &[old], now()).await.unwrap();

    let s = import_activities(&store, &rows, now()).await.unwrap();
    assert_eq!((s.created, s.existing), (1, 1), "{s:?}");
    let ada = Email::parse("ada@acme.test").unwrap();
    let details: Vec<Option<String>> = store
        .activities_of(&ada)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.detail)
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(details.contains(&Some("ROI calculator".into())));
}

/// The scheduled pass: without new data, a webinar past its max age stops
/// counting and the hot lead cools (one alert, the accounts rolled up); an
/// unchanged score is marked checked, not rewritten, and is not due again.
#[tokio::test]
async fn the_scheduled_pass_lets_points_expire_and_marks_unchanged_scores_checked() {
    let store = SqliteStore::open_in_memory().unwrap();
    seeded(&store).await;
    let text = include_str!("../../../examples/seed-example/model.toml").replace(
        "activity = \"webinar_attended\"\npoints = 25",
        "activity = \"webinar_attended\"\npoints = 25\nmax_age_days = 30",
    );
    let m = ScoringModel::from_toml(&text, "expiring.toml").unwrap();
    let dana = Email::parse("dana.reyes@northwind-analytics.com").unwrap();
    let sam = Email::parse("sam.ito@tinyloop.io").unwrap();
    rescore_all(&store, &m, now(), |_, _| {}).await.unwrap();
    assert_eq!(pending_kinds(&store).await, [AlertKind::BecameHot]);

    let go = || true;
    let bounds = PassBounds {
        limit: 100,
        keep_going: &go,
    };
    let pass_at = |at: DateTime<Utc>, bounds| {
        let (store, m) = (&store, &m);
        async move {
            rescore_due(store, m, at - Duration::hours(20), at, bounds)
                .await
                .unwrap()
        }
    };
    let later = now() + Duration::days(40);
    let (summary, pass) = pass_at(later, bounds).await;
    assert_eq!((pass.due, pass.checked, pass.more), (2, 0, false));
    assert_eq!(summary.cooled, std::slice::from_ref(&dana));
    assert_eq!(
        (summary.scored, summary.written, summary.accounts),
        (2, 2, 2)
    );
    assert_eq!(
        pending_kinds(&store).await,
        [AlertKind::BecameHot, AlertKind::Cooled]
    );
    let dana_now = store.current_score(&dana).await.unwrap().unwrap();
    assert_eq!((dana_now.version, dana_now.tier), (2, Tier::Warm));
    assert_eq!(dana_now.score.scored_at, later);
    let accounts = store.list_account_scores().await.unwrap();
    let northwind = accounts.iter().find(|a| a.domain == dana.domain()).unwrap();
    assert_eq!(northwind.total, dana_now.score.total);

    // The same pass again (a redelivery) finds nothing due.
    let (summary, pass) = pass_at(later, bounds).await;
    assert_eq!((pass.due, summary.scored), (0, 0));

    // Two days on nothing expires: checked, not rewritten, and not due
    // again for that cutoff.
    let sam_before = store.current_score(&sam).await.unwrap().unwrap();
    let next = later + Duration::days(2);
    let (summary, pass) = pass_at(next, bounds).await;
    assert_eq!((pass.due, pass.checked, summary.written), (2, 2, 0));
    assert_eq!(
        store.current_score(&sam).await.unwrap().unwrap(),
        sam_before
    );
    let (_, pass) = pass_at(next, bounds).await;
    assert_eq!(pass.due, 0);

    // A pass out of time stops before the first lead; the leads stay due.
    let after = next + Duration::days(2);
    let stop = || false;
    let (summary, pass) = pass_at(
        after,
        PassBounds {
            limit: 100,
            keep_going: &stop,
        },
    )
    .await;
    assert_eq!((pass.due, summary.scored, pass.more), (2, 0, true));
    // A limit of one takes the longest unchecked and says there may be more.
    let (summary, pass) = pass_at(
        after,
        PassBounds {
            limit: 1,
            keep_going: &go,
        },
    )
    .await;
    assert_eq!((pass.due, summary.scored, pass.more), (1, 1, true));
    assert_eq!(
        store
            .scores_due(after - Duration::hours(20), 10)
            .await
            .unwrap(),
        [sam]
    );
}

/// The pass takes its leads by email domain (the longest unchecked first
/// within one), and rolls an account up as soon as its leads are done: a
/// pass cut short leaves whole accounts due, not halves of several, and
/// rolls up the ones it finished before it stops.
#[tokio::test]
async fn a_pass_takes_leads_by_domain_so_a_cut_leaves_whole_accounts_due() {
    let store = SqliteStore::open_in_memory().unwrap();
    let leads = parse_leads(
        b"email,title,website,industry,employees\n\
          a1@alpha.io,Director of Marketing,alpha.io,Software,200\n\
          b1@beta.io,Director of Marketing,beta.io,Software,200\n\
          a2@alpha.io,Director of Marketing,alpha.io,Software,200\n\
          b2@beta.io,Director of Marketing,beta.io,Software,200\n",
        None,
        now(),
    )
    .unwrap();
    import_leads(&store, &leads, now()).await.unwrap();
    let mut csv = String::from("email,kind,occurred_at\n");
    for e in ["a1@alpha.io", "b1@beta.io", "a2@alpha.io", "b2@beta.io"] {
        csv.push_str(&format!("{e},webinar_attended,2026-10-08T17:00:00Z\n"));
    }
    let acts = parse_activities(csv.as_bytes(), None).unwrap();
    let acts: Vec<Activity> = acts.rows.into_iter().map(|(_, a)| a).collect();
    import_activities(&store, &acts, now()).await.unwrap();
    let text = include_str!("../../../examples/seed-example/model.toml").replace(
        "activity = \"webinar_attended\"\npoints = 25",
        "activity = \"webinar_attended\"\npoints = 25\nmax_age_days = 30",
    );
    let m = ScoringModel::from_toml(&text, "expiring.toml").unwrap();
    // Checked in alternating order: a1, b1, a2, b2.
    for (i, e) in ["a1@alpha.io", "b1@beta.io", "a2@alpha.io", "b2@beta.io"]
        .iter()
        .enumerate()
    {
        let at = now() + Duration::minutes(i64::try_from(i).unwrap());
        rescore_lead(&store, &m, &Email::parse(e).unwrap(), at)
            .await
            .unwrap();
    }
    let later = now() + Duration::days(40);
    let taken = AtomicUsize::new(0);
    let two = || taken.fetch_add(1, Ordering::SeqCst) < 2;
    let (summary, pass) = rescore_due(
        &store,
        &m,
        later - Duration::hours(6),
        later,
        PassBounds {
            limit: 10,
            keep_going: &two,
        },
    )
    .await
    .unwrap();
    assert_eq!((pass.due, summary.written, pass.more), (4, 2, true));
    // alpha.io's two leads were taken and its account rolled up; both of
    // beta.io's are left for the next pass.
    assert_eq!(summary.accounts, 1);
    let rolled = store.list_account_scores().await.unwrap();
    assert_eq!(
        rolled.iter().map(|a| a.domain.as_str()).collect::<Vec<_>>(),
        ["alpha.io"]
    );
    let alpha = rolled.iter().find(|a| a.domain.as_str() == "alpha.io");
    let a1 = store
        .current_score(&Email::parse("a1@alpha.io").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alpha.unwrap().total, a1.score.total);
    assert_eq!(
        store
            .scores_due(later - Duration::hours(6), 10)
            .await
            .unwrap(),
        [
            Email::parse("b1@beta.io").unwrap(),
            Email::parse("b2@beta.io").unwrap()
        ]
    );
}

/// A scheduled pass at `at` over the scores unchecked for 6 hours, at most
/// 10 leads, never out of time.
async fn whole_pass(
    store: &dyn Store,
    m: &ScoringModel,
    at: DateTime<Utc>,
) -> (
    leadscore_pipeline::RescoreSummary,
    leadscore_pipeline::DuePass,
) {
    rescore_due(
        store,
        m,
        at - Duration::hours(6),
        at,
        PassBounds {
            limit: 10,
            keep_going: &|| true,
        },
    )
    .await
    .unwrap()
}

/// A store failing for good on every lead (access denied, a table gone)
/// ends the pass after a few leads, instead of putting every due lead back
/// unscored; one lead failing alone is put back and the pass goes on.
#[tokio::test]
async fn store_errors_on_leads_in_a_row_end_the_pass() {
    use leadscore_pipeline::STORE_ERRORS_TO_STOP;
    use leadscore_store::faulty::FaultyStore;
    let store = FaultyStore::new(MemoryStore::new());
    let mut csv = String::from("email,title\n");
    for i in 0..6 {
        csv.push_str(&format!("p{i}@acme{i}.io,Director of Marketing\n"));
    }
    let leads = parse_leads(csv.as_bytes(), None, now()).unwrap();
    import_leads(&store, &leads, now()).await.unwrap();
    let m = example_model();
    let emails: Vec<Email> = (0..6)
        .map(|i| Email::parse(&format!("p{i}@acme{i}.io")).unwrap())
        .collect();
    for e in &emails {
        rescore_lead(&store, &m, e, now()).await.unwrap();
    }
    let later = now() + Duration::days(1);
    // One lead refused for good: put back, the others rescored.
    store.fail_for_good("lead_context", Some(emails[0].as_str()));
    let (summary, p) = whole_pass(&store, &m, later).await;
    assert_eq!(
        (summary.failed.len(), p.deferred, p.more),
        (1, 1, false),
        "{p:?}"
    );
    store.heal();
    // Every lead refused: the pass stops at the third, the rest stay due.
    let much_later = later + Duration::days(1);
    store.fail_for_good("lead_context", None);
    let (summary, p) = whole_pass(&store, &m, much_later).await;
    assert_eq!(summary.failed.len(), STORE_ERRORS_TO_STOP, "{summary:?}");
    assert_eq!(p.deferred, STORE_ERRORS_TO_STOP - 1, "{p:?}");
    assert!(p.more);
    store.heal();
    let due = store
        .scores_due(much_later - Duration::hours(6), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 6 - (STORE_ERRORS_TO_STOP - 1), "{due:?}");
}

/// A lead moved to another account whose score stays the same (neither
/// account has anything the model scores) is rewritten with its new
/// account: the old account's rollup stops counting it, the new one's
/// counts it.
#[tokio::test]
async fn a_lead_moved_with_an_unchanged_score_is_rolled_up_under_its_new_account() {
    use leadscore_core::domain::{Account, Domain, Lead};
    let store = MemoryStore::new();
    let model = example_model();
    let (old, new) = (
        Domain::parse("first.example").unwrap(),
        Domain::parse("second.example").unwrap(),
    );
    let email = Email::parse("jo@gmail.com").unwrap();
    let mut lead = Lead::new(email.clone(), Some(&old), now());
    lead.set_title(Some("Director of Marketing".into()));
    store
        .upsert_leads(
            &[lead.clone()],
            &[
                Account::new(old.clone(), now()),
                Account::new(new.clone(), now()),
            ],
        )
        .await
        .unwrap();
    let first = rescore_lead(&store, &model, &email, now()).await.unwrap();
    assert_eq!(first.record.account.as_ref(), Some(&old));
    lead.account = Some(new.clone());
    store.upsert_leads(&[lead], &[]).await.unwrap();
    let second = rescore_lead(&store, &model, &email, now()).await.unwrap();
    assert_eq!(second.record.score.total, first.record.score.total);
    let stored = store.current_score(&email).await.unwrap().unwrap();
    assert_eq!(stored.account.as_ref(), Some(&new));
    let rollup = leadscore_pipeline::rollup_account(&store, &model, &new, None)
        .await
        .unwrap();
    assert_eq!(rollup.top_lead.as_ref(), Some(&email), "{rollup:?}");
    let rollup = leadscore_pipeline::rollup_account(&store, &model, &old, None)
        .await
        .unwrap();
    assert_ne!(rollup.top_lead.as_ref(), Some(&email), "{rollup:?}");
}

//! The store contract: behaviour every [`Store`] adapter must have.
//!
//! Each case is an async function taking a fresh, empty store. Run them all
//! for an adapter with [`store_contract_tests!`](crate::store_contract_tests):
//!
//! ```ignore
//! leadscore_store::store_contract_tests!(async { MyStore::new().await });
//! ```
//!
//! This is test-support code: a failed expectation is a panic by design.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use leadscore_core::domain::{
    Account, Activity, ActivityId, ActivityKind, Alert, AlertKind, Domain, Email,
    EnrichmentSnapshot, Lead, Signal, SignalValue,
};
use leadscore_core::rollup::AccountScore;
use leadscore_core::{Grade, Score, Tier};

use crate::{AccountSeen, Claim, ScoreRecord, ScoreWrite, Store, StoreError};

/// Generates one `#[tokio::test]` per contract case; `$factory` is an
/// expression evaluating to a future of a fresh store.
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:expr) => {
        $crate::store_contract_tests!(@cases $factory;
            accounts_roundtrip,
            leads_roundtrip_and_by_account,
            lead_upserts_are_idempotent,
            new_leads_leave_stored_ones_alone,
            activities_are_idempotent_and_ordered,
            snapshots_stamp_accounts_and_drive_due_list,
            account_writes_keep_a_later_enrichment,
            score_writes_are_conditional_and_versioned,
            scores_come_due_by_their_last_check,
            alerts_commit_with_their_score_only,
            outbox_delivery_is_idempotent,
            concurrent_writers_produce_one_alert,
            scores_list_by_tier_highest_first,
            account_scores_roundtrip,
            records_survive_unicode_and_large_payloads,
            contexts_read_what_was_written,
            claims_are_exclusive_leased_and_final,
            hit_counts_are_atomic_and_per_key
        );
    };
    (@cases $factory:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store = $factory.await;
                $crate::contract::$case(std::sync::Arc::new(store)).await;
            }
        )*
    };
}

/// A fixed instant the cases build their data around.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn domain(s: &str) -> Domain {
    Domain::parse(s).unwrap_or_else(|e| panic!("bad fixture domain {s}: {e}"))
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap_or_else(|e| panic!("bad fixture email {s}: {e}"))
}

fn lead(e: &str, title: &str) -> Lead {
    let mut l = Lead::new(email(e), None, t0());
    l.set_title(Some(title.to_owned()));
    l
}

fn score(total: f64, tier: Tier) -> Score {
    Score {
        fit: total,
        engagement: total,
        total,
        tier,
        grade: Grade {
            fit: 'B',
            engagement: 2,
        },
        contributions: Vec::new(),
        model_version: Arc::from("contract@000000000000"),
        scored_at: t0(),
        disqualified_by: None,
    }
}

fn record(e: &str, version: u64, total: f64, tier: Tier) -> ScoreRecord {
    let lead = email(e);
    ScoreRecord {
        account: Some(lead.domain()),
        lead,
        version,
        tier,
        score: score(total, tier),
        // Round-trips through every adapter (the pipeline compares it).
        account_seen: Some(AccountSeen {
            updated_at: t0(),
            enriched_at: Some(t0() - Duration::days(1)),
        }),
    }
}

/// A first-or-next score write of `e` at `version`, without an alert
/// (for adapter-specific tests).
pub fn score_write(e: &str, version: u64) -> ScoreWrite {
    ScoreWrite {
        record: record(e, version, 50.0, Tier::Warm),
        expected_version: version - 1,
        alert: None,
    }
}

fn alert(e: &str, version: u64) -> Alert {
    let lead = email(e);
    Alert {
        id: Alert::key(&lead, AlertKind::BecameHot, version),
        kind: AlertKind::BecameHot,
        lead_name: lead.to_string(),
        title: None,
        owner: None,
        account: Some(lead.domain()),
        account_name: None,
        lead,
        score: 85.0,
        previous_score: Some(60.0),
        tier: Tier::Hot,
        grade: Grade {
            fit: 'A',
            engagement: 1,
        },
        reasons: Vec::new(),
        model_version: "contract@000000000000".into(),
        score_version: version,
        created_at: t0() + Duration::seconds(version as i64),
    }
}

/// Accounts are stored, replaced and listed by domain.
pub async fn accounts_roundtrip(store: Arc<dyn Store>) {
    assert_eq!(store.get_account(&domain("acme.com")).await.unwrap(), None);
    let mut a = Account::new(domain("acme.com"), t0());
    a.name = Some("Acme".into());
    a.firmographics.employees = Some(120);
    a.firmographics
        .attributes
        .insert("plan".into(), "pro".into());
    store.upsert_account(&a).await.unwrap();
    store
        .upsert_account(&Account::new(domain("beta.io"), t0()))
        .await
        .unwrap();
    assert_eq!(
        store.get_account(&a.domain).await.unwrap().as_ref(),
        Some(&a)
    );
    a.firmographics.employees = Some(130);
    store.upsert_account(&a).await.unwrap();
    assert_eq!(store.get_account(&a.domain).await.unwrap(), Some(a.clone()));
    let all: Vec<String> = store
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.domain.to_string())
        .collect();
    assert_eq!(all, ["acme.com", "beta.io"]);
}

/// Leads are stored with their accounts and found by account.
pub async fn leads_roundtrip_and_by_account(store: Arc<dyn Store>) {
    let jane = lead("jane@acme.com", "Director of Marketing");
    let joe = lead("joe@acme.com", "VP Sales");
    let amy = lead("amy@beta.io", "CEO");
    let accounts = [
        Account::new(domain("acme.com"), t0()),
        Account::new(domain("beta.io"), t0()),
    ];
    store
        .upsert_leads(&[jane.clone(), joe.clone(), amy.clone()], &accounts)
        .await
        .unwrap();
    assert_eq!(
        store.get_lead(&jane.email).await.unwrap(),
        Some(jane.clone())
    );
    assert_eq!(
        store.get_lead(&email("nobody@acme.com")).await.unwrap(),
        None
    );
    // Many at once: the stored ones, each once.
    let mut got = store
        .get_leads(&[
            amy.email.clone(),
            email("nobody@acme.com"),
            jane.email.clone(),
            amy.email.clone(),
        ])
        .await
        .unwrap();
    got.sort_by(|a, b| a.email.cmp(&b.email));
    assert_eq!(got, vec![amy.clone(), jane.clone()]);
    assert!(store.get_leads(&[]).await.unwrap().is_empty());
    assert_eq!(
        store.leads_of_account(&domain("acme.com")).await.unwrap(),
        vec![jane.clone(), joe]
    );
    assert_eq!(store.list_leads().await.unwrap().len(), 3);
    assert_eq!(store.list_accounts().await.unwrap().len(), 2);
    // More than are read one at a time, and more than one request's worth.
    let many: Vec<Lead> = (0..=crate::MANY_LEADS)
        .map(|i| lead(&format!("p{i}@acme.com"), "CTO"))
        .collect();
    store.upsert_leads(&many, &[]).await.unwrap();
    let mut emails: Vec<Email> = many.iter().map(|l| l.email.clone()).collect();
    emails.push(email("nobody@acme.com"));
    let mut got = store.get_leads(&emails).await.unwrap();
    got.sort_by(|a, b| a.email.cmp(&b.email));
    let mut want = many;
    want.sort_by(|a, b| a.email.cmp(&b.email));
    assert_eq!(got, want);
}

/// Importing the same leads twice leaves one copy; a later import updates.
pub async fn lead_upserts_are_idempotent(store: Arc<dyn Store>) {
    let mut jane = lead("jane@acme.com", "Marketing Manager");
    let acc = Account::new(domain("acme.com"), t0());
    for _ in 0..2 {
        store
            .upsert_leads(std::slice::from_ref(&jane), std::slice::from_ref(&acc))
            .await
            .unwrap();
    }
    assert_eq!(store.list_leads().await.unwrap().len(), 1);
    jane.set_title(Some("Director of Marketing".into()));
    store.upsert_leads(&[jane.clone()], &[]).await.unwrap();
    let stored = store.get_lead(&jane.email).await.unwrap().unwrap();
    assert_eq!(stored.title.as_deref(), Some("Director of Marketing"));
    assert_eq!(store.list_accounts().await.unwrap().len(), 1);
}

/// Leads and accounts added only where absent leave what was stored meanwhile
/// (a form's lead with its title, an enriched account) as it is.
pub async fn new_leads_leave_stored_ones_alone(store: Arc<dyn Store>) {
    let jane = lead("jane@acme.com", "Director of Marketing");
    let mut acme = Account::new(domain("acme.com"), t0());
    acme.name = Some("Acme".into());
    store
        .upsert_leads(std::slice::from_ref(&jane), std::slice::from_ref(&acme))
        .await
        .unwrap();
    let bare_jane = Lead::new(email("jane@acme.com"), None, t0());
    let bo = Lead::new(email("bo@beta.io"), None, t0());
    let added = store
        .add_new_leads(
            &[bare_jane, bo.clone()],
            &[
                Account::new(domain("acme.com"), t0()),
                Account::new(domain("beta.io"), t0()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(added, 1);
    let stored = store.get_lead(&jane.email).await.unwrap().unwrap();
    assert_eq!(stored.title.as_deref(), Some("Director of Marketing"));
    assert_eq!(
        store
            .get_account(&domain("acme.com"))
            .await
            .unwrap()
            .unwrap()
            .name
            .as_deref(),
        Some("Acme")
    );
    assert!(store.get_lead(&bo.email).await.unwrap().is_some());
    assert!(
        store
            .get_account(&domain("beta.io"))
            .await
            .unwrap()
            .is_some()
    );
    // Listed under its account like any lead.
    let of_beta = store.leads_of_account(&domain("beta.io")).await.unwrap();
    assert_eq!(of_beta.len(), 1);
    // Again: nothing new.
    assert_eq!(store.add_new_leads(&[bo], &[]).await.unwrap(), 0);
}

/// Activities are stored once per id and returned oldest first.
pub async fn activities_are_idempotent_and_ordered(store: Arc<dyn Store>) {
    let jane = email("jane@acme.com");
    let mk = |days: i64, path: &str| {
        Activity::new(
            jane.clone(),
            ActivityKind::PageViewed { path: path.into() },
            t0() - Duration::days(days),
        )
    };
    let batch = vec![mk(1, "/pricing"), mk(3, "/"), mk(2, "/blog")];
    assert_eq!(store.add_activities(&batch).await.unwrap(), 3);
    assert_eq!(store.add_activities(&batch).await.unwrap(), 0);
    let mut more = batch.clone();
    more.push(Activity::new(
        jane.clone(),
        ActivityKind::WebinarAttended,
        t0(),
    ));
    assert_eq!(store.add_activities(&more).await.unwrap(), 1);
    let got = store.activities_of(&jane).await.unwrap();
    let paths: Vec<&str> = got
        .iter()
        .map(|a| a.subject().unwrap_or(a.kind.name()))
        .collect();
    assert_eq!(paths, ["/", "/blog", "/pricing", "webinar_attended"]);
    assert!(
        store
            .activities_of(&email("x@acme.com"))
            .await
            .unwrap()
            .is_empty()
    );
    // Ids are per lead: another lead's `evt-1` is another activity.
    let numbered = |who: &Email| {
        let mut a = Activity::new(who.clone(), ActivityKind::EmailOpened, t0());
        a.id = ActivityId("evt-1".into());
        a
    };
    let bo = email("bo@beta.io");
    assert_eq!(store.add_activities(&[numbered(&jane)]).await.unwrap(), 1);
    assert_eq!(store.add_activities(&[numbered(&bo)]).await.unwrap(), 1);
    assert_eq!(store.add_activities(&[numbered(&bo)]).await.unwrap(), 0);
    assert_eq!(store.activities_of(&bo).await.unwrap().len(), 1);
    assert_eq!(store.activities_of(&jane).await.unwrap().len(), 5);
}

/// Snapshots set the account's `enriched_at`; the newest is returned; due
/// accounts are those never or long ago enriched.
pub async fn snapshots_stamp_accounts_and_drive_due_list(store: Arc<dyn Store>) {
    let acme = domain("acme.com");
    store
        .upsert_account(&Account::new(domain("never.io"), t0()))
        .await
        .unwrap();
    let snap = |days: i64, tech: &str| EnrichmentSnapshot {
        domain: acme.clone(),
        enriched_at: t0() - Duration::days(days),
        signals: vec![Signal::new(
            "tech",
            SignalValue::Text(tech.into()),
            t0() - Duration::days(days),
        )],
        details: serde_json::json!({"pages": 3}),
        errors: vec!["https://acme.com/careers: timeout".into()],
    };
    store.put_snapshot(&snap(10, "Marketo")).await.unwrap();
    store.put_snapshot(&snap(2, "HubSpot")).await.unwrap();
    store.put_snapshot(&snap(2, "HubSpot")).await.unwrap();
    let latest = store.latest_snapshot(&acme).await.unwrap().unwrap();
    assert_eq!(latest, snap(2, "HubSpot"));
    let account = store
        .get_account(&acme)
        .await
        .unwrap()
        .expect("snapshot creates the account");
    assert_eq!(account.enriched_at, Some(t0() - Duration::days(2)));
    let due = store
        .accounts_due(t0() - Duration::days(1), 10)
        .await
        .unwrap();
    assert_eq!(
        due,
        vec![domain("never.io"), acme.clone()],
        "never-enriched first"
    );
    let due = store
        .accounts_due(t0() - Duration::days(5), 10)
        .await
        .unwrap();
    assert_eq!(due, vec![domain("never.io")]);
    assert_eq!(store.accounts_due(t0(), 1).await.unwrap().len(), 1);
    assert_eq!(
        store.latest_snapshot(&domain("none.io")).await.unwrap(),
        None
    );
}

/// `domain`'s stored account has the writer's `employees` and the
/// snapshot's `enriched`, and is not due.
async fn assert_kept_enrichment(
    store: &dyn Store,
    domain: &Domain,
    employees: u64,
    enriched: DateTime<Utc>,
) {
    let stored = store.get_account(domain).await.unwrap().unwrap();
    assert_eq!(stored.firmographics.employees, Some(employees));
    assert_eq!(stored.enriched_at, Some(enriched));
    let due = store
        .accounts_due(t0() - Duration::days(2), 10)
        .await
        .unwrap();
    assert!(due.is_empty(), "{due:?}");
}

/// An account written from a copy read before a snapshot (an import or a
/// form racing an enrichment) keeps the snapshot's `enriched_at`: the
/// account is not due again, and its other fields are the writer's.
pub async fn account_writes_keep_a_later_enrichment(store: Arc<dyn Store>) {
    let acme = domain("acme.com");
    let read_before = Account::new(acme.clone(), t0());
    store.upsert_account(&read_before).await.unwrap();
    let enriched = t0() - Duration::days(1);
    store
        .put_snapshot(&EnrichmentSnapshot {
            domain: acme.clone(),
            enriched_at: enriched,
            signals: vec![],
            details: serde_json::json!({}),
            errors: vec![],
        })
        .await
        .unwrap();
    let mut edited = read_before.clone();
    edited.firmographics.employees = Some(250);
    store.upsert_account(&edited).await.unwrap();
    assert_kept_enrichment(store.as_ref(), &acme, 250, enriched).await;

    // The same through a lead import, which writes its accounts too.
    edited.firmographics.employees = Some(300);
    edited.enriched_at = Some(enriched - Duration::days(30));
    store
        .upsert_leads(&[lead("jane@acme.com", "CEO")], &[edited.clone()])
        .await
        .unwrap();
    assert_kept_enrichment(store.as_ref(), &acme, 300, enriched).await;

    // A later enrichment time is written as given.
    edited.enriched_at = Some(t0());
    store.upsert_account(&edited).await.unwrap();
    let stored = store.get_account(&acme).await.unwrap().unwrap();
    assert_eq!(stored.enriched_at, Some(t0()));
}

/// A score write succeeds only against the version the writer read.
pub async fn score_writes_are_conditional_and_versioned(store: Arc<dyn Store>) {
    let e = "jane@acme.com";
    let first = ScoreWrite {
        record: record(e, 1, 40.0, Tier::Cold),
        expected_version: 0,
        alert: None,
    };
    store.save_score(&first).await.unwrap();
    assert!(matches!(
        store.save_score(&first).await,
        Err(StoreError::Conflict(_))
    ));
    let second = ScoreWrite {
        record: record(e, 2, 55.0, Tier::Warm),
        expected_version: 1,
        alert: None,
    };
    store.save_score(&second).await.unwrap();
    let stale = ScoreWrite {
        record: record(e, 2, 99.0, Tier::Hot),
        expected_version: 1,
        alert: Some(alert(e, 2)),
    };
    assert!(matches!(
        store.save_score(&stale).await,
        Err(StoreError::Conflict(_))
    ));
    let current = store.current_score(&email(e)).await.unwrap().unwrap();
    assert_eq!(current, second.record);
    // The listing shows the lead once, in its new tier only.
    assert!(
        store
            .list_scores(Some(Tier::Cold))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.list_scores(Some(Tier::Warm)).await.unwrap(),
        std::slice::from_ref(&second.record)
    );
    assert_eq!(
        store.list_scores(None).await.unwrap(),
        std::slice::from_ref(&second.record)
    );
    let history = store.score_history(&email(e), 10).await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(store.score_history(&email(e), 1).await.unwrap().len(), 1);
    assert!(
        store.pending_alerts(10).await.unwrap().is_empty(),
        "a lost write leaves no alert"
    );
    assert_eq!(
        store.current_score(&email("x@acme.com")).await.unwrap(),
        None
    );
}

/// Scores are due for a scheduled rescoring by when they were last
/// checked: written (at their `scored_at`), or found unchanged.
pub async fn scores_come_due_by_their_last_check(store: Arc<dyn Store>) {
    let scored = |e: &str, version: u64, at: DateTime<Utc>| {
        let mut r = record(e, version, 50.0, Tier::Warm);
        r.score.scored_at = at;
        ScoreWrite {
            record: r,
            expected_version: version - 1,
            alert: None,
        }
    };
    let (a, b, c) = ("a@acme.com", "b@beta.io", "c@gamma.io");
    for (e, days) in [(a, 3), (b, 1), (c, 2)] {
        store
            .save_score(&scored(e, 1, t0() - Duration::days(days)))
            .await
            .unwrap();
    }
    let due = |before: DateTime<Utc>, limit: usize| {
        let store = store.clone();
        async move { store.scores_due(before, limit).await.unwrap() }
    };
    let half_day = t0() - Duration::hours(12);
    assert_eq!(due(half_day, 10).await, [email(a), email(c), email(b)]);
    assert_eq!(due(half_day, 2).await, [email(a), email(c)]);
    assert_eq!(
        due(t0() - Duration::hours(36), 10).await,
        [email(a), email(c)]
    );
    assert_eq!(
        due(t0() - Duration::days(2), 10).await,
        [email(a)],
        "checked at the cutoff: not before it"
    );

    // Found unchanged at t0: checked, not due.
    store.mark_score_checked(&email(a), 1, t0()).await.unwrap();
    assert_eq!(due(half_day, 10).await, [email(c), email(b)]);
    // Idempotent, and a check never moves back.
    store.mark_score_checked(&email(a), 1, t0()).await.unwrap();
    store
        .mark_score_checked(&email(a), 1, t0() - Duration::days(5))
        .await
        .unwrap();
    assert_eq!(due(half_day, 10).await, [email(c), email(b)]);
    // A check of a version that is not the stored one changes nothing.
    store.mark_score_checked(&email(c), 2, t0()).await.unwrap();
    assert_eq!(due(half_day, 10).await, [email(c), email(b)]);
    // A rewrite is a check at its own `scored_at`.
    store.save_score(&scored(b, 2, t0())).await.unwrap();
    assert_eq!(due(half_day, 10).await, [email(c)]);
    // An unknown lead: nothing to do.
    store
        .mark_score_checked(&email("nobody@acme.com"), 1, t0())
        .await
        .unwrap();
    assert_eq!(
        due(t0() + Duration::days(1), 10).await,
        [email(c), email(a), email(b)],
        "the longest unchecked first; equal times by email"
    );
    assert_eq!(due(t0() + Duration::days(1), 2).await, [email(c), email(a)]);
    assert_eq!(
        store
            .current_score(&email(a))
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );

    // Equal times past the limit: the lowest emails, whichever partition
    // of an index they are kept in.
    let at = t0() - Duration::days(10);
    for i in 0..6 {
        store
            .save_score(&scored(&format!("tie{i}@ties.io"), 1, at))
            .await
            .unwrap();
    }
    assert_eq!(
        due(at + Duration::hours(1), 3).await,
        [
            email("tie0@ties.io"),
            email("tie1@ties.io"),
            email("tie2@ties.io")
        ]
    );
    // Times are kept to the millisecond, in every store: a check and a
    // cutoff within one millisecond are equal, so not before it.
    let sub = t0() + Duration::days(3);
    let e = "sub@ms.io";
    store
        .save_score(&scored(e, 1, sub + Duration::microseconds(400)))
        .await
        .unwrap();
    let due_now = due(sub + Duration::microseconds(700), 20).await;
    assert!(!due_now.contains(&email(e)), "{due_now:?}");
    assert!(
        due(sub + Duration::milliseconds(1), 20)
            .await
            .contains(&email(e))
    );
}

/// The alert is committed with its score, and only then.
pub async fn alerts_commit_with_their_score_only(store: Arc<dyn Store>) {
    let e = "jane@acme.com";
    let hot = ScoreWrite {
        record: record(e, 1, 85.0, Tier::Hot),
        expected_version: 0,
        alert: Some(alert(e, 1)),
    };
    store.save_score(&hot).await.unwrap();
    let pending = store.pending_alerts(10).await.unwrap();
    assert_eq!(pending, vec![alert(e, 1)]);
    assert_eq!(
        store
            .current_score(&email(e))
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );
}

/// Delivery marks are idempotent; failures keep the alert pending, at the
/// back of the queue.
pub async fn outbox_delivery_is_idempotent(store: Arc<dyn Store>) {
    for (i, e) in ["a@acme.com", "b@acme.com", "c@acme.com"]
        .iter()
        .enumerate()
    {
        let w = ScoreWrite {
            record: record(e, 1, 90.0 - i as f64, Tier::Hot),
            expected_version: 0,
            alert: Some(alert(e, 1)),
        };
        store.save_score(&w).await.unwrap();
    }
    let pending = store.pending_alerts(10).await.unwrap();
    assert_eq!(pending.len(), 3);
    assert_eq!(store.pending_alerts(2).await.unwrap().len(), 2);
    store
        .record_alert_failure(&pending[0].id, "HTTP 500", t0() + Duration::minutes(1))
        .await
        .unwrap();
    // Still pending, now at the back of the queue: a limited listing shows
    // the others first.
    let ids = |v: Vec<Alert>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.pending_alerts(10).await.unwrap()),
        [
            pending[1].id.clone(),
            pending[2].id.clone(),
            pending[0].id.clone()
        ]
    );
    assert_eq!(
        ids(store.pending_alerts(2).await.unwrap()),
        [pending[1].id.clone(), pending[2].id.clone()]
    );
    // The records tell the failures: attempts and the last one's reason.
    store
        .record_alert_failure(
            &pending[0].id,
            "slack: HTTP 404",
            t0() + Duration::minutes(2),
        )
        .await
        .unwrap();
    let records = store.pending_alert_records(10).await.unwrap();
    let record = |id: &str| {
        records
            .iter()
            .find(|r| r.alert.id == id)
            .map(|r| (r.attempts, r.last_error.clone()))
    };
    assert_eq!(
        record(&pending[0].id),
        Some((2, Some("slack: HTTP 404".to_owned())))
    );
    assert_eq!(record(&pending[1].id), Some((0, None)));
    assert_eq!(records[2].alert, pending[0]);
    store
        .mark_alert_delivered(&pending[0].id, t0())
        .await
        .unwrap();
    store
        .mark_alert_delivered(&pending[0].id, t0())
        .await
        .unwrap();
    store
        .mark_alert_delivered("no-such-alert", t0())
        .await
        .unwrap();
    let left: Vec<String> = store
        .pending_alerts(10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(left, vec![pending[1].id.clone(), pending[2].id.clone()]);
}

/// Writers racing from the same read: exactly one write lands, with one
/// alert. The writer whose write landed is told so, except on a service
/// that answers one attempt ambiguously (DynamoDB through a retried
/// request: the retry finds the landed write and reports a conflict, which
/// the pipeline resolves by reading again), so at most one is told Ok.
pub async fn concurrent_writers_produce_one_alert(store: Arc<dyn Store>) {
    let e = "race@acme.com";
    let mut tasks = Vec::new();
    for total in [81.0, 82.0, 83.0, 84.0] {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .save_score(&ScoreWrite {
                    record: record(e, 1, total, Tier::Hot),
                    expected_version: 0,
                    alert: Some(alert(e, 1)),
                })
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert!(ok <= 1, "{ok} writers won");
    assert_eq!(store.pending_alerts(10).await.unwrap().len(), 1);
    assert_eq!(store.score_history(&email(e), 10).await.unwrap().len(), 1);
}

/// Scores list by settled tier, highest total first.
pub async fn scores_list_by_tier_highest_first(store: Arc<dyn Store>) {
    for (e, total, tier) in [
        ("a@acme.com", 72.0, Tier::Warm),
        ("b@acme.com", 91.0, Tier::Hot),
        ("c@acme.com", 20.0, Tier::Cold),
        ("d@acme.com", 78.0, Tier::Hot), // kept hot by hysteresis
    ] {
        store
            .save_score(&ScoreWrite {
                record: record(e, 1, total, tier),
                expected_version: 0,
                alert: None,
            })
            .await
            .unwrap();
    }
    let all: Vec<String> = store
        .list_scores(None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.lead.to_string())
        .collect();
    assert_eq!(
        all,
        ["b@acme.com", "d@acme.com", "a@acme.com", "c@acme.com"]
    );
    let hot: Vec<f64> = store
        .list_scores(Some(Tier::Hot))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.score.total)
        .collect();
    assert_eq!(hot, [91.0, 78.0]);
    assert!(store.list_scores(Some(Tier::Cold)).await.unwrap().len() == 1);
}

/// Account scores are stored and listed highest first.
pub async fn account_scores_roundtrip(store: Arc<dyn Store>) {
    let s = |d: &str, total: f64| AccountScore {
        domain: domain(d),
        total,
        tier: Tier::Warm,
        top_lead: Some(email(&format!("a@{d}"))),
        engaged_leads: 1,
        leads: 2,
        bonus: 0.0,
    };
    store
        .save_account_score(&s("acme.com", 50.0))
        .await
        .unwrap();
    store.save_account_score(&s("beta.io", 70.0)).await.unwrap();
    store
        .save_account_score(&s("acme.com", 60.0))
        .await
        .unwrap();
    assert_eq!(
        store.list_account_scores().await.unwrap(),
        vec![s("beta.io", 70.0), s("acme.com", 60.0)]
    );
}

/// Unicode text and large records round-trip unchanged.
pub async fn records_survive_unicode_and_large_payloads(store: Arc<dyn Store>) {
    let mut l = lead("zoë@bücher.example", "Directora de Comunicación — 市场总监");
    l.first_name = Some("Zoë 🚀".into());
    l.attributes.insert("notes".into(), "x".repeat(100_000));
    store.upsert_leads(&[l.clone()], &[]).await.unwrap();
    assert_eq!(store.get_lead(&l.email).await.unwrap(), Some(l.clone()));
    assert_eq!(l.email.as_str(), "zoë@xn--bcher-kva.example");
}

/// The context reads return what the individual reads return.
pub async fn contexts_read_what_was_written(store: Arc<dyn Store>) {
    let jane = lead("jane@acme.com", "VP Marketing");
    let acme = domain("acme.com");
    assert_eq!(store.lead_context(&jane.email).await.unwrap(), None);
    let ctx = store.account_context(&acme).await.unwrap();
    assert_eq!((ctx.account, ctx.signals.len()), (None, 0));
    let mut acc = Account::new(acme.clone(), t0());
    acc.firmographics.employees = Some(80);
    store
        .upsert_leads(std::slice::from_ref(&jane), std::slice::from_ref(&acc))
        .await
        .unwrap();
    let ctx = store.lead_context(&jane.email).await.unwrap().unwrap();
    assert_eq!(
        (ctx.lead, ctx.activities.len(), ctx.score),
        (jane.clone(), 0, None)
    );
    let acts = vec![
        Activity::new(jane.email.clone(), ActivityKind::WebinarAttended, t0()),
        Activity::new(
            jane.email.clone(),
            ActivityKind::EmailOpened,
            t0() - Duration::days(1),
        ),
    ];
    store.add_activities(&acts).await.unwrap();
    store
        .save_score(&ScoreWrite {
            record: record("jane@acme.com", 1, 61.0, Tier::Warm),
            expected_version: 0,
            alert: None,
        })
        .await
        .unwrap();
    let ctx = store.lead_context(&jane.email).await.unwrap().unwrap();
    assert_eq!(
        ctx.activities,
        store.activities_of(&jane.email).await.unwrap()
    );
    assert_eq!(ctx.activities[0].kind, ActivityKind::EmailOpened);
    assert_eq!(ctx.score, store.current_score(&jane.email).await.unwrap());
    // A disqualified score keeps the rule that disqualified it.
    let mut disqualified = record("jane@acme.com", 2, 0.0, Tier::Cold);
    disqualified.score.disqualified_by = Some("competitor".into());
    store
        .save_score(&ScoreWrite {
            record: disqualified.clone(),
            expected_version: 1,
            alert: None,
        })
        .await
        .unwrap();
    let ctx = store.lead_context(&jane.email).await.unwrap().unwrap();
    assert_eq!(ctx.score, Some(disqualified));
    let snap = EnrichmentSnapshot {
        domain: acme.clone(),
        enriched_at: t0(),
        signals: vec![Signal::new(
            "tech",
            SignalValue::Text("HubSpot".into()),
            t0(),
        )],
        details: serde_json::Value::Null,
        errors: Vec::new(),
    };
    store.put_snapshot(&snap).await.unwrap();
    // A later account upsert (an import) keeps the account's signals.
    let mut acc = store.get_account(&acme).await.unwrap().unwrap();
    acc.firmographics.employees = Some(90);
    store.upsert_account(&acc).await.unwrap();
    let ctx = store.account_context(&acme).await.unwrap();
    assert_eq!(ctx.account, Some(acc));
    assert_eq!(ctx.signals, snap.signals);
}

/// Rate-limit counts: each hit counts once, concurrent ones too, per key;
/// a window's key counts on while other keys' expired counts go.
pub async fn hit_counts_are_atomic_and_per_key(store: Arc<dyn Store>) {
    let until = t0() + Duration::hours(1);
    for want in 1..=3 {
        let n = store
            .count_hit("form:198.51.100.7:2026030109", t0(), until)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n, want);
    }
    let other = store
        .count_hit("form:203.0.113.9:2026030109", t0(), until)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other, 1, "another key counts on its own");
    // Twenty concurrent hits: every count from 4 to 23 comes back once.
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .count_hit("form:198.51.100.7:2026030109", t0(), until)
                    .await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(
            t.await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    counts.sort_unstable();
    assert_eq!(counts, (4..=23).collect::<Vec<u64>>());
    // The next hour's window starts from one.
    let later = t0() + Duration::hours(1) + Duration::seconds(1);
    let next = store
        .count_hit(
            "form:198.51.100.7:2026030110",
            later,
            later + Duration::hours(1),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(next, 1);
}

/// Idempotency claims: one of many concurrent claimers acquires; an expired
/// lease can be taken over; a completed key stays done.
pub async fn claims_are_exclusive_leased_and_final(store: Arc<dyn Store>) {
    let lease = t0() + Duration::minutes(5);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.claim("notify:slack:abc", t0(), lease).await.unwrap()
        }));
    }
    let mut acquired = 0;
    for t in tasks {
        match t.await.unwrap() {
            Claim::Acquired => acquired += 1,
            Claim::Busy => {}
            Claim::Done => panic!("nothing completed yet"),
        }
    }
    assert_eq!(acquired, 1);
    assert_eq!(
        store
            .claim("notify:slack:abc", t0() + Duration::minutes(1), lease)
            .await
            .unwrap(),
        Claim::Busy
    );
    // The holder crashed: from the lease's end, another worker takes over.
    let later = lease;
    assert_eq!(
        store
            .claim("notify:slack:abc", later, later + Duration::minutes(5))
            .await
            .unwrap(),
        Claim::Acquired
    );
    let retry = || store.claim("notify:slack:abc", later, later + Duration::minutes(5));
    // Another holder's lease (the first one, long expired) releases nothing.
    store
        .release("notify:slack:abc", t0() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(retry().await.unwrap(), Claim::Busy);
    // A failed attempt releases its claim: the retry acquires at once.
    store
        .release("notify:slack:abc", later + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(retry().await.unwrap(), Claim::Acquired);
    store.complete("notify:slack:abc", later).await.unwrap();
    store.complete("notify:slack:abc", later).await.unwrap();
    store
        .release("notify:slack:abc", later + Duration::minutes(5))
        .await
        .unwrap();
    let much_later = t0() + Duration::days(1);
    assert_eq!(
        store
            .claim(
                "notify:slack:abc",
                much_later,
                much_later + Duration::minutes(5)
            )
            .await
            .unwrap(),
        Claim::Done
    );
    assert_eq!(
        store.claim("notify:email:abc", t0(), lease).await.unwrap(),
        Claim::Acquired
    );
}

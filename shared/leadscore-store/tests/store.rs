//! The store contract on every embedded adapter, plus SQLite specifics.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns panic by design

mod sqlite_in_memory {
    leadscore_store::store_contract_tests!(async {
        leadscore_store::SqliteStore::open_in_memory().unwrap()
    });
}

mod sqlite_file {
    // A real file with WAL, kept alive for the test by leaking its temp dir
    // handle into the store's lifetime (the OS cleans the temp dir).
    leadscore_store::store_contract_tests!(async {
        let dir = tempfile::tempdir().unwrap().keep();
        leadscore_store::SqliteStore::open(dir.join("leadscore.db")).unwrap()
    });
}

mod memory {
    leadscore_store::store_contract_tests!(async { leadscore_store::MemoryStore::new() });
}

/// The fault-injecting wrapper, with no fault set, is the store it wraps.
mod faulty_without_faults {
    leadscore_store::store_contract_tests!(async {
        leadscore_store::faulty::FaultyStore::new(leadscore_store::MemoryStore::new())
    });
}

mod sqlite_specifics {
    use leadscore_core::domain::{Account, Domain};
    use leadscore_store::{SqliteStore, Store};

    #[tokio::test]
    async fn reopening_keeps_data_and_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let d = Domain::parse("acme.com").unwrap();
        {
            let s = SqliteStore::open(&path).unwrap();
            s.upsert_account(&Account::new(d.clone(), chrono::Utc::now()))
                .await
                .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 6);
        assert!(s.get_account(&d).await.unwrap().is_some());
        let mode: String = rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn processes_opening_a_new_file_at_once_all_get_the_schema() {
        // Four openers of each of 10 new files, started together (threads
        // stand in for processes: each has its own connection). Reading the
        // version before taking the write lock let two of them create the
        // same tables.
        let dir = tempfile::tempdir().unwrap();
        for round in 0..10 {
            let path = dir.path().join(format!("new-{round}.db"));
            let start = std::sync::Arc::new(std::sync::Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        SqliteStore::open(&path).map(|s| s.schema_version().unwrap())
                    })
                })
                .collect();
            for o in openers {
                assert_eq!(o.join().unwrap().unwrap(), 6, "round {round}");
            }
        }
    }

    #[tokio::test]
    async fn version_2_activities_survive_the_move_to_per_lead_ids() {
        use leadscore_core::domain::{Activity, ActivityKind, Email};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let jane = Email::parse("jane@acme.com").unwrap();
        let a = Activity::new(jane.clone(), ActivityKind::EmailOpened, chrono::Utc::now());
        {
            // Version 2's activities table, one row in it (and its outbox,
            // which a later migration changes).
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(&format!(
                "CREATE TABLE activities (id TEXT PRIMARY KEY, email TEXT NOT NULL,
                 occurred_at TEXT NOT NULL, json TEXT NOT NULL);
                 CREATE INDEX activities_email ON activities (email, occurred_at);
                 {V3_OUTBOX} {V4_SCORES}
                 PRAGMA user_version = 2;"
            ))
            .unwrap();
            c.execute(
                "INSERT INTO activities VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    a.id.0,
                    jane.as_str(),
                    a.occurred_at.to_rfc3339(),
                    serde_json::to_string(&a).unwrap()
                ],
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 6);
        assert_eq!(s.activities_of(&jane).await.unwrap(), vec![a.clone()]);
        assert_eq!(s.add_activities(&[a]).await.unwrap(), 0, "still known");
    }

    /// The scores table as versions 1 to 4 made it.
    const V4_SCORES: &str = "CREATE TABLE scores (email TEXT PRIMARY KEY, version INTEGER NOT NULL,
         tier TEXT NOT NULL, total REAL NOT NULL, json TEXT NOT NULL);";

    /// A score stored before scores were checked is due for the scheduled
    /// rescoring at once; one written since is due by its `scored_at`.
    #[tokio::test]
    async fn version_4_scores_are_due_at_once() {
        use chrono::{Duration, TimeZone, Utc};
        use leadscore_core::domain::Email;
        use leadscore_core::{Grade, Score, Tier};
        use leadscore_store::{ScoreRecord, ScoreWrite};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let record = |who: &str, version: u64| {
            let lead = Email::parse(&format!("{who}@acme.com")).unwrap();
            ScoreRecord {
                account: Some(lead.domain()),
                lead,
                version,
                tier: Tier::Warm,
                account_seen: None,
                score: Score {
                    fit: 50.0,
                    engagement: 50.0,
                    total: 50.0,
                    tier: Tier::Warm,
                    grade: Grade {
                        fit: 'B',
                        engagement: 2,
                    },
                    contributions: Vec::new(),
                    model_version: "m@1".into(),
                    scored_at: t0,
                    disqualified_by: None,
                },
            }
        };
        let old = record("old", 1);
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(&format!(
                "{V3_OUTBOX} {V4_SCORES}
                 CREATE TABLE score_history (email TEXT NOT NULL, version INTEGER NOT NULL,
                 json TEXT NOT NULL, PRIMARY KEY (email, version));
                 PRAGMA user_version = 4;"
            ))
            .unwrap();
            c.execute(
                "INSERT INTO scores VALUES (?1, 1, 'warm', 50.0, ?2)",
                rusqlite::params![old.lead.as_str(), serde_json::to_string(&old).unwrap()],
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 6);
        s.save_score(&ScoreWrite {
            record: record("new", 1),
            expected_version: 0,
            alert: None,
        })
        .await
        .unwrap();
        let before = t0 - Duration::days(30);
        assert_eq!(
            s.scores_due(before, 10).await.unwrap(),
            std::slice::from_ref(&old.lead)
        );
        assert_eq!(s.current_score(&old.lead).await.unwrap(), Some(old.clone()));
        s.mark_score_checked(&old.lead, 1, t0).await.unwrap();
        assert!(s.scores_due(before, 10).await.unwrap().is_empty());
    }

    /// The outbox as versions 1 to 3 made it.
    const V3_OUTBOX: &str = "CREATE TABLE outbox (id TEXT PRIMARY KEY, created_at TEXT NOT NULL,
         delivered_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
         json TEXT NOT NULL);
         CREATE INDEX outbox_pending ON outbox (delivered_at, created_at);";

    #[tokio::test]
    async fn version_3_pending_alerts_keep_their_order_in_the_queue() {
        use chrono::{Duration, TimeZone, Utc};
        use leadscore_core::domain::{Alert, AlertKind, Email};
        use leadscore_core::{Grade, Tier};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let alert = |who: &str, minutes: i64| Alert {
            id: format!("{who}:hot"),
            kind: AlertKind::BecameHot,
            lead: Email::parse(&format!("{who}@acme.com")).unwrap(),
            lead_name: who.into(),
            title: None,
            owner: None,
            account: None,
            account_name: None,
            score: 90.0,
            previous_score: None,
            tier: Tier::Hot,
            grade: Grade {
                fit: 'A',
                engagement: 1,
            },
            reasons: Vec::new(),
            model_version: "m@1".into(),
            score_version: 1,
            created_at: t0 + Duration::minutes(minutes),
        };
        // Written out of time order; one already delivered.
        let rows = [
            (alert("late", 5), None),
            (alert("early", 1), None),
            (alert("done", 0), Some(t0)),
        ];
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(&format!("{V3_OUTBOX} {V4_SCORES} PRAGMA user_version = 3;"))
                .unwrap();
            for (a, delivered) in &rows {
                c.execute(
                    "INSERT INTO outbox (id, created_at, delivered_at, json) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![
                        a.id,
                        leadscore_store::timestamp(a.created_at),
                        delivered.map(leadscore_store::timestamp),
                        serde_json::to_string(a).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 6);
        let ids = |v: Vec<Alert>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(
            ids(s.pending_alerts(10).await.unwrap()),
            ["early:hot", "late:hot"]
        );
        s.record_alert_failure("early:hot", "HTTP 404", t0 + Duration::minutes(9))
            .await
            .unwrap();
        assert_eq!(
            ids(s.pending_alerts(10).await.unwrap()),
            ["late:hot", "early:hot"]
        );
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = SqliteStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer than this leadscore"), "{err}");
    }

    #[tokio::test]
    async fn corrupt_rows_are_reported_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        drop(SqliteStore::open(&path).unwrap());
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO accounts (domain, json) VALUES ('acme.com', '{not json')",
                [],
            )
            .unwrap();
        let s = SqliteStore::open(&path).unwrap();
        let err = s.list_accounts().await.unwrap_err();
        assert!(
            matches!(err, leadscore_store::StoreError::Corrupt(_)),
            "{err}"
        );
    }
}

mod faulty_store {
    use leadscore_core::domain::Email;
    use leadscore_store::faulty::FaultyStore;
    use leadscore_store::{MemoryStore, Store, StoreError};

    #[tokio::test]
    async fn a_fault_fails_only_its_call_and_key_until_healed() {
        let store = FaultyStore::new(MemoryStore::new());
        let ada = Email::parse("ada@acme.test").unwrap();
        let bo = Email::parse("bo@acme.test").unwrap();
        store.fail("get_lead", Some("ada@acme.test"));
        assert!(matches!(
            store.get_lead(&ada).await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(store.get_lead(&bo).await.unwrap().is_none());
        assert!(store.activities_of(&ada).await.unwrap().is_empty());
        assert_eq!(store.failed_calls(), ["get_lead:ada@acme.test"]);
        store.heal();
        assert!(store.get_lead(&ada).await.unwrap().is_none());
    }
}

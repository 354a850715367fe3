//! The embedded store: one SQLite file (bundled SQLite, WAL journal).
//!
//! Records are stored as JSON beside the columns that queries need. Schema
//! changes are numbered migrations tracked in `PRAGMA user_version`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::Tier;
use leadscore_core::domain::{Account, Activity, Domain, Email, EnrichmentSnapshot, Lead};
use leadscore_core::rollup::AccountScore;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{
    Claim, PendingAlert, Result, ScoreRecord, ScoreWrite, Store, StoreError, from_json, timestamp,
    to_json,
};

/// Numbered migrations; index + 1 is the schema version after it runs.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE accounts (
    domain      TEXT PRIMARY KEY,
    enriched_at TEXT,
    json        TEXT NOT NULL
);
CREATE INDEX accounts_enriched_at ON accounts (enriched_at);
CREATE TABLE leads (
    email   TEXT PRIMARY KEY,
    account TEXT,
    json    TEXT NOT NULL
);
CREATE INDEX leads_account ON leads (account);
CREATE TABLE activities (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    json        TEXT NOT NULL
);
CREATE INDEX activities_email ON activities (email, occurred_at);
CREATE TABLE snapshots (
    domain      TEXT NOT NULL,
    enriched_at TEXT NOT NULL,
    json        TEXT NOT NULL,
    PRIMARY KEY (domain, enriched_at)
);
CREATE TABLE scores (
    email   TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    tier    TEXT NOT NULL,
    total   REAL NOT NULL,
    json    TEXT NOT NULL
);
CREATE INDEX scores_tier_total ON scores (tier, total DESC);
CREATE TABLE score_history (
    email   TEXT NOT NULL,
    version INTEGER NOT NULL,
    json    TEXT NOT NULL,
    PRIMARY KEY (email, version)
);
CREATE TABLE account_scores (
    domain TEXT PRIMARY KEY,
    total  REAL NOT NULL,
    json   TEXT NOT NULL
);
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL,
    delivered_at TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    json         TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (delivered_at, created_at);
",
    r"
CREATE TABLE claims (
    key          TEXT PRIMARY KEY,
    lease_until  TEXT NOT NULL,
    completed_at TEXT
);
",
    // An activity's id is unique per lead, as on DynamoDB: two leads' source
    // systems may both number an event `evt-1`.
    r"
CREATE TABLE activities_by_lead (
    id          TEXT NOT NULL,
    email       TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    json        TEXT NOT NULL,
    PRIMARY KEY (email, id)
);
INSERT INTO activities_by_lead (id, email, occurred_at, json)
    SELECT id, email, occurred_at, json FROM activities;
DROP TABLE activities;
ALTER TABLE activities_by_lead RENAME TO activities;
CREATE INDEX activities_email ON activities (email, occurred_at);
",
    // Pending alerts are listed in queue order: by the time an alert was
    // written or its delivery last failed, so alerts that keep failing go to
    // the back instead of taking every listing.
    r"
ALTER TABLE outbox ADD COLUMN queued_at TEXT NOT NULL DEFAULT '';
UPDATE outbox SET queued_at = created_at;
DROP INDEX outbox_pending;
CREATE INDEX outbox_queue ON outbox (delivered_at, queued_at);
",
    // When each current score was last checked (written, or found current
    // by a rescoring): the scheduled rescoring pass takes the longest
    // unchecked first. Scores stored before this have none: due at once.
    r"
ALTER TABLE scores ADD COLUMN checked_at TEXT NOT NULL DEFAULT '';
CREATE INDEX scores_checked_at ON scores (checked_at);
",
    // Hit counts of rate limits, by window key.
    r"
CREATE TABLE counters (
    key        TEXT PRIMARY KEY,
    hits       INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX counters_expires_at ON counters (expires_at);
",
];

/// The SQLite adapter of [`Store`].
///
/// One connection behind a mutex: SQLite serializes writers anyway, and the
/// embedded store serves one machine. Calls run on the caller's thread.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn backend(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(msg.unwrap_or_else(|| f.to_string()))
        }
        other => StoreError::Backend(other.to_string()),
    }
}

/// How long a statement waits for another connection's lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Puts the file in WAL mode. While another connection has a new file open
/// in its first (rollback) journal mode, SQLite refuses the change at once
/// with "database is locked", without waiting as it does for other
/// statements; so this waits and tries again, up to [`BUSY_TIMEOUT`]. Once
/// the file is in WAL mode (it stays so), the change is a no-op.
fn set_wal(conn: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut wait = std::time::Duration::from_millis(2);
    loop {
        match conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(backend)
        {
            Err(StoreError::Unavailable(_)) if std::time::Instant::now() < deadline => {
                std::thread::sleep(wait);
                wait = (wait * 2).min(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let conn = Connection::open(path.as_ref()).map_err(|e| {
            StoreError::Backend(format!("cannot open {}: {e}", path.as_ref().display()))
        })?;
        Self::init(conn, true)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory().map_err(backend)?, false)
    }

    fn init(conn: Connection, wal: bool) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        if wal {
            set_wal(&conn)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(backend)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(backend)?;
        let store = Self {
            conn: Mutex::new(conn),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Brings the schema up to date, one migration per transaction. Each
    /// takes the write lock before it reads the version (an IMMEDIATE
    /// transaction), so two processes opening a new file at once migrate one
    /// after the other instead of both creating the same tables.
    fn migrate(&self) -> Result<()> {
        let mut conn = self.lock();
        loop {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(backend)?;
            let current: usize = tx
                .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .map_err(backend)? as usize;
            if current > MIGRATIONS.len() {
                return Err(StoreError::Backend(format!(
                    "database schema version {current} is newer than this leadscore ({}); upgrade leadscore",
                    MIGRATIONS.len()
                )));
            }
            let Some(sql) = MIGRATIONS.get(current) else {
                return Ok(());
            };
            tx.execute_batch(sql).map_err(backend)?;
            tx.pragma_update(None, "user_version", (current + 1) as i64)
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
        }
    }

    /// The schema version after migrations.
    pub fn schema_version(&self) -> Result<i64> {
        self.lock()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(backend)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-applied
        // transaction (rusqlite rolls back on drop), so the data is fine.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The keys a due-list query (`?1` the cutoff, `?2` the limit) selects,
    /// in its order.
    fn due(&self, sql: &str, before: DateTime<Utc>, limit: usize) -> Result<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
        stmt.query_map(params![timestamp(before), limit as i64], |r| {
            r.get::<_, String>(0)
        })
        .map_err(backend)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(backend)
    }

    fn query_json<T: for<'de> serde::Deserialize<'de>>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<T>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(backend)?;
        let rows = stmt
            .query_map(params, |r| r.get::<_, String>(0))
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        rows.iter().map(|j| from_json(j)).collect()
    }

    fn one_json<T: for<'de> serde::Deserialize<'de>>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<T>> {
        Ok(self.query_json(sql, params)?.into_iter().next())
    }
}

/// Writes `account`, keeping a later `enriched_at` already stored (a
/// snapshot written since the caller read the account). Call inside a
/// write transaction.
/// Inserts `leads`, a conflict on an email resolved by `on_conflict` (an
/// `ON CONFLICT` clause); returns how many rows were written.
fn insert_leads(conn: &Connection, leads: &[Lead], on_conflict: &str) -> Result<usize> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "INSERT INTO leads (email, account, json) VALUES (?1, ?2, ?3) {on_conflict}"
        ))
        .map_err(backend)?;
    let mut written = 0;
    for l in leads {
        written += stmt
            .execute(params![
                l.email.as_str(),
                l.account.as_ref().map(Domain::as_str),
                to_json(l)?
            ])
            .map_err(backend)?;
    }
    Ok(written)
}

fn put_account(conn: &Connection, account: &Account) -> Result<()> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT json FROM accounts WHERE domain = ?1")
        .and_then(|mut s| {
            s.query_row([account.domain.as_str()], |r| r.get(0))
                .optional()
        })
        .map_err(backend)?;
    let stored = stored
        .map(|j| from_json::<Account>(&j))
        .transpose()?
        .and_then(|a| a.enriched_at);
    let mut account = std::borrow::Cow::Borrowed(account);
    if stored > account.enriched_at {
        account.to_mut().enriched_at = stored;
    }
    write_account(conn, &account)
}

/// Inserts or replaces `account` as it is (its caller has read the stored
/// one in the same transaction).
fn write_account(conn: &Connection, account: &Account) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO accounts (domain, enriched_at, json) VALUES (?1, ?2, ?3)
         ON CONFLICT (domain) DO UPDATE SET enriched_at = excluded.enriched_at, json = excluded.json",
    )
    .and_then(|mut s| {
        s.execute(params![
            account.domain.as_str(),
            account.enriched_at.map(timestamp),
            to_json(account).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?
        ])
    })
    .map_err(backend)?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn upsert_account(&self, account: &Account) -> Result<()> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        put_account(&tx, account)?;
        tx.commit().map_err(backend)
    }

    async fn get_account(&self, domain: &Domain) -> Result<Option<Account>> {
        self.one_json(
            "SELECT json FROM accounts WHERE domain = ?1",
            [domain.as_str()],
        )
    }

    async fn list_accounts(&self) -> Result<Vec<Account>> {
        self.query_json("SELECT json FROM accounts ORDER BY domain", [])
    }

    async fn upsert_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<()> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        for a in accounts {
            put_account(&tx, a)?;
        }
        insert_leads(
            &tx,
            leads,
            "ON CONFLICT (email) DO UPDATE SET account = excluded.account, json = excluded.json",
        )?;
        tx.commit().map_err(backend)
    }

    async fn add_new_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<usize> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO accounts (domain, enriched_at, json) VALUES (?1, ?2, ?3)
                     ON CONFLICT (domain) DO NOTHING",
                )
                .map_err(backend)?;
            for a in accounts {
                stmt.execute(params![
                    a.domain.as_str(),
                    a.enriched_at.map(timestamp),
                    to_json(a)?
                ])
                .map_err(backend)?;
            }
        }
        let added = insert_leads(&tx, leads, "ON CONFLICT (email) DO NOTHING")?;
        tx.commit().map_err(backend)?;
        Ok(added)
    }

    async fn get_lead(&self, email: &Email) -> Result<Option<Lead>> {
        self.one_json("SELECT json FROM leads WHERE email = ?1", [email.as_str()])
    }

    async fn list_leads(&self) -> Result<Vec<Lead>> {
        self.query_json("SELECT json FROM leads ORDER BY email", [])
    }

    async fn leads_of_account(&self, domain: &Domain) -> Result<Vec<Lead>> {
        self.query_json(
            "SELECT json FROM leads WHERE account = ?1 ORDER BY email",
            [domain.as_str()],
        )
    }

    async fn add_activities(&self, activities: &[Activity]) -> Result<usize> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let mut inserted = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO activities (id, email, occurred_at, json) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(backend)?;
            for a in activities {
                inserted += stmt
                    .execute(params![
                        a.id.0,
                        a.lead.as_str(),
                        timestamp(a.occurred_at),
                        to_json(a)?
                    ])
                    .map_err(backend)?;
            }
        }
        tx.commit().map_err(backend)?;
        Ok(inserted)
    }

    async fn activities_of(&self, email: &Email) -> Result<Vec<Activity>> {
        self.query_json(
            "SELECT json FROM activities WHERE email = ?1 ORDER BY occurred_at, id",
            [email.as_str()],
        )
    }

    async fn put_snapshot(&self, snapshot: &EnrichmentSnapshot) -> Result<()> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO snapshots (domain, enriched_at, json) VALUES (?1, ?2, ?3)
             ON CONFLICT (domain, enriched_at) DO UPDATE SET json = excluded.json",
            params![
                snapshot.domain.as_str(),
                timestamp(snapshot.enriched_at),
                to_json(snapshot)?
            ],
        )
        .map_err(backend)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT json FROM accounts WHERE domain = ?1",
                [snapshot.domain.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        let mut account = match existing {
            Some(j) => from_json::<Account>(&j)?,
            None => Account::new(snapshot.domain.clone(), snapshot.enriched_at),
        };
        if account.enriched_at.is_none_or(|t| t < snapshot.enriched_at) {
            account.enriched_at = Some(snapshot.enriched_at);
        }
        // Read above in this transaction, the later time kept.
        write_account(&tx, &account)?;
        tx.commit().map_err(backend)
    }

    async fn latest_snapshot(&self, domain: &Domain) -> Result<Option<EnrichmentSnapshot>> {
        self.one_json(
            "SELECT json FROM snapshots WHERE domain = ?1 ORDER BY enriched_at DESC LIMIT 1",
            [domain.as_str()],
        )
    }

    async fn accounts_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Domain>> {
        self.due(
            "SELECT domain FROM accounts WHERE enriched_at IS NULL OR enriched_at < ?1
             ORDER BY enriched_at IS NOT NULL, enriched_at, domain LIMIT ?2",
            before,
            limit,
        )?
        .iter()
        .map(|d| Domain::parse(d).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
    }

    async fn current_score(&self, email: &Email) -> Result<Option<ScoreRecord>> {
        self.one_json("SELECT json FROM scores WHERE email = ?1", [email.as_str()])
    }

    async fn save_score(&self, write: &ScoreWrite) -> Result<()> {
        let rec = &write.record;
        if rec.version != write.expected_version + 1 {
            return Err(StoreError::Backend(format!(
                "record version {} must be expected version {} + 1",
                rec.version, write.expected_version
            )));
        }
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let current: Option<i64> = tx
            .query_row(
                "SELECT version FROM scores WHERE email = ?1",
                [rec.lead.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        if current.unwrap_or(0) as u64 != write.expected_version {
            return Err(StoreError::Conflict(format!(
                "score of {} is at version {}, not {}",
                rec.lead,
                current.unwrap_or(0),
                write.expected_version
            )));
        }
        let json = to_json(rec)?;
        tx.execute(
            "INSERT INTO scores (email, version, tier, total, json, checked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (email) DO UPDATE SET version = excluded.version, tier = excluded.tier,
                 total = excluded.total, json = excluded.json, checked_at = excluded.checked_at",
            params![
                rec.lead.as_str(),
                rec.version as i64,
                rec.tier.as_str(),
                rec.score.total,
                json,
                timestamp(rec.score.scored_at)
            ],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO score_history (email, version, json) VALUES (?1, ?2, ?3)",
            params![rec.lead.as_str(), rec.version as i64, json],
        )
        .map_err(backend)?;
        if let Some(alert) = &write.alert {
            tx.execute(
                "INSERT OR IGNORE INTO outbox (id, created_at, queued_at, json) VALUES (?1, ?2, ?2, ?3)",
                params![alert.id, timestamp(alert.created_at), to_json(alert)?],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    async fn list_scores(&self, tier: Option<Tier>) -> Result<Vec<ScoreRecord>> {
        match tier {
            Some(t) => self.query_json(
                "SELECT json FROM scores WHERE tier = ?1 ORDER BY total DESC, email",
                [t.as_str()],
            ),
            None => self.query_json("SELECT json FROM scores ORDER BY total DESC, email", []),
        }
    }

    async fn scores_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Email>> {
        self.due(
            "SELECT email FROM scores WHERE checked_at < ?1
             ORDER BY checked_at, email LIMIT ?2",
            before,
            limit,
        )?
        .iter()
        .map(|e| Email::parse(e).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
    }

    async fn mark_score_checked(
        &self,
        email: &Email,
        version: u64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE scores SET checked_at = ?3
                 WHERE email = ?1 AND version = ?2 AND checked_at < ?3",
                params![email.as_str(), version as i64, timestamp(at)],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn score_history(&self, email: &Email, limit: usize) -> Result<Vec<ScoreRecord>> {
        self.query_json(
            "SELECT json FROM score_history WHERE email = ?1 ORDER BY version DESC LIMIT ?2",
            params![email.as_str(), limit as i64],
        )
    }

    async fn save_account_score(&self, score: &AccountScore) -> Result<()> {
        self.lock()
            .execute(
                "INSERT INTO account_scores (domain, total, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT (domain) DO UPDATE SET total = excluded.total, json = excluded.json",
                params![score.domain.as_str(), score.total, to_json(score)?],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn list_account_scores(&self) -> Result<Vec<AccountScore>> {
        self.query_json(
            "SELECT json FROM account_scores ORDER BY total DESC, domain",
            [],
        )
    }

    async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Claim> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let row: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT lease_until, completed_at FROM claims WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(backend)?;
        let outcome = match row {
            Some((_, Some(_))) => Claim::Done,
            Some((lease, None)) if lease > timestamp(now) => Claim::Busy,
            _ => {
                tx.execute(
                    "INSERT INTO claims (key, lease_until) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET lease_until = excluded.lease_until",
                    params![key, timestamp(lease_until)],
                )
                .map_err(backend)?;
                Claim::Acquired
            }
        };
        tx.commit().map_err(backend)?;
        Ok(outcome)
    }

    async fn release(&self, key: &str, lease_until: DateTime<Utc>) -> Result<()> {
        self.lock()
            .execute(
                "DELETE FROM claims WHERE key = ?1 AND completed_at IS NULL AND lease_until = ?2",
                params![key, timestamp(lease_until)],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        self.lock()
            .execute(
                "INSERT INTO claims (key, lease_until, completed_at) VALUES (?1, ?2, ?2)
                 ON CONFLICT (key) DO UPDATE SET completed_at = COALESCE(completed_at, excluded.completed_at)",
                params![key, timestamp(now)],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn count_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        tx.execute(
            "DELETE FROM counters WHERE expires_at < ?1",
            [timestamp(now)],
        )
        .map_err(backend)?;
        let hits: i64 = tx
            .query_row(
                "INSERT INTO counters (key, hits, expires_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET hits = hits + 1
                 RETURNING hits",
                params![key, timestamp(expires_at)],
                |r| r.get(0),
            )
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(u64::try_from(hits).unwrap_or_default())
    }

    async fn pending_alert_records(&self, limit: usize) -> Result<Vec<PendingAlert>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT json, attempts, last_error FROM outbox WHERE delivered_at IS NULL ORDER BY queued_at, rowid LIMIT ?1",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        rows.into_iter()
            .map(|(json, attempts, last_error)| {
                Ok(PendingAlert {
                    alert: from_json(&json)?,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    last_error,
                })
            })
            .collect()
    }

    async fn mark_alert_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE outbox SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL",
                params![id, timestamp(at)],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn record_alert_failure(&self, id: &str, error: &str, at: DateTime<Utc>) -> Result<()> {
        self.lock()
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, queued_at = ?3
                 WHERE id = ?1 AND delivered_at IS NULL",
                params![id, error, timestamp(at)],
            )
            .map_err(backend)?;
        Ok(())
    }
}

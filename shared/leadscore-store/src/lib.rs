//! The store port of leadscore and its embedded adapters.
//!
//! [`Store`] is the one trait the pipeline, the CLI and the Lambdas talk to.
//! Adapters: [`SqliteStore`] (the embedded default: rusqlite, bundled SQLite,
//! WAL) and [`MemoryStore`] (tests). The DynamoDB adapter lives in the AWS
//! crate and runs the same [`contract`] suite (feature `contract`).
//!
//! Invariants every adapter keeps:
//! - writes are idempotent: upserts by identity, activities by id, alerts by
//!   idempotency key;
//! - a score write is conditional on the version the writer read
//!   (optimistic concurrency) and commits its alert in the same atomic write
//!   (the outbox), so an alert is never lost and never written twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::domain::{Account, Activity, Alert, Domain, Email, EnrichmentSnapshot, Lead};
use leadscore_core::rollup::AccountScore;
use leadscore_core::{Score, Tier};
use serde::{Deserialize, Serialize};

#[cfg(feature = "contract")]
pub mod contract;
#[cfg(feature = "contract")]
pub mod faulty;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write lost a race: someone else wrote first. Re-read
    /// and retry.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored data could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The backend is throttling or temporarily unavailable; retryable.
    #[error("store temporarily unavailable: {0}")]
    Unavailable(String),
    /// Any other backend failure.
    #[error("store error: {0}")]
    Backend(String),
}

impl StoreError {
    /// Whether retrying the same call may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// An alert not yet delivered, with its delivery record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingAlert {
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
    /// Failed delivery attempts ([`Store::record_alert_failure`]).
    pub attempts: u32,
    /// The last failure, as recorded (`slack: HTTP 500`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Result of a store call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A lead's current score as stored, with its optimistic-concurrency version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRecord {
    /// The lead.
    pub lead: Email,
    /// The lead's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Domain>,
    /// Version: 1 for the first score, +1 per write.
    pub version: u64,
    /// Tier after hysteresis (may differ from `score.tier` near a threshold).
    pub tier: Tier,
    /// The score and its explanation.
    pub score: Score,
    /// The account's data the score was computed from (none for a lead
    /// without a stored account, and for scores stored before it was
    /// recorded): a rescoring that read the account earlier than this
    /// score's writer did reads it again instead of writing over this
    /// score (see `leadscore_pipeline::rescore_in_context`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_seen: Option<AccountSeen>,
}

/// Which version of an account's data a score was computed from: its
/// `updated_at` and `enriched_at` as read. Each only moves forward (a
/// change stamps `updated_at` with its time; a snapshot's `enriched_at`
/// never replaces a later one), so one reading saw a change another did
/// not when either of its times is later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSeen {
    /// The account's `updated_at`.
    pub updated_at: DateTime<Utc>,
    /// The account's `enriched_at` (its newest snapshot's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enriched_at: Option<DateTime<Utc>>,
}

impl AccountSeen {
    /// The version of `account` as read.
    pub fn of(account: &Account) -> Self {
        Self {
            updated_at: account.updated_at,
            enriched_at: account.enriched_at,
        }
    }

    /// Whether this reading saw a change of the account that `other` (a
    /// reading of the same account, none when it was not stored) did not.
    pub fn is_later_than(&self, other: Option<&AccountSeen>) -> bool {
        other.is_none_or(|o| self.updated_at > o.updated_at || self.enriched_at > o.enriched_at)
    }
}

/// A conditional score write, with the alert it causes (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreWrite {
    /// The new record; its `version` must be `expected_version + 1`.
    pub record: ScoreRecord,
    /// The version the writer read; 0 when there was no score.
    pub expected_version: u64,
    /// The alert to put in the outbox in the same atomic write.
    pub alert: Option<Alert>,
}

/// The state of an idempotency claim (see [`Store::claim`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Claim {
    /// The caller holds the key until the lease ends: do the work, then
    /// [`Store::complete`] it.
    Acquired,
    /// Someone else holds an unexpired lease: do nothing now (retry later).
    Busy,
    /// The work was completed before: do nothing, ever.
    Done,
}

/// Everything scoring needs about one lead, read together.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadContext {
    /// The lead.
    pub lead: Lead,
    /// Its activities, oldest first.
    pub activities: Vec<Activity>,
    /// Its current score.
    pub score: Option<ScoreRecord>,
}

/// Everything scoring needs about one account, read together.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountContext {
    /// The account, if stored.
    pub account: Option<Account>,
    /// The signals of its newest enrichment snapshot.
    pub signals: Vec<leadscore_core::domain::Signal>,
}

/// How many leads [`Store::get_leads`] reads one at a time before it reads
/// them all instead.
pub const MANY_LEADS: usize = 200;

/// The persistence port: accounts, leads, activities, enrichment snapshots,
/// scores with history, account scores and the alert outbox.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Inserts or replaces an account. `enriched_at` never moves back: a
    /// later time already stored (a snapshot written since the caller read
    /// the account) is kept, so a writer holding an older copy does not make
    /// the account due again.
    async fn upsert_account(&self, account: &Account) -> Result<()>;
    /// One account.
    async fn get_account(&self, domain: &Domain) -> Result<Option<Account>>;
    /// All accounts, by domain.
    async fn list_accounts(&self) -> Result<Vec<Account>>;

    /// Inserts or replaces leads and accounts in one atomic write per call
    /// on SQLite (one transaction) and memory; DynamoDB writes chunks of
    /// at most 100 items, each atomic, so a failure after the first chunk
    /// leaves the chunks before it written (a resend rewrites them, the
    /// same). Each lead and account once per call. Accounts keep a later
    /// stored `enriched_at`, as in [`Store::upsert_account`].
    async fn upsert_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<()>;
    /// Stores the leads and accounts that are not stored yet; one stored
    /// meanwhile (a form submit's, since the caller found none) is left as
    /// it is. Returns how many leads were added. For the bare leads and
    /// accounts an import makes for unknown emails: written with
    /// [`Store::upsert_leads`], they would replace what the submit stored.
    async fn add_new_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<usize>;
    /// One lead.
    async fn get_lead(&self, email: &Email) -> Result<Option<Lead>>;
    /// The stored leads of `emails`, in any order (an email named twice is
    /// one lead; one not stored is none). Reads them one at a time unless
    /// an adapter reads many at once (DynamoDB: 100 a request); for more
    /// than [`MANY_LEADS`], all leads are read and the ones named kept.
    async fn get_leads(&self, emails: &[Email]) -> Result<Vec<Lead>> {
        let wanted: std::collections::BTreeSet<&Email> = emails.iter().collect();
        if wanted.len() > MANY_LEADS {
            let mut all = self.list_leads().await?;
            all.retain(|l| wanted.contains(&l.email));
            return Ok(all);
        }
        let mut out = Vec::with_capacity(wanted.len());
        for e in wanted {
            out.extend(self.get_lead(e).await?);
        }
        Ok(out)
    }
    /// All leads, by email.
    async fn list_leads(&self) -> Result<Vec<Lead>>;
    /// The leads of one account, by email.
    async fn leads_of_account(&self, domain: &Domain) -> Result<Vec<Lead>>;

    /// Adds activities, ignoring ids the same lead already has (an id is
    /// unique per lead: two leads' activities may share one); returns how
    /// many were new.
    async fn add_activities(&self, activities: &[Activity]) -> Result<usize>;
    /// A lead's activities, oldest first.
    async fn activities_of(&self, email: &Email) -> Result<Vec<Activity>>;

    /// Stores an enrichment snapshot and stamps the account's `enriched_at`
    /// (creating the account if needed), atomically.
    async fn put_snapshot(&self, snapshot: &EnrichmentSnapshot) -> Result<()>;
    /// The newest snapshot of an account.
    async fn latest_snapshot(&self, domain: &Domain) -> Result<Option<EnrichmentSnapshot>>;
    /// Accounts never enriched or enriched before `before`, oldest first.
    async fn accounts_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Domain>>;

    /// A lead's current score.
    async fn current_score(&self, email: &Email) -> Result<Option<ScoreRecord>>;
    /// Writes a score if the stored version is still `expected_version`,
    /// together with its alert; [`StoreError::Conflict`] otherwise (and
    /// nothing is written).
    async fn save_score(&self, write: &ScoreWrite) -> Result<()>;
    /// Current scores, optionally of one tier, highest total first.
    async fn list_scores(&self, tier: Option<Tier>) -> Result<Vec<ScoreRecord>>;
    /// Past scores of a lead, newest first.
    async fn score_history(&self, email: &Email, limit: usize) -> Result<Vec<ScoreRecord>>;
    /// Leads whose current score was last checked before `before`, the
    /// longest unchecked first, at most `limit`: the work of a scheduled
    /// rescoring pass, so that scores decay and expire without new data. A
    /// score counts as checked when it is written (at its `scored_at`) and
    /// when [`Store::mark_score_checked`] says a rescoring found it current.
    async fn scores_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Email>>;
    /// Records that a rescoring at `at` found the lead's score, at
    /// `version`, unchanged (an unchanged score is not rewritten). Nothing
    /// happens when the stored score is at another version (rewritten
    /// since) or was checked at `at` or later; idempotent.
    async fn mark_score_checked(
        &self,
        email: &Email,
        version: u64,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Inserts or replaces an account's rolled-up score.
    async fn save_account_score(&self, score: &AccountScore) -> Result<()>;
    /// All account scores, highest first.
    async fn list_account_scores(&self) -> Result<Vec<AccountScore>>;

    /// The lead, its activities and its current score. Adapters override
    /// this to read them in one round trip.
    ///
    /// The score is read first: a writer that adds an activity and saves a
    /// score between the reads then makes this context's score write
    /// conflict (its version is older), and the rescoring reads again.
    /// Read last, the score could be the newer one while the activities
    /// lack that writer's, and a score without them would be written
    /// unopposed.
    async fn lead_context(&self, email: &Email) -> Result<Option<LeadContext>> {
        let score = self.current_score(email).await?;
        let Some(lead) = self.get_lead(email).await? else {
            return Ok(None);
        };
        Ok(Some(LeadContext {
            lead,
            activities: self.activities_of(email).await?,
            score,
        }))
    }

    /// The account and its newest signals. Adapters override this to read
    /// them in one round trip.
    async fn account_context(&self, domain: &Domain) -> Result<AccountContext> {
        Ok(AccountContext {
            account: self.get_account(domain).await?,
            signals: self
                .latest_snapshot(domain)
                .await?
                .map(|s| s.signals)
                .unwrap_or_default(),
        })
    }

    /// Claims an idempotency key (a notification, a form submission) until
    /// `lease_until`: [`Claim::Acquired`] if it was free or its lease had
    /// expired before `now` (a crashed worker), else [`Claim::Busy`] or
    /// [`Claim::Done`]. Atomic: of concurrent claimers, one acquires.
    async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Claim>;
    /// Gives up a claim that was not completed (the work failed), so the
    /// next attempt can acquire it at once; a completed key stays done.
    /// `lease_until` is the lease it was acquired with: a claim that has
    /// expired and been acquired since by another holder (another lease) is
    /// left to that holder.
    async fn release(&self, key: &str, lease_until: DateTime<Utc>) -> Result<()>;
    /// Marks a claimed key done, forever (adapters may expire it after a
    /// retention period); idempotent.
    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<()>;
    /// Counts one hit on `key` and returns the hits counted on it so far,
    /// this one included: a rate limit's window, its key naming the window
    /// (a client and an hour). Atomic: concurrent hits each count once. A
    /// count may be dropped once `expires_at` is before `now`.
    async fn count_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64>;

    /// Alerts not yet delivered, in queue order: an alert joins the queue
    /// when it is written and again, at the back, each time its delivery
    /// fails ([`Store::record_alert_failure`]). Alerts queued at the same
    /// millisecond come in an order of the adapter's (SQLite and memory:
    /// write order; DynamoDB, which keeps no order of writes across items:
    /// a new alert by its score version, a re-queued one by its id). So a
    /// new alert is listed before one that keeps failing, and alerts that
    /// fail for good cannot take all of a limited listing.
    async fn pending_alerts(&self, limit: usize) -> Result<Vec<Alert>> {
        Ok(self
            .pending_alert_records(limit)
            .await?
            .into_iter()
            .map(|p| p.alert)
            .collect())
    }
    /// [`Store::pending_alerts`] with each alert's failed attempts and the
    /// last failure recorded: what an operator needs to see, and which
    /// channels an alert still needs.
    async fn pending_alert_records(&self, limit: usize) -> Result<Vec<PendingAlert>>;
    /// Marks an alert delivered; idempotent.
    async fn mark_alert_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()>;
    /// Records a failed delivery attempt at `at`: the alert stays pending and
    /// goes to the back of the queue (see [`Store::pending_alerts`]).
    async fn record_alert_failure(&self, id: &str, error: &str, at: DateTime<Utc>) -> Result<()>;
}

#[cfg(feature = "sqlite")]
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))
}

#[cfg(feature = "sqlite")]
pub(crate) fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A timestamp in the fixed-width form the stores sort on.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::AccountSeen;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn a_reading_is_later_when_either_time_is() {
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let seen = |updated: i64, enriched: Option<i64>| AccountSeen {
            updated_at: t + Duration::minutes(updated),
            enriched_at: enriched.map(|m| t + Duration::minutes(m)),
        };
        let read = seen(0, Some(0));
        // Any stored account is later than none.
        assert!(read.is_later_than(None));
        assert!(!read.is_later_than(Some(&read)));
        // Changed since, or enriched since (the first snapshot too).
        assert!(seen(1, Some(0)).is_later_than(Some(&read)));
        assert!(seen(0, Some(1)).is_later_than(Some(&read)));
        assert!(seen(0, Some(0)).is_later_than(Some(&seen(0, None))));
        // Enriched after a change the other saw: each saw something the
        // other did not, and either is later than the other.
        assert!(seen(0, Some(5)).is_later_than(Some(&seen(3, Some(0)))));
        assert!(seen(3, Some(0)).is_later_than(Some(&seen(0, Some(5)))));
        // Older in both: not later.
        assert!(!seen(-1, Some(-1)).is_later_than(Some(&read)));
    }
}

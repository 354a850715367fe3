//! A [`Store`] that fails chosen calls: test support for the paths that
//! need a store to fail one particular call (a lead's score write, the
//! completion of a claim, the outbox listing), which no real adapter can be
//! made to do on demand.
//!
//! ```ignore
//! let store = FaultyStore::new(MemoryStore::new());
//! store.fail("save_score", Some("ada@acme.test"));
//! ```

use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::Tier;
use leadscore_core::domain::{Account, Activity, Domain, Email, EnrichmentSnapshot, Lead};
use leadscore_core::rollup::AccountScore;

use crate::{
    AccountContext, Claim, LeadContext, PendingAlert, Result, ScoreRecord, ScoreWrite, Store,
    StoreError,
};

/// Wraps a store; a call matching a fault set with [`FaultyStore::fail`]
/// returns [`StoreError::Unavailable`] ([`FaultyStore::fail_for_good`]:
/// [`StoreError::Backend`]) without reaching the inner store.
#[derive(Debug)]
pub struct FaultyStore<S> {
    inner: S,
    /// (method, key, lasting: a `Backend` error rather than `Unavailable`)
    faults: Mutex<Vec<(&'static str, Option<String>, bool)>>,
    calls: Mutex<Vec<String>>,
    stale: Mutex<Vec<(Domain, Lead)>>,
}

impl<S: Store> FaultyStore<S> {
    /// `inner`, with no fault set.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            faults: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
            stale: Mutex::new(Vec::new()),
        }
    }

    /// Lists `lead` among the leads of `domain` too, as an index a moment
    /// behind does for a lead that has just moved to another account.
    pub fn list_also(&self, domain: &Domain, lead: Lead) {
        lock(&self.stale).push((domain.clone(), lead));
    }

    /// Fails every later call of the method named `op` (as in [`Store`]),
    /// for the given key only when `key` is set: an email (lead calls,
    /// `save_score`), a domain (account calls), a claim key or an alert id.
    pub fn fail(&self, op: &'static str, key: Option<&str>) {
        lock(&self.faults).push((op, key.map(str::to_owned), false));
    }

    /// As [`FaultyStore::fail`], with an error that does not pass
    /// ([`StoreError::Backend`]: access denied, an item the store refuses).
    pub fn fail_for_good(&self, op: &'static str, key: Option<&str>) {
        lock(&self.faults).push((op, key.map(str::to_owned), true));
    }

    /// Removes every fault.
    pub fn heal(&self) {
        lock(&self.faults).clear();
    }

    /// The calls that failed by a fault, as `op` or `op:key`.
    pub fn failed_calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn check(&self, op: &'static str, key: Option<&str>) -> Result<()> {
        let hit = lock(&self.faults)
            .iter()
            .find(|(o, k, _)| *o == op && (k.is_none() || k.as_deref() == key))
            .map(|(_, _, lasting)| *lasting);
        let Some(lasting) = hit else {
            return Ok(());
        };
        let call = key.map_or_else(|| op.to_owned(), |k| format!("{op}:{k}"));
        lock(&self.calls).push(call.clone());
        let reason = format!("injected fault: {call}");
        Err(if lasting {
            StoreError::Backend(reason)
        } else {
            StoreError::Unavailable(reason)
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait]
impl<S: Store> Store for FaultyStore<S> {
    async fn upsert_account(&self, account: &Account) -> Result<()> {
        self.check("upsert_account", Some(account.domain.as_str()))?;
        self.inner.upsert_account(account).await
    }
    async fn get_account(&self, domain: &Domain) -> Result<Option<Account>> {
        self.check("get_account", Some(domain.as_str()))?;
        self.inner.get_account(domain).await
    }
    async fn list_accounts(&self) -> Result<Vec<Account>> {
        self.check("list_accounts", None)?;
        self.inner.list_accounts().await
    }
    async fn upsert_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<()> {
        self.check("upsert_leads", None)?;
        self.inner.upsert_leads(leads, accounts).await
    }
    async fn add_new_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<usize> {
        self.check("add_new_leads", None)?;
        self.inner.add_new_leads(leads, accounts).await
    }
    async fn get_lead(&self, email: &Email) -> Result<Option<Lead>> {
        self.check("get_lead", Some(email.as_str()))?;
        self.inner.get_lead(email).await
    }
    async fn get_leads(&self, emails: &[Email]) -> Result<Vec<Lead>> {
        self.check("get_leads", None)?;
        self.inner.get_leads(emails).await
    }
    async fn list_leads(&self) -> Result<Vec<Lead>> {
        self.check("list_leads", None)?;
        self.inner.list_leads().await
    }
    async fn leads_of_account(&self, domain: &Domain) -> Result<Vec<Lead>> {
        self.check("leads_of_account", Some(domain.as_str()))?;
        let mut leads = self.inner.leads_of_account(domain).await?;
        leads.extend(
            lock(&self.stale)
                .iter()
                .filter(|(d, _)| d == domain)
                .map(|(_, l)| l.clone()),
        );
        Ok(leads)
    }
    async fn add_activities(&self, activities: &[Activity]) -> Result<usize> {
        self.check("add_activities", None)?;
        self.inner.add_activities(activities).await
    }
    async fn activities_of(&self, email: &Email) -> Result<Vec<Activity>> {
        self.check("activities_of", Some(email.as_str()))?;
        self.inner.activities_of(email).await
    }
    async fn put_snapshot(&self, snapshot: &EnrichmentSnapshot) -> Result<()> {
        self.check("put_snapshot", Some(snapshot.domain.as_str()))?;
        self.inner.put_snapshot(snapshot).await
    }
    async fn latest_snapshot(&self, domain: &Domain) -> Result<Option<EnrichmentSnapshot>> {
        self.check("latest_snapshot", Some(domain.as_str()))?;
        self.inner.latest_snapshot(domain).await
    }
    async fn accounts_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Domain>> {
        self.check("accounts_due", None)?;
        self.inner.accounts_due(before, limit).await
    }
    async fn scores_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Email>> {
        self.check("scores_due", None)?;
        self.inner.scores_due(before, limit).await
    }
    async fn mark_score_checked(
        &self,
        email: &Email,
        version: u64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.check("mark_score_checked", Some(email.as_str()))?;
        self.inner.mark_score_checked(email, version, at).await
    }
    async fn current_score(&self, email: &Email) -> Result<Option<ScoreRecord>> {
        self.check("current_score", Some(email.as_str()))?;
        self.inner.current_score(email).await
    }
    async fn save_score(&self, write: &ScoreWrite) -> Result<()> {
        self.check("save_score", Some(write.record.lead.as_str()))?;
        self.inner.save_score(write).await
    }
    async fn list_scores(&self, tier: Option<Tier>) -> Result<Vec<ScoreRecord>> {
        self.check("list_scores", None)?;
        self.inner.list_scores(tier).await
    }
    async fn score_history(&self, email: &Email, limit: usize) -> Result<Vec<ScoreRecord>> {
        self.check("score_history", Some(email.as_str()))?;
        self.inner.score_history(email, limit).await
    }
    async fn save_account_score(&self, score: &AccountScore) -> Result<()> {
        self.check("save_account_score", Some(score.domain.as_str()))?;
        self.inner.save_account_score(score).await
    }
    async fn list_account_scores(&self) -> Result<Vec<AccountScore>> {
        self.check("list_account_scores", None)?;
        self.inner.list_account_scores().await
    }
    async fn lead_context(&self, email: &Email) -> Result<Option<LeadContext>> {
        self.check("lead_context", Some(email.as_str()))?;
        self.inner.lead_context(email).await
    }
    async fn account_context(&self, domain: &Domain) -> Result<AccountContext> {
        self.check("account_context", Some(domain.as_str()))?;
        self.inner.account_context(domain).await
    }
    async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Claim> {
        self.check("claim", Some(key))?;
        self.inner.claim(key, now, lease_until).await
    }
    async fn release(&self, key: &str, lease_until: DateTime<Utc>) -> Result<()> {
        self.check("release", Some(key))?;
        self.inner.release(key, lease_until).await
    }
    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        self.check("complete", Some(key))?;
        self.inner.complete(key, now).await
    }
    async fn count_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64> {
        self.check("count_hit", Some(key))?;
        self.inner.count_hit(key, now, expires_at).await
    }
    async fn pending_alert_records(&self, limit: usize) -> Result<Vec<PendingAlert>> {
        self.check("pending_alerts", None)?;
        self.inner.pending_alert_records(limit).await
    }
    async fn mark_alert_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        self.check("mark_alert_delivered", Some(id))?;
        self.inner.mark_alert_delivered(id, at).await
    }
    async fn record_alert_failure(&self, id: &str, error: &str, at: DateTime<Utc>) -> Result<()> {
        self.check("record_alert_failure", Some(id))?;
        self.inner.record_alert_failure(id, error, at).await
    }
}

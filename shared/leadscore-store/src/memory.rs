//! An in-memory [`Store`] for tests and dry runs. Same semantics as the
//! persistent adapters (it passes the same contract suite); nothing survives
//! the process.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::Tier;
use leadscore_core::domain::{Account, Activity, Alert, Domain, Email, EnrichmentSnapshot, Lead};
use leadscore_core::rollup::AccountScore;

use crate::{Claim, PendingAlert, Result, ScoreRecord, ScoreWrite, Store, StoreError};

#[derive(Debug, Default)]
struct State {
    accounts: BTreeMap<Domain, Account>,
    leads: BTreeMap<Email, Lead>,
    /// (lead, activity id): an id is unique per lead.
    activity_ids: HashSet<(Email, String)>,
    activities: BTreeMap<Email, Vec<Activity>>,
    snapshots: BTreeMap<Domain, Vec<EnrichmentSnapshot>>,
    scores: BTreeMap<Email, ScoreRecord>,
    /// When each current score was last checked (written or found
    /// current), as the other stores keep it: [`crate::timestamp`], to the
    /// millisecond.
    checked: BTreeMap<Email, String>,
    history: BTreeMap<Email, Vec<ScoreRecord>>,
    account_scores: BTreeMap<Domain, AccountScore>,
    outbox: BTreeMap<String, OutboxEntry>,
    outbox_order: Vec<String>,
    claims: BTreeMap<String, (DateTime<Utc>, bool)>,
    /// Hit counts and when each may be dropped.
    counters: BTreeMap<String, (u64, DateTime<Utc>)>,
}

#[derive(Debug)]
struct OutboxEntry {
    alert: Alert,
    delivered_at: Option<DateTime<Utc>>,
    /// When it joined the queue: written, or its delivery last failed.
    queued_at: DateTime<Utc>,
    attempts: u32,
    last_error: Option<String>,
}

/// The in-memory adapter of [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn sorted_scores(mut v: Vec<ScoreRecord>) -> Vec<ScoreRecord> {
    v.sort_by(|a, b| {
        b.score
            .total
            .total_cmp(&a.score.total)
            .then_with(|| a.lead.cmp(&b.lead))
    });
    v
}

/// Writes `account`, keeping a later `enriched_at` already stored.
fn put_account(accounts: &mut BTreeMap<Domain, Account>, account: &Account) {
    let mut account = account.clone();
    if let Some(stored) = accounts.get(&account.domain) {
        account.enriched_at = account.enriched_at.max(stored.enriched_at);
    }
    accounts.insert(account.domain.clone(), account);
}

#[async_trait]
impl Store for MemoryStore {
    async fn upsert_account(&self, account: &Account) -> Result<()> {
        put_account(&mut self.lock().accounts, account);
        Ok(())
    }

    async fn get_account(&self, domain: &Domain) -> Result<Option<Account>> {
        Ok(self.lock().accounts.get(domain).cloned())
    }

    async fn list_accounts(&self) -> Result<Vec<Account>> {
        Ok(self.lock().accounts.values().cloned().collect())
    }

    async fn upsert_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<()> {
        let mut s = self.lock();
        for a in accounts {
            put_account(&mut s.accounts, a);
        }
        for l in leads {
            s.leads.insert(l.email.clone(), l.clone());
        }
        Ok(())
    }

    async fn add_new_leads(&self, leads: &[Lead], accounts: &[Account]) -> Result<usize> {
        let mut s = self.lock();
        for a in accounts {
            s.accounts
                .entry(a.domain.clone())
                .or_insert_with(|| a.clone());
        }
        let mut added = 0;
        for l in leads {
            if let std::collections::btree_map::Entry::Vacant(e) = s.leads.entry(l.email.clone()) {
                e.insert(l.clone());
                added += 1;
            }
        }
        Ok(added)
    }

    async fn get_lead(&self, email: &Email) -> Result<Option<Lead>> {
        Ok(self.lock().leads.get(email).cloned())
    }

    async fn list_leads(&self) -> Result<Vec<Lead>> {
        Ok(self.lock().leads.values().cloned().collect())
    }

    async fn leads_of_account(&self, domain: &Domain) -> Result<Vec<Lead>> {
        Ok(self
            .lock()
            .leads
            .values()
            .filter(|l| l.account.as_ref() == Some(domain))
            .cloned()
            .collect())
    }

    async fn add_activities(&self, activities: &[Activity]) -> Result<usize> {
        let mut s = self.lock();
        let mut n = 0;
        for a in activities {
            if s.activity_ids.insert((a.lead.clone(), a.id.0.clone())) {
                s.activities
                    .entry(a.lead.clone())
                    .or_default()
                    .push(a.clone());
                n += 1;
            }
        }
        Ok(n)
    }

    async fn activities_of(&self, email: &Email) -> Result<Vec<Activity>> {
        let mut v = self
            .lock()
            .activities
            .get(email)
            .cloned()
            .unwrap_or_default();
        v.sort_by(|a, b| {
            a.occurred_at
                .cmp(&b.occurred_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(v)
    }

    async fn put_snapshot(&self, snapshot: &EnrichmentSnapshot) -> Result<()> {
        let mut s = self.lock();
        let list = s.snapshots.entry(snapshot.domain.clone()).or_default();
        list.retain(|x| x.enriched_at != snapshot.enriched_at);
        list.push(snapshot.clone());
        list.sort_by_key(|x| x.enriched_at);
        let account = s
            .accounts
            .entry(snapshot.domain.clone())
            .or_insert_with(|| Account::new(snapshot.domain.clone(), snapshot.enriched_at));
        if account.enriched_at.is_none_or(|t| t < snapshot.enriched_at) {
            account.enriched_at = Some(snapshot.enriched_at);
        }
        Ok(())
    }

    async fn latest_snapshot(&self, domain: &Domain) -> Result<Option<EnrichmentSnapshot>> {
        Ok(self
            .lock()
            .snapshots
            .get(domain)
            .and_then(|v| v.last().cloned()))
    }

    async fn accounts_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Domain>> {
        let s = self.lock();
        let mut due: Vec<(Option<DateTime<Utc>>, Domain)> = s
            .accounts
            .values()
            .filter(|a| a.enriched_at.is_none_or(|t| t < before))
            .map(|a| (a.enriched_at, a.domain.clone()))
            .collect();
        due.sort();
        Ok(due.into_iter().take(limit).map(|(_, d)| d).collect())
    }

    async fn current_score(&self, email: &Email) -> Result<Option<ScoreRecord>> {
        Ok(self.lock().scores.get(email).cloned())
    }

    async fn save_score(&self, write: &ScoreWrite) -> Result<()> {
        let rec = &write.record;
        if rec.version != write.expected_version + 1 {
            return Err(StoreError::Backend(format!(
                "record version {} must be expected version {} + 1",
                rec.version, write.expected_version
            )));
        }
        let mut s = self.lock();
        let current = s.scores.get(&rec.lead).map_or(0, |r| r.version);
        if current != write.expected_version {
            return Err(StoreError::Conflict(format!(
                "score of {} is at version {current}, not {}",
                rec.lead, write.expected_version
            )));
        }
        s.scores.insert(rec.lead.clone(), rec.clone());
        s.checked
            .insert(rec.lead.clone(), crate::timestamp(rec.score.scored_at));
        s.history
            .entry(rec.lead.clone())
            .or_default()
            .push(rec.clone());
        if let Some(alert) = &write.alert
            && !s.outbox.contains_key(&alert.id)
        {
            s.outbox.insert(
                alert.id.clone(),
                OutboxEntry {
                    alert: alert.clone(),
                    delivered_at: None,
                    queued_at: alert.created_at,
                    attempts: 0,
                    last_error: None,
                },
            );
            s.outbox_order.push(alert.id.clone());
        }
        Ok(())
    }

    async fn list_scores(&self, tier: Option<Tier>) -> Result<Vec<ScoreRecord>> {
        Ok(sorted_scores(
            self.lock()
                .scores
                .values()
                .filter(|r| tier.is_none_or(|t| r.tier == t))
                .cloned()
                .collect(),
        ))
    }

    async fn scores_due(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<Email>> {
        let s = self.lock();
        let before = crate::timestamp(before);
        let mut due: Vec<(&String, &Email)> = s
            .checked
            .iter()
            .filter(|(_, at)| **at < before)
            .map(|(e, at)| (at, e))
            .collect();
        due.sort();
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, e)| e.clone())
            .collect())
    }

    async fn mark_score_checked(
        &self,
        email: &Email,
        version: u64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut s = self.lock();
        let at = crate::timestamp(at);
        if s.scores.get(email).is_some_and(|r| r.version == version)
            && let Some(checked) = s.checked.get_mut(email)
            && *checked < at
        {
            *checked = at;
        }
        Ok(())
    }

    async fn score_history(&self, email: &Email, limit: usize) -> Result<Vec<ScoreRecord>> {
        Ok(self
            .lock()
            .history
            .get(email)
            .map(|v| v.iter().rev().take(limit).cloned().collect())
            .unwrap_or_default())
    }

    async fn save_account_score(&self, score: &AccountScore) -> Result<()> {
        self.lock()
            .account_scores
            .insert(score.domain.clone(), score.clone());
        Ok(())
    }

    async fn list_account_scores(&self) -> Result<Vec<AccountScore>> {
        let mut v: Vec<AccountScore> = self.lock().account_scores.values().cloned().collect();
        v.sort_by(|a, b| {
            b.total
                .total_cmp(&a.total)
                .then_with(|| a.domain.cmp(&b.domain))
        });
        Ok(v)
    }

    async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Claim> {
        let mut s = self.lock();
        Ok(match s.claims.get(key) {
            Some((_, true)) => Claim::Done,
            Some((lease, false)) if *lease > now => Claim::Busy,
            _ => {
                s.claims.insert(key.to_owned(), (lease_until, false));
                Claim::Acquired
            }
        })
    }

    async fn release(&self, key: &str, lease_until: DateTime<Utc>) -> Result<()> {
        let mut s = self.lock();
        if s.claims
            .get(key)
            .is_some_and(|(lease, done)| !done && *lease == lease_until)
        {
            s.claims.remove(key);
        }
        Ok(())
    }

    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<()> {
        self.lock()
            .claims
            .entry(key.to_owned())
            .or_insert((now, true))
            .1 = true;
        Ok(())
    }

    async fn count_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<u64> {
        let mut s = self.lock();
        s.counters.retain(|_, (_, until)| *until >= now);
        let entry = s.counters.entry(key.to_owned()).or_insert((0, expires_at));
        entry.0 += 1;
        Ok(entry.0)
    }

    async fn pending_alert_records(&self, limit: usize) -> Result<Vec<PendingAlert>> {
        let s = self.lock();
        let mut v: Vec<&OutboxEntry> = s
            .outbox_order
            .iter()
            .filter_map(|id| s.outbox.get(id))
            .filter(|e| e.delivered_at.is_none())
            .collect();
        // Stable: equal times keep write order.
        v.sort_by_key(|e| e.queued_at);
        Ok(v.into_iter()
            .take(limit)
            .map(|e| PendingAlert {
                alert: e.alert.clone(),
                attempts: e.attempts,
                last_error: e.last_error.clone(),
            })
            .collect())
    }

    async fn mark_alert_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        if let Some(entry) = self.lock().outbox.get_mut(id)
            && entry.delivered_at.is_none()
        {
            entry.delivered_at = Some(at);
        }
        Ok(())
    }

    async fn record_alert_failure(&self, id: &str, error: &str, at: DateTime<Utc>) -> Result<()> {
        if let Some(entry) = self.lock().outbox.get_mut(id)
            && entry.delivered_at.is_none()
        {
            entry.queued_at = at;
            entry.attempts += 1;
            entry.last_error = Some(error.to_owned());
        }
        Ok(())
    }
}

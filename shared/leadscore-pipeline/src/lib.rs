//! Application services of leadscore, written once against the ports and
//! used by the CLI and by every Lambda: import, rescore (with optimistic
//! concurrency and the alert outbox), account rollup and alert delivery.
//!
//! Nothing here knows which store, bus or notifier is behind the traits.

mod jobs;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use leadscore_core::domain::{Account, Activity, Alert, AlertKind, Domain, Email, Lead};
use leadscore_core::events::Event;
use leadscore_core::import::{LeadRow, Parsed};
use leadscore_core::rollup::{AccountScore, rollup};
use leadscore_core::{AccountScorer, Crossing, Score, Scorer, ScoringModel, settle_score};
use leadscore_store::{
    AccountContext, AccountSeen, LeadContext, PendingAlert, ScoreRecord, ScoreWrite, Store,
    StoreError,
};
use serde::Serialize;

pub use jobs::{
    DuePass, EnrichQueue, EnrichRequest, PassBounds, QueueError, ReactSummary,
    STORE_ERRORS_TO_STOP, ScheduleSummary, Trigger, TriggerError, due_cutoff, react, rescore_due,
    schedule_due,
};

/// How many times a conflicting score write is re-read and retried.
pub const MAX_CONFLICT_RETRIES: usize = 8;

/// Why a pipeline step failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The lead does not exist.
    #[error("unknown lead {0}")]
    UnknownLead(Email),
    /// Writers kept racing on the same lead.
    #[error("gave up on {0} after {MAX_CONFLICT_RETRIES} conflicting writes")]
    Contended(Email),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Rows read without error.
    pub rows: usize,
    /// Records new to the store.
    pub created: usize,
    /// Records that already existed (updated or unchanged).
    pub existing: usize,
    /// Leads created because an activity named an unknown email.
    pub leads_created: usize,
    /// Rows of a leads file that gave an account a value an earlier row
    /// gave differently (the later row's value is kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<AccountConflict>,
}

/// Two rows of one leads file giving one account's field two values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountConflict {
    /// The account.
    pub account: Domain,
    /// The field (`company`, `industry`, `employees`, `revenue`,
    /// `country`, `attributes.KEY`).
    pub field: String,
    /// The value kept, and its row's line.
    pub kept: (String, u64),
    /// The earlier value it replaced, and its row's line.
    pub replaced: (String, u64),
}

/// Stores parsed lead rows: one atomic write (SQLite; chunks of 100 on
/// DynamoDB), leads and accounts merged with what the store already knows
/// (a value in the file wins, an empty cell or a missing column keeps the
/// stored one: a CRM export does not erase what a form stored), leads keep
/// their creation time. Re-importing the same file right after changes
/// nothing; re-imported after a form changed a field the file also has
/// (a title), it sets the file's value again: the file wins.
pub async fn import_leads(
    store: &dyn Store,
    parsed: &Parsed<LeadRow>,
    now: DateTime<Utc>,
) -> Result<ImportSummary, PipelineError> {
    // Each account as read from the store (none: new), and as merged.
    let mut accounts: BTreeMap<Domain, (Option<Account>, Account)> = BTreeMap::new();
    let mut leads = Vec::with_capacity(parsed.rows.len());
    let mut summary = ImportSummary {
        rows: parsed.rows.len(),
        ..ImportSummary::default()
    };
    // Each account field the file gave a value, with the value and line.
    let mut given: BTreeMap<(Domain, String), (String, u64)> = BTreeMap::new();
    for (line, row) in &parsed.rows {
        let (mut lead, mut changed) = match store.get_lead(&row.lead.email).await? {
            Some(old) => {
                summary.existing += 1;
                let mut lead = old.clone();
                lead.merge_from(&row.lead);
                keep_narrower_account(&old, &mut lead);
                if old.account.is_none() {
                    join_stored_narrower_account(store, &mut lead, row.website.as_ref()).await?;
                }
                let changed = lead != old;
                if changed {
                    lead.updated_at = now;
                }
                (lead, changed)
            }
            None => {
                summary.created += 1;
                let mut lead = row.lead.clone();
                join_stored_narrower_account(store, &mut lead, row.website.as_ref()).await?;
                (lead, true)
            }
        };
        // A lead with no account (a free-mail address, no company website)
        // keeps its company as an attribute, as a form submit's does.
        if lead.account.is_none()
            && let Some(company) = &row.company
            && lead.attributes.get("company") != Some(company)
        {
            lead.attributes.insert("company".into(), company.clone());
            lead.updated_at = now;
            changed = true;
        }
        // The account is merged even when the lead is unchanged: a file
        // may only update firmographics.
        if let Some(domain) = &lead.account {
            if !accounts.contains_key(domain) {
                let stored = store.get_account(domain).await?;
                let merged = stored
                    .clone()
                    .unwrap_or_else(|| Account::new(domain.clone(), now));
                accounts.insert(domain.clone(), (stored, merged));
            }
            let mut values = row.firmographics.values();
            if let Some(company) = &row.company {
                values.push(("company".to_owned(), company.clone()));
            }
            for (field, value) in values {
                match given.entry((domain.clone(), field)) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert((value, *line));
                    }
                    std::collections::btree_map::Entry::Occupied(mut e) => {
                        if e.get().0 != value {
                            let replaced = e.insert((value.clone(), *line));
                            summary.conflicts.push(AccountConflict {
                                account: domain.clone(),
                                field: e.key().1.clone(),
                                kept: (value, *line),
                                replaced,
                            });
                        }
                    }
                }
            }
            if let Some((_, account)) = accounts.get_mut(domain) {
                let before = account.clone();
                account.firmographics.merge_from(&row.firmographics);
                if row.company.is_some() {
                    account.name.clone_from(&row.company);
                }
                if *account != before {
                    account.updated_at = now;
                }
            }
        }
        if changed {
            leads.push(lead);
        }
    }
    // Only the accounts that are new or changed are written: an unchanged
    // one rewritten would undo an enrichment stored since it was read.
    let accounts: Vec<Account> = accounts
        .into_values()
        .filter(|(stored, merged)| stored.as_ref() != Some(merged))
        .map(|(_, merged)| merged)
        .collect();
    if !leads.is_empty() || !accounts.is_empty() {
        store.upsert_leads(&leads, &accounts).await?;
    }
    Ok(summary)
}

/// A new lead whose account is the registrable domain of its email's
/// (`acme.com` for `jo@eu.acme.com`) joins the account stored under the
/// email's own domain instead, or under the narrowest domain between the
/// two that is stored (`eu.acme.com` for `jo@shop.eu.acme.com`), when there
/// is one: accounts created before accounts were registrable domains keep
/// getting their people, so no company is split between two accounts. A
/// free-mail lead's account comes from the `website` it was created with
/// (`eu.acme.com`, typed into a form or a file's row), which joins a stored
/// account the same way. Also for a stored lead that had no account and
/// gets one from a website now.
pub async fn join_stored_narrower_account(
    store: &dyn Store,
    lead: &mut Lead,
    website: Option<&Domain>,
) -> Result<(), PipelineError> {
    let narrow = if lead.email.is_free_mail() {
        match website.filter(|w| w.is_company_site()) {
            Some(w) => w.clone(),
            None => return Ok(()),
        }
    } else {
        lead.email.domain()
    };
    if lead.account.as_ref() == Some(&narrow.registrable())
        && let Some(stored) = stored_narrower(store, narrow).await?
    {
        lead.account = Some(stored);
    }
    Ok(())
}

/// The narrowest stored account from `host` up to, not including, its
/// registrable domain (`shop.eu.acme.com`, then `eu.acme.com`), if any.
async fn stored_narrower(store: &dyn Store, host: Domain) -> Result<Option<Domain>, PipelineError> {
    let registrable = host.registrable();
    let mut host = host;
    while host != registrable {
        if store.get_account(&host).await?.is_some() {
            return Ok(Some(host));
        }
        match host
            .as_str()
            .split_once('.')
            .and_then(|(_, parent)| Domain::parse(parent).ok())
        {
            Some(parent) => host = parent,
            None => break,
        }
    }
    Ok(None)
}

/// The account a domain someone named (an `enrich` argument, a row of a
/// run's accounts file) stands for: the narrowest stored account from it up
/// to its registrable domain (itself, or `eu.acme.com` for
/// `shop.eu.acme.com`), else its registrable domain (`eu.acme.com` →
/// `acme.com`, where the people writing from it are).
pub async fn account_named(store: &dyn Store, named: Domain) -> Result<Domain, PipelineError> {
    let registrable = named.registrable();
    Ok(stored_narrower(store, named).await?.unwrap_or(registrable))
}

/// A stored lead merged with a row keeps the narrower account it is stored
/// under (`eu.acme.com`) when the row's is only its registrable domain
/// (`acme.com`): see [`join_stored_narrower_account`].
fn keep_narrower_account(stored: &Lead, merged: &mut Lead) {
    if let Some(old) = &stored.account
        && merged.account.as_ref() == Some(&old.registrable())
    {
        merged.account = Some(old.clone());
    }
}

/// Stores activities (idempotent by id), creating a bare lead for any email
/// the store does not know yet.
pub async fn import_activities(
    store: &dyn Store,
    activities: &[Activity],
    now: DateTime<Utc>,
) -> Result<ImportSummary, PipelineError> {
    let mut new_leads: BTreeMap<Email, Lead> = BTreeMap::new();
    for a in activities {
        if !new_leads.contains_key(&a.lead) && store.get_lead(&a.lead).await?.is_none() {
            let mut lead = Lead::new(a.lead.clone(), None, now);
            join_stored_narrower_account(store, &mut lead, None).await?;
            new_leads.insert(a.lead.clone(), lead);
        }
    }
    let mut accounts = Vec::new();
    for lead in new_leads.values() {
        if let Some(d) = &lead.account
            && store.get_account(d).await?.is_none()
            && !accounts.iter().any(|a: &Account| &a.domain == d)
        {
            accounts.push(Account::new(d.clone(), now));
        }
    }
    let fresh = without_legacy_copies(store, activities, &new_leads).await?;
    let leads: Vec<Lead> = new_leads.into_values().collect();
    // Only where still absent: a form submit may have stored one of these
    // leads (with its name and title) since it was looked up.
    let leads_created = if leads.is_empty() {
        0
    } else {
        store.add_new_leads(&leads, &accounts).await?
    };
    let created = store.add_activities(&fresh).await?;
    Ok(ImportSummary {
        rows: activities.len(),
        created,
        existing: activities.len() - created,
        leads_created,
        conflicts: Vec::new(),
    })
}

/// `activities` less the rows an earlier build stored under another id.
/// Builds before 2026-12-06 derived an id without a source id from email,
/// kind, path and time only; a row with a URL or detail now gets another id,
/// so re-importing an export imported then would add it again (and its
/// points). A row whose old id is stored for its lead, with the same URL and
/// detail, is that activity. Reads the stored activities only of known
/// leads with such rows.
async fn without_legacy_copies(
    store: &dyn Store,
    activities: &[Activity],
    new_leads: &BTreeMap<Email, Lead>,
) -> Result<Vec<Activity>, PipelineError> {
    let legacy_id = |a: &Activity| {
        if (a.url.is_none() && a.detail.is_none()) || a.id != a.derived_id() {
            return None;
        }
        let mut bare = a.clone();
        bare.url = None;
        bare.detail = None;
        Some(bare.derived_id())
    };
    let mut stored: BTreeMap<&Email, Vec<Activity>> = BTreeMap::new();
    let mut out = Vec::with_capacity(activities.len());
    for a in activities {
        if let Some(old) = legacy_id(a)
            && !new_leads.contains_key(&a.lead)
        {
            if !stored.contains_key(&a.lead) {
                stored.insert(&a.lead, store.activities_of(&a.lead).await?);
            }
            let known = stored.get(&a.lead).is_some_and(|list| {
                list.iter()
                    .any(|s| s.id == old && s.url == a.url && s.detail == a.detail)
            });
            if known {
                continue;
            }
        }
        out.push(a.clone());
    }
    Ok(out)
}

/// Gives way once to the executor's other futures (whatever the runtime).
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

/// What rescoring one lead did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rescored {
    /// The stored record (new, or the unchanged current one).
    pub record: ScoreRecord,
    /// The previous total, if the lead had a score.
    pub previous_total: Option<f64>,
    /// The crossing at the hot threshold.
    pub crossing: Crossing,
    /// Whether anything was written (an unchanged score is not rewritten).
    pub written: bool,
    /// The alert put in the outbox, if any.
    pub alert: Option<Alert>,
    /// Whether the stored score was computed for a later instant than this
    /// rescore's, so the lead was read again and rescored at that instant
    /// (see [`rescore_in_context`]).
    pub superseded: bool,
}

fn same_score(a: &Score, b: &Score) -> bool {
    a.total == b.total
        && a.fit == b.fit
        && a.engagement == b.engagement
        && a.grade == b.grade
        && a.model_version == b.model_version
        && a.contributions.len() == b.contributions.len()
        && a.contributions
            .iter()
            .zip(&b.contributions)
            .all(|(x, y)| x.rule == y.rule && (x.points - y.points).abs() < 0.05)
}

/// The alert a crossing causes, if any.
pub fn alert_for(
    lead: &Lead,
    account_name: Option<&str>,
    record: &ScoreRecord,
    previous_total: Option<f64>,
    crossing: Crossing,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let kind = match crossing {
        Crossing::BecameHot => AlertKind::BecameHot,
        Crossing::Cooled => AlertKind::Cooled,
        Crossing::None => return None,
    };
    Some(Alert {
        id: Alert::key(&lead.email, kind, record.version),
        kind,
        lead: lead.email.clone(),
        lead_name: lead.display_name(),
        title: lead.title.clone(),
        owner: lead.owner.clone(),
        account: lead.account.clone(),
        account_name: account_name.map(str::to_owned),
        score: record.score.total,
        previous_score: previous_total,
        tier: record.tier,
        grade: record.score.grade,
        reasons: record.score.top_reasons(3),
        model_version: record.score.model_version.to_string(),
        score_version: record.version,
        created_at: now,
    })
}

/// Rescores one lead from the store's current data and writes the result
/// conditionally, with its alert in the outbox. On a conflicting write it
/// re-reads and retries, so concurrent rescoring of one lead yields one
/// crossing and one alert. Reads: the lead's context and its account's
/// context (one request each on DynamoDB); writes: one, or none when the
/// score did not change.
pub async fn rescore_lead(
    store: &dyn Store,
    model: &ScoringModel,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<Rescored, PipelineError> {
    rescore_fresh(store, model, email, now, MAX_CONFLICT_RETRIES).await
}

/// The account context of `domain`, or the empty one.
async fn account_context(
    store: &dyn Store,
    domain: Option<&Domain>,
) -> Result<AccountContext, PipelineError> {
    Ok(match domain {
        Some(d) => store.account_context(d).await?,
        None => AccountContext {
            account: None,
            signals: Vec::new(),
        },
    })
}

/// Reads the account of a lead already read, then rescores it.
async fn rescore_with_its_account(
    store: &dyn Store,
    model: &ScoringModel,
    ctx: LeadContext,
    now: DateTime<Utc>,
) -> Result<Rescored, PipelineError> {
    let account = account_context(store, ctx.lead.account.as_ref()).await?;
    let mut scorer = Scorer::new();
    let mut scorer = scorer.for_account(model, account.account.as_ref(), &account.signals, now);
    rescore_in_context(store, &mut scorer, ctx).await
}

/// Scores a lead from its context, already read, with `scorer`, made for
/// its account (see [`Scorer::for_account`]), then writes as
/// [`rescore_lead`] does. The scorer holds buffers reused across the leads
/// of a batch and its account's contributions, computed once for all of
/// them: an unchanged score (the common case on a scheduled run) is
/// compared and dropped without allocating its explanation anew.
///
/// **Scores never go back in time.** When the stored score was computed
/// for a later instant than the scorer's `now`, this score is dropped: the
/// lead is read again, with its account, and rescored at the stored score's
/// instant (the result says `superseded`). A rescore's own data may be
/// older than the stored score's (read before a change the later rescore
/// saw), so writing it would put a stale score back, and a lead near the
/// threshold would cool and turn hot again: two alerts for one crossing.
/// Reading again, after the stored score was written, sees every change it
/// saw and any since (the caller's own included), and an unchanged result
/// is not written. The check and the write are one step: the write is
/// conditional on the version read with the score, and a conflict reads the
/// lead and its account again, scores them anew and checks again.
///
/// **Nor back to an older account.** Each score records the version of the
/// account it was computed from ([`AccountSeen`]). The scorer's account is
/// read before the lead, once for a batch of its leads, so a change of the
/// account meanwhile, and a score written from it (a form submit's, an
/// import's rescoring), pass the version check: when the stored score saw
/// a later version of the account than the scorer's, the lead is read
/// again, with its account, and rescored from them.
pub async fn rescore_in_context(
    store: &dyn Store,
    scorer: &mut AccountScorer<'_>,
    ctx: LeadContext,
) -> Result<Rescored, PipelineError> {
    let (model, now) = (scorer.model(), scorer.now());
    let email = ctx.lead.email.clone();
    // The scorer's account was read before the lead (once for a batch of
    // its leads): a change of the account since, and a score written from
    // it (a form submit's), would pass the version check, and this score
    // would put the old account's back, a false crossing and its alert.
    if let Some(cur) = &ctx.score
        && cur.account == ctx.lead.account
        && cur
            .account_seen
            .is_some_and(|seen| seen.is_later_than(scorer.account().map(AccountSeen::of).as_ref()))
    {
        tracing::debug!(lead = %email, "the stored score saw a later change of the account; reading the lead and its account again");
        return rescore_fresh(store, model, &email, now, MAX_CONFLICT_RETRIES).await;
    }
    match write_once(store, scorer, ctx).await? {
        Attempt::Written(r) => Ok(*r),
        // Another writer's score came first, and it may rest on data this
        // one was read without (an activity added since, or the account's
        // new signals): read the lead and its account again and score them
        // anew, never write the old result.
        Attempt::Conflict => {
            rescore_fresh(store, model, &email, now, MAX_CONFLICT_RETRIES - 1).await
        }
    }
}

/// What one attempt at writing a lead's score gave.
enum Attempt {
    /// Written, or found unchanged (or superseded, see
    /// [`rescore_in_context`]).
    Written(Box<Rescored>),
    /// Another writer's score came first.
    Conflict,
}

/// Reads the lead and its account, scores and writes, `tries` times at
/// most while other writers come first.
async fn rescore_fresh(
    store: &dyn Store,
    model: &ScoringModel,
    email: &Email,
    now: DateTime<Utc>,
    tries: usize,
) -> Result<Rescored, PipelineError> {
    for _ in 0..tries {
        let ctx = store
            .lead_context(email)
            .await?
            .ok_or_else(|| PipelineError::UnknownLead(email.clone()))?;
        let account = account_context(store, ctx.lead.account.as_ref()).await?;
        let mut scorer = Scorer::new();
        let mut scoped = scorer.for_account(model, account.account.as_ref(), &account.signals, now);
        if let Attempt::Written(r) = write_once(store, &mut scoped, ctx).await? {
            return Ok(*r);
        }
    }
    Err(PipelineError::Contended(email.clone()))
}

/// Scores the lead of `ctx` with `scorer` and writes the score, conditional
/// on the version read with it (see [`rescore_in_context`]).
async fn write_once(
    store: &dyn Store,
    scorer: &mut AccountScorer<'_>,
    ctx: LeadContext,
) -> Result<Attempt, PipelineError> {
    let LeadContext {
        lead,
        activities,
        score: current,
    } = ctx;
    let (model, now) = (scorer.model(), scorer.now());
    let email = &lead.email;
    if let Some(cur) = &current
        && cur.score.scored_at > now
    {
        let later = cur.score.scored_at;
        tracing::debug!(lead = %email, stored = %later, %now, "a score for a later instant is stored; rescoring from fresh data at that instant");
        // Boxed: this calls back into this function, at a later instant
        // each time (so it ends).
        let again = Box::pin(rescore_lead(store, model, email, later)).await?;
        return Ok(Attempt::Written(Box::new(Rescored {
            superseded: true,
            ..again
        })));
    }
    let new = scorer.score(&lead, &activities);
    let previous_tier = current.as_ref().map(|r| r.tier);
    let previous_total = current.as_ref().map(|r| r.score.total);
    let settled = settle_score(previous_tier, new, &model.tiers);
    // Unchanged only on the same account too: a lead moved to another one
    // with the same score is rewritten, or the old account's rollups would
    // keep counting it and the new one's would miss it.
    if let Some(cur) = &current
        && cur.tier == settled.tier
        && same_score(&cur.score, new)
        && cur.account == lead.account
    {
        return Ok(Attempt::Written(Box::new(Rescored {
            record: cur.clone(),
            previous_total,
            crossing: Crossing::None,
            written: false,
            alert: None,
            superseded: false,
        })));
    }
    let expected_version = current.as_ref().map_or(0, |r| r.version);
    let record = ScoreRecord {
        lead: email.clone(),
        account: lead.account.clone(),
        version: expected_version + 1,
        tier: settled.tier,
        score: new.clone(),
        account_seen: scorer.account().map(AccountSeen::of),
    };
    let account_name = scorer.account().and_then(|a| a.name.as_deref());
    let alert = alert_for(
        &lead,
        account_name,
        &record,
        previous_total,
        settled.crossing,
        now,
    );
    let write = ScoreWrite {
        record,
        expected_version,
        alert,
    };
    match store.save_score(&write).await {
        Ok(()) => Ok(Attempt::Written(Box::new(Rescored {
            record: write.record,
            previous_total,
            crossing: settled.crossing,
            written: true,
            alert: write.alert,
            superseded: false,
        }))),
        Err(StoreError::Conflict(reason)) => {
            tracing::debug!(lead = %email, %reason, "score write conflicted; reading the lead and its account again");
            Ok(Attempt::Conflict)
        }
        Err(e) => Err(e.into()),
    }
}

/// What rescoring everything did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RescoreSummary {
    /// Leads scored.
    pub scored: usize,
    /// Scores written (changed).
    pub written: usize,
    /// Leads whose stored score was for a later instant, rescored at it.
    pub superseded: usize,
    /// Leads that became hot.
    pub became_hot: Vec<Email>,
    /// Leads that cooled.
    pub cooled: Vec<Email>,
    /// Leads that failed, with the reason.
    pub failed: Vec<(Email, String)>,
    /// Accounts rolled up.
    pub accounts: usize,
    /// Accounts whose rollup could not be written, with the reason (their
    /// leads' scores stand; the stored rollup stays until the next pass).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts_failed: Vec<(Domain, String)>,
    /// Leads whose stored score came from another model version: their
    /// crossings, if any, are the model change's.
    pub other_model: usize,
    /// The alerts this run put in the outbox, for its caller to publish at
    /// once (see [`drain_outbox_with`]).
    #[serde(skip)]
    pub alerts: Vec<Alert>,
}

impl RescoreSummary {
    /// Counts one lead's successful rescoring.
    fn record(&mut self, email: &Email, r: &Rescored) {
        self.scored += 1;
        self.written += usize::from(r.written);
        self.superseded += usize::from(r.superseded);
        if let Some(alert) = &r.alert {
            self.alerts.push(alert.clone());
        }
        match r.crossing {
            Crossing::BecameHot => self.became_hot.push(email.clone()),
            Crossing::Cooled => self.cooled.push(email.clone()),
            Crossing::None => {}
        }
    }

    /// Records one lead's failure, and logs it.
    fn fail(&mut self, email: &Email, e: &impl std::fmt::Display) {
        tracing::warn!(lead = %email, error = %e, "rescoring failed");
        self.failed.push((email.clone(), e.to_string()));
    }
}

/// Rescores every lead and rolls up every account with leads. The leads
/// are taken account by account, so each account is read, and its own
/// contributions computed, once. A failure on one lead is recorded and the
/// rest go on. `progress(done, total)` is called after each lead.
pub async fn rescore_all(
    store: &dyn Store,
    model: &ScoringModel,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<RescoreSummary, PipelineError> {
    let mut leads = store.list_leads().await?;
    // Stable: the store's order within an account.
    leads.sort_by(|a, b| a.account.cmp(&b.account));
    let total = leads.len();
    let mut done = 0;
    let mut summary = RescoreSummary::default();
    let mut by_account: BTreeMap<Domain, Vec<(Email, f64)>> = BTreeMap::new();
    // Accounts with a lead that failed: a rollup without it (their best
    // lead, perhaps) would be wrong, so their stored one stands.
    let mut incomplete: std::collections::BTreeSet<Domain> = std::collections::BTreeSet::new();
    let mut scorer = Scorer::new();
    for group in leads.chunk_by(|a, b| a.account == b.account) {
        // A store that answers at once (SQLite) never makes this pass
        // wait: once an account, it lets the task's other futures run (a
        // Ctrl-C listener beside it).
        yield_once().await;
        let domain = group.first().and_then(|l| l.account.as_ref());
        let account = match account_context(store, domain).await {
            Ok(account) => account,
            Err(e) => {
                for lead in group {
                    summary.fail(&lead.email, &e);
                    done += 1;
                    progress(done, total);
                }
                incomplete.extend(domain.cloned());
                continue;
            }
        };
        let mut scoped = scorer.for_account(model, account.account.as_ref(), &account.signals, now);
        for lead in group {
            let outcome = async {
                let ctx = store
                    .lead_context(&lead.email)
                    .await?
                    .ok_or_else(|| PipelineError::UnknownLead(lead.email.clone()))?;
                let other = ctx
                    .score
                    .as_ref()
                    .is_some_and(|r| r.score.model_version != model.version);
                if ctx.lead.account.as_ref() != domain {
                    // Moved to another account since the listing.
                    return rescore_with_its_account(store, model, ctx, now)
                        .await
                        .map(|r| (r, other));
                }
                rescore_in_context(store, &mut scoped, ctx)
                    .await
                    .map(|r| (r, other))
            }
            .await;
            match outcome {
                Ok((r, other)) => {
                    summary.other_model += usize::from(other);
                    summary.record(&lead.email, &r);
                    if let Some(d) = &r.record.account {
                        by_account
                            .entry(d.clone())
                            .or_default()
                            .push((lead.email.clone(), r.record.score.total));
                    }
                }
                Err(e) => {
                    summary.fail(&lead.email, &e);
                    incomplete.extend(domain.cloned());
                }
            }
            done += 1;
            progress(done, total);
        }
    }
    // One account's rollup that cannot be written stops no other.
    for (domain, scores) in by_account {
        if incomplete.contains(&domain) {
            continue;
        }
        // From the totals this pass saw: a bulk pass (the CLI's) re-reading
        // each lead would double its reads; the scheduled pass, a form
        // submit and an enrichment roll up from fresh reads.
        match store
            .save_account_score(&rollup(model, domain.clone(), &scores))
            .await
        {
            Ok(()) => summary.accounts += 1,
            Err(e) => {
                tracing::warn!(account = %domain, error = %e, "writing an account's rollup failed");
                summary.accounts_failed.push((domain, e.to_string()));
            }
        }
    }
    Ok(summary)
}

/// What rescoring every lead with a model would do, without writing
/// anything: the leads whose tier would change, and the alerts that would
/// go out. For a model edit (new thresholds, a new rule), which crosses
/// many leads at once: see it before it reaches Slack.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RescorePreview {
    /// Leads scored.
    pub scored: usize,
    /// Leads whose stored score is from another model version.
    pub other_model: usize,
    /// Leads whose tier would change: (lead, stored tier or none, new tier,
    /// stored total, new total).
    pub tier_changes: Vec<TierChange>,
    /// Leads whose total would change and their tier would not (a model
    /// edit that moves scores inside a tier, or under the hysteresis): as
    /// [`TierChange`]s with the same tier at both ends.
    pub score_changes: Vec<TierChange>,
    /// Leads that would become hot (an alert each).
    pub became_hot: Vec<Email>,
    /// Leads that would cool (an alert each).
    pub cooled: Vec<Email>,
    /// Leads that could not be scored, with the reason.
    pub failed: Vec<(Email, String)>,
}

/// One lead's tier change in a [`RescorePreview`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierChange {
    /// The lead.
    pub lead: Email,
    /// Its stored tier (none before its first score).
    pub from: Option<leadscore_core::Tier>,
    /// The tier it would settle at.
    pub to: leadscore_core::Tier,
    /// Its stored total.
    pub from_total: Option<f64>,
    /// Its new total.
    pub to_total: f64,
}

/// Scores every lead with `model` at `now` as [`rescore_all`] would (the
/// same reads, the same hysteresis from the stored tier) and reports the
/// changes; writes nothing.
pub async fn preview_rescore(
    store: &dyn Store,
    model: &ScoringModel,
    now: DateTime<Utc>,
) -> Result<RescorePreview, PipelineError> {
    let mut leads = store.list_leads().await?;
    leads.sort_by(|a, b| a.account.cmp(&b.account));
    let mut preview = RescorePreview::default();
    let mut scorer = Scorer::new();
    for group in leads.chunk_by(|a, b| a.account == b.account) {
        // A store that answers at once (SQLite) never makes this pass
        // wait: once an account, it lets the task's other futures run (a
        // Ctrl-C listener beside it).
        yield_once().await;
        let domain = group.first().and_then(|l| l.account.as_ref());
        let account = match account_context(store, domain).await {
            Ok(account) => account,
            Err(e) => {
                for lead in group {
                    preview.failed.push((lead.email.clone(), e.to_string()));
                }
                continue;
            }
        };
        let mut scoped = scorer.for_account(model, account.account.as_ref(), &account.signals, now);
        for lead in group {
            let ctx = match store.lead_context(&lead.email).await {
                Ok(Some(ctx)) => ctx,
                Ok(None) => continue,
                Err(e) => {
                    preview.failed.push((lead.email.clone(), e.to_string()));
                    continue;
                }
            };
            let new = scoped.score(&ctx.lead, &ctx.activities);
            preview.scored += 1;
            let stored = ctx.score.as_ref();
            if stored.is_some_and(|r| r.score.model_version != new.model_version) {
                preview.other_model += 1;
            }
            let settled = settle_score(stored.map(|r| r.tier), new, &model.tiers);
            match settled.crossing {
                Crossing::BecameHot => preview.became_hot.push(lead.email.clone()),
                Crossing::Cooled => preview.cooled.push(lead.email.clone()),
                Crossing::None => {}
            }
            let change = TierChange {
                lead: lead.email.clone(),
                from: stored.map(|r| r.tier),
                to: settled.tier,
                from_total: stored.map(|r| r.score.total),
                to_total: new.total,
            };
            if stored.map(|r| r.tier) != Some(settled.tier) {
                preview.tier_changes.push(change);
            } else if stored.is_some_and(|r| r.score.total != new.total) {
                preview.score_changes.push(change);
            }
        }
    }
    Ok(preview)
}

/// Rescores every lead of one account (after its enrichment), reading the
/// account, and computing its own contributions, once; then rolls it up
/// when every lead was rescored. One lead's failure never stops the rest.
pub async fn rescore_account(
    store: &dyn Store,
    model: &ScoringModel,
    domain: &Domain,
    now: DateTime<Utc>,
) -> Result<RescoreSummary, PipelineError> {
    let account = store.account_context(domain).await?;
    let mut summary = RescoreSummary::default();
    let mut scores = Vec::new();
    let mut scorer = Scorer::new();
    let mut scoped = scorer.for_account(model, account.account.as_ref(), &account.signals, now);
    for lead in store.leads_of_account(domain).await? {
        let outcome = match store.lead_context(&lead.email).await {
            // Moved to another account since the listing (an index read a
            // moment behind): scored with its own account's signals.
            Ok(Some(ctx)) if ctx.lead.account.as_ref() != Some(domain) => {
                rescore_with_its_account(store, model, ctx, now).await
            }
            Ok(Some(ctx)) => rescore_in_context(store, &mut scoped, ctx).await,
            Ok(None) => Err(PipelineError::UnknownLead(lead.email.clone())),
            Err(e) => Err(e.into()),
        };
        match outcome {
            Ok(r) => {
                summary.record(&lead.email, &r);
                if r.record.account.as_ref() == Some(domain) {
                    scores.push((lead.email, r.record.score.total));
                }
            }
            Err(e) => {
                tracing::warn!(lead = %lead.email, error = %e, "rescoring a lead failed");
                summary.failed.push((lead.email, e.to_string()));
            }
        }
    }
    // A rollup of the leads that were rescored alone would lose the others
    // (the best lead, perhaps): with a failure, the account keeps its stored
    // rollup until a complete pass.
    if !scores.is_empty() && summary.failed.is_empty() {
        let scores = current_totals(store, domain, scores.into_iter().map(|(e, _)| e)).await?;
        store
            .save_account_score(&rollup(model, domain.clone(), &scores))
            .await?;
        summary.accounts = 1;
    }
    Ok(summary)
}

/// The totals of `emails`' scores as stored now, for the rollup of
/// `domain`: a pass over many leads takes a while, and a lead rescored
/// meanwhile (a form submit that made it hot, and rolled the account up
/// with it) must not be rolled back to the total the pass saw. A score made
/// with another account is of a lead that has moved there (DynamoDB's index
/// of an account's leads lists it here a moment longer): counted there, not
/// twice.
async fn current_totals(
    store: &dyn Store,
    domain: &Domain,
    emails: impl IntoIterator<Item = Email>,
) -> Result<Vec<(Email, f64)>, StoreError> {
    let mut out = Vec::new();
    for email in emails {
        if let Some(r) = store.current_score(&email).await?
            && r.account.as_ref().is_none_or(|a| a == domain)
        {
            out.push((email, r.score.total));
        }
    }
    Ok(out)
}

/// Rolls up one account from its leads' current scores, `also` among them
/// (a lead the caller has just written).
pub async fn rollup_account(
    store: &dyn Store,
    model: &ScoringModel,
    domain: &Domain,
    also: Option<&Email>,
) -> Result<AccountScore, PipelineError> {
    let mut emails: Vec<Email> = store
        .leads_of_account(domain)
        .await?
        .into_iter()
        .map(|l| l.email)
        .collect();
    // The store's listing of an account's leads may not show a lead written
    // a moment ago (DynamoDB's index of them is eventually consistent): the
    // caller names the one it just wrote.
    if let Some(e) = also
        && !emails.contains(e)
    {
        emails.push(e.clone());
    }
    let scores = current_totals(store, domain, emails).await?;
    let s = rollup(model, domain.clone(), &scores);
    store.save_account_score(&s).await?;
    Ok(s)
}

/// The sinks a recorded failure names: its text is a [`DeliveryError`]'s,
/// `SINKS: REASON` with the sinks joined by `, ` (`slack: HTTP 500`,
/// `slack, email: slack: ...; email: ...`).
pub fn failed_sinks(last_error: &str) -> Vec<&str> {
    last_error
        .split_once(": ")
        .map(|(sinks, _)| {
            sinks
                .split(", ")
                // Recorded before a failure was named by its channel: the
                // SMTP sink's name is the `email` channel's.
                .map(|s| if s == "smtp" { "email" } else { s })
                .collect()
        })
        .unwrap_or_default()
}

/// The channels a local delivery may have ([`AlertSink::channels`]); a
/// failure recorded by another sink (the score Lambda's event bus) holds
/// no alert.
const LOCAL_CHANNELS: [&str; 3] = ["stdout", "slack", "email"];

/// Why delivering an alert failed.
#[derive(Debug, thiserror::Error)]
#[error("{sink}: {reason}")]
pub struct DeliveryError {
    /// Which sink failed.
    pub sink: String,
    /// Why.
    pub reason: String,
    /// Whether a later attempt may succeed.
    pub retryable: bool,
    /// The message was sent and no answer came (a timeout after the
    /// receiver took it): it may have been delivered. A retry may repeat
    /// it; channels that deliver once bound how often.
    pub outcome_unknown: bool,
}

/// The notifier port: somewhere alerts go (stdout, Slack, email, a bus).
/// Receivers must drop a redelivered alert by its `id`.
#[async_trait]
pub trait AlertSink: Send + Sync {
    /// Delivers one alert.
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError>;

    /// The channels this sink delivers to, when it is a set of named
    /// channels each delivering once (the local product's stdout, Slack
    /// and email): an alert whose last failure names a channel not among
    /// them still needs that one, and [`drain_outbox`] holds it rather
    /// than let this sink mark it delivered. `None` (the default): the
    /// sink is the whole delivery (an event bus).
    fn channels(&self) -> Option<Vec<String>> {
        None
    }

    /// Gives up what deliveries dropped mid-way (a run stopped by Ctrl-C)
    /// still hold, such as a claim on an alert, so that the next delivery
    /// need not wait for it to expire. Nothing by default.
    async fn release_abandoned(&self) {}

    /// How many alerts [`drain_outbox`] hands to [`Self::deliver_batch`] at
    /// once (each batch's alerts are marked delivered before the next is
    /// sent, so a drain stopped part way leaves few delivered alerts
    /// unmarked). One by default; a bus sends ten events a request.
    fn batch_size(&self) -> usize {
        1
    }

    /// Delivers several alerts; one outcome per alert, in order. Sinks that
    /// can batch (a bus) override this.
    async fn deliver_batch(&self, alerts: &[Alert]) -> Vec<Result<(), DeliveryError>> {
        let mut out = Vec::with_capacity(alerts.len());
        for a in alerts {
            out.push(self.deliver(a).await);
        }
        out
    }
}

/// Why publishing an event failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct BusError {
    /// Why.
    pub reason: String,
    /// Whether a later attempt may succeed.
    pub retryable: bool,
}

/// The event bus port (EventBridge in AWS).
#[async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes events; one outcome per event, in order. Implementations
    /// retry the entries that failed before reporting them.
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>>;
}

#[async_trait]
impl<B: EventBus + ?Sized> EventBus for std::sync::Arc<B> {
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
        (**self).publish(events).await
    }
}

/// The in-memory [`EventBus`]: keeps what is published, in order (for
/// tests and local runs that look at the events instead of routing them).
/// [`MemoryBus::refuse_next`] makes the next calls fail, as a bus outage.
#[derive(Debug, Default)]
pub struct MemoryBus {
    events: std::sync::Mutex<Vec<Event>>,
    /// Calls left to refuse, and whether a retry may succeed.
    refusing: std::sync::Mutex<(usize, bool)>,
}

impl MemoryBus {
    /// An empty bus that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event accepted so far, in order.
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Takes the events accepted so far, leaving none.
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(
            &mut *self
                .events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Refuses every event of the next `calls` calls to
    /// [`EventBus::publish`], `retryable` or for good.
    pub fn refuse_next(&self, calls: usize, retryable: bool) {
        *self
            .refusing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = (calls, retryable);
    }
}

#[async_trait]
impl EventBus for MemoryBus {
    async fn publish(&self, events: &[Event]) -> Vec<Result<(), BusError>> {
        {
            let mut refusing = self
                .refusing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if refusing.0 > 0 {
                refusing.0 -= 1;
                let retryable = refusing.1;
                return events
                    .iter()
                    .map(|_| {
                        Err(BusError {
                            reason: "the bus refused the event".into(),
                            retryable,
                        })
                    })
                    .collect();
            }
        }
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(events);
        events.iter().map(|_| Ok(())).collect()
    }
}

/// Delivers alerts as `Lead Became Hot` / `Lead Cooled` events on a bus.
#[derive(Debug)]
pub struct BusAlertSink<B> {
    /// The bus.
    pub bus: B,
}

#[async_trait]
impl<B: EventBus> AlertSink for BusAlertSink<B> {
    async fn deliver(&self, alert: &Alert) -> Result<(), DeliveryError> {
        self.deliver_batch(std::slice::from_ref(alert))
            .await
            .pop()
            .unwrap_or(Ok(()))
    }

    fn batch_size(&self) -> usize {
        10
    }

    async fn deliver_batch(&self, alerts: &[Alert]) -> Vec<Result<(), DeliveryError>> {
        let events: Vec<Event> = alerts.iter().map(Event::from_alert).collect();
        self.bus
            .publish(&events)
            .await
            .into_iter()
            .map(|r| {
                r.map_err(|e| DeliveryError {
                    sink: "event bus".into(),
                    reason: e.reason,
                    retryable: e.retryable,
                    outcome_unknown: false,
                })
            })
            .collect()
    }
}

/// What draining the outbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DrainSummary {
    /// Alerts delivered and marked.
    pub delivered: usize,
    /// Alerts that failed and stay pending.
    pub failed: usize,
    /// Of those, the ones the sink refused for good (not retryable: a retry
    /// of the same request would be refused again). They stay pending, for
    /// an operator to see and for the next run, but a caller need not fail
    /// its own work over them.
    pub rejected: usize,
    /// The ids of the alerts that failed and may succeed on a retry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retryable_ids: Vec<String>,
    /// The lead and account of each of those, in the same order: whose
    /// they are, for a caller that fails only over its own.
    #[serde(skip)]
    pub retryable_for: Vec<(Email, Option<Domain>)>,
    /// Alerts not tried, and left pending: their last delivery failed on a
    /// channel this sink does not have ([`AlertSink::channels`]), which
    /// still needs them.
    pub held: usize,
    /// Those channels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_for: Vec<String>,
}

/// Delivers pending alerts in queue order (oldest first, an alert whose
/// delivery failed behind the others); a delivered alert is marked, a
/// failed one stays pending with the failure recorded and goes to the back
/// of the queue, so alerts that fail for good cannot crowd out new ones
/// when `limit` is reached. At-least-once: a crash between delivery and
/// marking redelivers with the same id.
pub async fn drain_outbox(
    store: &dyn Store,
    sink: &dyn AlertSink,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<DrainSummary, PipelineError> {
    drain_outbox_with(store, sink, now, limit, &[]).await
}

/// [`drain_outbox`], and also `fresh`: alerts the caller has just put in the
/// outbox. The store's listing of pending alerts may not show an alert
/// written a moment ago (DynamoDB's index of them is eventually
/// consistent), and an alert it misses would wait for the next scheduled
/// run; the caller knows its own, so they go out now. An alert in both is
/// delivered once. With `limit` 0 only `fresh` goes out, and the outbox is
/// not listed.
pub async fn drain_outbox_with(
    store: &dyn Store,
    sink: &dyn AlertSink,
    now: DateTime<Utc>,
    limit: usize,
    fresh: &[Alert],
) -> Result<DrainSummary, PipelineError> {
    let mut summary = DrainSummary::default();
    // An alert whose last failure was on a channel this sink lacks (Slack
    // failed; `alerts deliver` run without the webhook) is held: marked
    // delivered by the channels here, it would never reach that one.
    let channels = sink.channels();
    let missing_of = |r: &PendingAlert| -> Vec<String> {
        match (&channels, r.last_error.as_deref()) {
            (Some(have), Some(error)) => failed_sinks(error)
                .into_iter()
                .filter(|s| LOCAL_CHANNELS.contains(s) && !have.iter().any(|h| h == s))
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    };
    // Held alerts keep their place at the head of the queue: the listing
    // is made longer by as many, so that `limit` others still go out (a
    // hundred held ones took every place of a hundred-alert drain).
    let mut records = Vec::new();
    if limit > 0 {
        let mut ask = limit;
        for _ in 0..3 {
            records = store.pending_alert_records(ask).await?;
            let held = records.iter().filter(|r| !missing_of(r).is_empty()).count();
            if records.len() < ask || ask >= limit.saturating_add(held) {
                break;
            }
            ask = limit.saturating_add(held);
        }
    }
    let mut pending = Vec::with_capacity(records.len());
    let mut held_ids = Vec::new();
    for r in records {
        let missing = missing_of(&r);
        if missing.is_empty() {
            pending.push(r.alert);
            continue;
        }
        tracing::warn!(alert = %r.alert.id, channels = ?missing, "alert held: its last delivery failed on a channel this delivery does not have");
        summary.held += 1;
        held_ids.push(r.alert.id);
        for m in missing {
            if !summary.held_for.contains(&m) {
                summary.held_for.push(m);
            }
        }
    }
    for alert in fresh {
        if !pending.iter().any(|p: &Alert| p.id == alert.id) && !held_ids.contains(&alert.id) {
            pending.push(alert.clone());
        }
    }
    for batch in pending.chunks(sink.batch_size().max(1)) {
        let outcomes = sink.deliver_batch(batch).await;
        for (alert, outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Ok(()) => {
                    store.mark_alert_delivered(&alert.id, now).await?;
                    summary.delivered += 1;
                }
                Err(e) => {
                    if e.retryable {
                        tracing::warn!(alert = %alert.id, error = %e, "alert delivery failed; it stays pending");
                        summary.retryable_ids.push(alert.id.clone());
                        summary
                            .retryable_for
                            .push((alert.lead.clone(), alert.account.clone()));
                    } else {
                        tracing::error!(alert = %alert.id, error = %e, "alert refused by the sink (the same request would be refused again); it stays pending, for an operator to see, and later deliveries try it again");
                        summary.rejected += 1;
                    }
                    // Behind every alert queued so far, those written while
                    // this drain ran included (a form submit's, queued after
                    // `now`): the wall clock, when it is later.
                    store
                        .record_alert_failure(&alert.id, &e.to_string(), now.max(Utc::now()))
                        .await?;
                    summary.failed += 1;
                }
            }
        }
    }
    Ok(summary)
}

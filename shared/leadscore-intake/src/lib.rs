//! Web-form intake, written once for the `form-submit` Lambda and for
//! `leadscore serve`.
//!
//! [`Intake::submit`] stores the lead and its `form_submitted` activity under
//! an idempotency claim (a double submit creates one lead and one activity),
//! queues enrichment when the account is unknown or stale, scores the lead at
//! once with what is known and publishes `Lead Submitted`. [`http::handle`]
//! is the HTTP face: methods, CORS, body size, media types and status codes.

pub mod form;
pub mod http;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use leadscore_core::ScoringModel;
use leadscore_core::domain::{Account, Activity, ActivityId, ActivityKind, Domain, Email, Lead};
use leadscore_core::events::Event;
use leadscore_pipeline::{
    BusAlertSink, EnrichQueue, EnrichRequest, EventBus, PipelineError, drain_outbox_with,
    rescore_lead,
};
use leadscore_store::{Claim, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use form::{FieldError, FormError, FormRules, Submission};

/// Intake settings.
#[derive(Debug, Clone)]
pub struct IntakeConfig {
    /// How forms are read.
    pub rules: FormRules,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// Origins allowed to post from a browser (`*` for any).
    pub allowed_origins: Vec<String>,
    /// An account enriched longer ago than this is queued again.
    pub stale_after: Duration,
    /// How long a claim protects an in-flight submission.
    pub lease: Duration,
    /// Whether a typed website naming a port may be the crawl's start URL
    /// (default false: a form could point the crawler at another service
    /// of a host; fixture sites on loopback need it).
    pub website_ports: bool,
    /// Posts one client address (an IPv6 address's /64) may make in a
    /// clock hour before it is answered 429; 0 for no limit. Every post
    /// counts, taken or not.
    pub rate_limit_per_hour: u64,
    /// Reverse proxies (networks) whose `X-Forwarded-For` names the client:
    /// a post from one is counted against the rightmost address in that
    /// header that is not one of them (see [`http::client_address`]).
    /// Empty by default: the transport's peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            rules: FormRules::default(),
            // A 2,000-character message in a script whose characters take
            // nine bytes URL-encoded, with the other fields, fits.
            max_body_bytes: 64 * 1024,
            allowed_origins: Vec::new(),
            stale_after: Duration::days(7),
            lease: Duration::seconds(30),
            website_ports: false,
            // A booth's tablet behind one address, a team's office NAT:
            // far above what people type, far below what a script sends.
            rate_limit_per_hour: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

/// How long a submit holds its lead's write lock at most (a function
/// killed while holding it leaves it for this long): the form-submit
/// function's timeout, so a live holder never loses it.
pub const LEAD_LOCK_LEASE: Duration = Duration::seconds(20);

/// How long a submit waits for another submit of the same address to
/// finish writing the lead before answering 409 (retry).
pub const LEAD_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a submit waits for the same submission in flight (a double
/// click) to finish before answering 409: when it finishes, the second is
/// answered as a duplicate (202) instead of an error for a lead that was
/// stored.
pub const SUBMISSION_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// How long a queued enrichment of an account holds off queueing it again
/// from other submits (a claim on `enrich:DOMAIN`): a burst of submits from
/// one company, or a script posting addresses at one domain, crawls it once,
/// not once per submit. Longer than a crawl's wait in the queue and its run.
pub const ENRICH_QUEUE_HOLD: Duration = Duration::minutes(15);

/// The outcome of an accepted submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    /// An opaque, stable id of the lead.
    pub lead_id: String,
    /// Whether this submission was seen before (nothing was written).
    pub duplicate: bool,
    /// Whether enrichment of the account was queued.
    pub enrichment_queued: bool,
    /// The lead's total score after this submission, when scored now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// Why a submission could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The same submission, or another for the same address, is being
    /// processed right now.
    #[error(
        "this submission, or another for the same address, is being processed; try again shortly"
    )]
    InFlight,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Scoring failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// `Lead Submitted` could not be published.
    #[error("publishing Lead Submitted: {reason}")]
    Bus {
        /// The bus's error.
        reason: String,
        /// Whether the bus said a retry may succeed (a refusal for good,
        /// such as a missing permission, is not answered "retry").
        retryable: bool,
    },
}

impl IntakeError {
    /// Whether the client should retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::InFlight => true,
            Self::Bus { retryable, .. } => *retryable,
            Self::Store(e) => e.is_retryable(),
            Self::Pipeline(PipelineError::Store(e)) => e.is_retryable(),
            Self::Pipeline(PipelineError::Contended(_)) => true,
            Self::Pipeline(PipelineError::UnknownLead(_)) => false,
        }
    }
}

/// The intake service: ports in, built once.
#[derive(Clone)]
pub struct Intake {
    /// Where leads go.
    pub store: Arc<dyn Store>,
    /// How they are scored.
    pub model: Arc<ScoringModel>,
    /// Where enrichment requests go (none: accounts wait for the schedule).
    pub queue: Option<Arc<dyn EnrichQueue>>,
    /// Where `Lead Submitted` goes (none: not published).
    pub bus: Option<Arc<dyn EventBus>>,
    /// Settings.
    pub config: IntakeConfig,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("model", &self.model.version)
            .field("queue", &self.queue.is_some())
            .field("bus", &self.bus.is_some())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The opaque id of a lead: a hash of its normalized email.
pub fn lead_id(email: &Email) -> String {
    hex(&Sha256::digest(email.as_str().as_bytes())[..12])
}

/// Bytes in lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The idempotency key of a submission: the client's `Idempotency-Key` when
/// given (with the address and the form's name), otherwise a hash of the
/// form, the submitted fields and the UTC day
/// (a double click or a browser retry the same day is one submission).
pub fn submission_key(client_key: Option<&str>, s: &Submission, now: DateTime<Utc>) -> String {
    let mut h = Sha256::new();
    match client_key {
        Some(k) => {
            // Scoped by address and form: a page that reuses one key for
            // its newsletter and its demo form sends two submissions.
            h.update(b"client\0");
            h.update(s.email.as_str().as_bytes());
            h.update([0]);
            h.update(s.form.as_bytes());
            h.update([0]);
            h.update(k.as_bytes());
        }
        None => {
            h.update(b"derived\0");
            h.update(now.format("%Y-%m-%d").to_string().as_bytes());
            if let Ok(json) = serde_json::to_vec(s) {
                h.update(&json);
            }
        }
    }
    hex(&h.finalize()[..16])
}

/// The key of a honeypot-filled post: a hash of its body and the UTC day,
/// as [`submission_key`] derives a real one's, so its repeat that day is
/// known as a real submission's is.
pub fn honeypot_key(body: &[u8], now: DateTime<Utc>) -> String {
    let mut h = Sha256::new();
    h.update(b"honeypot\0");
    h.update(now.format("%Y-%m-%d").to_string().as_bytes());
    h.update(body);
    hex(&h.finalize()[..16])
}

impl Intake {
    /// Takes a valid submission. A seen key answers `duplicate` and writes
    /// nothing; a failure releases the claim so the client's retry redoes
    /// the (idempotent) steps.
    pub async fn submit(
        &self,
        s: &Submission,
        client_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Accepted, IntakeError> {
        let key = submission_key(client_key, s, now);
        let claim_key = format!("form:{key}");
        // The same submission in flight (a double click): wait for it to be
        // done (then this one is a duplicate) or given up.
        let (claim, lease_until) = self
            .claim_waiting(
                &claim_key,
                now,
                self.config.lease,
                SUBMISSION_WAIT,
                std::time::Duration::from_millis(250),
            )
            .await?;
        match claim {
            Claim::Done => {
                tracing::info!(lead = %s.email, key = %key, "duplicate submission");
                return Ok(Accepted {
                    lead_id: lead_id(&s.email),
                    duplicate: true,
                    enrichment_queued: false,
                    score: None,
                });
            }
            Claim::Acquired => {}
            Claim::Busy => return Err(IntakeError::InFlight),
        }
        match self.take(s, &key, now).await {
            Ok(accepted) => {
                // Everything is stored and published: the submit is taken.
                // Failing it now would have the client retry work that is
                // done; an unmarked key only lets a retry after the lease
                // redo the idempotent steps.
                if let Err(e) = self.store.complete(&claim_key, now).await {
                    tracing::warn!(error = %e, key = %claim_key, "marking the submission done failed; a retry after the lease redoes its idempotent steps");
                }
                Ok(accepted)
            }
            Err(e) => {
                if let Err(release) = self.store.release(&claim_key, lease_until).await {
                    tracing::warn!(error = %release, key = %claim_key, "releasing the claim failed; it expires with its lease");
                }
                Err(e)
            }
        }
    }

    /// Takes the lead's write lock (a claim on `lead:EMAIL`), waiting while
    /// another submit for the same address holds it, up to
    /// [`LEAD_LOCK_WAIT`]; returns the lease to release it with.
    async fn lock_lead(
        &self,
        lock: &str,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, IntakeError> {
        let (claim, lease_until) = self
            .claim_waiting(
                lock,
                now,
                LEAD_LOCK_LEASE,
                LEAD_LOCK_WAIT,
                std::time::Duration::from_millis(500),
            )
            .await?;
        match claim {
            Claim::Acquired | Claim::Done => Ok(lease_until),
            Claim::Busy => Err(IntakeError::InFlight),
        }
    }

    /// Claims `key` for `lease`, asking again while another holder has it
    /// (pauses doubling from 20 ms up to `max_pause`) for at most `wait`:
    /// the first answer that is not [`Claim::Busy`], or `Busy` when the
    /// wait ran out, with the lease it was asked for (the clock moves on
    /// from `now` while waiting).
    async fn claim_waiting(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease: Duration,
        wait: std::time::Duration,
        max_pause: std::time::Duration,
    ) -> Result<(Claim, DateTime<Utc>), IntakeError> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(20);
        loop {
            let at = now + Duration::from_std(started.elapsed()).unwrap_or_default();
            let lease_until = at + lease;
            match self.store.claim(key, at, lease_until).await? {
                Claim::Busy if started.elapsed() + pause < wait => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(max_pause);
                }
                claim => return Ok((claim, lease_until)),
            }
        }
    }

    async fn take(
        &self,
        s: &Submission,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Accepted, IntakeError> {
        // Two submits from one address at once (two forms on a page, a
        // double click with different fields) would each read the lead, add
        // their own fields and write it back, the second erasing the
        // first's. Its read and write go one submit at a time.
        let lock = format!("lead:{}", s.email);
        let lease = self.lock_lead(&lock, now).await?;
        let written = self.write_lead(s, now).await;
        if let Err(e) = self.store.release(&lock, lease).await {
            tracing::warn!(error = %e, lock = %lock, "releasing the lead's lock failed; it expires with its lease");
        }
        let (lead, enrich) = written?;
        self.follow_up(s, key, lead, enrich, now).await
    }

    /// Reads the lead, adds the submission's fields and writes it, with its
    /// account when new; says whether the account needs enriching.
    async fn write_lead(
        &self,
        s: &Submission,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Option<&'static str>), IntakeError> {
        let store = self.store.as_ref();
        let lead = match store.get_lead(&s.email).await? {
            Some(mut lead) => {
                let had_account = lead.account.is_some();
                merge(&mut lead, s, now);
                if !had_account {
                    // Its account comes from this form's website now.
                    leadscore_pipeline::join_stored_narrower_account(
                        store,
                        &mut lead,
                        s.website.as_ref(),
                    )
                    .await?;
                }
                lead
            }
            None => {
                let mut lead = Lead::new(s.email.clone(), s.website.as_ref(), now);
                leadscore_pipeline::join_stored_narrower_account(
                    store,
                    &mut lead,
                    s.website.as_ref(),
                )
                .await?;
                merge(&mut lead, s, now);
                lead
            }
        };
        let mut accounts = Vec::new();
        let mut enrich = None;
        if let Some(domain) = &lead.account {
            match store.get_account(domain).await? {
                None => {
                    let mut a = Account::new(domain.clone(), now);
                    a.name.clone_from(&s.company);
                    accounts.push(a);
                    enrich = Some("new account");
                }
                Some(a) => {
                    let cutoff = leadscore_pipeline::due_cutoff(now, self.config.stale_after);
                    if a.enriched_at.is_none_or(|t| t < cutoff) {
                        enrich = Some("stale");
                    }
                }
            }
        }
        store
            .upsert_leads(std::slice::from_ref(&lead), &accounts)
            .await?;
        Ok((lead, enrich))
    }

    /// The submit's activity, enrichment request, score, alert and event.
    async fn follow_up(
        &self,
        s: &Submission,
        key: &str,
        lead: Lead,
        enrich: Option<&'static str>,
        now: DateTime<Utc>,
    ) -> Result<Accepted, IntakeError> {
        let store = self.store.as_ref();
        let mut activity = Activity::new(lead.email.clone(), ActivityKind::FormSubmitted, now);
        // Derived from the submission key: a retried submit adds nothing.
        activity.id = ActivityId(format!("form:{key}"));
        activity.url = page_on_allowed_origin(s.page_url.as_deref(), &self.config.allowed_origins);
        activity.detail = Some(s.form.clone());
        store.add_activities(&[activity]).await?;

        let mut enrichment_queued = false;
        if let (Some(reason), Some(queue), Some(domain)) = (enrich, &self.queue, &lead.account) {
            // One queued crawl per account at a time (ENRICH_QUEUE_HOLD).
            let hold_key = format!("enrich:{domain}");
            let hold_until = now + ENRICH_QUEUE_HOLD;
            let held = match store.claim(&hold_key, now, hold_until).await {
                Ok(Claim::Acquired) => Some(true),
                Ok(Claim::Busy | Claim::Done) => {
                    tracing::info!(account = %domain, "enrichment already queued by a recent submit");
                    None
                }
                Err(e) => {
                    // Queued without the hold rather than not at all.
                    tracing::warn!(account = %domain, error = %e, "the enrichment hold could not be taken; queueing anyway");
                    Some(false)
                }
            };
            if let Some(held) = held {
                let mut req = EnrichRequest::new(domain.clone(), reason);
                req.start = s
                    .website_url
                    .as_deref()
                    .and_then(|w| start_url_on(w, domain, self.config.website_ports));
                match queue.enqueue(std::slice::from_ref(&req)).await.pop() {
                    Some(Ok(())) => enrichment_queued = true,
                    Some(Err(e)) => {
                        // Not fatal: the schedule picks up never-enriched and
                        // stale accounts; the next submit may queue.
                        tracing::warn!(account = %domain, error = %e, "queueing enrichment failed; the schedule will pick it up");
                        if held && let Err(e) = store.release(&hold_key, hold_until).await {
                            tracing::warn!(account = %domain, error = %e, "releasing the enrichment hold failed; it expires");
                        }
                    }
                    None => {}
                }
            }
        }
        let rescored = rescore_lead(store, &self.model, &lead.email, now).await?;
        if let Some(bus) = &self.bus {
            if let Some(alert) = &rescored.alert {
                // The alert this submit's score wrote goes out now: the
                // outbox's next drain may not list it yet (DynamoDB's index
                // of pending alerts is eventually consistent), and later
                // rescores of an unchanged lead write nothing to pass on. A
                // failure leaves it pending for the next drain.
                let sink = BusAlertSink { bus: bus.clone() };
                match drain_outbox_with(store, &sink, now, 0, std::slice::from_ref(alert)).await {
                    Ok(d) if d.failed == 0 => {}
                    Ok(_) => {
                        tracing::warn!(alert = %alert.id, "publishing the alert failed; it stays in the outbox");
                    }
                    Err(e) => {
                        tracing::warn!(alert = %alert.id, error = %e, "marking the alert published failed; it stays in the outbox");
                    }
                }
            }
            let event = Event::lead_submitted(&lead, &s.form, key, now);
            if let Some(Err(e)) = bus.publish(std::slice::from_ref(&event)).await.pop() {
                return Err(IntakeError::Bus {
                    reason: e.reason,
                    retryable: e.retryable,
                });
            }
        }
        tracing::info!(lead = %lead.email, account = ?lead.account.as_ref().map(ToString::to_string), score = rescored.record.score.total, enrichment_queued, "lead submitted");
        Ok(Accepted {
            lead_id: lead_id(&lead.email),
            duplicate: false,
            enrichment_queued,
            score: Some(rescored.record.score.total),
        })
    }
}

/// New values from the form win; values the form leaves out are kept.
fn merge(lead: &mut Lead, s: &Submission, now: DateTime<Utc>) {
    if s.first_name.is_some() {
        lead.first_name.clone_from(&s.first_name);
    }
    if s.last_name.is_some() {
        lead.last_name.clone_from(&s.last_name);
    }
    if s.title.is_some() {
        lead.set_title(s.title.clone());
    }
    if lead.account.is_none() {
        lead.account = s
            .website
            .as_ref()
            .filter(|w| w.is_company_site())
            .map(Domain::registrable);
    }
    for (k, v) in &s.attributes {
        lead.attributes.insert(k.clone(), v.clone());
    }
    if let Some(c) = &s.company {
        lead.attributes.insert("company".into(), c.clone());
    }
    if let Some(m) = &s.message {
        // The latest message, for sales to read with the lead.
        lead.attributes.insert("message".into(), m.clone());
    }
    // Consent given is recorded; a form without it (an unticked box is not
    // sent at all) records `false` only when nothing was recorded before,
    // so a later form without the box does not erase a recorded `true`.
    if s.consent || !lead.attributes.contains_key("consent") {
        lead.attributes
            .insert("consent".into(), s.consent.to_string());
    }
    lead.updated_at = now;
}

/// The website typed in a form as the crawl would read it, when the host
/// the fetcher would connect to is `domain` (with or without `www.`); none
/// otherwise, and the crawl starts at `https://DOMAIN/`. The host is taken
/// from the parsed URL, as the fetcher takes it, not from the typed text:
/// `https://other.example\@acme.com` is a URL of `other.example` (a
/// backslash ends the host of an http(s) URL), and must not stand in for
/// acme.com's website.
fn start_url_on(typed: &str, domain: &Domain, ports: bool) -> Option<String> {
    // Read as the enricher reads a start URL.
    let url = leadscore_fetch::parse_start_url(typed).ok()?;
    let on_domain = url
        .host_str()
        .and_then(|h| Domain::parse(h).ok())
        .is_some_and(|d| d == *domain);
    // On the site's own port: a typed `:6379` would send the crawler's
    // requests to another service of that host.
    (on_domain && (ports || url.port().is_none())).then(|| url.to_string())
}

/// The page the form was on, as evidence, when it is on one of the
/// configured origins (`*` takes any): a submit can name any page, and an
/// alert's "source" link must not point at an attacker's.
fn page_on_allowed_origin(page: Option<&str>, allowed: &[String]) -> Option<String> {
    let page = page?;
    let url = url::Url::parse(page).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    http::origin_allowed(allowed, &url.origin().ascii_serialization()).then(|| page.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_url_is_the_typed_website_only_when_its_host_is_the_account() {
        let acme = Domain::parse("acme.com").unwrap_or_else(|e| panic!("{e}"));
        for (typed, want) in [
            ("acme.com", Some("https://acme.com/")),
            ("www.acme.com/about", Some("https://www.acme.com/about")),
            ("http://acme.com:8080/x", None),
            ("https://acme.com:443/x", Some("https://acme.com/x")),
            ("https://ACME.com", Some("https://acme.com/")),
            (
                "acme.com/?next=http://other.example",
                Some("https://acme.com/?next=http://other.example"),
            ),
            // What a browser or the fetcher would read as another host.
            ("https://other.example\\@acme.com/", None),
            ("https://acme.com@other.example/", None),
            ("other.example", None),
            ("https://shop.acme.com/", None),
            ("ftp://acme.com/", None),
            ("", None),
        ] {
            assert_eq!(
                start_url_on(typed, &acme, false).as_deref(),
                want,
                "{typed}"
            );
        }
        // Ports allowed (fixture sites on loopback).
        assert_eq!(
            start_url_on("http://acme.com:8080/x", &acme, true).as_deref(),
            Some("http://acme.com:8080/x")
        );
    }

    #[test]
    fn the_form_page_is_evidence_only_on_an_allowed_origin() {
        let allowed = vec!["https://www.acme.com/".to_owned()];
        for (page, want) in [
            ("https://www.acme.com/demo", true),
            ("https://WWW.acme.com/demo?x=1", true),
            ("https://evil.example/login", false),
            ("https://www.acme.com.evil.example/", false),
            ("javascript:alert(1)", false),
            ("not a url", false),
        ] {
            assert_eq!(
                page_on_allowed_origin(Some(page), &allowed).is_some(),
                want,
                "{page}"
            );
        }
        assert!(page_on_allowed_origin(Some("https://x.example/"), &["*".into()]).is_some());
        assert!(page_on_allowed_origin(Some("javascript:alert(1)"), &["*".into()]).is_none());
        assert!(page_on_allowed_origin(Some("https://x.example/"), &[]).is_none());
    }
}

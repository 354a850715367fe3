//! Enrichment wired to the ports: store the snapshot, publish the events,
//! rescore the account's leads.

use std::panic::AssertUnwindSafe;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use leadscore_core::ScoringModel;
use leadscore_core::domain::Domain;
use leadscore_core::events::Event;
use leadscore_pipeline::{EventBus, PipelineError, RescoreSummary, rescore_account};
use leadscore_store::Store;

use crate::{EnrichError, Enricher, Enrichment};

/// What enriching one account did.
#[derive(Debug)]
pub struct EnrichOutcome {
    /// What was found.
    pub enrichment: Enrichment,
    /// The events emitted (`Account Enriched`, technology changes).
    pub events: Vec<Event>,
    /// Events the bus did not accept after its retries.
    pub event_errors: Vec<String>,
    /// Rescoring of the account's leads.
    pub rescored: RescoreSummary,
    /// Whether the snapshot was stored (see [`Stored::stored`]).
    pub stored: bool,
}

/// Why enriching an account failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum EnrichAccountError {
    /// Enrichment could not start.
    #[error(transparent)]
    Enrich(#[from] EnrichError),
    /// The store or rescoring failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Enriching this account panicked (a bug, or a page that trips one in a
    /// dependency). The panic is caught here so that it fails this account
    /// only: the other accounts of a batch or a run go on.
    #[error("panicked: {message}")]
    Panicked {
        /// The panic's message.
        message: String,
    },
}

/// Runs `work`, turning a panic into [`EnrichAccountError::Panicked`].
async fn isolated<T>(
    work: impl Future<Output = Result<T, EnrichAccountError>>,
) -> Result<T, EnrichAccountError> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => Err(EnrichAccountError::Panicked {
            message: panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned()),
        }),
    }
}

/// What enriching and storing one account did, before any rescoring.
#[derive(Debug)]
pub struct Stored {
    /// What was found.
    pub enrichment: Enrichment,
    /// The events emitted (`Account Enriched`, technology changes).
    pub events: Vec<Event>,
    /// Events the bus did not accept after its retries.
    pub event_errors: Vec<String>,
    /// Whether the snapshot was stored. Not when the site could not be
    /// reached for now and there was nothing to record
    /// ([`Enrichment::worth_storing`]), the first such time in
    /// [`UNREACHABLE_RETRY_WINDOW`]: the account stays due, and no event is
    /// sent.
    pub stored: bool,
}

/// Enriches `domain`, stores the snapshot (stamping the account) and
/// publishes `Account Enriched` and technology changes on `bus` (if any).
/// Rescoring is left to the caller (the score function reacts to
/// `Account Enriched`; [`enrich_and_store`] rescores in process).
///
/// A panic while doing so is caught and returned as
/// [`EnrichAccountError::Panicked`].
pub async fn enrich_account(
    store: &dyn Store,
    enricher: &Enricher,
    bus: Option<&dyn EventBus>,
    domain: &Domain,
    start: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Stored, EnrichAccountError> {
    isolated(enrich_account_unguarded(
        store, enricher, bus, domain, start, now,
    ))
    .await
}

/// How long one run that could not reach a site is left unstored: a
/// second such run in this window stores its snapshot (stamping the
/// account, due again a period later). A site down for good, or a domain
/// that does not exist, costs one extra run a month, and never-enriched
/// accounts that are unreachable cannot fill every scheduled run.
pub const UNREACHABLE_RETRY_WINDOW: chrono::Duration = chrono::Duration::days(30);

/// Whether this is the first run in [`UNREACHABLE_RETRY_WINDOW`] that
/// could not reach `domain` (a claim on `unreachable:DOMAIN` records it). A
/// store that cannot say answers no: the snapshot is stored, as before.
async fn first_unreachable_run(store: &dyn Store, domain: &Domain, now: DateTime<Utc>) -> bool {
    matches!(
        store
            .claim(
                &format!("unreachable:{domain}"),
                now,
                now + UNREACHABLE_RETRY_WINDOW,
            )
            .await,
        Ok(leadscore_store::Claim::Acquired)
    )
}

/// The `Account Enriched` event of a stored snapshot, as the run that
/// stored it published it (the same idempotency key, from the snapshot's
/// time): what a redelivered request sends again when its account was
/// enriched after it was made, instead of crawling again (a second crawl
/// minutes after the first would count a page served lighter twice as two
/// misses, and remove its technologies).
pub fn account_enriched_event(snapshot: &leadscore_core::domain::EnrichmentSnapshot) -> Event {
    let names: Vec<String> = crate::Details::of(snapshot)
        .technologies
        .into_iter()
        .map(|t| t.name)
        .collect();
    Event::account_enriched(
        &snapshot.domain,
        snapshot.enriched_at,
        snapshot.signals.len(),
        &names,
        snapshot.errors.len(),
    )
}

/// Publishes `events` on `bus`, noting each refusal in `errors`.
async fn publish(bus: &dyn EventBus, events: &[Event], errors: &mut Vec<String>) {
    if events.is_empty() {
        return;
    }
    for (e, r) in events.iter().zip(bus.publish(events).await) {
        if let Err(err) = r {
            errors.push(format!("{}: {err}", e.detail_type));
        }
    }
}

async fn enrich_account_unguarded(
    store: &dyn Store,
    enricher: &Enricher,
    bus: Option<&dyn EventBus>,
    domain: &Domain,
    start: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Stored, EnrichAccountError> {
    let previous = store
        .latest_snapshot(domain)
        .await
        .map_err(PipelineError::from)?;
    let enrichment = enricher
        .enrich(domain, start, previous.as_ref(), now)
        .await?;
    if !enrichment.worth_storing() && first_unreachable_run(store, domain, now).await {
        return Ok(Stored {
            enrichment,
            events: Vec::new(),
            event_errors: Vec::new(),
            stored: false,
        });
    }
    // The technology changes go out before the snapshot is stored: they are
    // the difference from the stored one, so once it is replaced a retry
    // would find none. When one is refused nothing is stored and the caller
    // fails, so the redelivered request finds the same changes and sends
    // them again (receivers take them at least once).
    let mut events: Vec<Event> = enrichment
        .changes
        .iter()
        .map(|c| {
            Event::technology_change(
                domain,
                &c.technology,
                c.installed,
                c.first_seen,
                c.last_seen,
                previous.as_ref().map(|p| p.enriched_at),
            )
        })
        .collect();
    let mut event_errors = Vec::new();
    if let Some(bus) = bus {
        publish(bus, &events, &mut event_errors).await;
    }
    if !event_errors.is_empty() {
        return Ok(Stored {
            enrichment,
            events,
            event_errors,
            stored: false,
        });
    }
    store
        .put_snapshot(&enrichment.snapshot)
        .await
        .map_err(PipelineError::from)?;
    // `Account Enriched` after the snapshot: its receivers read it.
    let enriched = account_enriched_event(&enrichment.snapshot);
    if let Some(bus) = bus {
        publish(bus, std::slice::from_ref(&enriched), &mut event_errors).await;
    }
    events.insert(0, enriched);
    Ok(Stored {
        enrichment,
        events,
        event_errors,
        stored: true,
    })
}

/// Enriches `domain`, stores the snapshot (stamping the account), publishes
/// `Account Enriched` and technology changes on `bus` (if any), and rescores
/// the account's leads with `model`.
pub async fn enrich_and_store(
    store: &dyn Store,
    enricher: &Enricher,
    bus: Option<&dyn EventBus>,
    model: &ScoringModel,
    domain: &Domain,
    start: Option<&str>,
    now: DateTime<Utc>,
) -> Result<EnrichOutcome, EnrichAccountError> {
    isolated(async {
        let Stored {
            enrichment,
            events,
            event_errors,
            stored,
        } = enrich_account_unguarded(store, enricher, bus, domain, start, now).await?;
        let rescored = rescore_account(store, model, domain, now).await?;
        Ok(EnrichOutcome {
            enrichment,
            events,
            event_errors,
            rescored,
            stored,
        })
    })
    .await
}

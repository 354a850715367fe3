//! Account enrichment: crawl an account's public website with the safe
//! fetcher, detect its technologies, and turn what was found into scoring
//! signals and an [`EnrichmentSnapshot`], compared with the previous one
//! (technographic changes).
//!
//! The orchestration does I/O only through the [`PageFetcher`] port; the
//! extraction steps are the pure crates' (fingerprints). A page or source
//! that fails is recorded in the snapshot's `errors` and never stops the rest
//! of the account.

pub mod embedded;
pub mod hiring;
pub mod news;
mod store;

pub use store::{
    EnrichAccountError, EnrichOutcome, Stored, UNREACHABLE_RETRY_WINDOW, account_enriched_event,
    enrich_account, enrich_and_store,
};

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use leadscore_core::domain::{Domain, EnrichmentSnapshot, Signal, SignalValue};
use leadscore_fetch::{CrawlConfig, PageError, PageFetcher, PageKind, crawl_site, parse_start_url};
use leadscore_fingerprint::{Detection, FingerprintDb, LoadReport, PageInput, Source};
use serde::{Deserialize, Serialize};

/// Why enrichment could not start (a page failing is not an error).
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// A fingerprint file could not be read or parsed.
    #[error("fingerprints: {0}")]
    Fingerprints(#[from] leadscore_fingerprint::FingerprintError),
    /// The account's start URL is not fetchable.
    #[error("start URL for {domain}: {reason}")]
    StartUrl {
        /// The account.
        domain: Domain,
        /// Why.
        reason: String,
    },
}

/// Loads the embedded fingerprints plus user files (Wappalyzer format,
/// later ones override earlier ones by technology name). The embedded
/// patterns come with their analyses ([`embedded::prepared`]); only the user
/// files' regexes are parsed.
///
/// The report lists the problems of the user files: those of the shipped
/// files are ours, known and tested ([`EMBEDDED_ISSUES`]), and a user can do
/// nothing about them.
pub fn load_fingerprints(extra: &[PathBuf]) -> Result<(FingerprintDb, LoadReport), EnrichError> {
    let mut sources: Vec<Source> = embedded::sources();
    let mut added: Vec<Source> = Vec::new();
    for path in extra {
        added.extend(leadscore_fingerprint::fs::load_path(path)?);
    }
    sources.extend(added.iter().cloned());
    let (db, mut report) = FingerprintDb::from_sources_prepared(&sources, &embedded::prepared()?)?;
    // Only the shipped files' known problems: a new one (an edit to
    // b2b.json) or one of a user's file that shares a shipped path (run
    // from the repository with `--fingerprints data/fingerprints`) stays.
    report.issues.retain(|i| {
        !(embedded_origin(&i.origin)
            && EMBEDDED_ISSUES.contains(&format!("{} {}", i.technology, i.field).as_str()))
    });
    if !added.is_empty() {
        // A user's regex is checked at load, but compiled on first use,
        // where one over the size limit would simply never match: compile
        // them now and report those that fail with the rest.
        let names: BTreeSet<String> = added
            .iter()
            .filter(|s| s.kind == leadscore_fingerprint::SourceKind::Technologies)
            .filter_map(|s| {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&s.json).ok()
            })
            .flat_map(|m| m.into_iter().map(|(k, _)| k))
            .collect();
        report.issues.extend(
            db.compile_all()
                .into_iter()
                .filter(|i| names.contains(&i.technology)),
        );
    }
    Ok((db, report))
}

/// The load report's problems in the shipped files, as `TECHNOLOGY FIELD`:
/// the MIT set's GetYourGuide checks `src` in two DOM entries, which is no
/// check (its other patterns detect it). A test keeps this list exact.
pub const EMBEDDED_ISSUES: &[&str] = &[
    "GetYourGuide dom:img[src*='cdn.getyourguide.com/']",
    "GetYourGuide dom:img[src*='cdn.getyourguide.com/']:src",
    "GetYourGuide dom:link[href*='cdn.getyourguide.com/']",
    "GetYourGuide dom:link[href*='cdn.getyourguide.com/']:src",
];

/// Whether a load report's origin is one of the shipped files'.
fn embedded_origin(origin: &str) -> bool {
    origin.starts_with("third_party/wappalyzer/") || origin == "data/fingerprints/b2b.json"
}

/// Enrichment settings.
#[derive(Debug, Clone, Default)]
pub struct EnrichConfig {
    /// How much of the site to crawl.
    pub crawl: CrawlConfig,
    /// Where and how to read job boards.
    pub hiring: hiring::HiringConfig,
    /// How many feeds and items to read.
    pub news: news::NewsConfig,
}

/// A technology as stored in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechRecord {
    /// Name (Wappalyzer spelling).
    pub name: String,
    /// Category names.
    pub categories: Vec<String>,
    /// Confidence 0–100.
    pub confidence: u8,
    /// Version, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// First snapshot it was seen in.
    pub first_seen: DateTime<Utc>,
    /// Last snapshot it was seen in (none in snapshots written before this
    /// was recorded: then `first_seen`). A record carried while its pages
    /// could not be read keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    /// Whether it appeared after the account's first enrichment: an
    /// installation, dated by `first_seen`. Carried from snapshot to
    /// snapshot, so the `tech.installed` signal it yields lasts as long as
    /// the scoring model says (`max_age_days`), not until the next
    /// enrichment (which would see no change), and survives a redelivered
    /// enrichment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub installed: bool,
    /// What matched.
    pub evidence: Vec<leadscore_fingerprint::Evidence>,
    /// The snapshot that read a page it was seen on without it, once: it
    /// is kept until a later snapshot misses it too (a maintenance page, a
    /// cookie wall or a lighter page served once would otherwise remove
    /// the stack, and the next run would report it installed again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_at: Option<DateTime<Utc>>,
    /// The first of the runs in a row that carried it without looking (its
    /// pages failed, or the homepage did): it leaves the stack
    /// [`MAX_TECH_CARRY`] after that, however long ago it was last seen
    /// (runs a month apart would otherwise drop the stack on one failed
    /// run). None while it is seen or looked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_since: Option<DateTime<Utc>>,
}

/// A technology that appeared or disappeared since the previous snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechChange {
    /// Name.
    pub technology: String,
    /// `true`: installed; `false`: removed.
    pub installed: bool,
    /// When it was first seen (installed: now; removed: as recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    /// The snapshot that noticed the change.
    pub last_seen: DateTime<Utc>,
}

/// One crawled page, as summarized in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSummary {
    /// The URL asked for.
    pub url: String,
    /// What the crawl planned it as.
    pub kind: String,
    /// HTTP status, when fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The typed error kind and message, when not fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Over the page cap: only its first part was read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// The URL read in the end (after redirects), when fetched: the next
    /// run tells a technology new on a page read before (installed) from
    /// one on a page read for the first time (there all along, perhaps).
    /// Snapshots from before this field have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
}

/// What one enrichment found.
#[derive(Debug, Clone)]
pub struct Enrichment {
    /// The snapshot to store (signals for scoring, details, errors).
    pub snapshot: EnrichmentSnapshot,
    /// Detected technologies.
    pub technologies: Vec<TechRecord>,
    /// Changes against the previous snapshot (empty on the first one).
    pub changes: Vec<TechChange>,
    /// Pages crawled.
    pub pages: Vec<PageSummary>,
    /// Job boards and roles found.
    pub hiring: hiring::HiringFound,
    /// Press items, feeds, funding rounds and company events found.
    pub news: news::NewsFound,
    /// The homepage could not be fetched, for a reason that may pass (a
    /// timeout, a 5xx, a refused connection, robots.txt unavailable).
    pub unreachable: bool,
}

impl Enrichment {
    /// Whether this run is worth storing: not when the site could not be
    /// reached for now and nothing was found or carried from an earlier
    /// snapshot. Such a snapshot would hold nothing but would stamp the
    /// account as enriched, and a new account would wait a whole period
    /// for its first signals; unstored, the account stays due.
    pub fn worth_storing(&self) -> bool {
        !(self.unreachable && self.snapshot.signals.is_empty())
    }
}

/// The snapshot `details` document: what a report shows of an account
/// beyond its scoring signals.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Details {
    /// Pages fetched, with their outcome.
    #[serde(default)]
    pub pages: Vec<PageSummary>,
    /// Technologies detected.
    #[serde(default)]
    pub technologies: Vec<TechRecord>,
    /// Installed and removed since the previous snapshot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<TechChange>,
    /// Job boards, roles and counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring: Option<hiring::HiringDetails>,
    /// Feeds, funding rounds and company events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub news: Option<news::NewsDetails>,
}

impl Details {
    /// The details of a stored snapshot (empty if written by another
    /// version and unreadable).
    pub fn of(snapshot: &EnrichmentSnapshot) -> Self {
        serde_json::from_value(snapshot.details.clone()).unwrap_or_default()
    }
}

fn kind_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Homepage => "homepage",
        PageKind::Careers => "careers",
        PageKind::Pricing => "pricing",
        PageKind::Press => "press",
        PageKind::Contact => "contact",
    }
}

/// How long a technology whose pages could not be read is carried from
/// snapshot to snapshot, from the first run that carried it, before it
/// counts as gone.
pub const MAX_TECH_CARRY: chrono::Duration = news::MAX_KEEP;

impl TechRecord {
    /// When it was last seen.
    pub fn seen(&self) -> DateTime<Utc> {
        self.last_seen.unwrap_or(self.first_seen)
    }
}

/// Whether a run whose pages these are read the site's homepage.
fn reached_homepage(pages: &[PageSummary]) -> bool {
    pages
        .iter()
        .any(|p| p.kind == "homepage" && p.error.is_none())
}

/// The least confidence (the fingerprint's, 0–100, summed over the
/// patterns that matched) a detection needs to count as a technology of
/// the account: half a pattern's default weight.
pub const MIN_TECH_CONFIDENCE: u8 = 50;

/// Compares technologies with the previous snapshot's: first-seen dates are
/// carried over; installed and removed technologies are reported (nothing
/// without a baseline: on the first snapshot, or after snapshots that never
/// reached the homepage). When the homepage could not be fetched
/// (`observed = false`) nothing was seen or looked for: the previous stack
/// is carried. A previous technology not detected now is
/// removed only when a page it was seen on was read again (`read`: the
/// final URLs of this run's pages) and missed there twice in a row (the
/// first miss keeps it, marked `missed_at`); otherwise (that page failed,
/// or the crawl did not reach it) it is carried as it was. A carried
/// technology counts as gone [`MAX_TECH_CARRY`] after the first run that
/// carried it (`carried_since`), however long before that it was last
/// seen; the two misses hold whatever the time between runs. Detections
/// and stored records under [`MIN_TECH_CONFIDENCE`] count for nothing.
pub fn compare_tech(
    previous: Option<&EnrichmentSnapshot>,
    detections: &[Detection],
    observed: bool,
    read: &BTreeSet<&str>,
    now: DateTime<Utc>,
) -> (Vec<TechRecord>, Vec<TechChange>) {
    // Read on their own: a details document another version wrote in part
    // differently still gives its stack.
    let part = |key: &str| previous.and_then(|p| p.details.get(key)).cloned();
    // A record stored under [`MIN_TECH_CONFIDENCE`] (by a version that
    // counted every detection) is no technology: dropped, not reported
    // removed when it is missed.
    let before: BTreeMap<String, TechRecord> = part("technologies")
        .and_then(|v| serde_json::from_value::<Vec<TechRecord>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.confidence >= MIN_TECH_CONFIDENCE)
        .map(|t| (t.name.clone(), t))
        .collect();
    let previous_pages = part("pages")
        .and_then(|v| serde_json::from_value::<Vec<PageSummary>>(v).ok())
        .unwrap_or_default();
    let previous_reached_home = reached_homepage(&previous_pages);
    // The pages the previous run read whole, by the URL read in the end;
    // none known for a snapshot from before that was recorded.
    let previously_read: Option<BTreeSet<&str>> =
        previous_pages.iter().any(|p| p.read_as.is_some()).then(|| {
            previous_pages
                .iter()
                .filter(|p| p.error.is_none() && !p.truncated)
                .filter_map(|p| p.read_as.as_deref())
                .collect()
        });
    // A technology new since the baseline is installed only when a page it
    // is on now was read then too: one on a page read for the first time
    // (the contact page that failed last time, a page newly linked) may
    // have been there all along, and joins the stack as not installed.
    let new_where_looked = |d: &Detection| {
        previously_read
            .as_ref()
            .is_none_or(|before| d.evidence.iter().any(|e| before.contains(e.url.as_str())))
    };
    let baseline = previous.is_some() && (!before.is_empty() || previous_reached_home);
    // Carried for less than the limit (a record from before `carried_since`
    // was kept starts its carry now).
    let current = |t: &TechRecord| now - t.carried_since.unwrap_or(now) <= MAX_TECH_CARRY;
    // Without the homepage nothing counts as seen, nor as looked for: the
    // stack is carried, except what has gone unseen too long.
    let nothing = BTreeSet::new();
    let (detections, read) = if observed {
        (detections, read)
    } else {
        (&[][..], &nothing)
    };
    // Only detections of some weight: a lone weak pattern (a form field's
    // id, confidence 20) is no tag, and would score as one.
    let mut records: Vec<TechRecord> = detections
        .iter()
        .filter(|d| d.confidence >= MIN_TECH_CONFIDENCE)
        .map(|d| TechRecord {
            name: d.name.clone(),
            categories: d.categories.clone(),
            confidence: d.confidence,
            version: d.version.clone(),
            first_seen: before.get(&d.name).map_or(now, |t| t.first_seen),
            last_seen: Some(now),
            // New since a baseline on a page read then too, or installed
            // as that one said.
            installed: baseline
                && before
                    .get(&d.name)
                    .map_or_else(|| new_where_looked(d), |t| t.installed),
            evidence: d.evidence.clone(),
            missed_at: None,
            carried_since: None,
        })
        .collect();
    let mut changes = Vec::new();
    let now_names: BTreeSet<String> = records.iter().map(|t| t.name.clone()).collect();
    if baseline {
        for t in &records {
            if !before.contains_key(&t.name) && t.installed {
                changes.push(TechChange {
                    technology: t.name.clone(),
                    installed: true,
                    first_seen: Some(now),
                    last_seen: now,
                });
            }
        }
    }
    for (name, t) in before {
        if now_names.contains(&name) {
            continue;
        }
        let looked = t.evidence.iter().any(|e| read.contains(e.url.as_str()));
        if !looked && current(&t) {
            records.push(TechRecord {
                carried_since: t.carried_since.or(Some(now)),
                ..t
            });
        } else if looked && t.missed_at.is_none() {
            // Missed once: kept, and gone if the next read misses it too.
            records.push(TechRecord {
                missed_at: Some(now),
                carried_since: None,
                ..t
            });
        } else if baseline {
            changes.push(TechChange {
                technology: name,
                installed: false,
                first_seen: Some(t.first_seen),
                last_seen: now,
            });
        }
    }
    records.sort_by(|a, b| a.name.cmp(&b.name));
    (records, changes)
}

/// The scoring signals of technologies and their changes: `tech` for each
/// technology; `tech.installed` for each one installed since the account's
/// first enrichment, observed when it was first seen (so a model's
/// `max_age_days` on it counts from the installation); `tech.removed` for
/// each removal this enrichment saw.
pub fn tech_signals(
    records: &[TechRecord],
    changes: &[TechChange],
    now: DateTime<Utc>,
) -> Vec<Signal> {
    let mut out = Vec::with_capacity(records.len() + changes.len());
    for t in records {
        // When last seen: a carried record's signal ages from then.
        let mut s = Signal::new("tech", SignalValue::Text(t.name.clone()), t.seen().min(now));
        if let Some(e) = t.evidence.first() {
            s = s.with_evidence(
                format!("{} {}: {}", t.name, e.field, e.snippet),
                Some(e.url.clone()),
            );
        }
        out.push(s);
    }
    for t in records.iter().filter(|t| t.installed) {
        out.push(
            Signal::new(
                "tech.installed",
                SignalValue::Text(t.name.clone()),
                t.first_seen,
            )
            .with_evidence(
                format!(
                    "{} installed (first seen {})",
                    t.name,
                    t.first_seen.format("%Y-%m-%d")
                ),
                None,
            ),
        );
    }
    for c in changes.iter().filter(|c| !c.installed) {
        out.push(
            Signal::new(
                "tech.removed",
                SignalValue::Text(c.technology.clone()),
                c.last_seen,
            )
            .with_evidence(
                format!("{} removed since the previous enrichment", c.technology),
                None,
            ),
        );
    }
    out
}

/// Crawls and analyses accounts. Build once; share across tasks.
#[derive(Debug, Clone)]
pub struct Enricher {
    fetcher: Arc<dyn PageFetcher>,
    fingerprints: Arc<FingerprintDb>,
    config: EnrichConfig,
}

impl Enricher {
    /// An enricher over a fetcher and a compiled fingerprint database.
    pub fn new(
        fetcher: Arc<dyn PageFetcher>,
        fingerprints: Arc<FingerprintDb>,
        config: EnrichConfig,
    ) -> Self {
        Self {
            fetcher,
            fingerprints,
            config,
        }
    }

    /// Enriches one account. `start` overrides the start URL (default
    /// `https://DOMAIN/`); `previous` is the account's last snapshot.
    pub async fn enrich(
        &self,
        domain: &Domain,
        start: Option<&str>,
        previous: Option<&EnrichmentSnapshot>,
        now: DateTime<Utc>,
    ) -> Result<Enrichment, EnrichError> {
        let start_url = start.map_or_else(|| format!("https://{domain}/"), str::to_owned);
        let start = parse_start_url(&start_url).map_err(|e| EnrichError::StartUrl {
            domain: domain.clone(),
            reason: e.to_string(),
        })?;
        // A start on another site than the account's (a profile on a
        // shared host) is read alone: its root is not the company's.
        let on_account = |u: &url::Url| {
            u.host_str()
                .and_then(|h| Domain::parse(h).ok())
                .is_some_and(|h| h.registrable() == domain.registrable())
        };
        let mut crawl_config = self.config.crawl;
        crawl_config.read_root = on_account(&start);
        let crawl = crawl_site(self.fetcher.as_ref(), &start, &crawl_config).await;
        let mut pages = Vec::with_capacity(crawl.pages.len());
        let mut errors = Vec::new();
        let mut per_page = Vec::new();
        // The site as the homepage ended up (after its redirects): the
        // start, or the site's root when the start was a page the site
        // did not give (a stale deep link's 404) or one that sent it to
        // another site (a careers link to the ATS's domain: its stack is
        // the ATS's). A homepage on the account's domain comes first; a
        // start that ended elsewhere is the home only when no page on the
        // account's domain was read (a site moved to a new domain).
        let homes = || {
            crawl
                .pages
                .iter()
                .filter(|p| p.kind == PageKind::Homepage)
                .filter_map(|p| p.result.as_ref().ok())
        };
        let home = homes()
            .find(|page| on_account(&page.final_url))
            .or_else(|| homes().next())
            .map(|page| page.final_url.clone());
        for p in &crawl.pages {
            match &p.result {
                Ok(page) => {
                    pages.push(PageSummary {
                        url: p.url.to_string(),
                        kind: kind_name(p.kind).to_owned(),
                        status: Some(page.status),
                        error: None,
                        truncated: page.truncated,
                        read_as: Some(page.final_url.to_string()),
                    });
                    // A page that redirected to another site (a careers link
                    // to the ATS's own domain) shows that site's stack.
                    if home
                        .as_ref()
                        .is_some_and(|h| !leadscore_fetch::same_site(h, &page.final_url))
                    {
                        continue;
                    }
                    let headers: Vec<(&str, &str)> = page
                        .headers
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let cookies: Vec<(&str, &str)> = page
                        .cookies
                        .iter()
                        .map(|c| (c.name.as_str(), c.value.as_str()))
                        .collect();
                    let input = PageInput::new(page.final_url.as_str(), &page.text)
                        .with_headers(&headers)
                        .with_cookies(&cookies)
                        .with_status(page.status);
                    per_page.push(self.fingerprints.detect(&input));
                }
                Err(e) => {
                    let text = format!("{}: {e}", e.kind());
                    errors.push(format!("{}: {text}", p.url));
                    pages.push(PageSummary {
                        url: p.url.to_string(),
                        kind: kind_name(p.kind).to_owned(),
                        status: None,
                        error: Some(text),
                        truncated: false,
                        read_as: None,
                    });
                }
            }
        }
        let detections = leadscore_fingerprint::merge_detections(per_page);
        // The site's stack was seen when a homepage was read (the start, or
        // the root read in its place).
        let observed = home.is_some();
        // No homepage read (neither the start nor the root read in its
        // place), and one failed for a moment.
        let home_unreachable = home.is_none()
            && crawl.pages.iter().any(|p| {
                p.kind == PageKind::Homepage
                    && p.result.as_ref().is_err_and(PageError::is_transient)
            });
        // Read whole: a technology not found in a page's first part may be
        // in the rest.
        let read: BTreeSet<&str> = crawl
            .pages
            .iter()
            .filter_map(|p| p.result.as_ref().ok())
            .filter(|page| !page.truncated)
            .map(|page| page.final_url.as_str())
            .collect();
        let (technologies, changes) = compare_tech(previous, &detections, observed, &read, now);
        let mut signals = tech_signals(&technologies, &changes, now);
        let htmls: Vec<hiring::HiringPage<'_>> = crawl
            .pages
            .iter()
            .filter(|p| matches!(p.kind, PageKind::Homepage | PageKind::Careers))
            .filter_map(|p| {
                p.result.as_ref().ok().map(|page| hiring::HiringPage {
                    url: page.final_url.as_str(),
                    html: page.text.as_str(),
                    is_careers: p.kind == PageKind::Careers,
                    truncated: page.truncated,
                })
            })
            .collect();
        let previous_details = previous.map(Details::of).unwrap_or_default();
        // Sources that could not be reached this time, for a reason that
        // may pass: what they hold is unknown, not gone.
        // The sitemap, which may add careers and press pages and news
        // headlines, counts for both.
        let unreachable = |kinds: [PageKind; 2]| {
            crawl.sitemap_unreachable
                || crawl.pages.iter().any(|p| {
                    kinds.contains(&p.kind) && p.result.as_ref().is_err_and(PageError::is_transient)
                })
        };
        let previous_hiring = previous_details
            .hiring
            .filter(|h| h.boards.iter().any(|b| b.status == "ok"));
        // A list read in part with nothing complete before it is no
        // baseline (see HiringDetails::partial_baseline).
        let previous_ids: Option<Vec<String>> = previous_hiring
            .as_ref()
            .filter(|h| !h.partial_baseline)
            .map(|h| h.role_ids.clone());
        let hiring_pages_unreachable = unreachable([PageKind::Homepage, PageKind::Careers]);
        // A page that may name a board not read for a reason that may pass,
        // or read in part, or the sitemap that may list one not reached:
        // the last snapshot's boards are read even when no page read names
        // them. (A page that answers 404 or redirects to another one is an
        // answer: the boards it named are gone.)
        let pages_missed = hiring_pages_unreachable
            || crawl.pages.iter().any(|p| {
                matches!(p.kind, PageKind::Homepage | PageKind::Careers)
                    && p.result.as_ref().is_ok_and(|page| page.truncated)
            });
        let hiring = hiring::collect(
            self.fetcher.as_ref(),
            &htmls,
            hiring::Previous {
                role_ids: previous_ids.as_deref(),
                boards: previous_hiring.as_ref().map_or(&[], |h| &h.boards),
            },
            pages_missed,
            &self.config.hiring,
            now,
        )
        .await;
        // No board read, and a board or the site failed for a reason that
        // may pass: the previous snapshot's hiring stands until one is read
        // again, for at most news::MAX_KEEP.
        let kept_hiring = previous_hiring
            .filter(|_| hiring.signals.is_empty() && (hiring.unread() || hiring_pages_unreachable))
            .and_then(|h| {
                let since = news::keep_since(h.kept_since, now)?;
                Some(hiring::HiringDetails {
                    kept_since: Some(since),
                    ..h
                })
            });
        if kept_hiring.is_some() {
            signals.extend(
                previous
                    .iter()
                    .flat_map(|p| &p.signals)
                    .filter(|s| s.name.starts_with("hiring."))
                    .cloned(),
            );
        } else {
            signals.extend(hiring.signals.iter().cloned());
        }
        errors.extend(hiring.errors.iter().cloned());
        let news_pages: Vec<news::NewsPage<'_>> = crawl
            .pages
            .iter()
            .filter(|p| matches!(p.kind, PageKind::Homepage | PageKind::Press))
            .filter_map(|p| {
                p.result.as_ref().ok().map(|page| news::NewsPage {
                    url: page.final_url.as_str(),
                    html: page.text.as_str(),
                    is_press: p.kind == PageKind::Press,
                })
            })
            .collect();
        let mut news = news::collect(
            self.fetcher.as_ref(),
            domain.as_str(),
            &news_pages,
            &crawl.sitemap_news,
            &self.config.news,
            now,
        )
        .await;
        // Whether the site was read before: by an earlier snapshot that
        // reached the homepage (from before `first_read` was recorded, if
        // it has none), and now.
        let read_before = reached_homepage(&previous_details.pages);
        news.date_undated(previous_details.news.as_ref(), read_before, observed, now);
        let news_kept = match &previous_details.news {
            Some(prev) if news.incomplete || unreachable([PageKind::Homepage, PageKind::Press]) => {
                news.keep_previous(prev, now)
            }
            _ => false,
        };
        signals.extend(news.signals.iter().cloned());
        errors.extend(news.errors.iter().cloned());
        let details = Details {
            pages: pages.clone(),
            technologies: technologies.clone(),
            changes: changes.clone(),
            hiring: kept_hiring.or_else(|| (!hiring.boards.is_empty()).then(|| hiring.details())),
            // Kept from the first reading on, for its day (`first_read`).
            news: (!news.articles.is_empty()
                || !news.feeds.is_empty()
                || news_kept
                || !news.undated_seen.is_empty()
                || news.first_read.is_some())
            .then(|| news.details()),
        };
        Ok(Enrichment {
            snapshot: EnrichmentSnapshot {
                domain: domain.clone(),
                enriched_at: now,
                signals,
                details: serde_json::to_value(&details).unwrap_or_default(),
                errors,
            },
            technologies,
            changes,
            pages,
            hiring,
            news,
            unreachable: home_unreachable,
        })
    }
}

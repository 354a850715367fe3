//! `leadscore run`: the scheduled job on one machine. Enrich a list of
//! accounts (or the stale ones) with bounded concurrency, rescore their
//! leads, deliver the alerts, print a summary.
//!
//! Resuming: an account enriched less than `--max-age` ago is skipped, so a
//! run that was interrupted and started again picks up the accounts it had
//! not reached. Alerts are safe to re-deliver: a crossing writes its alert
//! once (the outbox), delivered alerts are marked, and Slack and email are
//! wrapped in claims, so nothing is lost and nothing posts twice.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leadscore_core::ScoringModel;
use leadscore_core::domain::{Domain, Email};
use leadscore_enrich::{Enricher, enrich_and_store};
use leadscore_pipeline::{AlertSink, drain_outbox, due_cutoff, rescore_all};
use leadscore_store::Store;
use serde::Serialize;

use crate::enrich::EnrichOptions;
use crate::sinks::SinkArgs;

/// `run` options: which accounts, `--accounts FILE` or `--stale` (clap
/// names both when neither is given).
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["accounts", "stale"])))]
pub struct RunArgs {
    /// CSV of accounts to enrich: a `domain` column (or `website`), and
    /// optionally `website` (where the crawl starts) and `name`.
    #[arg(long, value_name = "FILE.csv")]
    pub accounts: Option<PathBuf>,
    /// Enrich the stored accounts never enriched or enriched more than
    /// --max-age ago, oldest first.
    #[arg(long)]
    pub stale: bool,
    /// An account enriched less than this long ago is skipped (so an
    /// interrupted run resumes): `90m`, `24h`, `7d`.
    #[arg(long, default_value = "24h", value_parser = parse_age)]
    pub max_age: chrono::Duration,
    /// Enrich every listed account, however fresh.
    #[arg(long)]
    pub force: bool,
    /// At most this many accounts per run.
    #[arg(long, default_value_t = 10_000)]
    pub limit: usize,
    /// How to enrich.
    #[command(flatten)]
    pub options: EnrichOptions,
    /// Alert channels besides stdout.
    #[command(flatten)]
    pub sinks: SinkArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Parses `90m`, `24h`, `7d`, `30s`: at most [`MAX_AGE_DAYS`] days.
pub fn parse_age(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{s}`: add a unit (s, m, h or d)"))?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| format!("`{s}`: expected e.g. 24h"))?;
    let age = match unit {
        "s" => chrono::Duration::try_seconds(n),
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => return Err(format!("`{s}`: the unit is s, m, h or d")),
    };
    age.filter(|a| *a <= chrono::Duration::days(MAX_AGE_DAYS))
        .ok_or_else(|| format!("`{s}`: at most {MAX_AGE_DAYS}d"))
}

/// The longest age [`parse_age`] takes (a century).
pub const MAX_AGE_DAYS: i64 = 36_500;

/// One account to enrich.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The account.
    pub domain: Domain,
    /// Where the crawl starts, if not the homepage.
    pub start: Option<String>,
    /// Its name, if the file gave one.
    pub name: Option<String>,
}

/// A row of the accounts file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// 1-based line.
    pub line: u64,
    /// Why.
    pub reason: String,
    /// A row naming no domain or website (a company a CRM export lists
    /// without one): skipped, not an error of the file (`--json` says so,
    /// as the summary counts them apart).
    pub no_domain: bool,
}

/// Why an account counts as failed although its enrichment ran: not a
/// single page could be fetched (the site is down, refused, blocked or
/// gone); none when one was.
pub(crate) fn nothing_fetched(e: &leadscore_enrich::Enrichment) -> Option<String> {
    let first = e.pages.first()?;
    e.pages.iter().all(|p| p.error.is_some()).then(|| {
        format!(
            "no page could be fetched ({})",
            first.error.as_deref().unwrap_or_default()
        )
    })
}

/// Other names CRM exports give the accounts file's columns, first
/// preferred. Not `URL` for `website`: a CRM export's `URL` is often the
/// record's own link.
const ACCOUNT_COLUMN_ALIASES: &[(&str, &[&str])] = &[
    (
        "domain",
        &["company_domain_name", "company_domain", "domain_name"],
    ),
    ("website", &["website_url", "company_website", "web_site"]),
    (
        "name",
        &[
            "company_name",
            "account_name",
            "company",
            "organization",
            "organisation",
        ],
    ),
];

/// An accounts file, read.
#[derive(Debug, Default)]
pub struct AccountsFile {
    /// The accounts to enrich, in the file's order.
    pub targets: Vec<Target>,
    /// Rows that could not be used.
    pub problems: Vec<RowProblem>,
    /// Rows used as given that may not say what was meant (a website on
    /// another domain than the row's, a domain listed again with another
    /// website).
    pub notes: Vec<RowProblem>,
}

/// Reads an accounts CSV: header row with `domain` and/or `website`
/// (either is enough), optional `name`, each also under its CRM exports'
/// names (`Company Domain Name`, `Website URL`, `Company Name`, `Account
/// Name`); other columns are ignored. Bad rows
/// are reported and the rest kept; a domain listed twice is enriched once.
pub fn parse_accounts(bytes: &[u8]) -> Result<AccountsFile, String> {
    // UTF-8, as `import` reads by default: a name in another encoding
    // (Excel's Windows "CSV" writes `M\xfcller`) would be stored garbled.
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        format!(
            "line {line}: not UTF-8; save the file as UTF-8 (Excel: \"CSV UTF-8\"), or convert it (iconv -f WINDOWS-1252 -t UTF-8)"
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    // A comma, or the semicolon of a European-locale Excel "CSV", or a tab.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(leadscore_core::import::delimiter(text.as_bytes()))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("reading the header row: {e}"))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    // Each column, or the first of its CRM exports' names there is
    // (HubSpot's `Company Domain Name`, `Website URL`; `Account Name`), as
    // the imports name theirs.
    let mut names: Vec<String> = headers
        .iter()
        .map(|h| leadscore_core::import::header_name(h))
        .collect();
    leadscore_core::import::alias_columns(&mut names, ACCOUNT_COLUMN_ALIASES);
    let col = |name: &str| names.iter().position(|h| h == name);
    let (domain_col, website_col, name_col) = (col("domain"), col("website"), col("name"));
    if domain_col.is_none() && website_col.is_none() {
        return Err(format!(
            "the header row needs a `domain` or `website` column (found: {})",
            headers.join(", ")
        ));
    }
    let mut targets: Vec<Target> = Vec::new();
    let mut index: BTreeMap<Domain, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut lines = leadscore_core::import::LineCounter::default();
    let mut records = reader.records();
    loop {
        let before = records.reader().position().clone();
        let Some(row) = records.next() else { break };
        let at = match &row {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        let line = lines.line_at(text.as_bytes(), at.unwrap_or(&before));
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                problems.push(RowProblem {
                    line,
                    reason: e.to_string(),
                    no_domain: false,
                });
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let website = get(website_col);
        let Some(input) = get(domain_col).or_else(|| website.clone()) else {
            if row.iter().any(|v| !v.is_empty()) {
                problems.push(RowProblem {
                    line,
                    reason: "no domain or website".into(),
                    no_domain: true,
                });
            }
            continue;
        };
        let domain = match Domain::parse(&input) {
            Ok(d) if d.is_address() => {
                problems.push(RowProblem {
                    line,
                    reason: format!("`{input}` is an IP address, not a company's domain"),
                    no_domain: false,
                });
                continue;
            }
            Ok(d) => d,
            Err(e) => {
                problems.push(RowProblem {
                    line,
                    reason: format!("`{input}`: {e}"),
                    no_domain: false,
                });
                continue;
            }
        };
        let start = website.filter(|w| w.contains("://"));
        if let Some(&first) = index.get(&domain) {
            let same = match (&targets[first].start, &start) {
                (Some(a), Some(b)) => a == b || url::Url::parse(a).ok() == url::Url::parse(b).ok(),
                (a, b) => a == b,
            };
            // The first row without a website takes a later row's.
            if targets[first].start.is_none() {
                targets[first].start = start;
            } else if start.is_some() && !same {
                notes.push(RowProblem {
                    line,
                    reason: format!(
                        "`{domain}` is listed again with another website; the first row's is crawled"
                    ),
                    no_domain: false,
                });
            }
            continue;
        }
        if let Some(w) = &start
            && let Ok(site) = Domain::parse(w)
            && site.registrable() != domain.registrable()
        {
            notes.push(RowProblem {
                line,
                reason: format!(
                    "the website `{w}` is not on `{domain}`: its pages are crawled as `{domain}`'s (give the website's domain if that account was meant)"
                ),
                no_domain: false,
            });
        }
        index.insert(domain.clone(), targets.len());
        targets.push(Target {
            domain,
            start,
            name: get(name_col),
        });
    }
    Ok(AccountsFile {
        targets,
        problems,
        notes,
    })
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct RunSummary {
    /// Accounts considered.
    pub accounts: usize,
    /// Accounts enriched.
    pub enriched: usize,
    /// Accounts skipped as fresh (enriched within --max-age).
    pub skipped_fresh: usize,
    /// Accounts of an `--accounts` file due but left for a later run by
    /// `--limit` (`--stale` takes the `--limit` oldest due ones and counts
    /// no others).
    pub left_by_limit: usize,
    /// Accounts that failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Bad rows of the accounts file.
    pub bad_rows: Vec<RowProblem>,
    /// Pages fetched without error.
    pub pages: usize,
    /// Leads rescored.
    pub rescored: usize,
    /// Leads that could not be scored, with the reason.
    pub failed_leads: Vec<(Email, String)>,
    /// Leads that became hot in this run.
    pub became_hot: Vec<Email>,
    /// Alerts delivered (including ones left pending by an earlier run).
    pub alerts_delivered: usize,
    /// Alerts that stay pending (a channel failed; the next run retries).
    pub alerts_pending: usize,
    /// Leads last scored with another model than this run's: a model
    /// change re-tiers them (and alerts on each crossing).
    pub other_model: usize,
    /// Errors the run went past (a store error in an alert drain, the
    /// final rescoring or an account's rollup; alerts a channel could not
    /// take for now): what they stopped is done by the next run.
    pub errors: Vec<String>,
    /// Whether the run was interrupted (Ctrl-C) before the end.
    pub interrupted: bool,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// A delivery of the outbox's alerts under way.
type Delivery<'a> = std::pin::Pin<
    Box<
        dyn Future<
                Output = Result<
                    leadscore_pipeline::DrainSummary,
                    leadscore_pipeline::PipelineError,
                >,
            > + 'a,
    >,
>;

/// A Ctrl-C: the one that stops the fetching, or one during the run's
/// last steps (a second one after the first).
type Interrupt = std::pin::Pin<Box<dyn Future<Output = std::io::Result<()>>>>;

/// `work`, unless `stop` (a Ctrl-C listener) fires first: none then, and
/// `stop` is spent (what `work` was doing is left for the next run).
async fn unless_stopped<T>(
    stop: &mut Option<Interrupt>,
    work: impl Future<Output = T>,
) -> Option<T> {
    let Some(signal) = stop.as_mut() else {
        return Some(work.await);
    };
    // The signal first: one that came during the last step stops this one
    // before it starts (a delivery after the Ctrl-C would send).
    tokio::select! {
        biased;
        _ = signal => {
            *stop = None;
            None
        }
        out = work => Some(out),
    }
}

/// A Ctrl-C stopped one of the run's last steps (`what` it was doing):
/// says so and marks the run interrupted; true.
fn stopped_at(summary: &mut RunSummary, what: &str) -> bool {
    summary.interrupted = true;
    eprintln!(
        "stopped {what}: the alerts not yet delivered stay pending; run the same command again to finish"
    );
    true
}

/// Counts a delivery's alerts in `summary`; whether one failed in a way
/// that may pass (the channel is slow or down for now).
fn delivered(
    summary: &mut RunSummary,
    outcome: Result<leadscore_pipeline::DrainSummary, leadscore_pipeline::PipelineError>,
) -> bool {
    match outcome {
        Ok(d) => {
            summary.alerts_delivered += d.delivered;
            // A channel that may take them later (a slow one, down for
            // now); one refused for good costs no wait.
            !d.retryable_ids.is_empty()
        }
        Err(e) => {
            summary.errors.push(format!("delivering alerts: {e}"));
            true
        }
    }
}

/// Progress: a bar on a terminal, one line per account otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(8),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} accounts  {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            // Drawn at once and ticking while the first accounts are
            // fetched (a site may take up to a minute), not only when one
            // finishes.
            bar.set_message("fetching…");
            bar.enable_steady_tick(std::time::Duration::from_millis(250));
            bar
        });
        Self {
            bar,
            total,
            done: 0,
        }
    }

    /// One account finished; `line` says how.
    fn finish_one(&mut self, line: &str) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(line.to_owned());
                if line.contains("failed") {
                    bar.println(line);
                }
            }
            None => eprintln!("[{}/{}] {line}", self.done, self.total),
        }
    }

    /// Rescoring every lead: `done` of `total`, on the bar, or a line a
    /// tenth of the way at a time without one.
    fn rescoring(&self, done: usize, total: usize) {
        match &self.bar {
            Some(bar) => bar.set_message(format!("rescoring every lead: {done}/{total}")),
            None => {
                let step = total.div_ceil(10).max(1);
                if done % step < 250 || done == total {
                    eprintln!("rescoring every lead: {done}/{total}");
                }
            }
        }
    }

    /// Says what the run does now, on the bar.
    fn message(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(text.to_owned());
        }
    }

    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Which of `targets` are due: not enriched within `max_age`, or whose
/// last enrichment fetched no page at all (all if `force`). Stores the
/// file's name of an account not stored yet.
async fn due(
    store: &dyn Store,
    targets: Vec<Target>,
    max_age: chrono::Duration,
    force: bool,
    now: DateTime<Utc>,
) -> Result<(Vec<Target>, usize)> {
    let mut out = Vec::new();
    let mut fresh = 0;
    for t in targets {
        let account = store.get_account(&t.domain).await?;
        // Names from the file fill in accounts not stored yet.
        if account.is_none()
            && let Some(name) = &t.name
        {
            let mut new = leadscore_core::domain::Account::new(t.domain.clone(), now);
            new.name = Some(name.clone());
            store.upsert_account(&new).await?;
        }
        let recent = account
            .and_then(|a| a.enriched_at)
            .is_some_and(|at| at >= due_cutoff(now, max_age));
        if !force && recent && fetched_a_page(store, &t.domain).await? {
            fresh += 1;
        } else {
            out.push(t);
        }
    }
    Ok((out, fresh))
}

/// How a run goes, whatever chose its accounts.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Accounts enriched within this are skipped.
    pub max_age: chrono::Duration,
    /// Enrich fresh accounts too.
    pub force: bool,
    /// At most this many accounts.
    pub limit: usize,
    /// Accounts enriched at once.
    pub concurrency: usize,
    /// No progress output.
    pub quiet: bool,
}

impl RunArgs {
    /// The settings part of the flags.
    pub fn settings(&self) -> RunSettings {
        RunSettings {
            max_age: self.max_age,
            force: self.force,
            limit: self.limit,
            concurrency: self.options.concurrency,
            quiet: self.json,
        }
    }

    /// The accounts of this run: the file's, or the stale ones.
    pub async fn targets(
        &self,
        store: &dyn Store,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Target>, Vec<RowProblem>)> {
        match &self.accounts {
            Some(path) => {
                let bytes = crate::read_input(path)?;
                let AccountsFile {
                    targets,
                    problems,
                    notes,
                } = parse_accounts(&bytes).map_err(|e| {
                    crate::fail(
                        crate::exit::INVALID_INPUT,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                for p in &problems {
                    eprintln!("{}:{}: skipped: {}", path.display(), p.line, p.reason);
                }
                for n in &notes {
                    eprintln!("{}:{}: note: {}", path.display(), n.line, n.reason);
                }
                // Each row's account: `eu.acme.com` is acme.com's unless
                // stored as an account of its own; rows naming one account
                // twice are one target.
                let mut seen = BTreeSet::new();
                let mut accounts = Vec::with_capacity(targets.len());
                for mut t in targets {
                    t.domain = leadscore_pipeline::account_named(store, t.domain).await?;
                    if seen.insert(t.domain.clone()) {
                        accounts.push(t);
                    }
                }
                Ok((accounts, problems))
            }
            None => Ok((
                store
                    .accounts_due(due_cutoff(now, self.max_age), self.limit)
                    .await?
                    .into_iter()
                    .map(|domain| Target {
                        domain,
                        start: None,
                        name: None,
                    })
                    .collect(),
                Vec::new(),
            )),
        }
    }
}

async fn fetched_a_page(store: &dyn Store, domain: &Domain) -> Result<bool> {
    Ok(store.latest_snapshot(domain).await?.is_some_and(|s| {
        leadscore_enrich::Details::of(&s)
            .pages
            .iter()
            .any(|p| p.error.is_none())
    }))
}

/// Runs the job on `targets`. `alerts` receives every pending alert as
/// accounts turn leads hot, and at the end.
pub async fn run(
    store: &dyn Store,
    enricher: &Enricher,
    model: &ScoringModel,
    alerts: &dyn AlertSink,
    targets: Vec<Target>,
    args: &RunSettings,
    now: DateTime<Utc>,
) -> Result<RunSummary> {
    let started = Instant::now();
    let mut summary = RunSummary {
        accounts: targets.len(),
        ..RunSummary::default()
    };
    let mut failed_in_accounts = Vec::new();
    let (mut todo, fresh) = due(store, targets, args.max_age, args.force, now).await?;
    summary.left_by_limit = todo.len().saturating_sub(args.limit);
    todo.truncate(args.limit);
    summary.skipped_fresh = fresh;
    if fresh > 0 {
        eprintln!(
            "{fresh} account(s) enriched within the last {} are skipped (--force enriches them anyway)",
            age_text(args.max_age)
        );
    }
    let mut progress = Progress::new(todo.len(), args.quiet);
    let mut results = futures::stream::iter(todo)
        .map(|t| async move {
            let out = enrich_and_store(
                store,
                enricher,
                None,
                model,
                &t.domain,
                t.start.as_deref(),
                now,
            )
            .await;
            (t.domain, out)
        })
        .buffer_unordered(args.concurrency.max(1));
    // Listening from here on: once tokio listens, a Ctrl-C no longer ends
    // the process, so every wait below listens too.
    let mut interrupt: Interrupt = Box::pin(crate::interrupted());
    // Alerts go out as accounts turn leads hot (an interruption later loses
    // none), while the next accounts are fetched: a slow or silent channel
    // holds up no fetch. One delivery at a time; after one with a failure,
    // the rest wait for the run's last delivery (a channel that is down is
    // not waited on again after every account).
    let mut delivering: Option<Delivery<'_>> = None;
    let mut delivery_wanted = false;
    let mut channel_failed = false;
    loop {
        if delivery_wanted && delivering.is_none() && !channel_failed {
            delivery_wanted = false;
            delivering = Some(Box::pin(drain_outbox(store, alerts, Utc::now(), 1000)));
        }
        let next = tokio::select! {
            next = results.next() => next,
            d = async {
                match delivering.as_mut() {
                    Some(d) => d.await,
                    None => std::future::pending().await,
                }
            }, if delivering.is_some() => {
                delivering = None;
                channel_failed |= delivered(&mut summary, d);
                continue;
            }
            _ = &mut interrupt => {
                summary.interrupted = true;
                progress.println("interrupted: finishing the alerts; run the same command again to resume");
                break;
            }
        };
        let Some((domain, out)) = next else { break };
        match out {
            Ok(o) => {
                // The account's leads were rescored either way (with the
                // signals of its last snapshot when nothing was fetched):
                // a lead that became hot is counted and its alert sent.
                summary.rescored += o.rescored.scored;
                failed_in_accounts.extend(o.rescored.failed.iter().cloned());
                summary
                    .became_hot
                    .extend(o.rescored.became_hot.iter().cloned());
                delivery_wanted |= !o.rescored.became_hot.is_empty();
                let hot = match o.rescored.became_hot.len() {
                    0 => String::new(),
                    n => format!(", {n} became hot"),
                };
                let e = &o.enrichment;
                if let Some(why) = nothing_fetched(e) {
                    progress.finish_one(&format!(
                        "{domain}: failed: {why}{}",
                        if hot.is_empty() {
                            String::new()
                        } else {
                            format!(" ({} lead(s) rescored{hot})", o.rescored.scored)
                        }
                    ));
                    summary.failed.push((domain.to_string(), why));
                    continue;
                }
                let ok = e.pages.iter().filter(|p| p.error.is_none()).count();
                summary.enriched += 1;
                summary.pages += ok;
                progress.finish_one(&format!(
                    "{domain}: {ok}/{} pages, {} technologies, {} signals, {} lead(s) rescored{hot}",
                    e.pages.len(),
                    e.technologies.len(),
                    e.snapshot.signals.len(),
                    o.rescored.scored,
                ));
            }
            Err(err) => {
                summary.failed.push((domain.to_string(), err.to_string()));
                progress.finish_one(&format!("{domain}: failed: {err}"));
            }
        }
    }
    drop(results);
    // One listener for the last steps below (the delivery under way, the
    // rescoring, the last delivery): a Ctrl-C there, or a second one after
    // the one that stopped the fetching, stops the step it comes in and
    // skips the rest; they are done by the next run, and the alerts not
    // yet delivered stay pending.
    let mut stop: Option<Interrupt> = Some(if summary.interrupted {
        Box::pin(crate::interrupted())
    } else {
        interrupt
    });
    let mut stopped = false;
    if let Some(d) = delivering.take() {
        progress.message("delivering alerts…");
        match unless_stopped(&mut stop, d).await {
            Some(outcome) => {
                delivered(&mut summary, outcome);
            }
            None => stopped = stopped_at(&mut summary, "while delivering alerts"),
        }
    }
    // Decay moves every lead, enriched today or not: a long step on a
    // large store, shown on the bar (or every tenth, without one).
    let rescored = if summary.interrupted {
        None
    } else {
        let shown = |done: usize, total: usize| {
            if total >= 500 && (done.is_multiple_of(250) || done == total) {
                progress.rescoring(done, total);
            }
        };
        match unless_stopped(&mut stop, rescore_all(store, model, now, shown)).await {
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => {
                summary.errors.push(format!("rescoring every lead: {e}"));
                None
            }
            None => {
                stopped = stopped_at(&mut summary, "while rescoring every lead");
                None
            }
        }
    };
    progress.finish();
    match rescored {
        Some(r) => {
            summary.rescored = summary.rescored.max(r.scored);
            // Every lead again: its failures are the ones that stand (a
            // lead that failed after its account's enrichment may have been
            // scored now).
            summary.failed_leads = r.failed;
            for e in r.became_hot {
                if !summary.became_hot.contains(&e) {
                    summary.became_hot.push(e);
                }
            }
            for (d, why) in r.accounts_failed {
                summary.errors.push(format!("rolling up {d}: {why}"));
            }
            summary.other_model = r.other_model;
        }
        None => summary.failed_leads = failed_in_accounts,
    }
    // The alerts of the whole run, whatever failed before (a Ctrl-C stops
    // this wait: the alerts stay pending).
    let last = if stopped {
        None
    } else {
        let last = unless_stopped(&mut stop, drain_outbox(store, alerts, Utc::now(), 10_000)).await;
        if last.is_none() {
            // Stopped here too: the send it cut has its claim released
            // below.
            stopped = stopped_at(&mut summary, "while delivering alerts");
        }
        last
    };
    // Alerts a channel may take later; one it refused for good (a request
    // it would refuse again) stays pending for an operator without making
    // every run fail.
    if let Some(Ok(d)) = &last
        && !d.retryable_ids.is_empty()
    {
        summary.errors.push(format!(
            "delivering alerts: {} alert(s) could not be delivered for now and stay pending (the log says why; `leadscore alerts deliver` or the next run retries)",
            d.retryable_ids.len()
        ));
    }
    if let Some(Ok(d)) = &last
        && let Some(held) = crate::sinks::held_note(d, "this run")
    {
        summary.errors.push(format!("delivering alerts: {held}"));
    }
    if let Some(last) = last {
        delivered(&mut summary, last);
    }
    // A send a Ctrl-C cut off holds its alert's claim: released, so the
    // same command run again at once delivers it instead of waiting for
    // the claim's lease to end.
    if stopped {
        alerts.release_abandoned().await;
    }
    match store.pending_alerts(10_000).await {
        Ok(p) => summary.alerts_pending = p.len(),
        Err(e) => summary.errors.push(format!("counting pending alerts: {e}")),
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn age_text(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    if s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// Prints the summary for people.
pub fn print_summary(s: &RunSummary) {
    println!(
        "enriched {} of {} account(s) in {:.1} s ({} pages){}; {} skipped as fresh",
        s.enriched,
        s.accounts,
        s.seconds,
        s.pages,
        if s.interrupted { ", interrupted" } else { "" },
        s.skipped_fresh
    );
    if s.left_by_limit > 0 {
        println!(
            "{} due account(s) left for a later run by --limit",
            s.left_by_limit
        );
    }
    if !s.failed.is_empty() {
        println!("failed: {}", s.failed.len());
        for (d, why) in &s.failed {
            println!("  {d}: {why}");
        }
    }
    let no_domain = s.bad_rows.iter().filter(|r| r.no_domain).count();
    match (s.bad_rows.len() - no_domain, no_domain) {
        (0, 0) => {}
        (0, n) => println!("rows of the accounts file without a domain or website, skipped: {n}"),
        (bad, 0) => println!("rows of the accounts file rejected: {bad}"),
        (bad, n) => println!(
            "rows of the accounts file rejected: {bad}; without a domain or website, skipped: {n}"
        ),
    }
    if !s.failed_leads.is_empty() {
        println!("leads that could not be scored: {}", s.failed_leads.len());
        for (e, why) in &s.failed_leads {
            println!("  {e}: {why}");
        }
    }
    if s.other_model > 0 {
        println!(
            "{} lead(s) were last scored with another model: is every command given the same one (--model, LEADSCORE_MODEL)?",
            s.other_model
        );
    }
    if !s.errors.is_empty() {
        println!(
            "errors (the next run does what they stopped): {}",
            s.errors.len()
        );
        for why in &s.errors {
            println!("  {why}");
        }
    }
    println!(
        "rescored {} lead(s); {} became hot{}",
        s.rescored,
        s.became_hot.len(),
        if s.became_hot.is_empty() {
            String::new()
        } else {
            format!(
                ": {}",
                s.became_hot
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    println!(
        "alerts: {} delivered, {} pending{}",
        s.alerts_delivered,
        s.alerts_pending,
        if s.alerts_pending > 0 {
            " (a channel failed; `leadscore alerts deliver` or the next run retries)"
        } else {
            ""
        }
    );
}

/// Builds what `run` needs and runs it.
pub async fn main(
    store: Arc<dyn Store>,
    config: &crate::enrich::ConfigFile,
    args: &RunArgs,
    now: DateTime<Utc>,
) -> Result<RunSummary> {
    let model = crate::load_model(args.options.model.as_deref())?;
    let enricher = crate::enrich::build_enricher(&args.options, config)?;
    // With --json, stdout is the summary document alone.
    let format = if args.json {
        crate::sinks::StdoutFormat::TextOnStderr
    } else {
        crate::sinks::StdoutFormat::Text
    };
    let alerts = crate::sinks::build(&store, &args.sinks, format)?;
    let (targets, bad_rows) = args.targets(store.as_ref(), now).await?;
    let mut summary = run(
        store.as_ref(),
        &enricher,
        &model,
        &alerts,
        targets,
        &args.settings(),
        now,
    )
    .await?;
    summary.bad_rows = bad_rows;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_file_keeps_good_rows_and_reports_bad_ones() {
        let csv = "\u{feff}Domain,Website,Name,Owner\n\
                   acme.io,https://www.acme.io/en/,Acme,sam\n\
                   not a domain!,,,\n\
                   ,https://globex.example/,Globex,\n\
                   ACME.io,,,\n\
                   ,,,\n\
                   10.0.0.5,,,\n\
                   ,http://10.1/,,\n";
        let AccountsFile {
            targets,
            problems,
            notes,
        } = parse_accounts(csv.as_bytes()).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            targets,
            vec![
                Target {
                    domain: Domain::parse("acme.io").unwrap(),
                    start: Some("https://www.acme.io/en/".into()),
                    name: Some("Acme".into()),
                },
                Target {
                    domain: Domain::parse("globex.example").unwrap(),
                    start: Some("https://globex.example/".into()),
                    name: Some("Globex".into()),
                },
            ]
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].line, 3);
        // Addresses, as a URL reads them, are no company's domain.
        assert_eq!((problems[1].line, problems[2].line), (7, 8));
        assert!(
            problems[1].reason.contains("is an IP address"),
            "{problems:?}"
        );
        assert!(
            problems[2].reason.contains("is an IP address"),
            "{problems:?}"
        );
    }

    /// A lead whose score cannot be written is listed in the summary (the
    /// binary exits 5 on it); the others are scored. Store errors after
    /// the accounts (a rollup, the alert drain) are listed too, and do not
    /// end the run (they did, without a summary or the last drain).
    #[tokio::test]
    async fn leads_that_fail_to_score_are_listed() {
        use leadscore_core::domain::{Alert, Lead};
        use leadscore_fetch::{FetchConfig, ReqwestFetcher, StaticResolver};
        use leadscore_pipeline::DeliveryError;
        use leadscore_store::MemoryStore;
        use leadscore_store::faulty::FaultyStore;

        struct Nowhere;
        #[async_trait::async_trait]
        impl AlertSink for Nowhere {
            async fn deliver(&self, _: &Alert) -> Result<(), DeliveryError> {
                Ok(())
            }
        }

        let now = Utc::now();
        let store = FaultyStore::new(MemoryStore::new());
        // Two accounts: an account with a lead that failed keeps its
        // stored rollup, so the rollup fault is met on the other.
        let leads: Vec<Lead> = ["ada@acme.test", "bo@beta.test"]
            .into_iter()
            .map(|e| Lead::new(Email::parse(e).unwrap(), None, now))
            .collect();
        store.upsert_leads(&leads, &[]).await.unwrap();
        store.fail("save_score", Some("bo@beta.test"));
        store.fail("save_account_score", None);
        store.fail("pending_alerts", None);
        let fetcher =
            ReqwestFetcher::new(FetchConfig::default(), Arc::new(StaticResolver::new())).unwrap();
        let (fingerprints, _) = leadscore_enrich::load_fingerprints(&[]).unwrap();
        let enricher = Enricher::new(
            Arc::new(fetcher),
            Arc::new(fingerprints),
            leadscore_enrich::EnrichConfig::default(),
        );
        let settings = RunSettings {
            max_age: chrono::Duration::days(7),
            force: false,
            limit: 10,
            concurrency: 1,
            quiet: true,
        };
        let model = ScoringModel::default_model().unwrap();
        let summary = run(
            &store,
            &enricher,
            &model,
            &Nowhere,
            Vec::new(),
            &settings,
            now,
        )
        .await
        .unwrap();
        let failed: Vec<&str> = summary
            .failed_leads
            .iter()
            .map(|(e, _)| e.as_str())
            .collect();
        assert_eq!(failed, ["bo@beta.test"]);
        assert!(summary.failed_leads[0].1.contains("save_score"));
        assert_eq!(summary.rescored, 1, "the other lead is scored");
        assert!(
            summary
                .errors
                .iter()
                .any(|e| e.starts_with("rolling up acme.test"))
                && summary
                    .errors
                    .iter()
                    .any(|e| e.starts_with("delivering alerts")),
            "{:?}",
            summary.errors
        );
        let ada = Email::parse("ada@acme.test").unwrap();
        assert!(store.current_score(&ada).await.unwrap().is_some());
    }

    /// A website on another domain than the row's, or a domain listed
    /// again with another website, is used as given with a note; a
    /// subdomain of the row's domain and a row without a scheme are not.
    #[test]
    fn accounts_file_notes_websites_elsewhere() {
        let csv = "domain,website\n\
                   acme.test,http://beta.test/\n\
                   gamma.test,https://www.eu.gamma.test/\n\
                   delta.test,delta.example\n\
                   gamma.test,https://gamma.example/\n\
                   gamma.test,https://www.eu.gamma.test/\n\
                   gamma.test,\n\
                   gamma.test,https://WWW.EU.GAMMA.test/\n\
                   delta.test,https://delta.test/en/\n";
        let file = parse_accounts(csv.as_bytes()).unwrap();
        assert_eq!(file.targets.len(), 3);
        assert_eq!(file.targets[0].start.as_deref(), Some("http://beta.test/"));
        // The first row had no website (none with a scheme): a later one's
        // is taken, with no note.
        assert_eq!(
            file.targets[2].start.as_deref(),
            Some("https://delta.test/en/")
        );
        let notes: Vec<_> = file.notes.iter().map(|n| n.line).collect();
        assert_eq!(notes, [2, 5], "{:?}", file.notes);
        assert!(
            file.notes[0]
                .reason
                .contains("`http://beta.test/` is not on `acme.test`"),
            "{:?}",
            file.notes
        );
        assert!(
            file.notes[1]
                .reason
                .contains("listed again with another website"),
            "{:?}",
            file.notes
        );
    }

    /// Bad rows are reported on their own lines in a CRLF file with blank
    /// lines.
    #[test]
    fn accounts_file_lines_are_the_files() {
        let csv = "domain,name\r\n\r\nacme.test,Acme\r\n\r\nnot a domain!,X\r\n10.0.0.5,Y\r\n";
        let file = parse_accounts(csv.as_bytes()).unwrap();
        let lines: Vec<u64> = file.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6], "{:?}", file.problems);
    }

    /// HubSpot's company export and Salesforce's account export work as
    /// they are.
    #[test]
    fn accounts_file_reads_crm_exports_headers() {
        let hubspot = "Record ID,Company name,Company Domain Name,Website URL,Industry\n\
                       1,Acme,acme.test,https://www.acme.test/en/,SOFTWARE\n";
        let file = parse_accounts(hubspot.as_bytes()).unwrap();
        assert_eq!(
            file.targets,
            [Target {
                domain: Domain::parse("acme.test").unwrap(),
                start: Some("https://www.acme.test/en/".into()),
                name: Some("Acme".into()),
            }]
        );
        // A CRM record's own link is no website.
        let err =
            parse_accounts(b"Record ID,Company name,URL\n1,Acme,https://app.crm.test/record/1\n")
                .unwrap_err();
        assert!(err.contains("`domain` or `website`"), "{err}");
        let salesforce = "Account Name,Website,Account Owner\nBeta Inc,https://beta.test/,sam\n";
        let file = parse_accounts(salesforce.as_bytes()).unwrap();
        assert_eq!(file.targets[0].domain.as_str(), "beta.test");
        assert_eq!(file.targets[0].name.as_deref(), Some("Beta Inc"));
    }

    /// A European Excel "CSV" (semicolons) reads as a comma one; a file in
    /// another encoding than UTF-8 is refused with its line, not stored
    /// garbled.
    #[test]
    fn accounts_files_with_semicolons_or_another_encoding() {
        let file = parse_accounts("domain;name\nacme.test;Müller GmbH\n".as_bytes()).unwrap();
        assert_eq!(file.targets[0].domain.as_str(), "acme.test");
        assert_eq!(file.targets[0].name.as_deref(), Some("Müller GmbH"));
        let err =
            parse_accounts(b"domain,name\nbeta.test,Beta\nacme.test,M\xfcller\n").unwrap_err();
        assert!(err.starts_with("line 3: not UTF-8"), "{err}");
    }

    #[test]
    fn accounts_file_without_a_domain_column_is_refused() {
        let err = parse_accounts(b"company,owner\nacme,sam\n").unwrap_err();
        assert!(err.contains("`domain` or `website`"), "{err}");
    }

    #[test]
    fn ages_parse_with_units() {
        assert_eq!(parse_age("90m").unwrap(), chrono::Duration::minutes(90));
        assert_eq!(parse_age("7d").unwrap(), chrono::Duration::days(7));
        assert!(parse_age("12").is_err());
        assert!(parse_age("3w").is_err());
        assert_eq!(parse_age("36500d").unwrap(), chrono::Duration::days(36_500));
        // Too long to subtract from a date: refused, not a panic.
        for huge in [
            "36501d",
            "100000000d",
            "200000000000d",
            "9223372036854775807s",
        ] {
            assert!(parse_age(huge).is_err(), "{huge}");
        }
    }
}

//! `leadscore demo`: the whole local pipeline with no internet. Bundled
//! fixture company websites (`cli/demo/sites/<domain>/`), their job boards
//! (`cli/demo/ats/<ats>/`) and press pages are served on 127.0.0.1; every
//! demo domain resolves to it (nothing else resolves at all, so the demo
//! cannot reach the internet); leads and activities are imported, the sites
//! enriched, leads scored, alerts delivered and the HTML report written.
//!
//! Dates: activities in `cli/demo/activities.csv` are written as of
//! [`ANCHOR`] and moved forward to today at import; fixture files carry
//! `{{DATE-N}}`, `{{DATETIME-N}}`, `{{RFC2822-N}}` and `{{EPOCHMS-N}}` (N
//! days ago), filled
//! in when served. So the demo tells the same story whatever the date.

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use include_dir::{Dir, include_dir};
use leadscore_core::domain::{Activity, Domain};
use leadscore_core::import::{parse_activities, parse_leads};
use leadscore_enrich::{EnrichConfig, Enricher, load_fingerprints};
use leadscore_fetch::{FetchConfig, ReqwestFetcher, StaticResolver};
use leadscore_hiring::endpoints::AtsEndpoints;
use leadscore_store::{SqliteStore, Store};
use regex::Regex;
use tokio::net::TcpListener;

use crate::run::{RunSettings, Target};
use crate::sinks::{SinkArgs, StdoutFormat};

/// The fixture data, compiled in.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/demo");

/// The instant the fixture activities were written against.
pub static ANCHOR: LazyLock<DateTime<Utc>> = LazyLock::new(|| {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
});

/// The database file `demo` uses unless `--db` names another.
const DEFAULT_DB: &str = "leadscore-demo.db";

/// `demo` options.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Write the HTML report here.
    #[arg(long, default_value = "leadscore-demo.html")]
    pub report: PathBuf,
    /// Keep the demo database's previous contents (default: start fresh).
    #[arg(long)]
    pub keep: bool,
    /// Serve the fixtures from this folder instead of the bundled ones (its
    /// layout: cli/demo/README.md).
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// After the run, keep serving the fixture sites (to browse them) until
    /// Ctrl-C.
    #[arg(long)]
    pub serve_sites: bool,
    /// Alert channels besides stdout.
    #[command(flatten)]
    pub sinks: SinkArgs,
}

/// Where fixture files come from.
#[derive(Debug, Clone)]
pub enum Fixtures {
    /// Compiled into the binary.
    Bundled,
    /// A folder on disk.
    Disk(PathBuf),
}

impl Fixtures {
    /// The file at `rel` (a `/`-separated relative path).
    pub fn get(&self, rel: &str) -> Option<Cow<'static, [u8]>> {
        if rel
            .split('/')
            .any(|s| s == ".." || s == "." || s.contains('\\'))
        {
            return None;
        }
        match self {
            Self::Bundled => BUNDLED.get_file(rel).map(|f| Cow::Borrowed(f.contents())),
            Self::Disk(root) => {
                let path = root.join(rel);
                path.is_file()
                    .then(|| std::fs::read(&path).ok().map(Cow::Owned))
                    .flatten()
            }
        }
    }

    /// The demo company domains: the folders under `sites/`.
    pub fn domains(&self) -> Result<Vec<Domain>> {
        let mut names: Vec<String> = match self {
            Self::Bundled => BUNDLED
                .get_dir("sites")
                .map(|d| {
                    d.dirs()
                        .filter_map(|s| s.path().file_name()?.to_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            Self::Disk(root) => std::fs::read_dir(root.join("sites"))
                .with_context(|| format!("reading {}", root.join("sites").display()))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect(),
        };
        names.sort();
        let mut out = Vec::new();
        for n in names {
            out.push(Domain::parse(&n).with_context(|| format!("sites/{n} is not a domain"))?);
        }
        if out.is_empty() {
            bail!("no fixture sites (expected sites/<domain>/ folders)");
        }
        Ok(out)
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "css" => "text/css",
        "js" => "application/javascript",
        _ => "application/octet-stream",
    }
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{(DATE|DATETIME|RFC2822|EPOCHMS)-(\d{1,4})\}\}")
        .unwrap_or_else(|_| unreachable!())
});

/// Fills in `{{DATE-N}}` (YYYY-MM-DD), `{{DATETIME-N}}` (RFC 3339),
/// `{{RFC2822-N}}` and `{{EPOCHMS-N}}` (Unix milliseconds, as Lever writes
/// dates) as N days before `now`.
pub fn fill_dates(text: &str, now: DateTime<Utc>) -> String {
    PLACEHOLDER
        .replace_all(text, |c: &regex::Captures<'_>| {
            let days: i64 = c[2].parse().unwrap_or(0);
            let day = (now - chrono::Duration::days(days)).date_naive();
            let at = day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
            match &c[1] {
                "DATE" => day.format("%Y-%m-%d").to_string(),
                "DATETIME" => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "EPOCHMS" => at.timestamp_millis().to_string(),
                _ => at.to_rfc2822(),
            }
        })
        .into_owned()
}

/// The fixture file answering `host` + `path`: `/_ats/<ats>/…` on any host
/// from `ats/`, anything else from `sites/<host>/`.
pub fn resolve(
    fixtures: &Fixtures,
    host: &str,
    path: &str,
) -> Option<(String, Cow<'static, [u8]>)> {
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.trim_start_matches('/');
    let (base, rest, exts): (String, &str, &[&str]) = match path.strip_prefix("_ats/") {
        Some(rest) => ("ats".to_owned(), rest, &["json", "xml", "rss"]),
        None => (format!("sites/{host}"), path, &["html"]),
    };
    let rest = rest.trim_end_matches('/');
    let mut candidates = Vec::new();
    if rest.is_empty() {
        candidates.push(format!("{base}/index.html"));
    } else {
        candidates.push(format!("{base}/{rest}"));
        for e in ["html", "json", "xml"] {
            candidates.push(format!("{base}/{rest}/index.{e}"));
        }
        for e in exts {
            candidates.push(format!("{base}/{rest}.{e}"));
        }
    }
    candidates
        .into_iter()
        .find_map(|c| fixtures.get(&c).map(|body| (c, body)))
}

/// The fixture web server: every demo host and the job-board APIs.
pub struct FixtureServer {
    /// Its address (127.0.0.1 and a free port).
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FixtureServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FixtureServer {
    /// Starts serving on 127.0.0.1.
    pub async fn start(fixtures: Fixtures, now: DateTime<Utc>) -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the fixture server on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let fixtures = Arc::new(fixtures);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let fixtures = fixtures.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<Incoming>| {
                        let fixtures = fixtures.clone();
                        async move { Ok::<_, Infallible>(answer(&fixtures, &req, now)) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(Self { addr, task })
    }
}

fn answer(
    fixtures: &Fixtures,
    req: &Request<Incoming>,
    now: DateTime<Utc>,
) -> Response<Full<Bytes>> {
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let mut resp = match resolve(fixtures, host, req.uri().path()) {
        Some((file, body)) => {
            let ct = content_type(&file);
            let body: Bytes = match std::str::from_utf8(&body) {
                Ok(text) if !ct.starts_with("application/octet") => fill_dates(text, now).into(),
                _ => Bytes::from(body.into_owned()),
            };
            let mut r = Response::new(Full::new(body));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(ct),
            );
            r
        }
        None => {
            let mut r = Response::new(Full::new(Bytes::from_static(
                b"<!doctype html><title>Not found</title><h1>Not found</h1>",
            )));
            *r.status_mut() = StatusCode::NOT_FOUND;
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    };
    resp.headers_mut().insert(
        hyper::header::SERVER,
        hyper::header::HeaderValue::from_static("leadscore-demo"),
    );
    resp
}

/// An enricher for the fixture sites: every demo domain (and its `www.`)
/// resolves to 127.0.0.1 and nothing else resolves; job-board APIs point at
/// the fixture server.
pub fn demo_enricher(domains: &[Domain], server: SocketAddr) -> Result<Enricher> {
    let mut resolver = StaticResolver::new();
    let local = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
    for d in domains {
        resolver = resolver
            .with(d.as_str(), &local)
            .with(&format!("www.{}", d.as_str()), &local);
    }
    // The fixture server's address, and nothing else off the internet.
    let fetch = FetchConfig {
        allowed_addresses: local.to_vec(),
        politeness_delay: Duration::from_millis(20),
        ..FetchConfig::default()
    };
    let fetcher =
        ReqwestFetcher::new(fetch, Arc::new(resolver)).context("building the HTTP client")?;
    let (db, _) = load_fingerprints(&[])?;
    let base = format!("http://{server}/_ats");
    let mut config = EnrichConfig::default();
    config.hiring.endpoints = AtsEndpoints {
        greenhouse: format!("{base}/greenhouse"),
        lever: format!("{base}/lever"),
        lever_eu: format!("{base}/lever-eu"),
        ashby: format!("{base}/ashby"),
        smartrecruiters: format!("{base}/smartrecruiters"),
        workable: format!("{base}/workable"),
        recruitee: format!("{base}/recruitee/{{slug}}"),
        personio: format!("{base}/personio/{{slug}}"),
        teamtailor: format!("{base}/teamtailor/{{slug}}"),
    };
    Ok(Enricher::new(Arc::new(fetcher), Arc::new(db), config))
}

/// Imports the fixture leads and activities, the activities moved from
/// [`ANCHOR`] to `now`.
async fn import(
    store: &dyn Store,
    fixtures: &Fixtures,
    now: DateTime<Utc>,
) -> Result<(usize, usize)> {
    let leads = fixtures
        .get("leads.csv")
        .context("the fixtures have no leads.csv")?;
    let parsed = parse_leads(&leads, None, now).context("reading the demo leads.csv")?;
    if let Some(e) = parsed.errors.first() {
        bail!("demo leads.csv:{}: {}", e.line, e.reason);
    }
    let n_leads = leadscore_pipeline::import_leads(store, &parsed, now)
        .await?
        .rows;
    let activities = fixtures
        .get("activities.csv")
        .context("the fixtures have no activities.csv")?;
    let parsed = parse_activities(&activities, None).context("reading the demo activities.csv")?;
    if let Some(e) = parsed.errors.first() {
        bail!("demo activities.csv:{}: {}", e.line, e.reason);
    }
    let shift = now - *ANCHOR;
    let rows: Vec<Activity> = parsed
        .rows
        .into_iter()
        .map(|(_, mut a)| {
            a.occurred_at += shift;
            a
        })
        .filter(|a| a.occurred_at <= now)
        .collect();
    leadscore_pipeline::import_activities(store, &rows, now).await?;
    Ok((n_leads, rows.len()))
}

fn remove_db(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing {}", Path::new(&p).display()));
            }
        }
    }
    Ok(())
}

/// Runs `demo`.
pub async fn main(args: &DemoArgs, db: Option<&Path>, now: DateTime<Utc>) -> Result<()> {
    let fixtures = match &args.fixtures {
        Some(dir) => Fixtures::Disk(dir.clone()),
        None => Fixtures::Bundled,
    };
    let db_path = db.map_or_else(|| PathBuf::from(DEFAULT_DB), Path::to_path_buf);
    // The fixtures and the report's folder are checked before any store is
    // touched: a wrong --fixtures or --report neither removes the last
    // demo's store nor leaves a new one behind.
    let domains = fixtures.domains()?;
    if let Some(dir) = args.report.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        bail!(
            "the report's folder {} does not exist (--report {})",
            dir.display(),
            args.report.display()
        );
    }
    if !args.keep && db_path.exists() {
        if db.is_some() {
            bail!(
                "{} exists; the demo starts from an empty store: remove it, pick another --db, or pass --keep",
                db_path.display()
            );
        }
        remove_db(&db_path)?;
    }
    let created = !db_path.exists();
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&db_path).with_context(|| format!("opening {}", db_path.display()))?,
    );
    let outcome = run_demo(args, &db_path, store, fixtures, domains, now).await;
    if outcome.is_err() && created {
        // Half a demo is no store to keep: the next one starts afresh.
        if let Err(e) = remove_db(&db_path) {
            eprintln!("warning: {}", crate::error_text(&e));
        }
    }
    outcome
}

/// The demo, from a store made for it.
async fn run_demo(
    args: &DemoArgs,
    db_path: &Path,
    store: Arc<dyn Store>,
    fixtures: Fixtures,
    domains: Vec<Domain>,
    now: DateTime<Utc>,
) -> Result<()> {
    let server = FixtureServer::start(fixtures.clone(), now).await?;
    println!(
        "serving {} fixture company websites and their job boards on http://{} (offline; nothing leaves this machine)",
        domains.len(),
        server.addr
    );
    let (leads, activities) = import(store.as_ref(), &fixtures, now).await?;
    println!(
        "imported {leads} leads and {activities} activities into {}",
        db_path.display()
    );

    let model = crate::load_model(None)?;
    let enricher = demo_enricher(&domains, server.addr)?;
    let alerts = crate::sinks::build(&store, &args.sinks, StdoutFormat::Text)?;
    let port = server.addr.port();
    let targets = domains
        .iter()
        .map(|d| Target {
            domain: d.clone(),
            start: Some(format!("http://{d}:{port}/")),
            name: None,
        })
        .collect();
    let settings = RunSettings {
        max_age: chrono::Duration::hours(24),
        force: true,
        limit: usize::MAX,
        concurrency: 4,
        quiet: false,
    };
    let summary = crate::run::run(
        store.as_ref(),
        &enricher,
        &model,
        &alerts,
        targets,
        &settings,
        now,
    )
    .await?;
    crate::run::print_summary(&summary);
    if summary.interrupted {
        // No report of a half-enriched store; the next demo starts over.
        // (A store this demo made is removed by `main`, as on any error.)
        return Err(crate::fail(
            crate::exit::INTERRUPTED,
            "interrupted: the demo stopped before its end and wrote no report; run `leadscore demo` again (it starts over)",
        ));
    }

    let records = store.list_scores(None).await?;
    println!();
    let names = crate::output::LeadNames::load(store.as_ref(), &records).await;
    crate::output::print_table(&records, &names);
    if let Some(top) = records.first()
        && let Some(lead) = store.get_lead(&top.lead).await?
    {
        println!();
        let history = store.score_history(&top.lead, 5).await?;
        crate::output::print_explanation(&lead, top, &history, Some(&model));
    }
    let data = crate::report::ReportData::load(
        store.as_ref(),
        model,
        "Which accounts to call today (demo)",
        now,
    )
    .await?;
    crate::report::write(&data, &args.report)?;
    println!(
        "\nreport: {} (open it in a browser)\nexplore: leadscore --db {} leads | explain EMAIL | alerts",
        args.report.display(),
        db_path.display()
    );
    if args.serve_sites {
        println!(
            "the fixture sites stay up on http://{} (send Host: <domain>); Ctrl-C stops",
            server.addr
        );
        tokio::signal::ctrl_c().await.ok();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dates_relative_to_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap();
        assert_eq!(
            fill_dates(
                "on {{DATE-10}} at {{DATETIME-0}} / {{RFC2822-1}} / {{EPOCHMS-0}}",
                now
            ),
            "on 2026-11-20 at 2026-11-30T09:00:00Z / Sun, 29 Nov 2026 09:00:00 +0000 / 1796029200000"
        );
        assert_eq!(
            fill_dates("{{DATE-x}} {{OTHER-1}}", now),
            "{{DATE-x}} {{OTHER-1}}"
        );
    }

    #[test]
    fn paths_map_to_fixture_files_and_never_escape() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("sites/acme.example/careers");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(dir.path().join("sites/acme.example/index.html"), "home").unwrap();
        std::fs::write(site.join("index.html"), "jobs").unwrap();
        std::fs::create_dir_all(dir.path().join("ats/greenhouse/v1/boards/acme")).unwrap();
        std::fs::write(
            dir.path().join("ats/greenhouse/v1/boards/acme/jobs.json"),
            "{}",
        )
        .unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let f = Fixtures::Disk(dir.path().to_path_buf());
        let get = |host: &str, path: &str| {
            resolve(&f, host, path).map(|(_, b)| String::from_utf8(b.into_owned()).unwrap())
        };
        assert_eq!(get("acme.example:8080", "/").as_deref(), Some("home"));
        assert_eq!(get("www.acme.example", "/careers").as_deref(), Some("jobs"));
        assert_eq!(get("acme.example", "/careers/").as_deref(), Some("jobs"));
        assert_eq!(
            get("127.0.0.1:9", "/_ats/greenhouse/v1/boards/acme/jobs").as_deref(),
            Some("{}")
        );
        assert_eq!(get("acme.example", "/../../secret.txt"), None);
        assert_eq!(get("other.example", "/"), None);
        assert_eq!(
            f.domains().unwrap(),
            vec![Domain::parse("acme.example").unwrap()]
        );
    }
}

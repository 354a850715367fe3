//! `leadscore enrich` and `leadscore inspect tech`.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use leadscore_core::ScoringModel;
use leadscore_core::domain::Domain;
use leadscore_enrich::{EnrichConfig, Enricher, enrich_and_store, load_fingerprints};
use leadscore_fetch::{FetchConfig, ReqwestFetcher, Resolver, StaticResolver, SystemResolver};
use leadscore_fingerprint::{FingerprintDb, PageInput};
use leadscore_store::Store;
use serde::Deserialize;

use crate::output::print_json;

/// `leadscore.toml`: settings a user keeps beside the database.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Fetcher settings.
    #[serde(default)]
    pub fetch: FetchSection,
    /// Extra fingerprint files or folders (Wappalyzer format).
    #[serde(default)]
    pub fingerprints: Vec<PathBuf>,
    /// A title taxonomy file replacing the shipped one
    /// (`docs/title-taxonomy.md`).
    #[serde(default)]
    pub taxonomy: Option<PathBuf>,
    /// Job-board API base URLs (`[ats]`; a missing key keeps the vendor's
    /// own): a proxy or a local mirror instead of the vendors' APIs.
    #[serde(default)]
    pub ats: Option<leadscore_hiring::endpoints::AtsEndpoints>,
    /// `[news]`.
    #[serde(default)]
    pub news: NewsSection,
}

/// `[news]` in `leadscore.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsSection {
    /// A news-search feed URL template with `{company}` and `{domain}`
    /// (off when absent).
    pub search_feed: Option<String>,
}

/// Loads a title taxonomy file (a `--taxonomy` flag first, then
/// `taxonomy` in `leadscore.toml`); `None` means the shipped one.
pub fn load_taxonomy(
    flag: Option<&Path>,
    config: Option<&Path>,
) -> Result<Option<leadscore_core::titles::Taxonomy>> {
    let Some(path) = flag.or(config) else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    leadscore_core::titles::Taxonomy::from_toml(&text, &path.display().to_string())
        .map(Some)
        .map_err(|e| crate::fail(crate::exit::INVALID_INPUT, e.to_string()))
}

/// `[fetch]` in `leadscore.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FetchSection {
    /// Allow loopback/private/link-local destinations (local use only).
    pub allow_private_network: Option<bool>,
    /// User agent (its first word is the robots.txt agent).
    pub user_agent: Option<String>,
    /// Delay between requests to one host, in milliseconds.
    pub politeness_delay_ms: Option<u64>,
    /// Per-request timeout, in milliseconds.
    pub request_timeout_ms: Option<u64>,
    /// Pages per site.
    pub max_pages: Option<usize>,
    /// Time budget per site, in seconds.
    pub site_budget_secs: Option<u64>,
}

impl ConfigFile {
    /// Reads `path`; a missing default file is an empty config.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("leadscore.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                // A file that is read but wrong (an unknown key, a wrong
                // type) is invalid input, exit 3, as a bad model is.
                let mut config: Self = toml::from_str(&text).map_err(|e| {
                    crate::fail(
                        crate::exit::INVALID_INPUT,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                // Paths in the file are the file's: relative ones are read
                // from its folder, whatever the working folder (a cron job
                // passing --config).
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    for p in config
                        .fingerprints
                        .iter_mut()
                        .chain(config.taxonomy.as_mut())
                    {
                        if p.is_relative() {
                            *p = dir.join(&*p);
                        }
                    }
                }
                Ok(config)
            }
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
}

/// Options of `enrich`.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Domains or URLs (a URL also sets where the crawl starts).
    #[arg(required = true)]
    pub targets: Vec<String>,
    /// How to enrich.
    #[command(flatten)]
    pub options: EnrichOptions,
    /// Print JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// Enrichment options shared by `enrich` and `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct EnrichOptions {
    /// Allow loopback, private and link-local addresses (tests and local
    /// fixtures only; never for domains typed into a public form).
    #[arg(long)]
    pub allow_private_network: bool,
    /// Extra Wappalyzer-format fingerprint file or folder (repeatable).
    #[arg(long = "fingerprints", value_name = "PATH")]
    pub fingerprints: Vec<PathBuf>,
    /// Title taxonomy file replacing the shipped one (docs/title-taxonomy.md).
    #[arg(long, value_name = "PATH")]
    pub taxonomy: Option<PathBuf>,
    /// Resolve HOST to ADDR instead of using DNS (curl's --resolve without
    /// its port: the port is the URL's) (repeatable; e.g.
    /// acme.test=127.0.0.1). Unlike curl's, it replaces DNS: a host not
    /// named does not resolve, so a run on local fixtures reaches nothing
    /// else.
    #[arg(long, value_name = "HOST=ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<(String, IpAddr)>,
    /// Accounts enriched at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Scoring model for rescoring the accounts' leads.
    #[arg(long, env = "LEADSCORE_MODEL")]
    pub model: Option<PathBuf>,
}

/// `HOST=ADDR`; the host as a URL's (`bücher.test` is
/// `xn--bcher-kva.test`, the name the fetcher looks up).
fn parse_resolve(s: &str) -> Result<(String, IpAddr), String> {
    let (host, addr) = s.split_once('=').ok_or("expected HOST=ADDR")?;
    let addr: IpAddr = addr.trim().parse().map_err(|e| format!("`{addr}`: {e}"))?;
    let host = host.trim();
    match url::Host::parse(host) {
        Ok(url::Host::Domain(name)) => Ok((name, addr)),
        Ok(_) => Err(format!("`{host}` is an address, not a host name")),
        Err(e) => Err(format!("`{host}`: {e}")),
    }
}

/// Builds the fetcher and the fingerprint database from flags and config.
pub fn build_enricher(args: &EnrichOptions, config: &ConfigFile) -> Result<Enricher> {
    let mut fetch = FetchConfig {
        allow_private_network: args.allow_private_network
            || config.fetch.allow_private_network.unwrap_or(false),
        ..FetchConfig::default()
    };
    if let Some(ua) = &config.fetch.user_agent {
        fetch.user_agent.clone_from(ua);
    }
    if let Some(ms) = config.fetch.politeness_delay_ms {
        fetch.politeness_delay = Duration::from_millis(ms);
    }
    if let Some(ms) = config.fetch.request_timeout_ms {
        fetch.request_timeout = Duration::from_millis(ms);
    }
    let resolver: Arc<dyn Resolver> = if args.resolve.is_empty() {
        Arc::new(SystemResolver)
    } else {
        let mut r = StaticResolver::new();
        for (host, addr) in &args.resolve {
            r = r.with(host, &[*addr]);
        }
        Arc::new(r)
    };
    let fetcher = ReqwestFetcher::new(fetch, resolver).context("building the HTTP client")?;
    let db = fingerprints(&config.fingerprints, &args.fingerprints)?;
    let mut enrich = EnrichConfig::default();
    if let Some(n) = config.fetch.max_pages {
        enrich.crawl.max_pages = n;
    }
    if let Some(s) = config.fetch.site_budget_secs {
        enrich.crawl.site_budget = Duration::from_secs(s);
    }
    if let Some(t) = load_taxonomy(args.taxonomy.as_deref(), config.taxonomy.as_deref())? {
        enrich.hiring.taxonomy = Arc::new(t);
    }
    if let Some(ats) = &config.ats {
        enrich.hiring.endpoints = ats.clone();
    }
    enrich.news.search_feed.clone_from(&config.news.search_feed);
    Ok(Enricher::new(Arc::new(fetcher), Arc::new(db), enrich))
}

/// The shipped fingerprints with the configuration's files (`configured`)
/// and the command's (`--fingerprints`); each problem of the load report
/// (a pattern that cannot be used, a value of the wrong form) is printed.
fn fingerprints(configured: &[PathBuf], given: &[PathBuf]) -> Result<FingerprintDb> {
    let paths: Vec<PathBuf> = configured.iter().chain(given).cloned().collect();
    let (db, report) = load_fingerprints(&paths)?;
    for issue in &report.issues {
        eprintln!(
            "warning: fingerprints: {}",
            crate::output::term(&issue.to_string())
        );
    }
    Ok(db)
}

/// A target's account and start URL.
fn target(input: &str) -> Result<(Domain, Option<String>)> {
    let domain = Domain::parse(input).map_err(|e| {
        crate::fail(
            crate::exit::INVALID_INPUT,
            format!("`{input}` is not a domain or URL: {e}"),
        )
    })?;
    // An account is a company's domain; an address would store an account
    // named after it (`--resolve` points a domain at an address).
    if domain.is_address() {
        return Err(crate::fail(
            crate::exit::INVALID_INPUT,
            format!(
                "`{input}` is an IP address, not a company's domain: name the domain (`--resolve HOST=ADDR` points it at an address)"
            ),
        ));
    }
    let start = input.contains("://").then(|| input.to_owned());
    Ok((domain, start))
}

/// Runs `enrich`; returns how many accounts failed.
pub async fn enrich(
    store: &dyn Store,
    enricher: &Enricher,
    model: &ScoringModel,
    args: &EnrichArgs,
    now: DateTime<Utc>,
) -> Result<Failed> {
    let mut targets = Vec::new();
    for t in &args.targets {
        let (domain, start) = target(t)?;
        // `eu.acme.com` is acme.com's account unless stored as its own.
        let domain = leadscore_pipeline::account_named(store, domain).await?;
        targets.push((domain, start));
    }
    let total = targets.len();
    let progress = std::io::stderr().is_terminal() && !args.json;
    let mut results = futures::stream::iter(targets.into_iter().enumerate())
        .map(|(i, (domain, start))| async move {
            let out =
                enrich_and_store(store, enricher, None, model, &domain, start.as_deref(), now)
                    .await;
            (i, domain, out)
        })
        .buffer_unordered(args.options.concurrency.max(1));
    let mut done = 0;
    let mut failed = 0;
    let mut failed_leads = 0;
    let mut json = Vec::new();
    while let Some((i, domain, out)) = results.next().await {
        done += 1;
        match out {
            Ok(o) => {
                failed_leads += o.rescored.failed.len();
                // Not a page fetched (the site down, refused, blocked or
                // gone; then, the first time, not stored and still due):
                // not enriched, as `run` counts it.
                let nothing = crate::run::nothing_fetched(&o.enrichment);
                failed += usize::from(nothing.is_some() || !o.stored);
                let e = &o.enrichment;
                let ok = e.pages.iter().filter(|p| p.error.is_none()).count();
                if args.json {
                    json.push((
                        i,
                        serde_json::json!({
                            "domain": domain,
                            "pages": e.pages,
                            "technologies": e.technologies,
                            "changes": e.changes,
                            "signals": e.snapshot.signals,
                            "errors": e.snapshot.errors,
                            "stored": o.stored,
                            "rescored": o.rescored,
                        }),
                    ));
                } else {
                    let names: Vec<&str> = e.technologies.iter().map(|t| t.name.as_str()).collect();
                    let installed = e.changes.iter().filter(|c| c.installed).count();
                    let removed = e.changes.len() - installed;
                    println!(
                        "{domain}: {ok}/{} pages, {} technologies{}{}, {} signals; rescored {} lead(s), {} became hot",
                        e.pages.len(),
                        names.len(),
                        if names.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", names.join(", "))
                        },
                        if e.changes.is_empty() {
                            String::new()
                        } else {
                            format!(", +{installed} -{removed} since last time")
                        },
                        e.snapshot.signals.len(),
                        o.rescored.scored,
                        o.rescored.became_hot.len(),
                    );
                    for err in &e.snapshot.errors {
                        println!("  page error: {}", crate::output::term(err));
                    }
                    if !o.stored {
                        println!(
                            "  not stored: the site could not be reached for now; the account stays due"
                        );
                    }
                    for (lead, why) in &o.rescored.failed {
                        println!("  lead not rescored: {lead}: {}", crate::output::term(why));
                    }
                }
            }
            Err(err) => {
                failed += 1;
                eprintln!("{domain}: failed: {err}");
                if args.json {
                    json.push((
                        i,
                        serde_json::json!({"domain": domain, "error": err.to_string()}),
                    ));
                }
            }
        }
        if progress {
            eprintln!("[{done}/{total}] {domain}");
        }
    }
    if args.json {
        json.sort_by_key(|(i, _)| *i);
        print_json(&json.into_iter().map(|(_, v)| v).collect::<Vec<_>>())?;
    } else {
        // Rescoring put them in the outbox; `enrich` delivers nothing.
        let pending = store.pending_alerts(10_000).await?.len();
        if pending > 0 {
            println!(
                "{pending} alert(s) pending in the outbox: deliver them with `leadscore alerts deliver` (`leadscore run` enriches and delivers)"
            );
        }
    }
    Ok(Failed {
        accounts: failed,
        leads: failed_leads,
    })
}

/// What `enrich` could not do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Failed {
    /// Accounts that could not be enriched.
    pub accounts: usize,
    /// Leads of enriched accounts that could not be rescored.
    pub leads: usize,
}

/// Options of `inspect tech`.
#[derive(Debug, clap::Args)]
pub struct InspectTechArgs {
    /// Saved HTML pages.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The URL the pages were fetched from (for `url` patterns and evidence).
    #[arg(long)]
    pub url: Option<String>,
    /// A file of response headers, one `Name: value` per line.
    #[arg(long)]
    pub headers: Option<PathBuf>,
    /// Extra fingerprint file or folder (repeatable).
    #[arg(long = "fingerprints", value_name = "PATH")]
    pub fingerprints: Vec<PathBuf>,
    /// Print JSON (the default output is a short list per file).
    #[arg(long)]
    pub json: bool,
}

/// `html` cut where its elements nest deeper than a fetched page may (the
/// fetcher's limit, [`leadscore_fetch::MAX_HTML_DEPTH`]): a saved page of a
/// million nested `<div>`s would hold the HTML parser for hours. Says so
/// on standard error when it cuts.
pub fn bounded_html(name: &str, mut html: String) -> String {
    if let Some(cut) = leadscore_fetch::html_nesting_cut(&html, leadscore_fetch::MAX_HTML_DEPTH) {
        eprintln!(
            "warning: {name}: elements nest deeper than {} levels; read up to byte {cut}",
            leadscore_fetch::MAX_HTML_DEPTH
        );
        html.truncate(cut);
    }
    html
}

/// Runs detection on saved pages.
/// Fingerprints: the shipped ones, `configured` (leadscore.toml's), then
/// `--fingerprints`.
pub fn inspect_tech(args: &InspectTechArgs, configured: &[PathBuf]) -> Result<()> {
    let loaded = fingerprints(configured, &args.fingerprints)?;
    let db = &loaded;
    let header_text = match &args.headers {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?
        }
        None => String::new(),
    };
    let mut headers = Vec::new();
    for (n, line) in header_text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with("HTTP/") {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            bail!(
                "{}:{}: expected `Name: value`",
                args.headers.as_deref().unwrap_or(Path::new("")).display(),
                n + 1
            );
        };
        headers.push((k.trim().to_lowercase(), v.trim().to_owned()));
    }
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let cookies: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| {
            v.split(';')
                .next()?
                .split_once('=')
                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
        })
        .collect();
    let cookie_refs: Vec<(&str, &str)> = cookies
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut out = Vec::new();
    for file in &args.files {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let (html, _) = leadscore_fetch::decode_text(
            &bytes,
            headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.as_str()),
        );
        let html = bounded_html(&file.display().to_string(), html);
        let url = args.url.clone().unwrap_or_else(|| {
            // A file URL needs an absolute path (`file:///tmp/acme.html`).
            std::path::absolute(file)
                .ok()
                .and_then(|p| url::Url::from_file_path(p).ok())
                .map_or_else(|| file.display().to_string(), String::from)
        });
        let found = db.detect(
            &PageInput::new(&url, &html)
                .with_headers(&header_refs)
                .with_cookies(&cookie_refs),
        );
        if !args.json {
            println!("{}:", file.display());
            if found.is_empty() {
                println!("  (no technology detected)");
            }
            for d in &found {
                let version = d
                    .version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                let why = d
                    .evidence
                    .first()
                    .map(|e| format!(" — {}: {}", e.field, e.snippet))
                    .unwrap_or_default();
                println!(
                    "{}",
                    crate::output::term(&format!(
                        "  {}{version} [{}] {}%{why}",
                        d.name,
                        d.categories.join(", "),
                        d.confidence
                    ))
                );
            }
        }
        out.push(serde_json::json!({"file": file, "tech": found}));
    }
    if args.json {
        print_json(&out)?;
    }
    Ok(())
}

/// ATSs whose saved responses `inspect jobs` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AtsArg {
    /// Greenhouse job board API (`content=true`).
    Greenhouse,
    /// Lever postings API.
    Lever,
    /// Ashby posting API.
    Ashby,
    /// SmartRecruiters postings API.
    Smartrecruiters,
    /// Workable widget API (`/api/v1/widget/accounts/{slug}?details=true`).
    Workable,
    /// Recruitee offers (`/api/offers/`).
    Recruitee,
    /// Personio XML feed (`/xml`).
    Personio,
    /// Teamtailor `jobs.rss`.
    Teamtailor,
}

/// Options of `inspect jobs`.
#[derive(Debug, clap::Args)]
pub struct InspectJobsArgs {
    /// A saved ATS API response (`-` for standard input).
    pub file: PathBuf,
    /// Which ATS answered.
    #[arg(long)]
    pub ats: AtsArg,
    /// Title taxonomy file replacing the shipped one (docs/title-taxonomy.md).
    #[arg(long, value_name = "PATH")]
    pub taxonomy: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Parses a saved ATS response into roles and signals.
pub fn inspect_jobs(
    args: &InspectJobsArgs,
    config: &ConfigFile,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<()> {
    use leadscore_hiring::parse::{
        BoardPage, Response, parse_ashby, parse_greenhouse, parse_lever, parse_personio,
        parse_recruitee, parse_smartrecruiters, parse_teamtailor, parse_workable,
    };
    use leadscore_hiring::signals::{classify_roles_with, hiring_signals};
    // As `enrich` reads it: the flag, else `taxonomy` in leadscore.toml.
    let own_taxonomy = load_taxonomy(args.taxonomy.as_deref(), config.taxonomy.as_deref())?;
    let taxonomy = match &own_taxonomy {
        Some(t) => t,
        None => leadscore_core::titles::Taxonomy::default_taxonomy(),
    };
    let content_type = match args.ats {
        AtsArg::Personio => "text/xml",
        AtsArg::Teamtailor => "application/rss+xml",
        _ => "application/json",
    };
    let resp = Response {
        status: 200,
        content_type: Some(content_type),
        body: bytes,
    };
    let (name, parsed) = match args.ats {
        AtsArg::Greenhouse => ("greenhouse", parse_greenhouse(&resp)),
        AtsArg::Lever => ("lever", parse_lever(&resp)),
        AtsArg::Ashby => ("ashby", parse_ashby(&resp)),
        AtsArg::Smartrecruiters => ("smartrecruiters", parse_smartrecruiters(&resp)),
        AtsArg::Workable => ("workable", parse_workable(&resp)),
        AtsArg::Recruitee => ("recruitee", parse_recruitee(&resp)),
        AtsArg::Personio => ("personio", parse_personio(&resp, None)),
        AtsArg::Teamtailor => ("teamtailor", parse_teamtailor(&resp)),
    };
    let page = parsed.map_err(|e| {
        // A well-formed answer of another shape is most often another
        // ATS's, or an API error object.
        let hint = match &e {
            leadscore_hiring::parse::ParseError::Json { source, .. } if !source.is_eof() && !source.is_syntax() => {
                format!(" (not the shape of a {name} job list: is `--ats {name}` the ATS that answered, and is the file its job-list answer, not an error?)")
            }
            _ => String::new(),
        };
        crate::fail(
            crate::exit::INVALID_INPUT,
            format!("{}: {e}{hint}", args.file.display()),
        )
    })?;
    let said = match page {
        BoardPage::Roles { roles, .. } => Ok(roles),
        BoardPage::UnknownBoard => Err(format!(
            "the response says this {name} board does not exist"
        )),
        BoardPage::NoneListed => Err(format!(
            "the response lists no roles: this {name} board has no openings or does not exist ({name} answers both alike)"
        )),
    };
    let roles = said.map_err(|what| {
        crate::fail(
            crate::exit::INVALID_INPUT,
            format!("{}: {what}", args.file.display()),
        )
    })?;
    let classified = classify_roles_with(&roles, taxonomy);
    let signals = hiring_signals(&classified, None, now);
    let rows: Vec<serde_json::Value> = classified
        .iter()
        .map(|r| {
            serde_json::json!({
                "title": r.role.title,
                "department": r.department_class.map(|d| d.as_str()),
                "seniority": r.seniority.map(|s| s.as_str()),
                "location": r.role.location,
                "posted_at": r.role.posted_at,
                "url": r.role.url,
            })
        })
        .collect();
    if args.json {
        print_json(&serde_json::json!({
            "ats": name,
            "open_roles": signals.open_roles,
            "roles": rows,
            "signals": signals,
        }))?;
    } else {
        println!(
            "{name}: {} open role(s) ({} listed); sales {}, growth/marketing {}, leadership {}, new in 30 days {}, remote {:.0}%",
            signals.open_roles,
            roles.len(),
            signals.sales_roles,
            signals.growth_marketing_roles,
            signals.leadership_roles,
            signals.new_last_30_days,
            signals.remote_share * 100.0
        );
        for r in &classified {
            println!(
                "{}",
                crate::output::term(&format!(
                    "  {:<50} {:<16} {:<9} {}",
                    r.role.title,
                    r.department_class.map_or("-", |d| d.as_str()),
                    r.seniority.map_or("-", |s| s.as_str()),
                    r.role.location.as_deref().unwrap_or("")
                ))
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--resolve` names hosts as the fetcher looks them up: lowercase,
    /// and an internationalized name in its ASCII form.
    #[test]
    fn resolve_hosts_are_named_as_urls_name_them() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            parse_resolve("Bücher.test=127.0.0.1").unwrap(),
            ("xn--bcher-kva.test".to_owned(), ip)
        );
        assert_eq!(
            parse_resolve(" WWW.Acme.test = 127.0.0.1").unwrap(),
            ("www.acme.test".to_owned(), ip)
        );
        assert!(parse_resolve("127.0.0.2=127.0.0.1").is_err());
        assert!(parse_resolve("acme.test").is_err());
    }
}

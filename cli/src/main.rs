//! The `leadscore` command line: the whole pipeline on one machine, on the
//! embedded SQLite store. Exit codes are documented in `docs/cli.md`.
#![allow(clippy::print_stdout)]

/// `eprintln!` for the whole crate, without the panic on a closed standard
/// error (`leadscore run 2>&1 | head -2`): a progress line or a warning no
/// one reads is dropped, and the command goes on to finish its work.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!`, as `eprintln!` above.
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod demo;
mod enrich;
mod news;
mod output;
mod report;
mod run;
mod serve;
mod sinks;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use leadscore_core::domain::{Activity, Email};
use leadscore_core::import::{RowError, parse_activities, parse_leads};
use leadscore_core::{ScoringModel, Tier};
use leadscore_pipeline::{AlertSink, ImportSummary};
use leadscore_store::{SqliteStore, Store};

/// Exit codes (docs/cli.md).
pub(crate) mod exit {
    /// Runtime failure (I/O, store).
    pub const ERROR: u8 = 1;
    /// Usage error: what clap reports, and a bad option value it cannot
    /// check (an unknown `--encoding` label).
    pub const USAGE: u8 = 2;
    /// `run` finished, but some accounts could not be enriched.
    pub const PARTIAL: u8 = 5;
    /// `run` was interrupted (Ctrl-C); running it again resumes.
    pub const INTERRUPTED: u8 = 130;
    /// Invalid input data: a bad model file, rejected CSV rows.
    pub const INVALID_INPUT: u8 = 3;
    /// The named lead or record does not exist.
    pub const NOT_FOUND: u8 = 4;
    /// Standard output was closed early (`| head`, a pager quit): what was
    /// left to print was not, and the command stopped there, as a process
    /// ended by SIGPIPE does (128 + 13).
    pub const STDOUT_CLOSED: u8 = 141;
}

/// Whether a panic is the standard library's report of printing to a closed
/// standard output (`println!` panics where `writeln!` would return the
/// error).
fn is_closed_stdout_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    text.starts_with("failed printing to stdout") && text.contains("Broken pipe")
}

/// An error and its causes, joined by `: `, each cause said once: a
/// library error often writes its cause into its own message and also
/// gives it as its source (`fingerprints: f.json: invalid JSON: invalid
/// escape at line 1 column 9`), which `{:#}` would print again for each
/// level.
pub(crate) fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        // Said already when the text so far ends with it; a cause that only
        // appears inside it (`denied` in `reading /srv/denied/x`) is new.
        if out == text || out.ends_with(&format!(": {text}")) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod error_text_tests {
    use super::error_text;

    #[test]
    fn each_cause_is_said_once_and_none_is_lost() {
        let e =
            anyhow::Error::new(std::io::Error::other("denied")).context("reading /srv/denied/x");
        assert_eq!(error_text(&e), "reading /srv/denied/x: denied");
        let inner = std::io::Error::other("invalid escape at line 1");
        let e = anyhow::Error::new(inner).context("f.json: invalid escape at line 1");
        assert_eq!(error_text(&e), "f.json: invalid escape at line 1");
    }
}

/// Whether an error comes from writing to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Tells a B2B sales team which accounts to call today.
#[derive(Debug, Parser)]
#[command(name = "leadscore", version, about, long_about = None)]
struct Cli {
    /// Where data lives: `sqlite:PATH` (the embedded default) or
    /// `dynamodb:TABLE` (AWS, configured by the SDK's standard environment)
    /// [env: LEADSCORE_STORE].
    #[arg(long, global = true, value_parser = parse_store)]
    store: Option<StoreSpec>,
    /// Shorthand for `--store sqlite:PATH` [env: LEADSCORE_DB] [default:
    /// leadscore.db; for `demo`, leadscore-demo.db].
    #[arg(long, global = true, conflicts_with = "store")]
    db: Option<PathBuf>,
    /// Treat this instant (RFC 3339) as now, for reproducible runs.
    #[arg(long, global = true, env = "LEADSCORE_NOW", value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
    /// Settings file [default: ./leadscore.toml if present].
    #[arg(long, global = true, env = "LEADSCORE_CONFIG")]
    config: Option<PathBuf>,
    /// Log filter (e.g. `info`, `leadscore=debug`); logs go to stderr.
    #[arg(long, global = true, env = "LEADSCORE_LOG", default_value = "warn")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

/// A store location.
#[derive(Debug, Clone, PartialEq, Eq)]
enum StoreSpec {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A DynamoDB table.
    Dynamo(String),
}

impl std::fmt::Display for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            Self::Dynamo(t) => write!(f, "dynamodb:{t}"),
        }
    }
}

fn parse_store(s: &str) -> Result<StoreSpec, String> {
    match s.split_once(':') {
        Some(("sqlite", path)) if !path.is_empty() => Ok(StoreSpec::Sqlite(PathBuf::from(path))),
        Some(("dynamodb", table))
            if (3..=255).contains(&table.len())
                && table
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) =>
        {
            Ok(StoreSpec::Dynamo(table.to_owned()))
        }
        Some(("dynamodb", table)) => Err(format!(
            "`{table}` is not a valid DynamoDB table name (3-255 of a-z A-Z 0-9 _ - .)"
        )),
        _ => Err(format!("`{s}`: expected sqlite:PATH or dynamodb:TABLE")),
    }
}

/// The store to use: a flag first (`--store` or `--db`, which exclude
/// each other), then `LEADSCORE_STORE`, then `LEADSCORE_DB`, then
/// `sqlite:leadscore.db`. A flag overrides either variable, so a shell that
/// exports one can still name another store for one command.
fn store_spec(cli: &Cli, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<StoreSpec> {
    if let Some(spec) = &cli.store {
        return Ok(spec.clone());
    }
    if let Some(db) = &cli.db {
        return Ok(StoreSpec::Sqlite(db.clone()));
    }
    if let Some(v) = var("LEADSCORE_STORE") {
        let v = v.to_string_lossy();
        return parse_store(&v).map_err(|e| fail(exit::USAGE, format!("LEADSCORE_STORE: {e}")));
    }
    Ok(StoreSpec::Sqlite(var("LEADSCORE_DB").map_or_else(
        || PathBuf::from("leadscore.db"),
        PathBuf::from,
    )))
}

/// An environment variable's value, when set and not empty.
fn set_var(name: &str) -> Option<std::ffi::OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    leadscore_core::import::parse_timestamp(s).map_err(|_| {
        format!("`{s}` is no time: RFC 3339 (2026-05-01T09:30:00Z), `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`, in UTC")
    })
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import leads or activities from CSV (columns: docs/import.md).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Enrich accounts from their public websites (tech stack), store the
    /// snapshots and rescore their leads.
    Enrich(enrich::EnrichArgs),
    /// The scheduled job: enrich a list of accounts (or the stale ones),
    /// rescore, deliver alerts, print a summary; re-run to resume.
    Run(run::RunArgs),
    /// Write the leaderboard, matrix, distribution and explanations as one
    /// self-contained HTML page.
    Report(report::ReportArgs),
    /// The whole local pipeline offline, on bundled fixture company websites
    /// served on 127.0.0.1, ending with an HTML report.
    Demo(demo::DemoArgs),
    /// Run the extractors on saved files, without a store.
    #[command(subcommand)]
    Inspect(InspectCommand),
    /// Score every lead and store the scores (and alerts for crossings).
    Score(ScoreArgs),
    /// List scored leads, highest first.
    Leads {
        /// Only leads of this tier.
        #[arg(long)]
        tier: Option<Tier>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show a lead's score breakdown with evidence.
    Explain {
        /// The lead's email.
        email: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The model the score came from (default: the shipped one): when
        /// it is, the explanation shows how the points make the score.
        #[arg(long, env = "LEADSCORE_MODEL")]
        model: Option<PathBuf>,
    },
    /// Check or show scoring models.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Set up the store.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Take web-form submits locally (the form-submit Lambda's code) and
    /// serve the leaderboard as JSON; alerts go to stdout and Slack.
    Serve(serve::ServeArgs),
    /// Pending alerts (the outbox).
    Alerts {
        #[command(subcommand)]
        command: Option<AlertsCommand>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum InspectCommand {
    /// Detect technologies on saved HTML pages.
    Tech(enrich::InspectTechArgs),
    /// Parse a saved ATS job-list response into roles and hiring signals.
    Jobs(enrich::InspectJobsArgs),
    /// Funding rounds and company events in saved articles (HTML or text).
    Funding(news::InspectFundingArgs),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import leads (and their accounts' firmographics).
    Leads(ImportArgs),
    /// Import activities.
    Activities(ImportArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The CSV file (`-` for standard input).
    file: PathBuf,
    /// Text encoding of the file (default UTF-8; e.g. windows-1252 for Excel exports).
    #[arg(long)]
    encoding: Option<String>,
    /// Print a JSON summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    /// Scoring model file (default: the shipped default model).
    #[arg(long, env = "LEADSCORE_MODEL")]
    model: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write nothing: show which leads would change tier and which alerts
    /// would go out (before a model edit reaches Slack).
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Validate a model file; every problem is printed as FILE:LINE:COLUMN: REASON.
    Check {
        /// The model file.
        file: PathBuf,
    },
    /// Print the shipped default model.
    Default,
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Create the store: the SQLite file with its schema, or the DynamoDB
    /// table with the keys, indexes and TTL of infra/template.yaml. On an
    /// existing table, put the scores written before the rescoring index
    /// existed into it.
    Init,
}

#[derive(Debug, Subcommand)]
enum AlertsCommand {
    /// Deliver pending alerts and mark them delivered: as JSON lines on
    /// stdout, or as events on an EventBridge bus.
    Deliver {
        /// Publish to this EventBridge bus (name or ARN) instead of stdout;
        /// the client comes from the AWS SDK's standard environment.
        #[arg(long, env = "LEADSCORE_EVENT_BUS")]
        event_bus: Option<String>,
        /// Slack and email too (stdout always, unless --event-bus).
        #[command(flatten)]
        sinks: sinks::SinkArgs,
    },
    /// Mark pending alerts delivered without sending them: ones held for a
    /// channel removed for good (a revoked Slack webhook), or refused.
    Dismiss {
        /// The alerts' ids (as `alerts` lists them).
        #[arg(required_unless_present = "all")]
        ids: Vec<String>,
        /// Every pending alert.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

/// An error that maps to a specific exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Exit {
    code: u8,
    message: String,
}

/// A file that could not be imported at all: an unknown `--encoding` label
/// is a bad option value (exit 2), anything else bad input (exit 3).
fn import_failure(file: &Path, e: &leadscore_core::import::ImportError) -> anyhow::Error {
    let code = match e {
        leadscore_core::import::ImportError::UnknownEncoding(_) => exit::USAGE,
        _ => exit::INVALID_INPUT,
    };
    match e.line() {
        Some(line) => fail(code, format!("{}:{line}: {e}", file.display())),
        None => fail(code, format!("{}: {e}", file.display())),
    }
}

pub(crate) fn fail(code: u8, message: impl Into<String>) -> anyhow::Error {
    Exit {
        code,
        message: message.into(),
    }
    .into()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `leadscore leads | head -1`: stop quietly once the reader has gone,
    // instead of a panic's message and backtrace.
    let report_panic = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_closed_stdout_panic(info.payload()) {
            std::process::exit(exit::STDOUT_CLOSED.into());
        }
        report_panic(info);
    }));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::from(exit::STDOUT_CLOSED),
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<Exit>() {
                if !exit.message.is_empty() {
                    eprintln!("{}", exit.message);
                }
                ExitCode::from(exit.code)
            } else {
                eprintln!("error: {}", error_text(&e));
                ExitCode::from(exit::ERROR)
            }
        }
    }
}

async fn open_store(spec: &StoreSpec) -> Result<Box<dyn Store>> {
    Ok(match spec {
        StoreSpec::Sqlite(path) => Box::new(
            SqliteStore::open(path)
                .with_context(|| format!("opening the store {}", path.display()))?,
        ),
        StoreSpec::Dynamo(table) => Box::new(leadscore_aws::DynamoStore::from_env(table).await),
    })
}

fn load_model(path: Option<&Path>) -> Result<ScoringModel> {
    match path {
        None => ScoringModel::default_model().map_err(|e| fail(exit::INVALID_INPUT, e.to_string())),
        Some(p) => {
            let bytes =
                std::fs::read(p).with_context(|| format!("reading model {}", p.display()))?;
            let src = String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                fail(
                    exit::INVALID_INPUT,
                    format!(
                        "{}:{line}: not UTF-8 text; save the model file as UTF-8",
                        p.display()
                    ),
                )
            })?;
            let warn = |warnings: &[leadscore_core::model::Problem]| {
                for w in warnings {
                    eprintln!(
                        "warning: {}:{}:{}: {}",
                        p.display(),
                        w.line,
                        w.column,
                        w.reason
                    );
                }
            };
            // The warnings also with the problems: one check shows all.
            let model = ScoringModel::from_toml(&src, &p.display().to_string()).map_err(|e| {
                warn(&e.warnings);
                fail(exit::INVALID_INPUT, e.to_string())
            })?;
            warn(model.warnings());
            Ok(model)
        }
    }
}

/// A Ctrl-C, or a SIGTERM (how systemd, `docker stop` and `kill` stop a
/// process): `run` and `serve` stop the same way for both, releasing the
/// sends they cut.
pub(crate) async fn interrupted() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading standard input")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    }
}

async fn run(cli: Cli) -> Result<()> {
    let now = cli.now.unwrap_or_else(Utc::now);
    // Only for the commands that write scores at `--now` (`serve` scores
    // each submit at the clock's time, whatever `--now` says).
    let writes_scores = match &cli.command {
        Command::Score(a) => !a.dry_run,
        Command::Enrich(_) | Command::Run(_) | Command::Demo(_) => true,
        _ => false,
    };
    if matches!(cli.command, Command::Serve(_)) && cli.now.is_some() {
        eprintln!("note: serve scores each submit at the time it comes; --now is not read");
    }
    if writes_scores
        && cli
            .now
            .is_some_and(|n| n > Utc::now() + chrono::Duration::minutes(1))
    {
        // A score stored for a later instant is never rescored earlier:
        // every later run on this store scores at that instant until then.
        eprintln!(
            "warning: --now {} is in the future; scores written now pin every later rescoring of these leads to that instant until it comes (use a copy of the store to look ahead)",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    let spec = store_spec(&cli, set_var)?;
    // A command that only reads (or delivers what is stored) on an
    // embedded store that does not exist: a mistyped --db, not an empty
    // store to create and report nothing from.
    let reads_only = matches!(
        cli.command,
        Command::Leads { .. }
            | Command::Explain { .. }
            | Command::Report(_)
            | Command::Alerts { .. }
    );
    if let StoreSpec::Sqlite(path) = &spec
        && reads_only
        && !path.exists()
    {
        return Err(fail(
            exit::NOT_FOUND,
            format!(
                "no store at {}: nothing was imported there (check --db or LEADSCORE_DB; `leadscore import`, `run` or `store init` create one)",
                path.display()
            ),
        ));
    }
    match cli.command {
        Command::Model(ModelCommand::Check { file }) => {
            let model = load_model(Some(&file))?;
            println!(
                "{}: ok — model {} ({} rules, {} groups; hot >= {}, warm >= {}, hysteresis {})",
                file.display(),
                model.version,
                model.rules().len(),
                model.groups.len(),
                model.tiers.hot,
                model.tiers.warm,
                model.tiers.hysteresis
            );
            Ok(())
        }
        Command::Model(ModelCommand::Default) => {
            print!("{}", leadscore_core::model::DEFAULT_MODEL);
            Ok(())
        }
        Command::Enrich(args) => {
            let config = enrich::ConfigFile::load(cli.config.as_deref())?;
            let model = load_model(args.options.model.as_deref())?;
            let enricher = enrich::build_enricher(&args.options, &config)?;
            let store = open_store(&spec).await?;
            let failed = enrich::enrich(store.as_ref(), &enricher, &model, &args, now).await?;
            if failed.accounts > 0 || failed.leads > 0 {
                return Err(fail(
                    exit::ERROR,
                    format!(
                        "{} account(s) could not be enriched, {} lead(s) could not be rescored",
                        failed.accounts, failed.leads
                    ),
                ));
            }
            Ok(())
        }
        Command::Run(args) => {
            let config = enrich::ConfigFile::load(cli.config.as_deref())?;
            let store: Arc<dyn Store> = Arc::from(open_store(&spec).await?);
            let summary = run::main(store, &config, &args, now).await?;
            if args.json {
                output::print_json(&summary)?;
            } else {
                run::print_summary(&summary);
            }
            if summary.interrupted {
                return Err(fail(
                    exit::INTERRUPTED,
                    "interrupted: run the same command again to finish",
                ));
            }
            // A company listed without a domain or website is skipped, not
            // a failure (CRM exports have them).
            let bad_rows = summary.bad_rows.iter().filter(|r| !r.no_domain).count();
            if !summary.failed.is_empty()
                || !summary.failed_leads.is_empty()
                || !summary.errors.is_empty()
                || bad_rows > 0
            {
                return Err(fail(
                    exit::PARTIAL,
                    format!(
                        "{} account(s) could not be enriched, {} lead(s) could not be scored, {} row(s) of the accounts file rejected, {} other error(s)",
                        summary.failed.len(),
                        summary.failed_leads.len(),
                        bad_rows,
                        summary.errors.len()
                    ),
                ));
            }
            Ok(())
        }
        Command::Report(args) => {
            let store = open_store(&spec).await?;
            report::main(store.as_ref(), &args, now).await
        }
        Command::Demo(args) => {
            if cli.store.is_some() {
                return Err(fail(
                    exit::USAGE,
                    "demo runs on its own SQLite file (--db, default leadscore-demo.db); --store is not used by it",
                ));
            }
            let db = cli
                .db
                .clone()
                .or_else(|| set_var("LEADSCORE_DB").map(PathBuf::from));
            demo::main(&args, db.as_deref(), now).await
        }
        Command::Inspect(InspectCommand::Tech(args)) => {
            // The configuration's fingerprint files too, as `enrich` reads
            // them (`fingerprints = [...]` in leadscore.toml).
            let config = enrich::ConfigFile::load(cli.config.as_deref())?;
            enrich::inspect_tech(&args, &config.fingerprints)
        }
        Command::Inspect(InspectCommand::Jobs(args)) => {
            let bytes = read_input(&args.file)?;
            let config = enrich::ConfigFile::load(cli.config.as_deref())?;
            enrich::inspect_jobs(&args, &config, &bytes, now)
        }
        Command::Inspect(InspectCommand::Funding(args)) => {
            let mut inputs = Vec::new();
            for f in &args.files {
                inputs.push((f.display().to_string(), read_input(f)?));
            }
            news::inspect_funding(&args, &inputs)
        }
        Command::Import(cmd) => {
            let store = open_store(&spec).await?;
            import(store.as_ref(), cmd, now).await
        }
        Command::Score(args) => {
            let model = load_model(args.model.as_deref())?;
            let store = open_store(&spec).await?;
            if args.dry_run {
                return score_preview(store.as_ref(), &model, args.json, now).await;
            }
            score(store.as_ref(), &model, args.json, now).await
        }
        Command::Leads { tier, json } => {
            let store = open_store(&spec).await?;
            let records = store.list_scores(tier).await?;
            let names = output::LeadNames::load(store.as_ref(), &records).await;
            if json {
                output::print_json_rows(&records, &names)
            } else if records.is_empty() {
                // Scored leads in other tiers, or none scored at all.
                let others = match tier {
                    Some(_) => store.list_scores(None).await?.len(),
                    None => 0,
                };
                match tier {
                    Some(t) if others > 0 => eprintln!(
                        "no {t} leads; {others} scored lead(s) in other tiers (`leadscore leads` lists them)"
                    ),
                    _ => eprintln!(
                        "no scored leads{}; run `leadscore score` first",
                        tier.map(|t| format!(" in tier {t}")).unwrap_or_default()
                    ),
                }
                Ok(())
            } else {
                output::print_table(&records, &names);
                Ok(())
            }
        }
        Command::Explain { email, json, model } => {
            let store = open_store(&spec).await?;
            let email = Email::parse(&email)
                .map_err(|e| fail(exit::INVALID_INPUT, format!("`{email}`: {e}")))?;
            let lead = store
                .get_lead(&email)
                .await?
                .ok_or_else(|| fail(exit::NOT_FOUND, format!("no lead {email} in {spec}")))?;
            let record = store.current_score(&email).await?.ok_or_else(|| {
                fail(
                    exit::NOT_FOUND,
                    format!("{email} has no score yet; run `leadscore score`"),
                )
            })?;
            let history = store.score_history(&email, 5).await?;
            if json {
                output::print_json(&serde_json::json!({
                    "lead": lead,
                    "score": record,
                    "history": history.iter().map(|r| serde_json::json!({
                        "version": r.version, "total": r.score.total, "tier": r.tier, "scored_at": r.score.scored_at,
                    })).collect::<Vec<_>>(),
                }))
            } else {
                // The arithmetic needs the model the score came from; another
                // one's scale and weights would not add up.
                // A model named that does not load is an error; the
                // shipped one, when none is named, is only tried.
                let model = match model.as_deref() {
                    Some(path) => Some(load_model(Some(path))?),
                    None => load_model(None).ok(),
                }
                .filter(|m| m.version == record.score.model_version);
                output::print_explanation(&lead, &record, &history, model.as_ref());
                Ok(())
            }
        }
        Command::Store(StoreCommand::Init) => {
            match &spec {
                StoreSpec::Sqlite(path) => {
                    let s = SqliteStore::open(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    println!("{spec}: ready (schema version {})", s.schema_version()?);
                }
                StoreSpec::Dynamo(table) => {
                    let s = leadscore_aws::DynamoStore::from_env(table).await;
                    let created = s
                        .create_table()
                        .await
                        .with_context(|| format!("creating table {table}"))?;
                    if created {
                        println!("{spec}: created");
                    } else {
                        let indexes = s
                            .add_missing_indexes()
                            .await
                            .with_context(|| format!("adding indexes to {table}"))?;
                        let added = s.backfill_score_checks().await.with_context(|| {
                            format!("adding the scores of {table} to the rescoring index")
                        })?;
                        let indexes = if indexes.is_empty() {
                            String::new()
                        } else {
                            format!("; indexes added: {}", indexes.join(", "))
                        };
                        println!(
                            "{spec}: already exists{indexes}; {added} score(s) added to the rescoring index"
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Serve(args) => {
            let store: Arc<dyn Store> = open_store(&spec).await?.into();
            let model = load_model(args.model.as_deref())?;
            serve::serve(store, model, &args).await
        }
        Command::Alerts { command, json } => {
            let store: Arc<dyn Store> = Arc::from(open_store(&spec).await?);
            match command {
                None => {
                    // The first 1,000 in queue order, and whether more wait.
                    const SHOWN: usize = 1000;
                    let mut pending = store.pending_alert_records(SHOWN + 1).await?;
                    let more = pending.len() > SHOWN;
                    pending.truncate(SHOWN);
                    if more {
                        eprintln!(
                            "note: the first {SHOWN} pending alerts in queue order; more are pending (`alerts deliver` sends up to 10,000 at a time)"
                        );
                    }
                    if json {
                        output::print_json(&pending)
                    } else {
                        output::print_alerts(&pending);
                        Ok(())
                    }
                }
                Some(AlertsCommand::Dismiss { ids, all }) => {
                    let pending = store.pending_alerts(100_000).await?;
                    let chosen: Vec<&str> = if all {
                        pending.iter().map(|a| a.id.as_str()).collect()
                    } else {
                        let mut chosen = Vec::new();
                        for id in &ids {
                            if pending.iter().any(|a| &a.id == id) {
                                chosen.push(id.as_str());
                            } else {
                                eprintln!("warning: no pending alert {id}");
                            }
                        }
                        chosen
                    };
                    for id in &chosen {
                        store.mark_alert_delivered(id, now).await?;
                    }
                    eprintln!("dismissed {} alert(s); they will not be sent", chosen.len());
                    if chosen.len() < ids.len() {
                        return Err(fail(exit::NOT_FOUND, ""));
                    }
                    Ok(())
                }
                Some(AlertsCommand::Deliver { event_bus, sinks }) => {
                    let sink: Box<dyn AlertSink> = match event_bus {
                        None => Box::new(sinks::build(
                            &store,
                            &sinks,
                            sinks::StdoutFormat::JsonLines,
                        )?),
                        Some(bus) => {
                            if sinks.slack_webhook.is_some() || sinks.smtp_url.is_some() {
                                // The bus's rule feeds the notify Lambda,
                                // which sends to Slack and email itself.
                                eprintln!(
                                    "note: with --event-bus the alerts go to the bus only; the Slack and email settings given are not used (the notify Lambda sends them)"
                                );
                            }
                            let config = leadscore_aws::sdk_config().await;
                            Box::new(leadscore_pipeline::BusAlertSink {
                                bus: leadscore_aws::EventBridgeBus::new(
                                    aws_sdk_eventbridge::Client::new(&config),
                                    bus,
                                ),
                            })
                        }
                    };
                    // A Ctrl-C (or SIGTERM) stops the delivery, and the
                    // sends it cut let go of their claims: the next
                    // delivery sends them at once.
                    const ROUND: usize = 10_000;
                    let drained = tokio::select! {
                        s = leadscore_pipeline::drain_outbox(
                            store.as_ref(),
                            sink.as_ref(),
                            now,
                            ROUND,
                        ) => Some(s),
                        _ = interrupted() => None,
                    };
                    let Some(s) = drained else {
                        sink.release_abandoned().await;
                        return Err(fail(
                            exit::INTERRUPTED,
                            "interrupted: the alerts not yet delivered stay pending",
                        ));
                    };
                    let s = s?;
                    eprintln!("delivered {} alert(s), {} failed", s.delivered, s.failed);
                    if let Some(held) = sinks::held_note(&s, "this command") {
                        eprintln!("{held}");
                    }
                    if s.failed > 0 || s.held > 0 {
                        // They stay pending; the next `alerts deliver` or
                        // `run` tries them again.
                        return Err(fail(exit::ERROR, ""));
                    }
                    if s.delivered + s.failed + s.rejected >= ROUND {
                        // One round's worth: more may wait.
                        return Err(fail(
                            exit::ERROR,
                            format!(
                                "{ROUND} alerts is one delivery's most; run `alerts deliver` again for the rest"
                            ),
                        ));
                    }
                    Ok(())
                }
            }
        }
    }
}

fn report_rejects(file: &Path, errors: &[RowError]) {
    for e in errors {
        eprintln!("{}:{}: {}", file.display(), e.line, e.reason);
    }
}

async fn import(store: &dyn Store, cmd: ImportCommand, now: DateTime<Utc>) -> Result<()> {
    let (kind, args) = match &cmd {
        ImportCommand::Leads(a) => ("leads", a),
        ImportCommand::Activities(a) => ("activities", a),
    };
    let bytes = read_input(&args.file)?;
    let (summary, errors): (ImportSummary, Vec<RowError>) = match cmd {
        ImportCommand::Leads(ref a) => {
            let parsed = parse_leads(&bytes, a.encoding.as_deref(), now)
                .map_err(|e| import_failure(&a.file, &e))?;
            if !a.json {
                for (keys, whose, rule) in [
                    (&parsed.attribute_columns, "lead", "lead"),
                    (&parsed.account_attribute_columns, "account", "account"),
                ] {
                    if !keys.is_empty() {
                        eprintln!(
                            "{}: kept as {whose} attributes (scored only by rules that name them, {rule} = \"attributes.KEY\"): {}",
                            a.file.display(),
                            keys.join(", ")
                        );
                    }
                }
            }
            let s = leadscore_pipeline::import_leads(store, &parsed, now).await?;
            (s, parsed.errors)
        }
        ImportCommand::Activities(ref a) => {
            let parsed = parse_activities(&bytes, a.encoding.as_deref())
                .map_err(|e| import_failure(&a.file, &e))?;
            for (line, first) in &parsed.repeated {
                eprintln!(
                    "{}:{line}: repeats line {first}; imported once",
                    a.file.display()
                );
            }
            if !parsed.ignored_columns.is_empty() {
                eprintln!(
                    "{}: columns not read: {} (the columns read are in docs/import.md; the source's activity id is read from a column named `id`)",
                    a.file.display(),
                    parsed.ignored_columns.join(", ")
                );
            }
            // A custom kind is scored only by rules naming it: another
            // system's name for a built-in kind scores nothing.
            let custom: Vec<String> = parsed
                .custom_kinds
                .iter()
                .map(|(name, rows, meant)| match meant {
                    Some(k) => format!("{name} ({rows} row(s); did you mean `{k}`?)"),
                    None => format!("{name} ({rows} row(s))"),
                })
                .collect();
            if !custom.is_empty() {
                eprintln!(
                    "{}: custom activity kinds, scored only by rules that name them (or count every kind, activity = \"*\"): {}",
                    a.file.display(),
                    custom.join(", ")
                );
            }
            // A typo in a year (2062 for 2026) would keep full points and
            // no inactivity penalty until then: said, not refused (clocks
            // of source systems drift by hours).
            let ahead = now + chrono::Duration::days(1);
            let future: Vec<u64> = parsed
                .rows
                .iter()
                .filter(|(_, act)| act.occurred_at > ahead)
                .map(|(line, _)| *line)
                .collect();
            if let Some(first) = future.first() {
                eprintln!(
                    "warning: {}: {} activit{} dated more than a day after now (first at line {first}); each counts as happening now until its date comes (docs/scoring-model.md)",
                    a.file.display(),
                    future.len(),
                    if future.len() == 1 { "y" } else { "ies" },
                );
            }
            let rows: Vec<Activity> = parsed.rows.into_iter().map(|(_, a)| a).collect();
            let s = leadscore_pipeline::import_activities(store, &rows, now).await?;
            (s, parsed.errors)
        }
    };
    report_rejects(&args.file, &errors);
    if !args.json {
        // One account, two rows, two values: the last row wins, said.
        for c in summary.conflicts.iter().take(20) {
            eprintln!(
                "{}:{}: account {}: {} {:?} replaces {:?} from line {} (the last row wins)",
                args.file.display(),
                c.kept.1,
                c.account,
                c.field,
                c.kept.0,
                c.replaced.0,
                c.replaced.1
            );
        }
        if summary.conflicts.len() > 20 {
            eprintln!(
                "{}: {} more such conflict(s) (--json lists them all)",
                args.file.display(),
                summary.conflicts.len() - 20
            );
        }
    }
    if args.json {
        output::print_json(&serde_json::json!({
            "file": args.file, "kind": kind, "summary": summary, "rejected": errors,
        }))?;
    } else {
        let extra = if summary.leads_created > 0 {
            format!(
                ", {} new lead(s) from unknown emails",
                summary.leads_created
            )
        } else {
            String::new()
        };
        println!(
            "imported {kind} from {}: {} row(s) ok ({} new, {} already known{extra}), {} rejected",
            args.file.display(),
            summary.rows,
            summary.created,
            summary.existing,
            errors.len()
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(fail(
            exit::INVALID_INPUT,
            format!(
                "{} row(s) rejected; the other rows were imported",
                errors.len()
            ),
        ))
    }
}

/// `score --dry-run`: what rescoring would change, nothing written.
async fn score_preview(
    store: &dyn Store,
    model: &ScoringModel,
    json: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let p = leadscore_pipeline::preview_rescore(store, model, now).await?;
    if json {
        return output::print_json(&p);
    }
    println!(
        "dry run, nothing written: {} lead(s) scored with model {} ({} last scored with another model); {} would become hot, {} would cool, {} would change tier",
        p.scored,
        model.version,
        p.other_model,
        p.became_hot.len(),
        p.cooled.len(),
        p.tier_changes.len()
    );
    let total = |t: Option<f64>| t.map_or_else(|| "-".to_owned(), |t| format!("{t:.1}"));
    for c in &p.tier_changes {
        println!(
            "  {}: {} {} -> {} {:.1}",
            c.lead,
            c.from.map_or("none", |t| t.as_str()),
            total(c.from_total),
            c.to.as_str(),
            c.to_total
        );
    }
    if !p.score_changes.is_empty() {
        // The largest moves first: what a model edit does inside the tiers
        // (`--json` lists every one).
        let mut moved: Vec<&leadscore_pipeline::TierChange> = p.score_changes.iter().collect();
        let delta = |c: &leadscore_pipeline::TierChange| c.to_total - c.from_total.unwrap_or(0.0);
        moved.sort_by(|a, b| delta(b).abs().total_cmp(&delta(a).abs()));
        println!(
            "{} lead(s) would change score within their tier{}:",
            moved.len(),
            if moved.len() > 10 {
                "; the 10 largest"
            } else {
                ""
            }
        );
        for c in moved.iter().take(10) {
            println!(
                "  {}: {} {} -> {:.1} ({:+.1})",
                c.lead,
                c.to.as_str(),
                total(c.from_total),
                c.to_total,
                delta(c)
            );
        }
    }
    for (e, reason) in &p.failed {
        eprintln!("  failed: {e}: {reason}");
    }
    if p.became_hot.len() + p.cooled.len() > 0 {
        println!(
            "a `score` with this model would queue {} alert(s) for the next delivery",
            p.became_hot.len() + p.cooled.len()
        );
    }
    Ok(())
}

async fn score(
    store: &dyn Store,
    model: &ScoringModel,
    json: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let show_progress = std::io::stderr().is_terminal();
    let summary = leadscore_pipeline::rescore_all(store, model, now, |done, total| {
        if show_progress && total >= 500 && (done % 250 == 0 || done == total) {
            eprint!("\rscoring {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    })
    .await?;
    let records = store.list_scores(None).await?;
    let names = output::LeadNames::load(store, &records).await;
    if json {
        output::print_json_rows(&records, &names)?;
    } else {
        output::print_table(&records, &names);
    }
    eprintln!(
        "scored {} lead(s) with model {} ({} changed, {} account(s) rolled up); {} became hot, {} cooled{}",
        summary.scored,
        model.version,
        summary.written,
        summary.accounts,
        summary.became_hot.len(),
        summary.cooled.len(),
        if summary.failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed", summary.failed.len())
        }
    );
    if summary.other_model > 0 {
        eprintln!(
            "  {} lead(s) were last scored with another model: their crossings above are this model's change (`score --dry-run` shows one before it is written)",
            summary.other_model
        );
    }
    if summary.superseded > 0 {
        eprintln!(
            "  {} lead(s) had a score for a later instant than {}, and were rescored at that instant: \
             scores never go back in time (use a fresh --db to replay the past)",
            summary.superseded,
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    for e in &summary.became_hot {
        eprintln!("  hot: {e}");
    }
    for (e, reason) in &summary.failed {
        eprintln!("  failed: {e}: {reason}");
    }
    for (d, reason) in &summary.accounts_failed {
        eprintln!("  rollup failed: {d}: {reason}");
    }
    if summary.failed.is_empty() && summary.accounts_failed.is_empty() {
        Ok(())
    } else {
        Err(fail(exit::ERROR, ""))
    }
}

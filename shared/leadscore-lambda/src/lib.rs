//! What every leadscore Lambda shares, so a function's `main.rs` reads like a
//! wiring diagram:
//!
//! - [`Env`]: typed configuration from environment variables, read once at
//!   cold start, with a record of every name read (the consistency test
//!   compares it with the variables `infra/template.yaml` sets);
//! - [`init_tracing`]: JSON logs, one object per line, for CloudWatch;
//! - [`load_model`], [`build_enricher`]: the scoring model and the enricher
//!   from configuration;
//! - [`diagnostic`]: a handler error as the runtime's `Diagnostic`, with a
//!   stable `errorType`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::SdkConfig;
use leadscore_core::ScoringModel;
use leadscore_enrich::{EnrichConfig, Enricher, load_fingerprints};
use leadscore_fetch::{FetchConfig, ReqwestFetcher, Resolver, StaticResolver, SystemResolver};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Why configuration is unusable. The function fails its init with this
/// message, which CloudWatch shows as the init error.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is missing or empty.
    #[error("environment variable {0} is required")]
    Missing(String),
    /// A variable has a value that does not parse.
    #[error("environment variable {name}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        name: String,
        /// Its value.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A secret could not be read (Secrets Manager).
    #[error(transparent)]
    Secret(#[from] leadscore_aws::SecretError),
    /// The scoring model is invalid.
    #[error("scoring model: {0}")]
    Model(String),
    /// The enricher could not be built.
    #[error("enricher: {0}")]
    Enricher(String),
}

/// Where [`Env`] looks values up.
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// Reads configuration from a lookup (the process environment in a
/// Lambda, a map in tests) and records the names it read.
pub struct Env {
    lookup: Lookup,
    read: RefCell<BTreeSet<String>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("read", &self.read).finish()
    }
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Self::from_fn(|k| std::env::var(k).ok())
    }

    /// A fixed map (tests).
    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        Self::from_fn(move |k| map.get(k).cloned())
    }

    fn from_fn(f: impl Fn(&str) -> Option<String> + 'static) -> Self {
        Self {
            lookup: Box::new(f),
            read: RefCell::new(BTreeSet::new()),
        }
    }

    /// Every name read so far.
    pub fn names_read(&self) -> BTreeSet<String> {
        self.read.borrow().clone()
    }

    fn get(&self, name: &str) -> Option<String> {
        self.read.borrow_mut().insert(name.to_owned());
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    /// A required string.
    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.get(name)
            .ok_or_else(|| ConfigError::Missing(name.to_owned()))
    }

    /// An optional string (unset or empty is `None`).
    pub fn optional(&self, name: &str) -> Option<String> {
        self.get(name)
    }

    /// A parsed value, or `default` when unset or empty.
    pub fn parse_or<T>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
                name: name.to_owned(),
                value: v.clone(),
                reason: e.to_string(),
            }),
        }
    }

    /// A number of hours from 1 to 876,000 (a century), or `default`.
    pub fn hours(&self, name: &str, default: i64) -> Result<i64, ConfigError> {
        let hours: i64 = self.parse_or(name, default)?;
        if (1..=876_000).contains(&hours) {
            Ok(hours)
        } else {
            Err(ConfigError::Invalid {
                name: name.to_owned(),
                value: hours.to_string(),
                reason: "must be a number of hours from 1 to 876000".into(),
            })
        }
    }

    /// A whole number of days from 1 to 36,500 (a century): a staleness
    /// window. Zero or less would make everything due at every run; more
    /// overflows time arithmetic.
    pub fn days(&self, name: &str, default: i64) -> Result<i64, ConfigError> {
        let days: i64 = self.parse_or(name, default)?;
        if (1..=36_500).contains(&days) {
            Ok(days)
        } else {
            Err(ConfigError::Invalid {
                name: name.to_owned(),
                value: days.to_string(),
                reason: "must be a number of days from 1 to 36500".into(),
            })
        }
    }

    /// A count from 1 up: a bound of a run (zero would do nothing, ever).
    pub fn count(&self, name: &str, default: usize) -> Result<usize, ConfigError> {
        let n: usize = self.parse_or(name, default)?;
        if n >= 1 {
            Ok(n)
        } else {
            Err(ConfigError::Invalid {
                name: name.to_owned(),
                value: n.to_string(),
                reason: "must be at least 1".into(),
            })
        }
    }

    /// A comma-separated list (empty items dropped).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// JSON logs, one object per line, level from `RUST_LOG`, else Lambda's
/// `AWS_LAMBDA_LOG_LEVEL`, else `info` (see [`log_filter`](self)),
/// without timestamps (CloudWatch stamps each line) and without ANSI colour.
pub fn init_tracing() {
    let filter = log_filter(
        std::env::var("RUST_LOG").ok().as_deref(),
        std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref(),
    );
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_target(false)
        .with_current_span(false)
        .flatten_event(true)
        .without_time()
        .with_ansi(false)
        .finish()
        .with(filter)
        .try_init();
}

/// The log filter: `RUST_LOG` (`level` or `target=level`, comma-separated,
/// e.g. `info,leadscore_fetch=debug`), else the level of Lambda's advanced
/// logging controls (`AWS_LAMBDA_LOG_LEVEL`), else `info`. A value that does
/// not parse falls back to `info` rather than silencing the function.
fn log_filter(rust_log: Option<&str>, lambda_level: Option<&str>) -> Targets {
    let parse = |s: &str| s.trim().to_ascii_lowercase().parse::<Targets>().ok();
    rust_log
        .filter(|s| !s.trim().is_empty())
        .and_then(parse)
        // Lambda's levels are TRACE … ERROR and FATAL.
        .or_else(|| {
            lambda_level
                .map(|l| l.replace("FATAL", "error"))
                .as_deref()
                .and_then(parse)
        })
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}

/// The scoring model: `SCORING_MODEL` unset or empty is the embedded default
/// model; otherwise it names a Secrets Manager secret holding the TOML (or
/// `{"model": "..."}`), read once at cold start.
pub async fn load_model(env: &Env, sdk: &SdkConfig) -> Result<ScoringModel, ConfigError> {
    match env.optional("SCORING_MODEL") {
        None => ScoringModel::default_model().map_err(|e| ConfigError::Model(e.to_string())),
        Some(id) => {
            let toml = leadscore_aws::read_secret(sdk, &id, "model").await?;
            let model = ScoringModel::from_toml(&toml, &id)
                .map_err(|e| ConfigError::Model(e.to_string()))?;
            for w in model.warnings() {
                tracing::warn!(model = %id, line = w.line, column = w.column, warning = %w.reason, "scoring model");
            }
            Ok(model)
        }
    }
}

/// Fetch settings from the environment: `FETCH_ALLOW_PRIVATE_NETWORK`
/// (default false: the SSRF guard is on) and `FETCH_RESOLVE`
/// (`host=ip,host=ip`: fixed DNS answers, like curl's `--resolve`; empty
/// uses the system resolver).
pub fn build_enricher(env: &Env) -> Result<Enricher, ConfigError> {
    let fetch = FetchConfig {
        allow_private_network: env.parse_or("FETCH_ALLOW_PRIVATE_NETWORK", false)?,
        ..FetchConfig::default()
    };
    let pins = env.list("FETCH_RESOLVE");
    let resolver: Arc<dyn Resolver> = if pins.is_empty() {
        Arc::new(SystemResolver)
    } else {
        let mut r = StaticResolver::new();
        for pin in &pins {
            let invalid = |reason: String| ConfigError::Invalid {
                name: "FETCH_RESOLVE".into(),
                value: pin.clone(),
                reason,
            };
            let (host, addr) = pin
                .split_once('=')
                .ok_or_else(|| invalid("expected HOST=ADDR".into()))?;
            let addr = IpAddr::from_str(addr.trim()).map_err(|e| invalid(e.to_string()))?;
            r = r.with(&host.trim().to_lowercase(), &[addr]);
        }
        Arc::new(r)
    };
    let mut enrich = EnrichConfig::default();
    enrich.crawl.max_pages = env.parse_or("CRAWL_MAX_PAGES", enrich.crawl.max_pages)?;
    enrich.news.search_feed = env.optional("NEWS_SEARCH_FEED").filter(|t| !t.is_empty());
    enrich.crawl.site_budget =
        Duration::from_secs(env.parse_or("CRAWL_BUDGET_SECS", enrich.crawl.site_budget.as_secs())?);
    let fetcher =
        ReqwestFetcher::new(fetch, resolver).map_err(|e| ConfigError::Enricher(e.to_string()))?;
    let (db, report) = load_fingerprints(&[]).map_err(|e| ConfigError::Enricher(e.to_string()))?;
    for issue in &report.issues {
        tracing::debug!(?issue, "fingerprint not usable");
    }
    Ok(Enricher::new(Arc::new(fetcher), Arc::new(db), enrich))
}

/// The invocation's time left less `margin`, from the context's deadline
/// (Unix milliseconds); none when the context has no deadline in the
/// future: a test's context has none, and `cargo lambda watch`'s emulator
/// sends a duration (`600000`) where Lambda sends an instant.
pub fn time_left(context: &lambda_runtime::Context, margin: Duration) -> Option<Duration> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    let left = Duration::from_millis(context.deadline).checked_sub(now)?;
    Some(left.saturating_sub(margin))
}

/// A handler error for the runtime: `errorType` is stable (dashboards and
/// alarms key on it), `errorMessage` is the error's text.
pub fn diagnostic(error_type: &str, error: &dyn std::error::Error) -> lambda_runtime::Diagnostic {
    lambda_runtime::Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_filter_reads_rust_log_then_lambdas_level() {
        use tracing::Level;
        use tracing_subscriber::filter::LevelFilter;
        let f = log_filter(Some("warn,leadscore_fetch=debug"), Some("TRACE"));
        assert!(f.would_enable("leadscore_fetch::fetcher", &Level::DEBUG));
        assert!(!f.would_enable("leadscore_aws", &Level::INFO));
        assert!(f.would_enable("leadscore_aws", &Level::WARN));
        // Lambda's advanced logging controls, upper case, FATAL included.
        assert_eq!(
            log_filter(None, Some("DEBUG")).default_level(),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(
            log_filter(Some(" "), Some("FATAL")).default_level(),
            Some(LevelFilter::ERROR)
        );
        // Unset or unparsable: info, never silence.
        assert_eq!(
            log_filter(None, None).default_level(),
            Some(LevelFilter::INFO)
        );
        assert_eq!(
            log_filter(Some("info,=[bad"), None).default_level(),
            Some(LevelFilter::INFO)
        );
    }

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn values_parse_and_every_read_is_recorded() {
        let e = env(&[("A", "x"), ("N", " 12 "), ("L", "a, b,,c"), ("EMPTY", " ")]);
        assert_eq!(e.required("A").unwrap(), "x");
        assert_eq!(e.parse_or("N", 0u32).unwrap(), 12);
        assert_eq!(e.parse_or("MISSING", 7u32).unwrap(), 7);
        assert_eq!(e.list("L"), ["a", "b", "c"]);
        assert!(matches!(e.required("EMPTY"), Err(ConfigError::Missing(_))));
        assert!(matches!(
            env(&[("N", "x")]).parse_or("N", 0u32),
            Err(ConfigError::Invalid { .. })
        ));
        let read: Vec<String> = e.names_read().into_iter().collect();
        assert_eq!(read, ["A", "EMPTY", "L", "MISSING", "N"]);
    }

    #[test]
    fn day_windows_and_run_bounds_are_checked_at_cold_start() {
        let e = env(&[
            ("D", "30"),
            ("ZERO", "0"),
            ("HUGE", "200000000000"),
            ("N", "0"),
        ]);
        assert_eq!(e.days("D", 7).unwrap(), 30);
        assert_eq!(e.days("MISSING", 7).unwrap(), 7);
        // 0 made every account due at every run; 2e11 days panicked in the
        // time arithmetic at cold start.
        for bad in ["ZERO", "HUGE"] {
            assert!(
                matches!(e.days(bad, 7), Err(ConfigError::Invalid { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            e.count("N", 500),
            Err(ConfigError::Invalid { .. })
        ));
        assert_eq!(e.count("MISSING", 500).unwrap(), 500);
        // Hours: the same bounds, a century at most.
        assert_eq!(e.hours("D", 6).unwrap(), 30);
        assert_eq!(e.hours("MISSING", 6).unwrap(), 6);
        for bad in ["ZERO", "HUGE"] {
            assert!(
                matches!(e.hours(bad, 6), Err(ConfigError::Invalid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn fetch_resolve_pins_are_validated() {
        assert!(build_enricher(&env(&[("FETCH_RESOLVE", "acme.test=127.0.0.1")])).is_ok());
        let err = build_enricher(&env(&[("FETCH_RESOLVE", "acme.test")])).unwrap_err();
        assert!(err.to_string().contains("HOST=ADDR"), "{err}");
    }
}

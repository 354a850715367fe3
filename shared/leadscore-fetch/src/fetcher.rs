//! The [`PageFetcher`] port and its reqwest adapter.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::cookie::CookieStore;
use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use tokio::time::Instant;
use url::Url;

use crate::decode::{MAX_HTML_DEPTH, Overflow, decode_text, decompress, decompress_with};
use crate::error::{BuildError, PageError};
use crate::guard::{NetworkPolicy, Resolver, SsrfGuard, SystemResolver, VettedDns, check_scheme};

/// The documented default user agent. Its product token (`leadscore`) is
/// what robots.txt groups are matched against.
pub const DEFAULT_USER_AGENT: &str = "leadscore/0.1 (+https://github.com/leadscore/leadscore)";

/// Fetcher settings. `Default` is the production configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchConfig {
    /// Sent as `User-Agent`; the part before the first `/` is the robots.txt agent.
    pub user_agent: String,
    /// Limit for one request (one hop): connect, headers and whole body.
    pub request_timeout: Duration,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Body cap in bytes for a web page, enforced on the wire and again
    /// after decompression: a larger page is read up to it and marked
    /// [`Page::truncated`] (nothing more is downloaded or unpacked).
    pub max_body_bytes: usize,
    /// The same for a document ([`PageFetcher::fetch_document`]: a job
    /// board's API answer, a feed). A large company's Greenhouse board,
    /// which carries every job's description, passes 5 MB at a few hundred
    /// openings.
    pub max_document_bytes: usize,
    /// Body cap for robots.txt: a larger file is read up to it, to the end
    /// of its last complete line (RFC 9309 asks for at least 500 KiB).
    pub max_robots_bytes: usize,
    /// Maximum redirects followed for one page.
    pub max_redirects: usize,
    /// Minimum delay between two requests to the same host in a session.
    pub politeness_delay: Duration,
    /// Opt-in: allow loopback/private/link-local destinations (tests, local use).
    pub allow_private_network: bool,
    /// Exact non-public addresses allowed even without `allow_private_network`.
    pub allowed_addresses: Vec<IpAddr>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_body_bytes: 5 * 1024 * 1024,
            max_document_bytes: 20 * 1024 * 1024,
            max_robots_bytes: 512 * 1024,
            max_redirects: 5,
            politeness_delay: Duration::from_millis(500),
            allow_private_network: false,
            allowed_addresses: Vec::new(),
        }
    }
}

impl FetchConfig {
    /// The network policy this configuration implies.
    pub fn network_policy(&self) -> NetworkPolicy {
        NetworkPolicy {
            allow_private_network: self.allow_private_network,
            allowed_addresses: self.allowed_addresses.clone(),
        }
    }

    /// The robots.txt product token derived from the user agent: its first
    /// product (`leadscore/0.1 (+url)` → `leadscore`), or the bot named in
    /// a browser-style agent's comment (`Mozilla/5.0 (compatible;
    /// AcmeBot/1.0; +url)` → `AcmeBot`), which is the name sites write
    /// rules for.
    pub fn robots_agent(&self) -> &str {
        let ua = self.user_agent.trim();
        if let Some(rest) = ua
            .find("(compatible;")
            .map(|i| &ua[i + "(compatible;".len()..])
            && let Some(bot) = rest
                .split([';', ')'])
                .next()
                .and_then(|p| p.trim().split(['/', ' ']).next())
                .filter(|s| !s.is_empty())
        {
            return bot;
        }
        ua.split(['/', ' '])
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("leadscore")
    }
}

/// A total time budget (e.g. for one account's site). Cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    deadline: Instant,
}

/// The longest robots.txt `Crawl-delay` honoured between two requests to a
/// host. `Crawl-delay` is no part of RFC 9309 (Google ignores it); a
/// longer one, honoured, would leave a site's sitemap and last pages
/// unread at every run within the crawl's time budget.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(2);

/// Now plus `d`, or a century from now when that is past the clock's range
/// (a configured timeout of `u64::MAX` ms panicked every crawl).
fn after(d: Duration) -> Instant {
    later(Instant::now(), d)
}

/// `from` plus `d`, or a century after `from` when that is past the clock.
fn later(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(from)
}

impl Budget {
    /// A budget of `total` starting now (a `total` too large for the clock,
    /// meant as "no limit", ends in a century).
    pub fn new(total: Duration) -> Self {
        Self {
            deadline: after(total),
        }
    }

    /// Time left (zero once exhausted).
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Whether the budget is used up.
    pub fn is_exhausted(&self) -> bool {
        self.remaining().is_zero()
    }

    /// The instant the budget runs out.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

/// What robots.txt says for one origin.
#[derive(Debug)]
enum RobotsRules {
    AllowAll,
    Rules(Box<texting_robots::Robot>),
    /// robots.txt could not be read (fetched, decoded or parsed): nothing
    /// is crawled, and each page fails with the reason (a 503 or a timeout
    /// may pass).
    Unavailable(PageError),
}

impl RobotsRules {
    fn allows(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::Unavailable(_) => false,
            RobotsRules::Rules(r) => r.allowed(&robots_target(url)),
        }
    }
}

/// Per-site state: the time budget, the robots.txt cache (one fetch per
/// origin), the per-host politeness schedule and the cookies the site set.
/// Create one per account; it is never shared between sites, so its locks
/// are uncontended.
#[derive(Debug)]
pub struct SiteSession {
    budget: Budget,
    robots: Mutex<HashMap<String, Arc<RobotsRules>>>,
    /// Cookies set by the session's responses (redirects included), sent
    /// back by the rules of RFC 6265 (domain, path, `Secure`, expiry): a
    /// site that sets a cookie and redirects to see it come back (a
    /// consent or bot check) is read instead of looping. They live as long
    /// as the session, one account's crawl.
    cookies: reqwest::cookie::Jar,
    /// `Set-Cookie` headers taken into `cookies` so far (at most
    /// [`MAX_SESSION_COOKIES`]).
    cookies_taken: AtomicUsize,
    next_slot: Mutex<HashMap<String, Instant>>,
    robots_fetches: AtomicUsize,
    requests: AtomicUsize,
}

impl SiteSession {
    /// A session with the given total budget.
    pub fn new(budget: Budget) -> Self {
        Self {
            budget,
            robots: Mutex::new(HashMap::new()),
            cookies: reqwest::cookie::Jar::default(),
            cookies_taken: AtomicUsize::new(0),
            next_slot: Mutex::new(HashMap::new()),
            robots_fetches: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        }
    }

    /// The session's budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// How many robots.txt fetches this session made (one per origin).
    pub fn robots_fetches(&self) -> usize {
        self.robots_fetches.load(Ordering::Relaxed)
    }

    /// How many HTTP requests this session sent (pages, redirects, robots).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

/// The part of a robots.txt that is read: all of it, or when it was cut at
/// its cap, its complete lines (a rule cut mid-path would be another rule).
fn robots_prefix(body: &[u8], cut: bool) -> &[u8] {
    if !cut {
        return body;
    }
    tracing::debug!(
        bytes = body.len(),
        "robots.txt over its cap: its first complete lines are read"
    );
    body.iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(&[][..], |end| &body[..end])
}

/// The longest `Allow`/`Disallow` line of a robots.txt read when the whole
/// file does not parse: the parser compiles each rule to a regex with a
/// size limit, which one absurd rule (thousands of `*`) exceeds, and that
/// would cost the whole file. No real path is this long.
const MAX_ROBOTS_RULE_BYTES: usize = 2048;

/// A robots.txt made ready for the parser, line by line:
/// - `Allow`/`Disallow` paths with their percent-escapes in one form
///   ([`normal_escapes`]), as the URLs they are compared with (RFC 9309
///   §2.2.2: `/%7Eteam` is `/~team`, `%c3%a9` is `%C3%A9`);
/// - a `User-agent` written with a version (`leadscore/1.0`) as its product
///   token (`leadscore`), as RFC 9309 §2.2.1 names agents and Google's
///   parser reads them;
/// - with `drop_long`, rules over [`MAX_ROBOTS_RULE_BYTES`] left out.
fn prepare_robots(body: &[u8], drop_long: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    for line in body.split_inclusive(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            out.extend_from_slice(line);
            continue;
        };
        let key = line[..colon].trim_ascii().to_ascii_lowercase();
        let (value, end) = split_line_end(&line[colon + 1..]);
        match key.as_slice() {
            b"allow" | b"disallow" => {
                if drop_long && line.len() > MAX_ROBOTS_RULE_BYTES {
                    continue;
                }
                out.extend_from_slice(&line[..=colon]);
                out.extend_from_slice(&normal_escapes(value));
                out.extend_from_slice(end);
            }
            b"user-agent" => {
                let trimmed = value.trim_ascii();
                let token = trimmed
                    .iter()
                    .position(|&b| b == b'/')
                    .filter(|&i| i > 0)
                    .map_or(trimmed, |i| &trimmed[..i]);
                out.extend_from_slice(&line[..=colon]);
                out.push(b' ');
                out.extend_from_slice(token);
                out.extend_from_slice(end);
            }
            _ => out.extend_from_slice(line),
        }
    }
    out
}

/// A line without its end (`\n`, `\r\n`, `\r`), and the end.
fn split_line_end(line: &[u8]) -> (&[u8], &[u8]) {
    let body = line
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |i| i + 1);
    line.split_at(body)
}

/// `s` with each percent-escape of an unreserved character (letters,
/// digits, `-._~`) decoded and every other escape's hex in upper case:
/// two spellings of one URL compare equal (RFC 3986 §6.2.2). Bytes that
/// are no escape stay as they are.
fn normal_escapes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte);
            } else {
                out.push(b'%');
                out.extend_from_slice(hex.to_ascii_uppercase().as_bytes());
            }
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// What robots.txt rules are matched against for `url`: its path and
/// query, escapes in the form [`prepare_robots`] gives the rules.
fn robots_target(url: &Url) -> String {
    let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
    String::from_utf8(normal_escapes(target.as_bytes())).unwrap_or_else(|_| target.to_owned())
}

/// `Set-Cookie` headers a session keeps at most (a cookie set again counts
/// again): with [`MAX_COOKIE_BYTES`], what a hostile site can make the
/// session hold and send back stays small.
const MAX_SESSION_COOKIES: usize = 100;

/// A `Set-Cookie` header longer than this is not kept (RFC 6265 asks
/// clients to keep at least 4,096 bytes a cookie).
const MAX_COOKIE_BYTES: usize = 4096;

/// A host's next request: at its booked slot, or now when that has passed;
/// and the slot booked for the request after it, `delay` later.
/// A delay past the clock's range books a century later.
fn politeness_slot(booked: Option<Instant>, now: Instant, delay: Duration) -> (Instant, Instant) {
    let slot = booked.unwrap_or(now).max(now);
    (slot, later(slot, delay))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One `Set-Cookie` name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
}

/// A fetched, decoded HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The URL that was asked for.
    pub requested_url: Url,
    /// The URL after redirects.
    pub final_url: Url,
    /// HTTP status of the final response.
    pub status: u16,
    /// Response headers (lower-case names, lossy values), in order.
    pub headers: Vec<(String, String)>,
    /// Names and values from `Set-Cookie` headers, the redirects' included
    /// (a later value of the same name replaces an earlier one).
    pub cookies: Vec<Cookie>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The decoded body text.
    pub text: String,
    /// Name of the character encoding used to decode `text`.
    pub encoding: &'static str,
    /// URLs visited before `final_url`, in order (empty without redirects).
    pub redirect_chain: Vec<Url>,
    /// Wall time for the whole page, redirects included.
    pub elapsed: Duration,
    /// The page was over [`FetchConfig::max_body_bytes`] (on the wire or
    /// unpacked), or its elements nested deeper than [`MAX_HTML_DEPTH`]
    /// (the rest is dropped): `text` is its first part only, so what it
    /// lacks may be in the rest.
    ///
    /// [`MAX_HTML_DEPTH`]: crate::MAX_HTML_DEPTH
    pub truncated: bool,
}

impl Page {
    /// First header value with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Fetches one page within a site session. Object safe: use
/// `&dyn PageFetcher` / `Arc<dyn PageFetcher>`.
#[async_trait]
pub trait PageFetcher: Send + Sync + fmt::Debug {
    /// Fetch `url` as an HTML page, following redirects, honouring robots.txt,
    /// the session's budget and politeness. Errors concern this page only.
    async fn fetch(&self, url: &Url, session: &SiteSession) -> Result<Page, PageError>;

    /// Fetch `url` as a text document (JSON, XML, RSS/Atom, plain text or
    /// HTML: an ATS API, a feed, a sitemap) with every guard of
    /// [`fetch`](Self::fetch); binary content is [`PageError::NotText`].
    async fn fetch_document(&self, url: &Url, session: &SiteSession) -> Result<Page, PageError>;
}

/// The production [`PageFetcher`]: reqwest on rustls with our own redirect
/// handling, DNS through the [`SsrfGuard`], capped bodies and decompression.
/// `Clone` is cheap (shared client); safe to use from many tasks at once.
#[derive(Debug, Clone)]
pub struct ReqwestFetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    guard: Arc<SsrfGuard>,
    config: FetchConfig,
}

enum Hop {
    /// A redirect to the location, with the cookies it set.
    Redirect(String, Vec<Cookie>),
    Final(RawResponse),
}

struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Page,
    Document,
    Robots,
}

impl Purpose {
    /// What a body over the cap gives. A robots.txt is read up to it (RFC
    /// 9309 2.5: a parsing limit of at least 500 KiB), and so is a page
    /// (its head and first part hold most of what is read); a document (an
    /// API answer, a feed), which a cut would leave unparseable, is refused.
    fn overflow(self) -> Overflow {
        match self {
            Purpose::Robots | Purpose::Page => Overflow::Cut,
            Purpose::Document => Overflow::Refuse,
        }
    }
}

const MAX_HEADERS: usize = 256;

/// The media type of a `Content-Type` value, lowercased, without parameters.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_html(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence == "text/html" || essence == "application/xhtml+xml"
}

/// Text documents an API or feed may answer with.
fn is_octet_stream(content_type: &str) -> bool {
    matches!(
        essence(content_type).as_str(),
        "application/octet-stream" | "binary/octet-stream"
    )
}

fn is_gzip_file(content_type: &str) -> bool {
    matches!(
        essence(content_type).as_str(),
        "application/gzip" | "application/x-gzip"
    )
}

fn is_text(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/xhtml+xml"
        )
}

fn map_reqwest(e: &reqwest::Error) -> PageError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut message = String::new();
    while let Some(err) = source {
        if let Some(pe) = err.downcast_ref::<PageError>() {
            return pe.clone();
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&err.to_string());
        source = err.source();
    }
    if e.is_timeout() {
        PageError::Timeout
    } else if e.is_connect() {
        PageError::Connect(message)
    } else {
        PageError::Http(message)
    }
}

/// Whether a `Set-Cookie` header's `Domain` attribute names a public
/// suffix (`com`, `co.uk`, `github.io`): such a cookie would go to every
/// site under it for the rest of the session (a page of `attacker.com`
/// setting `Domain=com`, then redirecting to `victim.com`). The cookie store
/// reqwest gives checks no suffix list, so such a cookie is not kept. The
/// last `Domain` attribute counts, as RFC 6265 reads it.
fn cookie_domain_is_public(header: &[u8]) -> bool {
    let text = String::from_utf8_lossy(header);
    let domain = text
        .split(';')
        .skip(1)
        .filter_map(|attribute| attribute.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("domain"))
        .map(|(_, value)| value.trim().trim_start_matches('.').to_ascii_lowercase())
        .last();
    match domain {
        // No attribute, or an empty one: a host-only cookie.
        None => false,
        Some(d) if d.is_empty() => false,
        // An address names one host.
        Some(d) if d.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() => false,
        Some(d) => psl::domain(d.trim_end_matches('.').as_bytes()).is_none(),
    }
}

/// Adds `later` to `cookies`, each replacing an earlier one of its name.
fn merge_cookies(cookies: &mut Vec<Cookie>, later: Vec<Cookie>) {
    for c in later {
        cookies.retain(|e| e.name != c.name);
        cookies.push(c);
    }
}

fn parse_cookie(value: &str) -> Option<Cookie> {
    let pair = value.split(';').next()?;
    let (name, value) = pair.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some(Cookie {
        name: name.to_owned(),
        value: value.trim().to_owned(),
    })
}

/// TLS for fetching public websites: rustls on ring, trusting
/// Mozilla's root certificates as compiled into `webpki-roots`. The same
/// roots on every machine (a Lambda, a laptop, CI), and nothing read from
/// the file system at start: loading the system store (the bundle and every
/// file of `/etc/ssl/certs`) cost ~3.5 ms of each cold start.
fn tls_config() -> Result<rustls::ClientConfig, BuildError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    // HTTP/1.1 only, as the client is built (no `http2` feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A reqwest client builder with the TLS every leadscore HTTPS client uses
/// (rustls on ring, Mozilla's roots compiled in). Use it for any reqwest
/// client (Slack webhooks, tests): reqwest is built without a crypto
/// provider of its own, so `reqwest::Client::builder().build()` would panic.
pub fn https_client_builder() -> Result<reqwest::ClientBuilder, BuildError> {
    Ok(reqwest::Client::builder().tls_backend_preconfigured(tls_config()?))
}

impl ReqwestFetcher {
    /// Build a fetcher resolving names through `resolver`.
    pub fn new(config: FetchConfig, resolver: Arc<dyn Resolver>) -> Result<Self, BuildError> {
        let guard = Arc::new(SsrfGuard::new(resolver, config.network_policy()));
        let client = https_client_builder()?
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(VettedDns {
                guard: guard.clone(),
            }))
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                guard,
                config,
            }),
        })
    }

    /// Build a fetcher using the operating system's resolver.
    pub fn with_system_resolver(config: FetchConfig) -> Result<Self, BuildError> {
        Self::new(config, Arc::new(SystemResolver))
    }

    /// The SSRF guard in use.
    pub fn guard(&self) -> &SsrfGuard {
        &self.inner.guard
    }

    /// The configuration in use.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// Run `fut` under the per-request timeout, clipped to the budget.
    async fn timed<T>(
        &self,
        session: &SiteSession,
        fut: impl Future<Output = Result<T, PageError>>,
    ) -> Result<T, PageError> {
        let budget_deadline = session.budget.deadline();
        if Instant::now() >= budget_deadline {
            return Err(PageError::BudgetExhausted);
        }
        let request_deadline = after(self.inner.config.request_timeout);
        let deadline = request_deadline.min(budget_deadline);
        match tokio::time::timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) if budget_deadline <= request_deadline => Err(PageError::BudgetExhausted),
            Err(_) => Err(PageError::Timeout),
        }
    }

    /// Wait for this host's politeness slot (bounded by the budget).
    async fn wait_turn(&self, url: &Url, session: &SiteSession) -> Result<(), PageError> {
        // The site's own Crawl-delay when it asks for more (at most
        // MAX_CRAWL_DELAY: the crawl's budget bounds the rest).
        let asked = lock(&session.robots)
            .get(&url.origin().ascii_serialization())
            .and_then(|r| match r.as_ref() {
                RobotsRules::Rules(robot) => robot.delay,
                _ => None,
            })
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(|d| Duration::from_secs_f32(d.min(MAX_CRAWL_DELAY.as_secs_f32())));
        let delay = self
            .inner
            .config
            .politeness_delay
            .max(asked.unwrap_or_default());
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let slot = {
            let mut slots = lock(&session.next_slot);
            let (slot, next) = politeness_slot(slots.get(&key).copied(), Instant::now(), delay);
            slots.insert(key, next);
            slot
        };
        if slot >= session.budget.deadline() {
            return Err(PageError::BudgetExhausted);
        }
        tokio::time::sleep_until(slot).await;
        Ok(())
    }

    /// One HTTP request to an already vetted URL. No redirect following.
    async fn hop(
        &self,
        url: &Url,
        purpose: Purpose,
        cap: usize,
        session: &SiteSession,
    ) -> Result<Hop, PageError> {
        session.requests.fetch_add(1, Ordering::Relaxed);
        let accept = match purpose {
            Purpose::Page => "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            Purpose::Document => {
                "application/json,application/xml,application/rss+xml,application/atom+xml,text/*;q=0.9,*/*;q=0.1"
            }
            Purpose::Robots => "text/plain,*/*;q=0.1",
        };
        let mut request = self
            .inner
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .header(ACCEPT_ENCODING, "gzip, deflate, br");
        if let Some(cookies) = session.cookies.cookies(url) {
            request = request.header(COOKIE, cookies);
        }
        let mut resp = request.send().await.map_err(|e| map_reqwest(&e))?;
        let set: Vec<&reqwest::header::HeaderValue> = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter(|v| v.len() <= MAX_COOKIE_BYTES && !cookie_domain_is_public(v.as_bytes()))
            .collect();
        // Taken in one step: concurrent fetches of a session never pass
        // the limit together.
        let wanted = set.len();
        let before = session
            .cookies_taken
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some((n + wanted).min(MAX_SESSION_COOKIES))
            })
            .unwrap_or(MAX_SESSION_COOKIES);
        let set = &set[..wanted.min(MAX_SESSION_COOKIES.saturating_sub(before))];
        session.cookies.set_cookies(&mut set.iter().copied(), url);
        let status = resp.status();
        if status.is_redirection() && status.as_u16() != 304 {
            return match resp.headers().get(LOCATION) {
                Some(loc) => Ok(Hop::Redirect(
                    String::from_utf8_lossy(loc.as_bytes()).into_owned(),
                    resp.headers()
                        .get_all(SET_COOKIE)
                        .iter()
                        .filter_map(|v| parse_cookie(&String::from_utf8_lossy(v.as_bytes())))
                        .collect(),
                )),
                None => Err(PageError::HttpStatus(status.as_u16())),
            };
        }
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .take(MAX_HEADERS)
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let raw = |body| RawResponse {
            status: status.as_u16(),
            headers: headers.clone(),
            body,
        };
        if !status.is_success() {
            return match purpose {
                Purpose::Page | Purpose::Document => Err(PageError::HttpStatus(status.as_u16())),
                Purpose::Robots => Ok(Hop::Final(raw(Vec::new()))),
            };
        }
        if purpose == Purpose::Page
            && let Some(ct) = resp.headers().get(CONTENT_TYPE)
        {
            let ct = String::from_utf8_lossy(ct.as_bytes()).into_owned();
            if !is_html(&ct) {
                return Err(PageError::NotHtml { content_type: ct });
            }
        }
        if purpose == Purpose::Document
            && let Some(ct) = resp.headers().get(CONTENT_TYPE)
        {
            let ct = String::from_utf8_lossy(ct.as_bytes()).into_owned();
            // A gzipped file (`sitemap.xml.gz`, often served as
            // octet-stream) is a document too: it is unpacked below, and an
            // octet-stream that is not gzip is refused then.
            if !is_text(&ct) && !is_gzip_file(&ct) && !is_octet_stream(&ct) {
                return Err(PageError::NotText { content_type: ct });
            }
        }
        let overflow = purpose.overflow();
        if overflow == Overflow::Refuse && resp.content_length().is_some_and(|n| n > cap as u64) {
            return Err(PageError::TooLarge { limit: cap });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| map_reqwest(&e))? {
            if body.len() + chunk.len() > cap {
                if overflow == Overflow::Refuse {
                    return Err(PageError::TooLarge { limit: cap });
                }
                // One byte more than the cap, so the cut is seen.
                let room = cap + 1 - body.len();
                body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Hop::Final(raw(body)))
    }

    /// Fetch and interpret robots.txt for `url`'s origin (RFC 9309).
    /// Only `BudgetExhausted` is returned as an error (and not cached).
    async fn fetch_robots(
        &self,
        url: &Url,
        session: &SiteSession,
    ) -> Result<RobotsRules, PageError> {
        session.robots_fetches.fetch_add(1, Ordering::Relaxed);
        let cfg = &self.inner.config;
        let mut current = url
            .join("/robots.txt")
            .map_err(|e| PageError::BadUrl(e.to_string()))?;
        let mut redirects = 0;
        let outcome = loop {
            let step = async {
                self.timed(session, self.inner.guard.vet_url(&current))
                    .await?;
                self.wait_turn(&current, session).await?;
                self.timed(
                    session,
                    self.hop(&current, Purpose::Robots, cfg.max_robots_bytes, session),
                )
                .await
            };
            match step.await {
                Ok(Hop::Redirect(loc, _)) => {
                    redirects += 1;
                    match current.join(&loc) {
                        Ok(next)
                            if redirects <= cfg.max_redirects && check_scheme(&next).is_ok() =>
                        {
                            current = next;
                        }
                        // Too many redirects: RFC 9309 treats it as unavailable (allow).
                        _ => break Ok(None),
                    }
                }
                Ok(Hop::Final(raw)) => break Ok(Some(raw)),
                Err(e) => break Err(e),
            }
        };
        let rules = match outcome {
            Ok(None) => RobotsRules::AllowAll,
            Ok(Some(raw)) if (200..300).contains(&raw.status) => {
                let encoding = raw.header(CONTENT_ENCODING.as_str()).map(str::to_owned);
                match decompress_with(
                    raw.body,
                    encoding.as_deref(),
                    cfg.max_robots_bytes,
                    Purpose::Robots.overflow(),
                ) {
                    Ok((body, cut)) => {
                        let body = robots_prefix(&body, cut);
                        let agent = cfg.robots_agent();
                        match texting_robots::Robot::new(agent, &prepare_robots(body, false))
                            .or_else(|e| {
                                texting_robots::Robot::new(agent, &prepare_robots(body, true))
                                    .inspect(|_| {
                                        tracing::debug!(url = %current, "robots.txt read without its over-long rules");
                                    })
                                    .map_err(|_| e)
                            }) {
                            Ok(robot) => RobotsRules::Rules(Box::new(robot)),
                            // A file the site serves but that cannot be
                            // read says nothing of what it allows: not
                            // crawled, as when it cannot be fetched.
                            Err(e) => {
                                tracing::debug!(url = %current, error = %e, "unparseable robots.txt, not crawling");
                                RobotsRules::Unavailable(PageError::Decode(format!(
                                    "robots.txt cannot be parsed: {e:#}"
                                )))
                            }
                        }
                    }
                    // Its body cannot be decoded (a plain file labelled
                    // gzip): unreadable, as above.
                    Err(e) => RobotsRules::Unavailable(e),
                }
            }
            // A 5xx, or 429 (slow down): the site cannot answer for now.
            Ok(Some(raw)) if raw.status >= 500 || raw.status == 429 => {
                RobotsRules::Unavailable(PageError::HttpStatus(raw.status))
            }
            Ok(Some(_)) => RobotsRules::AllowAll,
            Err(PageError::BudgetExhausted) => return Err(PageError::BudgetExhausted),
            // A redirect without a `Location` cannot be followed: RFC 9309
            // §2.3.1.2 reads that as unavailable, as too many redirects.
            Err(PageError::HttpStatus(s)) if (300..400).contains(&s) => RobotsRules::AllowAll,
            Err(e) => {
                tracing::debug!(url = %current, error = %e, "robots.txt unreachable, disallowing");
                RobotsRules::Unavailable(e)
            }
        };
        Ok(rules)
    }

    async fn check_robots(&self, url: &Url, session: &SiteSession) -> Result<(), PageError> {
        let key = url.origin().ascii_serialization();
        let cached = lock(&session.robots).get(&key).cloned();
        let rules = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(self.fetch_robots(url, session).await?);
                lock(&session.robots).insert(key.clone(), r.clone());
                r
            }
        };
        if let RobotsRules::Unavailable(cause) = rules.as_ref() {
            return Err(PageError::RobotsUnavailable {
                origin: key,
                cause: Box::new(cause.clone()),
            });
        }
        if rules.allows(url) {
            Ok(())
        } else {
            Err(PageError::RobotsDisallowed {
                url: url.to_string(),
            })
        }
    }
}

#[async_trait]
impl PageFetcher for ReqwestFetcher {
    async fn fetch(&self, url: &Url, session: &SiteSession) -> Result<Page, PageError> {
        self.fetch_as(url, session, Purpose::Page).await
    }

    async fn fetch_document(&self, url: &Url, session: &SiteSession) -> Result<Page, PageError> {
        self.fetch_as(url, session, Purpose::Document).await
    }
}

impl ReqwestFetcher {
    async fn fetch_as(
        &self,
        url: &Url,
        session: &SiteSession,
        purpose: Purpose,
    ) -> Result<Page, PageError> {
        let started = std::time::Instant::now();
        let cfg = &self.inner.config;
        let cap = match purpose {
            Purpose::Document => cfg.max_document_bytes,
            Purpose::Page | Purpose::Robots => cfg.max_body_bytes,
        };
        let mut current = url.clone();
        let mut chain: Vec<Url> = Vec::new();
        // Set on the redirects: a cookie the jar now sends back is not set
        // again by the final page, and detection reads it from here.
        let mut hop_cookies: Vec<Cookie> = Vec::new();
        loop {
            check_scheme(&current)?;
            // Re-checked on every hop: scheme, SSRF, robots.
            self.timed(session, self.inner.guard.vet_url(&current))
                .await?;
            self.check_robots(&current, session).await?;
            self.wait_turn(&current, session).await?;
            let hop = self
                .timed(session, self.hop(&current, purpose, cap, session))
                .await?;
            match hop {
                Hop::Redirect(location, cookies) => {
                    merge_cookies(&mut hop_cookies, cookies);
                    let next = current
                        .join(&location)
                        .map_err(|e| PageError::BadUrl(format!("{location}: {e}")))?;
                    tracing::debug!(from = %current, to = %next, "redirect");
                    chain.push(std::mem::replace(&mut current, next));
                    if chain.len() > cfg.max_redirects {
                        return Err(PageError::TooManyRedirects {
                            limit: cfg.max_redirects,
                        });
                    }
                }
                Hop::Final(raw) => {
                    let content_type = raw.header(CONTENT_TYPE.as_str()).map(str::to_owned);
                    let encoding = raw.header(CONTENT_ENCODING.as_str()).map(str::to_owned);
                    merge_cookies(
                        &mut hop_cookies,
                        raw.headers
                            .iter()
                            .filter(|(k, _)| k == SET_COOKIE.as_str())
                            .filter_map(|(_, v)| parse_cookie(v))
                            .collect(),
                    );
                    let cookies = std::mem::take(&mut hop_cookies);
                    let status = raw.status;
                    let headers = raw.headers;
                    let (mut body, mut truncated) =
                        decompress_with(raw.body, encoding.as_deref(), cap, purpose.overflow())?;
                    if truncated {
                        tracing::info!(url = %current, cap, "page over its cap: its first part is read");
                    }
                    // A document that is a gzip file (not a transfer
                    // coding): sitemaps are often served as `.xml.gz`.
                    if purpose == Purpose::Document && body.starts_with(&[0x1f, 0x8b]) {
                        body = decompress(body, Some("gzip"), cap)?;
                    } else if purpose == Purpose::Document
                        && content_type.as_deref().is_some_and(is_octet_stream)
                    {
                        return Err(PageError::NotText {
                            content_type: content_type.unwrap_or_default(),
                        });
                    }
                    let (mut text, encoding) = decode_text(&body, content_type.as_deref());
                    let html = content_type
                        .as_deref()
                        .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
                    if html
                        && let Some(cut) = crate::decode::html_nesting_cut(&text, MAX_HTML_DEPTH)
                    {
                        tracing::warn!(url = %current, at = cut, "page nests deeper than {MAX_HTML_DEPTH} elements; the rest is dropped");
                        text.truncate(cut);
                        // Read in part: what the rest had is not known gone.
                        truncated = true;
                    }
                    return Ok(Page {
                        requested_url: url.clone(),
                        final_url: current,
                        status,
                        headers,
                        cookies,
                        content_type,
                        text,
                        encoding,
                        redirect_chain: chain,
                        elapsed: started.elapsed(),
                        truncated,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_take_one_form_and_robots_lines_are_prepared() {
        assert_eq!(normal_escapes(b"/%7eteam/%7E"), b"/~team/~");
        assert_eq!(normal_escapes(b"/caf%c3%a9?q=%2f"), b"/caf%C3%A9?q=%2F");
        // Not escapes: left as they are.
        assert_eq!(normal_escapes(b"/a%zz/%4/%"), b"/a%zz/%4/%");
        assert_eq!(normal_escapes(b"/%+1"), b"/%+1");
        let prepared = prepare_robots(
            b"User-agent: LeadScore/1.0\r\nDisallow: /%7ea # note\r\nSitemap: https://a.test/%7e\nUser-agent: /x\n",
            false,
        );
        assert_eq!(
            String::from_utf8(prepared).unwrap(),
            "User-agent: LeadScore\r\nDisallow: /~a # note\r\nSitemap: https://a.test/%7e\nUser-agent: /x\n"
        );
        let long = format!(
            "Disallow: /{}\nDisallow: /b\n",
            "a".repeat(MAX_ROBOTS_RULE_BYTES)
        );
        assert_eq!(prepare_robots(long.as_bytes(), true), b"Disallow: /b\n");
        assert_eq!(prepare_robots(long.as_bytes(), false), long.as_bytes());
    }

    #[test]
    fn a_budget_or_timeout_past_the_clock_is_no_panic() {
        let endless = Budget::new(Duration::MAX);
        assert!(endless.remaining() > Duration::from_secs(365 * 86_400));
        assert!(after(Duration::MAX) > Instant::now());
    }

    #[test]
    fn a_host_is_booked_one_delay_after_its_last_slot() {
        let now = Instant::now();
        let delay = Duration::from_millis(100);
        // The first request goes now, the next ones a delay apart, however
        // fast they are asked for.
        let (first, booked) = politeness_slot(None, now, delay);
        assert_eq!((first, booked), (now, now + delay));
        let (second, booked) = politeness_slot(Some(booked), now, delay);
        assert_eq!((second, booked), (now + delay, now + 2 * delay));
        // A request asked for after its booked slot goes at once.
        let later = now + Duration::from_secs(5);
        assert_eq!(
            politeness_slot(Some(booked), later, delay),
            (later, later + delay)
        );
        // A delay past the clock's range books far ahead, without a panic.
        let (slot, booked) = politeness_slot(None, now, Duration::MAX);
        assert_eq!(slot, now);
        assert!(booked > now + Duration::from_secs(365 * 86_400));
    }

    #[test]
    fn tls_trusts_the_bundled_mozilla_roots_only() {
        let config = tls_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        // Any provider other than the one reqwest and the AWS SDK use would
        // link a second crypto library.
        assert!(
            config
                .crypto_provider()
                .cipher_suites
                .iter()
                .any(|s| s.version() == &rustls::version::TLS13)
        );
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
    }

    /// Answers 127.0.0.2 (allowed) on the first lookup and 127.0.0.1
    /// (refused) afterwards: a DNS-rebinding attempt, on loopback only.
    #[derive(Debug, Default)]
    struct Rebinding(AtomicUsize);

    #[async_trait]
    impl Resolver for Rebinding {
        async fn resolve(&self, _host: &str) -> Result<Vec<IpAddr>, String> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            let ip = if n == 0 { "127.0.0.2" } else { "127.0.0.1" };
            Ok(vec![ip.parse().map_err(|_| "parse".to_owned())?])
        }
    }

    #[tokio::test]
    async fn connect_time_resolution_is_vetted_again() {
        let trip = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = trip.local_addr().unwrap().port();
        let config = FetchConfig {
            allowed_addresses: vec!["127.0.0.2".parse().unwrap()],
            politeness_delay: Duration::ZERO,
            ..FetchConfig::default()
        };
        let f = ReqwestFetcher::new(config, Arc::new(Rebinding::default())).unwrap();
        let url = Url::parse(&format!("http://rebind.test:{port}/")).unwrap();
        let session = SiteSession::new(Budget::new(Duration::from_secs(3)));
        // First lookup (our pre-check) sees the allowed address...
        assert!(f.guard().vet_url(&url).await.is_ok());
        // ...the client's own lookup at connect time gets the refused one.
        let hop = tokio::time::timeout(
            Duration::from_secs(3),
            f.hop(&url, Purpose::Page, 1024, &session),
        )
        .await
        .unwrap();
        match hop {
            Err(PageError::BlockedAddress { addr, .. }) => {
                assert_eq!(addr.to_string(), "127.0.0.1")
            }
            Err(e) => panic!("unexpected error {e:?}"),
            Ok(_) => panic!("connected to a rebound address"),
        }
        let accepted = tokio::time::timeout(Duration::from_millis(50), trip.accept()).await;
        assert!(accepted.is_err(), "tripwire was reached");
    }

    #[test]
    fn helpers() {
        assert!(is_html("text/html; charset=utf-8"));
        assert!(is_html("Application/XHTML+XML"));
        assert!(!is_html("application/octet-stream"));
        assert_eq!(
            parse_cookie("sid=abc; Path=/; HttpOnly"),
            Some(Cookie {
                name: "sid".into(),
                value: "abc".into()
            })
        );
        assert_eq!(parse_cookie("=x"), None);
        assert_eq!(FetchConfig::default().robots_agent(), "leadscore");
        for (ua, agent) in [
            (
                "Mozilla/5.0 (compatible; AcmeBot/1.0; +https://acme.example/bot)",
                "AcmeBot",
            ),
            ("AcmeScout/2.1 (+https://acme.example)", "AcmeScout"),
            ("Mozilla/5.0 (compatible; SalesCrawler)", "SalesCrawler"),
        ] {
            let cfg = FetchConfig {
                user_agent: ua.into(),
                ..FetchConfig::default()
            };
            assert_eq!(cfg.robots_agent(), agent, "{ua}");
        }
    }
}

//! # leadscore-fetch: the safe website fetcher
//!
//! Fetches public company websites whose domain anyone can type into a web
//! form, so it is an attack surface as much as a scraper. It holds these
//! invariants:
//!
//! - **Every connect goes to a vetted address.** URLs are parsed with `url`
//!   (which normalises `127.1`, `2130706433`, `0x7f000001`, octal forms);
//!   only `http`/`https` are accepted. IP-literal hosts are classified with
//!   [`classify_ip`]; DNS names are resolved by *our* [`Resolver`] and every
//!   address vetted. The HTTP client's own DNS hook goes through the same
//!   [`SsrfGuard`], so the addresses it connects to are the vetted ones,
//!   re-vetted at connect time (no DNS-rebinding window). Proxies are
//!   disabled. Loopback, RFC 1918, CGNAT, link-local, unique-local,
//!   multicast, documentation and reserved ranges are refused unless
//!   [`FetchConfig::allow_private_network`] is set (tests and local use
//!   only); an IPv6 address that embeds an IPv4 one (mapped, compatible,
//!   NAT64, 6to4) is judged by that IPv4 address.
//!   Cloud metadata addresses are refused even then.
//! - **Every redirect is followed by our code** (client redirect policy is
//!   none, at most [`FetchConfig::max_redirects`]), and every hop is
//!   re-checked: scheme, SSRF guard, robots.txt. Cookies the site sets
//!   (on a redirect too) are sent back by RFC 6265's rules for the rest of
//!   the [`SiteSession`], so a cookie check that redirects to itself is
//!   passed instead of looping; nothing outlives the session, which keeps
//!   at most 100 `Set-Cookie` headers of up to 4 KB. A page's cookies for
//!   detection are those its redirects set as well as its own.
//! - **Every body is capped**: on the wire while streaming, and again after
//!   our own bounded decompression (gzip, deflate, br), so bombs stop at the
//!   cap. Every request has a timeout, every site a total [`Budget`].
//! - **Every page error is per page**: [`crawl_site`] never fails as a
//!   whole; each page carries `Result<Page, PageError>`.
//! - robots.txt is fetched once per origin per [`SiteSession`] and honoured
//!   as RFC 9309 reads it: a 4xx (or a redirect that cannot be followed) →
//!   allow all; a 5xx, a 429, an unreachable host or a file that cannot be
//!   decoded or parsed → nothing crawled; paths compared with their
//!   percent-escapes in one form; our agent's group found by its product
//!   token (`leadscore/1.0` is `leadscore`); with a per-host politeness
//!   delay.
//!
//! The link planner ([`plan_pages`]), charset decoding ([`decode_text`]) and
//! address classification ([`classify_ip`]) are pure functions.
//!
//! ## Wiring (e.g. in the CLI)
//!
//! Build one fetcher at start-up and share it (it is `Clone`); crawl each
//! account's site with its own budget, many sites concurrently:
//!
//! ```no_run
//! use leadscore_fetch::{CrawlConfig, FetchConfig, ReqwestFetcher, crawl_site, parse_start_url};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = FetchConfig {
//!     allow_private_network: false, // `--allow-private-network` / config key
//!     ..FetchConfig::default()
//! };
//! let fetcher = ReqwestFetcher::with_system_resolver(config)?;
//! let start = parse_start_url("acme.com")?;
//! let crawl = crawl_site(&fetcher, &start, &CrawlConfig::default()).await;
//! for page in &crawl.pages {
//!     match &page.result {
//!         Ok(p) => tracing::info!(kind = ?page.kind, url = %p.final_url, "fetched"),
//!         Err(e) => tracing::info!(kind = ?page.kind, error = %e, "page failed"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod crawl;
mod decode;
mod error;
mod fetcher;
mod guard;
mod ip;
mod plan;
pub mod sitemap;

pub use crawl::{CrawlConfig, CrawledPage, SiteCrawl, crawl_site, parse_start_url};
pub use decode::{
    MAX_HTML_DEPTH, charset_from_content_type, decode_text, decompress, html_nesting_cut,
    sniff_meta_charset, sniff_xml_encoding,
};
pub use error::{BuildError, PageError};
pub use fetcher::{
    Budget, Cookie, DEFAULT_USER_AGENT, FetchConfig, Page, PageFetcher, ReqwestFetcher,
    SiteSession, https_client_builder,
};
pub use guard::{NetworkPolicy, Resolver, SsrfGuard, StaticResolver, SystemResolver, check_scheme};
pub use ip::{IpClass, classify_ip};
pub use plan::{
    PageKind, PlanLimits, PlannedPage, classify_link, plan_pages, plan_pages_from, same_site,
};

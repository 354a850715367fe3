//! Typed per-page errors.

use std::net::IpAddr;

use crate::ip::IpClass;

/// Why one page could not be fetched. A `PageError` is always scoped to one
/// page: the crawl records it and goes on with the next page of the site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The URL could not be parsed or has no host.
    #[error("bad url: {0}")]
    BadUrl(String),
    /// The URL's scheme is not `http` or `https`.
    #[error("scheme {scheme:?} is not allowed (only http and https)")]
    BadScheme {
        /// The refused scheme.
        scheme: String,
    },
    /// The host is, or resolves to, an address the SSRF guard refuses.
    #[error("address {addr} is blocked: {reason}")]
    BlockedAddress {
        /// The refused address.
        addr: IpAddr,
        /// Its classification.
        reason: IpClass,
    },
    /// A port other than 80 and 443 on a public address (a redirect or a
    /// link to `:6379` would reach another service of the host).
    #[error("port {port} is not allowed (only 80 and 443 on public addresses)")]
    BlockedPort {
        /// The refused port.
        port: u16,
    },
    /// The host name could not be resolved.
    #[error("dns lookup for {host} failed: {message}")]
    Dns {
        /// The host that failed to resolve.
        host: String,
        /// The resolver's message.
        message: String,
    },
    /// The TCP/TLS connection failed.
    #[error("connect failed: {0}")]
    Connect(String),
    /// Any other HTTP-level failure (protocol error, reset, ...).
    #[error("http error: {0}")]
    Http(String),
    /// One request (one hop) took longer than the per-request timeout.
    #[error("request timed out")]
    Timeout,
    /// The site's total time budget ran out before or during this page.
    #[error("site time budget exhausted")]
    BudgetExhausted,
    /// The body (on the wire or after decompression) exceeded the cap.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The body's `Content-Encoding` is unknown or the compressed data is corrupt.
    #[error("cannot decode body: {0}")]
    Decode(String),
    /// robots.txt disallows this URL for our user agent.
    #[error("robots.txt disallows {url}")]
    RobotsDisallowed {
        /// The disallowed URL.
        url: String,
    },
    /// robots.txt could not be read (a 5xx, a timeout, a refused
    /// connection): the site is not crawled (RFC 9309 reads it as a full
    /// disallow), and the failure is its cause's, transient or not.
    #[error("robots.txt of {origin} could not be read ({cause}); not crawling")]
    RobotsUnavailable {
        /// The site's origin.
        origin: String,
        /// Why robots.txt could not be read.
        cause: Box<PageError>,
    },
    /// The page redirected to a page the crawl had already read (a removed
    /// `/press` sent to the homepage): not read again as another kind.
    #[error("redirected to {url}, already read")]
    SamePage {
        /// The page it redirected to.
        url: String,
    },
    /// The final response had a non-success status.
    #[error("http status {0}")]
    HttpStatus(u16),
    /// A document fetch answered with binary content.
    #[error("not a text document: content type {content_type:?}")]
    NotText {
        /// The response's content type.
        content_type: String,
    },
    /// The response is not HTML.
    #[error("not html: content type {content_type:?}")]
    NotHtml {
        /// The response's content type.
        content_type: String,
    },
    /// More redirects than the configured maximum.
    #[error("too many redirects (max {limit})")]
    TooManyRedirects {
        /// The configured maximum.
        limit: usize,
    },
}

impl PageError {
    /// Whether the failure says nothing about the page itself, so another
    /// try may well succeed: DNS, connection, timeout, the crawl's time
    /// budget, or a 5xx or 429 answer (of the page, or of the robots.txt
    /// that stopped it). A 404, a robots.txt refusal or a page too large say
    /// something lasting.
    pub fn is_transient(&self) -> bool {
        match self {
            PageError::Dns { .. }
            | PageError::Connect(_)
            | PageError::Http(_)
            | PageError::Timeout
            | PageError::BudgetExhausted => true,
            PageError::HttpStatus(s) => *s >= 500 || *s == 429,
            PageError::RobotsUnavailable { cause, .. } => cause.is_transient(),
            _ => false,
        }
    }

    /// A short stable identifier for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            PageError::BadUrl(_) => "bad_url",
            PageError::BadScheme { .. } => "bad_scheme",
            PageError::BlockedAddress { .. } => "blocked_address",
            PageError::BlockedPort { .. } => "blocked_port",
            PageError::Dns { .. } => "dns",
            PageError::Connect(_) => "connect",
            PageError::Http(_) => "http",
            PageError::Timeout => "timeout",
            PageError::BudgetExhausted => "budget_exhausted",
            PageError::TooLarge { .. } => "too_large",
            PageError::Decode(_) => "decode",
            PageError::RobotsDisallowed { .. } => "robots_disallowed",
            PageError::RobotsUnavailable { .. } => "robots_unavailable",
            PageError::SamePage { .. } => "same_page",
            PageError::HttpStatus(_) => "http_status",
            PageError::NotHtml { .. } => "not_html",
            PageError::NotText { .. } => "not_text",
            PageError::TooManyRedirects { .. } => "too_many_redirects",
        }
    }
}

/// Failure to build a fetcher.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The TLS configuration (protocol versions of the crypto provider).
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// The HTTP client itself.
    #[error("cannot build http client: {0}")]
    Client(#[from] reqwest::Error),
}

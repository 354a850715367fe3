//! Inputs and outputs of detection: [`PageInput`], [`Detection`],
//! [`Evidence`], and merging the detections of several pages of one site.

use std::collections::BTreeMap;

/// One already-fetched page. Detection never fetches anything.
#[derive(Clone, Copy)]
pub struct PageInput<'a> {
    /// The page URL (matched by `url` patterns and copied into evidence).
    pub url: &'a str,
    /// HTTP status (informational; not matched).
    pub status: u16,
    /// Response headers as `(name, value)` pairs; names are compared
    /// case-insensitively.
    pub headers: &'a [(&'a str, &'a str)],
    /// Cookies as `(name, value)` pairs.
    pub cookies: &'a [(&'a str, &'a str)],
    /// The HTML text.
    pub html: &'a str,
    /// The same HTML already parsed, so a caller parses a page once and
    /// shares it; when `None`, detection parses `html` itself.
    pub document: Option<&'a scraper::Html>,
}

impl std::fmt::Debug for PageInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageInput")
            .field("url", &self.url)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("cookies", &self.cookies)
            .field("html_len", &self.html.len())
            .field("document", &self.document.is_some())
            .finish()
    }
}

impl<'a> PageInput<'a> {
    /// A page with status 200 and no headers or cookies.
    pub fn new(url: &'a str, html: &'a str) -> Self {
        Self {
            url,
            status: 200,
            headers: &[],
            cookies: &[],
            html,
            document: None,
        }
    }

    /// Sets the response headers.
    #[must_use]
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the cookies.
    #[must_use]
    pub fn with_cookies(mut self, cookies: &'a [(&'a str, &'a str)]) -> Self {
        self.cookies = cookies;
        self
    }

    /// Shares an already-parsed document of `html`.
    #[must_use]
    pub fn with_document(mut self, document: &'a scraper::Html) -> Self {
        self.document = Some(document);
        self
    }

    /// Sets the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

/// Why a technology was detected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The page the evidence was found on.
    pub url: String,
    /// The field that matched: `html`, `scriptSrc`, `scripts`, `url`,
    /// `headers:x-hs-hub-id`, `cookies:_ga`, `meta:generator`, `js:_hsq`,
    /// `dom:<selector>`, or `implies:<Technology>`.
    pub field: String,
    /// The matched text, truncated to about 120 characters.
    pub snippet: String,
}

/// A detected technology.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Detection {
    /// Technology name as in the fingerprint file (e.g. `HubSpot`).
    pub name: String,
    /// Category names (e.g. `Marketing automation`).
    pub categories: Vec<String>,
    /// Confidence 0–100: the sum of the confidences of the matched
    /// patterns, capped at 100.
    pub confidence: u8,
    /// Version, when a `\;version:` tag resolved to one.
    pub version: Option<String>,
    /// What matched, in the order found.
    pub evidence: Vec<Evidence>,
}

/// Merges the detections of several pages of one site: per technology the
/// maximum confidence, the union of evidence, and the first version found.
/// The result is sorted by name.
pub fn merge_detections<I>(pages: I) -> Vec<Detection>
where
    I: IntoIterator<Item = Vec<Detection>>,
{
    let mut by_name: BTreeMap<String, Detection> = BTreeMap::new();
    for page in pages {
        for d in page {
            match by_name.get_mut(&d.name) {
                None => {
                    by_name.insert(d.name.clone(), d);
                }
                Some(acc) => {
                    acc.confidence = acc.confidence.max(d.confidence);
                    if acc.version.is_none() {
                        acc.version = d.version;
                    }
                    for e in d.evidence {
                        if !acc.evidence.contains(&e) {
                            acc.evidence.push(e);
                        }
                    }
                }
            }
        }
    }
    by_name.into_values().collect()
}

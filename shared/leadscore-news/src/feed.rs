//! Feeds: RSS 2.0, Atom and JSON Feed (via feed-rs) into [`Article`]s, and
//! feed autodiscovery from `<link rel="alternate">` in HTML.

use scraper::{Html, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;

use crate::article::Article;
use crate::text::normalize;

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// Not a feed at all (no RSS channel, Atom feed or JSON Feed root).
    #[error("not a feed: no RSS, Atom or JSON Feed root element")]
    NotAFeed,
    /// Broken XML.
    #[error("malformed feed XML: {0}")]
    Xml(String),
    /// Broken JSON or an unsupported JSON Feed version.
    #[error("malformed JSON Feed: {0}")]
    Json(String),
    /// Any other parse failure.
    #[error("unreadable feed: {0}")]
    Other(String),
}

impl From<feed_rs::parser::ParseFeedError> for FeedError {
    fn from(e: feed_rs::parser::ParseFeedError) -> Self {
        use feed_rs::parser::{ParseErrorKind, ParseFeedError};
        match e {
            ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => FeedError::NotAFeed,
            ParseFeedError::XmlReader(x) => FeedError::Xml(x.to_string()),
            ParseFeedError::JsonSerde(j) => FeedError::Json(j.to_string()),
            ParseFeedError::JsonUnsupportedVersion(v) => {
                FeedError::Json(format!("unsupported version {v}"))
            }
            other => FeedError::Other(other.to_string()),
        }
    }
}

fn html_to_text(s: &str) -> String {
    if !s.contains('<') {
        return normalize(s).trim().to_owned();
    }
    static BLOCK: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("p, li, h1, h2, h3, blockquote").expect("valid selector"));
    let frag = Html::parse_fragment(s);
    let blocks: Vec<String> = frag
        .select(&BLOCK)
        .map(|e| {
            normalize(&e.text().collect::<Vec<_>>().join(" "))
                .trim()
                .to_owned()
        })
        .filter(|t| !t.is_empty())
        .collect();
    if blocks.is_empty() {
        normalize(&frag.root_element().text().collect::<Vec<_>>().join(" "))
            .trim()
            .to_owned()
    } else {
        blocks.join("\n")
    }
}

/// Parses a feed's bytes into articles, newest first. `base` resolves
/// relative item links. Entries keep a missing or malformed date as
/// `None` (feed-rs is lenient with real-world dates); an entry with
/// neither a title nor a text is skipped.
///
/// The bytes are as served: an XML feed's own declaration names their
/// encoding. A feed already decoded to text goes through
/// [`parse_feed_text`].
pub fn parse_feed(bytes: &[u8], base: Option<&str>) -> Result<Vec<Article>, FeedError> {
    // feed-rs (through quick-xml) asserts on an encoding declared where it
    // no longer can switch to it (a declaration after the document's first
    // bytes): one hostile feed is one error, not a failed account.
    let parsed = std::panic::catch_unwind(|| {
        feed_rs::parser::Builder::new()
            .base_uri(base)
            .build()
            .parse(bytes)
    })
    .map_err(|_| FeedError::Other("the feed parser gave up on this document".to_owned()))?;
    let feed = parsed?;
    let base_url = base.and_then(|b| Url::parse(b).ok());
    let mut out: Vec<Article> = feed
        .entries
        .into_iter()
        .filter_map(|e| {
            let title = e
                .title
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
            let body = e
                .content
                .and_then(|c| c.body)
                .map(|b| html_to_text(&b))
                .filter(|b| !b.is_empty())
                .or_else(|| e.summary.map(|s| html_to_text(&s.content)))
                .unwrap_or_default();
            if title.is_empty() && body.is_empty() {
                return None;
            }
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .map(|l| match &base_url {
                    Some(b) => b
                        .join(&l.href)
                        .map_or_else(|_| l.href.clone(), |u| u.to_string()),
                    None => l.href.clone(),
                });
            Some(Article {
                url,
                title,
                published: e.published.or(e.updated),
                text: body,
            })
        })
        .collect();
    out.sort_by_key(|a| std::cmp::Reverse(a.published));
    Ok(out)
}

/// [`parse_feed`] for a feed already decoded to text (the fetcher decodes
/// every document by its `Content-Type` charset or XML declaration): XML
/// declarations are made to say UTF-8, the text's encoding now, so the
/// parser does not decode it a second time by the charset it was served
/// in (`lève` read back as `lÃ¨ve`).
pub fn parse_feed_text(text: &str, base: Option<&str>) -> Result<Vec<Article>, FeedError> {
    // The document's own declaration, opening it; a declaration inside an
    // item's content (an inline SVG in a JSON Feed) is text and stays as
    // it is. One the XML reader trips on later is `parse_feed`'s error.
    static DECLARED: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r#"^(\x{FEFF}?\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*)(?:"[^"]{0,40}"|'[^']{0,40}')"#,
        )
        .expect("valid regex")
    });
    let text = DECLARED.replace(text, r#"${1}"UTF-8""#);
    parse_feed(text.as_bytes(), base)
}

/// The kind of a discovered feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// `application/rss+xml`
    Rss,
    /// `application/atom+xml`
    Atom,
    /// `application/feed+json` (or `application/json` whose title or path
    /// says feed)
    JsonFeed,
}

/// A feed advertised by a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiscoveredFeed {
    /// Absolute feed URL.
    pub url: String,
    /// Kind.
    pub kind: FeedKind,
    /// The link's title, if any.
    pub title: Option<String>,
}

/// The most feeds [`discover_feeds`] returns for one page (a site links
/// one to three).
pub const MAX_DISCOVERED_FEEDS: usize = 16;

/// Feed autodiscovery: `<link rel="alternate" type="application/rss+xml |
/// application/atom+xml | application/feed+json" href="...">`, relative
/// hrefs resolved against `page_url` (and a `<base href>`), duplicates
/// dropped, in page order; at most [`MAX_DISCOVERED_FEEDS`].
pub fn discover_feeds(html: &str, page_url: &str) -> Vec<DiscoveredFeed> {
    static LINK: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("link[href]").expect("valid selector"));
    static BASE: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("base[href]").expect("valid selector"));
    let doc = Html::parse_document(html);
    let Ok(page) = Url::parse(page_url) else {
        return Vec::new();
    };
    let base = doc
        .select(&BASE)
        .find_map(|b| b.value().attr("href").and_then(|h| page.join(h).ok()))
        .unwrap_or(page);
    let mut out: Vec<DiscoveredFeed> = Vec::new();
    // A hash set, not a scan of `out`: a hostile page can carry a great
    // many links.
    let mut seen: HashSet<String> = HashSet::new();
    for l in doc.select(&LINK) {
        if out.len() == MAX_DISCOVERED_FEEDS {
            break;
        }
        let v = l.value();
        let rel = v.attr("rel").unwrap_or("").to_ascii_lowercase();
        if !rel.split_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let ty = v.attr("type").unwrap_or("").trim().to_ascii_lowercase();
        let kind = match ty.split(';').next().unwrap_or("").trim() {
            "application/rss+xml" => FeedKind::Rss,
            "application/atom+xml" => FeedKind::Atom,
            "application/feed+json" | "application/json" => FeedKind::JsonFeed,
            _ => continue,
        };
        let Some(href) = v.attr("href") else { continue };
        let Ok(abs) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(abs.scheme(), "http" | "https") {
            continue;
        }
        let title = v.attr("title").unwrap_or("").to_lowercase();
        let path = abs.path().to_ascii_lowercase();
        // A comments feed (WordPress advertises one on every post) holds
        // readers' comments, not the company's news.
        if [
            "comment",
            "kommentar",
            "commentaire",
            "comentario",
            "comentário",
        ]
        .iter()
        .any(|w| title.contains(w))
            || path.contains("/comments/")
            || path.ends_with("/comments")
        {
            continue;
        }
        // Plain `application/json` is a JSON Feed only when it says so:
        // WordPress links every page to its REST API record that way.
        if ty.starts_with("application/json")
            && (path.contains("/wp-json/") || !(title.contains("feed") || path.contains("feed")))
        {
            continue;
        }
        let url = abs.to_string();
        if !seen.insert(url.clone()) {
            continue;
        }
        out.push(DiscoveredFeed {
            url,
            kind,
            title: v
                .attr("title")
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
        });
    }
    out
}

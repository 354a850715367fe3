//! News items: [`Article`] and its extraction from an HTML page.
//!
//! schema.org `NewsArticle` / `Article` / `BlogPosting` / `ReportageNewsArticle`
//! / `PressRelease` JSON-LD comes first (top-level objects, arrays and
//! `@graph`): `headline`, `datePublished`, `articleBody`, `url`. Without it,
//! the page's title (`og:title`, `<h1>`, `<title>`), date
//! (`article:published_time`, `<time datetime>`) and main text (`<article>`,
//! `<main>`, else the body's paragraphs) are used; without a date in the
//! markup, a date written out at the top of the page (a line of its own,
//! "November 1, 2026", or a press release's dateline, "SAN FRANCISCO, Nov.
//! 1, 2026 /PRNewswire/ --"). A date written relative to the page
//! ("yesterday", "2 days ago") is resolved against a `published` anchor.

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

use crate::text::{normalize, resolve_relative_date};

/// A news item: a feed entry, a press release, a saved article.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Article {
    /// Where it was published.
    pub url: Option<String>,
    /// Headline.
    pub title: String,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Plain text of the body (or the feed entry's summary).
    pub text: String,
}

impl Article {
    /// An article from plain text: the first non-empty line is the title.
    pub fn from_text(text: &str, url: Option<&str>, published: Option<DateTime<Utc>>) -> Article {
        let text = normalize(text);
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let title = lines.next().unwrap_or("").to_owned();
        let rest: Vec<&str> = lines.collect();
        Article {
            url: url.map(str::to_owned),
            title,
            published,
            text: rest.join("\n"),
        }
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

static LD_JSON: LazyLock<Selector> = LazyLock::new(|| sel(r#"script[type="application/ld+json"]"#));
static OG_TITLE: LazyLock<Selector> = LazyLock::new(|| sel(r#"meta[property="og:title"]"#));
static PUBLISHED_META: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        r#"meta[property="article:published_time"], meta[name="date"], meta[name="pubdate"], meta[itemprop="datePublished"], meta[name="DC.date.issued"]"#,
    )
});
static TIME: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime]"));
static H1: LazyLock<Selector> = LazyLock::new(|| sel("h1"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static MAIN: LazyLock<Selector> = LazyLock::new(|| sel("article, main, [role=main]"));
static BLOCKS: LazyLock<Selector> = LazyLock::new(|| sel("p, h2, h3, li, blockquote"));
static BODY: LazyLock<Selector> = LazyLock::new(|| sel("body"));
static ARTICLE: LazyLock<Selector> = LazyLock::new(|| sel("article"));
static HEADING: LazyLock<Selector> = LazyLock::new(|| sel("h1, h2, h3, h4"));
static PARAGRAPHS: LazyLock<Selector> = LazyLock::new(|| sel("p, li, blockquote"));
static LINK: LazyLock<Selector> = LazyLock::new(|| sel("a[href]"));

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "BlogPosting",
    "ReportageNewsArticle",
    "PressRelease",
    "AnalysisNewsArticle",
    "TechArticle",
];

fn is_article_type(v: &serde_json::Value) -> bool {
    match v.get("@type") {
        Some(serde_json::Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
        Some(serde_json::Value::Array(ts)) => ts
            .iter()
            .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
        _ => false,
    }
}

/// The most article objects read from one page's JSON-LD: a listing page
/// names a few dozen; a page naming thousands is hostile.
pub const MAX_LD_ARTICLES: usize = 50;

fn collect_ld(v: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
    if out.len() >= MAX_LD_ARTICLES {
        return;
    }
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_ld(i, out)),
        serde_json::Value::Object(map) => {
            if is_article_type(v) && out.len() < MAX_LD_ARTICLES {
                out.push(v.clone());
            }
            if let Some(g) = map.get("@graph") {
                collect_ld(g, out);
            }
        }
        _ => {}
    }
}

/// Parses a date as RFC 3339, RFC 2822, `YYYY-MM-DD[ HH:MM[:SS]]`, or a
/// relative date ("yesterday", "vor 2 Tagen") against `anchor`.
pub fn parse_date(s: &str, anchor: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    // ISO 8601 with an offset written without its colon (`-0800`).
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    if let Some(d) = s
        .get(..10)
        .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
    {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    let d = resolve_relative_date(s, anchor?)?;
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// The links of a press page whose text reads as a funding round ("Acme
/// raises $20 million Series A"), on the company's `site` (that domain or a
/// subdomain of it, whatever site the page itself is on: a press page that
/// redirected to a newswire lists other companies' rounds), not the page
/// itself: the announcements a listing names without their dates, which
/// their own pages give. At most `max`: the newest first, by the latest year
/// written in each link's entry (its text, or the card or list item holding
/// it), else in its path (`/news/2026/11/...`), those without a year
/// first, in the page's order (a newsroom may
/// list its oldest news first; a year in a title, "Series A (2019)", tells
/// an old one).
pub fn funding_links(html: &str, page_url: &str, site: &str, max: usize) -> Vec<url::Url> {
    let Ok(base) = url::Url::parse(page_url) else {
        return Vec::new();
    };
    let host_of = |u: &url::Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
    };
    let home = site.trim_start_matches("www.").to_ascii_lowercase();
    let doc = Html::parse_document(html);
    let mut out: Vec<(url::Url, Option<i32>)> = Vec::new();
    for a in doc.select(&LINK).take(2_000) {
        if out.len() >= MAX_FUNDING_LINKS_CONSIDERED {
            break;
        }
        let Some(mut link) = a
            .value()
            .attr("href")
            .filter(|h| h.len() <= 2048)
            .and_then(|h| base.join(h.trim()).ok())
        else {
            continue;
        };
        link.set_fragment(None);
        let on_site = host_of(&link).is_some_and(|h| h == home || h.ends_with(&format!(".{home}")));
        if !matches!(link.scheme(), "http" | "https")
            || !on_site
            || link.as_str().trim_end_matches('/') == base.as_str().trim_end_matches('/')
            || out.iter().any(|(l, _)| *l == link)
        {
            continue;
        }
        let text: String = text_of(a).chars().take(300).collect();
        if crate::funding::extract_sentence(&text, None, None, None)
            .event
            .is_some()
        {
            let year = entry_year(a, &text).or_else(|| path_year(&link));
            out.push((link, year));
        }
    }
    // Stable: the page's order among equals.
    out.sort_by_key(|&(_, year)| std::cmp::Reverse(year.unwrap_or(i32::MAX)));
    out.into_iter().take(max).map(|(l, _)| l).collect()
}

/// The funding links of a listing weighed before the newest are taken.
const MAX_FUNDING_LINKS_CONSIDERED: usize = 50;

/// A year, 1990-2099.
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:199\d|20\d\d)\b").expect("valid pattern"));

/// The year of a permalink's path (`/news/2026/11/series-c`,
/// `/2019-03-12-series-a`): its first segment that is a year or opens
/// with one.
fn path_year(link: &url::Url) -> Option<i32> {
    link.path_segments()?
        .filter_map(|seg| {
            let y = seg.get(..4)?;
            let rest = &seg[4..];
            (YEAR.is_match(y) && (rest.is_empty() || rest.starts_with(['-', '_', '.'])))
                .then(|| y.parse().ok())
                .flatten()
        })
        .next()
}

/// The latest year written in the entry of link `a` (whose text is
/// `text`): in its text, else in the nearest element around it with more
/// text than the link and no other link (its card or list item), if that
/// is short enough to be one entry.
fn entry_year(a: ElementRef<'_>, text: &str) -> Option<i32> {
    let latest = |t: &str| {
        YEAR.find_iter(t)
            .filter_map(|m| m.as_str().parse::<i32>().ok())
            .max()
    };
    if let Some(y) = latest(text) {
        return Some(y);
    }
    // The entry holds this link alone: an element around several is the
    // listing (or a part of it), whose years are other entries'.
    let entry = a
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(4)
        .take_while(|e| e.select(&LINK).nth(1).is_none())
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .find(|t| normalize(t).trim() != text)?;
    (entry.len() <= 600).then(|| latest(&entry)).flatten()
}

fn text_of(e: ElementRef<'_>) -> String {
    normalize(&e.text().collect::<Vec<_>>().join(" "))
        .trim()
        .to_owned()
}

fn str_field(v: &serde_json::Value, k: &str) -> Option<String> {
    match v.get(k)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first()?.as_str().map(str::to_owned),
        serde_json::Value::Object(o) => o
            .get("@id")
            .or_else(|| o.get("url"))?
            .as_str()
            .map(str::to_owned),
        _ => None,
    }
}

/// The article(s) on an HTML page. `url` is the page's address; `anchor`
/// is the date relative dates on the page are resolved against (the fetch
/// date, or a feed entry's date). JSON-LD articles come first (a page may
/// list several); otherwise the page itself is one article. A page with
/// neither a title nor text gives none.
pub fn articles_from_html(
    html: &str,
    url: Option<&str>,
    anchor: Option<NaiveDate>,
) -> Vec<Article> {
    let doc = Html::parse_document(html);
    let page_text = main_text(&doc);
    let mut ld = Vec::new();
    for script in doc.select(&LD_JSON) {
        let raw: String = script.text().collect();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.trim()) {
            collect_ld(&v, &mut ld);
        }
    }
    // Several objects are a listing only when they name different
    // articles: a single post often carries two (a theme's and an SEO
    // plugin's), both without a body.
    let listing = ld
        .iter()
        .map(|v| {
            (
                str_field(v, "url").or_else(|| str_field(v, "mainEntityOfPage")),
                str_field(v, "headline").or_else(|| str_field(v, "name")),
            )
        })
        .collect::<std::collections::HashSet<_>>()
        .len()
        > 1;
    let mut out = Vec::new();
    for v in &ld {
        let title = str_field(v, "headline")
            .or_else(|| str_field(v, "name"))
            .unwrap_or_default();
        let published = str_field(v, "datePublished")
            .or_else(|| str_field(v, "dateCreated"))
            .or_else(|| str_field(v, "dateModified"))
            .and_then(|d| parse_date(&d, anchor));
        let body = str_field(v, "articleBody")
            .or_else(|| str_field(v, "description"))
            .map(|b| normalize(&b));
        // One article: its body, or the page's text when the body is a
        // summary. Several (a listing): each its own body or only its
        // headline; the page's text would give every one of them the whole
        // listing, each round on it once per object, dated by that object.
        let text = match body {
            Some(b) if listing || b.len() >= page_text.len() / 2 => b,
            None if listing => String::new(),
            _ => page_text.clone(),
        };
        let link = str_field(v, "url")
            .or_else(|| str_field(v, "mainEntityOfPage"))
            .filter(|u| u.starts_with("http"))
            .or_else(|| url.map(str::to_owned));
        if title.is_empty() && text.is_empty() {
            continue;
        }
        out.push(Article {
            url: link,
            title: normalize(&title).trim().to_owned(),
            published,
            text,
        });
    }
    if !out.is_empty() {
        return out;
    }
    let listing = listing_articles(&doc, url, anchor);
    if !listing.is_empty() {
        return listing;
    }
    let title = doc
        .select(&OG_TITLE)
        .find_map(|m| {
            m.value()
                .attr("content")
                .map(|c| normalize(c).trim().to_owned())
        })
        .or_else(|| doc.select(&H1).next().map(text_of))
        .or_else(|| doc.select(&TITLE).next().map(text_of))
        .unwrap_or_default();
    let published = doc
        .select(&PUBLISHED_META)
        .find_map(|m| {
            m.value()
                .attr("content")
                .and_then(|c| parse_date(c, anchor))
        })
        .or_else(|| {
            doc.select(&TIME).find_map(|t| {
                t.value()
                    .attr("datetime")
                    .and_then(|c| parse_date(c, anchor))
            })
        })
        .or_else(|| written_date(&doc, anchor));
    if title.is_empty() && page_text.is_empty() {
        return Vec::new();
    }
    vec![Article {
        url: url.map(str::to_owned),
        title,
        published,
        text: page_text,
    }]
}

/// The entries of a listing page without JSON-LD (a press or blog index),
/// each with its heading, text and date, when there are at least two with
/// different dates. Read as one article, the page would give a round told
/// in an old entry the date of the newest one. Entries are its `<article>`
/// elements that carry their own `<time datetime>`; without those, the
/// block around each `<time datetime>` (the largest element holding that
/// date and no other: a list item, a card), when the blocks are siblings
/// and every one has a heading or a link. At most [`MAX_LD_ARTICLES`].
fn listing_articles(doc: &Html, url: Option<&str>, anchor: Option<NaiveDate>) -> Vec<Article> {
    let base = url.and_then(|u| url::Url::parse(u).ok());
    let date_of = |e: ElementRef<'_>| {
        e.select(&TIME).find_map(|t| {
            t.value()
                .attr("datetime")
                .and_then(|c| parse_date(c, anchor))
        })
    };
    // Innermost entries only: an outer <article> holds its inner ones' text,
    // which would be read again under the outer one's date.
    let articles: Vec<Article> = doc
        .select(&ARTICLE)
        .filter(|e| !e.select(&ARTICLE).any(|inner| inner.id() != e.id()))
        .take(MAX_LD_ARTICLES)
        .filter_map(|e| entry_article(e, date_of(e)?, base.as_ref(), url))
        .collect();
    if is_listing(&articles) {
        return articles;
    }
    let mut blocks: Vec<ElementRef<'_>> = Vec::new();
    for time in doc.select(&TIME).take(MAX_LD_ARTICLES) {
        let block = time
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take_while(|a| !matches!(a.value().name(), "body" | "html" | "main"))
            .take_while(|a| a.select(&TIME).nth(1).is_none())
            .last();
        match block {
            Some(b) if !blocks.iter().any(|seen| seen.id() == b.id()) => blocks.push(b),
            Some(_) => {}
            // A date with no block of its own (two dates in one element):
            // not a list of dated entries.
            None => return Vec::new(),
        }
    }
    // Entries of one list sit side by side: dated blocks in different
    // places (an article's own header and its "related" cards) are no list.
    let parent = |b: &ElementRef<'_>| b.parent().map(|p| p.id());
    if blocks
        .first()
        .is_some_and(|first| blocks.iter().any(|b| parent(b) != parent(first)))
    {
        return Vec::new();
    }
    let mut entries = Vec::new();
    for b in blocks {
        let Some(published) = date_of(b) else {
            continue;
        };
        match entry_article(b, published, base.as_ref(), url) {
            Some(a) if !a.title.is_empty() => entries.push(a),
            // A dated block without a heading or link is no entry: the
            // page is not a list of them.
            _ => return Vec::new(),
        }
    }
    if is_listing(&entries) {
        entries
    } else {
        Vec::new()
    }
}

/// At least two entries, not all of one date.
fn is_listing(entries: &[Article]) -> bool {
    let first = entries.first().and_then(|a| a.published);
    entries.len() >= 2 && entries.iter().any(|a| a.published != first)
}

/// One listing entry: its heading (else its first link's text), its
/// paragraphs (else its whole text), its first http(s) link (else the
/// page's address).
fn entry_article(
    e: ElementRef<'_>,
    published: DateTime<Utc>,
    base: Option<&url::Url>,
    url: Option<&str>,
) -> Option<Article> {
    let links: Vec<(url::Url, ElementRef<'_>)> = e
        .select(&LINK)
        .filter_map(|a| {
            let href = a.value().attr("href")?;
            let u = match base {
                Some(b) => b.join(href).ok(),
                None => url::Url::parse(href).ok(),
            }?;
            matches!(u.scheme(), "http" | "https").then_some((u, a))
        })
        .collect();
    let title = e
        .select(&HEADING)
        .next()
        .map(text_of)
        .or_else(|| links.first().map(|(_, a)| text_of(*a)))
        .unwrap_or_default();
    let mut text: Vec<String> = e
        .select(&PARAGRAPHS)
        .map(text_of)
        .filter(|t| !t.is_empty())
        .collect();
    if text.is_empty() {
        let all = text_of(e);
        if all != title {
            text.push(all);
        }
    }
    if title.is_empty() && text.is_empty() {
        return None;
    }
    Some(Article {
        url: links
            .first()
            .map(|(u, _)| u.to_string())
            .or_else(|| url.map(str::to_owned)),
        title,
        published: Some(published),
        text: text.join("\n"),
    })
}

/// Abbreviations of the months (with or without their period), besides
/// the full names of [`crate::funding::MONTH_NAMES`]: English, and the
/// German, French, Spanish and Portuguese ones that are not also English.
const MONTH_ABBREVIATIONS: [(&str, u32); 28] = [
    ("jan", 1),
    ("janv", 1),
    ("jän", 1),
    ("ene", 1),
    ("feb", 2),
    ("févr", 2),
    ("fev", 2),
    ("mar", 3),
    ("mär", 3),
    ("apr", 4),
    ("avr", 4),
    ("abr", 4),
    ("jun", 6),
    ("jul", 7),
    ("juil", 7),
    ("aug", 8),
    ("ago", 8),
    ("sep", 9),
    ("sept", 9),
    ("set", 9),
    ("oct", 10),
    ("okt", 10),
    ("out", 10),
    ("nov", 11),
    ("dec", 12),
    ("déc", 12),
    ("dez", 12),
    ("dic", 12),
];

/// A whole date written out: "November 1, 2026", "Nov. 1st, 2026", "1
/// November 2026", "1. November 2026", "1er novembre 2026", "1° de
/// noviembre de 2026", "2026-11-01", "01.11.2026" (day first: a date with
/// slashes is not read, its order is the writer's).
static WRITTEN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<&str> = crate::funding::MONTH_NAMES
        .iter()
        .chain(&MONTH_ABBREVIATIONS)
        .map(|&(n, _)| n)
        .collect();
    let months = names.join("|");
    Regex::new(&format!(
        r"(?i)\b(?P<m1>{months})\b\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d\d)\b|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er|º|°|\.)?\s+(?:de\s+)?(?P<m2>{months})\b\.?,?\s+(?:de\s+)?(?P<y2>(?:19|20)\d\d)\b|\b(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d)\b|\b(?P<d4>\d{{1,2}})\.(?P<m4>\d{{1,2}})\.(?P<y4>(?:19|20)\d\d)\b"
    ))
    .expect("valid date pattern")
});

/// What follows the date of a press release's dateline ("SAN FRANCISCO,
/// Nov. 1, 2026 /PRNewswire/ -- Acme ...", "NEW YORK, NY / ACCESSWIRE /
/// November 1, 2026 / Acme ...", "Madrid, 1 de noviembre de 2026.- Acme",
/// "Boston, MA (November 1, 2026) - Acme"; the text is normalized: its
/// dashes are `-`).
static DATELINE_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\)?\s*(?:\([^)]{1,40}\)\s*)?(?:\.?\s*-+\s|/\s*\p{L}[\w .-]{0,30}/|/\s|\(?(?:business\s*wire|globe\s*newswire|accesswire|prnewswire|pr\s*newswire)\)?)")
        .expect("valid dateline pattern")
});

/// What follows a byline's date: nothing, a time ("09:00 AM Eastern
/// Standard Time"), or the byline's next part after a separator ("| 3 min
/// read"). Not an entry's text ("March 3, 2019 - Seed").
static DATE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:$|[|·•,]|\d{1,2}[:h.]\d\d|(?:at|um|à|a las)\s+\d|(?:by|von|par|por)\s+(?-i:\p{Lu}))",
    )
    .expect("valid pattern")
});

/// A wire's name in brackets after a date that opens a release.
static WIRE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\((?:business\s*wire|globe\s*newswire|accesswire|prnewswire|pr\s*newswire|prweb|einpresswire|cnw|newswire)\)")
        .expect("valid pattern")
});

/// What comes before the date of a dateline: nothing (a release that opens
/// with its date), or a place in words that start with a capital, with its
/// particles, a wire's name in brackets and the separator before the date
/// ("SAN FRANCISCO,", "München,", "NEW YORK, NY / ACCESSWIRE /", "PARIS,
/// le", "BOSTON, MA -", "Boston, MA (", "LYON (France), le", "Ciudad de
/// México, a", "SAN FRANCISCO (PRWEB)").
static DATELINE_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:[\p{Lu}\d][\p{L}\p{M}\d.'’&]*|\([^)]{1,30}\)|de|del|do|da|la)(?:\s+|\s*[,/(-]\s*|$))*(?:(?:le|am|den|el|em|a)\s+)?$",
    )
    .expect("valid place pattern")
});

/// The date a [`WRITTEN_DATE`] match names, if it is a day of the calendar.
fn date_of(c: &regex::Captures<'_>) -> Option<NaiveDate> {
    let month = |m: &str| {
        let lower = m.to_lowercase();
        crate::funding::MONTH_NAMES
            .iter()
            .chain(&MONTH_ABBREVIATIONS)
            .find(|(n, _)| *n == lower)
            .map(|&(_, k)| k)
    };
    let num = |name: &str| c.name(name)?.as_str().parse::<u32>().ok();
    let (y, m, d) = if let Some(y) = num("y1") {
        (y, month(c.name("m1")?.as_str())?, num("d1")?)
    } else if let Some(y) = num("y2") {
        (y, month(c.name("m2")?.as_str())?, num("d2")?)
    } else if let Some(y) = num("y3") {
        (y, num("m3")?, num("d3")?)
    } else {
        (num("y4")?, num("m4")?, num("d4")?)
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// The longest line, in characters, read as a line giving the page's date
/// ("Published: November 1, 2026", "By Jane Doe | Nov 1, 2026").
const DATE_LINE_CHARS: usize = 60;

/// The lines after the headline where a page's date is read: its byline,
/// before the text begins.
const BYLINE_LINES: usize = 4;

/// Words that make a date another date than the page's publication (an
/// update, a founding, a copyright, an event), read before the date.
static OTHER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)©|\b(?:updated?|last\s+modified|modified|revised|reviewed|fact[\s-]checked|edited|mise\s+à\s+jour|actualizaci[oó]n|aktualisierung|änderung|atualiza[cç][aã]o|refreshed|offer|promo|meet\s+us|aktualisiert|geändert|mis\s+à\s+jour|modifié|actualizado|atualizado|founded|established|since|gegründet|seit|fondée?|créée?|fundad[ao]|copyright|events?|webinars?|conferences?|summit|deadline|expires|valid|register|starts?|ends?|until|bis|jusqu'au)\b",
    )
    .expect("valid pattern")
});

/// What comes before the date of a byline line: nothing, or a byline's
/// word and what follows it up to the date ("By Jane Doe | ", "By Jane Doe
/// on ", "Posted on ", "Published: "). Not a sentence's or another line's
/// words ("Follows the seed round closed on ", "Previous round | ", "Photo:
/// Acme | ", "Winner, Deloitte Fast 50 | ", "Date: " on an event's page).
static BYLINE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:|(?:by|von|par|por|posted|published|written\s+by|veröffentlicht|publié|publicado|publicada)\b.{0,40})$",
    )
    .expect("valid pattern")
});

/// A part of a byline before its date, between separators (`·`, `|`, `•`,
/// `/`, dashes), other than a "By ..." one: a weekday, a reading time, a
/// section's name, or an author's name (two to four capitalized words, no
/// digit, no colon: "Jane Doe", "María de la Cruz"; not "Previous round",
/// "Photo: Acme", "Winner, Deloitte Fast 50").
static BYLINE_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(?:
            (?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|
                montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|
                lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|
                lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|
                segunda(?:-feira)?|terça(?:-feira)?|terca(?:-feira)?|quarta(?:-feira)?|quinta(?:-feira)?|sexta(?:-feira)?)\.?
          | (?i:\d{1,3}\s*(?:min(?:ute)?s?\.?|minutes?)(?:\s+(?:read|de\s+lecture|de\s+lectura|de\s+leitura|lesezeit))?)
          | (?i:news|press|press\s+releases?|company\s+news|announcements?|blog|newsroom|funding|pressemitteilung|communiqué\s+de\s+presse|nota\s+de\s+prensa|comunicado\s+de\s+imprensa)
          | \p{Lu}[\p{L}\p{M}.'’-]*(?:\s+(?:(?:de|del|de\s+la|van|von|der|da|di|du|le|la|y)\s+)?\p{Lu}[\p{L}\p{M}.'’-]*){1,3}
        )$",
    )
    .expect("valid pattern")
});

/// Whether `before` (what a byline line has before its date) is a
/// byline's: nothing, "By ..." ([`BYLINE_BEFORE`]), or parts between
/// separators each a [`BYLINE_PART`] ("Jane Doe · 4 min read · ",
/// "Tuesday, ", "Press release | ", "Jane Doe on ").
fn byline_before(before: &str) -> bool {
    if BYLINE_BEFORE.is_match(before) {
        return true;
    }
    let before = before.trim();
    let before = before
        .strip_suffix(" on")
        .or_else(|| before.strip_suffix(" am"))
        .or_else(|| before.strip_suffix(" le"))
        .unwrap_or(before);
    let mut parts = before
        .split(['·', '|', '•', '/', '–', '—'])
        .map(|p| p.trim().trim_end_matches(',').trim())
        .filter(|p| !p.is_empty())
        .peekable();
    parts.peek().is_some() && parts.all(|p| BYLINE_PART.is_match(p))
}

/// Words that say a date is the page's publication, read before it.
static PUBLISHED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:published|posted|released|veröffentlicht|publié|publicado|publicada)\b")
        .expect("valid pattern")
});

/// Elements whose text is not the article's (site chrome, scripts,
/// captions of pictures).
const NOT_ARTICLE: [&str; 12] = [
    "footer",
    "nav",
    "aside",
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "button",
    "select",
    "figure",
    "figcaption",
];

/// Elements that start a line of text. Inline elements (`<strong>`,
/// `<time>`, a link) stay in their line, and so do table cells and
/// definition lists: a cell "March 3, 2015" beside one saying "Founded" is
/// no line of its own.
const BLOCK: [&str; 16] = [
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "section",
    "article",
    "main",
    "blockquote",
    "address",
    "body",
];

/// Headings below the page's own.
const SUBHEADING: [&str; 5] = ["h2", "h3", "h4", "h5", "h6"];

/// A line's text is cut here: a hostile page's long paragraph is not read
/// whole.
const LINE_CHARS: usize = 1_000;

/// A line of a page's text: a block element's; whether that is a
/// subheading, and whether all its text is a link's (an entry's title).
#[derive(Default)]
struct Line {
    text: String,
    subheading: bool,
    /// Characters of its text inside a link.
    linked: usize,
}

impl Line {
    fn is_link(&self) -> bool {
        self.linked > 0 && self.linked + 1 >= self.text.chars().count()
    }
}

/// Whether an element is site chrome or a caption without the tag that
/// says so: a `contentinfo`, `navigation` or `complementary` role, a
/// footer or sidebar by its class or id (`site-footer`, `#footer`), a
/// caption (WordPress's `wp-caption-text`): its dates are the site's or a
/// picture's.
fn is_chrome(e: &scraper::node::Element) -> bool {
    // Whole names: `has-sidebar` on a page's body is no sidebar.
    let chrome_name = |v: &str| {
        v.split_whitespace().any(|t| {
            let t = t.to_ascii_lowercase();
            // A part of the name between dashes (`site-footer`,
            // `wp-caption-text`), not a page's flag (`has-sidebar`).
            t.split(['-', '_'])
                .any(|part| matches!(part, "footer" | "sidebar" | "caption" | "widget"))
                && !t.starts_with("has-")
                && !t.starts_with("no-")
                && !t.starts_with("with-")
        })
    };
    matches!(
        e.attr("role"),
        Some("contentinfo" | "navigation" | "complementary")
    ) || e.attr("class").is_some_and(chrome_name)
        || e.attr("id").is_some_and(chrome_name)
}

/// The text of `root` as lines (see [`BLOCK`]), without the text of site
/// chrome and captions ([`NOT_ARTICLE`]); at most `max` lines. One walk
/// over the tree.
fn lines_of(root: ElementRef<'_>, max: usize) -> Vec<Line> {
    use ego_tree::iter::Edge;
    fn flush(lines: &mut Vec<Line>, current: &mut Line) {
        let text = current.text.trim();
        if !text.is_empty() {
            lines.push(Line {
                text: text.to_owned(),
                subheading: current.subheading,
                linked: current.linked,
            });
        }
        *current = Line::default();
    }
    let mut lines = Vec::new();
    let mut current = Line::default();
    // Elements open inside one not read (it included).
    let mut skipped = 0usize;
    // Links open.
    let mut in_link = 0usize;
    for edge in root.traverse() {
        if lines.len() >= max {
            return lines;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                scraper::Node::Element(e) => {
                    // The root itself is read whatever it is called.
                    if skipped > 0
                        || (node.id() != root.id()
                            && (NOT_ARTICLE.contains(&e.name()) || is_chrome(e)))
                    {
                        skipped += 1;
                    } else {
                        if BLOCK.contains(&e.name()) {
                            flush(&mut lines, &mut current);
                            current.subheading = SUBHEADING.contains(&e.name());
                        }
                        if e.name() == "a" {
                            in_link += 1;
                        }
                    }
                }
                scraper::Node::Text(t) if skipped == 0 && current.text.len() < LINE_CHARS => {
                    let t = normalize(t);
                    let t = t.trim();
                    if !t.is_empty() {
                        if !current.text.is_empty() {
                            current.text.push(' ');
                        }
                        current.text.push_str(t);
                        if in_link > 0 {
                            current.linked += t.chars().count();
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let scraper::Node::Element(e) = node.value() {
                    if skipped > 0 {
                        skipped -= 1;
                    } else {
                        if e.name() == "a" {
                            in_link = in_link.saturating_sub(1);
                        }
                        if BLOCK.contains(&e.name()) {
                            flush(&mut lines, &mut current);
                        }
                    }
                }
            }
        }
    }
    flush(&mut lines, &mut current);
    lines.truncate(max);
    lines
}

/// The dates `line` gives as a page's date, each with whether it is
/// labelled as the publication: a whole date that is the line (at most
/// [`DATE_LINE_CHARS`]) after nothing, a separator or an author as a
/// byline writes them, and not after words of another date ("Updated",
/// "Founded", "since", "©", an event), unless labelled ("Published",
/// "Posted"), here or on the short line before it (`previous`: "Updated"
/// above the date); or that opens a press release's dateline.
fn line_dates(line: &str, previous: Option<&str>) -> Vec<(NaiveDate, bool)> {
    let own_line = line.chars().count() <= DATE_LINE_CHARS;
    // A short line before a bare date labels it.
    let label_above = previous.filter(|p| p.chars().count() <= 24);
    // A dateline's date opens its line.
    let head: String = line.chars().take(200).collect();
    let mut out = Vec::new();
    let mut segment_start = 0;
    for c in WRITTEN_DATE.captures_iter(&head) {
        let Some(whole) = c.get(0) else {
            continue;
        };
        let before = &head[..whole.start()];
        // The words since the previous date ("Published March 12, 2019 ·
        // Updated December 1, 2026": the second is the update).
        let segment = &head[segment_start..whole.start()];
        segment_start = whole.end();
        let bare = before.trim().is_empty();
        let labelled = PUBLISHED_LABEL.is_match(segment)
            || (bare && label_above.is_some_and(|p| PUBLISHED_LABEL.is_match(p)));
        let other = OTHER_DATE.is_match(segment)
            || (bare && label_above.is_some_and(|p| OTHER_DATE.is_match(p)));
        // A release opening with its date needs a wire's name after it
        // ("Nov. 01, 2026 (GLOBE NEWSWIRE) --"): a line "March 3, 2019 -
        // Seed" is a list's.
        // A place is a few words, or a city in capitals ("SAN
        // FRANCISCO"), not a headline's ("Acme Robotics Seed Round").
        let place = before.split([',', '(', '/']).next().unwrap_or_default();
        let short_place = place.split_whitespace().count() <= 3
            || place
                .split_whitespace()
                .next()
                .is_some_and(|w| w.chars().count() > 1 && !w.chars().any(char::is_lowercase));
        let dateline = whole.start() <= 80
            && short_place
            && !other
            && DATELINE_PLACE.is_match(before)
            && (!bare || WIRE_AFTER.is_match(&head[whole.end()..]))
            && DATELINE_END.is_match(&head[whole.end()..]);
        // A day-first dotted date ("11.03.2026") is a European dateline's;
        // in a byline it may be month-first.
        let date_line = own_line
            && c.name("d4").is_none()
            && DATE_AFTER.is_match(&head[whole.end()..])
            && (labelled || (byline_before(before) && !other));
        if let Some(d) = date_of(&c).filter(|_| dateline || date_line) {
            out.push((d, labelled));
        }
    }
    out
}

/// `s` with every run of white space one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Of dates found with their labels: the one they agree on, else the one
/// labelled as the publication, else none.
fn agreed(found: &[(NaiveDate, bool)]) -> Option<NaiveDate> {
    let first = found.first()?.0;
    if found.iter().all(|(d, _)| *d == first) {
        return Some(first);
    }
    let mut labelled = found.iter().filter(|(_, l)| *l).map(|(d, _)| *d);
    let d = labelled.next()?;
    labelled.all(|x| x == d).then_some(d)
}

/// A date written out in the byline of an article page whose markup gives
/// none. The lines right after its `<h1>` ([`BYLINE_LINES`]: past a
/// subheadline, up to another subheading or an entry's linked title; from
/// the start of its main text without one; footers, navigation, asides
/// and captions not read) are searched for dates as [`line_dates`] reads
/// them, and the page's date is the one they agree on, else the labelled
/// one. None when the page reads as a listing of entries with their own
/// dates: two or more linked subheadings, or dates that differ anywhere in
/// its first lines (a wrong date is worse than none: an old round would
/// score as new, a new one as old). A date inside a sentence ("Acme,
/// founded on March 3, 2015, today announced ...") dates something else
/// and is not read.
fn written_date(doc: &Html, anchor: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    let root = article_root(doc)?;
    let linked_subheadings = root
        .select(&HEADING)
        .filter(|h| h.value().name() != "h1" && h.select(&LINK).next().is_some())
        .take(2)
        .count();
    if linked_subheadings >= 2 {
        return None;
    }
    let heading = doc.select(&H1).next().map(text_of);
    let mut lines = lines_of(root, 64);
    // What follows a "Related news" heading is other pages', dates too.
    if let Some(i) = lines
        .iter()
        .position(|l| l.text.chars().count() <= 60 && RELATED.is_match(&l.text))
    {
        lines.truncate(i);
    }
    // Each line's dates, read once, none after the day the page was read.
    let in_time = |d: &NaiveDate| anchor.is_none_or(|a| *d <= a + chrono::Duration::days(1));
    let per_line: Vec<Vec<(NaiveDate, bool)>> = (0..lines.len())
        .map(|i| {
            let previous = i.checked_sub(1).map(|p| lines[p].text.as_str());
            let mut dates = line_dates(&lines[i].text, previous);
            dates.retain(|(d, _)| in_time(d));
            dates
        })
        .collect();
    // Dates that differ across the page's lines are a listing's; one
    // labelled as the publication anywhere is the page's.
    let all: Vec<(NaiveDate, bool)> = per_line.iter().flatten().copied().collect();
    agreed(&all)?;
    let labelled: Vec<(NaiveDate, bool)> = all.iter().copied().filter(|(_, l)| *l).collect();
    let start = heading
        .filter(|h| !h.is_empty())
        .and_then(|h| {
            // Compared with its spaces collapsed: a pretty-printed heading
            // keeps line breaks that the lines do not.
            let h = collapse(&h);
            lines.iter().position(|l| collapse(&l.text) == h)
        })
        .map_or(0, |i| i + 1);
    // A subheadline right under the headline is part of it.
    let start = match lines.get(start) {
        Some(l) if l.subheading && !l.is_link() => start + 1,
        _ => start,
    };
    let mut found = Vec::new();
    for i in (start..lines.len()).take(BYLINE_LINES) {
        if lines[i].subheading || lines[i].is_link() {
            break;
        }
        found.extend_from_slice(&per_line[i]);
    }
    // A date labelled as the publication anywhere is the page's, unless
    // the byline or the dateline says another.
    let date = match (agreed(&labelled), agreed(&found)) {
        (Some(l), Some(z)) if l != z => return None,
        (Some(l), _) => l,
        (None, z) => z?,
    };
    date.and_hms_opt(0, 0, 0).map(|t| t.and_utc())
}

/// The element holding a page's article: its largest `<article>` or
/// `<main>`, unless that holds under a quarter of the body's text or not
/// the page's `<h1>` when the body does (a related card marked up as an
/// article beside a post in plain `<div>`s), else the body.
fn article_root(doc: &Html) -> Option<ElementRef<'_>> {
    let len = |e: &ElementRef<'_>| e.text().map(str::len).sum::<usize>();
    let body = doc.select(&BODY).next();
    let main = doc.select(&MAIN).max_by_key(len);
    // The headline's element: a related card marked up as an article does
    // not hold the page's `<h1>`.
    let holds_h1 = |e: &ElementRef<'_>| e.select(&H1).next().is_some();
    match (main, body) {
        (Some(m), Some(b)) if len(&m) * 4 < len(&b) || (!holds_h1(&m) && holds_h1(&b)) => Some(b),
        (Some(m), _) => Some(m),
        (None, b) => b,
    }
}

fn main_text(doc: &Html) -> String {
    let Some(root) = article_root(doc) else {
        return String::new();
    };
    // Blocks in site chrome inside the root (an aside of related news, a
    // footer, a caption) are not the article's; a page wrapped whole in a
    // form (ASP.NET) is read as it is.
    let in_chrome = |e: &ElementRef<'_>| {
        e.ancestors()
            .take_while(|a| a.id() != root.id())
            .filter_map(ElementRef::wrap)
            .any(|a| {
                matches!(a.value().name(), "aside" | "nav" | "footer" | "figcaption")
                    || is_chrome(a.value())
            })
    };
    // At most this many blocks: a hostile page's nested lists would have
    // each read again inside the one around it.
    let all: Vec<ElementRef<'_>> = root.select(&BLOCKS).take(MAX_BLOCKS).collect();
    let read: Vec<&ElementRef<'_>> = all.iter().filter(|e| !in_chrome(e)).collect();
    let read = if read.is_empty() {
        all.iter().collect()
    } else {
        read
    };
    let blocks: Vec<(String, usize)> = read
        .into_iter()
        .map(|e| {
            let text = text_of(*e);
            let linked: usize = e.select(&LINK).take(50).map(|a| text_of(a).len()).sum();
            (text, linked)
        })
        .filter(|(t, _)| !t.is_empty())
        .collect();
    if blocks.is_empty() {
        return text_of(root);
    }
    let link_only = |(t, linked): &(String, usize)| *linked > 0 && linked + 2 >= t.len();
    // An article's body (more prose of its own than link text) lists other
    // pages' headlines apart, as runs of links (related news, "read
    // more"): they are not its news. A single linked sentence is its text;
    // a listing's text is its links.
    let (prose, links) = blocks.iter().fold((0, 0), |(p, l), b| {
        if link_only(b) {
            (p, l + b.0.len())
        } else {
            (p + b.0.len(), l)
        }
    });
    let article = prose >= ARTICLE_PROSE && prose >= links;
    // A run of three or more links is a list of other pages.
    let in_run = |i: usize| {
        let from = i.saturating_sub(2);
        (from..=i).any(|s| (s..s + 3).all(|k| blocks.get(k).is_some_and(link_only)))
    };
    let mut related = false;
    let mut out = Vec::new();
    for (i, (t, _)) in blocks.iter().enumerate() {
        // What follows a "Related news" heading is other pages', links
        // with their dates or not.
        if t.chars().count() <= 60 && RELATED.is_match(t) {
            related = article;
            continue;
        }
        if related || (article && in_run(i)) {
            continue;
        }
        out.push(t.as_str());
    }
    out.join("\n")
}

/// A heading over other pages' news.
static RELATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:related|read\s+more|more\s+(?:news|stories|posts|from)|you\s+(?:may|might)\s+also|latest\s+(?:news|posts)|recent\s+(?:news|posts)|further\s+reading|see\s+also|weitere|verwandte|à\s+lire\s+aussi|articles?\s+similaires|relacionad|noticias\s+relacionadas|leia\s+também)")
        .expect("valid pattern")
});

/// The most blocks of a page's main text read.
const MAX_BLOCKS: usize = 2_000;

/// The characters of text outside links that make a page an article, whose
/// listed links are other pages' headlines.
const ARTICLE_PROSE: usize = 200;

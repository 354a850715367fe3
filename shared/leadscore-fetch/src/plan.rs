//! The crawl plan: which same-site pages to fetch after the homepage.
//! Pure: HTML + base URL in, planned URLs with kinds out.

use std::collections::HashSet;

use scraper::{Html, Selector};
use url::Url;

/// What a fetched page is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    /// The start page of the site.
    Homepage,
    /// Careers / jobs (hiring signals).
    Careers,
    /// Pricing (business model signals).
    Pricing,
    /// Press / news / blog (funding and launch signals).
    Press,
    /// Contact.
    Contact,
}

impl PageKind {
    /// The non-homepage kinds, in the order the planner fills them.
    pub const LINKED: [PageKind; 4] = [
        PageKind::Careers,
        PageKind::Pricing,
        PageKind::Press,
        PageKind::Contact,
    ];

    /// Lower-case keywords (en, es, pt, fr, de) matched against a link's
    /// decoded path and anchor text.
    pub fn keywords(self) -> &'static [&'static str] {
        match self {
            PageKind::Homepage => &[],
            PageKind::Careers => &[
                "career",
                "jobs",
                "job-",
                "join-us",
                "joinus",
                "hiring",
                "work-with-us",
                "empleo",
                "trabaja-con",
                "vagas",
                "carreira",
                "trabalhe",
                "carrière",
                "carriere",
                "emploi",
                "recrutement",
                "karriere",
                "stellen",
                "rejoignez",
                "nous-rejoindre",
                "únete",
                "unete",
                "carreras",
                "vacantes",
                "empregos",
                "we-re-hiring",
                "open-positions",
                "open-roles",
            ],
            PageKind::Pricing => &[
                "pricing", "prices", "plans", "precios", "preços", "precos", "tarifs", "tarif",
                "preise", "planes", "planos",
            ],
            PageKind::Press => &[
                "press",
                "news",
                "blog",
                "media",
                "prensa",
                "noticias",
                "imprensa",
                "notícias",
                "presse",
                "actualit",
                "aktuelles",
                "neuigkeiten",
                "announcements",
            ],
            PageKind::Contact => &["contact", "kontakt", "contacto", "contato", "fale-conosco"],
        }
    }
}

/// Bounds for [`plan_pages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    /// Maximum number of pages planned (excluding the homepage).
    pub max_pages: usize,
    /// Maximum pages per kind.
    pub max_per_kind: usize,
    /// Only the first this-many `<a href>` elements are considered.
    pub max_links_considered: usize,
}

impl Default for PlanLimits {
    fn default() -> Self {
        Self {
            max_pages: 7,
            max_per_kind: 2,
            max_links_considered: 1000,
        }
    }
}

/// One page the crawl intends to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPage {
    /// Absolute URL, fragment removed.
    pub url: Url,
    /// What the page is expected to be.
    pub kind: PageKind,
}

/// The host without a leading `www.`, lower-cased.
fn site_host(url: &Url) -> Option<String> {
    let h = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(h.strip_prefix("www.").map(str::to_owned).unwrap_or(h))
}

/// Whether two URLs are on the same site: same host, treating `www.x` and
/// `x` as equivalent. Schemes and ports may differ (http → https upgrades).
pub fn same_site(a: &Url, b: &Url) -> bool {
    matches!((site_host(a), site_host(b)), (Some(x), Some(y)) if x == y)
}

fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Classify a link by its decoded path and anchor text.
pub fn classify_link(url: &Url, anchor_text: &str) -> Option<PageKind> {
    let path = percent_decode_lossy(url.path()).to_lowercase();
    // Anchor text: hyphens, apostrophes and runs of spaces count as one
    // space, so "Join us", "We're hiring" and "Trabaja con nosotros" match
    // the keywords `join-us`, `we-re-hiring` and `trabaja-con`.
    let text = anchor_text
        .to_lowercase()
        .replace(['-', '\'', '\u{2019}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Words that contain a keyword and are about something else.
    let (path, text) = (without_decoys(&path), without_decoys(&text));
    PageKind::LINKED.into_iter().find(|kind| {
        kind.keywords().iter().any(|k| {
            at_word_start(&path, k)
                || at_word_start(&text, &k.trim_end_matches('-').replace('-', " "))
        })
    })
}

/// `s` without the words that start like a keyword but name something else
/// (`/newsletter` is no press page, `/social-media` no media page).
fn without_decoys(s: &str) -> String {
    const DECOYS: [&str; 4] = ["newsletter", "social-media", "social media", "news-letter"];
    DECOYS
        .iter()
        .fold(s.to_owned(), |acc, d| acc.replace(d, " "))
}

/// The kind of a page on a subdomain of the site named for it
/// (`careers.acme.com`, `jobs.acme.com`, `news.acme.com`): companies often
/// host their careers site or newsroom there.
pub fn subdomain_kind(url: &Url, base: &Url) -> Option<PageKind> {
    let (host, site) = (site_host(url)?, site_host(base)?);
    let label = host.strip_suffix(&format!(".{site}"))?;
    match label {
        "careers" | "career" | "jobs" | "karriere" | "empleo" | "carreiras" | "carrieres" => {
            Some(PageKind::Careers)
        }
        "news" | "press" | "newsroom" | "blog" | "presse" => Some(PageKind::Press),
        _ => None,
    }
}

/// Whether `needle` occurs in `hay` at the start of a word or path segment,
/// so `press` matches `/press-releases` and `/company/press` but not
/// `/impressum` (every German site's legal notice).
fn at_word_start(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        hay[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

pub(crate) fn dedupe_key(url: &Url) -> String {
    let path = url.path().trim_end_matches('/');
    format!(
        "{}{}?{}",
        site_host(url).unwrap_or_default(),
        path,
        url.query().unwrap_or("")
    )
}

/// Plan the same-site pages to fetch from the homepage's HTML. At most
/// `limits.max_links_considered` links are looked at; the result holds at
/// most `limits.max_pages` de-duplicated URLs, filled round-robin over
/// [`PageKind::LINKED`] so every kind found gets a slot, shortest paths first.
pub fn plan_pages(html: &str, base: &Url, limits: &PlanLimits) -> Vec<PlannedPage> {
    plan_pages_from(&[(html, base)], limits)
}

/// [`plan_pages`] over the links of several start pages (a start page
/// with a path and the site's root): `limits.max_links_considered` links
/// of each; neither page is planned again.
pub fn plan_pages_from(starts: &[(&str, &Url)], limits: &PlanLimits) -> Vec<PlannedPage> {
    let Ok(selector) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    let mut seen: HashSet<String> = starts.iter().map(|(_, base)| dedupe_key(base)).collect();
    let mut by_kind: Vec<Vec<(usize, PlannedPage)>> = vec![Vec::new(); PageKind::LINKED.len()];
    for (i, (html, base)) in starts.iter().enumerate() {
        let first = i * limits.max_links_considered;
        links_by_kind(
            html,
            base,
            &selector,
            limits,
            first,
            &mut seen,
            &mut by_kind,
        );
    }
    fill(by_kind, limits)
}

/// The same-site links of one page by kind, each with its order (from
/// `first`); `seen` holds what is planned already.
fn links_by_kind(
    html: &str,
    base: &Url,
    selector: &Selector,
    limits: &PlanLimits,
    first: usize,
    seen: &mut HashSet<String>,
    by_kind: &mut [Vec<(usize, PlannedPage)>],
) {
    let doc = Html::parse_document(html);
    // Relative links resolve against the page's <base href>, as a browser
    // resolves them (feed discovery does the same).
    let link_base = Selector::parse("base[href]")
        .ok()
        .and_then(|sel| {
            let href = doc.select(&sel).next()?.value().attr("href")?;
            base.join(href.trim()).ok()
        })
        .filter(|b| matches!(b.scheme(), "http" | "https"))
        .unwrap_or_else(|| base.clone());
    for (order, el) in doc
        .select(selector)
        .take(limits.max_links_considered)
        .enumerate()
    {
        let order = first + order;
        let Some(href) = el.value().attr("href") else {
            continue;
        };
        if href.len() > 2048 {
            continue;
        }
        let Ok(mut url) = link_base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let on_subdomain = subdomain_kind(&url, base);
        if !same_site(&url, base) && on_subdomain.is_none() {
            continue;
        }
        url.set_fragment(None);
        let text: String = el
            .text()
            .take(16)
            .collect::<String>()
            .chars()
            .take(200)
            .collect();
        let Some(kind) = on_subdomain.or_else(|| classify_link(&url, &text)) else {
            continue;
        };
        if !seen.insert(dedupe_key(&url)) {
            continue;
        }
        if let Some(slot) = PageKind::LINKED.iter().position(|k| *k == kind) {
            by_kind[slot].push((order, PlannedPage { url, kind }));
        }
    }
}

/// The plan from the links by kind: shortest paths first, round-robin
/// over the kinds.
fn fill(mut by_kind: Vec<Vec<(usize, PlannedPage)>>, limits: &PlanLimits) -> Vec<PlannedPage> {
    for list in &mut by_kind {
        list.sort_by_key(|(order, p)| {
            (
                p.url.path().len() + p.url.query().map_or(0, str::len),
                *order,
            )
        });
    }
    let mut out = Vec::new();
    for round in 0..limits.max_per_kind {
        for list in &by_kind {
            if out.len() >= limits.max_pages {
                return out;
            }
            if let Some((_, p)) = list.get(round) {
                out.push(p.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://www.acme.test/").unwrap()
    }

    #[test]
    fn picks_kinds_across_languages_and_stays_on_site() {
        let html = r#"<html><body>
            <a href="/careers">Careers</a>
            <a href="https://acme.test/pricing#plans">Pricing</a>
            <a href="/blog/">Blog</a>
            <a href="/blog/some-long-post-title">post</a>
            <a href="/kontakt">Kontakt</a>
            <a href="https://evil.test/careers">offsite</a>
            <a href="mailto:x@acme.test">mail</a>
            <a href="javascript:alert(1)">js</a>
            <a href="/careers#top">dup</a>
            <a href="/about">About</a>
            <a href="/es/trabaja-con-nosotros">Únete</a>
        </body></html>"#;
        let plan = plan_pages(html, &base(), &PlanLimits::default());
        let got: Vec<(String, PageKind)> =
            plan.iter().map(|p| (p.url.to_string(), p.kind)).collect();
        assert_eq!(
            got,
            vec![
                (
                    "https://www.acme.test/careers".to_owned(),
                    PageKind::Careers
                ),
                ("https://acme.test/pricing".to_owned(), PageKind::Pricing),
                ("https://www.acme.test/blog/".to_owned(), PageKind::Press),
                (
                    "https://www.acme.test/kontakt".to_owned(),
                    PageKind::Contact
                ),
                (
                    "https://www.acme.test/es/trabaja-con-nosotros".to_owned(),
                    PageKind::Careers
                ),
                (
                    "https://www.acme.test/blog/some-long-post-title".to_owned(),
                    PageKind::Press
                ),
            ]
        );
    }

    #[test]
    fn relative_links_resolve_against_the_base_element() {
        let html = r#"<html><head><base href="/en/"></head><body>
            <a href="careers">Careers</a><a href="/pricing">Pricing</a></body></html>"#;
        let plan = plan_pages(html, &base(), &PlanLimits::default());
        let got: Vec<String> = plan.iter().map(|p| p.url.path().to_owned()).collect();
        assert_eq!(got, ["/en/careers", "/pricing"]);
    }

    #[test]
    fn careers_and_news_subdomains_and_decoy_words() {
        let html = r#"<html><body>
            <a href="https://careers.acme.test/">Work with us</a>
            <a href="https://news.acme.test/2026/launch">Launch</a>
            <a href="https://shop.acme.test/careers">shop</a>
            <a href="https://careers.acme.test.evil.test/">lookalike</a>
            <a href="/newsletter">Subscribe</a>
            <a href="/es/unete">Únete</a>
            <a href="/es/planes">Planes</a>
        </body></html>"#;
        let plan = plan_pages(html, &base(), &PlanLimits::default());
        let got: Vec<(String, PageKind)> =
            plan.iter().map(|p| (p.url.to_string(), p.kind)).collect();
        assert_eq!(
            got,
            vec![
                ("https://careers.acme.test/".to_owned(), PageKind::Careers),
                (
                    "https://www.acme.test/es/planes".to_owned(),
                    PageKind::Pricing
                ),
                (
                    "https://news.acme.test/2026/launch".to_owned(),
                    PageKind::Press
                ),
                (
                    "https://www.acme.test/es/unete".to_owned(),
                    PageKind::Careers
                ),
            ]
        );
    }

    #[test]
    fn keywords_match_at_word_starts_only() {
        let u = |p: &str| Url::parse(&format!("https://a.example{p}")).unwrap();
        assert_eq!(classify_link(&u("/impressum"), "Impressum"), None);
        assert_eq!(
            classify_link(&u("/press-releases"), ""),
            Some(PageKind::Press)
        );
        assert_eq!(
            classify_link(&u("/company/newsroom/"), ""),
            Some(PageKind::Press)
        );
        assert_eq!(
            classify_link(&u("/x"), "Latest news"),
            Some(PageKind::Press)
        );
        assert_eq!(classify_link(&u("/our-blog"), ""), Some(PageKind::Press));
    }

    #[test]
    fn non_english_keywords() {
        for (path, kind) in [
            ("/empleo", PageKind::Careers),
            ("/vagas", PageKind::Careers),
            ("/carri%C3%A8res", PageKind::Careers),
            ("/karriere", PageKind::Careers),
            ("/prensa", PageKind::Press),
            ("/imprensa", PageKind::Press),
            ("/presse", PageKind::Press),
            ("/precios", PageKind::Pricing),
            ("/pre%C3%A7os", PageKind::Pricing),
            ("/tarifs", PageKind::Pricing),
            ("/preise", PageKind::Pricing),
            ("/contacto", PageKind::Contact),
        ] {
            let u = base().join(path).unwrap();
            assert_eq!(classify_link(&u, ""), Some(kind), "{path}");
        }
        assert_eq!(
            classify_link(&base().join("/about").unwrap(), "About us"),
            None
        );
    }

    #[test]
    fn careers_by_anchor_text_in_five_languages() {
        let u = base().join("/p/123").unwrap();
        for text in [
            "Join us",
            "Work with us",
            "We\u{2019}re hiring!",
            "We're hiring",
            "Open positions",
            "Trabaja con nosotros",
            "Únete al equipo",
            "Trabalhe conosco",
            "Vagas",
            "Carrières",
            "Rejoignez-nous",
            "Nous rejoindre",
            "Karriere",
            "Offene Stellen",
        ] {
            assert_eq!(classify_link(&u, text), Some(PageKind::Careers), "{text}");
        }
    }

    #[test]
    fn budget_and_link_cap_are_respected() {
        let mut html = String::from("<html><body>");
        for i in 0..10_000 {
            html.push_str(&format!(
                "<a href=\"/jobs/{i}\">job</a><a href=\"/news/{i}\">n</a>"
            ));
        }
        let limits = PlanLimits {
            max_pages: 3,
            max_per_kind: 2,
            max_links_considered: 50,
        };
        let plan = plan_pages(&html, &base(), &limits);
        assert_eq!(plan.len(), 3);
        assert!(
            plan.iter()
                .all(|p| p.url.path().trim_start_matches("/jobs/").len() < 3
                    || p.url.path().trim_start_matches("/news/").len() < 3)
        );
    }

    #[test]
    fn www_equivalence() {
        let a = Url::parse("https://www.acme.test/").unwrap();
        let b = Url::parse("http://acme.test/x").unwrap();
        let c = Url::parse("https://shop.acme.test/").unwrap();
        assert!(same_site(&a, &b));
        assert!(!same_site(&a, &c));
    }
}

//! Site crawl orchestration: homepage, then the planned same-site pages.

use std::time::Duration;

use url::Url;

use crate::error::PageError;
use crate::fetcher::{Budget, Page, PageFetcher, SiteSession};
use crate::plan::{
    PageKind, PlanLimits, PlannedPage, classify_link, dedupe_key, plan_pages_from, same_site,
};
use crate::sitemap::{SitemapUrl, parse_sitemap};

/// Crawl settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrawlConfig {
    /// Maximum pages per site, homepage included.
    pub max_pages: usize,
    /// Maximum pages of one kind (careers, pricing, ...).
    pub max_per_kind: usize,
    /// Maximum `<a href>` elements considered on the homepage.
    pub max_links_considered: usize,
    /// Total time budget for the site.
    pub site_budget: Duration,
    /// Read `/sitemap.xml` (and up to two of an index's children): careers
    /// and press pages the homepage does not link, and news-sitemap entries.
    pub use_sitemap: bool,
    /// For a start URL with a path, read the site's root too. Off when the
    /// start is on a host other than the account's (a profile on a shared
    /// host: `linkedin.com/company/acme`), whose root is someone else's.
    pub read_root: bool,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            max_pages: 8,
            max_per_kind: 2,
            max_links_considered: 1000,
            site_budget: Duration::from_secs(60),
            use_sitemap: true,
            read_root: true,
        }
    }
}

/// One page of a crawl: what was planned and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawledPage {
    /// The planned URL.
    pub url: Url,
    /// The kind the planner assigned.
    pub kind: PageKind,
    /// The page, or why it could not be fetched.
    pub result: Result<Page, PageError>,
}

/// The outcome of crawling one site. Never an error as a whole: each page
/// carries its own result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCrawl {
    /// The start URL.
    pub start: Url,
    /// Homepage first, then the planned pages in plan order.
    pub pages: Vec<CrawledPage>,
    /// Requests sent (pages, redirects, robots.txt, sitemaps).
    pub requests: usize,
    /// Entries of the site's news sitemap (title and publication date), if
    /// it has one.
    pub sitemap_news: Vec<SitemapUrl>,
    /// The sitemap (or a child of its index) could not be read for a
    /// reason that may pass (a timeout, a 5xx, the crawl's budget): the
    /// pages and headlines it would have added are unknown, not gone.
    pub sitemap_unreachable: bool,
    /// Wall time of the whole crawl.
    pub elapsed: Duration,
}

impl SiteCrawl {
    /// Successfully fetched pages with their kinds.
    pub fn ok_pages(&self) -> impl Iterator<Item = (PageKind, &Page)> {
        self.pages
            .iter()
            .filter_map(|p| p.result.as_ref().ok().map(|page| (p.kind, page)))
    }
}

/// Turn user input (`acme.com`, `https://acme.com/x`) into a start URL.
/// Bare domains get `https://`; non-http(s) schemes are refused. A scheme is
/// what comes before the first `://` when no `/`, `?` or `#` does: in
/// `acme.com/?next=http://x` the `://` is in the query, and the input is a
/// bare domain with a path.
pub fn parse_start_url(input: &str) -> Result<Url, PageError> {
    let input = input.trim();
    let has_scheme = input
        .find("://")
        .is_some_and(|i| !input[..i].contains(['/', '?', '#']));
    let with_scheme = if has_scheme {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| PageError::BadUrl(format!("{input}: {e}")))?;
    crate::guard::check_scheme(&url)?;
    crate::guard::check_no_credentials(&url)?;
    if url.host().is_none() {
        return Err(PageError::BadUrl(format!("{input}: no host")));
    }
    Ok(url)
}

/// Crawl one site: fetch `start`, plan same-site pages from its links (based
/// on the final URL after redirects) and fetch them one by one under one
/// [`SiteSession`] (shared budget, robots cache, politeness). Failures are
/// recorded per page and never stop the crawl. Run many of these
/// concurrently with one shared fetcher for many sites.
pub async fn crawl_site(fetcher: &dyn PageFetcher, start: &Url, config: &CrawlConfig) -> SiteCrawl {
    let started = std::time::Instant::now();
    let session = SiteSession::new(Budget::new(config.site_budget));
    let mut home = fetcher.fetch(start, &session).await;
    let mut home_url = start.clone();
    // A domain taken from an email often answers only on `www.` (no
    // address for the apex, or a certificate for www only) or only over
    // plain http: when the host cannot be reached at all, those are tried.
    // When none is read but one answered (a robots.txt that disallows the
    // crawl, a 404) and the start has no address at all, that answer is
    // the homepage's outcome: the reason the site was not read. A start
    // that refused or dropped the connection may be down for a moment: its
    // failure stands (it may pass; the last snapshot's data is kept).
    if home.as_ref().is_err_and(host_unreachable) {
        let no_address = home.as_ref().is_err_and(no_such_host);
        let mut answered = None;
        for alt in alternate_homes(start) {
            let r = fetcher.fetch(&alt, &session).await;
            match &r {
                Ok(_) => {
                    tracing::info!(from = %start, to = %alt, "homepage reached at another address");
                    answered = Some((r, alt));
                    break;
                }
                Err(e) if no_address && answered.is_none() && !host_unreachable(e) => {
                    answered = Some((r, alt));
                }
                Err(_) => {}
            }
        }
        if let Some((r, alt)) = answered {
            home = r;
            home_url = alt;
        }
    }
    // A start with a path (a CRM's "website" may be `/en/`, `/pricing`,
    // `/home`) is read, and so is the site's root: its links (the careers
    // and press pages) are the site's, which the start page may not have.
    // A start the site answered without a page (a stale deep link's 404)
    // leaves the root to read.
    let with_path = config.read_root && config.max_pages > 1 && home_url.path() != "/";
    let root_of = |u: &Url| {
        let mut root = u.clone();
        root.set_path("/");
        root.set_query(None);
        root.set_fragment(None);
        root
    };
    let root_url = match &home {
        // Asked for a path, and not sent to the root or from it (`/` to
        // `/en/` is the site's own start).
        // The root of where the start ended, on its site; the start's own
        // root when it redirected to another site (a careers link sent to
        // an ATS: the ATS's root is not the account's).
        Ok(page) if with_path && page.final_url.path() != "/" => {
            Some(if same_site(&home_url, &page.final_url) {
                root_of(&page.final_url)
            } else {
                root_of(&home_url)
            })
        }
        Err(e) if with_path && site_answered(e) => Some(root_of(&home_url)),
        _ => None,
    };
    let root = match root_url {
        Some(root) => {
            let result = fetcher.fetch(&root, &session).await;
            Some(CrawledPage {
                url: root,
                kind: PageKind::Homepage,
                result,
            })
        }
        _ => None,
    };
    // Unless it ends where the start did (`/` redirecting to `/en/`).
    let root = root.filter(|r| match (&r.result, &home) {
        (Ok(r), Ok(home)) => dedupe_key(&r.final_url) != dedupe_key(&home.final_url),
        _ => true,
    });
    let read_root = root.as_ref().and_then(|r| r.result.as_ref().ok());
    // The pages planned after the start (and the root).
    let budget = config
        .max_pages
        .saturating_sub(1 + usize::from(root.is_some()));
    let starts: Vec<(&str, &Url)> = home
        .as_ref()
        .ok()
        .into_iter()
        .chain(read_root)
        .map(|p| (p.text.as_str(), &p.final_url))
        .collect();
    let mut plan = if config.max_pages > 1 && !starts.is_empty() {
        let limits = PlanLimits {
            max_pages: budget,
            max_per_kind: config.max_per_kind,
            max_links_considered: config.max_links_considered,
        };
        plan_pages_from(&starts, &limits)
    } else {
        Vec::new()
    };
    if let Err(e) = &home {
        tracing::info!(url = %start, error = %e, "homepage failed");
    }
    let base = home
        .as_ref()
        .ok()
        .or(read_root)
        .map(|page| page.final_url.clone());
    // Pages read, by where they ended: a planned page that redirects to one
    // of them is not read again as another kind.
    let mut read: std::collections::HashSet<String> = base
        .iter()
        .chain(read_root.map(|r| &r.final_url))
        .map(dedupe_key)
        .collect();
    let mut pages = vec![CrawledPage {
        url: home_url,
        kind: PageKind::Homepage,
        result: home,
    }];
    pages.extend(root);
    // The pages the homepage links first; then the sitemap, which may add
    // careers and press pages the links did not give (read after them, so a
    // slow or large sitemap cannot take the linked pages' time).
    fetch_planned(fetcher, &session, &plan, &mut read, &mut pages).await;
    let linked = plan.len();
    let mut sitemap_news = Vec::new();
    let mut sitemap_unreachable = false;
    if let Some(base) = &base
        && config.use_sitemap
        && config.max_pages > 1
    {
        (sitemap_news, sitemap_unreachable) =
            from_sitemap(fetcher, &session, base, &mut plan, budget, config).await;
        fetch_planned(fetcher, &session, &plan[linked..], &mut read, &mut pages).await;
    }
    SiteCrawl {
        start: start.clone(),
        pages,
        requests: session.requests(),
        sitemap_news,
        sitemap_unreachable,
        elapsed: started.elapsed(),
    }
}

/// Fetches `planned` in order into `pages`. `read` holds where the pages
/// read so far ended: a page that redirects to one of them is recorded as
/// [`PageError::SamePage`], not read again as another kind.
async fn fetch_planned(
    fetcher: &dyn PageFetcher,
    session: &SiteSession,
    planned: &[PlannedPage],
    read: &mut std::collections::HashSet<String>,
    pages: &mut Vec<CrawledPage>,
) {
    for p in planned {
        let result = match fetcher.fetch(&p.url, session).await {
            Ok(page) if !read.insert(dedupe_key(&page.final_url)) => Err(PageError::SamePage {
                url: page.final_url.to_string(),
            }),
            other => other,
        };
        if let Err(e) = &result {
            tracing::debug!(url = %p.url, kind = ?p.kind, error = %e, "page failed");
        }
        pages.push(CrawledPage {
            url: p.url.clone(),
            kind: p.kind,
            result,
        });
    }
}

/// Whether `e` says the host has no address (directly or on its
/// robots.txt): not a moment's outage, as a refused connection may be.
fn no_such_host(e: &PageError) -> bool {
    match e {
        PageError::Dns { .. } => true,
        PageError::RobotsUnavailable { cause, .. } => no_such_host(cause),
        _ => false,
    }
}

/// Whether `e` says the host could not be reached at all (no address, a
/// refused or failed connection or TLS handshake), directly or on its
/// robots.txt, rather than that it answered.
/// Whether the site answered the request without giving a page to read (a
/// status such as 404, a file, a path robots.txt disallows): its other
/// pages may still be read.
fn site_answered(e: &PageError) -> bool {
    matches!(
        e,
        PageError::HttpStatus(_)
            | PageError::NotHtml { .. }
            | PageError::NotText { .. }
            | PageError::RobotsDisallowed { .. }
            | PageError::TooManyRedirects { .. }
            | PageError::Decode(_)
            | PageError::TooLarge { .. }
    )
}

fn host_unreachable(e: &PageError) -> bool {
    match e {
        PageError::Dns { .. } | PageError::Connect(_) | PageError::Http(_) => true,
        PageError::RobotsUnavailable { cause, .. } => host_unreachable(cause),
        _ => false,
    }
}

/// The other addresses a homepage may answer on: `www.` before the host
/// (when it has none), then plain http for an https start.
fn alternate_homes(start: &Url) -> Vec<Url> {
    let mut out = Vec::new();
    if let Some(host) = start.host_str()
        && !host.starts_with("www.")
        && start.domain().is_some()
    {
        let mut www = start.clone();
        if www.set_host(Some(&format!("www.{host}"))).is_ok() {
            out.push(www);
        }
    }
    if start.scheme() == "https" {
        let mut plain = start.clone();
        if plain.set_scheme("http").is_ok() {
            out.push(plain);
        }
    }
    out
}

/// Kinds a sitemap may add when the homepage links none of them.
const SITEMAP_KINDS: [PageKind; 2] = [PageKind::Careers, PageKind::Press];

/// Child sitemaps worth reading first: the ones whose path is named for
/// what we look for (the host is not read: on `newsela.com` every child
/// would be "news").
fn child_rank(url: &Url) -> usize {
    let path = url.path().to_ascii_lowercase();
    ["news", "press", "career", "job", "page", "post"]
        .iter()
        .position(|k| path.contains(k))
        .unwrap_or(usize::MAX)
}

/// Reads the site's sitemap: adds careers and press pages the homepage did
/// not link (within the page limits) to `plan`, and returns the news
/// entries, and whether a sitemap could not be read for a reason that may
/// pass. A missing or broken sitemap only logs.
async fn from_sitemap(
    fetcher: &dyn PageFetcher,
    session: &SiteSession,
    base: &Url,
    plan: &mut Vec<PlannedPage>,
    budget: usize,
    config: &CrawlConfig,
) -> (Vec<SitemapUrl>, bool) {
    const MAX_ENTRIES: usize = 50_000;
    let Ok(root) = base.join("/sitemap.xml") else {
        return (Vec::new(), false);
    };
    let mut queue = vec![root];
    let mut urls = Vec::new();
    let mut read = 0;
    let mut unreachable = false;
    while let Some(url) = queue.pop() {
        if read >= 3 {
            break;
        }
        read += 1;
        let text = match fetcher.fetch_document(&url, session).await {
            Ok(page) => page.text,
            Err(e) => {
                tracing::debug!(%url, error = %e, "no sitemap");
                unreachable |= e.is_transient();
                continue;
            }
        };
        match parse_sitemap(&text, MAX_ENTRIES) {
            Ok(map) => {
                urls.extend(map.urls);
                if read == 1 {
                    // Children on the site (relative ones resolved), the
                    // best-ranked two; a child on another host or that does
                    // not parse takes no place.
                    let mut children: Vec<Url> = map
                        .children
                        .iter()
                        .filter_map(|c| url.join(c.trim()).ok())
                        .filter(|c| same_site(c, base))
                        .collect();
                    children.sort_by_key(child_rank);
                    // Popped from the end: the best-ranked two last.
                    queue.extend(children.into_iter().take(2).rev());
                }
            }
            Err(e) => tracing::debug!(%url, error = %e, "unreadable sitemap"),
        }
    }
    let linked: Vec<PageKind> = plan.iter().map(|p| p.kind).collect();
    for kind in SITEMAP_KINDS {
        if linked.contains(&kind) {
            continue;
        }
        // One page per address however the sitemap spells it (www or not,
        // a trailing slash), and none the plan already has.
        let mut seen: std::collections::HashSet<String> =
            plan.iter().map(|p| dedupe_key(&p.url)).collect();
        let mut found: Vec<Url> = urls
            .iter()
            .filter_map(|u| base.join(u.loc.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && same_site(u, base))
            .filter(|u| classify_link(u, "") == Some(kind))
            .collect();
        found.sort_by_key(|u| u.path().len());
        found.retain(|u| seen.insert(dedupe_key(u)));
        for url in found.into_iter().take(config.max_per_kind) {
            if plan.len() >= budget {
                break;
            }
            plan.push(PlannedPage { url, kind });
        }
    }
    let news = urls
        .into_iter()
        .filter(|u| u.news_title.is_some())
        .take(100)
        .collect();
    (news, unreachable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_urls() {
        assert_eq!(
            parse_start_url("acme.com").unwrap().as_str(),
            "https://acme.com/"
        );
        assert_eq!(
            parse_start_url(" http://acme.com/x ").unwrap().as_str(),
            "http://acme.com/x"
        );
        assert_eq!(
            parse_start_url("file:///etc/passwd").unwrap_err().kind(),
            "bad_scheme"
        );
        assert_eq!(
            parse_start_url("gopher://x/").unwrap_err().kind(),
            "bad_scheme"
        );
        assert!(parse_start_url("").is_err());
        assert_eq!(
            parse_start_url("acme.com/?next=http://other.example")
                .unwrap()
                .as_str(),
            "https://acme.com/?next=http://other.example"
        );
    }
}

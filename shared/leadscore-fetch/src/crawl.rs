//! Site crawl orchestration: homepage, then the planned same-site pages.

use std::time::Duration;

use url::Url;

use crate::error::PageError;
use crate::fetcher::{Budget, Page, PageFetcher, SiteSession};
use crate::plan::{PageKind, PlanLimits, plan_pages};

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
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            max_pages: 8,
            max_per_kind: 2,
            max_links_considered: 1000,
            site_budget: Duration::from_secs(60),
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
    /// Requests sent (pages, redirects, robots.txt).
    pub requests: usize,
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
/// Bare domains get `https://`; non-http(s) schemes are refused.
pub fn parse_start_url(input: &str) -> Result<Url, PageError> {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| PageError::BadUrl(format!("{input}: {e}")))?;
    crate::guard::check_scheme(&url)?;
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
    let home = fetcher.fetch(start, &session).await;
    let plan = match &home {
        Ok(page) if config.max_pages > 1 => {
            let limits = PlanLimits {
                max_pages: config.max_pages - 1,
                max_per_kind: config.max_per_kind,
                max_links_considered: config.max_links_considered,
            };
            plan_pages(&page.text, &page.final_url, &limits)
        }
        _ => Vec::new(),
    };
    if let Err(e) = &home {
        tracing::info!(url = %start, error = %e, "homepage failed");
    }
    let mut pages = vec![CrawledPage {
        url: start.clone(),
        kind: PageKind::Homepage,
        result: home,
    }];
    for planned in plan {
        let result = fetcher.fetch(&planned.url, &session).await;
        if let Err(e) = &result {
            tracing::debug!(url = %planned.url, kind = ?planned.kind, error = %e, "page failed");
        }
        pages.push(CrawledPage {
            url: planned.url,
            kind: planned.kind,
            result,
        });
    }
    SiteCrawl {
        start: start.clone(),
        pages,
        requests: session.requests(),
        elapsed: started.elapsed(),
    }
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
    }
}

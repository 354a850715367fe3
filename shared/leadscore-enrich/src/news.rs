//! Company news: articles on the press pages the crawl found, and the
//! feeds (RSS, Atom, JSON Feed) that the homepage and press pages advertise,
//! read through the fetcher; funding rounds and company events become
//! signals (`funding.*`, `news.*`). A feed that fails is recorded and never
//! stops the rest.

use std::time::Duration;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use leadscore_core::domain::Signal;
use leadscore_fetch::{Budget, PageFetcher, SiteSession};
use leadscore_news::article::{Article, articles_from_html, parse_date};
use leadscore_news::events::CompanyEvent;
use leadscore_news::feed::{discover_feeds, parse_feed_text};
use leadscore_news::funding::FundingEvent;
use leadscore_news::signals::{Finding, undated_key};
use serde::{Deserialize, Serialize};
use url::Url;

/// News settings.
#[derive(Debug, Clone)]
pub struct NewsConfig {
    /// Advertised feeds read per account (the news-search feed, when set,
    /// is read besides).
    pub max_feeds: usize,
    /// Items read per feed (newest first).
    pub max_items_per_feed: usize,
    /// Time budget for all feeds of one account.
    pub budget: Duration,
    /// A news-search feed URL template, off by default: `{company}` and
    /// `{domain}` are replaced (percent-encoded) by the account's name as
    /// its domain spells it ("northwind analytics") and its domain. Only
    /// the headlines and sentences that name the company are read (a
    /// search for "Acme" finds other Acmes too, and roundups name several
    /// companies).
    pub search_feed: Option<String>,
}

impl Default for NewsConfig {
    fn default() -> Self {
        Self {
            max_feeds: 4,
            max_items_per_feed: 50,
            budget: Duration::from_secs(20),
            search_feed: None,
        }
    }
}

/// What happened with one feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedOutcome {
    /// Feed URL.
    pub url: String,
    /// `ok` or `error`.
    pub status: String,
    /// Items read.
    pub items: usize,
    /// The error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// News as stored in a snapshot's details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewsDetails {
    /// Feeds found and read.
    pub feeds: Vec<FeedOutcome>,
    /// Items read (feed entries and press-page articles).
    pub items: usize,
    /// Funding rounds (deduplicated).
    pub funding: Vec<FundingEvent>,
    /// Company events.
    pub events: Vec<CompanyEvent>,
    /// When runs began keeping the rounds and events of earlier snapshots
    /// because a source could not be read (see [`NewsFound::keep_previous`]);
    /// none when every source was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_since: Option<DateTime<Utc>>,
    /// When each undated round and event was first seen, by its
    /// [`undated_key`]: it is dated by that day, run after run, so it ages
    /// out of the scoring model's windows instead of counting as new at
    /// every run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub undated_seen: BTreeMap<String, NaiveDate>,
    /// The day of the account's first news reading. An undated round or
    /// event first seen then was already there, of unknown age (a 2021
    /// round on a press page without dates): it gives no recency, rather
    /// than counting as raised the day the account was first enriched.
    /// None for an account read before this field was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_read: Option<NaiveDate>,
}

/// How long findings are kept while a source keeps failing: past this, what
/// could be read is all there is (a failure that lasts is an answer).
pub const MAX_KEEP: chrono::Duration = chrono::Duration::days(30);

/// Since when findings are kept if they are kept once more at `now`: since
/// `kept_since` (the first run that kept them), or from now on; none once
/// that is more than [`MAX_KEEP`] ago.
pub fn keep_since(kept_since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let since = kept_since.unwrap_or(now);
    (now - since <= MAX_KEEP).then_some(since)
}

/// Kept findings older than this are dropped (beyond any scoring window).
const MAX_KEPT_AGE: chrono::Duration = chrono::Duration::days(365);

/// What news collection found.
#[derive(Debug, Clone, Default)]
pub struct NewsFound {
    /// Feeds and outcomes.
    pub feeds: Vec<FeedOutcome>,
    /// Items read.
    pub articles: Vec<Article>,
    /// Funding rounds, deduplicated across items, newest first.
    pub funding: Vec<FundingEvent>,
    /// Company events (one press mention per item).
    pub events: Vec<CompanyEvent>,
    /// Scoring signals.
    pub signals: Vec<Signal>,
    /// Feed errors, as `URL: kind: message`.
    pub errors: Vec<String>,
    /// Whether a feed could not be read for a reason that may pass (a
    /// timeout, a 5xx): what it held is unknown, not gone.
    pub incomplete: bool,
    /// Since when earlier snapshots' rounds and events are kept.
    pub kept_since: Option<DateTime<Utc>>,
    /// When each undated round and event was first seen (see
    /// [`NewsDetails::undated_seen`]).
    pub undated_seen: BTreeMap<String, NaiveDate>,
    /// See [`NewsDetails::first_read`].
    pub first_read: Option<NaiveDate>,
}

impl NewsFound {
    /// The snapshot details.
    pub fn details(&self) -> NewsDetails {
        NewsDetails {
            feeds: self.feeds.clone(),
            items: self.articles.len(),
            funding: self.funding.clone(),
            events: self.events.clone(),
            kept_since: self.kept_since,
            undated_seen: self.undated_seen.clone(),
            first_read: self.first_read,
        }
    }

    /// Dates the undated rounds and events by the day they were first seen:
    /// in `previous` (the last snapshot's news), or now; and computes the
    /// signals again. A round on a press page that gives no date used to be
    /// dated now at every run, so it never aged out of "raised in the last
    /// 180 days".
    ///
    /// `first_read` is carried from `previous`; without one it is today's
    /// date when this run read the site (`read_now`) and no earlier one did
    /// (`read_before`): the account's first reading. An account read before
    /// `first_read` was recorded keeps none, as its first reading is not
    /// known, and its undated findings are dated by their first sighting.
    pub fn date_undated(
        &mut self,
        previous: Option<&NewsDetails>,
        read_before: bool,
        read_now: bool,
        now: DateTime<Utc>,
    ) {
        let today = now.date_naive();
        let keys: Vec<String> = self
            .funding
            .iter()
            .filter_map(|f| undated_key(Finding::Funding(f), now))
            .chain(
                self.events
                    .iter()
                    .filter_map(|e| undated_key(Finding::Event(e), now)),
            )
            .collect();
        // Those read now keep their first sighting however old; earlier ones
        // not read this time stay for a year, so an item back after a
        // page's outage is not new again.
        let current: std::collections::BTreeSet<&String> = keys.iter().collect();
        let mut seen: BTreeMap<String, NaiveDate> = previous
            .map(|p| p.undated_seen.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, d)| *d <= today && (current.contains(k) || today - *d <= MAX_KEPT_AGE))
            .collect();
        for k in keys {
            seen.entry(k).or_insert(today);
        }
        self.first_read = match previous.and_then(|p| p.first_read) {
            Some(day) => Some(day),
            None => (read_now && !read_before).then_some(today),
        };
        self.undated_seen = seen;
        self.compute_signals(now);
    }

    fn compute_signals(&mut self, now: DateTime<Utc>) {
        self.signals = leadscore_news::signals::to_signals_seen(
            &self.funding,
            &self.events,
            now,
            &self.undated_seen,
            self.first_read,
        );
    }

    /// Adds the rounds and events of the previous snapshot to what was found
    /// (a round found in both is one, as across items), and computes the
    /// signals again: for a run in which a source could not be read, so a
    /// feed's timeout does not make a round vanish from the account's score
    /// for a day and come back with the next run (a lead cooling and turning
    /// hot again: two alerts for nothing).
    ///
    /// Only dated rounds and events are kept, and only those of the last
    /// year: they keep their own dates, so they still age out of the scoring
    /// model's windows (an undated one would count as new at every run).
    /// An event is one per kind, text and date, whatever link it came by.
    /// Nothing is kept once sources have failed for [`MAX_KEEP`] in a row;
    /// returns whether anything was.
    pub fn keep_previous(&mut self, previous: &NewsDetails, now: DateTime<Utc>) -> bool {
        let Some(since) = keep_since(previous.kept_since, now) else {
            return false;
        };
        let recent =
            |d: Option<NaiveDate>| d.is_some_and(|d| (now.date_naive() - d) <= MAX_KEPT_AGE);
        let mut funding = std::mem::take(&mut self.funding);
        funding.extend(
            previous
                .funding
                .iter()
                .filter(|f| recent(f.announced_on))
                .cloned(),
        );
        self.funding = leadscore_news::funding::dedupe(funding);
        let key = |e: &CompanyEvent| {
            let ev = e.evidence();
            (e.signal_name(), ev.text.to_lowercase(), ev.date)
        };
        let mut seen: std::collections::HashSet<_> = self.events.iter().map(key).collect();
        for e in &previous.events {
            if recent(e.evidence().date) && seen.insert(key(e)) {
                self.events.push(e.clone());
            }
        }
        self.compute_signals(now);
        self.kept_since = Some(since);
        true
    }
}

/// A crawled page handed to news collection.
#[derive(Debug, Clone, Copy)]
pub struct NewsPage<'a> {
    /// The page's final URL.
    pub url: &'a str,
    /// Its HTML.
    pub html: &'a str,
    /// A press, news or blog page (its articles are read); otherwise only
    /// its feed links are.
    pub is_press: bool,
}

/// A news-sitemap entry as an article: its headline is all the text there
/// is, and often all a funding announcement needs.
pub fn sitemap_article(entry: &leadscore_fetch::sitemap::SitemapUrl) -> Option<Article> {
    let title = entry.news_title.as_deref()?.trim();
    if title.is_empty() {
        return None;
    }
    let published = entry.news_date.as_deref().and_then(|d| parse_date(d, None));
    Some(Article {
        url: Some(entry.loc.clone()),
        title: title.to_owned(),
        published,
        text: title.to_owned(),
    })
}

/// The company name a domain spells: its first label in Unicode (a domain
/// is stored in its ASCII form, `xn--bcher-kva.de`), hyphens as spaces
/// (`northwind-analytics.com` → "northwind analytics", `bücher.de` →
/// "bücher").
pub fn company_of(domain: &str) -> String {
    first_label_name(&idna::domain_to_unicode(domain).0)
}

/// A domain's first label, hyphens and underscores as spaces.
fn first_label_name(domain: &str) -> String {
    domain
        .split('.')
        .next()
        .unwrap_or(domain)
        .replace(['-', '_'], " ")
}

/// The search feed URL of `template` for `domain`.
pub fn search_feed_url(template: &str, domain: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    template
        .replace("{company}", &enc(&company_of(domain)))
        .replace("{domain}", &enc(domain))
}

/// A test of whether a text names the company of `domain`: its name as
/// whole words (hyphens or spaces between them, or none), or its domain.
fn company_matcher(domain: &str) -> Option<regex::Regex> {
    let (unicode, _) = idna::domain_to_unicode(domain);
    let company = first_label_name(&unicode);
    let words: Vec<String> = company.split_whitespace().map(regex::escape).collect();
    if words.is_empty() {
        return None;
    }
    let pattern = format!(
        r"(?i)\b{}\b|\b{}\b|\b{}\b|\b{}\b",
        words.join(r"[\s\-]*"),
        words.concat(),
        regex::escape(domain),
        regex::escape(&unicode)
    );
    regex::Regex::new(&pattern).ok()
}

/// A search result reduced to what is about the company: its headline and
/// the sentences that name it (a result that names it in passing, beside
/// another company's round, gives that round to no one); none when
/// nothing does.
fn about_company(article: Article, names: &regex::Regex) -> Option<Article> {
    let title_names = names.is_match(&article.title);
    let sentences: Vec<String> = leadscore_news::text::sentences(&article.text)
        .into_iter()
        .filter(|s| names.is_match(s))
        .collect();
    if !title_names && sentences.is_empty() {
        return None;
    }
    Some(Article {
        // A headline that does not name it is not read as its news.
        title: if title_names {
            article.title
        } else {
            String::new()
        },
        text: sentences.join("\n"),
        ..article
    })
}

/// How many announcements a press listing links (by a headline that reads
/// as a round) are read for their dates, per account.
pub const FOLLOWED_ARTICLES: usize = 3;

/// Reads the press pages' articles (and the round announcements they link,
/// at most [`FOLLOWED_ARTICLES`]), the news sitemap's entries, the
/// advertised feeds and (when configured) the news-search feed, and
/// extracts funding rounds and events.
pub async fn collect(
    fetcher: &dyn PageFetcher,
    domain: &str,
    pages: &[NewsPage<'_>],
    sitemap_news: &[leadscore_fetch::sitemap::SitemapUrl],
    config: &NewsConfig,
    now: DateTime<Utc>,
) -> NewsFound {
    let mut found = NewsFound::default();
    found.articles.extend(
        sitemap_news
            .iter()
            .filter_map(sitemap_article)
            .take(config.max_items_per_feed),
    );
    let mut feed_urls: Vec<String> = Vec::new();
    for p in pages {
        for f in discover_feeds(p.html, p.url) {
            // At most max_feeds in all (and MAX_DISCOVERED_FEEDS per page):
            // a short list to scan.
            if feed_urls.len() < config.max_feeds && !feed_urls.contains(&f.url) {
                feed_urls.push(f.url);
            }
        }
        if p.is_press {
            found.articles.extend(articles_from_html(
                p.html,
                Some(p.url),
                Some(now.date_naive()),
            ));
        }
    }
    let session = SiteSession::new(Budget::new(config.budget));
    // A listing that names a round without its date ("Acme raises $20M
    // Series A", linked): the announcement's own page, which dates it. A
    // round with no date is scored from when it was first seen, so the
    // page also keeps an old round from counting as this month's.
    let mut follow: Vec<Url> = Vec::new();
    for p in pages.iter().filter(|p| p.is_press) {
        for link in leadscore_news::article::funding_links(p.html, p.url, domain, FOLLOWED_ARTICLES)
        {
            // Not a page the crawl read already.
            let read = pages.iter().any(|q| q.url == link.as_str());
            if follow.len() < FOLLOWED_ARTICLES && !read && !follow.contains(&link) {
                follow.push(link);
            }
        }
    }
    for link in follow {
        match fetcher.fetch(&link, &session).await {
            Ok(page) => found.articles.extend(articles_from_html(
                &page.text,
                Some(page.final_url.as_str()),
                Some(now.date_naive()),
            )),
            Err(e) => {
                found.incomplete |= e.is_transient();
                found.errors.push(format!("{link}: {}: {e}", e.kind()));
            }
        }
    }
    let search = config
        .search_feed
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| search_feed_url(t, domain));
    if let Some(u) = &search {
        feed_urls.push(u.clone());
    }
    for feed_url in feed_urls {
        let is_search = search.as_deref() == Some(feed_url.as_str());
        let Ok(url) = Url::parse(&feed_url) else {
            continue;
        };
        let outcome = match fetcher.fetch_document(&url, &session).await {
            Ok(page) => match parse_feed_text(&page.text, Some(page.final_url.as_str())) {
                Ok(mut items) => {
                    if is_search {
                        items = match company_matcher(domain) {
                            Some(names) => items
                                .into_iter()
                                .filter_map(|a| about_company(a, &names))
                                .collect(),
                            None => Vec::new(),
                        };
                    }
                    items.truncate(config.max_items_per_feed);
                    let n = items.len();
                    found.articles.extend(items);
                    FeedOutcome {
                        url: feed_url.clone(),
                        status: "ok".to_owned(),
                        items: n,
                        error: None,
                    }
                }
                Err(e) => FeedOutcome {
                    url: feed_url.clone(),
                    status: "error".to_owned(),
                    items: 0,
                    error: Some(format!("feed: {e}")),
                },
            },
            Err(e) => {
                found.incomplete |= e.is_transient();
                FeedOutcome {
                    url: feed_url.clone(),
                    status: "error".to_owned(),
                    items: 0,
                    error: Some(format!("{}: {e}", e.kind())),
                }
            }
        };
        if let Some(e) = &outcome.error {
            found.errors.push(format!("{feed_url}: {e}"));
        }
        found.feeds.push(outcome);
    }
    // The same item on the press page and in a feed is read once, from
    // its fullest copy: a news-sitemap headline or a listing's excerpt
    // comes first, the feed's full text later. A dated copy is preferred
    // to an undated one of the same length.
    let mut fullest: Vec<Article> = Vec::with_capacity(found.articles.len());
    let mut at: std::collections::HashMap<(Option<String>, String), usize> =
        std::collections::HashMap::new();
    for a in std::mem::take(&mut found.articles) {
        let key = (a.url.clone(), a.title.to_lowercase());
        match at.get(&key) {
            Some(&i) => {
                let kept = &mut fullest[i];
                if a.text.len() > kept.text.len() {
                    let published = kept.published;
                    *kept = a;
                    kept.published = kept.published.or(published);
                } else if kept.published.is_none() {
                    kept.published = a.published;
                }
            }
            None => {
                at.insert(key, fullest.len());
                fullest.push(a);
            }
        }
    }
    found.articles = fullest;
    let findings = leadscore_news::extract(&found.articles);
    found.signals = leadscore_news::signals::to_signals(&findings.funding, &findings.events, now);
    found.funding = findings.funding;
    found.events = findings.events;
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_company_is_named_by_its_unicode_name_as_whole_words() {
        assert_eq!(company_of("xn--bcher-stube-thb.de"), "bücher stube");
        assert_eq!(company_of("northwind-analytics.com"), "northwind analytics");
        let names = company_matcher("xn--bcher-stube-thb.de").unwrap();
        for named in [
            "Bücher Stube sammelt 2 Millionen Euro ein",
            "Bücher-Stube raises €2M",
            "BücherStube raises €2M",
            "via bücher-stube.de",
        ] {
            assert!(names.is_match(named), "{named}");
        }
        for not_named in ["Bücher Stuben im Wandel", "Hörbücher Stube"] {
            assert!(!names.is_match(not_named), "{not_named}");
        }
        // The domain as a whole name too: box.com is not in dropbox.com.
        let box_com = company_matcher("box.com").unwrap();
        assert!(box_com.is_match("see www.box.com/pricing"));
        assert!(!box_com.is_match("files on dropbox.com and xbox.com"));
    }
}

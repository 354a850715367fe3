//! Sitemaps (sitemaps.org 0.9, with the Google News extension): where a site
//! lists the careers and press pages its navigation does not link, and the
//! articles its news sitemap announces. Pure parsing; the crawl fetches.

use quick_xml::Reader;
use quick_xml::events::Event;

/// One `<url>` of a `<urlset>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SitemapUrl {
    /// `<loc>`.
    pub loc: String,
    /// `<lastmod>`, as written.
    pub lastmod: Option<String>,
    /// `<news:title>` (news sitemaps).
    pub news_title: Option<String>,
    /// `<news:publication_date>`, as written (news sitemaps).
    pub news_date: Option<String>,
}

/// A parsed sitemap: a `<urlset>` has urls, a `<sitemapindex>` children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Pages listed.
    pub urls: Vec<SitemapUrl>,
    /// Child sitemaps of an index.
    pub children: Vec<String>,
}

/// Why a sitemap could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SitemapError {
    /// Not XML, or broken XML.
    #[error("malformed sitemap XML at byte {position}: {reason}")]
    Malformed {
        /// Where the reader stopped.
        position: u64,
        /// Why.
        reason: String,
    },
    /// XML, but neither `<urlset>` nor `<sitemapindex>`.
    #[error("not a sitemap (root element `{0}`)")]
    NotASitemap(String),
}

fn local(name: &str) -> &[u8] {
    let b = name.as_bytes();
    b.rsplit(|c| *c == b':').next().unwrap_or(b)
}

/// Parses a sitemap or sitemap index, keeping at most `max_entries` urls
/// (and as many children); what follows is ignored, not an error.
pub fn parse_sitemap(xml: &str, max_entries: usize) -> Result<Sitemap, SitemapError> {
    let mut reader = Reader::from_str(xml);
    // A bare `&` in a URL's query (`?a=1&b=2`) is common in generated
    // sitemaps; read it as text rather than refuse the whole file.
    reader.config_mut().allow_dangling_amp = true;
    let mut out = Sitemap::default();
    let mut root: Option<Vec<u8>> = None;
    let mut path: Vec<Vec<u8>> = Vec::new();
    // Elements nested past MAX_DEPTH are not tracked (a sitemap nests 4
    // deep): a hostile file of millions of nested elements costs neither
    // memory nor a scan of the path per element.
    let mut untracked = 0usize;
    let mut in_news = 0usize;
    let mut current = SitemapUrl::default();
    let mut child_loc: Option<String> = None;
    let mut text = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            // What was read before an error in a file that is a sitemap
            // stands: one broken entry does not drop 50,000.
            Err(_) if root.is_some() && !(out.urls.is_empty() && out.children.is_empty()) => {
                break;
            }
            Err(e) => {
                return Err(SitemapError::Malformed {
                    position: reader.buffer_position(),
                    reason: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(_) if untracked > 0 || path.len() >= MAX_DEPTH => {
                untracked += 1;
                text.clear();
            }
            Event::End(_) if untracked > 0 => {
                untracked -= 1;
                text.clear();
            }
            Event::Start(e) => {
                let name = local(e.name().as_ref()).to_vec();
                if root.is_none() {
                    if name != b"urlset" && name != b"sitemapindex" {
                        return Err(SitemapError::NotASitemap(
                            String::from_utf8_lossy(&name).into_owned(),
                        ));
                    }
                    root = Some(name.clone());
                }
                if name == b"url" {
                    current = SitemapUrl::default();
                }
                if name == b"sitemap" {
                    child_loc = None;
                }
                if name == b"news" {
                    in_news += 1;
                }
                path.push(name);
                text.clear();
            }
            Event::End(_) => {
                apply(
                    &path,
                    in_news > 0,
                    text.trim(),
                    &mut current,
                    &mut child_loc,
                );
                text.clear();
                let Some(name) = path.pop() else { continue };
                if name == b"news" {
                    in_news -= 1;
                }
                if name == b"url" && !current.loc.is_empty() && out.urls.len() < max_entries {
                    out.urls.push(std::mem::take(&mut current));
                }
                if name == b"sitemap"
                    && let Some(loc) = child_loc.take()
                    && out.children.len() < max_entries
                {
                    out.children.push(loc);
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(e) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    text.push_str(e);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err(SitemapError::NotASitemap(String::new()));
    }
    Ok(out)
}

/// The deepest element tracked (a sitemap's entries nest four deep).
const MAX_DEPTH: usize = 32;

fn apply(
    path: &[Vec<u8>],
    in_news: bool,
    text: &str,
    url: &mut SitemapUrl,
    child: &mut Option<String>,
) {
    if text.is_empty() {
        return;
    }
    let text = text.to_owned();
    let Some(leaf) = path.last() else { return };
    let parent = path.len().checked_sub(2).map(|i| path[i].as_slice());
    match (parent, leaf.as_slice()) {
        (Some(b"url"), b"loc") => url.loc = text,
        (Some(b"url"), b"lastmod") => url.lastmod = Some(text),
        (Some(b"sitemap"), b"loc") => *child = Some(text),
        (_, b"title") if in_news => url.news_title = Some(text),
        (_, b"publication_date") => url.news_date = Some(text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlsets_indexes_and_news_entries() {
        let set = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://acme.example/</loc><lastmod>2026-11-01</lastmod></url>
  <url><loc>https://acme.example/company/join-the-team</loc></url>
  <url><loc>https://acme.example/news/series-b</loc>
    <news:news><news:publication><news:name>Acme</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-20T09:00:00Z</news:publication_date>
      <news:title><![CDATA[Acme raises $30M Series B]]> &amp; hires a CRO</news:title></news:news></url>
</urlset>"#;
        let s = parse_sitemap(set, 100).unwrap();
        assert_eq!(s.urls.len(), 3);
        assert_eq!(s.urls[0].lastmod.as_deref(), Some("2026-11-01"));
        assert_eq!(
            s.urls[2].news_title.as_deref(),
            Some("Acme raises $30M Series B & hires a CRO")
        );
        assert_eq!(s.urls[2].news_date.as_deref(), Some("2026-11-20T09:00:00Z"));
        assert!(s.children.is_empty());

        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://acme.example/sitemap-pages.xml</loc></sitemap>
  <sitemap><loc>https://acme.example/sitemap-news.xml</loc><lastmod>2026-11-20</lastmod></sitemap>
</sitemapindex>"#;
        let s = parse_sitemap(index, 100).unwrap();
        assert_eq!(
            s.children,
            vec![
                "https://acme.example/sitemap-pages.xml",
                "https://acme.example/sitemap-news.xml"
            ]
        );
        assert_eq!(parse_sitemap(set, 1).unwrap().urls.len(), 1, "bounded");
    }

    #[test]
    fn non_sitemaps_are_typed_errors() {
        assert_eq!(
            parse_sitemap("<html><body>404</body></html>", 10),
            Err(SitemapError::NotASitemap("html".into()))
        );
        assert!(matches!(
            parse_sitemap("<urlset><url><loc>x</loc></urlset>", 10),
            Err(SitemapError::Malformed { .. })
        ));
        assert!(parse_sitemap("", 10).is_err());
    }

    #[test]
    fn a_bare_ampersand_and_a_later_error_keep_the_entries_read() {
        let set = "<urlset><url><loc>https://acme.example/p?a=1&b=2</loc></url>\
            <url><loc>https://acme.example/careers</loc></url><url><loc>broken</oops></urlset>";
        let s = parse_sitemap(set, 10).unwrap();
        let locs: Vec<&str> = s.urls.iter().map(|u| u.loc.as_str()).collect();
        assert_eq!(
            locs,
            [
                "https://acme.example/p?a=1&b=2",
                "https://acme.example/careers"
            ]
        );
    }

    #[test]
    fn deep_nesting_is_not_tracked() {
        // 200,000 nested elements, then titles: read in one pass.
        let mut xml = String::from("<urlset><url><loc>https://acme.example/a</loc></url>");
        xml.push_str(&"<a>".repeat(200_000));
        xml.push_str(&"<title>x</title>".repeat(10_000));
        xml.push_str(&"</a>".repeat(200_000));
        xml.push_str("<url><loc>https://acme.example/b</loc></url></urlset>");
        let s = parse_sitemap(&xml, 10).unwrap();
        assert_eq!(s.urls.len(), 2);
    }
}

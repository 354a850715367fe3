//! Feed parsing (RSS 2.0, Atom, JSON Feed), broken feeds and autodiscovery.

use chrono::{TimeZone, Utc};
use leadscore_news::feed::{
    FeedError, FeedKind, MAX_DISCOVERED_FEEDS, discover_feeds, parse_feed, parse_feed_text,
};
use leadscore_news::funding::Round;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn rss2_items_become_articles_with_tolerated_dates() {
    let arts = parse_feed(
        &fixture("rss2.xml"),
        Some("https://northwind.example/news/feed.xml"),
    )
    .unwrap();
    assert_eq!(arts.len(), 3);
    let a = &arts[0];
    assert_eq!(
        a.url.as_deref(),
        Some("https://northwind.example/news/series-a")
    );
    assert_eq!(
        a.published,
        Some(Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap())
    );
    assert!(a.text.contains("participation from Bar Capital"));
    // malformed and missing pubDate: kept, undated
    assert!(arts[1..].iter().all(|a| a.published.is_none()));
    let f = leadscore_news::funding::extract_funding(a);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].amount, f[0].round),
        (Some(18_000_000), Round::SeriesA)
    );
    assert_eq!(f[0].other_investors, vec!["Bar Capital"]);
}

#[test]
fn atom_and_json_feed() {
    let arts = parse_feed(&fixture("atom.xml"), None).unwrap();
    assert_eq!(arts.len(), 2);
    assert_eq!(
        arts[0].title,
        "Northwind Analytics sammelt 12 Millionen Euro ein"
    );
    assert_eq!(
        arts[0].published,
        Some(Utc.with_ymd_and_hms(2026, 11, 10, 7, 0, 0).unwrap())
    );
    let f = leadscore_news::extract(&arts);
    assert_eq!(f.funding.len(), 1, "{:#?}", f.funding);
    assert_eq!(f.funding[0].currency.as_deref(), Some("EUR"));
    assert_eq!(f.funding[0].round, Round::SeriesA);

    let arts = parse_feed(&fixture("feed.json"), None).unwrap();
    assert_eq!(arts.len(), 2);
    assert_eq!(
        arts[0].url.as_deref(),
        Some("https://northwind.example/updates/layoffs")
    );
    let names: Vec<_> = leadscore_news::extract(&arts)
        .events
        .iter()
        .map(|e| e.signal_name())
        .collect();
    assert!(
        names.contains(&"news.layoffs") && names.contains(&"news.acquisition"),
        "{names:?}"
    );
}

#[test]
fn broken_feeds_are_typed_errors() {
    assert!(matches!(
        parse_feed(&fixture("broken.xml"), None),
        Err(FeedError::Xml(_) | FeedError::Other(_))
    ));
    assert!(matches!(
        parse_feed(b"<html><body>hi</body></html>", None),
        Err(FeedError::NotAFeed | FeedError::Xml(_))
    ));
    assert!(matches!(
        parse_feed(
            b"{\"version\": \"https://jsonfeed.org/version/9\", \"items\": []}",
            None
        ),
        Err(FeedError::Json(_) | FeedError::NotAFeed)
    ));
    assert!(parse_feed(b"", None).is_err());
}

#[test]
fn a_feed_decoded_to_text_is_not_decoded_again_by_its_declaration() {
    // The fetcher decoded this ISO-8859-1 feed; its declaration still says
    // ISO-8859-1, which the parser would apply to the UTF-8 text.
    let text = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss version=\"2.0\"><channel><title>Acme</title>\
        <item><title>Acme lève 5 M€ en série A</title><link>https://acme.fr/a</link></item>\
        </channel></rss>";
    let arts = parse_feed_text(text, None).unwrap();
    assert_eq!(arts[0].title, "Acme lève 5 M€ en série A");
    // The same bytes as served (Latin-1 with its declaration) read the same.
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    assert_eq!(parse_feed(&latin1, None).unwrap()[0].title, arts[0].title);
}

#[test]
fn a_declaration_the_parser_cannot_follow_is_an_error_not_a_panic() {
    // A second declaration past the document's first bytes, naming another
    // encoding: the XML reader asserts (it can no longer switch).
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!--{}--><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><item><title>t</title></item></channel></rss>",
        " ".repeat(200)
    );
    assert!(parse_feed(text.as_bytes(), None).is_err());
    assert!(parse_feed_text(&text, None).is_err());
    // A declaration inside a JSON Feed's content is text, left as it is.
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[{"id":"1","title":"Logo","content_html":"<?xml version='1.0' encoding='utf-8'?><svg/>"}]}"#;
    assert_eq!(parse_feed_text(json, None).unwrap()[0].title, "Logo");
}

#[test]
fn autodiscovery_resolves_and_dedupes() {
    let html = String::from_utf8(fixture("press.html")).unwrap();
    let feeds = discover_feeds(&html, "https://northwind.example/press/");
    let got: Vec<(&str, FeedKind)> = feeds.iter().map(|f| (f.url.as_str(), f.kind)).collect();
    assert_eq!(
        got,
        vec![
            ("https://northwind.example/news/feed.xml", FeedKind::Rss),
            ("https://northwind.example/blog/atom.xml", FeedKind::Atom),
            (
                "https://northwind.example/press/updates.json",
                FeedKind::JsonFeed
            ),
        ]
    );
    assert_eq!(feeds[0].title.as_deref(), Some("Newsroom"));
    assert!(discover_feeds("<p>no feeds</p>", "https://x.example/").is_empty());
}

#[test]
fn autodiscovery_skips_comments_feeds_and_json_that_is_no_feed() {
    // What a WordPress post's head advertises.
    let html = r#"<head>
<link rel="alternate" type="application/rss+xml" title="Acme &raquo; Feed" href="https://acme.example/feed/">
<link rel="alternate" type="application/rss+xml" title="Acme &raquo; Comments Feed" href="https://acme.example/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="Acme &raquo; We raised &raquo; Kommentar-Feed" href="https://acme.example/2026/11/raised/feed/">
<link rel="alternate" type="application/json" title="JSON" href="https://acme.example/wp-json/wp/v2/posts/42">
<link rel="alternate" type="application/json" href="https://acme.example/api/page.json">
<link rel="alternate" type="application/json" title="JSON Feed" href="https://acme.example/feed.json">
</head>"#;
    let urls: Vec<String> = discover_feeds(html, "https://acme.example/2026/11/raised/")
        .into_iter()
        .map(|f| f.url)
        .collect();
    assert_eq!(
        urls,
        [
            "https://acme.example/feed/",
            "https://acme.example/feed.json"
        ]
    );
}

#[test]
fn autodiscovery_keeps_the_first_few_of_a_flood_of_links() {
    let mut html = String::from("<html><head>");
    for round in 0..2 {
        for i in 0..20_000 {
            html.push_str(&format!(
                "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/f{i}.xml\" title=\"{round}\">"
            ));
        }
    }
    html.push_str("</head></html>");
    let feeds = discover_feeds(&html, "https://x.example/");
    let got: Vec<&str> = feeds.iter().map(|f| f.url.as_str()).collect();
    let want: Vec<String> = (0..MAX_DISCOVERED_FEEDS)
        .map(|i| format!("https://x.example/f{i}.xml"))
        .collect();
    assert_eq!(got, want);
}

//! Articles from HTML pages: JSON-LD first, then title and main text.

use chrono::{NaiveDate, TimeZone, Utc};
use leadscore_news::article::{Article, articles_from_html, parse_date};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn json_ld_in_a_graph_anchors_relative_dates() {
    let arts = articles_from_html(
        &fixture("press.html"),
        Some("https://northwind.example/press/"),
        None,
    );
    assert_eq!(arts.len(), 1);
    let a = &arts[0];
    assert_eq!(a.title, "Northwind Analytics raises $18M Series A");
    assert_eq!(
        a.url.as_deref(),
        Some("https://northwind.example/news/series-a")
    );
    assert_eq!(
        a.published,
        Some(Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap())
    );
    let f = leadscore_news::funding::extract_funding(a);
    assert_eq!(f.len(), 1);
    // "announced yesterday" against datePublished
    assert_eq!(f[0].announced_on, NaiveDate::from_ymd_opt(2026, 11, 2));
    assert_eq!(f[0].lead_investors, vec!["Foo Ventures"]);
}

#[test]
fn json_ld_arrays_and_types() {
    let html = r#"<html><head><script type="application/ld+json">[
        {"@type": "WebSite", "name": "x"},
        {"@type": ["BlogPosting"], "headline": "Acme names a new CEO", "datePublished": "2026-01-05", "articleBody": "Acme has appointed Kim Park as CEO."}
    ]</script><script type="application/ld+json">{ not json </script></head><body></body></html>"#;
    let arts = articles_from_html(html, Some("https://acme.example/blog/ceo"), None);
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0].title, "Acme names a new CEO");
    assert_eq!(
        arts[0].url.as_deref(),
        Some("https://acme.example/blog/ceo")
    );
    assert_eq!(
        arts[0].published,
        Some(Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap())
    );
}

#[test]
fn without_json_ld_title_date_and_main_text() {
    let arts = articles_from_html(
        &fixture("plain.html"),
        Some("https://northwind.example/blog/cfo"),
        None,
    );
    assert_eq!(arts.len(), 1);
    let a = &arts[0];
    assert_eq!(a.title, "Northwind welcomes a new CFO");
    assert_eq!(
        a.published,
        Some(Utc.with_ymd_and_hms(2026, 10, 20, 7, 0, 0).unwrap())
    );
    assert!(
        a.text
            .starts_with("Northwind Analytics has appointed Sam Lee"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("Home") && !a.text.contains("©"));
}

#[test]
fn relative_published_dates_and_plain_text() {
    let anchor = NaiveDate::from_ymd_opt(2026, 11, 22);
    assert_eq!(
        parse_date("2 days ago", anchor),
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap())
    );
    assert_eq!(
        parse_date("Tue, 03 Nov 2026 09:00:00 GMT", None),
        Some(Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap())
    );
    assert_eq!(parse_date("garbage", anchor), None);
    let a = Article::from_text(
        "Acme raises $5M seed\n\nThe round was led by Foo.\n",
        None,
        None,
    );
    assert_eq!(a.title, "Acme raises $5M seed");
    assert_eq!(a.text, "The round was led by Foo.");
    assert!(articles_from_html("", None, None).is_empty());
}

#[test]
fn a_listing_s_objects_keep_their_own_text_and_their_number_is_capped() {
    // A blog index: posts without bodies, and the page's text naming a
    // round once. Each post used to carry the whole page's text, so the
    // round was found once per post, dated by each post.
    let posts: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"@type":"BlogPosting","headline":"Post {i}","datePublished":"2026-10-{:02}"}}"#,
                i % 28 + 1
            )
        })
        .collect();
    let html = format!(
        r#"<html><head><script type="application/ld+json">{{"@graph":[{}]}}</script></head>
        <body><main><p>Acme raises $12M Series A led by Foo Ventures.</p></main></body></html>"#,
        posts.join(",")
    );
    let arts = articles_from_html(&html, Some("https://acme.example/blog/"), None);
    assert_eq!(arts.len(), leadscore_news::article::MAX_LD_ARTICLES);
    assert!(arts.iter().all(|a| a.text.is_empty()), "{:?}", arts[0]);
    assert!(leadscore_news::extract(&arts).funding.is_empty());
}

#[test]
fn an_offset_without_its_colon_keeps_the_time_zone() {
    assert_eq!(
        parse_date("2026-11-03T23:30:00-0800", None),
        Some(Utc.with_ymd_and_hms(2026, 11, 4, 7, 30, 0).unwrap())
    );
    assert_eq!(
        parse_date("2026-11-03T23:30+0100", None),
        Some(Utc.with_ymd_and_hms(2026, 11, 3, 22, 30, 0).unwrap())
    );
}

#[test]
fn a_listing_without_json_ld_is_read_entry_by_entry_with_each_entry_s_date() {
    let html = r#"<html><head><title>News | Acme</title></head><body><main>
<article><time datetime="2026-11-10">10 Nov 2026</time><h2>Acme launches Radar</h2>
<p>Radar is generally available.</p></article>
<article><time datetime="2023-03-01">1 Mar 2023</time><h2>Acme raises $12M Series A led by Foo Ventures</h2>
<p>The round was led by Foo Ventures.</p><a href="https://acme.example/news/series-a">Read</a></article>
</main></body></html>"#;
    let arts = articles_from_html(html, Some("https://acme.example/news/"), None);
    assert_eq!(arts.len(), 2, "{arts:#?}");
    let funding = leadscore_news::extract(&arts).funding;
    assert_eq!(funding.len(), 1);
    // Before: one article dated by the page's first <time>, 2026-11-10.
    assert_eq!(funding[0].announced_on, NaiveDate::from_ymd_opt(2023, 3, 1));
    assert_eq!(
        funding[0].source_url.as_deref(),
        Some("https://acme.example/news/series-a")
    );
    // One dated entry is a page, not a listing: read as before.
    let single = r#"<html><body><article><time datetime="2026-10-20">x</time>
<h1>Acme appoints a CFO</h1><p>Acme has appointed Sam Lee as CFO.</p></article></body></html>"#;
    let arts = articles_from_html(single, Some("https://acme.example/cfo"), None);
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0].title, "Acme appoints a CFO");
}

#[test]
fn a_list_of_dated_items_without_article_elements_is_read_item_by_item() {
    // A press index as a list: each item's own date, not the page's first.
    let html = r#"<html><body><main><h1>Press</h1><ul class="news">
<li><time datetime="2026-11-20">20 Nov 2026</time> <a href="/press/radar">Acme launches Radar</a></li>
<li><time datetime="2024-02-01">1 Feb 2024</time> <a href="/press/series-b">Acme raises $20M Series B led by Foo Capital</a></li>
</ul></main></body></html>"#;
    let arts = articles_from_html(html, Some("https://acme.example/press"), None);
    assert_eq!(arts.len(), 2, "{arts:#?}");
    let funding = leadscore_news::extract(&arts).funding;
    assert_eq!(funding.len(), 1);
    assert_eq!(funding[0].announced_on, NaiveDate::from_ymd_opt(2024, 2, 1));
    assert_eq!(
        funding[0].source_url.as_deref(),
        Some("https://acme.example/press/series-b")
    );
    // Cards of <div>s with headings and excerpts.
    let cards = r#"<html><body><div class="grid">
<div class="card"><h3>Acme opens a Berlin office</h3><p>More room.</p><span><time datetime="2026-10-02">Oct 2</time></span></div>
<div class="card"><h3>Acme raises €8M seed round</h3><p>Led by Bar Partners.</p><span><time datetime="2022-05-10">May 10</time></span></div>
</div></body></html>"#;
    let arts = articles_from_html(cards, Some("https://acme.example/news"), None);
    assert_eq!(arts.len(), 2, "{arts:#?}");
    assert_eq!(arts[1].title, "Acme raises €8M seed round");
    assert_eq!(arts[1].text, "Led by Bar Partners.");
    // A release with its own dated header and dated "related" cards is one
    // article: its body is read.
    let release = r#"<html><body><header class="hero"><h1>Acme raises $30M Series B</h1>
<time datetime="2026-11-18">Nov 18</time></header>
<div class="content"><p>Acme has raised $30 million in Series B funding led by Granite Partners.</p></div>
<section class="related"><div><a href="/news/berlin">Acme opens Berlin office</a><time datetime="2026-10-02">Oct 2</time></div>
<div><a href="/news/cto">Acme names a CTO</a><time datetime="2026-09-12">Sep 12</time></div></section></body></html>"#;
    let arts = articles_from_html(release, Some("https://acme.example/news/series-b"), None);
    assert_eq!(arts.len(), 1, "{arts:#?}");
    assert!(
        arts[0].text.contains("led by Granite Partners"),
        "{arts:#?}"
    );
    // A single post showing its published and updated dates side by side
    // is one article, as before.
    let post = r#"<html><body><h1>Acme raises $5M</h1><p class="meta"><time datetime="2026-11-01">Nov 1</time>
updated <time datetime="2026-11-03">Nov 3</time></p><p>Acme raised $5M in seed funding.</p></body></html>"#;
    let arts = articles_from_html(post, Some("https://acme.example/p"), None);
    assert_eq!(arts.len(), 1, "{arts:#?}");
    assert_eq!(arts[0].title, "Acme raises $5M");
}

#[test]
fn nested_entries_relative_links_and_a_post_with_two_json_ld_objects() {
    // An outer <article> around two dated entries: only the inner ones are
    // read, each with its own date; relative links are made absolute.
    let html = r#"<html><body><article><time datetime="2026-11-20">20 Nov</time><h1>News</h1>
<article><time datetime="2026-11-10">10 Nov</time><h2>Acme launches Radar</h2><p>Radar is out.</p></article>
<article><time datetime="2023-03-01">1 Mar 2023</time><h2>Acme raises $12M Series A led by Foo Ventures</h2>
<a href="/news/series-a">Read</a></article></article></body></html>"#;
    let arts = articles_from_html(html, Some("https://acme.example/news/"), None);
    assert_eq!(arts.len(), 2, "{arts:#?}");
    let funding = leadscore_news::extract(&arts).funding;
    assert_eq!(funding.len(), 1, "{funding:#?}");
    assert_eq!(funding[0].announced_on, NaiveDate::from_ymd_opt(2023, 3, 1));
    assert_eq!(
        funding[0].source_url.as_deref(),
        Some("https://acme.example/news/series-a")
    );

    // One post, two article objects (a theme's and an SEO plugin's) without
    // a body: the post's text is read, not two headlines only.
    let post = r#"<html><head>
<script type="application/ld+json">{"@type":"Article","headline":"Acme raises $8M","url":"https://acme.example/p"}</script>
<script type="application/ld+json">{"@type":"BlogPosting","headline":"Acme raises $8M","url":"https://acme.example/p"}</script>
</head><body><main><p>Acme raised $8 million in a seed round led by Foo Ventures.</p></main></body></html>"#;
    let arts = articles_from_html(post, Some("https://acme.example/p"), None);
    assert!(
        arts.iter().all(|a| a.text.contains("seed round")),
        "{arts:#?}"
    );
}

/// A press listing's links whose text reads as a round are the ones to
/// follow for their dates: on the site (www or not, a subdomain), not the
/// listing itself, not another site, not other news; at most `max`.
#[test]
fn funding_links_of_a_press_listing() {
    use leadscore_news::article::funding_links;
    let html = r#"<html><body><h1>Newsroom</h1><ul>
        <li><a href="/news/series-a">Brightforge raises $20 million Series A</a></li>
        <li><a href="/news/new-office">Brightforge opens a Berlin office</a></li>
        <li><a href="https://blog.brightforge.example/seed">Brightforge secures €3M seed round</a></li>
        <li><a href="https://techpress.example/brightforge">Brightforge raises $20M (TechPress)</a></li>
        <li><a href="/newsroom#top">Brightforge raises $20 million Series A</a></li>
        <li><a href="/news/series-a#details">Read: Brightforge raises $20 million Series A</a></li>
    </ul></body></html>"#;
    let links = funding_links(
        html,
        "https://www.brightforge.example/newsroom",
        "brightforge.example",
        5,
    );
    let got: Vec<&str> = links.iter().map(url::Url::as_str).collect();
    assert_eq!(
        got,
        [
            "https://www.brightforge.example/news/series-a",
            "https://blog.brightforge.example/seed",
        ]
    );
    assert_eq!(
        funding_links(
            html,
            "https://www.brightforge.example/newsroom",
            "brightforge.example",
            1
        )
        .len(),
        1
    );
    // A press page that redirected to a newswire: its links to other
    // companies' rounds are not the account's, nor are its own pages.
    let wire = r#"<a href="/news/globex-series-b">Globex raises $40 million Series B</a>
        <a href="https://www.brightforge.example/news/series-a">Brightforge raises $20 million Series A</a>"#;
    let links = funding_links(
        wire,
        "https://www.newswire.example/brightforge",
        "brightforge.example",
        5,
    );
    let got: Vec<&str> = links.iter().map(url::Url::as_str).collect();
    assert_eq!(got, ["https://www.brightforge.example/news/series-a"]);
}

/// The date of a page whose markup gives none, from the page: `published`
/// of its one article.
fn written(body: &str) -> Option<NaiveDate> {
    let html = format!(
        "<html><head><title>Acme news</title></head><body><nav>Home | Press | Careers</nav><main>{body}</main></body></html>"
    );
    let arts = articles_from_html(&html, Some("https://acme.example/news/b"), None);
    assert_eq!(arts.len(), 1, "{body}");
    arts[0].published.map(|t| t.date_naive())
}

#[test]
fn a_date_written_at_the_top_of_a_page_dates_it_when_its_markup_does_not() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 1);
    let raise = "<p>Acme today announced a $20 million Series B.</p>";
    // A line of its own under the headline, in the usual spellings.
    for date in [
        "November 1, 2026",
        "Nov. 1, 2026",
        "Nov 1st, 2026",
        "Published: 1 November 2026",
        "By Jane Doe | Nov 1, 2026",
        "1. November 2026",
        "1er novembre 2026",
        "1 de noviembre de 2026",
        "2026-11-01",
        "Sept. 30, 2026",
        // Bylines of blog and newsroom themes: an author without "By", a
        // reading time, a section, a weekday, "on", "by" after the date.
        "Jane Doe · Nov 1, 2026",
        "Jane Doe · 4 min read · Nov 1, 2026",
        "4 min read · Nov 1, 2026",
        "Press release · November 1, 2026",
        "Sunday, November 1, 2026",
        "Published on Nov 1, 2026 by Jane Doe",
        "Jane Doe on November 1, 2026",
        "María de la Cruz · 1 de noviembre de 2026",
    ] {
        let want = if date.starts_with("Sept") {
            NaiveDate::from_ymd_opt(2026, 9, 30)
        } else {
            day
        };
        assert_eq!(
            written(&format!(
                "<h1>Acme raises $20M</h1><div class=\"meta\"><span>{date}</span></div>{raise}"
            )),
            want,
            "{date}"
        );
    }
    // A press release's dateline.
    for dateline in [
        "NEW YORK, NY / ACCESSWIRE / November 1, 2026 / Acme today announced a $20 million Series B.",
        "AUSTIN, Texas, Nov. 1, 2026 /PRNewswire-PRWeb/ -- Acme today announced a $20 million Series B.",
        "BOSTON, Nov. 1, 2026 /EINPresswire.com/ -- Acme today announced a $20 million Series B.",
        "Madrid, 1 de noviembre de 2026.- Acme ha cerrado una ronda de 20 millones.",
        "München, 01.11.2026 – Acme hat 20 Millionen Euro eingesammelt.",
        "PARIS, le 1er novembre 2026 – Acme lève 20 millions d'euros.",
        "Berlin, 1. Nov. 2026 – Acme hat 20 Millionen Euro eingesammelt.",
        "SAN FRANCISCO, Nov. 1, 2026 /PRNewswire/ -- Acme, founded on March 3, 2015, today announced a $20 million Series B.",
        "BERLIN, November 1, 2026 — Acme today announced a $20 million Series B.",
        "LONDON, 1 November 2026 - Acme today announced a $20 million Series B.",
    ] {
        assert_eq!(
            written(&format!("<h1>Acme raises $20M</h1><p>{dateline}</p>")),
            day,
            "{dateline}"
        );
    }
    // A date inside a sentence dates something else.
    assert_eq!(
        written(
            "<h1>Acme raises $20M</h1><p>Acme, founded on March 3, 2015, today announced a $20 million Series B led by Foo Ventures.</p>"
        ),
        None
    );
    // Not a day of the calendar; a date far down the page.
    assert_eq!(
        written("<h1>Acme raises $20M</h1><p>February 30, 2026</p>"),
        None
    );
    let filler = "<p>Acme builds analytics for revenue teams and has customers in forty countries across the world.</p>".repeat(12);
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1>{raise}{filler}<p>November 1, 2026</p>"
        )),
        None
    );
    // A date in a sentence, even set apart by an inline element; a short
    // line telling another date (a founding, an update, a copyright, an
    // event).
    for body in [
        "<p>Theta Bold, founded on <strong>March 3, 2015</strong>, today announced a $20 million Series B.</p>",
        "<p>Founded on March 3, 2015.</p>",
        "<p>Updated November 30, 2026</p><p>Nu Listing raises $5 million Series A (2019)</p>",
        "<p>© Acme, November 1, 2026</p>",
        "<p>Join our webinar: December 3, 2026</p>",
        "<p>Acme, which closed its seed on March 3, 2015 - and has grown since - today announced a $20 million Series B.</p>",
        "<table><tr><td>Founded</td><td>March 3, 2015</td></tr></table>",
        "<figure><img src=\"x.jpg\"><figcaption>Acme founders in Berlin, March 3, 2015</figcaption></figure>",
        "<p>Republished November 9, 2026 from our blog</p>",
    ] {
        assert_eq!(
            written(&format!("<h1>Acme raises $20M</h1>{body}{raise}")),
            None,
            "{body}"
        );
    }
    // A byline after a blog's categories, and in a post's date cell.
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1><p>Posted in News, Events | November 1, 2026</p>{raise}"
        )),
        day
    );
    // The byline is under the headline: a page whose text opens with a
    // subheading (a newsroom's entries) is not dated by an entry.
    let excerpt = "<p>Acme builds analytics for revenue teams.</p>".repeat(20);
    assert_eq!(
        written(&format!(
            "<h1>Newsroom</h1><h2>Acme opens a Berlin office</h2><p>Nov 1, 2026</p>{excerpt}<h2>Acme raises $20 million Series A</h2><p>Mar 3, 2019</p>{excerpt}"
        )),
        None
    );
    // An inline date element stays in its line: a byline is one.
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1><p>By Jane Doe on <time>November 1, 2026</time></p>{raise}"
        )),
        day
    );
    // Dates that disagree: the one labelled as the publication, else none
    // (a listing of items with their dates).
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1><p>Last updated: December 1, 2026</p><p>Published: March 12, 2019</p>{raise}"
        )),
        NaiveDate::from_ymd_opt(2019, 3, 12)
    );
    assert_eq!(
        written(
            "<h1>Newsroom</h1><div class=\"card\"><span class=\"date\">November 15, 2026</span><h3><a href=\"/launch\">Omicron launches Atlas</a></h3></div>\
             <div class=\"card\"><span class=\"date\">March 12, 2019</span><h3><a href=\"/series-a\">Omicron raises $5 million Series A</a></h3><p>Omicron raised $5 million.</p></div>"
        ),
        None
    );
    // A footer's date is the site's, not the article's, with or without a
    // main element.
    for footer in [
        "<footer><p>Posted November 20, 2026</p></footer>",
        "<div role=\"contentinfo\"><p>Posted November 20, 2026</p></div>",
        "<div class=\"site-footer\"><p>Posted November 20, 2026</p></div>",
        "<div id=\"footer\"><p>Posted November 20, 2026</p></div>",
    ] {
        let html = format!(
            "<html><body><h1>Acme raises $20M</h1><p>Acme today announced a $20 million Series B.</p>{footer}</body></html>"
        );
        assert_eq!(
            articles_from_html(&html, None, None)[0].published,
            None,
            "{footer}"
        );
    }

    // The markup's date wins.
    let html = "<html><head><meta property=\"article:published_time\" content=\"2026-10-05\"></head><body><main><h1>Acme raises $20M</h1><p>November 1, 2026</p></main></body></html>";
    let arts = articles_from_html(html, None, None);
    assert_eq!(
        arts[0].published.map(|t| t.date_naive()),
        NaiveDate::from_ymd_opt(2026, 10, 5)
    );
}

/// Of more funding links than are followed, the newest are: a newsroom
/// listing its oldest news first keeps its latest round.
#[test]
fn the_newest_funding_links_are_followed() {
    use leadscore_news::article::funding_links;
    let card = |date: &str, path: &str, stage: &str| {
        format!(
            r#"<div class="card"><span class="date">{date}</span><h3><a href="{path}">Rho raises $10 million {stage}</a></h3><p>Read more.</p></div>"#
        )
    };
    let html = format!(
        "<html><body><h1>Newsroom</h1>{}{}{}{}</body></html>",
        card("May 2, 2018", "/news/seed", "seed round"),
        card("March 12, 2019", "/news/a", "Series A"),
        card("June 1, 2021", "/news/b", "Series B"),
        card("November 15, 2026", "/news/c", "Series C"),
    );
    let got: Vec<String> = funding_links(&html, "https://rho.example/newsroom", "rho.example", 3)
        .iter()
        .map(|u| u.path().to_owned())
        .collect();
    assert_eq!(got, ["/news/c", "/news/b", "/news/a"]);
    // A year in the link's own text; links without one come first, in the
    // page's order.
    let html = r#"<ul><li><a href="/news/a">Rho raises $5 million Series A (2019)</a></li>
        <li><a href="/news/c">Rho raises $60 million Series C</a></li>
        <li><a href="/news/b">Rho raises $20 million Series B</a></li></ul>"#;
    let got: Vec<String> = funding_links(html, "https://rho.example/newsroom", "rho.example", 2)
        .iter()
        .map(|u| u.path().to_owned())
        .collect();
    assert_eq!(got, ["/news/c", "/news/b"]);
    // A year in a permalink's path.
    let html = r#"<ul><li><a href="/news/2019/03/a">Rho raises $5 million Series A</a></li>
        <li><a href="/news/2021/06/b">Rho raises $20 million Series B</a></li>
        <li><a href="/2026-11-15-rho-series-c">Rho raises $60 million Series C</a></li></ul>"#;
    let got: Vec<String> = funding_links(html, "https://rho.example/newsroom", "rho.example", 2)
        .iter()
        .map(|u| u.path().to_owned())
        .collect();
    assert_eq!(got, ["/2026-11-15-rho-series-c", "/news/2021/06/b"]);
}

/// Page shapes a walkthrough met: each dated as its byline or dateline
/// says, or left undated when a date there could be another's (a wrong
/// date scores an old round as new, or a new one as old).
#[test]
fn written_dates_on_the_pages_a_walkthrough_met() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 1);
    let raise = "<p>Acme today announced a $20 million Series B.</p>";
    let dated = [
        // A subheadline under the headline.
        "<h1>Acme raises $20M</h1><h2>Round led by Orbit Capital</h2><p>SAN FRANCISCO, Nov. 1, 2026 /PRNewswire/ -- Acme today announced a $20 million Series B.</p>".to_owned(),
        // Datelines with dashes and brackets.
        "<h1>Acme raises $20M</h1><p>BOSTON - Nov. 1, 2026 - Acme today announced a $20 million Series B.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>BOSTON, MA – November 1, 2026 – Acme today announced a $20 million Series B.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>Boston, MA (November 1, 2026) – Acme today announced a $20 million Series B.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>LYON (France), le 1er novembre 2026 – Acme lève 20 millions d'euros.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>Ciudad de México, a 1 de noviembre de 2026.- Acme cerró una ronda de 20 millones.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>SAN FRANCISCO (PRWEB) November 01, 2026 -- Acme today announced a $20 million Series B.</p>".to_owned(),
        "<h1>Acme raises $20M</h1><p>Nov. 01, 2026 (GLOBE NEWSWIRE) -- Acme today announced a $20 million Series B.</p>".to_owned(),
        // The labelled date, the update's in another element or after it.
        format!(
            "<h1>Acme raises $20M</h1><p>Published November 1, 2026 · Updated December 1, 2026</p>{raise}"
        ),
        // A caption's date is the picture's.
        format!(
            "<h1>Acme raises $20M</h1><p>November 1, 2026</p><figure><img src=\"a.jpg\"><figcaption>Acme's CEO at SaaStr on March 12, 2019</figcaption></figure>{raise}<p class=\"wp-caption-text\">Photo: Acme | March 12, 2019</p>"
        ),
    ];
    let mut dated = dated.to_vec();
    // A pretty-printed headline; a milestones list in the body; a page
    // whose class names a sidebar it has.
    dated.push("<h1>\n  <span>Acme raises</span>\n  <span>$40M</span>\n</h1><p>SAN FRANCISCO, Nov. 1, 2026 /PRNewswire/ -- Acme today announced a $40 million Series B.</p><ul><li>March 3, 2019 - Seed</li><li>June 1, 2021 - Series A</li></ul>".to_owned());
    for html in &dated {
        assert_eq!(written(html), day, "{html}");
    }
    let undated = [
        // A short line of a sentence or a fact after the headline.
        format!("<h1>Acme raises $40M Series B</h1><p>Follows the seed round closed on March 3, 2019</p>{raise}"),
        format!("<h1>Acme raises $40M Series B</h1><ul><li>Previous round: March 3, 2019</li></ul>{raise}"),
        // Another date's word before a dateline.
        "<h1>Acme raises $10M</h1><p>UPDATED - Nov. 3, 2026 - Acme, which announced on March 3, 2019 that it raised $10 million, today said more.</p>".to_owned(),
        // Cards whose whole entry is the link, dates above their titles.
        "<h1>Newsroom</h1><a class=\"card\" href=\"/launch\"><p>November 15, 2026</p><h3>Lam launches Atlas</h3></a><a class=\"card\" href=\"/series-a\"><p>March 12, 2019</p><h3>Lam raises $10 million Series A</h3></a>".to_owned(),
        // A press list of dated paragraphs.
        "<h1>Press</h1><p><strong>November 15, 2026</strong> – Beta opens a Berlin office.</p><p><strong>March 12, 2019</strong> – Beta raised $10 million in Series A.</p>".to_owned(),
        // A "read more" entry under a short release.
        format!("<h1>Acme raises $20M</h1>{raise}<p><a href=\"/berlin\">Acme opens Berlin office</a></p><p>March 12, 2019</p>"),
        // Another date's label in its own element, or another word for it.
        format!("<h1>Acme raises $20M</h1><span>Updated</span><div>December 1, 2026</div>{raise}"),
        format!("<h1>Acme raises $20M</h1><div>Founded</div><div>March 3, 2015</div>{raise}"),
        format!("<h1>Acme raises $20M</h1><p>Last edited: December 1, 2026</p>{raise}"),
    ];
    for html in &undated {
        assert_eq!(written(html), None, "{html}");
    }
}

/// An article lists other pages' headlines apart from its text (related
/// news): their rounds and layoffs are not its news. A listing's text is
/// its links.
#[test]
fn an_articles_related_links_are_not_its_text() {
    let body = "<p>Kappa today announced it has raised $20 million in Series B funding led by Orbit Capital. The company will use the money to hire engineers and grow its sales team across Europe and North America, and to expand its analytics platform for revenue teams.</p><p>Kappa serves more than four hundred customers in thirty countries, from fast-growing startups to public companies.</p>";
    let html = format!(
        "<html><body><article><h1>Kappa raises $20 million Series B</h1>{body}<h3>Related</h3><ul><li><a href=\"/news/layoffs\">Kappa lays off 40 employees</a></li><li><a href=\"/news/seed\">Kappa raises $3 million seed round</a></li></ul><aside><p>Kappa lays off 40 employees</p></aside></article></body></html>"
    );
    let arts = articles_from_html(&html, Some("https://kappa.example/news/b"), None);
    assert_eq!(arts.len(), 1);
    assert!(
        arts[0].text.contains("raised $20 million"),
        "{}",
        arts[0].text
    );
    assert!(!arts[0].text.contains("lays off"), "{}", arts[0].text);
    assert!(!arts[0].text.contains("seed round"), "{}", arts[0].text);
    // A single linked sentence is the article's text; a newsroom with an
    // introduction keeps its headlines; a page wrapped in a form (ASP.NET)
    // is read by its blocks, not its scripts.
    let html = format!(
        "<html><body><article><h1>Acme raises $40M</h1>{body}<p><a href=\"https://techpress.example/acme\">Acme raises $40 million Series B led by Sequoia</a></p></article></body></html>"
    );
    let arts = articles_from_html(&html, None, None);
    assert!(arts[0].text.contains("led by Sequoia"), "{}", arts[0].text);
    let intro = "<p>Welcome to the Acme newsroom. Here you find our press releases, company announcements and media resources, with contacts for journalists and analysts who cover revenue analytics.</p>";
    let html = format!(
        "<html><body><main><h1>Newsroom</h1>{intro}<ul><li><a href=\"/b\">Acme raises $40 million Series B</a></li><li><a href=\"/c\">Acme opens a Berlin office</a></li><li><a href=\"/d\">Acme names a new CFO</a></li><li><a href=\"/e\">Acme launches Atlas</a></li></ul></main></body></html>"
    );
    let arts = articles_from_html(&html, None, None);
    assert!(
        arts.iter()
            .any(|a| a.text.contains("raises $40 million Series B")),
        "{arts:?}"
    );
    let html = format!(
        "<html><body><form id=\"aspnetForm\"><script>var x = 'Kappa lays off 40 employees';</script><h1>Kappa raises $20 million Series B</h1>{body}</form></body></html>"
    );
    let arts = articles_from_html(&html, None, None);
    assert!(
        arts[0].text.contains("raised $20 million"),
        "{}",
        arts[0].text
    );
    assert!(!arts[0].text.contains("var x"), "{}", arts[0].text);

    // A press listing of links keeps them.
    let listing = "<html><body><main><h1>Newsroom</h1><ul><li><a href=\"/news/b\">Kappa raises $20 million Series B</a></li><li><a href=\"/news/berlin\">Kappa opens a Berlin office</a></li></ul></main></body></html>";
    let arts = articles_from_html(listing, Some("https://kappa.example/newsroom"), None);
    assert!(
        arts.iter()
            .any(|a| a.text.contains("Kappa raises $20 million Series B")),
        "{arts:?}"
    );
}

/// Pages a hunt for wrong dates met: a wrong date scores an old round as
/// new or a new one as old, so each is dated right or left undated.
#[test]
fn written_dates_a_hunt_for_wrong_ones_met() {
    let raise = "<p>Acme Robotics today announced it has raised $20 million in Series B funding led by Sequoia Capital.</p>";
    let nov3 = NaiveDate::from_ymd_opt(2026, 11, 3);
    // A labelled publication date anywhere beats a credit under the
    // headline.
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1><div class=\"hero\"><img src=\"a.jpg\"><p class=\"credit\">Photo: Acme Robotics | June 12, 2018</p></div>{raise}<p>Published: November 3, 2026</p>"
        )),
        nov3
    );
    assert_eq!(
        written(&format!(
            "<h1>Acme raises $20M</h1><p>Published March 3, 2019, last update December 1, 2026</p>{raise}"
        )),
        NaiveDate::from_ymd_opt(2019, 3, 3)
    );
    for line in [
        // Credits, awards, offers, promotions, events.
        "<p class=\"credit\">Founders Jane Smith and Tom Lee | June 12, 2018</p>",
        "<div class=\"image\"><img src=\"a.jpg\"><p>Photo: Acme · March 3, 2019</p></div><p>By Jane Doe</p>",
        "<p>Winner, Deloitte Fast 50 | October 1, 2025</p><p>By Jane Doe</p>",
        "<p>Meet us at LogiMAT | March 10, 2027</p>",
        "<p>Offer | December 31, 2026</p>",
        // A list's item is no byline: words that are not a name.
        "<p>Previous round · March 3, 2019</p>",
        "<ul><li>Seed round | March 3, 2019</li></ul>",
        "<p>Date: December 10, 2026 | 11:00 AM ET</p>",
        // A dotted date in a byline may be month-first.
        "<p class=\"meta\">Jane Doe | 11.03.2026</p>",
        // Update wording.
        "<p>By Jane Doe</p><p>Last update</p><p>December 1, 2026</p>",
        "<p>Date of last update: December 1, 2026</p>",
        "<p>Fecha de actualización: 1 de diciembre de 2026</p>",
        "<p>Mise à jour | 1er décembre 2026</p>",
        "<p>Datum der letzten Änderung: 01.12.2026</p>",
    ] {
        assert_eq!(
            written(&format!("<h1>Acme raises $20M</h1>{line}{raise}")),
            None,
            "{line}"
        );
    }
    // A review date; a headline's words are no dateline's place; a date
    // labelled in a "More from Acme" list is another page's.
    for html in [
        format!("<h1>Acme raises $20M</h1><p>By Jane Doe | Reviewed December 1, 2026</p>{raise}"),
        "<h1>Acme raises $20M</h1><p>Acme Robotics Seed Round, March 3, 2019 – $3M led by Point Nine.</p>".to_owned(),
    ] {
        assert_eq!(written(&html), None, "{html}");
    }
    assert_eq!(
        written(
            "<h1>Acme raises $20M</h1><p>BERLIN, March 3, 2019 – Acme Robotics today announced it has raised $20 million in Series B funding.</p><div class=\"related\"><h4>More from Acme</h4><div class=\"item\"><p>Acme named Top Employer</p><p>Posted on November 20, 2026</p></div></div>"
        ),
        NaiveDate::from_ymd_opt(2019, 3, 3)
    );
    // The page's headline is outside the largest article (a related card):
    // the body is the page's article.
    let html = format!(
        "<html><body><div class=\"content\"><h1>Our next chapter</h1><p>By Jane Doe | November 3, 2026</p>{raise}</div><div class=\"more\"><h2>More news</h2><article class=\"related-post\"><h3><a href=\"/p\">PickBot 4 is here</a></h3><p>Acme Robotics today launched PickBot 4, a warehouse picking robot that handles 900 items an hour and works with all major warehouse systems on the market today.</p></article></div></body></html>"
    );
    let arts = articles_from_html(&html, None, None);
    assert!(arts[0].text.contains("Series B"), "{}", arts[0].text);
    assert_eq!(arts[0].published.map(|t| t.date_naive()), nov3);

    // A date after the page was read is no publication date.
    let html = format!(
        "<html><body><main><h1>Acme raises $20M</h1><p>By Jane Doe on March 10, 2027</p>{raise}</main></body></html>"
    );
    let arts = articles_from_html(&html, None, NaiveDate::from_ymd_opt(2026, 12, 7));
    assert_eq!(arts[0].published, None);
}

/// A page's text leaves out the news it lists of other pages, with their
/// dates or in a sidebar, and keeps its own.
#[test]
fn a_pages_text_is_its_own_news() {
    let body = "<p>Acme Robotics today announced it has raised $20 million in Series B funding led by Sequoia Capital. The round will fund new warehouse robots and a larger sales team in Europe and North America.</p>";
    let html = format!(
        "<html><body><main><h1>Acme launches PickBot</h1>{body}<h3>Related Links</h3><ul><li><a href=\"/seed\">Acme Robotics Closes $3M Seed Round</a> March 3, 2019</li></ul><div class=\"sidebar\"><p><a href=\"/k\">Kappa Labs funding</a></p><p>Kappa Labs today announced it has raised $5 million in seed funding led by Atomico.</p></div></main></body></html>"
    );
    let text = &articles_from_html(&html, None, None)[0].text;
    assert!(text.contains("$20 million in Series B"), "{text}");
    assert!(
        !text.contains("Seed Round") && !text.contains("Kappa"),
        "{text}"
    );
    // Two linked paragraphs are the post's own, not a list of others.
    let html = "<html><body><main><h1>Our next chapter</h1><p>We have news to share with our customers and partners today, and a letter from our CEO about what comes next for the company and its products.</p><p><a href=\"https://techpress.example/acme\">Acme Robotics raises $20 million in Series B funding led by Sequoia Capital</a></p><p><a href=\"/letter\">Read the letter from our CEO</a></p></main></body></html>";
    let text = &articles_from_html(html, None, None)[0].text;
    assert!(text.contains("led by Sequoia Capital"), "{text}");
    // A post in plain divs beside a related card marked up as an article.
    let html = format!(
        "<html><body><div class=\"post\"><h1>Acme raises $20M</h1>{body}{body}</div><article class=\"card\"><a href=\"/seed\">Acme seed</a><p>2019</p></article></body></html>"
    );
    let text = &articles_from_html(&html, None, None)[0].text;
    assert!(text.contains("$20 million in Series B"), "{text}");
}

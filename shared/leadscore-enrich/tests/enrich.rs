//! Enrichment end to end against fixture websites on 127.0.0.1.
#![allow(clippy::unwrap_used)] // test helpers panic by design

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use leadscore_core::domain::Domain;
use leadscore_enrich::{EnrichConfig, Enricher, load_fingerprints};
use leadscore_fetch::{FetchConfig, ReqwestFetcher, StaticResolver};
use leadscore_fingerprint::FingerprintDb;
use leadscore_testkit::site::{Route, Site};

fn fingerprints() -> Arc<FingerprintDb> {
    static DB: OnceLock<Arc<FingerprintDb>> = OnceLock::new();
    DB.get_or_init(|| Arc::new(load_fingerprints(&[]).unwrap().0))
        .clone()
}

#[test]
fn a_user_regex_too_large_to_compile_is_reported_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    std::fs::write(
        &file,
        r#"{"Huge": {"html": "(?:(?:[a-z]{1000}){1000})"}, "Fine": {"html": "acme-fine"}}"#,
    )
    .unwrap();
    let (_, report) = load_fingerprints(&[file]).unwrap();
    // Parsed at load but compiled on first use, where it would silently
    // never match: reported with the load's other issues instead.
    let names: Vec<&str> = report
        .issues
        .iter()
        .map(|i| i.technology.as_str())
        .collect();
    assert_eq!(names, ["Huge"], "{:?}", report.issues);
    // The shipped files alone report nothing (their known problems are
    // checked in tests/embedded.rs).
    assert!(load_fingerprints(&[]).unwrap().1.issues.is_empty());
}

/// A detection on one weak pattern alone (confidence under
/// `MIN_TECH_CONFIDENCE`) is no technology of the account; one of full
/// weight is.
#[tokio::test]
async fn a_lone_weak_pattern_is_no_technology() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    std::fs::write(
        &file,
        r#"{"Weakly Seen": {"html": "weak-marker\\;confidence:20"}, "Strongly Seen": {"html": "strong-marker"}}"#,
    )
    .unwrap();
    let db = Arc::new(load_fingerprints(&[file]).unwrap().0);
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(r#"<div class="weak-marker strong-marker">Acme</div>"#),
    );
    let host = "weak.test";
    let e = Enricher::new(
        Arc::new(loopback_fetcher(host, |_| {})),
        db,
        EnrichConfig::default(),
    );
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let out = tokio::time::timeout(
        Duration::from_secs(20),
        e.enrich(&domain, Some(&start), None, at("2026-09-01T00:00:00Z")),
    )
    .await
    .unwrap()
    .unwrap();
    let names: Vec<&str> = out.technologies.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"Strongly Seen"), "{names:?}");
    assert!(!names.contains(&"Weakly Seen"), "{names:?}");
}

/// A technology an earlier version stored under `MIN_TECH_CONFIDENCE`
/// (it counted every detection) is dropped, not reported removed, when
/// the page it was on is read again without it.
#[test]
fn a_stored_weak_technology_is_dropped_not_removed() {
    use leadscore_core::domain::EnrichmentSnapshot;
    let t0 = at("2026-09-01T00:00:00Z");
    let previous = EnrichmentSnapshot {
        domain: Domain::parse("weak.test").unwrap(),
        enriched_at: t0,
        signals: Vec::new(),
        details: serde_json::json!({
            "technologies": [
                {"name": "Weakly Seen", "categories": [], "confidence": 20,
                 "first_seen": "2026-08-01T00:00:00Z", "last_seen": "2026-09-01T00:00:00Z",
                 "evidence": [{"url": "http://weak.test/", "field": "html", "snippet": "weak"}]},
                {"name": "Strongly Seen", "categories": [], "confidence": 100,
                 "first_seen": "2026-08-01T00:00:00Z", "last_seen": "2026-09-01T00:00:00Z",
                 "evidence": [{"url": "http://weak.test/", "field": "html", "snippet": "strong"}]}
            ],
            "pages": [{"url": "http://weak.test/", "kind": "homepage", "status": 200}]
        }),
        errors: Vec::new(),
    };
    let read: std::collections::BTreeSet<&str> = ["http://weak.test/"].into();
    let later = at("2026-10-01T00:00:00Z");
    let (records, changes) =
        leadscore_enrich::compare_tech(Some(&previous), &[], true, &read, later);
    let names: Vec<&str> = records.iter().map(|t| t.name.as_str()).collect();
    // The strong one is missed once (kept, marked); the weak one is gone
    // without a change.
    assert_eq!(names, ["Strongly Seen"], "{records:?}");
    assert!(changes.is_empty(), "{changes:?}");
}

/// An enricher whose fetcher may reach loopback (explicit opt-in) and
/// resolves `host` to 127.0.0.1 through an injected resolver.
fn enricher(host: &str) -> Enricher {
    enricher_with(host, |_| {}, EnrichConfig::default())
}

/// [`enricher`] with its fetch settings changed by `fetch` and `config`.
fn enricher_with(
    host: &str,
    fetch: impl FnOnce(&mut FetchConfig),
    config: EnrichConfig,
) -> Enricher {
    Enricher::new(
        Arc::new(loopback_fetcher(host, fetch)),
        fingerprints(),
        config,
    )
}

/// A fetcher that may reach loopback and resolves `host` to 127.0.0.1,
/// its settings changed by `fetch`.
fn loopback_fetcher(host: &str, fetch: impl FnOnce(&mut FetchConfig)) -> ReqwestFetcher {
    let mut fetch_config = FetchConfig {
        allow_private_network: true,
        politeness_delay: Duration::ZERO,
        ..FetchConfig::default()
    };
    fetch(&mut fetch_config);
    let resolver = StaticResolver::new().with(host, &[IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    ReqwestFetcher::new(fetch_config, Arc::new(resolver)).unwrap()
}

/// Like [`enricher`], with the ATS APIs pointed at `ats` (a loopback site).
fn enricher_with_ats(hosts: &[&str], ats: &str) -> Enricher {
    enricher_with_ats_and(hosts, ats, |_| {})
}

/// [`enricher_with_ats`] with `tune` applied to its configuration.
fn enricher_with_ats_and(
    hosts: &[&str],
    ats: &str,
    tune: impl FnOnce(&mut EnrichConfig),
) -> Enricher {
    enricher_with_ats_fetch(hosts, ats, |_| {}, tune)
}

/// [`enricher_with_ats_and`] with `fetch` applied to its fetch settings.
fn enricher_with_ats_fetch(
    hosts: &[&str],
    ats: &str,
    fetch: impl FnOnce(&mut FetchConfig),
    tune: impl FnOnce(&mut EnrichConfig),
) -> Enricher {
    let mut config = FetchConfig {
        allow_private_network: true,
        politeness_delay: Duration::ZERO,
        ..FetchConfig::default()
    };
    fetch(&mut config);
    let mut resolver = StaticResolver::new();
    for h in hosts {
        resolver = resolver.with(h, &[IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    }
    let fetcher = ReqwestFetcher::new(config, Arc::new(resolver)).unwrap();
    let mut cfg = EnrichConfig::default();
    cfg.hiring.endpoints = leadscore_hiring::endpoints::AtsEndpoints {
        greenhouse: ats.into(),
        lever: ats.into(),
        lever_eu: format!("{ats}/eu"),
        ashby: ats.into(),
        smartrecruiters: ats.into(),
        workable: ats.into(),
        recruitee: format!("{ats}/recruitee/{{slug}}"),
        personio: format!("{ats}/personio/{{slug}}"),
        teamtailor: format!("{ats}/teamtailor/{{slug}}"),
    };
    tune(&mut cfg);
    Enricher::new(Arc::new(fetcher), fingerprints(), cfg)
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const HOME_V1: &str = r#"<!doctype html><html><head><title>Northwind Analytics</title>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-ABC1234');</script>
</head><body><a href="/pricing">Pricing</a> <a href="/careers">Careers</a> <a href="/newsroom">Newsroom</a>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4242424.js"></script>
</body></html>"#;

const HOME_V2: &str = r#"<!doctype html><html><head><title>Northwind Analytics</title>
<script src="//munchkin.marketo.net/munchkin.js"></script><script>Munchkin.init('123-ABC-456');</script>
</head><body><a href="/pricing">Pricing</a></body></html>"#;

#[tokio::test]
async fn a_fixture_site_is_crawled_and_its_stack_detected_and_compared() {
    let site = Site::start().await;
    site.route("/", Route::html(HOME_V1))
        .route("/pricing", Route::html("<h1>Pricing</h1>"))
        .route("/careers", Route::html("<h1>Join us</h1>"))
        .route(
            "/robots.txt",
            Route::ok("text/plain", "User-agent: *\nDisallow: /newsroom\n"),
        );
    let host = "northwind.test";
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let first = tokio::time::timeout(
        Duration::from_secs(20),
        e.enrich(&domain, Some(&start), None, at("2026-09-01T00:00:00Z")),
    )
    .await
    .unwrap()
    .unwrap();
    let names: Vec<&str> = first.technologies.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"HubSpot") && names.contains(&"Google Tag Manager"),
        "{names:?}"
    );
    assert!(first.changes.is_empty(), "no baseline, no changes");
    let kinds: Vec<(&str, bool)> = first
        .pages
        .iter()
        .map(|p| (p.kind.as_str(), p.error.is_none()))
        .collect();
    assert!(
        kinds.contains(&("homepage", true))
            && kinds.contains(&("pricing", true))
            && kinds.contains(&("careers", true)),
        "{kinds:?}"
    );
    assert!(
        first
            .pages
            .iter()
            .any(|p| p.kind == "press" && p.error.as_deref().is_some_and(|e| e.contains("robots"))),
        "robots.txt disallows the newsroom: {:?}",
        first.pages
    );
    assert_eq!(
        first.snapshot.errors.len(),
        1,
        "{:?}",
        first.snapshot.errors
    );
    let hubspot = first
        .snapshot
        .signals
        .iter()
        .find(|s| {
            s.name == "tech"
                && s.evidence
                    .as_ref()
                    .is_some_and(|e| e.text.starts_with("HubSpot"))
        })
        .unwrap();
    assert!(
        hubspot
            .evidence
            .as_ref()
            .unwrap()
            .url
            .as_deref()
            .unwrap()
            .starts_with("http://northwind.test:")
    );

    site.route("/", Route::html(HOME_V2));
    let second = e
        .enrich(
            &domain,
            Some(&start),
            Some(&first.snapshot),
            at("2026-10-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let change = |name: &str| {
        second
            .changes
            .iter()
            .find(|c| c.technology == name)
            .map(|c| c.installed)
    };
    assert_eq!(change("Marketo"), Some(true));
    // HubSpot missed once: kept, marked, not removed yet.
    assert_eq!(change("HubSpot"), None);
    let hubspot = second
        .technologies
        .iter()
        .find(|t| t.name == "HubSpot")
        .unwrap();
    assert_eq!(hubspot.missed_at, Some(at("2026-10-01T00:00:00Z")));
    assert!(
        second
            .snapshot
            .signals
            .iter()
            .any(|s| s.name == "tech.installed")
    );
    assert!(
        !second
            .snapshot
            .signals
            .iter()
            .any(|s| s.name == "tech.removed")
    );

    site.route(
        "/",
        Route::html(HOME_V2.replace("</body>", "<p>updated</p></body>")),
    );
    let third = e
        .enrich(
            &domain,
            Some(&start),
            Some(&second.snapshot),
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let marketo = third
        .technologies
        .iter()
        .find(|t| t.name == "Marketo")
        .unwrap();
    assert_eq!(
        marketo.first_seen,
        at("2026-10-01T00:00:00Z"),
        "first seen is carried over"
    );
    // Missed a second time: HubSpot (and Google Tag Manager, also gone
    // from the second homepage) are removed now.
    let changes: Vec<(&str, bool)> = third
        .changes
        .iter()
        .map(|c| (c.technology.as_str(), c.installed))
        .collect();
    assert_eq!(changes, [("Google Tag Manager", false), ("HubSpot", false)]);
    assert!(!third.technologies.iter().any(|t| t.name == "HubSpot"));
    // No change this time, but Marketo's installation still shows, dated
    // when it was first seen, for the model's max_age_days to count from;
    // what the first snapshot had is no installation.
    let installed: Vec<_> = third
        .snapshot
        .signals
        .iter()
        .filter(|s| s.name == "tech.installed")
        .map(|s| (s.value.clone(), s.observed_at))
        .collect();
    assert_eq!(
        installed,
        vec![(
            leadscore_core::domain::SignalValue::Text("Marketo".into()),
            at("2026-10-01T00:00:00Z")
        )]
    );
    assert!(
        third
            .snapshot
            .signals
            .iter()
            .any(|s| s.name == "tech.removed")
    );

    // The site is down: nothing observed, so nothing "removed".
    site.route("/", Route::status(503, "text/html", "down"));
    let fourth = e
        .enrich(
            &domain,
            Some(&start),
            Some(&third.snapshot),
            at("2026-11-02T00:00:00Z"),
        )
        .await
        .unwrap();
    assert!(fourth.changes.is_empty(), "{:?}", fourth.changes);
    // Carried as it was, from this run on.
    let carried: Vec<_> = third
        .technologies
        .iter()
        .map(|t| leadscore_enrich::TechRecord {
            carried_since: Some(at("2026-11-02T00:00:00Z")),
            ..t.clone()
        })
        .collect();
    assert_eq!(fourth.technologies, carried);
    assert!(!fourth.snapshot.errors.is_empty());
}

/// A homepage over the page cap is read up to it (it used to be refused,
/// and the site's whole stack went unread): what its first part shows is
/// detected, and a technology its rest may hold is carried, not removed.
#[tokio::test]
async fn a_page_over_the_cap_is_read_in_part_and_removes_nothing() {
    let site = Site::start().await;
    site.route("/", Route::html(HOME_V1));
    let host = "northwind.test";
    let e = enricher_with(
        host,
        |c| c.max_body_bytes = 8 * 1024,
        EnrichConfig::default(),
    );
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let stack = |o: &leadscore_enrich::Enrichment| {
        o.technologies
            .iter()
            .map(|t| (t.name.clone(), t.missed_at.is_some()))
            .collect::<Vec<_>>()
    };
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    let hubspot = ("HubSpot".to_owned(), false);
    assert!(stack(&run1).contains(&hubspot), "{:?}", stack(&run1));
    // 20 KB of text before the HubSpot script at the end of the body.
    let long = HOME_V1.replace(
        "<script type=\"text/javascript\" id=\"hs-script-loader\"",
        &format!(
            "{}<script type=\"text/javascript\" id=\"hs-script-loader\"",
            "<p>Northwind news and notes.</p>".repeat(700)
        ),
    );
    site.route("/", Route::html(long));
    let mut previous = run1;
    for day in ["2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"] {
        let run = enrich_at(&e, &domain, &start, Some(&previous), day).await;
        assert!(run.pages[0].truncated, "{:?}", run.pages[0]);
        assert!(run.changes.is_empty(), "{:?}", run.changes);
        assert_eq!(stack(&run), stack(&previous), "carried, not missed");
        previous = run;
    }

    // Roles read from a careers page cut at the cap are a part of them: no
    // velocity from them.
    site.route("/", Route::html(HOME_V1)).route(
        "/careers",
        Route::html(format!(
            r#"<script type="application/ld+json">{{"@type":"JobPosting","title":"Account Executive","datePosted":"2026-11-01"}}</script>{}"#,
            "<p>Life at Northwind.</p>".repeat(700)
        )),
    );
    let hiring = enrich_at(&e, &domain, &start, Some(&previous), "2026-11-04T00:00:00Z").await;
    let board = &hiring.hiring.boards[0];
    assert_eq!(
        (board.ats.as_str(), board.truncated),
        ("jsonld", true),
        "{board:?}"
    );
}

#[tokio::test]
async fn a_technology_on_a_page_that_failed_is_carried_not_removed() {
    // HubSpot on the homepage, Google Tag Manager only on /careers.
    let gtm = HOME_V1
        .split("</head>")
        .next()
        .unwrap()
        .replace("//js.hs-scripts.com", "");
    let site = Site::start().await;
    site.route("/", Route::html(r#"<html><body><a href="/careers">Careers</a>
<script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242424.js"></script></body></html>"#))
        .route("/careers", Route::html(format!("{gtm}</head><body>Jobs</body></html>")));
    let host = "northwind.test";
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let stack = |o: &leadscore_enrich::Enrichment| {
        o.technologies
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    };
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    assert!(
        stack(&run1).contains(&"Google Tag Manager".to_owned()),
        "{:?}",
        stack(&run1)
    );
    // /careers fails: GTM is not seen, but not looked for either.
    site.route("/careers", Route::status(503, "text/plain", "later"));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-02T00:00:00Z").await;
    assert!(run2.changes.is_empty(), "{:?}", run2.changes);
    assert_eq!(stack(&run2), stack(&run1));
    let gtm_signal = run2
        .snapshot
        .signals
        .iter()
        .find(|s| {
            s.name == "tech"
                && s.value == leadscore_core::domain::SignalValue::Text("Google Tag Manager".into())
        })
        .unwrap();
    assert_eq!(
        gtm_signal.observed_at,
        at("2026-11-01T00:00:00Z"),
        "as last seen"
    );
    // Read again without it once (a lighter page served once): kept.
    site.route("/careers", Route::html("<html><body>Jobs</body></html>"));
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-03T00:00:00Z").await;
    assert!(run3.changes.is_empty(), "{:?}", run3.changes);
    assert_eq!(stack(&run3), stack(&run1));
    // Back the next time: no change, its first sighting kept, no more miss.
    site.route(
        "/careers",
        Route::html(format!("{gtm}</head><body>Jobs</body></html>")),
    );
    let run4 = enrich_at(&e, &domain, &start, Some(&run3), "2026-11-04T00:00:00Z").await;
    assert!(run4.changes.is_empty(), "{:?}", run4.changes);
    let gtm_record = |o: &leadscore_enrich::Enrichment| {
        o.technologies
            .iter()
            .find(|t| t.name == "Google Tag Manager")
            .cloned()
            .unwrap()
    };
    assert_eq!(gtm_record(&run4).first_seen, at("2026-11-01T00:00:00Z"));
    assert_eq!(gtm_record(&run4).missed_at, None);
    // Missed twice in a row: removed.
    site.route("/careers", Route::html("<html><body>Jobs</body></html>"));
    let run5 = enrich_at(&e, &domain, &start, Some(&run4), "2026-11-05T00:00:00Z").await;
    assert!(run5.changes.is_empty(), "{:?}", run5.changes);
    let run6 = enrich_at(&e, &domain, &start, Some(&run5), "2026-11-06T00:00:00Z").await;
    let removed: Vec<&str> = run6
        .changes
        .iter()
        .filter(|c| !c.installed)
        .map(|c| c.technology.as_str())
        .collect();
    assert_eq!(removed, ["Google Tag Manager"]);
}

/// A technology found on a page read for the first time (it failed last
/// time) may have been there all along: it joins the stack, not installed,
/// and no change is told. One new on a page read both times is installed.
#[tokio::test]
async fn a_technology_on_a_page_read_for_the_first_time_is_no_installation() {
    let site = Site::start().await;
    let home = r#"<html><body><a href="/careers">Careers</a></body></html>"#;
    site.route("/", Route::html(home))
        .route("/careers", Route::status(503, "text/plain", "later"));
    let host = "northwind.test";
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    assert!(run1.technologies.is_empty(), "{:?}", run1.technologies);
    // /careers answers now, with Marketo on it.
    site.route("/careers", Route::html(HOME_V2));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-02T00:00:00Z").await;
    let marketo = run2
        .technologies
        .iter()
        .find(|t| t.name == "Marketo")
        .unwrap();
    assert!(!marketo.installed);
    assert!(run2.changes.is_empty(), "{:?}", run2.changes);
    assert!(
        !run2
            .snapshot
            .signals
            .iter()
            .any(|s| s.name == "tech.installed")
    );
    // HubSpot appears on the homepage, read both times: installed.
    site.route(
        "/",
        Route::html(home.replace(
            "</body>",
            r#"<script id="hs-script-loader" src="//js.hs-scripts.com/4242424.js"></script></body>"#,
        )),
    );
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-03T00:00:00Z").await;
    let changes: Vec<(&str, bool)> = run3
        .changes
        .iter()
        .map(|c| (c.technology.as_str(), c.installed))
        .collect();
    assert_eq!(changes, [("HubSpot", true)]);
}

#[tokio::test]
async fn a_page_that_redirects_to_another_site_is_not_the_account_s_stack() {
    // /careers redirects to the job board's own domain, which runs GTM.
    let site = Site::start().await;
    let board = format!("{}/board", site.url("jobs-elsewhere.test"));
    let gtm = HOME_V1
        .split("</head>")
        .next()
        .unwrap()
        .replace("//js.hs-scripts.com", "");
    site.route("/", Route::html(r#"<html><body><a href="/careers">Careers</a>
<script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242424.js"></script></body></html>"#))
        .route("/careers", Route::status(301, "text/plain", "moved").header("location", &board))
        .route("/board", Route::html(format!("{gtm}</head><body>Jobs</body></html>")));
    let host = "northwind.test";
    let e = enricher_with_ats(&[host, "jobs-elsewhere.test"], &site.url("ats.test"));
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    let names: Vec<&str> = run.technologies.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"HubSpot"), "{names:?}");
    assert!(!names.contains(&"Google Tag Manager"), "{names:?}");
    assert!(
        site.hits().iter().any(|h| h.contains("/board")),
        "the redirect was followed: {:?}",
        site.hits()
    );
}

/// Northwind's site answering 503 to everything, an enricher for it, its
/// domain and start URL.
async fn northwind_down() -> (Site, Enricher, Domain, String) {
    let site = Site::start().await;
    site.route("/", Route::status(503, "text/plain", "down"));
    let host = "northwind.test";
    let start = format!("{}/", site.url(host));
    (site, enricher(host), Domain::parse(host).unwrap(), start)
}

#[tokio::test]
async fn a_first_enrichment_that_never_reached_the_site_is_no_baseline() {
    let (site, e, domain, start) = northwind_down().await;
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    assert!(run1.technologies.is_empty());
    site.route("/", Route::html(HOME_V1));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-02T00:00:00Z").await;
    assert!(!run2.technologies.is_empty());
    // The stack was there all along, as far as anyone knows: no installs.
    assert!(run2.changes.is_empty(), "{:?}", run2.changes);
    assert!(run2.technologies.iter().all(|t| !t.installed));
    // Down again: the stack stands for 30 days from the first run that
    // found it down (a month after it was last seen, too), then it is gone,
    // and said so.
    site.route("/", Route::status(503, "text/plain", "down"));
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-20T00:00:00Z").await;
    assert_eq!(run3.technologies.len(), run2.technologies.len());
    assert!(run3.changes.is_empty(), "{:?}", run3.changes);
    let run4 = enrich_at(&e, &domain, &start, Some(&run3), "2026-12-03T00:00:00Z").await;
    assert_eq!(run4.technologies.len(), run2.technologies.len());
    assert!(run4.changes.is_empty(), "{:?}", run4.changes);
    assert!(
        run4.technologies
            .iter()
            .all(|t| t.carried_since == Some(at("2026-11-20T00:00:00Z"))),
        "{:?}",
        run4.technologies
    );
    let run5 = enrich_at(&e, &domain, &start, Some(&run4), "2026-12-21T00:00:00Z").await;
    assert!(run5.technologies.is_empty());
    assert_eq!(run5.changes.len(), run2.technologies.len());
    assert!(run5.changes.iter().all(|c| !c.installed));
}

/// Runs a month apart (a monthly schedule): one run whose homepage or a
/// page fails removes nothing, and one that reads a page without a
/// technology only marks it missed, as when runs are a day apart.
#[tokio::test]
async fn runs_a_month_apart_remove_nothing_on_one_failure_or_one_miss() {
    let gtm = HOME_V1
        .split("</head>")
        .next()
        .unwrap()
        .replace("//js.hs-scripts.com", "");
    let home = r#"<html><body><a href="/careers">Careers</a>
<script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242424.js"></script></body></html>"#;
    let careers = format!("{gtm}</head><body>Jobs</body></html>");
    let site = Site::start().await;
    site.route("/", Route::html(home))
        .route("/careers", Route::html(careers.clone()));
    let host = "northwind.test";
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let names = |o: &leadscore_enrich::Enrichment| {
        o.technologies
            .iter()
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    };
    let run1 = enrich_at(&e, &domain, &start, None, "2026-08-01T00:00:00Z").await;
    assert!(names(&run1).contains(&"Google Tag Manager".to_owned()));
    // A month on, /careers fails: GTM carried.
    site.route("/careers", Route::status(503, "text/plain", "later"));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-09-01T00:00:00Z").await;
    assert!(run2.changes.is_empty(), "{:?}", run2.changes);
    assert_eq!(names(&run2), names(&run1));
    // A month on, read without it once: kept, marked missed.
    site.route("/careers", Route::html("<html><body>Jobs</body></html>"));
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-10-02T00:00:00Z").await;
    assert!(run3.changes.is_empty(), "{:?}", run3.changes);
    assert_eq!(names(&run3), names(&run1));
    // A month on, the homepage down: the whole stack carried.
    site.route("/", Route::status(503, "text/plain", "down"));
    let run4 = enrich_at(&e, &domain, &start, Some(&run3), "2026-11-02T00:00:00Z").await;
    assert!(run4.changes.is_empty(), "{:?}", run4.changes);
    assert_eq!(names(&run4), names(&run1));
    // Back, with GTM on /careers again: nothing changed at all.
    site.route("/", Route::html(home))
        .route("/careers", Route::html(careers));
    let run5 = enrich_at(&e, &domain, &start, Some(&run4), "2026-12-02T00:00:00Z").await;
    assert!(run5.changes.is_empty(), "{:?}", run5.changes);
    assert_eq!(names(&run5), names(&run1));
    assert!(
        run5.technologies
            .iter()
            .all(|t| t.carried_since.is_none() && t.missed_at.is_none())
    );
}

#[tokio::test]
async fn an_unreachable_site_is_an_empty_snapshot_with_errors_not_a_failure() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = enricher("gone.test");
    let domain = Domain::parse("gone.test").unwrap();
    let out = e
        .enrich(
            &domain,
            Some(&format!("http://gone.test:{}/", closed.port())),
            None,
            at("2026-09-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert!(out.technologies.is_empty());
    assert_eq!(out.snapshot.errors.len(), 1, "{:?}", out.snapshot.errors);
}

/// A site that cannot be reached for now, with nothing found before: the
/// run is not stored, so the account is not stamped and stays due (a new
/// account from a form whose site blipped waited a whole period for its
/// first signals). Once reached, it is stored; down again after that, the
/// snapshot carrying its stack is stored as before.
#[tokio::test]
async fn an_unreachable_site_with_nothing_to_carry_is_not_stored_and_stays_due() {
    use leadscore_enrich::enrich_account;
    use leadscore_store::{MemoryStore, Store};
    let (site, e, domain, start) = northwind_down().await;
    let store = MemoryStore::new();
    store
        .upsert_account(&leadscore_core::domain::Account::new(
            domain.clone(),
            at("2026-11-01T00:00:00Z"),
        ))
        .await
        .unwrap();
    let enrich =
        |now: &'static str| enrich_account(&store, &e, None, &domain, Some(&start), at(now));
    let due = || async {
        store
            .accounts_due(at("2026-11-01T12:00:00Z"), 10)
            .await
            .unwrap()
    };

    let down = enrich("2026-11-01T00:00:00Z").await.unwrap();
    assert!(down.enrichment.unreachable && !down.stored);
    assert!(down.events.is_empty());
    assert!(store.latest_snapshot(&domain).await.unwrap().is_none());
    assert_eq!(due().await, std::slice::from_ref(&domain), "still due");

    site.route("/", Route::html(HOME_V1));
    let up = enrich("2026-11-02T00:00:00Z").await.unwrap();
    assert!(up.stored && !up.enrichment.unreachable);
    assert!(due().await.is_empty());

    // A site that stays unreachable (a domain that does not exist) is left
    // due once a month, not at every run: the second failure is stored
    // (the account stamped), so such accounts cannot fill the scheduler.
    let gone = Domain::parse("gone.test").unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let gone_start = format!("http://gone.test:{}/", closed.port());
    let e_gone = enricher("gone.test");
    let stored = |now: &'static str| {
        let (store, e_gone, gone, gone_start) = (&store, &e_gone, &gone, &gone_start);
        async move {
            enrich_account(store, e_gone, None, gone, Some(gone_start), at(now))
                .await
                .unwrap()
                .stored
        }
    };
    assert!(!stored("2026-11-01T00:00:00Z").await);
    assert!(stored("2026-11-02T00:00:00Z").await);
    assert!(stored("2026-11-20T00:00:00Z").await);
    assert!(!stored("2026-12-05T00:00:00Z").await, "a month later, once");

    site.route("/", Route::status(503, "text/plain", "down"));
    let carried = enrich("2026-11-03T00:00:00Z").await.unwrap();
    assert!(carried.enrichment.unreachable && carried.stored);
    assert_eq!(
        store
            .latest_snapshot(&domain)
            .await
            .unwrap()
            .unwrap()
            .enriched_at,
        at("2026-11-03T00:00:00Z")
    );
}

const GREENHOUSE_JOBS: &str = r#"{"jobs": [
 {"id": 101, "title": "Sales Development Representative", "absolute_url": "https://boards.greenhouse.io/northwind/jobs/101",
  "location": {"name": "Remote - US"}, "updated_at": "2026-10-20T10:00:00-04:00", "first_published": "2026-10-15T10:00:00-04:00",
  "content": "", "departments": [{"id": 1, "name": "Sales", "parent_id": null, "child_ids": []}], "offices": []},
 {"id": 102, "title": "Sales Development Representative", "absolute_url": "https://boards.greenhouse.io/northwind/jobs/102",
  "location": {"name": "London"}, "updated_at": "2026-10-20T10:00:00-04:00", "first_published": "2026-10-15T10:00:00-04:00",
  "content": "", "departments": [{"id": 1, "name": "Sales", "parent_id": null, "child_ids": []}], "offices": []},
 {"id": 103, "title": "Head of Growth", "absolute_url": "https://boards.greenhouse.io/northwind/jobs/103",
  "location": {"name": "New York"}, "updated_at": "2026-08-01T10:00:00-04:00", "first_published": "2026-08-01T10:00:00-04:00",
  "content": "", "departments": [], "offices": []},
 {"id": 104, "title": "General Application", "absolute_url": "https://boards.greenhouse.io/northwind/jobs/104",
  "location": {"name": "Anywhere"}, "updated_at": "2026-01-01T10:00:00-04:00", "first_published": "2026-01-01T10:00:00-04:00",
  "content": "", "departments": [], "offices": []}
], "meta": {"total": 4}}"#;

#[tokio::test]
async fn careers_page_ats_board_is_read_into_hiring_signals() {
    let site = Site::start().await;
    site.route("/", Route::html(r#"<html><body><a href="/careers">Join us</a></body></html>"#))
        .route(
            "/careers",
            Route::html(r#"<div id="grnhse_app"></div><script src="https://boards.greenhouse.io/embed/job_board/js?for=northwind"></script>"#),
        )
        .route("/v1/boards/northwind/jobs?content=true", Route::json(GREENHOUSE_JOBS));
    let e = enricher_with_ats(&["northwind.test", "ats.test"], &site.url("ats.test"));
    let domain = Domain::parse("northwind.test").unwrap();
    let out = e
        .enrich(
            &domain,
            Some(&format!("{}/", site.url("northwind.test"))),
            None,
            at("2026-10-25T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(out.hiring.boards.len(), 1, "{:?}", out.hiring.boards);
    assert_eq!(
        (
            out.hiring.boards[0].ats.as_str(),
            out.hiring.boards[0].status.as_str()
        ),
        ("greenhouse", "ok")
    );
    let s = out.hiring.summary.as_ref().unwrap();
    assert_eq!(
        s.open_roles, 2,
        "the SDR post per location counts once; the general application not at all"
    );
    assert_eq!(
        (s.sales_roles, s.growth_marketing_roles, s.leadership_roles),
        (1, 1, 1)
    );
    assert_eq!(s.new_last_30_days, 1);
    let sales = out
        .snapshot
        .signals
        .iter()
        .find(|x| x.name == "hiring.sales_roles")
        .unwrap();
    let ev = sales.evidence.as_ref().unwrap();
    assert!(
        ev.text
            .starts_with("Sales Development Representative, posted 2026-10-15"),
        "{}",
        ev.text
    );
    assert_eq!(
        ev.url.as_deref(),
        Some("https://boards.greenhouse.io/northwind/jobs/101")
    );

    // Next time one role closed and one opened: velocity.
    let v2 = GREENHOUSE_JOBS.replace(r#""id": 103"#, r#""id": 105"#);
    site.route("/v1/boards/northwind/jobs?content=true", Route::json(v2));
    let again = e
        .enrich(
            &domain,
            Some(&format!("{}/", site.url("northwind.test"))),
            Some(&out.snapshot),
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let s = again.hiring.summary.unwrap();
    assert_eq!((s.opened, s.closed), (1, 1));
}

#[tokio::test]
async fn an_unknown_board_is_not_zero_roles() {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(r#"<a href="https://jobs.lever.co/ghostco">Careers</a>"#),
    );
    let e = enricher_with_ats(&["ghost.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "ghost.test", None, "2026-10-25T00:00:00Z").await;
    assert_eq!(
        out.hiring.boards[0].status, "unknown_board",
        "{:?}",
        out.hiring.boards
    );
    assert!(out.hiring.summary.is_none());
    assert!(
        !out.snapshot
            .signals
            .iter()
            .any(|s| s.name.starts_with("hiring.")),
        "unknown is not zero"
    );
}

/// SmartRecruiters lists no roles for a company that does not exist and for
/// one with no openings alike: unknown on a first reading; for a board that
/// listed some before, no open roles, its roles closed once a second empty
/// answer confirms the first (which counts nothing opened or closed). An
/// emptied board does not stop the JSON-LD fallback.
#[tokio::test]
async fn a_smartrecruiters_board_emptied_has_no_open_roles() {
    let site = Site::start().await;
    let postings = "/v1/companies/AcmeGmbH/postings?limit=100&offset=0";
    let one = r#"{"offset":0,"limit":100,"totalFound":1,"content":[{"id":"744000001","name":"Account Executive","releasedDate":"2026-11-01T09:00:00.000Z","function":{"label":"Sales"},"company":{"identifier":"AcmeGmbH"}}]}"#;
    let none = hiring_fixture("smartrecruiters_unknown.json");
    let link = r#"<a href="https://careers.smartrecruiters.com/AcmeGmbH">Jobs</a>"#;
    site.route("/", Route::html(link))
        .route(postings, Route::json(none.clone()));
    let e = enricher_with_ats(&["sr.test", "ats.test"], &site.url("ats.test"));
    let domain = Domain::parse("sr.test").unwrap();
    let start = format!("{}/", site.url("sr.test"));
    let first = enrich_at(&e, &domain, &start, None, "2026-11-10T00:00:00Z").await;
    assert_eq!(first.hiring.boards[0].status, "unknown_board");
    assert!(first.hiring.summary.is_none());

    site.route(postings, Route::json(one));
    let read = enrich_at(&e, &domain, &start, Some(&first), "2026-11-11T00:00:00Z").await;
    assert_eq!(read.hiring.summary.as_ref().unwrap().sales_roles, 1);
    site.route(postings, Route::json(none.clone()));
    let emptied = enrich_at(&e, &domain, &start, Some(&read), "2026-11-12T00:00:00Z").await;
    let b = &emptied.hiring.boards[0];
    assert_eq!((b.status.as_str(), b.none_listed), ("ok", true), "{b:?}");
    assert_eq!(
        velocity(&emptied),
        (0, 0, 0),
        "one empty answer closes nothing"
    );
    // A passing empty answer: the role was open all along.
    site.route(postings, Route::json(one));
    let back = enrich_at(&e, &domain, &start, Some(&emptied), "2026-11-12T12:00:00Z").await;
    assert_eq!(velocity(&back), (1, 0, 0));
    site.route(postings, Route::json(none.clone()));
    let emptied = enrich_at(&e, &domain, &start, Some(&back), "2026-11-12T18:00:00Z").await;
    assert_eq!(velocity(&emptied), (0, 0, 0));
    let again = enrich_at(&e, &domain, &start, Some(&emptied), "2026-11-13T00:00:00Z").await;
    assert_eq!(again.hiring.boards[0].status, "ok");
    assert_eq!(velocity(&again), (0, 0, 1), "a second one closes its role");
    let still = enrich_at(&e, &domain, &start, Some(&again), "2026-11-14T00:00:00Z").await;
    assert_eq!(velocity(&still), (0, 0, 0));

    // The company moved its jobs to its own pages, the old link left.
    let posting = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"JobPosting","title":"Sales Development Representative","datePosted":"2026-11-10","identifier":{"@type":"PropertyValue","value":"sdr-1"},"hiringOrganization":{"@type":"Organization","name":"Acme"}}</script>"#;
    site.route("/", Route::html(format!("{link}{posting}")));
    let moved = enrich_at(&e, &domain, &start, Some(&still), "2026-11-15T00:00:00Z").await;
    assert_eq!(
        moved.hiring.summary.as_ref().unwrap().sales_roles,
        1,
        "{:?}",
        moved.hiring.boards
    );
    assert_eq!(velocity(&moved), (1, 1, 0));
}

/// A SmartRecruiters board that failed for a run (its roles kept in the
/// baseline) and then lists none: unconfirmed, so nothing closes.
#[tokio::test]
async fn an_empty_answer_after_a_failed_one_closes_nothing() {
    let site = Site::start().await;
    let postings = "/v1/companies/AcmeGmbH/postings?limit=100&offset=0";
    let one = r#"{"offset":0,"limit":100,"totalFound":1,"content":[{"id":"744000001","name":"Account Executive","releasedDate":"2026-11-01T09:00:00.000Z","function":{"label":"Sales"},"company":{"identifier":"AcmeGmbH"}}]}"#;
    site.route(
        "/",
        Route::html(
            r#"<a href="https://careers.smartrecruiters.com/AcmeGmbH">Jobs</a> <a href="https://job-boards.greenhouse.io/acme">Roles</a>"#,
        ),
    )
    .route(postings, Route::json(one))
    .route(
        "/v1/boards/acme/jobs?content=true",
        Route::json(hiring_fixture("greenhouse_jobs.json")),
    );
    let e = enricher_with_ats(&["sr2.test", "ats.test"], &site.url("ats.test"));
    let run1 = enrich_host(&e, &site, "sr2.test", None, "2026-11-10T00:00:00Z").await;
    assert_eq!(velocity(&run1), (3, 0, 0), "{:?}", run1.hiring.boards);
    site.route(postings, Route::status(503, "text/plain", "later"));
    let run2 = enrich_host(&e, &site, "sr2.test", Some(&run1), "2026-11-11T00:00:00Z").await;
    assert_eq!(velocity(&run2), (2, 0, 0));
    site.route(
        postings,
        Route::json(hiring_fixture("smartrecruiters_unknown.json")),
    );
    let run3 = enrich_host(&e, &site, "sr2.test", Some(&run2), "2026-11-12T00:00:00Z").await;
    let sr = run3
        .hiring
        .boards
        .iter()
        .find(|b| b.ats == "smartrecruiters")
        .unwrap();
    assert!(sr.none_listed, "{sr:?}");
    assert_eq!(velocity(&run3), (2, 0, 0));
}

#[tokio::test]
async fn an_eu_lever_board_is_read_from_the_eu_api() {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(r#"<a href="https://jobs.eu.lever.co/acme-eu">Jobs</a>"#),
    )
    .route(
        "/eu/v0/postings/acme-eu?mode=json&skip=0&limit=100",
        Route::json(
            r#"[{"id":"e1","text":"Account Executive DACH","categories":{"team":"Sales"},"createdAt":1762934400000}]"#,
        ),
    );
    let e = enricher_with_ats(&["eu.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "eu.test", None, "2026-11-20T00:00:00Z").await;
    assert_eq!(out.hiring.boards[0].status, "ok", "{:?}", out.hiring.boards);
    assert_eq!(out.hiring.summary.as_ref().unwrap().sales_roles, 1);
}

#[tokio::test]
async fn job_postings_are_read_when_no_board_could_be() {
    // A Workday board (detected, not read) and a stale link to a Lever board
    // that is gone; the careers page's own JobPosting JSON-LD has the roles.
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(
            r#"<a href="/careers">Careers</a>
<a href="https://acme.wd5.myworkdayjobs.com/en-US/External">All jobs</a>
<a href="https://jobs.lever.co/ghostco">Old board</a>"#,
        ),
    )
    .route(
        "/careers",
        Route::html(
            r#"<script type="application/ld+json">[
{"@type":"JobPosting","title":"Account Executive","datePosted":"2026-11-01"},
{"@type":"JobPosting","title":"Sales Development Representative","datePosted":"2026-11-02"},
{"@type":"JobPosting","title":"Backend Engineer","datePosted":"2026-11-03"}]</script>"#,
        ),
    );
    let e = enricher_with_ats(&["wd.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "wd.test", None, "2026-11-20T00:00:00Z").await;
    let statuses: Vec<(&str, &str)> = out
        .hiring
        .boards
        .iter()
        .map(|b| (b.ats.as_str(), b.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("workday", "unsupported"),
            ("lever", "unknown_board"),
            ("jsonld", "ok")
        ]
    );
    let s = out.hiring.summary.as_ref().unwrap();
    assert_eq!(s.open_roles, 3, "{s:?}");
    assert_eq!(s.sales_roles, 2, "{s:?}");
}

/// Like [`enricher`], reading up to `max_feeds` feeds.
fn enricher_with_feeds(host: &str, max_feeds: usize) -> Enricher {
    let mut cfg = EnrichConfig::default();
    cfg.news.max_feeds = max_feeds;
    enricher_with(host, |_| {}, cfg)
}

const NEWS_HOME: &str = r#"<!doctype html><html><head><title>Northwind Analytics</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/news.rss">
<link rel="alternate" type="application/feed+json" href="/feeds/updates.json">
</head><body><a href="/press">Press</a></body></html>"#;

const NEWS_PRESS: &str = r#"<!doctype html><html><head><title>Press | Northwind</title>
<link rel="alternate" type="application/atom+xml" href="/feeds/blog.atom">
<link rel="alternate" type="application/rss+xml" href="/feeds/broken.rss">
<link rel="alternate" type="application/rss+xml" href="/feeds/huge.rss">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"NewsArticle","headline":"Northwind Analytics raises $18M Series A led by Foo Ventures",
  "datePublished":"2026-11-03T09:00:00Z","url":"https://northwind.test/press/series-a",
  "articleBody":"Northwind Analytics announced yesterday that it has raised $18 million in Series A funding led by Foo Ventures."}]}</script>
</head><body><main><h1>Press</h1></main></body></html>"#;

const NEWS_RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Northwind Analytics raises $18 million Series A</title><link>/press/series-a-rss</link>
<pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate><description>The round was led by Foo Ventures.</description></item>
<item><title>Northwind appoints Jane Roe as Chief Revenue Officer</title><link>/press/cro</link><pubDate>garbage</pubDate></item>
</channel></rss>"#;

const NEWS_ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Blog</title><id>urn:x</id><updated>2026-10-01T00:00:00Z</updated>
<entry><title>Northwind launches Pipeline Radar</title><id>urn:1</id><link href="https://northwind.test/blog/radar"/>
<updated>2026-10-01T00:00:00Z</updated><summary>Pipeline Radar is now generally available.</summary></entry></feed>"#;

const NEWS_JSON: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Updates","items":[
{"id":"1","url":"https://northwind.test/updates/cuts","title":"Northwind lays off 12 employees","content_text":"Northwind said it laid off 12 employees.","date_published":"2026-09-20T00:00:00Z"}]}"#;

/// A round on a press page that gives no date is dated by the run that
/// first saw it, run after run (it was dated now at every run, so it never
/// aged out of "raised in the last 180 days"), also after a run that could
/// not read the page. One already there at the account's first reading is
/// of unknown age (years old, perhaps): it gives no recency at all.
#[tokio::test]
async fn an_undated_round_is_dated_when_first_seen() {
    let site = Site::start().await;
    let press = r#"<html><head><title>Press | Northwind</title></head><body><main><h1>Press</h1>
<p>Northwind Analytics raises $5 million seed round led by Bar Capital.</p></main></body></html>"#;
    let quiet = r#"<html><head><title>Press | Northwind</title></head><body><main><h1>Press</h1>
<p>Northwind Analytics opens its new website.</p></main></body></html>"#;
    site.route("/", Route::html(r#"<a href="/press">Press</a>"#))
        .route("/press", Route::html(quiet));
    let host = "northwind.test";
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let round_at = |o: &leadscore_enrich::Enrichment| {
        o.snapshot
            .signals
            .iter()
            .find(|s| s.name == "funding.round")
            .map(|s| s.observed_at)
    };
    let run0 = enrich_at(&e, &domain, &start, None, "2026-10-20T00:00:00Z").await;
    assert_eq!(round_at(&run0), None);
    // The round appears after the first reading: dated by the run that saw it.
    site.route("/press", Route::html(press));
    let run1 = enrich_at(&e, &domain, &start, Some(&run0), "2026-11-01T00:00:00Z").await;
    assert_eq!(round_at(&run1), Some(at("2026-11-01T00:00:00Z")));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-20T00:00:00Z").await;
    assert_eq!(round_at(&run2), Some(at("2026-11-01T00:00:00Z")));
    site.route("/press", Route::status(404, "text/plain", "moved"));
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-21T00:00:00Z").await;
    assert_eq!(round_at(&run3), None);
    site.route("/press", Route::html(press));
    let run4 = enrich_at(&e, &domain, &start, Some(&run3), "2026-11-22T00:00:00Z").await;
    assert_eq!(round_at(&run4), Some(at("2026-11-01T00:00:00Z")));
    // Still listed more than a year later: still first seen then.
    let run5 = enrich_at(&e, &domain, &start, Some(&run4), "2027-12-01T00:00:00Z").await;
    let first = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let round_seen: Vec<_> = run5
        .news
        .undated_seen
        .iter()
        .filter(|(k, _)| k.starts_with("funding|"))
        .collect();
    assert!(
        round_seen.len() == 1 && *round_seen[0].1 == first,
        "{:?}",
        run5.news.undated_seen
    );
    // Another account whose press page already lists the round when it is
    // first read: no funding recency, then or later.
    let other = Domain::parse("southwind.test").unwrap();
    let site2 = Site::start().await;
    site2
        .route("/", Route::html(r#"<a href="/press">Press</a>"#))
        .route("/press", Route::html(press));
    let e2 = enricher("southwind.test");
    let start2 = format!("{}/", site2.url("southwind.test"));
    let first = enrich_at(&e2, &other, &start2, None, "2026-11-01T00:00:00Z").await;
    assert_eq!(round_at(&first), None);
    assert!(
        !first.news.funding.is_empty(),
        "the round is still read and kept"
    );
    let later = enrich_at(&e2, &other, &start2, Some(&first), "2026-11-20T00:00:00Z").await;
    assert_eq!(round_at(&later), None);

    // A first run that could not read the site is no first reading: the
    // round found by the first run that reads it is still of unknown age.
    site2.route("/", Route::status(503, "text/plain", "later"));
    let down = enrich_at(&e2, &other, &start2, None, "2026-11-01T00:00:00Z").await;
    site2.route("/", Route::html(r#"<a href="/press">Press</a>"#));
    let up = enrich_at(&e2, &other, &start2, Some(&down), "2026-11-02T00:00:00Z").await;
    assert_eq!(round_at(&up), None);
    assert!(!up.news.funding.is_empty());

    // An account read before the first reading was recorded (a snapshot
    // without `first_read`): a round first seen now is dated now, and stays
    // so at the next run (it is not taken back).
    let mut legacy = run0.clone();
    if let Some(news) = legacy.snapshot.details["news"].as_object_mut() {
        news.remove("first_read");
    }
    site.route("/press", Route::html(press));
    let seen = enrich_at(&e, &domain, &start, Some(&legacy), "2026-12-01T00:00:00Z").await;
    assert_eq!(round_at(&seen), Some(at("2026-12-01T00:00:00Z")));
    let next = enrich_at(&e, &domain, &start, Some(&seen), "2026-12-02T00:00:00Z").await;
    assert_eq!(round_at(&next), Some(at("2026-12-01T00:00:00Z")));
}

/// A press listing shows an item's headline; the feed has its whole text.
/// The item is read once, from the feed's fuller copy (the first copy was
/// kept: the amount and investors in the text were never read).
#[tokio::test]
async fn an_item_on_a_listing_and_in_a_feed_is_read_from_its_fullest_copy() {
    let site = Site::start().await;
    let host = "northwind.test";
    let base = site.url(host);
    let press = format!(
        r#"<html><head><link rel="alternate" type="application/rss+xml" href="/feed.rss"></head><body><main>
<article><time datetime="2026-11-03">3 Nov</time><h2>Northwind closes its Series B</h2><a href="{base}/news/b">Read</a></article>
<article><time datetime="2026-10-01">1 Oct</time><h2>Northwind opens a Berlin office</h2><a href="{base}/news/berlin">Read</a></article>
</main></body></html>"#
    );
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Northwind closes its Series B</title><link>{base}/news/b</link><pubDate>Tue, 03 Nov 2026 10:00:00 GMT</pubDate>
<description>Northwind Analytics has raised $40 million in Series B funding led by Granite Partners.</description></item>
</channel></rss>"#
    );
    site.route("/", Route::html(r#"<a href="/press">Press</a>"#))
        .route("/press", Route::html(press))
        .route("/feed.rss", Route::ok("application/rss+xml", feed));
    let e = enricher(host);
    let domain = Domain::parse(host).unwrap();
    let out = enrich_at(
        &e,
        &domain,
        &format!("{base}/"),
        None,
        "2026-11-20T00:00:00Z",
    )
    .await;
    let funding = &out.news.funding;
    assert_eq!(funding.len(), 1, "{funding:#?}");
    assert_eq!(funding[0].amount, Some(40_000_000));
    assert_eq!(funding[0].lead_investors, ["Granite Partners"]);
}

#[tokio::test]
async fn press_page_and_feeds_give_funding_and_news_signals() {
    let site = Site::start().await;
    let mut huge =
        String::from(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>"#);
    let item = "<item><title>Filler item about nothing in particular</title><description>padding padding padding padding padding padding padding padding</description></item>";
    while huge.len() < 50 * 1024 * 1024 {
        huge.push_str(item);
    }
    huge.push_str("</channel></rss>");
    site.route("/", Route::html(NEWS_HOME))
        .route("/press", Route::html(NEWS_PRESS))
        .route(
            "/feeds/news.rss",
            Route::ok("application/rss+xml", NEWS_RSS),
        )
        .route(
            "/feeds/blog.atom",
            Route::ok("application/atom+xml", NEWS_ATOM),
        )
        .route(
            "/feeds/updates.json",
            Route::ok("application/feed+json", NEWS_JSON),
        )
        .route(
            "/feeds/broken.rss",
            Route::ok(
                "application/rss+xml",
                "<?xml version=\"1.0\"?><rss><channel><item><title>x</channel>",
            ),
        )
        .route("/feeds/huge.rss", Route::ok("application/rss+xml", huge));
    let host = "northwind.test";
    let e = enricher_with_feeds(host, 8);
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let now = at("2026-11-22T12:00:00Z");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        e.enrich(&domain, Some(&start), None, now),
    )
    .await
    .unwrap()
    .unwrap();
    let news = &out.news;
    let statuses: Vec<(&str, &str)> = news
        .feeds
        .iter()
        .map(|f| (f.url.rsplit('/').next().unwrap(), f.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("news.rss", "ok"),
            ("updates.json", "ok"),
            ("blog.atom", "ok"),
            ("broken.rss", "error"),
            ("huge.rss", "error"),
        ]
    );
    // the press page's JSON-LD and the RSS item report one round
    assert_eq!(news.funding.len(), 1, "{:#?}", news.funding);
    let round = &news.funding[0];
    assert_eq!(round.amount, Some(18_000_000));
    assert_eq!(round.round.as_str(), "series_a");
    assert_eq!(round.lead_investors, vec!["Foo Ventures"]);
    assert_eq!(round.also_reported_by.len(), 1);
    let sig = |n: &str| out.snapshot.signals.iter().find(|s| s.name == n);
    assert_eq!(
        sig("funding.round").map(|s| s.value.clone()),
        Some(leadscore_core::domain::SignalValue::Text("series_a".into()))
    );
    assert_eq!(
        sig("funding.round").map(|s| s.observed_at.date_naive().to_string()),
        Some("2026-11-02".to_owned())
    );
    for n in [
        "funding.amount",
        "news.layoffs",
        "news.product_launch",
        "news.press_mentions_90d",
    ] {
        assert!(sig(n).is_some(), "{n}: {:#?}", out.snapshot.signals);
    }
    // The CRO's appointment has no readable date and was there at the
    // account's first reading: of unknown age, it is no recent hire.
    assert!(
        sig("news.leadership_hire").is_none(),
        "{:#?}",
        out.snapshot.signals
    );
    assert_eq!(
        news.events
            .iter()
            .filter(|e| e.signal_name() == "news.leadership_hire")
            .count(),
        1
    );
    assert!(out.snapshot.errors.iter().any(|e| e.contains("huge.rss")));
    assert!(out.snapshot.details["news"]["funding"].is_array());
}

/// One enrichment of `domain` at `when`, after `previous`.
async fn enrich_at(
    e: &Enricher,
    domain: &Domain,
    start: &str,
    previous: Option<&leadscore_enrich::Enrichment>,
    when: &str,
) -> leadscore_enrich::Enrichment {
    e.enrich(domain, Some(start), previous.map(|p| &p.snapshot), at(when))
        .await
        .unwrap()
}

/// A run's open roles, and the roles opened and closed since the last.
fn velocity(o: &leadscore_enrich::Enrichment) -> (usize, usize, usize) {
    let s = o.hiring.summary.as_ref().unwrap();
    (s.open_roles, s.opened, s.closed)
}

/// [`enrich_at`] of `host` from its homepage on `site`.
async fn enrich_host(
    e: &Enricher,
    site: &Site,
    host: &str,
    previous: Option<&leadscore_enrich::Enrichment>,
    when: &str,
) -> leadscore_enrich::Enrichment {
    let start = format!("{}/", site.url(host));
    enrich_at(e, &Domain::parse(host).unwrap(), &start, previous, when).await
}

/// The signals named `PREFIX*` with the day each was observed (a count of
/// days is as of now, so it is left out).
fn names(s: &leadscore_core::domain::EnrichmentSnapshot, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .signals
        .iter()
        .filter(|x| x.name.starts_with(prefix) && !x.name.ends_with("_days"))
        .map(|x| format!("{}@{}", x.name, x.observed_at.date_naive()))
        .collect();
    v.sort();
    v
}

fn assert_none(run: &leadscore_enrich::Enrichment, prefix: &str) {
    assert!(
        names(&run.snapshot, prefix).is_empty(),
        "{:#?}",
        run.snapshot.signals
    );
}

/// Northwind: a homepage with a news feed, a careers page linking its
/// Greenhouse board; enriched once (run 1, 2026-11-10). Returns the site,
/// the enricher, the domain, the start URL and run 1.
async fn northwind_with_a_feed_and_a_board()
-> (Site, Enricher, Domain, String, leadscore_enrich::Enrichment) {
    let site = Site::start().await;
    let home = r#"<!doctype html><html><head><title>Northwind</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/news.rss"></head>
<body><a href="/careers">Careers</a></body></html>"#;
    site.route("/", Route::html(home))
        .route(
            "/careers",
            Route::html(r#"<script src="https://boards.greenhouse.io/embed/job_board/js?for=northwind"></script>"#),
        )
        .route("/v1/boards/northwind/jobs?content=true", Route::json(GREENHOUSE_JOBS))
        .route("/feeds/news.rss", Route::ok("application/rss+xml", NEWS_RSS));
    let host = "northwind.test";
    let e = enricher_with_ats(&[host, "ats.test"], &site.url("ats.test"));
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-10T00:00:00Z").await;
    (site, e, domain, start, run1)
}

#[tokio::test]
async fn a_source_that_fails_for_now_keeps_what_the_last_snapshot_found() {
    // Run 1 finds a round in the feed and two roles on the board. In run 2
    // the feed and the board answer 503: the round and the hiring signals
    // stay (a score that dropped for a day would cool the lead and alert
    // again when the feed is back). In run 3 the feed is gone for good
    // (404): what it held is gone too.
    let (site, e, domain, start, run1) = northwind_with_a_feed_and_a_board().await;
    let (funding1, hiring1) = (
        names(&run1.snapshot, "funding."),
        names(&run1.snapshot, "hiring."),
    );
    assert!(
        !funding1.is_empty() && !hiring1.is_empty(),
        "{:#?}",
        run1.snapshot.signals
    );

    let down = || Route::status(503, "text/plain", "try later");
    site.route("/feeds/news.rss", down())
        .route("/v1/boards/northwind/jobs?content=true", down());
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-11T00:00:00Z").await;
    assert_eq!(
        names(&run2.snapshot, "funding."),
        funding1,
        "the round stays"
    );
    assert_eq!(
        names(&run2.snapshot, "hiring."),
        hiring1,
        "as observed in run 1"
    );
    let details = &run2.snapshot.details;
    assert_eq!(
        details["news"]["kept_since"], "2026-11-11T00:00:00Z",
        "{details:#}"
    );
    assert_eq!(
        details["hiring"]["kept_since"], "2026-11-11T00:00:00Z",
        "{details:#}"
    );
    assert!(run2.snapshot.errors.iter().any(|x| x.contains("news.rss")));

    // Kept once more from a kept snapshot, then the feed is gone for good.
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-12T00:00:00Z").await;
    assert_eq!(names(&run3.snapshot, "funding."), funding1);
    assert_eq!(
        run3.snapshot.details["news"]["kept_since"], "2026-11-11T00:00:00Z",
        "since the first failing run"
    );
    // A failure that lasts past MAX_KEEP (30 days) is an answer.
    let late = enrich_at(&e, &domain, &start, Some(&run3), "2026-12-12T00:00:00Z").await;
    assert_none(&late, "funding.");
    assert_none(&late, "hiring.");
    site.route("/feeds/news.rss", Route::status(404, "text/plain", "gone"));
    let run4 = enrich_at(&e, &domain, &start, Some(&run3), "2026-11-13T00:00:00Z").await;
    assert_none(&run4, "funding.");
}

/// A site that is down answers 503 to robots.txt first: the pages are not
/// fetched, for a reason that may pass, so what the last snapshot found
/// stands (robots.txt read as a refusal dropped every signal for a day).
#[tokio::test]
async fn a_site_whose_robots_txt_is_down_keeps_what_the_last_snapshot_found() {
    let (site, e, domain, start, run1) = northwind_with_a_feed_and_a_board().await;
    let (funding1, hiring1) = (
        names(&run1.snapshot, "funding."),
        names(&run1.snapshot, "hiring."),
    );
    assert!(!funding1.is_empty() && !hiring1.is_empty());

    site.route("/robots.txt", Route::status(503, "text/plain", "down"));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-11T00:00:00Z").await;
    assert_eq!(names(&run2.snapshot, "funding."), funding1);
    assert_eq!(names(&run2.snapshot, "hiring."), hiring1);
    assert!(
        run2.snapshot
            .errors
            .iter()
            .any(|x| x.contains("robots.txt")),
        "{:?}",
        run2.snapshot.errors
    );
}

#[tokio::test]
async fn a_board_that_fails_for_a_run_neither_closes_nor_reopens_its_roles() {
    let site = Site::start().await;
    let careers = r#"<a href="https://job-boards.greenhouse.io/acme">Roles</a>
<iframe src="https://jobs.ashbyhq.com/acme/embed"></iframe>"#;
    let ashby = "/posting-api/job-board/acme?includeCompensation=true";
    site.route("/", Route::html(careers))
        .route(
            "/v1/boards/acme/jobs?content=true",
            Route::json(hiring_fixture("greenhouse_jobs.json")),
        )
        .route(ashby, Route::json(hiring_fixture("ashby_board.json")));
    let host = "acme.test";
    let e = enricher_with_ats(&[host, "ats.test"], &site.url("ats.test"));
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-10T00:00:00Z").await;
    assert_eq!(velocity(&run1), (3, 0, 0), "{:?}", run1.hiring.boards);
    // Ashby answers 503: its role is unknown, not closed.
    site.route(ashby, Route::status(503, "text/plain", "later"));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-11T00:00:00Z").await;
    assert_eq!(velocity(&run2), (2, 0, 0));
    // Back: its role was open all along, not opened now.
    site.route(ashby, Route::json(hiring_fixture("ashby_board.json")));
    let run3 = enrich_at(&e, &domain, &start, Some(&run2), "2026-11-12T00:00:00Z").await;
    assert_eq!(velocity(&run3), (3, 0, 0));

    // A first snapshot with Ashby down is no baseline: when Ashby answers,
    // its role was not opened then, it was only unread.
    site.route(ashby, Route::status(503, "text/plain", "later"));
    let first = enrich_at(&e, &domain, &start, None, "2026-11-10T00:00:00Z").await;
    assert_eq!(velocity(&first), (2, 0, 0));
    assert!(first.hiring.partial_baseline);
    site.route(ashby, Route::json(hiring_fixture("ashby_board.json")));
    let next = enrich_at(&e, &domain, &start, Some(&first), "2026-11-11T00:00:00Z").await;
    assert_eq!(velocity(&next), (3, 0, 0));
    assert!(!next.hiring.partial_baseline);
    // From there, the complete list is the baseline.
    site.route(
        "/v1/boards/acme/jobs?content=true",
        Route::json(r#"{"jobs":[]}"#),
    );
    let after = enrich_at(&e, &domain, &start, Some(&next), "2026-11-12T00:00:00Z").await;
    assert_eq!(velocity(&after), (1, 0, 2));
}

/// A site that sets a cookie and redirects to itself to see it come back
/// (a consent or bot check) is read, with the cookie sent back on the
/// next hop; before the session kept cookies, it looped until the redirect
/// limit and the site was never read. The cookies the redirect set count
/// for technology detection.
#[tokio::test]
async fn a_cookie_check_redirect_is_passed() {
    let site = Site::start().await;
    let host = "cookie.test";
    let home = r#"<html><head><title>Cookie Co</title></head><body><a href="/careers">Careers</a></body></html>"#;
    site.route(
        "/",
        Route::status(302, "text/html", "")
            .header("location", "/")
            .header("set-cookie", "visited=1; Path=/; HttpOnly")
            .header("set-cookie", "hubspotutk=5f1c0a; Path=/")
            .with_cookie("visited=1", Route::html(home)),
    )
    .route(
        "/careers",
        Route::html("<h1>Careers</h1>").with_cookie(
            "visited=1",
            Route::html(r#"<a href="https://job-boards.greenhouse.io/cookieco">Roles</a>"#),
        ),
    );
    let e = enricher(host);
    let out = enrich_host(&e, &site, host, None, "2026-11-10T00:00:00Z").await;
    let home_page = &out.pages[0];
    assert_eq!(home_page.status, Some(200), "{:?}", out.pages);
    // Detected by the cookie the redirect set (the page does not set it
    // again: the session sends it back).
    assert!(
        out.technologies.iter().any(|t| t.name == "HubSpot"),
        "{:?}",
        out.technologies
    );
    // The cookie goes with the session's later pages of the site too.
    assert!(
        out.hiring.boards.iter().any(|b| b.token == "cookieco"),
        "{:?} {:?}",
        out.hiring.boards,
        out.pages
    );
}

/// A session keeps at most 100 `Set-Cookie` headers: a site that sets
/// more has the rest ignored (and the first ones sent back).
#[tokio::test]
async fn a_session_keeps_at_most_a_hundred_cookies() {
    let site = Site::start().await;
    let host = "crumbs.test";
    let mut redirect = Route::status(302, "text/html", "").header("location", "/home");
    for i in 0..60 {
        redirect = redirect.header("set-cookie", &format!("c{i}=1; Path=/"));
    }
    let mut home = Route::html(r#"<a href="/pricing">Pricing</a>"#);
    for i in 60..110 {
        home = home.header("set-cookie", &format!("c{i}=1; Path=/"));
    }
    let refused = || Route::status(500, "text/plain", "cookies");
    site.route("/", redirect).route("/home", home).route(
        "/pricing",
        // Read only with c95 (kept) and without c105 (past the limit).
        refused().with_cookie(
            "c95=1",
            Route::html("<h1>Pricing</h1>").with_cookie("c105=1", refused()),
        ),
    );
    let e = enricher(host);
    let out = enrich_host(&e, &site, host, None, "2026-11-10T00:00:00Z").await;
    let pricing = out.pages.iter().find(|p| p.url.ends_with("/pricing"));
    assert_eq!(pricing.and_then(|p| p.status), Some(200), "{:?}", out.pages);
}

/// A board named on a careers page that fails for a run is read all the
/// same (the last snapshot had it), so its roles are not counted closed;
/// when it cannot be read either, nothing is counted opened or closed. A
/// board no page names any more, with every page read or a careers page
/// gone (404), is gone; so is one carried for a month of runs.
#[tokio::test]
async fn a_board_named_on_a_page_that_failed_is_still_read() {
    let site = Site::start().await;
    let home = r#"<a href="https://job-boards.greenhouse.io/acme">Roles</a> <a href="/careers">Careers</a>"#;
    let careers = r#"<iframe src="https://jobs.ashbyhq.com/acme/embed"></iframe>"#;
    let ashby = "/posting-api/job-board/acme?includeCompensation=true";
    let ashby_ok = || Route::json(hiring_fixture("ashby_board.json"));
    let down = || Route::status(500, "text/plain", "oops");
    site.route("/", Route::html(home))
        .route("/careers", Route::html(careers))
        .route(
            "/v1/boards/acme/jobs?content=true",
            Route::json(hiring_fixture("greenhouse_jobs.json")),
        )
        .route(ashby, ashby_ok());
    let host = "acme.test";
    let e = enricher_with_ats(&[host, "ats.test"], &site.url("ats.test"));
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run = |previous: Option<leadscore_enrich::Enrichment>, when: &'static str| {
        let (e, domain, start) = (&e, &domain, &start);
        async move {
            let out = enrich_at(e, domain, start, previous.as_ref(), when).await;
            let s = out.hiring.summary.as_ref().unwrap();
            let velocity = (s.open_roles, s.opened, s.closed);
            let carried: Vec<String> = out
                .hiring
                .boards
                .iter()
                .filter(|b| b.carried_since.is_some())
                .map(|b| format!("{} {}", b.ats, b.status))
                .collect();
            (out, velocity, carried)
        }
    };
    let (run1, v, c) = run(None, "2026-11-10T00:00:00Z").await;
    assert_eq!((v, c.len()), ((3, 0, 0), 0), "{:?}", run1.hiring.boards);

    // The careers page fails: the Ashby board it names is read anyway.
    site.route("/careers", down());
    let (run2, v, c) = run(Some(run1), "2026-11-11T00:00:00Z").await;
    assert_eq!((v, c), ((3, 0, 0), vec!["ashby ok".to_owned()]));
    // And the board with it: its role is unknown, so nothing opens or
    // closes, and the last complete list stays the baseline.
    site.route(ashby, Route::status(503, "text/plain", "later"));
    let (run3, v, c) = run(Some(run2), "2026-11-12T00:00:00Z").await;
    assert_eq!((v, c), ((2, 0, 0), vec!["ashby error".to_owned()]));
    // A board that failed last run is carried too: its roles are still in
    // the baseline.
    site.route(ashby, ashby_ok());
    let (run4, v, c) = run(Some(run3), "2026-11-13T00:00:00Z").await;
    assert_eq!((v, c), ((3, 0, 0), vec!["ashby ok".to_owned()]));
    // Every page read again: named, not carried.
    site.route("/careers", Route::html(careers));
    let (run5, v, c) = run(Some(run4), "2026-11-14T00:00:00Z").await;
    assert_eq!((v, c.len()), ((3, 0, 0), 0));

    // The careers page read, without the board: it is gone.
    site.route("/careers", Route::html("<p>No openings.</p>"));
    let (_, v, c) = run(Some(run5.clone()), "2026-11-15T00:00:00Z").await;
    assert_eq!((v, c.len()), ((2, 0, 1), 0));
    // The careers page gone (404): an answer, the board with it.
    site.route("/careers", Route::status(404, "text/html", "gone"));
    let (_, v, c) = run(Some(run5.clone()), "2026-11-15T00:00:00Z").await;
    assert_eq!((v, c.len()), ((2, 0, 1), 0));
    // Down for a month of runs: a failure that lasts is an answer.
    site.route("/careers", down());
    let (run6, v, c) = run(Some(run5), "2026-11-15T00:00:00Z").await;
    assert_eq!((v, c), ((3, 0, 0), vec!["ashby ok".to_owned()]));
    let (run7, v, _) = run(Some(run6), "2026-12-10T00:00:00Z").await;
    assert_eq!(v, (3, 0, 0));
    let (_, v, c) = run(Some(run7), "2026-12-16T00:00:00Z").await;
    assert_eq!((v, c.len()), ((2, 0, 1), 0));
}

/// A Greenhouse board whose job list (descriptions included) is over the
/// document cap is read from its departments instead.
#[tokio::test]
async fn a_greenhouse_board_over_the_cap_is_read_from_its_departments() {
    let site = Site::start().await;
    let description = "&lt;p&gt;A long description.&lt;/p&gt;".repeat(200);
    let jobs: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "internal_job_id": {i}, "title": "Account Executive {i}", "updated_at": "2026-11-01T10:00:00-04:00", "location": {{"name": "Remote"}}, "content": "{description}", "departments": [{{"name": "Sales"}}]}}"#
            )
        })
        .collect();
    let departments = r#"{"departments": [
  {"id": 1, "name": "Sales", "parent_id": null, "child_ids": [2], "jobs": [
    {"id": 1, "internal_job_id": 11, "title": "Account Executive", "updated_at": "2026-11-01T10:00:00-04:00", "location": {"name": "Berlin"}, "absolute_url": "https://job-boards.greenhouse.io/bigco/jobs/1"},
    {"id": 2, "internal_job_id": 12, "title": "SDR", "updated_at": "2026-11-02T10:00:00-04:00", "location": {"name": "Remote"}}]},
  {"id": 2, "name": "Sales Development", "parent_id": 1, "child_ids": [], "jobs": [
    {"id": 2, "internal_job_id": 12, "title": "SDR", "updated_at": "2026-11-02T10:00:00-04:00", "location": {"name": "Remote"}}]},
  {"id": 0, "name": "No Department", "parent_id": null, "child_ids": [], "jobs": [
    {"id": 3, "internal_job_id": 13, "title": "Growth Marketing Manager", "updated_at": "2026-11-03T10:00:00-04:00"},
    {"id": 4, "internal_job_id": null, "title": "Talent pool", "updated_at": "2026-11-03T10:00:00-04:00"}]}
]}"#;
    site.route(
        "/",
        Route::html(r#"<a href="https://job-boards.greenhouse.io/bigco">Roles</a>"#),
    )
    .route(
        "/v1/boards/bigco/jobs?content=true",
        Route::json(format!(r#"{{"jobs": [{}]}}"#, jobs.join(","))),
    )
    .route("/v1/boards/bigco/departments", Route::json(departments));
    let e = enricher_with_ats_fetch(
        &["big.test", "ats.test"],
        &site.url("ats.test"),
        |f| f.max_document_bytes = 64 * 1024,
        |_| {},
    );
    let out = enrich_host(&e, &site, "big.test", None, "2026-11-10T00:00:00Z").await;
    assert_eq!(out.hiring.boards[0].status, "ok", "{:?}", out.hiring.boards);
    let s = out.hiring.summary.as_ref().unwrap();
    // The SDR post listed under two departments counts once, under the
    // deeper one; the talent pool not at all; the marketing role by its
    // title.
    assert_eq!(
        (s.open_roles, s.sales_roles, s.growth_marketing_roles),
        (3, 2, 1),
        "{s:?}"
    );
    let sdr = out
        .hiring
        .roles
        .iter()
        .find(|r| r.role.title == "SDR")
        .unwrap();
    assert_eq!(sdr.role.department.as_deref(), Some("Sales Development"));
    // The departments not found: the board answered its job list, so it is
    // no unknown board, and its roles are unknown, not closed.
    site.remove("/v1/boards/bigco/departments");
    let again = enrich_host(&e, &site, "big.test", Some(&out), "2026-11-11T00:00:00Z").await;
    assert_eq!(
        again.hiring.boards[0].status, "error",
        "{:?}",
        again.hiring.boards
    );
    assert!(again.hiring.summary.is_none());
    // The last snapshot's hiring stands, and stays the baseline.
    assert_eq!(
        names(&again.snapshot, "hiring."),
        names(&out.snapshot, "hiring.")
    );
    site.route("/v1/boards/bigco/departments", Route::json(departments));
    let back = enrich_host(&e, &site, "big.test", Some(&again), "2026-11-12T00:00:00Z").await;
    let s = back.hiring.summary.as_ref().unwrap();
    assert_eq!((s.open_roles, s.opened, s.closed), (3, 0, 0), "{s:?}");
    assert!(site.hits().iter().any(|h| h.ends_with("/departments")));
}

/// A board with more pages than are read: its roles are a part of it, so
/// the next run counts nothing opened or closed from a different part.
#[tokio::test]
async fn a_board_read_in_part_counts_no_velocity() {
    let site = Site::start().await;
    let page1 = "/v0/postings/acme?mode=json&skip=0&limit=100";
    site.route(
        "/",
        Route::html(r#"<a href="https://jobs.lever.co/acme">Jobs</a>"#),
    )
    .route(page1, Route::json(hiring_fixture("lever_page1.json")));
    let host = "acme.test";
    let e = enricher_with_ats_and(&[host, "ats.test"], &site.url("ats.test"), |c| {
        c.hiring.max_pages_per_board = 1;
    });
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/", site.url(host));
    let run1 = enrich_at(&e, &domain, &start, None, "2026-11-10T00:00:00Z").await;
    assert!(run1.hiring.boards[0].truncated, "{:?}", run1.hiring.boards);
    assert_eq!(run1.hiring.summary.as_ref().unwrap().open_roles, 100);
    // The first page now lists other roles (the board's order changed).
    let mut shifted: Vec<serde_json::Value> =
        serde_json::from_slice(&hiring_fixture("lever_page1.json")).unwrap();
    for (i, p) in shifted.iter_mut().enumerate() {
        p["id"] = format!("other-{i}").into();
    }
    site.route(page1, Route::json(serde_json::to_vec(&shifted).unwrap()));
    let run2 = enrich_at(&e, &domain, &start, Some(&run1), "2026-11-11T00:00:00Z").await;
    let s = run2.hiring.summary.as_ref().unwrap();
    assert_eq!((s.opened, s.closed), (0, 0), "{s:?}");
}

fn hiring_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../leadscore-hiring/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// One fixture company per ATS, end to end on loopback: the careers page
/// links the board the way real sites do, the crawl finds it, the board's
/// public API (the saved payloads of the hiring crate, paged where the API
/// pages) is read, and the roles and counts land in the snapshot's signals.
#[tokio::test]
async fn every_ats_board_is_enriched_end_to_end_on_loopback() {
    struct Case {
        ats: &'static str,
        careers: &'static str,
        api: &'static [(&'static str, &'static str)],
        open_roles: usize,
    }
    let cases = [
        Case {
            ats: "greenhouse",
            careers: r#"<a href="https://job-boards.greenhouse.io/acme">Open roles</a>"#,
            api: &[("/v1/boards/acme/jobs?content=true", "greenhouse_jobs.json")],
            open_roles: 2,
        },
        Case {
            ats: "lever",
            careers: r#"<a href="https://jobs.lever.co/acme">See all jobs</a>"#,
            api: &[
                (
                    "/v0/postings/acme?mode=json&skip=0&limit=100",
                    "lever_page1.json",
                ),
                (
                    "/v0/postings/acme?mode=json&skip=100&limit=100",
                    "lever_page2.json",
                ),
            ],
            open_roles: 103,
        },
        Case {
            ats: "ashby",
            careers: r#"<iframe src="https://jobs.ashbyhq.com/acme/embed"></iframe>"#,
            api: &[(
                "/posting-api/job-board/acme?includeCompensation=true",
                "ashby_board.json",
            )],
            open_roles: 1,
        },
        Case {
            ats: "smartrecruiters",
            careers: r#"<a href="https://careers.smartrecruiters.com/Acme">Jobs</a>"#,
            api: &[
                (
                    "/v1/companies/Acme/postings?limit=100&offset=0",
                    "smartrecruiters_page1.json",
                ),
                (
                    "/v1/companies/Acme/postings?limit=100&offset=100",
                    "smartrecruiters_page2.json",
                ),
            ],
            open_roles: 102,
        },
        Case {
            ats: "workable",
            careers: r#"<a href="https://apply.workable.com/acme/">Careers at Acme</a>"#,
            api: &[(
                "/api/v1/widget/accounts/acme?details=true",
                "workable_account.json",
            )],
            open_roles: 2,
        },
        Case {
            ats: "recruitee",
            careers: r#"<script src="https://acme.recruitee.com/assets/widget.js"></script>"#,
            api: &[("/recruitee/acme/api/offers/", "recruitee_offers.json")],
            open_roles: 2,
        },
        Case {
            ats: "personio",
            careers: r#"<a href="https://acme.jobs.personio.de/">Karriere</a>"#,
            api: &[("/personio/acme/xml?language=en", "personio_positions.xml")],
            open_roles: 2,
        },
        Case {
            ats: "teamtailor",
            careers: r#"<a href="https://acme.teamtailor.com/jobs">All jobs</a>"#,
            api: &[("/teamtailor/acme/jobs.rss", "teamtailor_jobs.rss")],
            open_roles: 2,
        },
    ];
    let site = Site::start().await;
    let mut hosts = vec!["ats.test".to_owned()];
    for c in &cases {
        let host = format!("{}.acme.test", c.ats);
        site.route(
            &format!("/{}/", c.ats),
            Route::html(format!(
                r#"<html><body><h1>Acme on {}</h1><a href="/{}/careers">Careers</a></body></html>"#,
                c.ats, c.ats
            )),
        )
        .route(
            &format!("/{}/careers", c.ats),
            Route::html(format!(
                "<html><body><h1>Join us</h1>{}</body></html>",
                c.careers
            )),
        );
        for (path, file) in c.api {
            let ct = if file.ends_with(".json") {
                "application/json"
            } else if file.ends_with(".rss") {
                "application/rss+xml"
            } else {
                "application/xml"
            };
            site.route(path, Route::ok(ct, hiring_fixture(file)));
        }
        hosts.push(host);
    }
    let host_refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let e = enricher_with_ats(&host_refs, &site.url("ats.test"));
    for c in &cases {
        let host = format!("{}.acme.test", c.ats);
        let out = e
            .enrich(
                &Domain::parse(&host).unwrap(),
                Some(&format!("{}/{}/", site.url(&host), c.ats)),
                None,
                at("2026-11-20T00:00:00Z"),
            )
            .await
            .unwrap();
        let boards = &out.hiring.boards;
        assert_eq!(boards.len(), 1, "{}: {boards:?}", c.ats);
        assert_eq!(
            (boards[0].ats.as_str(), boards[0].status.as_str()),
            (c.ats, "ok"),
            "{}: {boards:?} {:?}",
            c.ats,
            out.snapshot.errors
        );
        let summary = out.hiring.summary.as_ref().unwrap();
        assert_eq!(summary.open_roles, c.open_roles, "{}: {summary:?}", c.ats);
        let open = out
            .snapshot
            .signals
            .iter()
            .find(|s| s.name == "hiring.open_roles")
            .unwrap_or_else(|| panic!("{}: no hiring.open_roles signal", c.ats));
        assert_eq!(
            open.value,
            leadscore_core::domain::SignalValue::Number(c.open_roles as f64),
            "{}",
            c.ats
        );
    }
}

/// A site whose navigation links neither its careers nor its press pages:
/// the sitemap index leads to both, and its news sitemap's headlines are
/// read as articles (a funding round from a headline alone).
#[tokio::test]
async fn the_sitemap_finds_unlinked_careers_and_news_headlines() {
    let site = Site::start().await;
    let base = site.url("quiet.test");
    site.route("/", Route::html("<html><body><h1>Quiet Co</h1></body></html>"))
        .route(
            "/sitemap.xml",
            Route::ok(
                "application/xml",
                format!(
                    r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap><sitemap><loc>{base}/news-sitemap.xml</loc></sitemap></sitemapindex>"#
                ),
            ),
        )
        .route(
            "/sitemap-pages.xml",
            Route::ok(
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/</loc></url><url><loc>{base}/about/work-with-us</loc></url></urlset>"#
                ),
            ),
        )
        .route(
            "/news-sitemap.xml",
            Route::ok(
                "application/xml",
                format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/updates/2026/series-a</loc><news:news><news:publication><news:name>Quiet Co</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-12T08:00:00+00:00</news:publication_date><news:title>Quiet Co raises $14 million Series A led by Harbor Ventures</news:title></news:news></url></urlset>"#
                ),
            ),
        )
        .route(
            "/about/work-with-us",
            Route::html(r#"<h1>Work with us</h1><a href="https://jobs.lever.co/quietco">Open roles</a>"#),
        )
        .route(
            "/v0/postings/quietco?mode=json&skip=0&limit=100",
            Route::json(r#"[{"id":"a1","text":"Account Executive","categories":{"team":"Sales","location":"Remote"},"hostedUrl":"https://jobs.lever.co/quietco/a1","createdAt":1762934400000}]"#),
        );
    let e = enricher_with_ats(&["quiet.test", "ats.test"], &site.url("ats.test"));
    let out = e
        .enrich(
            &Domain::parse("quiet.test").unwrap(),
            Some(&format!("{base}/")),
            None,
            at("2026-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
    let careers: Vec<&str> = out
        .pages
        .iter()
        .filter(|p| p.kind == "careers")
        .map(|p| p.url.as_str())
        .collect();
    assert_eq!(
        careers,
        vec![format!("{base}/about/work-with-us")],
        "{:?}",
        out.pages
    );
    assert_eq!(out.hiring.summary.as_ref().map(|s| s.open_roles), Some(1));
    assert_eq!(out.news.funding.len(), 1, "{:?}", out.news);
    assert_eq!(out.news.funding[0].amount, Some(14_000_000));
    assert!(
        out.snapshot
            .signals
            .iter()
            .any(|s| s.name == "funding.round"),
        "{:?}",
        out.snapshot.signals
    );

    // The sitemap answers 503 for a run: the round and roles it led to are
    // unknown, not gone (they were dropped, and came back the next run).
    // The round is kept; the board the last run read is read again.
    site.route("/sitemap.xml", Route::status(503, "text/plain", "later"));
    let kept = e
        .enrich(
            &Domain::parse("quiet.test").unwrap(),
            Some(&format!("{base}/")),
            Some(&out.snapshot),
            at("2026-11-21T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        names(&kept.snapshot, "funding."),
        names(&out.snapshot, "funding.")
    );
    let undated = |s: &leadscore_core::domain::EnrichmentSnapshot| {
        names(s, "hiring.")
            .into_iter()
            .map(|n| n.split('@').next().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(undated(&kept.snapshot), undated(&out.snapshot));
    assert!(
        kept.hiring
            .boards
            .iter()
            .any(|b| b.carried_since.is_some() && b.ats == "lever" && b.status == "ok"),
        "{:?}",
        kept.hiring.boards
    );
    // Gone (404): an answer.
    site.route("/sitemap.xml", Route::status(404, "text/plain", "gone"));
    let gone = e
        .enrich(
            &Domain::parse("quiet.test").unwrap(),
            Some(&format!("{base}/")),
            Some(&kept.snapshot),
            at("2026-11-22T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_none(&gone, "funding.");
}

/// No ATS and no JSON-LD: the job links of a plain HTML careers page are
/// the roles (the last fallback), navigation links are not.
#[tokio::test]
async fn a_plain_html_job_list_is_the_last_fallback() {
    let site = Site::start().await;
    site.route("/", Route::html(r#"<a href="/karriere">Karriere</a>"#))
        .route(
            "/karriere",
            Route::html(
                r#"<h1>Offene Stellen</h1><a href="/karriere">Alle Stellen</a>
<ul><li><a href="/karriere/stellen/vertriebsleiter-dach">Vertriebsleiter DACH (m/w/d)</a></li>
<li><a href="/karriere/stellen/sdr-berlin">Sales Development Representative (m/w/d)</a></li>
<li><a href="/karriere/stellen/backend-entwickler">Backend-Entwickler Rust (m/w/d)</a></li>
<li><a href="/karriere/stellen/sdr-berlin">Jetzt bewerben</a></li></ul>"#,
            ),
        );
    let e = enricher_with_ats(&["plain.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "plain.test", None, "2026-11-20T00:00:00Z").await;
    assert_eq!(out.hiring.boards.len(), 1, "{:?}", out.hiring.boards);
    assert_eq!(out.hiring.boards[0].ats, "html");
    let s = out.hiring.summary.as_ref().unwrap();
    assert_eq!(s.open_roles, 3, "{s:?}");
    assert_eq!(s.sales_roles, 2, "{s:?}");
}

/// The optional news-search feed: the template's placeholders are filled
/// (percent-encoded), and only items naming the company are read.
#[tokio::test]
async fn a_configured_news_search_feed_adds_items_that_name_the_company() {
    let site = Site::start().await;
    site.route("/", Route::html("<h1>Harbor Lights</h1>")).route(
        "/search?q=harbor+lights&site=harbor-lights.test",
        Route::ok(
            "application/rss+xml",
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Search</title>
<item><title>Harbor Lights raises €8 million seed round</title><link>https://news.example/a</link><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Harbour Light Capital closes $200M fund</title><link>https://news.example/b</link><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Funding roundup: Contoso and others</title><link>https://news.example/c</link><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate>
<description>Contoso raised $40 million in a Series B led by Granite. Rival Harbor Lights was not part of the deal.</description></item>
<item><title>Harborlightsout raises $3M seed</title><link>https://news.example/d</link><pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#,
        ),
    );
    let config = FetchConfig {
        allow_private_network: true,
        politeness_delay: Duration::ZERO,
        ..FetchConfig::default()
    };
    let resolver = StaticResolver::new()
        .with("harbor-lights.test", &[IpAddr::V4(Ipv4Addr::LOCALHOST)])
        .with("news.test", &[IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    let fetcher = ReqwestFetcher::new(config, Arc::new(resolver)).unwrap();
    let mut cfg = EnrichConfig::default();
    cfg.news.search_feed = Some(format!(
        "{}/search?q={{company}}&site={{domain}}",
        site.url("news.test")
    ));
    let e = Enricher::new(Arc::new(fetcher), fingerprints(), cfg.clone());
    let domain = Domain::parse("harbor-lights.test").unwrap();
    let start = format!("{}/", site.url("harbor-lights.test"));
    let out = e
        .enrich(&domain, Some(&start), None, at("2026-11-20T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(out.news.funding.len(), 1, "{:?}", out.news);
    assert_eq!(out.news.funding[0].amount, Some(8_000_000));
    assert_eq!(out.news.funding[0].currency.as_deref(), Some("EUR"));
    assert_eq!(out.news.feeds.len(), 1);
    // The other Harbour is dropped, and so is a run-together name that
    // only starts like it; the roundup is kept for the sentence naming the
    // company, but Contoso's round in another sentence is not its round.
    assert_eq!(out.news.feeds[0].items, 2, "{:?}", out.news.articles);

    // Off by default: nothing is searched.
    let hits = site.hits().len();
    cfg.news.search_feed = None;
    let config = FetchConfig {
        allow_private_network: true,
        politeness_delay: Duration::ZERO,
        ..FetchConfig::default()
    };
    let resolver =
        StaticResolver::new().with("harbor-lights.test", &[IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    let fetcher = ReqwestFetcher::new(config, Arc::new(resolver)).unwrap();
    let out = Enricher::new(Arc::new(fetcher), fingerprints(), cfg)
        .enrich(&domain, Some(&start), None, at("2026-11-20T00:00:00Z"))
        .await
        .unwrap();
    assert!(out.news.funding.is_empty());
    assert!(
        site.hits()[hits..].iter().all(|h| !h.contains("/search")),
        "{:?}",
        site.hits()
    );
}

/// A Teamtailor careers site on the company's own domain (generator meta
/// tag, no `*.teamtailor.com` link): its `/jobs.rss` on that origin is read.
#[tokio::test]
async fn a_teamtailor_careers_site_on_a_custom_domain_is_read_from_its_origin() {
    let site = Site::start().await;
    site.route("/", Route::html(r#"<a href="/careers">Careers</a>"#))
        .route(
            "/careers",
            Route::html(
                r#"<html><head><meta name="generator" content="Teamtailor"></head><body><h1>Join Nordlys</h1></body></html>"#,
            ),
        )
        .route(
            "/jobs.rss",
            Route::ok("application/rss+xml", hiring_fixture("teamtailor_jobs.rss")),
        );
    let e = enricher_with_ats(&["nordlys.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "nordlys.test", None, "2026-11-20T00:00:00Z").await;
    let boards = &out.hiring.boards;
    assert_eq!(boards.len(), 1, "{boards:?}");
    assert_eq!(
        (boards[0].ats.as_str(), boards[0].status.as_str()),
        ("teamtailor", "ok"),
        "{boards:?}"
    );
    assert_eq!(boards[0].token, site.url("nordlys.test"));
    assert_eq!(out.hiring.summary.as_ref().map(|s| s.open_roles), Some(2));
    assert!(site.hits().iter().any(|h| h == "/jobs.rss"));
}

/// A Teamtailor slug that starts with "http" (`httpool.teamtailor.com`) is
/// a slug, read from the Teamtailor endpoint, not taken for an origin.
#[tokio::test]
async fn a_teamtailor_slug_starting_with_http_is_a_slug() {
    let site = Site::start().await;
    site.route("/", Route::html(r#"<a href="/careers">Careers</a>"#))
        .route(
            "/careers",
            Route::html(r#"<a href="https://httpool.teamtailor.com/jobs">All jobs</a>"#),
        )
        .route(
            "/teamtailor/httpool/jobs.rss",
            Route::ok("application/rss+xml", hiring_fixture("teamtailor_jobs.rss")),
        );
    let e = enricher_with_ats(&["httpool.test", "ats.test"], &site.url("ats.test"));
    let out = enrich_host(&e, &site, "httpool.test", None, "2026-11-20T00:00:00Z").await;
    let boards = &out.hiring.boards;
    assert_eq!(boards.len(), 1, "{boards:?}");
    assert_eq!(
        (boards[0].token.as_str(), boards[0].status.as_str()),
        ("httpool", "ok"),
        "{boards:?}"
    );
    assert_eq!(out.hiring.summary.as_ref().map(|s| s.open_roles), Some(2));
}

/// A newsroom listing that names a round without its date links its
/// announcement: that page is read, and the round is dated by it (not by
/// the day it was first seen), with its headline as the evidence rather
/// than the listing's title.
#[tokio::test]
async fn a_listed_round_is_dated_by_its_linked_announcement() {
    listed_round_dated_2026_10_01(
        r#"<html><head><title>Brightforge raises $20 million Series A</title>
        <meta property="article:published_time" content="2026-10-01T09:00:00Z"></head>
        <body><article><h1>Brightforge raises $20 million Series A</h1>
        <p>Brightforge today announced it has raised $20 million in Series A funding led by Northlight Capital.</p></article></body></html>"#,
    )
    .await;
}

/// An announcement whose markup carries no date is dated by its dateline.
#[tokio::test]
async fn a_linked_announcement_without_a_date_in_its_markup_is_dated_by_its_dateline() {
    listed_round_dated_2026_10_01(
        r#"<html><head><title>Brightforge raises $20 million Series A</title></head>
        <body><article><h1>Brightforge raises $20 million Series A</h1>
        <p>SAN FRANCISCO, Oct. 1, 2026 /PRNewswire/ -- Brightforge today announced it has raised $20 million in Series A funding led by Northlight Capital.</p></article></body></html>"#,
    )
    .await;
}

/// A start the site answers with a 404 (a CRM's stale deep link): the
/// site's root is read in its place, its technologies too.
#[tokio::test]
async fn a_stale_deep_link_has_the_roots_technologies() {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(
            r#"<html><head><script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242.js"></script></head><body><h1>Zeta</h1></body></html>"#,
        ),
    );
    let host = "zeta.test";
    let out = enricher(host)
        .enrich(
            &Domain::parse(host).unwrap(),
            Some(&format!("{}/old-page", site.url(host))),
            None,
            at("2026-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
    let names: Vec<&str> = out.technologies.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"HubSpot"), "{names:?} {:?}", out.pages);
    assert!(
        out.snapshot.signals.iter().any(|s| s.name == "tech"),
        "{:?}",
        out.snapshot.signals
    );
}

/// Enriches a site whose newsroom lists a round and links `announcement`,
/// and checks that the round is dated 2026-10-01 and told by its headline.
async fn listed_round_dated_2026_10_01(announcement: &'static str) {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(r#"<html><body><h1>Brightforge</h1><a href="/newsroom">Newsroom</a></body></html>"#),
    )
    .route(
        "/newsroom",
        Route::html(
            r#"<html><head><title>Newsroom</title></head><body><h1>Newsroom</h1><ul>
            <li><a href="/news/series-a">Brightforge raises $20 million Series A</a></li>
            <li><a href="/news/berlin">Brightforge opens a Berlin office</a></li></ul></body></html>"#,
        ),
    )
    .route("/news/series-a", Route::html(announcement));
    let host = "brightforge.test";
    let e = enricher(host);
    let out = e
        .enrich(
            &Domain::parse(host).unwrap(),
            Some(&format!("{}/", site.url(host))),
            None,
            at("2026-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
    assert!(
        site.hits().iter().any(|h| h == "/news/series-a"),
        "{:?}",
        site.hits()
    );
    assert!(
        !site.hits().iter().any(|h| h == "/news/berlin"),
        "{:?}",
        site.hits()
    );
    let round = out
        .snapshot
        .signals
        .iter()
        .find(|s| s.name == "funding.round")
        .unwrap_or_else(|| panic!("{:#?}", out.news));
    assert_eq!(round.observed_at.date_naive().to_string(), "2026-10-01");
    let evidence = round
        .evidence
        .as_ref()
        .map(|e| e.text.as_str())
        .unwrap_or("");
    assert!(
        evidence.contains("Brightforge raises $20 million Series A"),
        "{evidence}"
    );
}

/// A website on another host than the account's (a profile page on a
/// shared host) is read alone: that host's root and the pages it links are
/// someone else's, never the account's.
#[tokio::test]
async fn a_start_on_a_shared_host_is_read_without_its_root() {
    let site = Site::start().await;
    site.route(
        "/",
        Route::html(r#"<html><body><a href="/careers">Careers</a></body></html>"#),
    )
    .route("/careers", Route::html("<h1>Join the platform team</h1>"))
    .route(
        "/company/acme",
        Route::html("<html><body><h1>Acme on Profiles</h1></body></html>"),
    );
    let e = enricher_with_ats(&["profiles.test", "acme.test"], &site.url("ats.test"));
    let out = e
        .enrich(
            &Domain::parse("acme.test").unwrap(),
            Some(&format!("{}/company/acme", site.url("profiles.test"))),
            None,
            at("2026-11-20T00:00:00Z"),
        )
        .await
        .unwrap();
    let paths: Vec<&str> = out.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(
        !site.hits().iter().any(|h| h == "/" || h == "/careers"),
        "{:?}",
        site.hits()
    );
}

/// A start that redirects to another site (a CRM's "website" that is the
/// careers link, sent to the ATS's own domain): the account's stack is its
/// own root's, not the ATS page's.
#[tokio::test]
async fn a_start_sent_to_another_site_has_its_roots_technologies() {
    let site = Site::start().await;
    let board = format!("{}/board", site.url("jobs-elsewhere.test"));
    let gtm = HOME_V1
        .split("</head>")
        .next()
        .unwrap()
        .replace("//js.hs-scripts.com", "");
    site.route(
        "/",
        Route::html(
            r#"<html><head><script id="hs-script-loader" async defer src="//js.hs-scripts.com/4242.js"></script></head><body><h1>Northwind</h1></body></html>"#,
        ),
    )
    .route(
        "/careers",
        Route::status(301, "text/plain", "moved").header("location", &board),
    )
    .route(
        "/board",
        Route::html(format!("{gtm}</head><body>Jobs</body></html>")),
    );
    let host = "northwind.test";
    let e = enricher_with_ats(&[host, "jobs-elsewhere.test"], &site.url("ats.test"));
    let domain = Domain::parse(host).unwrap();
    let start = format!("{}/careers", site.url(host));
    let run = enrich_at(&e, &domain, &start, None, "2026-11-01T00:00:00Z").await;
    let names: Vec<&str> = run.technologies.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"HubSpot"), "{names:?} {:?}", run.pages);
    assert!(!names.contains(&"Google Tag Manager"), "{names:?}");
}

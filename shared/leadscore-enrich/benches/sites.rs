//! Enrichment of many loopback fixture sites with bounded concurrency.
//!
//! Run: `cargo bench -p leadscore-enrich --bench sites` (env `SITES`,
//! default 1000; `CONCURRENCY`, default 32).
//!
//! Every site (`siteN.test`, resolved to 127.0.0.1 by an injected resolver)
//! has a homepage linking to careers, pricing and press pages, a robots.txt,
//! and a realistic B2B tag set. Prints wall time, sites/s, the peak RSS of
//! the process, and the ratio to a baseline measured in the same run: plain
//! GETs of the same four pages per site with one reqwest client (no SSRF
//! guard, robots.txt, crawl planning or detection).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use leadscore_core::domain::Domain;
use leadscore_enrich::{EnrichConfig, Enricher, load_fingerprints};
use leadscore_fetch::{FetchConfig, ReqwestFetcher, StaticResolver};
use leadscore_testkit::site::{Route, Site};

const HOME: &str = r#"<!doctype html><html><head><title>Acme</title>
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s);j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-XXXX');</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>!function(){var analytics=window.analytics=window.analytics||[];analytics.load("KEY");}();</script>
</head><body><nav><a href="/careers">Careers</a><a href="/pricing">Pricing</a><a href="/newsroom">Newsroom</a><a href="/about">About</a></nav>
<main><h1>The platform for revenue teams</h1><p>Lorem ipsum dolor sit amet.</p></main>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4242.js"></script>
<script>window.intercomSettings = {app_id: "abc"};</script></body></html>"#;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("SITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let concurrency: usize = std::env::var("CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let site = Site::start().await;
    site.route("/", Route::html(HOME))
        .route(
            "/careers",
            Route::html("<h1>Careers</h1><ul><li>Account Executive</li><li>SDR</li></ul>"),
        )
        .route(
            "/pricing",
            Route::html("<h1>Pricing</h1><p>Starter, Pro, Enterprise</p>"),
        )
        .route(
            "/newsroom",
            Route::html("<h1>News</h1><p>Acme raises $20M Series A</p>"),
        )
        .route(
            "/robots.txt",
            Route::ok("text/plain", "User-agent: *\nAllow: /\n"),
        );
    let port = site.addr.port();
    let mut resolver = StaticResolver::new();
    for i in 0..n {
        resolver = resolver.with(&format!("site{i}.test"), &[IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    }
    let load_started = Instant::now();
    let (db, _) = load_fingerprints(&[]).unwrap();
    let load = load_started.elapsed();
    let fetcher = ReqwestFetcher::new(
        FetchConfig {
            allow_private_network: true,
            politeness_delay: Duration::ZERO,
            ..FetchConfig::default()
        },
        Arc::new(resolver),
    )
    .unwrap();
    let enricher = Enricher::new(Arc::new(fetcher), Arc::new(db), EnrichConfig::default());

    // Baseline: the same pages, plain GETs.
    let client = leadscore_fetch::https_client_builder()
        .unwrap()
        .no_proxy()
        .build()
        .unwrap();
    let started = Instant::now();
    let pages = ["/", "/careers", "/pricing", "/newsroom"];
    futures::stream::iter(0..n)
        .map(|_| {
            let client = client.clone();
            async move {
                for p in pages {
                    let body = client
                        .get(format!("http://127.0.0.1:{port}{p}"))
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    std::hint::black_box(body);
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    let baseline = started.elapsed();

    let started = Instant::now();
    let now = Utc::now();
    let results: Vec<(usize, usize)> = futures::stream::iter(0..n)
        .map(|i| {
            let enricher = &enricher;
            async move {
                let domain = Domain::parse(&format!("site{i}.test")).unwrap();
                let start = format!("http://site{i}.test:{port}/");
                let e = enricher
                    .enrich(&domain, Some(&start), None, now)
                    .await
                    .unwrap();
                (
                    e.pages.iter().filter(|p| p.error.is_none()).count(),
                    e.technologies.len(),
                )
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let pages_ok: usize = results.iter().map(|r| r.0).sum();
    let techs = results.iter().map(|r| r.1).min().unwrap_or(0);
    println!(
        "== enrichment of {n} loopback sites (concurrency {concurrency}, 2 worker threads) =="
    );
    println!(
        "fingerprint load + compile: {:.1} ms",
        load.as_secs_f64() * 1000.0
    );
    println!(
        "baseline (plain GETs of the same {} pages): {:.2} s",
        n * pages.len(),
        baseline.as_secs_f64()
    );
    println!(
        "enrich (robots + crawl plan + guard + detection): {:.2} s, {:.0} sites/s, {pages_ok} pages ok, >= {techs} technologies per site",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "ratio enrich/baseline: {:.1}x",
        elapsed.as_secs_f64() / baseline.as_secs_f64()
    );
    println!("peak RSS: {:.1} MB", peak_rss_mb());
    println!(
        "goals: <= 10 s: {}; peak RSS <= 128 MB: {}",
        if elapsed <= Duration::from_secs(10) {
            "met"
        } else {
            "NOT met"
        },
        if peak_rss_mb() <= 128.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}

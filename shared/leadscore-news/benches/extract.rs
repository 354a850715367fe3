//! Extraction throughput of leadscore-news, in articles per second.
//!
//! The corpus is the evaluation set (`tests/eval/funding.jsonl`, real
//! sentences and headlines) grouped into articles: one headline plus four
//! body sentences each (22 articles), repeated to 220 articles.
//!
//! * `extract_articles`: funding + event extraction and cross-item dedupe
//!   (`leadscore_news::extract`).
//! * `baseline_currency_scan`: one plain regex scan for currency amounts
//!   over the same text — the least any extractor has to do.
//!
//! The `ratio` line (both medians measured in the same run) goes to stderr.
//!
//! Run: `cargo bench -p leadscore-news --bench extract -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadscore_news::article::Article;
use regex::Regex;

fn corpus() -> Vec<Article> {
    let texts: Vec<String> = include_str!("../tests/eval/funding.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
        .collect();
    let one_pass: Vec<Article> = texts
        .chunks(5)
        .map(|c| Article {
            url: Some("https://news.example/item".to_owned()),
            title: c[0].clone(),
            published: None,
            text: c[1..].join(" "),
        })
        .collect();
    (0..10).flat_map(|_| one_pass.iter().cloned()).collect()
}

fn median<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn bench(c: &mut Criterion) {
    let articles = corpus();
    let n = articles.len();
    let baseline_re = Regex::new(
        r"(?:[$€£₹]|USD|EUR|GBP|Rs\.?|INR)\s?\d[\d.,]*\s?(?:k|m|mn|bn|million|billion|crore|cr)?",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let extract = || black_box(leadscore_news::extract(black_box(&articles)));
    let baseline = || {
        let mut hits = 0usize;
        for a in &articles {
            hits += baseline_re.find_iter(&a.title).count();
            hits += baseline_re.find_iter(&a.text).count();
        }
        black_box(hits)
    };
    let mut g = c.benchmark_group("news");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("extract_articles", |b| b.iter(extract));
    g.bench_function("baseline_currency_scan", |b| b.iter(baseline));
    g.finish();

    let subject = median(21, || {
        extract();
    });
    let base = median(21, || {
        baseline();
    });
    eprintln!(
        "ratio extract vs currency scan: {:.0} articles/s vs {:.0} articles/s; extraction takes {:.1}x the baseline's time ({} articles, {:.3} ms vs {:.3} ms)",
        n as f64 / subject.as_secs_f64(),
        n as f64 / base.as_secs_f64(),
        subject.as_secs_f64() / base.as_secs_f64().max(1e-12),
        n,
        subject.as_secs_f64() * 1e3,
        base.as_secs_f64() * 1e3
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Benchmarks of leadscore-fingerprint.
//!
//! * `load`: load + compile of the MIT Wappalyzer set + our b2b.json
//!   (baseline: parsing the same JSON with serde_json only).
//! * `detect_synthetic`: detection on a few synthetic pages kept here
//!   (baseline: the same with the literal prefilter off).
//! * `detect_pages`: detection per page over every `*.html` (recursively)
//!   under `$LEADSCORE_BENCH_PAGES`, e.g. mozilla/readability's
//!   `test/test-pages` (skipped with a message when unset). Baseline: the
//!   prefilter off. Also reports the median per page with the document
//!   pre-parsed by the caller.
//!
//! Each group prints `ratio` lines (measured in the same run) to stderr.
//!
//! Run: `cargo bench -p leadscore-fingerprint -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use leadscore_fingerprint::{FingerprintDb, PageInput, PreparedPatterns, Source, fs};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sources() -> Vec<Source> {
    let mut s = fs::load_dir(&repo().join("third_party/wappalyzer")).unwrap_or_default();
    s.extend(fs::load_path(&repo().join("data/fingerprints/b2b.json")).unwrap_or_default());
    s
}

fn db() -> Option<FingerprintDb> {
    FingerprintDb::from_sources(&sources())
        .ok()
        .map(|(db, _)| db)
}

/// Median of `runs` timings of `f`.
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

fn ratio(label: &str, subject: Duration, baseline: Duration) {
    eprintln!(
        "ratio {label}: {:.3} ms vs baseline {:.3} ms = {:.2}x",
        subject.as_secs_f64() * 1e3,
        baseline.as_secs_f64() * 1e3,
        subject.as_secs_f64() / baseline.as_secs_f64().max(1e-12)
    );
}

fn load(c: &mut Criterion) {
    let sources = sources();
    let parse_only = || {
        for s in &sources {
            black_box(serde_json::from_str::<serde_json::Value>(&s.json).ok());
        }
    };
    let compile = || {
        black_box(FingerprintDb::from_sources(&sources).ok());
    };
    if let Ok((db, report)) = FingerprintDb::from_sources(&sources) {
        eprintln!(
            "load report: technologies={} categories={} overridden={} patterns={} fancy={} unfiltered={} issues={}",
            report.technologies,
            report.categories,
            report.overridden,
            report.patterns,
            report.fancy_patterns,
            report.unfiltered_patterns,
            report.issues.len()
        );
        drop(db);
    }
    // What the binaries do: the same load with every regex's analysis
    // prepared at build time (leadscore-enrich's build script), no parse.
    let prepared = FingerprintDb::from_sources(&sources)
        .map(|(db, _)| PreparedPatterns::encode(&db.pattern_analyses()))
        .unwrap_or_default();
    let compile_prepared = || {
        if let Ok(prepared) = PreparedPatterns::decode(&prepared) {
            black_box(FingerprintDb::from_sources_prepared(&sources, &prepared).ok());
        }
    };
    let parse = median(15, parse_only);
    ratio(
        "load+compile / json-parse-only (median of 15)",
        median(15, compile),
        parse,
    );
    ratio(
        "load+compile prepared / json-parse-only (median of 15)",
        median(15, compile_prepared),
        parse,
    );
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("json_parse_only_baseline", |b| b.iter(parse_only));
    g.bench_function("load_compile_mit_plus_b2b", |b| b.iter(compile));
    g.bench_function("load_compile_prepared", |b| b.iter(compile_prepared));
    g.finish();
}

const SYNTHETIC: &[&str] = &[
    include_str!("pages/b2b-saas.html"),
    include_str!("pages/wordpress-blog.html"),
    include_str!("pages/plain.html"),
];

fn detect_synthetic(c: &mut Criterion) {
    let Some(on) = db() else {
        eprintln!("detect_synthetic: fingerprints not found, skipped");
        return;
    };
    let Some(off) = db().map(|d| d.with_prefilter(false)) else {
        return;
    };
    let run = |db: &FingerprintDb| {
        for html in SYNTHETIC {
            black_box(db.detect(&PageInput::new("https://www.acme.com/", html)));
        }
    };
    ratio(
        "synthetic prefilter-on / prefilter-off (3 pages, median of 20)",
        median(20, || run(&on)),
        median(20, || run(&off)),
    );
    let mut g = c.benchmark_group("detect_synthetic");
    g.sample_size(10);
    g.bench_function("prefilter_off_baseline_3_pages", |b| b.iter(|| run(&off)));
    g.bench_function("prefilter_on_3_pages", |b| b.iter(|| run(&on)));
    g.finish();
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
}

fn detect_pages(c: &mut Criterion) {
    let Ok(dir) = std::env::var("LEADSCORE_BENCH_PAGES") else {
        eprintln!("detect_pages: LEADSCORE_BENCH_PAGES is unset, skipped");
        return;
    };
    let mut files = Vec::new();
    html_files(Path::new(&dir), &mut files);
    files.sort();
    let pages: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    if pages.is_empty() {
        eprintln!("detect_pages: no *.html under {dir}, skipped");
        return;
    }
    let (Some(on), Some(off)) = (db(), db().map(|d| d.with_prefilter(false))) else {
        return;
    };
    let total: usize = pages.iter().map(String::len).sum();
    eprintln!(
        "detect_pages: {} pages, {} KiB mean size",
        pages.len(),
        total / pages.len() / 1024
    );
    // Median per page across all pages (each page timed 5 times, median of those).
    let per_page = |db: &FingerprintDb, parsed: Option<&[scraper::Html]>| -> Duration {
        let mut t: Vec<Duration> = pages
            .iter()
            .enumerate()
            .map(|(i, html)| {
                median(5, || {
                    let mut p = PageInput::new("https://example.com/", html);
                    if let Some(docs) = parsed {
                        p = p.with_document(&docs[i]);
                    }
                    black_box(db.detect(&p));
                })
            })
            .collect();
        t.sort();
        t[t.len() / 2]
    };
    let docs: Vec<scraper::Html> = pages
        .iter()
        .map(|h| scraper::Html::parse_document(h))
        .collect();
    let parse_only = {
        let mut t: Vec<Duration> = pages
            .iter()
            .map(|h| median(5, || drop(black_box(scraper::Html::parse_document(h)))))
            .collect();
        t.sort();
        t[t.len() / 2]
    };
    let with_parse = per_page(&on, None);
    let pre_parsed = per_page(&on, Some(&docs));
    ratio(
        "median per page, prefilter-on / prefilter-off (incl. HTML parse)",
        with_parse,
        per_page(&off, None),
    );
    ratio(
        "median per page, detect on pre-parsed document / parse + detect",
        pre_parsed,
        with_parse,
    );
    eprintln!(
        "median per page: html5 parse alone {:.3} ms",
        parse_only.as_secs_f64() * 1e3
    );
    peer(&dir, pre_parsed, with_parse);
    // Criterion timing on the first 10 pages only, to keep the run short.
    let pages = &pages[..pages.len().min(10)];
    let mut g = c.benchmark_group("detect_pages_first_10");
    g.sample_size(10);
    g.bench_function("all_pages_prefilter_off_baseline", |b| {
        b.iter(|| {
            for h in pages {
                black_box(off.detect(&PageInput::new("https://example.com/", h)));
            }
        });
    });
    g.bench_function("all_pages_prefilter_on", |b| {
        b.iter(|| {
            for h in pages {
                black_box(on.detect(&PageInput::new("https://example.com/", h)));
            }
        });
    });
    g.finish();
}

/// The peer engine: the JavaScript Wappalyzer core on the same pages and
/// data (`benches/peer`, see its README), when `npm ci` was run there and
/// `node` is on the PATH. Its inputs are extracted before its timer starts,
/// so it compares with our figure on pre-parsed documents.
fn peer(dir: &str, pre_parsed: Duration, with_parse: Duration) {
    let peer_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer");
    if !peer_dir.join("node_modules").is_dir() {
        eprintln!("peer: skipped (run `npm ci` in {})", peer_dir.display());
        return;
    }
    let out = match std::process::Command::new("node")
        .arg(peer_dir.join("peer.js"))
        .arg(dir)
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("peer: failed: {}", String::from_utf8_lossy(&o.stderr));
            return;
        }
        Err(e) => {
            eprintln!("peer: cannot run node: {e}");
            return;
        }
    };
    let line = String::from_utf8_lossy(&out.stdout);
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
        eprintln!("peer: unreadable output: {line}");
        return;
    };
    eprintln!("peer: {v}");
    let Some(ms) = v.get("median_ms").and_then(serde_json::Value::as_f64) else {
        return;
    };
    let theirs = Duration::from_secs_f64(ms / 1e3);
    ratio(
        "median per page, peer (JS Wappalyzer core, inputs pre-extracted) / ours (pre-parsed)",
        theirs,
        pre_parsed,
    );
    ratio(
        "median per page, peer / ours (incl. HTML parse)",
        theirs,
        with_parse,
    );
}

criterion_group!(benches, load, detect_synthetic, detect_pages);
criterion_main!(benches);

//! The fingerprints compiled into the binary (slimmed by the build script)
//! load and detect exactly as the committed files do.

// Helpers outside `#[test]` functions panic on broken fixtures too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use leadscore_enrich::{embedded, load_fingerprints};
use leadscore_fingerprint::{FingerprintDb, IGNORED_FIELDS, LoadReport, PageInput, fs};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "html") {
            out.push(path);
        }
    }
}

#[test]
fn the_build_script_drops_exactly_the_fields_the_engine_ignores() {
    let mut dropped = embedded::DROPPED_FIELDS.to_vec();
    let mut ignored = IGNORED_FIELDS.to_vec();
    dropped.sort_unstable();
    ignored.sort_unstable();
    assert_eq!(dropped, ignored);
}

#[test]
fn embedded_matches_the_committed_files() {
    let mut committed = fs::load_dir(&repo().join("third_party/wappalyzer")).unwrap();
    committed.extend(fs::load_path(&repo().join("data/fingerprints/b2b.json")).unwrap());
    let slim = embedded::sources();
    assert_eq!(slim.len(), committed.len());
    let slim_bytes: usize = slim.iter().map(|s| s.json.len()).sum();
    let committed_bytes: usize = committed.iter().map(|s| s.json.len()).sum();
    assert!(
        slim_bytes * 2 < committed_bytes,
        "{slim_bytes} embedded bytes for {committed_bytes} committed"
    );

    let (from_files, files_report) = FingerprintDb::from_sources(&committed).unwrap();
    // What the binaries load: the slim files with their prepared analyses.
    let (from_binary, binary_report) = load_fingerprints(&[]).unwrap();
    assert!(files_report.parsed_patterns > 1_000, "{files_report:?}");
    // Only the fancy-regex patterns, which are compiled at load anyway.
    assert_eq!(
        binary_report.parsed_patterns, binary_report.fancy_patterns,
        "{binary_report:?}"
    );
    // The committed files' known problems, which users are not shown.
    let known: Vec<String> = files_report
        .issues
        .iter()
        .map(|i| format!("{} {}", i.technology, i.field))
        .collect();
    assert_eq!(known, leadscore_enrich::EMBEDDED_ISSUES);
    assert_eq!(
        binary_report,
        LoadReport {
            parsed_patterns: binary_report.fancy_patterns,
            issues: Vec::new(),
            ..files_report
        }
    );
    assert!(binary_report.technologies > 3_400, "{binary_report:?}");

    // Every HTML page of the repository (demo sites, fixtures, bench pages),
    // with headers and cookies that several fingerprints read.
    let mut pages = Vec::new();
    for dir in ["cli/demo/sites", "shared"] {
        html_files(&repo().join(dir), &mut pages);
    }
    assert!(pages.len() > 30, "{} pages", pages.len());
    let headers = [
        ("server", "nginx/1.24.0"),
        ("x-powered-by", "PHP/8.2.1"),
        ("x-hs-hub-id", "4242"),
        ("cf-ray", "8a1b2c3d4e5f-FRA"),
        ("x-shopify-stage", "production"),
    ];
    let cookies = [
        ("hubspotutk", "abc"),
        ("_hjSessionUser_1", "x"),
        ("PHPSESSID", "y"),
    ];
    let mut detected = 0;
    for path in &pages {
        let html = std::fs::read_to_string(path).unwrap();
        let page = PageInput {
            url: "https://www.example.com/",
            status: 200,
            headers: &headers,
            cookies: &cookies,
            html: &html,
            document: None,
        };
        let want = from_files.detect(&page);
        assert_eq!(from_binary.detect(&page), want, "{}", path.display());
        detected += want.len();
    }
    assert!(detected > 100, "{detected} detections");
}

#[test]
fn prepared_analyses_are_a_parse() {
    // The build script's table is exactly what parsing the embedded
    // patterns gives, one entry per distinct regex, sorted.
    let (parsed, _) = FingerprintDb::from_sources(&embedded::sources()).unwrap();
    let want = parsed.pattern_analyses();
    let table = embedded::prepared().unwrap().to_analyses();
    assert!(table.len() > 1_000, "{} analyses", table.len());
    assert!(table.iter().any(|a| !a.also.is_empty()));
    assert_eq!(table, want);
    // And a database loaded with it holds the same analyses.
    let (prepared, _) = load_fingerprints(&[]).unwrap();
    assert_eq!(prepared.pattern_analyses(), want);
}

//! Prepares the fingerprint files compiled into the binary.
//!
//! The committed files (`third_party/wappalyzer/`, `data/fingerprints/`)
//! stay exactly as published and as users edit them. What is embedded is a
//! copy of each without the fields the engine never reads (descriptions,
//! websites, icons, pricing, CPEs — two thirds of the Wappalyzer data) and
//! without whitespace: ~0.43 MB instead of 1.41 MB in every binary that
//! enriches, and less JSON to parse at a cold start. Technologies, their key
//! order and every field the engine reads are unchanged; a test loads both
//! and compares the results (`embedded_matches_the_committed_files`).
//!
//! It also loads the slimmed files with the engine itself and encodes what
//! parsing gives for each of their regexes (`FingerprintDb::
//! pattern_analyses`, `PreparedPatterns::encode`): the binaries load with
//! those analyses and parse none of the ~1,800 regexes at start (a third of
//! the load's time). A test compares them with a fresh parse
//! (`prepared_analyses_are_a_parse`).
//!
//! The list of dropped fields is the engine's list of known-but-ignored
//! fields (`leadscore_fingerprint::IGNORED_FIELDS`); an unknown field is kept
//! so that the load report still names it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use leadscore_fingerprint::{FingerprintDb, PreparedPatterns, Source};

/// Fields of a technology the engine knows and does not use.
const DROPPED: &[&str] = &[
    "description",
    "icon",
    "website",
    "pricing",
    "saas",
    "oss",
    "cpe",
    "dns",
    "certIssuer",
    "css",
    "robots",
    "xhr",
    "text",
    "magento",
];

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("../..");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it"));
    let tech_dir = root.join("third_party/wappalyzer/technologies");
    println!("cargo::rerun-if-changed={}", tech_dir.display());

    let mut techs: Vec<PathBuf> = fs::read_dir(&tech_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", tech_dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    techs.sort();

    // (origin as reports name it, kind, file)
    let mut files: Vec<(String, &str, PathBuf)> = vec![(
        "third_party/wappalyzer/categories.json".into(),
        "categories",
        root.join("third_party/wappalyzer/categories.json"),
    )];
    for path in techs {
        let name = path
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        files.push((
            format!("third_party/wappalyzer/technologies/{name}"),
            "technologies",
            path,
        ));
    }
    files.push((
        "data/fingerprints/b2b.json".into(),
        "technologies",
        root.join("data/fingerprints/b2b.json"),
    ));

    let mut list = String::from("vec![\n");
    let mut sources = Vec::new();
    for (i, (origin, kind, path)) in files.iter().enumerate() {
        println!("cargo::rerun-if-changed={}", path.display());
        let embedded = format!("fingerprints-{i}.json");
        let text = slim(path, *kind == "technologies");
        fs::write(out.join(&embedded), &text).unwrap_or_else(|e| panic!("{embedded}: {e}"));
        sources.push(if *kind == "technologies" {
            Source::technologies(origin, text)
        } else {
            Source::categories(origin, text)
        });
        writeln!(
            list,
            "    Source::{kind}({origin:?}, \
             include_str!(concat!(env!(\"OUT_DIR\"), \"/{embedded}\"))),"
        )
        .expect("writing to a String");
    }
    list.push_str("]\n");
    fs::write(out.join("embedded_sources.rs"), list).expect("writing the source list");
    fs::write(out.join("embedded_dropped.rs"), format!("&{DROPPED:?}\n"))
        .expect("writing the dropped fields");

    let (db, _) = FingerprintDb::from_sources(&sources).expect("the embedded files load");
    fs::write(
        out.join("embedded_prepared.bin"),
        PreparedPatterns::encode(&db.pattern_analyses()),
    )
    .expect("writing the pattern analyses");
}

/// The file minified, and for a technologies file without the dropped fields.
fn slim(path: &Path, technologies: bool) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if technologies && let Some(map) = value.as_object_mut() {
        for tech in map.values_mut() {
            if let Some(fields) = tech.as_object_mut() {
                fields.retain(|k, _| !DROPPED.contains(&k.as_str()));
            }
        }
    }
    serde_json::to_string(&value).expect("a JSON value serializes")
}

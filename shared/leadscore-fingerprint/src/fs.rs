//! The one place this crate reads files: a convenience for callers that
//! keep fingerprints on disk. Detection itself never does I/O.

use std::path::Path;

use crate::error::FingerprintError;
use crate::source::Source;

/// Reads fingerprint sources from `path`:
///
/// * a `.json` file: a technologies file;
/// * a folder in the Wappalyzer layout: `categories.json` (if present) and
///   every `technologies/*.json` (or, without a `technologies/` subfolder,
///   every other `*.json` in the folder), in file-name order.
pub fn load_path(path: &Path) -> Result<Vec<Source>, FingerprintError> {
    if path.is_file() {
        return Ok(vec![Source::technologies(
            path.display().to_string(),
            read(path)?,
        )]);
    }
    let mut out = Vec::new();
    let cats = path.join("categories.json");
    if cats.is_file() {
        out.push(Source::categories(cats.display().to_string(), read(&cats)?));
    }
    let techs = path.join("technologies");
    let dir = if techs.is_dir() {
        techs
    } else {
        path.to_path_buf()
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| io(&dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "categories.json")
        })
        .collect();
    files.sort();
    for f in files {
        out.push(Source::technologies(f.display().to_string(), read(&f)?));
    }
    Ok(out)
}

/// Alias of [`load_path`] for a folder.
pub fn load_dir(path: &Path) -> Result<Vec<Source>, FingerprintError> {
    load_path(path)
}

fn read(path: &Path) -> Result<String, FingerprintError> {
    std::fs::read_to_string(path).map_err(|e| io(path, e))
}

fn io(path: &Path, source: std::io::Error) -> FingerprintError {
    FingerprintError::Io {
        path: path.display().to_string(),
        source,
    }
}

//! Fingerprint sources: Wappalyzer-format JSON given as text, and the
//! lenient parsing of its fields (a field may be a string, an array of
//! strings, or an object of those).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::FingerprintError;

/// What a [`Source`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A technologies file: an object `{ "Name": { ...technology... } }`.
    Technologies,
    /// A categories file: an object `{ "10": { "name": "Analytics", ... } }`.
    Categories,
}

/// One fingerprint input, already read into memory.
///
/// Sources are applied in order: a technology defined in a later source
/// replaces the one of the same name from an earlier source, and so do
/// categories with the same id.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the text came from (a path or a label), used in reports.
    pub origin: String,
    /// Whether this is a technologies or a categories file.
    pub kind: SourceKind,
    /// The JSON text.
    pub json: String,
}

impl Source {
    /// A technologies source.
    pub fn technologies(origin: impl Into<String>, json: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            kind: SourceKind::Technologies,
            json: json.into(),
        }
    }

    /// A categories source (`categories.json`).
    pub fn categories(origin: impl Into<String>, json: impl Into<String>) -> Self {
        Self {
            origin: origin.into(),
            kind: SourceKind::Categories,
            json: json.into(),
        }
    }
}

/// A `dom` entry: a CSS selector and what to check on matching elements.
#[derive(Debug, Clone, Default)]
pub(crate) struct DomSpec {
    pub(crate) selector: String,
    /// `exists` (or the plain string/array form): presence is enough.
    pub(crate) exists: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) properties: Vec<(String, String)>,
}

/// A technology as read from JSON, before compilation.
#[derive(Debug, Clone, Default)]
pub(crate) struct TechSpec {
    pub(crate) origin: String,
    pub(crate) cats: Vec<u32>,
    pub(crate) url: Vec<String>,
    pub(crate) html: Vec<String>,
    pub(crate) script_src: Vec<String>,
    pub(crate) scripts: Vec<String>,
    pub(crate) meta: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) js: Vec<(String, String)>,
    pub(crate) dom: Vec<DomSpec>,
    pub(crate) implies: Vec<String>,
    pub(crate) excludes: Vec<String>,
    pub(crate) requires: Vec<String>,
    pub(crate) requires_category: Vec<u32>,
}

/// Field kinds we know but do not evaluate on static pages.
pub(crate) const IGNORED_FIELDS: &[&str] = &[
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

/// Parses a technologies object into specs (in file order is not needed:
/// names are unique keys). Unknown fields are returned as warnings.
pub(crate) fn parse_technologies(
    src: &Source,
    out: &mut BTreeMap<String, TechSpec>,
    unknown: &mut Vec<(String, String)>,
) -> Result<(), FingerprintError> {
    let root: Value = serde_json::from_str(&src.json).map_err(|e| FingerprintError::Json {
        origin: src.origin.clone(),
        source: e,
    })?;
    let Value::Object(map) = root else {
        return Err(FingerprintError::Shape {
            origin: src.origin.clone(),
            expected: "an object of technologies",
        });
    };
    for (name, v) in map {
        let Value::Object(fields) = v else {
            unknown.push((name, "technology is not an object".to_owned()));
            continue;
        };
        let mut t = TechSpec {
            origin: src.origin.clone(),
            ..TechSpec::default()
        };
        for (field, value) in &fields {
            match field.as_str() {
                "cats" => t.cats = numbers(value),
                "url" => t.url = strings(value),
                "html" => t.html = strings(value),
                "scriptSrc" => t.script_src = strings(value),
                "scripts" => t.scripts = strings(value),
                "meta" => t.meta = keyed(value, true),
                "headers" => t.headers = keyed(value, true),
                "cookies" => t.cookies = keyed(value, false),
                "js" => t.js = keyed(value, false),
                "dom" => t.dom = dom(value),
                "implies" => t.implies = strings(value),
                "excludes" => t.excludes = strings(value),
                "requires" => t.requires = strings(value),
                "requiresCategory" => t.requires_category = numbers(value),
                f if IGNORED_FIELDS.contains(&f) => {}
                f => unknown.push((name.clone(), format!("unknown field {f:?}"))),
            }
        }
        out.insert(name, t);
    }
    Ok(())
}

/// Parses a categories object into `id -> name`.
pub(crate) fn parse_categories(
    src: &Source,
    out: &mut BTreeMap<u32, String>,
) -> Result<(), FingerprintError> {
    let root: Value = serde_json::from_str(&src.json).map_err(|e| FingerprintError::Json {
        origin: src.origin.clone(),
        source: e,
    })?;
    let Value::Object(map) = root else {
        return Err(FingerprintError::Shape {
            origin: src.origin.clone(),
            expected: "an object of categories",
        });
    };
    for (id, v) in map {
        let (Ok(id), Some(name)) = (id.parse::<u32>(), v.get("name").and_then(Value::as_str))
        else {
            continue;
        };
        out.insert(id, name.to_owned());
    }
    Ok(())
}

/// A string or an array of strings.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// A number, a numeric string, or an array of those.
fn numbers(v: &Value) -> Vec<u32> {
    let one = |x: &Value| match x {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        x => one(x).into_iter().collect(),
    }
}

/// An object `{ key: pattern | [patterns] }` flattened to pairs.
fn keyed(v: &Value, lowercase_keys: bool) -> Vec<(String, String)> {
    let Value::Object(m) = v else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, p) in m {
        let key = if lowercase_keys {
            k.to_ascii_lowercase()
        } else {
            k.clone()
        };
        for pat in strings(p) {
            out.push((key.clone(), pat));
        }
    }
    out
}

/// The `dom` field: a selector string, an array of selectors, or an object
/// `{ selector: { exists, text, attributes, properties } }`.
fn dom(v: &Value) -> Vec<DomSpec> {
    match v {
        Value::String(_) | Value::Array(_) => strings(v)
            .into_iter()
            .map(|selector| DomSpec {
                selector,
                exists: Some(String::new()),
                ..DomSpec::default()
            })
            .collect(),
        Value::Object(m) => m
            .iter()
            .map(|(selector, spec)| {
                let mut d = DomSpec {
                    selector: selector.clone(),
                    ..DomSpec::default()
                };
                if let Value::Object(s) = spec {
                    d.exists = s.get("exists").map(|e| e.as_str().unwrap_or("").to_owned());
                    d.text = s.get("text").and_then(Value::as_str).map(str::to_owned);
                    d.attributes = s
                        .get("attributes")
                        .map(|a| keyed(a, true))
                        .unwrap_or_default();
                    d.properties = s
                        .get("properties")
                        .map(|a| keyed(a, false))
                        .unwrap_or_default();
                } else {
                    d.exists = Some(String::new());
                }
                d
            })
            .collect(),
        _ => Vec::new(),
    }
}

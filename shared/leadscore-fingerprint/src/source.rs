//! Fingerprint sources: Wappalyzer-format JSON given as text, and the
//! lenient parsing of its fields (a field may be a string, an array of
//! strings, or an object of those).

use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
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

/// Technology fields the engine knows and does not read: descriptive ones
/// (description, website, icon, pricing, …) and the kinds it cannot evaluate
/// on static pages (dns, xhr, css, …). They are not reported as unknown.
pub const IGNORED_FIELDS: &[&str] = &[
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
///
/// Deserialized straight into [`TechSpec`]s by the visitors below, with the
/// format's lenient shapes (a string or an array of strings, a number or a
/// numeric string, ...), not through a `serde_json::Value` tree: this runs
/// at every cold start of the enrich function.
pub(crate) fn parse_technologies(
    src: &Source,
    out: &mut BTreeMap<String, TechSpec>,
    unknown: &mut Vec<(String, String)>,
) -> Result<(), FingerprintError> {
    let mut de = serde_json::Deserializer::from_str(&src.json);
    let is_object = Deserializer::deserialize_any(
        &mut de,
        Technologies {
            origin: &src.origin,
            out,
            unknown,
        },
    )
    .and_then(|is_object| de.end().map(|()| is_object))
    .map_err(|e| FingerprintError::Json {
        origin: src.origin.clone(),
        source: e,
    })?;
    if !is_object {
        return Err(FingerprintError::Shape {
            origin: src.origin.clone(),
            expected: "an object of technologies",
        });
    }
    Ok(())
}

/// The root object `{ name: technology }`; `false` for any other JSON.
struct Technologies<'a> {
    origin: &'a str,
    out: &'a mut BTreeMap<String, TechSpec>,
    unknown: &'a mut Vec<(String, String)>,
}

impl<'de> Visitor<'de> for Technologies<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of technologies")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            let Lenient(tech) = map.next_value::<Lenient<TechFields>>()?;
            match tech {
                Some(TechFields { mut spec, unknown }) => {
                    spec.origin = self.origin.to_owned();
                    self.unknown.extend(
                        unknown
                            .into_iter()
                            .map(|f| (name.clone(), format!("unknown field {f:?}"))),
                    );
                    self.out.insert(name, spec);
                }
                None => self
                    .unknown
                    .push((name, "technology is not an object".to_owned())),
            }
        }
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// Implements the non-matching visits of a lenient visitor: any value of
/// another shape (consumed, so parsing goes on) gives `$none`.
macro_rules! otherwise {
    ($none:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

/// A value of the expected shape, or `None` for any other JSON value.
struct Lenient<T>(Option<T>);

/// A technology object's fields, and the names of the unknown ones.
struct TechFields {
    spec: TechSpec,
    unknown: Vec<String>,
}

impl<'de> Deserialize<'de> for Lenient<TechFields> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient<TechFields>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a technology")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut t = TechSpec::default();
                let mut unknown = Vec::new();
                while let Some(field) = map.next_key::<String>()? {
                    match field.as_str() {
                        "cats" => t.cats = map.next_value::<Numbers>()?.0,
                        "url" => t.url = map.next_value::<Strings>()?.0,
                        "html" => t.html = map.next_value::<Strings>()?.0,
                        "scriptSrc" => t.script_src = map.next_value::<Strings>()?.0,
                        "scripts" => t.scripts = map.next_value::<Strings>()?.0,
                        "meta" => t.meta = lowercase_keys(map.next_value::<Keyed>()?.0),
                        "headers" => t.headers = lowercase_keys(map.next_value::<Keyed>()?.0),
                        "cookies" => t.cookies = map.next_value::<Keyed>()?.0,
                        "js" => t.js = map.next_value::<Keyed>()?.0,
                        "dom" => t.dom = map.next_value::<Doms>()?.0,
                        "implies" => t.implies = map.next_value::<Strings>()?.0,
                        "excludes" => t.excludes = map.next_value::<Strings>()?.0,
                        "requires" => t.requires = map.next_value::<Strings>()?.0,
                        "requiresCategory" => {
                            t.requires_category = map.next_value::<Numbers>()?.0;
                        }
                        f => {
                            map.next_value::<IgnoredAny>()?;
                            if !IGNORED_FIELDS.contains(&f) {
                                unknown.push(field);
                            }
                        }
                    }
                }
                Ok(Lenient(Some(TechFields { spec: t, unknown })))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            otherwise!(Lenient(None));
        }
        d.deserialize_any(V)
    }
}

/// A string, or `None` for any other value.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeString(None))
            }
            otherwise!(MaybeString(None));
        }
        d.deserialize_any(V)
    }
}

/// A string or an array of strings (other elements skipped); empty for any
/// other value.
struct Strings(Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Strings(vec![s.to_owned()]))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Strings(vec![s]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(MaybeString(s)) = seq.next_element()? {
                    out.extend(s);
                }
                Ok(Strings(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Strings(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Strings(Vec::new()))
            }
            otherwise!(Strings(Vec::new()));
        }
        d.deserialize_any(V)
    }
}

/// A number, a numeric string, or an array of those (others skipped).
struct Numbers(Vec<u32>);

/// One element of [`Numbers`].
struct MaybeNumber(Option<u32>);

impl<'de> Deserialize<'de> for MaybeNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a category id")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(u32::try_from(n).ok()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MaybeNumber(s.parse().ok()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeNumber(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeNumber(None))
            }
            otherwise!(MaybeNumber(None));
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Numbers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("category ids")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Numbers(u32::try_from(n).ok().into_iter().collect()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Numbers(s.parse().ok().into_iter().collect()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(MaybeNumber(n)) = seq.next_element()? {
                    out.extend(n);
                }
                Ok(Numbers(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Numbers(Vec::new()))
            }
            otherwise!(Numbers(Vec::new()));
        }
        d.deserialize_any(V)
    }
}

/// An object `{ key: pattern | [patterns] }` flattened to pairs; empty for
/// any other value.
struct Keyed(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Keyed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keyed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of patterns")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // By key, the last of duplicate keys kept, as a JSON object
                // read into a map would be.
                let mut by_key = BTreeMap::new();
                while let Some((key, Strings(patterns))) = map.next_entry::<String, Strings>()? {
                    by_key.insert(key, patterns);
                }
                Ok(Keyed(
                    by_key
                        .into_iter()
                        .flat_map(|(k, ps)| ps.into_iter().map(move |p| (k.clone(), p)))
                        .collect(),
                ))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Keyed(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Keyed(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Keyed(Vec::new()))
            }
            otherwise!(Keyed(Vec::new()));
        }
        d.deserialize_any(V)
    }
}

fn lowercase_keys(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// The `dom` field: a selector string, an array of selectors, or an object
/// `{ selector: { exists, text, attributes, properties } }`.
struct Doms(Vec<DomSpec>);

impl<'de> Deserialize<'de> for Doms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doms;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("DOM selectors")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Doms(vec![DomSpec::exists(s.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(MaybeString(s)) = seq.next_element()? {
                    out.extend(s.map(DomSpec::exists));
                }
                Ok(Doms(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // By selector, the last of duplicates kept (see `Keyed`).
                let mut by_selector = BTreeMap::new();
                while let Some((selector, checks)) =
                    map.next_entry::<String, Lenient<DomChecks>>()?
                {
                    by_selector.insert(selector, checks.0);
                }
                let mut out = Vec::with_capacity(by_selector.len());
                for (selector, checks) in by_selector {
                    out.push(match checks {
                        Some(c) => DomSpec {
                            selector,
                            exists: c.exists,
                            text: c.text,
                            attributes: c.attributes,
                            properties: c.properties,
                        },
                        None => DomSpec::exists(selector),
                    });
                }
                Ok(Doms(out))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Doms(Vec::new()))
            }
            otherwise!(Doms(Vec::new()));
        }
        d.deserialize_any(V)
    }
}

/// What a `dom` object checks on its elements.
struct DomChecks {
    exists: Option<String>,
    text: Option<String>,
    attributes: Vec<(String, String)>,
    properties: Vec<(String, String)>,
}

impl<'de> Deserialize<'de> for Lenient<DomChecks> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient<DomChecks>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("DOM checks")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut c = DomChecks {
                    exists: None,
                    text: None,
                    attributes: Vec::new(),
                    properties: Vec::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        // Present but not a string: an existence check.
                        "exists" => {
                            c.exists = Some(map.next_value::<MaybeString>()?.0.unwrap_or_default())
                        }
                        "text" => c.text = map.next_value::<MaybeString>()?.0,
                        "attributes" => c.attributes = lowercase_keys(map.next_value::<Keyed>()?.0),
                        "properties" => c.properties = map.next_value::<Keyed>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Lenient(Some(c)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            otherwise!(Lenient(None));
        }
        d.deserialize_any(V)
    }
}

impl DomSpec {
    /// A selector whose presence is enough.
    fn exists(selector: String) -> Self {
        Self {
            selector,
            exists: Some(String::new()),
            ..Self::default()
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_shapes() {
        let json = r#"{
            "A": 5,
            "B": {"html": [1, "x", null], "cats": ["3", 4, -1, 2.5], "meta": {"Gen": ["a", 2]},
                  "dom": {"p": "z", "div": {"exists": 3, "attributes": {"Href": "y"}}},
                  "icon": 1, "bogus": {}, "js": {"b": "2", "a": ["1", "0"], "b": "3"}},
            "C": {"dom": ["a", 7], "url": {"x": 1}, "scripts": "s", "requiresCategory": 12}
        }"#;
        let (mut out, mut unknown) = (BTreeMap::new(), Vec::new());
        parse_technologies(
            &Source::technologies("t.json", json),
            &mut out,
            &mut unknown,
        )
        .unwrap();
        assert_eq!(
            unknown,
            [
                ("A".to_owned(), "technology is not an object".to_owned()),
                ("B".to_owned(), "unknown field \"bogus\"".to_owned()),
            ]
        );
        let b = &out["B"];
        assert_eq!(b.origin, "t.json");
        assert_eq!(b.html, ["x"]);
        assert_eq!(b.cats, [3, 4]);
        assert_eq!(b.meta, [("gen".to_owned(), "a".to_owned())]);
        // Keys sorted, the last of duplicate keys kept.
        let js: Vec<(&str, &str)> = b.js.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(js, [("a", "1"), ("a", "0"), ("b", "3")]);
        assert_eq!(b.dom.len(), 2);
        assert_eq!(b.dom[0].selector, "div");
        assert_eq!(b.dom[0].exists.as_deref(), Some(""));
        assert_eq!(b.dom[0].attributes, [("href".to_owned(), "y".to_owned())]);
        assert_eq!(b.dom[1].selector, "p");
        assert_eq!(b.dom[1].exists.as_deref(), Some(""));
        let c = &out["C"];
        assert_eq!(
            c.dom
                .iter()
                .map(|d| d.selector.as_str())
                .collect::<Vec<_>>(),
            ["a"]
        );
        assert!(c.url.is_empty());
        assert_eq!(c.scripts, ["s"]);
        assert_eq!(c.requires_category, [12]);
    }

    #[test]
    fn wrong_root_shapes() {
        for json in ["[1, 2]", "\"x\"", "3", "null"] {
            let err = parse_technologies(
                &Source::technologies("t.json", json),
                &mut BTreeMap::new(),
                &mut Vec::new(),
            )
            .unwrap_err();
            assert!(
                matches!(err, FingerprintError::Shape { .. }),
                "{json}: {err}"
            );
        }
        for json in ["{", "{\"A\": {}} trailing", ""] {
            let err = parse_technologies(
                &Source::technologies("t.json", json),
                &mut BTreeMap::new(),
                &mut Vec::new(),
            )
            .unwrap_err();
            assert!(
                matches!(err, FingerprintError::Json { .. }),
                "{json}: {err}"
            );
        }
    }
}

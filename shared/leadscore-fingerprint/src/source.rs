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

/// A problem met while reading a technology: the field it is in (with the
/// key or element, `cookies:_ga`, `html[1]`; empty for the technology
/// itself) and what is wrong, in words. Reported at load, never fatal.
pub(crate) type Note = (String, String);

/// Parses a technologies object into specs (in file order is not needed:
/// names are unique keys). Unknown fields and values of another shape
/// than the format's are returned as `(technology, note)` warnings; the
/// rest of the technology is read.
///
/// Deserialized straight into [`TechSpec`]s by the visitors below, with the
/// format's lenient shapes (a string or an array of strings, a number or a
/// numeric string, ...), not through a `serde_json::Value` tree: this runs
/// at every cold start of the enrich function.
pub(crate) fn parse_technologies(
    src: &Source,
    out: &mut BTreeMap<String, TechSpec>,
    notes: &mut Vec<(String, Note)>,
) -> Result<(), FingerprintError> {
    let mut de = serde_json::Deserializer::from_str(&src.json);
    let is_object = Deserializer::deserialize_any(
        &mut de,
        Technologies {
            origin: &src.origin,
            out,
            notes,
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
    notes: &'a mut Vec<(String, Note)>,
}

impl<'de> Visitor<'de> for Technologies<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of technologies")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            match map.next_value::<Lenient<TechFields>>()?.0 {
                Ok(TechFields { mut spec, notes }) => {
                    spec.origin = self.origin.to_owned();
                    self.notes
                        .extend(notes.into_iter().map(|n| (name.clone(), n)));
                    self.out.insert(name, spec);
                }
                Err(shape) => self.notes.push((
                    name,
                    (
                        String::new(),
                        format!("the technology is {shape}, not an object (ignored)"),
                    ),
                )),
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

/// Implements the listed visits of a lenient visitor, for the shapes it
/// does not read: `$wrong` makes its value from the shape's name (`"a
/// number"`). A sequence or a map is consumed, so parsing goes on. (serde
/// forwards the other integer visits to `visit_i64`/`visit_u64`, and
/// `visit_string` to `visit_str`.)
macro_rules! wrong_shapes {
    ($wrong:expr; $($visit:ident),* $(,)?) => {
        $(wrong_shapes!(@ $wrong, $visit);)*
    };
    (@ $wrong:expr, visit_bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrong("a boolean"))
        }
    };
    (@ $wrong:expr, visit_i64) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($wrong("a number"))
        }
    };
    (@ $wrong:expr, visit_u64) => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($wrong("a number"))
        }
    };
    (@ $wrong:expr, visit_f64) => {
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrong("a number"))
        }
    };
    (@ $wrong:expr, visit_unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrong("null"))
        }
    };
    (@ $wrong:expr, visit_str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrong("a string"))
        }
    };
    (@ $wrong:expr, visit_seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($wrong("an array"))
        }
    };
    (@ $wrong:expr, visit_map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($wrong("an object"))
        }
    };
}

/// A value of the expected shape, or the shape it has instead.
struct Lenient<T>(Result<T, &'static str>);

/// A technology object's fields, and the notes on what could not be read.
struct TechFields {
    spec: TechSpec,
    notes: Vec<Note>,
}

/// Adds `field`'s notes (relative to the field) to `notes`.
fn note_all(notes: &mut Vec<Note>, field: &str, found: Vec<Note>) {
    notes.extend(
        found
            .into_iter()
            .map(|(at, what)| (format!("{field}{at}"), what)),
    );
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
                let mut notes = Vec::new();
                while let Some(field) = map.next_key::<String>()? {
                    let n = &mut notes;
                    let f = field.as_str();
                    match f {
                        "cats" => t.cats = map.next_value::<Numbers>()?.read(n, f),
                        "url" => t.url = map.next_value::<Strings>()?.read(n, f),
                        "html" => t.html = map.next_value::<Strings>()?.read(n, f),
                        "scriptSrc" => t.script_src = map.next_value::<Strings>()?.read(n, f),
                        "scripts" => t.scripts = map.next_value::<Strings>()?.read(n, f),
                        "meta" => t.meta = lowercase_keys(map.next_value::<Keyed>()?.read(n, f)),
                        "headers" => {
                            t.headers = lowercase_keys(map.next_value::<Keyed>()?.read(n, f));
                        }
                        "cookies" => t.cookies = map.next_value::<Keyed>()?.read(n, f),
                        "js" => t.js = map.next_value::<Keyed>()?.read(n, f),
                        "dom" => t.dom = map.next_value::<Doms>()?.read(n, f),
                        "implies" => t.implies = map.next_value::<Strings>()?.read(n, f),
                        "excludes" => t.excludes = map.next_value::<Strings>()?.read(n, f),
                        "requires" => t.requires = map.next_value::<Strings>()?.read(n, f),
                        "requiresCategory" => {
                            t.requires_category = map.next_value::<Numbers>()?.read(n, f);
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            if !IGNORED_FIELDS.contains(&f) {
                                notes.push((field, "unknown field (ignored)".to_owned()));
                            }
                        }
                    }
                }
                Ok(Lenient(Ok(TechFields { spec: t, notes })))
            }
            wrong_shapes!(|shape| Lenient(Err(shape));
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_str, visit_seq);
        }
        d.deserialize_any(V)
    }
}

/// A string, or the shape of another value.
struct MaybeString(Result<String, &'static str>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MaybeString(Ok(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(MaybeString(Ok(s)))
            }
            wrong_shapes!(|shape| MaybeString(Err(shape));
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A lenient field's value, with the notes on what in it could not be
/// read (elements skipped, or a value of another shape, read as none).
struct Read<T> {
    value: T,
    notes: Vec<Note>,
}

impl<T: Default> Read<T> {
    /// `value`, with nothing to note.
    fn of(value: T) -> Self {
        Self {
            value,
            notes: Vec::new(),
        }
    }

    /// None, for a value of shape `shape` where `expected` was.
    fn wrong(shape: &'static str, expected: &str) -> Self {
        Self {
            value: T::default(),
            notes: vec![(String::new(), format!("{shape}, not {expected} (ignored)"))],
        }
    }

    /// The value, `field`'s notes added to `notes`.
    fn read(self, notes: &mut Vec<Note>, field: &str) -> T {
        note_all(notes, field, self.notes);
        self.value
    }
}

/// A string or an array of strings.
type Strings = Read<Vec<String>>;

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Read::of(vec![s.to_owned()]))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Read::of(vec![s]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Strings::of(Vec::with_capacity(seq.size_hint().unwrap_or(0)));
                let mut i = 0;
                while let Some(MaybeString(s)) = seq.next_element()? {
                    match s {
                        Ok(s) => out.value.push(s),
                        Err(shape) => out
                            .notes
                            .push((format!("[{i}]"), format!("{shape}, not a string (skipped)"))),
                    }
                    i += 1;
                }
                Ok(out)
            }
            wrong_shapes!(|shape| Strings::wrong(shape, "a string or an array of strings");
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A number, a numeric string, or an array of those.
type Numbers = Read<Vec<u32>>;

impl Numbers {
    /// `n` as a category id, or why it is none.
    fn id(n: Result<u32, String>, at: String, notes: &mut Vec<Note>) -> Option<u32> {
        n.map_err(|what| notes.push((at, format!("{what} is not a category id (skipped)"))))
            .ok()
    }
}

/// One category id: a non-negative integer or its digits as a string, or
/// what was found instead.
struct MaybeNumber(Result<u32, String>);

impl<'de> Deserialize<'de> for MaybeNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a category id")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(u32::try_from(n).map_err(|_| n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(u32::try_from(n).map_err(|_| n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Ok(MaybeNumber(Err(n.to_string())))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(MaybeNumber(s.parse().map_err(|_| format!("{s:?}"))))
            }
            wrong_shapes!(|shape: &str| MaybeNumber(Err(shape.to_owned()));
                visit_bool, visit_unit, visit_seq, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// A lone value as [`Numbers`].
fn one(n: Result<u32, String>) -> Numbers {
    let mut notes = Vec::new();
    let value = Numbers::id(n, String::new(), &mut notes)
        .into_iter()
        .collect();
    Numbers { value, notes }
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
                Ok(one(u32::try_from(n).map_err(|_| n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                Ok(one(u32::try_from(n).map_err(|_| n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                Ok(one(Err(n.to_string())))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(one(s.parse().map_err(|_| format!("{s:?}"))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Numbers::of(Vec::new());
                let mut i = 0;
                while let Some(MaybeNumber(n)) = seq.next_element()? {
                    out.value
                        .extend(Numbers::id(n, format!("[{i}]"), &mut out.notes));
                    i += 1;
                }
                Ok(out)
            }
            wrong_shapes!(|shape| Numbers::wrong(shape, "a category id or an array of them");
                visit_bool, visit_unit, visit_map);
        }
        d.deserialize_any(V)
    }
}

/// An object `{ key: pattern | [patterns] }` flattened to pairs.
type Keyed = Read<Vec<(String, String)>>;

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
                while let Some((key, patterns)) = map.next_entry::<String, Strings>()? {
                    by_key.insert(key, patterns);
                }
                let mut notes = Vec::new();
                let mut pairs = Vec::new();
                for (key, patterns) in by_key {
                    note_all(&mut notes, &format!(":{key}"), patterns.notes);
                    pairs.extend(patterns.value.into_iter().map(|p| (key.clone(), p)));
                }
                Ok(Keyed {
                    value: pairs,
                    notes,
                })
            }
            wrong_shapes!(|shape| Keyed::wrong(shape, "an object of patterns");
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_str, visit_seq);
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
type Doms = Read<Vec<DomSpec>>;

impl<'de> Deserialize<'de> for Doms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Doms;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("DOM selectors")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Read::of(vec![DomSpec::exists(s.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Doms::of(Vec::new());
                let mut i = 0;
                while let Some(MaybeString(s)) = seq.next_element()? {
                    match s {
                        Ok(s) => out.value.push(DomSpec::exists(s)),
                        Err(shape) => out.notes.push((
                            format!("[{i}]"),
                            format!("{shape}, not a selector (skipped)"),
                        )),
                    }
                    i += 1;
                }
                Ok(out)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // By selector, the last of duplicates kept (see `Keyed`).
                let mut by_selector = BTreeMap::new();
                while let Some((selector, checks)) =
                    map.next_entry::<String, Lenient<DomChecks>>()?
                {
                    by_selector.insert(selector, checks.0);
                }
                let mut out = Doms::of(Vec::with_capacity(by_selector.len()));
                for (selector, checks) in by_selector {
                    out.value.push(match checks {
                        Ok(c) => {
                            let at = format!(":{selector}");
                            if c.exists.is_none()
                                && c.text.is_none()
                                && c.attributes.is_empty()
                                && c.properties.is_empty()
                            {
                                out.notes.push((
                                    at.clone(),
                                    "no check (exists, text, attributes or properties): it \
                                     never matches"
                                        .to_owned(),
                                ));
                            }
                            note_all(&mut out.notes, &at, c.notes);
                            DomSpec {
                                selector,
                                exists: c.exists,
                                text: c.text,
                                attributes: c.attributes,
                                properties: c.properties,
                            }
                        }
                        Err(shape) => {
                            out.notes.push((
                                format!(":{selector}"),
                                format!(
                                    "{shape}, not an object of checks (read as: the selector \
                                     matches)"
                                ),
                            ));
                            DomSpec::exists(selector)
                        }
                    });
                }
                Ok(out)
            }
            wrong_shapes!(|shape| Doms::wrong(shape, "DOM selectors");
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit);
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
    notes: Vec<Note>,
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
                    notes: Vec::new(),
                };
                while let Some(key) = map.next_key::<String>()? {
                    let n = &mut c.notes;
                    match key.as_str() {
                        // Present but not a string (`"exists": true`): an
                        // existence check all the same.
                        "exists" => {
                            c.exists = Some(map.next_value::<MaybeString>()?.0.unwrap_or_default())
                        }
                        "text" => {
                            c.text = match map.next_value::<MaybeString>()?.0 {
                                Ok(t) => Some(t),
                                Err(shape) => {
                                    n.push((
                                        ":text".to_owned(),
                                        format!("{shape}, not a pattern (ignored)"),
                                    ));
                                    None
                                }
                            };
                        }
                        "attributes" => {
                            c.attributes =
                                lowercase_keys(map.next_value::<Keyed>()?.read(n, ":attributes"));
                        }
                        "properties" => {
                            c.properties = map.next_value::<Keyed>()?.read(n, ":properties");
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            n.push((format!(":{key}"), "unknown check (ignored)".to_owned()));
                        }
                    }
                }
                Ok(Lenient(Ok(c)))
            }
            wrong_shapes!(|shape| Lenient(Err(shape));
                visit_bool, visit_i64, visit_u64, visit_f64, visit_unit, visit_str, visit_seq);
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
            "C": {"dom": ["a", 7], "url": {"x": 1}, "scripts": "s", "requiresCategory": 12},
            "D": {"cookies": "x", "cats": "web", "implies": 3, "js": ["a"], "headers": {"X": {}},
                  "dom": {"a": {"text": 1, "attribute": {"href": "y"}}}, "requiresCategory": true},
            "E": {"dom": true, "cats": 70000000000}
        }"#;
        let (mut out, mut unknown) = (BTreeMap::new(), Vec::new());
        parse_technologies(
            &Source::technologies("t.json", json),
            &mut out,
            &mut unknown,
        )
        .unwrap();
        let notes: Vec<String> = unknown
            .iter()
            .map(|(tech, (field, what))| format!("{tech} {field}: {what}"))
            .collect();
        assert_eq!(
            notes,
            [
                "A : the technology is a number, not an object (ignored)",
                "B html[0]: a number, not a string (skipped)",
                "B html[2]: null, not a string (skipped)",
                "B cats[2]: -1 is not a category id (skipped)",
                "B cats[3]: 2.5 is not a category id (skipped)",
                "B meta:Gen[1]: a number, not a string (skipped)",
                "B dom:p: a string, not an object of checks (read as: the selector matches)",
                "B bogus: unknown field (ignored)",
                "C dom[1]: a number, not a selector (skipped)",
                "C url: an object, not a string or an array of strings (ignored)",
                "D cookies: a string, not an object of patterns (ignored)",
                "D cats: \"web\" is not a category id (skipped)",
                "D implies: a number, not a string or an array of strings (ignored)",
                "D js: an array, not an object of patterns (ignored)",
                "D headers:X: an object, not a string or an array of strings (ignored)",
                "D dom:a: no check (exists, text, attributes or properties): it never matches",
                "D dom:a:text: a number, not a pattern (ignored)",
                "D dom:a:attribute: unknown check (ignored)",
                "D requiresCategory: a boolean, not a category id or an array of them (ignored)",
                "E dom: a boolean, not DOM selectors (ignored)",
                "E cats: 70000000000 is not a category id (skipped)",
            ]
        );
        // The rest of a technology with notes is read.
        let d = &out["D"];
        assert_eq!(d.dom.len(), 1);
        assert_eq!(d.dom[0].text, None);
        assert!(d.cookies.is_empty() && d.js.is_empty() && d.cats.is_empty());
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

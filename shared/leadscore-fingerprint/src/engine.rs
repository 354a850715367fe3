//! The compiled fingerprint database and the detection engine.
//!
//! Loading compiles every pattern once and builds Aho-Corasick prefilters
//! over the literals each pattern requires, so a pattern only runs on a page
//! that contains one of its literals: one automaton for the html, inline
//! scripts and dom rules, run once over the page's HTML (script text is part
//! of it verbatim), and one each for the url and scriptSrc rules, run on the
//! URL and on each script address. Patterns without such a literal always
//! run. Literals and searched text are ASCII-lowercased.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use aho_corasick::AhoCorasick;
use scraper::{ElementRef, Html};
use selectors::matching::SelectorCaches;

use crate::css::CssSelector;

use crate::detection::{Detection, Evidence, PageInput};
use crate::error::FingerprintError;
use crate::pattern::{Hit, Pattern, PatternAnalysis, truncate};
use crate::prepared::PreparedPatterns;
use crate::scan::LiteralScan;
use crate::source::{DomSpec, Source, SourceKind, TechSpec, parse_categories, parse_technologies};

/// Most evidence items kept per technology and page.
const MAX_EVIDENCE: usize = 8;

/// A pattern that could not be used, or another loading problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadIssue {
    /// The source the technology came from.
    pub origin: String,
    /// The technology name.
    pub technology: String,
    /// The field, e.g. `scriptSrc`, `headers:server`, `dom`, `implies`.
    pub field: String,
    /// The pattern, selector or name as written.
    pub pattern: String,
    /// Why it cannot be used.
    pub reason: String,
}

impl std::fmt::Display for LoadIssue {
    /// `ORIGIN: TECHNOLOGY FIELD `PATTERN`: REASON`, without the field or
    /// the pattern when there is none (a note on the technology itself, or
    /// on a value of the wrong shape).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.technology)?;
        if !self.field.is_empty() {
            write!(f, " {}", self.field)?;
        }
        if !self.pattern.is_empty() {
            write!(f, " `{}`", self.pattern)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// What loading produced: counts and every issue. Nothing is dropped
/// silently: a pattern that cannot be used is listed here.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// Technologies after merging sources.
    pub technologies: usize,
    /// Categories after merging sources.
    pub categories: usize,
    /// Technologies replaced by a later source with the same name.
    pub overridden: usize,
    /// Patterns compiled (regexes, including empty existence patterns).
    pub patterns: usize,
    /// Patterns that needed `fancy-regex` (look-around, backreferences).
    pub fancy_patterns: usize,
    /// Text patterns with no extractable literal (they run on every page).
    pub unfiltered_patterns: usize,
    /// Regexes parsed at load for their literals: those that are neither
    /// plain literals nor prepared (see
    /// [`FingerprintDb::from_sources_prepared`]), and the `fancy-regex`
    /// ones, which cannot be prepared.
    pub parsed_patterns: usize,
    /// Patterns, selectors and references that could not be used.
    pub issues: Vec<LoadIssue>,
}

/// A technology's resolved metadata.
#[derive(Debug)]
struct Tech {
    name: String,
    categories: Vec<String>,
    cat_ids: Vec<u32>,
    /// (technology index, confidence, version)
    implies: Vec<(usize, u8, Option<String>)>,
    excludes: Vec<usize>,
    requires: Vec<usize>,
    requires_category: Vec<u32>,
}

/// A pattern belonging to a technology.
#[derive(Debug)]
struct Rule {
    tech: usize,
    pattern: Pattern,
}

/// Patterns applied to one kind of text, with their prefilter.
#[derive(Debug, Default)]
struct TextGroup {
    rules: Vec<Rule>,
    /// distinct lowercased literals; literal id = index
    literals: Vec<String>,
    /// The group's own scan (url and scriptSrc; the html and scripts
    /// literals are part of the page scan instead).
    scan: Option<LiteralScan>,
    /// literal id -> rule ids
    by_literal: Vec<Vec<usize>>,
    /// rules with no literal
    always: Vec<usize>,
}

impl TextGroup {
    fn push(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// Indexes the rules by literal (no automaton); returns the number of
    /// rules without a literal.
    fn index(&mut self) -> usize {
        let mut literals: Vec<String> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (i, r) in self.rules.iter().enumerate() {
            if r.pattern.literals.is_empty() {
                self.always.push(i);
                continue;
            }
            for l in &r.pattern.literals {
                let key = l.to_ascii_lowercase();
                let id = *ids.entry(key.clone()).or_insert_with(|| {
                    literals.push(key);
                    self.by_literal.push(Vec::new());
                    literals.len() - 1
                });
                if self.by_literal[id].last() != Some(&i) {
                    self.by_literal[id].push(i);
                }
            }
        }
        self.literals = literals;
        self.always.len()
    }

    /// Indexes the rules and builds the group's own scan; returns the
    /// number of rules without a literal. The scan, unlike an Aho-Corasick
    /// automaton, costs next to nothing to build (a sort and a bit set),
    /// which matters at every cold start, and is as fast on these short
    /// texts (URLs).
    fn build(&mut self) -> usize {
        self.index();
        let refs: Vec<&str> = self.literals.iter().map(String::as_str).collect();
        self.scan = Some(LiteralScan::for_short_texts(&refs));
        self.always.len()
    }

    /// Rule ids to run on a text.
    fn candidates(&self, text: &str, prefilter: bool, seen: &mut Vec<bool>) -> Vec<usize> {
        if !prefilter {
            return (0..self.rules.len()).collect();
        }
        let mut out = self.always.clone();
        if let Some(scan) = &self.scan {
            seen.clear();
            seen.resize(self.by_literal.len(), false);
            scan.scan(text, |id| {
                if !seen[id] {
                    seen[id] = true;
                    out.extend_from_slice(&self.by_literal[id]);
                }
            });
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Rule ids of the html and scripts groups and of the dom rules.
#[derive(Debug, Default, Clone)]
struct PageTargets {
    html: Vec<usize>,
    scripts: Vec<usize>,
    dom: Vec<usize>,
    /// js path ids (see [`FingerprintDb::js_paths`]).
    js: Vec<usize>,
    /// (page literal id, start) of every occurrence of the literals that
    /// [`FingerprintDb::page_at`] names, sorted (a page's targets only).
    at: Vec<(usize, usize)>,
}

impl PageTargets {
    /// The ascending starts of the occurrences of the literals `ids`.
    fn starts(&self, ids: &[usize]) -> Vec<usize> {
        let mut v: Vec<usize> = ids
            .iter()
            .flat_map(|&id| {
                let from = self.at.partition_point(|&(i, _)| i < id);
                self.at[from..]
                    .iter()
                    .take_while(move |&&(i, _)| i == id)
                    .map(|&(_, start)| start)
            })
            .collect();
        v.sort_unstable();
        v
    }
}

/// A pattern on a keyed value (headers, meta, cookies).
#[derive(Debug)]
struct KeyedRule {
    tech: usize,
    key: String,
    pattern: Pattern,
}

/// A `js` entry: a global's path and a pattern on its value.
#[derive(Debug)]
struct JsRule {
    tech: usize,
    path: String,
    pattern: Pattern,
}

/// A compiled `dom` entry.
#[derive(Debug)]
struct DomRule {
    tech: usize,
    source: String,
    selector: CssSelector,
    /// What a matching element must have (one key per selector in the
    /// list), or `None`: any element may match.
    keys: Option<Vec<DomKey>>,
    exists: Option<Pattern>,
    text: Option<Pattern>,
    attributes: Vec<(String, Pattern)>,
    properties: Vec<(String, Pattern)>,
    /// When the rule detects only through attributes and properties (no
    /// `exists`, no `text`): their names, one of which an element must have
    /// as an attribute to be of use (properties are read as attributes).
    needs: Option<Vec<String>>,
}

/// The compiled fingerprints. Build once with [`FingerprintDb::from_sources`]
/// and share; detection takes `&self` and does no I/O.
#[derive(Debug)]
pub struct FingerprintDb {
    techs: Vec<Tech>,
    url: TextGroup,
    html: TextGroup,
    script_src: TextGroup,
    scripts: TextGroup,
    headers: HashMap<String, Vec<KeyedRule>>,
    meta: HashMap<String, Vec<KeyedRule>>,
    cookies: HashMap<String, Vec<KeyedRule>>,
    cookie_globs: Vec<KeyedRule>,
    js: Vec<JsRule>,
    /// Automaton over distinct js paths (case-sensitive); id -> rule ids.
    js_ac: Option<AhoCorasick>,
    js_by_path: Vec<Vec<usize>>,
    /// The distinct js paths, by id (the automaton's patterns).
    js_paths: Vec<String>,
    dom: Vec<DomRule>,
    dom_literals: Vec<String>,
    dom_by_literal: Vec<Vec<usize>>,
    dom_always: Vec<usize>,
    /// The literals of the html, scripts and dom rules, found in one scan
    /// of the page's HTML, ignoring ASCII case (see [`PageTargets`] and
    /// [`LiteralScan`]).
    page_scan: Option<LiteralScan>,
    /// page literal id -> the rules it makes candidates
    page_targets: Vec<PageTargets>,
    /// Per html and per scripts rule: the further literal sets it requires
    /// ([`Pattern::also`]), as page literal ids; the rule runs only when
    /// each set has a literal on the page.
    html_also: Vec<Vec<Vec<usize>>>,
    scripts_also: Vec<Vec<Vec<usize>>>,
    /// Per html rule: when its pattern is [`Pattern::confined`] and the
    /// scan reports where each of its literals occurs, their page literal
    /// ids; the rule then runs only around those occurrences
    /// ([`Pattern::find_around`]).
    html_at: Vec<Option<Vec<usize>>>,
    /// js path ids that are always candidates (a path the page scan
    /// cannot see).
    js_always: Vec<usize>,
    /// Page literal ids whose occurrences [`PageTargets::at`] keeps.
    page_at: Vec<bool>,
    prefilter: bool,
}

impl FingerprintDb {
    /// Loads and compiles `sources` in order (later technologies replace
    /// earlier ones of the same name). Fails only on a source that is not
    /// JSON of the right shape; every unusable pattern is listed in the
    /// returned [`LoadReport`] instead.
    pub fn from_sources(sources: &[Source]) -> Result<(Self, LoadReport), FingerprintError> {
        Self::from_sources_prepared(sources, &PreparedPatterns::default())
    }

    /// [`from_sources`](Self::from_sources) with the analyses of some of
    /// the patterns known ahead of time: those patterns are not parsed at
    /// load. `prepared` comes from [`pattern_analyses`](Self::pattern_analyses)
    /// of a database loaded from the same files (the binaries' build script
    /// does this for the embedded set); it is trusted, so an analysis that
    /// does not belong to its body makes detection miss. Patterns it lacks
    /// are parsed as usual.
    pub fn from_sources_prepared(
        sources: &[Source],
        prepared: &PreparedPatterns<'_>,
    ) -> Result<(Self, LoadReport), FingerprintError> {
        let mut specs: BTreeMap<String, TechSpec> = BTreeMap::new();
        let mut cats: BTreeMap<u32, String> = BTreeMap::new();
        let mut report = LoadReport::default();
        let mut notes = Vec::new();
        for src in sources {
            match src.kind {
                SourceKind::Categories => parse_categories(src, &mut cats)?,
                SourceKind::Technologies => {
                    let mut here = BTreeMap::new();
                    parse_technologies(src, &mut here, &mut notes)?;
                    for (name, spec) in here {
                        if specs.insert(name, spec).is_some() {
                            report.overridden += 1;
                        }
                    }
                    for (tech, (field, reason)) in notes.drain(..) {
                        report.issues.push(LoadIssue {
                            origin: src.origin.clone(),
                            technology: tech,
                            field,
                            pattern: String::new(),
                            reason,
                        });
                    }
                }
            }
        }
        let db = Self::compile(specs, &cats, prepared, &mut report);
        report.categories = cats.len();
        Ok((db, report))
    }

    /// Turns the literal prefilter on (default) or off. Off runs every
    /// pattern on every page; it exists as a benchmark baseline.
    #[must_use]
    pub fn with_prefilter(mut self, on: bool) -> Self {
        self.prefilter = on;
        self
    }

    /// Compiles every regex now instead of on first use, and returns those
    /// that fail (possible only past the `regex` size limit; patterns are
    /// validated at load). Used by tests and by callers that want all cost
    /// paid up front.
    pub fn compile_all(&self) -> Vec<LoadIssue> {
        self.patterns()
            .into_iter()
            .filter_map(|(t, field, p)| {
                p.force().err().map(|reason| LoadIssue {
                    origin: String::new(),
                    technology: self.techs[t].name.clone(),
                    field,
                    pattern: String::new(),
                    reason,
                })
            })
            .collect()
    }

    /// What parsing gives for each distinct regex of the database that
    /// needs a parse, sorted by body: the input of
    /// [`from_sources_prepared`](Self::from_sources_prepared).
    pub fn pattern_analyses(&self) -> Vec<PatternAnalysis> {
        let mut all: Vec<PatternAnalysis> = self
            .patterns()
            .into_iter()
            .filter_map(|(_, _, p)| p.analysis())
            .collect();
        all.sort_unstable_by(|a, b| a.body.cmp(&b.body));
        all.dedup_by(|a, b| a.body == b.body);
        all
    }

    /// Every pattern with its technology and field.
    fn patterns(&self) -> Vec<(usize, String, &Pattern)> {
        let mut all: Vec<(usize, String, &Pattern)> = Vec::new();
        for (g, field) in [
            (&self.url, "url"),
            (&self.html, "html"),
            (&self.script_src, "scriptSrc"),
            (&self.scripts, "scripts"),
        ] {
            all.extend(
                g.rules
                    .iter()
                    .map(|r| (r.tech, field.to_owned(), &r.pattern)),
            );
        }
        for (map, field) in [
            (&self.headers, "headers"),
            (&self.meta, "meta"),
            (&self.cookies, "cookies"),
        ] {
            for r in map.values().flatten() {
                all.push((r.tech, format!("{field}:{}", r.key), &r.pattern));
            }
        }
        for r in &self.cookie_globs {
            all.push((r.tech, format!("cookies:{}", r.key), &r.pattern));
        }
        for r in &self.js {
            all.push((r.tech, format!("js:{}", r.path), &r.pattern));
        }
        for r in &self.dom {
            let field = format!("dom:{}", r.source);
            for p in r.exists.iter().chain(&r.text) {
                all.push((r.tech, field.clone(), p));
            }
            for (_, p) in r.attributes.iter().chain(&r.properties) {
                all.push((r.tech, field.clone(), p));
            }
        }
        all
    }

    /// Number of technologies.
    pub fn len(&self) -> usize {
        self.techs.len()
    }

    /// True when no technology is loaded.
    pub fn is_empty(&self) -> bool {
        self.techs.is_empty()
    }

    /// True when a technology of this name is loaded.
    pub fn contains(&self, name: &str) -> bool {
        self.techs.iter().any(|t| t.name == name)
    }

    fn compile(
        specs: BTreeMap<String, TechSpec>,
        cats: &BTreeMap<u32, String>,
        prepared: &PreparedPatterns<'_>,
        report: &mut LoadReport,
    ) -> Self {
        let index: HashMap<&str, usize> = specs
            .keys()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut db = Self {
            techs: Vec::with_capacity(specs.len()),
            url: TextGroup::default(),
            html: TextGroup::default(),
            script_src: TextGroup::default(),
            scripts: TextGroup::default(),
            headers: HashMap::new(),
            meta: HashMap::new(),
            cookies: HashMap::new(),
            cookie_globs: Vec::new(),
            js: Vec::new(),
            js_ac: None,
            js_by_path: Vec::new(),
            js_paths: Vec::new(),
            dom: Vec::new(),
            dom_literals: Vec::new(),
            dom_by_literal: Vec::new(),
            dom_always: Vec::new(),
            page_scan: None,
            html_also: Vec::new(),
            scripts_also: Vec::new(),
            html_at: Vec::new(),
            js_always: Vec::new(),
            page_at: Vec::new(),
            page_targets: Vec::new(),
            prefilter: true,
        };
        for (ti, (name, spec)) in specs.iter().enumerate() {
            let mut issue = |field: &str, pattern: &str, reason: String| {
                report.issues.push(LoadIssue {
                    origin: spec.origin.clone(),
                    technology: name.clone(),
                    field: field.to_owned(),
                    pattern: pattern.to_owned(),
                    reason,
                });
            };
            let mut compile =
                |field: &str, raw: &str, issue: &mut dyn FnMut(&str, &str, String)| {
                    match Pattern::compile(raw, prepared) {
                        Ok(p) => {
                            report.patterns += 1;
                            report.parsed_patterns += usize::from(p.parsed);
                            if p.is_fancy() {
                                report.fancy_patterns += 1;
                            }
                            Some(p)
                        }
                        Err(e) => {
                            issue(field, raw, e);
                            None
                        }
                    }
                };
            for (group, field, raws) in [
                (&mut db.url, "url", &spec.url),
                (&mut db.html, "html", &spec.html),
                (&mut db.script_src, "scriptSrc", &spec.script_src),
                (&mut db.scripts, "scripts", &spec.scripts),
            ] {
                for raw in raws {
                    if let Some(pattern) = compile(field, raw, &mut issue) {
                        group.push(Rule { tech: ti, pattern });
                    }
                }
            }
            for (map, field, pairs) in [
                (&mut db.headers, "headers", &spec.headers),
                (&mut db.meta, "meta", &spec.meta),
            ] {
                for (key, raw) in pairs {
                    if let Some(pattern) = compile(&format!("{field}:{key}"), raw, &mut issue) {
                        map.entry(key.clone()).or_default().push(KeyedRule {
                            tech: ti,
                            key: key.clone(),
                            pattern,
                        });
                    }
                }
            }
            for (key, raw) in &spec.cookies {
                if let Some(pattern) = compile(&format!("cookies:{key}"), raw, &mut issue) {
                    let rule = KeyedRule {
                        tech: ti,
                        key: key.clone(),
                        pattern,
                    };
                    if key.contains('*') {
                        db.cookie_globs.push(rule);
                    } else {
                        db.cookies.entry(key.clone()).or_default().push(rule);
                    }
                }
            }
            for (path, raw) in &spec.js {
                if let Some(pattern) = compile(&format!("js:{path}"), raw, &mut issue) {
                    db.js.push(JsRule {
                        tech: ti,
                        path: path.clone(),
                        pattern,
                    });
                }
            }
            for d in &spec.dom {
                if let Some(rule) = compile_dom(ti, d, &mut compile, &mut issue) {
                    db.dom.push(rule);
                }
            }
            let mut resolve = |field: &str, names: &[String]| -> Vec<(usize, u8, Option<String>)> {
                let mut out = Vec::new();
                for raw in names {
                    let mut parts = raw.split("\\;");
                    let target = parts.next().unwrap_or_default().trim();
                    let mut conf = 100u8;
                    let mut version = None;
                    for tag in parts {
                        if let Some(c) = tag.strip_prefix("confidence:") {
                            conf = c.trim().parse::<u32>().map_or(100, |n| n.min(100) as u8);
                        } else if let Some(v) = tag.strip_prefix("version:") {
                            version = Some(v.to_owned()).filter(|v| !v.is_empty());
                        }
                    }
                    match index.get(target) {
                        Some(&i) => out.push((i, conf, version)),
                        None => issue(field, raw, format!("unknown technology {target:?}")),
                    }
                }
                out
            };
            let implies = resolve("implies", &spec.implies);
            let excludes = resolve("excludes", &spec.excludes)
                .into_iter()
                .map(|x| x.0)
                .collect();
            let requires = resolve("requires", &spec.requires)
                .into_iter()
                .map(|x| x.0)
                .collect();
            db.techs.push(Tech {
                name: name.clone(),
                categories: spec
                    .cats
                    .iter()
                    .filter_map(|c| cats.get(c).cloned())
                    .collect(),
                cat_ids: spec.cats.clone(),
                implies,
                excludes,
                requires,
                requires_category: spec.requires_category.clone(),
            });
        }
        report.technologies = db.techs.len();
        for g in [&mut db.url, &mut db.script_src] {
            report.unfiltered_patterns += g.build();
        }
        for g in [&mut db.html, &mut db.scripts] {
            report.unfiltered_patterns += g.index();
        }
        db.build_js();
        db.build_dom();
        db.build_page();
        db
    }

    fn build_js(&mut self) {
        let mut paths: Vec<&str> = Vec::new();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut by_path: Vec<Vec<usize>> = Vec::new();
        for (i, r) in self.js.iter().enumerate() {
            let id = *ids.entry(r.path.as_str()).or_insert_with(|| {
                paths.push(r.path.as_str());
                by_path.push(Vec::new());
                paths.len() - 1
            });
            by_path[id].push(i);
        }
        self.js_ac = AhoCorasick::new(&paths).ok();
        self.js_by_path = by_path;
        self.js_paths = paths.into_iter().map(str::to_owned).collect();
    }

    fn build_dom(&mut self) {
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (i, r) in self.dom.iter().enumerate() {
            let alternatives: Option<Vec<String>> = if r.source.contains('(') {
                None
            } else {
                r.source.split(',').map(selector_literal).collect()
            };
            match alternatives.or_else(|| condition_literals(r)) {
                Some(ls) => {
                    for l in ls {
                        let key = l.to_ascii_lowercase();
                        let id = *ids.entry(key.clone()).or_insert_with(|| {
                            self.dom_literals.push(key);
                            self.dom_by_literal.push(Vec::new());
                            self.dom_literals.len() - 1
                        });
                        if self.dom_by_literal[id].last() != Some(&i) {
                            self.dom_by_literal[id].push(i);
                        }
                    }
                }
                None => self.dom_always.push(i),
            }
        }
    }

    /// Builds the page automaton over the html, scripts and dom literals.
    fn build_page(&mut self) {
        let mut literals: Vec<String> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut targets: Vec<PageTargets> = Vec::new();
        let mut id_of = |lit: &str, targets: &mut Vec<PageTargets>| {
            *ids.entry(lit.to_owned()).or_insert_with(|| {
                literals.push(lit.to_owned());
                targets.push(PageTargets::default());
                targets.len() - 1
            })
        };
        /// A group's literals, their rule ids, and which group it is.
        type Group<'a> = (&'a [String], &'a [Vec<usize>], u8);
        let groups: [Group<'_>; 3] = [
            (&self.html.literals, &self.html.by_literal, 0),
            (&self.scripts.literals, &self.scripts.by_literal, 1),
            (&self.dom_literals, &self.dom_by_literal, 2),
        ];
        // html5ever rewrites CR and NUL in script text: a literal with one
        // may be in a script but not in the raw HTML.
        let rewritten = |lit: &str| lit.contains(['\r', '\n', '\0']);
        let mut script_always = Vec::new();
        for (lits, by_literal, which) in groups {
            for (lit, rules) in lits.iter().zip(by_literal) {
                if which == 1 && rewritten(lit) {
                    script_always.extend_from_slice(rules);
                    continue;
                }
                let id = id_of(lit, &mut targets);
                let t = &mut targets[id];
                match which {
                    0 => t.html.extend_from_slice(rules),
                    1 => t.scripts.extend_from_slice(rules),
                    _ => t.dom.extend_from_slice(rules),
                }
            }
        }
        // js paths are looked for in the page too (inline scripts are in it
        // verbatim): a page's automaton is built over those present.
        for (pid, path) in self.js_paths.iter().enumerate() {
            if rewritten(path) {
                self.js_always.push(pid);
                continue;
            }
            let id = id_of(&path.to_ascii_lowercase(), &mut targets);
            targets[id].js.push(pid);
        }
        // The further literal sets of html and scripts rules are looked for
        // in the same scan (a set with a literal the scan cannot see is
        // left out: it is then taken as present).
        let mut also_of = |group: &TextGroup, targets: &mut Vec<PageTargets>| {
            group
                .rules
                .iter()
                .map(|r| {
                    r.pattern
                        .also
                        .iter()
                        .filter(|set| !set.iter().any(|l| rewritten(l)))
                        .map(|set| {
                            set.iter()
                                .map(|l| id_of(&l.to_ascii_lowercase(), targets))
                                .collect()
                        })
                        .collect()
                })
                .collect::<Vec<Vec<Vec<usize>>>>()
        };
        self.html_also = also_of(&self.html, &mut targets);
        self.scripts_also = also_of(&self.scripts, &mut targets);
        self.page_at = vec![false; literals.len()];
        self.html_at = self
            .html
            .rules
            .iter()
            .map(|r| {
                let p = &r.pattern;
                if !p.confined || p.literals.is_empty() {
                    return None;
                }
                let ids: Option<Vec<usize>> = p
                    .literals
                    .iter()
                    .map(|l| {
                        ids.get(&l.to_ascii_lowercase())
                            .copied()
                            .filter(|_| LiteralScan::reports_positions(l))
                    })
                    .collect();
                for &id in ids.iter().flatten() {
                    self.page_at[id] = true;
                }
                ids
            })
            .collect();
        // Literals are lowercased and compared ignoring ASCII case.
        let refs: Vec<&str> = literals.iter().map(String::as_str).collect();
        self.page_scan = Some(LiteralScan::new(&refs));
        self.page_targets = targets;
        self.scripts.always.extend(script_always);
        self.scripts.always.sort_unstable();
        self.scripts.always.dedup();
    }

    /// The html, scripts and dom rules worth running on a page, from one
    /// scan of its HTML. Inline script text is part of the HTML
    /// verbatim (script content is raw text, never entity-decoded), so a
    /// literal absent from the page is absent from every script too.
    fn page_candidates(&self, html: &str) -> PageTargets {
        let all = |n: usize| (0..n).collect::<Vec<_>>();
        let Some(scan) = self.page_scan.as_ref().filter(|_| self.prefilter) else {
            return PageTargets {
                html: all(self.html.rules.len()),
                scripts: all(self.scripts.rules.len()),
                dom: all(self.dom.len()),
                js: all(self.js_paths.len()),
                at: Vec::new(),
            };
        };
        let mut out = PageTargets {
            html: self.html.always.clone(),
            scripts: self.scripts.always.clone(),
            dom: self.dom_always.clone(),
            js: self.js_always.clone(),
            at: Vec::new(),
        };
        let mut seen = vec![false; self.page_targets.len()];
        scan.scan_at(html, &self.page_at, |id, start| {
            if let Some(start) = start.filter(|_| self.page_at[id]) {
                out.at.push((id, start));
            }
            if !seen[id] {
                seen[id] = true;
                let t = &self.page_targets[id];
                out.html.extend_from_slice(&t.html);
                out.scripts.extend_from_slice(&t.scripts);
                out.dom.extend_from_slice(&t.dom);
                out.js.extend_from_slice(&t.js);
            }
        });
        for v in [&mut out.html, &mut out.scripts, &mut out.dom, &mut out.js] {
            v.sort_unstable();
            v.dedup();
        }
        out.at.sort_unstable();
        // A rule whose further literal sets are not all on the page cannot
        // match.
        let complete = |also: &[Vec<usize>]| {
            also.iter()
                .all(|set| set.iter().any(|&id| seen.get(id).copied().unwrap_or(true)))
        };
        out.html
            .retain(|&i| self.html_also.get(i).is_none_or(|a| complete(a)));
        out.scripts
            .retain(|&i| self.scripts_also.get(i).is_none_or(|a| complete(a)));
        out
    }

    /// Detects technologies on one page. Pure: no I/O. The result is sorted
    /// by name.
    pub fn detect(&self, page: &PageInput<'_>) -> Vec<Detection> {
        let parsed;
        let doc = match page.document {
            Some(d) => d,
            None => {
                parsed = Html::parse_document(page.html);
                &parsed
            }
        };
        let mut found = Found::new(page.url);
        let mut seen = Vec::new();
        let candidates = self.page_candidates(page.html);

        // Text fields. `html` patterns read the markup without its comments
        // and `<textarea>` contents (blanked, so offsets stay): a tag
        // commented out when a tool was removed, or an install guide's
        // snippet in a text box, is no tag on the page.
        self.run_group(&self.url, "url", page.url, &mut found, &mut seen);
        let markup = without_comments(page.html);
        for &i in &candidates.html {
            let r = &self.html.rules[i];
            let hit = match self.html_at.get(i).and_then(Option::as_ref) {
                Some(ids) if self.prefilter => {
                    r.pattern.find_around(&markup, candidates.starts(ids))
                }
                _ => r.pattern.find(&markup),
            };
            if let Some(hit) = hit {
                found.add(r.tech, "html", &r.pattern, hit);
            }
        }
        // One walk over the document, in its order (as `Html::select`
        // visits elements), for the scripts and the meta elements.
        let mut srcs: Vec<&str> = Vec::new();
        let mut inline: Vec<Cow<'_, str>> = Vec::new();
        let mut metas: Vec<ElementRef<'_>> = Vec::new();
        for node in doc.tree.root().descendants() {
            let Some(el) = ElementRef::wrap(node) else {
                continue;
            };
            match el.value().name() {
                "script" => match script_src(el.value()) {
                    Some(src) => srcs.push(src),
                    // Data and client-side templates, not code: JSON-LD
                    // articles and job posts, `__NEXT_DATA__`, an install
                    // guide's snippet in a page's props.
                    None if attr(el.value(), "type").is_some_and(is_data_script_type) => {}
                    None => {
                        // Most scripts are one text node: borrowed.
                        let mut parts = el.text();
                        let text = match (parts.next(), parts.next()) {
                            (None, _) => continue,
                            (Some(one), None) => Cow::Borrowed(one),
                            (Some(a), Some(b)) => {
                                let mut all = String::from(a);
                                all.push_str(b);
                                all.extend(parts);
                                Cow::Owned(all)
                            }
                        };
                        if !text.trim().is_empty() && !is_framework_payload(&text) {
                            inline.push(text);
                        }
                    }
                },
                "meta" => metas.push(el),
                _ => {}
            }
        }
        // scriptSrc patterns describe URLs: on inline scripts they run on
        // the URL-like string literals a loader builds its tag from
        // (`"https://js.hs-scripts.com/" + id + ".js"`), never across the
        // whole text, where a pattern like `prototype.*\.js` would match
        // `Object.prototype` and some unrelated `.js` later on the line.
        // Not in a comment (`/* …'https://www.googletagmanager.com/gtm.js'… */`,
        // a loader left commented out).
        let literals: Vec<&str> = inline
            .iter()
            .flat_map(|t| {
                let t: &str = t;
                url_literals(t)
                    .into_iter()
                    .filter(move |l| !in_js_comment(t, l.as_ptr() as usize - t.as_ptr() as usize))
            })
            .collect();
        for s in srcs.iter().copied().chain(literals) {
            self.run_group(&self.script_src, "scriptSrc", s, &mut found, &mut seen);
        }
        // Not in a comment either (`// Intercom('boot', …)` left from a
        // removed install).
        for s in &inline {
            for &i in &candidates.scripts {
                let r = &self.scripts.rules[i];
                if let Some(hit) = r.pattern.find_unless(s, |at| in_js_comment(s, at)) {
                    found.add(r.tech, "scripts", &r.pattern, hit);
                }
            }
        }

        // Keyed fields.
        for (name, value) in page.headers {
            let key = name.to_ascii_lowercase();
            if let Some(rules) = self.headers.get(&key) {
                for r in rules {
                    found.keyed("headers", r, value);
                }
            }
        }
        for (name, value) in page.cookies {
            if let Some(rules) = self.cookies.get(*name) {
                for r in rules {
                    found.keyed("cookies", r, value);
                }
            }
            for r in &self.cookie_globs {
                if glob(&r.key, name) {
                    found.keyed("cookies", r, value);
                }
            }
        }
        for el in metas {
            let v = el.value();
            let Some(key) = attr(v, "name").or_else(|| attr(v, "property")) else {
                continue;
            };
            let content = attr(v, "content").unwrap_or_default();
            if let Some(rules) = self.meta.get(&key.to_ascii_lowercase()) {
                for r in rules {
                    found.keyed("meta", r, content);
                }
            }
        }

        // js globals, approximated from inline scripts: the paths present
        // in the page (usually a few dozen of the thousands) get an
        // automaton of their own, much faster to run.
        let present;
        let (ac, path_of): (Option<&AhoCorasick>, &[usize]) =
            if inline.is_empty() || candidates.js.is_empty() {
                (None, &[])
            } else if candidates.js.len() == self.js_paths.len() {
                (self.js_ac.as_ref(), &candidates.js)
            } else {
                present = AhoCorasick::new(candidates.js.iter().map(|&p| &self.js_paths[p])).ok();
                (present.as_ref(), &candidates.js)
            };
        if let Some(ac) = ac {
            // Occurrences of each path looked at: a hostile page repeating
            // a global's name a million times in comments is not read to
            // its end, as a real page's use comes within the first ones.
            let mut looked = vec![0u32; path_of.len()];
            for text in &inline {
                for m in ac.find_overlapping_iter(text.as_ref()) {
                    // Counted once it stands alone (not inside `value` or
                    // `avail`): only those cost a look for a comment.
                    if !stands_alone(text, m.start(), m.end()) {
                        continue;
                    }
                    let n = &mut looked[m.pattern().as_usize()];
                    if *n >= MAX_JS_OCCURRENCES {
                        continue;
                    }
                    *n += 1;
                    let Some(value) = js_use(text, m.start(), m.end()) else {
                        continue;
                    };
                    for &ri in &self.js_by_path[path_of[m.pattern().as_usize()]] {
                        let r = &self.js[ri];
                        let hit = match value {
                            JsUse::Assigned(v) => r.pattern.find(v),
                            JsUse::Used if r.pattern.is_any() => r.pattern.find(""),
                            JsUse::Used => None,
                        };
                        if let Some(mut hit) = hit {
                            hit.snippet = truncate(snippet_around(text, m.start(), m.end()));
                            found.add(r.tech, &format!("js:{}", r.path), &r.pattern, hit);
                        }
                    }
                }
            }
        }

        // dom
        self.run_dom_rules(&candidates.dom, doc, &mut found);

        self.resolve(found)
    }

    /// Detects over several pages of one site and merges the results
    /// (see [`crate::merge_detections`]).
    pub fn detect_site(&self, pages: &[PageInput<'_>]) -> Vec<Detection> {
        crate::merge_detections(pages.iter().map(|p| self.detect(p)))
    }

    /// Runs the rules of `group` whose literals occur in `hay` (its own
    /// prefilter scan).
    fn run_group(
        &self,
        group: &TextGroup,
        field: &str,
        hay: &str,
        found: &mut Found,
        seen: &mut Vec<bool>,
    ) {
        if hay.is_empty() && group.always.is_empty() {
            return;
        }
        let ids = group.candidates(hay, self.prefilter, seen);
        self.run_rules(group, &ids, field, hay, found);
    }

    /// Runs the rules `ids` of `group` on `hay`.
    fn run_rules(
        &self,
        group: &TextGroup,
        ids: &[usize],
        field: &str,
        hay: &str,
        found: &mut Found,
    ) {
        for &i in ids {
            let r = &group.rules[i];
            if let Some(hit) = r.pattern.find(hay) {
                found.add(r.tech, field, &r.pattern, hit);
            }
        }
    }

    /// Runs the dom rules `ids`, with the elements of [`select_all`].
    fn run_dom_rules(&self, ids: &[usize], doc: &Html, found: &mut Found) {
        if ids.is_empty() {
            return;
        }
        let queries: Vec<Query<'_>> = ids
            .iter()
            .map(|&i| Query {
                selector: &self.dom[i].selector,
                keys: self.dom[i].keys.as_deref(),
                needs: self.dom[i].needs.as_deref(),
            })
            .collect();
        for (&i, elements) in ids.iter().zip(select_all(doc, &queries)) {
            self.run_dom(&self.dom[i], elements.into_iter(), found);
        }
    }

    /// Runs one dom rule on the elements matching its selector, in order.
    fn run_dom<'d>(
        &self,
        r: &DomRule,
        elements: impl Iterator<Item = ElementRef<'d>>,
        found: &mut Found,
    ) {
        let field = format!("dom:{}", r.source);
        let mut elements = elements.peekable();
        let Some(first) = elements.peek().copied() else {
            return;
        };
        if let Some(p) = &r.exists
            && let Some(mut hit) = p.find("")
        {
            hit.snippet = element_snippet(first);
            found.add(r.tech, &field, p, hit);
        }
        if r.text.is_none() && r.attributes.is_empty() && r.properties.is_empty() {
            return;
        }
        let mut done = vec![false; 1 + r.attributes.len() + r.properties.len()];
        for el in elements {
            if let Some(p) = &r.text
                && !done[0]
                && let Some(hit) = p.find(el.text().collect::<String>().trim())
            {
                done[0] = true;
                found.add(r.tech, &field, p, hit);
            }
            // Properties are approximated by the attribute of the same name.
            for (k, (name, p)) in r.attributes.iter().chain(&r.properties).enumerate() {
                if done[k + 1] {
                    continue;
                }
                if let Some(value) = attr(el.value(), name)
                    && let Some(hit) = p.find(value)
                {
                    done[k + 1] = true;
                    found.add(r.tech, &field, p, hit);
                }
            }
        }
    }

    /// Applies requires, requiresCategory and excludes to what the patterns
    /// found, then implies, as Wappalyzer does: a technology with `requires`
    /// stands when any one of them was found, one with `requiresCategory`
    /// when another found technology has one of those categories; an
    /// excluded one is dropped; what the remaining ones imply is added last,
    /// so a dropped technology implies nothing and an implied one satisfies
    /// no requirement.
    fn resolve(&self, mut found: Found) -> Vec<Detection> {
        // requires / requiresCategory, until stable
        loop {
            let before = found.acc.len();
            let present: Vec<usize> = found.acc.keys().copied().collect();
            found.acc.retain(|&t, _| {
                let tech = &self.techs[t];
                (tech.requires.is_empty() || tech.requires.iter().any(|r| present.contains(r)))
                    && (tech.requires_category.is_empty()
                        || tech.requires_category.iter().any(|c| {
                            present
                                .iter()
                                .any(|&o| o != t && self.techs[o].cat_ids.contains(c))
                        }))
            });
            if found.acc.len() == before {
                break;
            }
        }
        // excludes
        let excluded: Vec<usize> = found
            .acc
            .keys()
            .flat_map(|&t| self.techs[t].excludes.iter().copied())
            .collect();
        for t in excluded {
            found.acc.remove(&t);
        }
        // implies, to a fixpoint
        let mut queue: Vec<usize> = found.acc.keys().copied().collect();
        while let Some(t) = queue.pop() {
            let parent_conf = found.acc.get(&t).map_or(0, |a| a.confidence.min(100));
            for (target, conf, version) in &self.techs[t].implies {
                if found.acc.contains_key(target) {
                    continue;
                }
                let acc = found.acc.entry(*target).or_default();
                acc.confidence = u32::from(*conf).min(parent_conf);
                acc.version.clone_from(version);
                acc.evidence.push(Evidence {
                    url: found.url.clone(),
                    field: format!("implies:{}", self.techs[t].name),
                    snippet: self.techs[t].name.clone(),
                });
                queue.push(*target);
            }
        }
        let mut out: Vec<Detection> = found
            .acc
            .into_iter()
            .filter(|(_, a)| a.confidence > 0)
            .map(|(t, a)| Detection {
                name: self.techs[t].name.clone(),
                categories: self.techs[t].categories.clone(),
                confidence: a.confidence.min(100) as u8,
                version: a.version,
                evidence: a.evidence,
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

/// Compiles one `dom` entry; problems go to `issue`.
#[allow(clippy::type_complexity)] // closures shared with the caller's loop
fn compile_dom(
    tech: usize,
    d: &DomSpec,
    compile: &mut dyn FnMut(&str, &str, &mut dyn FnMut(&str, &str, String)) -> Option<Pattern>,
    issue: &mut dyn FnMut(&str, &str, String),
) -> Option<DomRule> {
    let selector = match CssSelector::parse(&d.selector) {
        Ok(s) => s,
        Err(e) => {
            issue("dom", &d.selector, format!("invalid CSS selector: {e}"));
            return None;
        }
    };
    let field = format!("dom:{}", d.selector);
    let exists = d.exists.as_deref().and_then(|p| compile(&field, p, issue));
    let text = d.text.as_deref().and_then(|p| compile(&field, p, issue));
    let attributes: Vec<(String, Pattern)> = d
        .attributes
        .iter()
        .filter_map(|(k, p)| compile(&field, p, issue).map(|p| (k.clone(), p)))
        .collect();
    let properties: Vec<(String, Pattern)> = d
        .properties
        .iter()
        .filter_map(|(k, p)| compile(&field, p, issue).map(|p| (k.clone(), p)))
        .collect();
    Some(DomRule {
        tech,
        source: d.selector.clone(),
        keys: dom_keys(&d.selector),
        needs: (exists.is_none() && text.is_none())
            .then(|| {
                attributes
                    .iter()
                    .chain(&properties)
                    .map(|(name, _): &(String, Pattern)| name.clone())
                    .collect::<Vec<_>>()
            })
            .filter(|names| !names.is_empty()),
        selector,
        exists,
        text,
        attributes,
        properties,
    })
}

/// Per-page accumulation of matches.
#[derive(Debug)]
struct Found {
    url: String,
    /// By technology index: ordered, so that resolving implies (which
    /// technology's evidence and confidence an implied one gets) does not
    /// depend on hashing.
    acc: BTreeMap<usize, Acc>,
}

#[derive(Debug, Default)]
struct Acc {
    confidence: u32,
    version: Option<String>,
    evidence: Vec<Evidence>,
    /// Patterns already counted (by address), so one pattern counts once.
    counted: Vec<usize>,
}

impl Found {
    fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            acc: BTreeMap::new(),
        }
    }

    fn add(&mut self, tech: usize, field: &str, pattern: &Pattern, hit: Hit) {
        let acc = self.acc.entry(tech).or_default();
        let key = std::ptr::from_ref(pattern) as usize;
        if acc.counted.contains(&key) {
            return;
        }
        acc.counted.push(key);
        acc.confidence += u32::from(pattern.confidence);
        if acc.version.is_none() {
            acc.version = hit.version;
        }
        if acc.evidence.len() < MAX_EVIDENCE {
            acc.evidence.push(Evidence {
                url: self.url.clone(),
                field: field.to_owned(),
                snippet: hit.snippet,
            });
        }
    }

    fn keyed(&mut self, kind: &str, r: &KeyedRule, value: &str) {
        if let Some(mut hit) = r.pattern.find(value) {
            hit.snippet = truncate(&format!("{}: {}", r.key, value));
            self.add(r.tech, &format!("{kind}:{}", r.key), &r.pattern, hit);
        }
    }
}

/// Whether an inline script of this `type` holds data or a client-side
/// template rather than code the page runs: JSON (`application/ld+json`,
/// `application/json`, `importmap`, `speculationrules`, any `+json`) and
/// template types (`text/x-template`, `text/x-handlebars-template`,
/// `text/ng-template`, `text/html`, ...). Names, URLs and snippets in them
/// are content (an article about HubSpot, a guide showing its embed code),
/// not a tag on the page. `text/plain` and `text/template` stay code:
/// consent managers (Cookiebot, OneTrust, Borlabs) give a blocked tag that
/// type until the visitor consents, and the tag is installed.
fn is_data_script_type(t: &str) -> bool {
    let t = t
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    t == "importmap"
        || t == "speculationrules"
        || t == "text/html"
        || t.ends_with("/json")
        || t.ends_with("+json")
        || (t.starts_with("text/x-")
            && (t.contains("template")
                || t.contains("handlebars")
                || t.contains("mustache")
                || t.contains("jsrender")
                || t.contains("tmpl")))
        || t == "text/ng-template"
}

/// How a global appears in inline script text.
#[derive(Debug, Clone, Copy)]
enum JsUse<'a> {
    /// `path = value` (value without quotes).
    Assigned(&'a str),
    /// `path.x`, `path[...]`, `path(...)`.
    Used,
}

/// Whether a literal names a stylesheet, image or font rather than a
/// script (scriptSrc patterns describe scripts; some, like Choices.js's
/// `…|css`, match any stylesheet).
fn is_asset(lit: &str) -> bool {
    let path = lit
        .split(['?', '#'])
        .next()
        .unwrap_or(lit)
        .to_ascii_lowercase();
    [
        ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff", ".woff2",
        ".ttf", ".mp4",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

/// The string literals of a script that could be (part of) a script URL:
/// quoted with `"`, `'` or backticks, containing `/`, not naming a
/// stylesheet, image or font, at most 2,048 bytes; at most 1,000 per
/// script.
fn url_literals(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() && out.len() < 1000 {
        let Some(at) = memchr::memchr3(b'"', b'\'', b'`', &bytes[i..]) else {
            break;
        };
        let q = bytes[i + at];
        let start = i + at + 1;
        // The closing quote; a backslash skips the byte after it; a line
        // break ends a literal unless it is a template (backticks).
        let mut j = start;
        while j < bytes.len() {
            let rest = &bytes[j..];
            let next = if q == b'`' {
                memchr::memchr2(q, b'\\', rest)
            } else {
                memchr::memchr3(q, b'\n', b'\\', rest)
            };
            let Some(k) = next else {
                j = bytes.len();
                break;
            };
            if rest[k] == b'\\' {
                j += k + 2;
            } else {
                j += k;
                break;
            }
        }
        let end = j.min(bytes.len());
        if let Some(lit) = text.get(start..end).filter(|l| may_be_script_url(l)) {
            out.push(lit);
        }
        i = end + 1;
    }
    out
}

/// Whether a string literal of a script may be (part of) a script URL: at
/// most 2,048 bytes, with a `/`, not naming a stylesheet, image or font.
fn may_be_script_url(lit: &str) -> bool {
    lit.len() <= 2048 && lit.contains('/') && !is_asset(lit)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// How many occurrences of one global's path the js pass looks at, in all.
const MAX_JS_OCCURRENCES: u32 = 256;

/// A script's URL: `src`, or where a consent manager or a lazy-loading
/// plugin moved it until the visitor consents or scrolls (`data-src`,
/// Complianz's `data-cmplz-src`, WP Rocket's `data-rocket-src`,
/// `data-lazy-src`): the tag is installed either way.
fn script_src(el: &scraper::node::Element) -> Option<&str> {
    [
        "src",
        "data-src",
        "data-cmplz-src",
        "data-rocket-src",
        "data-lazy-src",
    ]
    .into_iter()
    .find_map(|a| attr(el, a).filter(|s| !s.trim().is_empty()))
}

/// Whether an inline script is a framework's serialized page data, not
/// code the page runs: Next.js's flight data (`self.__next_f.push(`),
/// Nuxt's `window.__NUXT__`, Remix's `window.__remixContext`. They carry
/// the page's text and props as strings ("brings clarity", "configuration
/// drift", an install guide's snippet), which would read as tags.
fn is_framework_payload(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("self.__next_f.push(")
        || t.starts_with("(self.__next_f=self.__next_f||[]).push(")
        || t.starts_with("window.__NUXT__")
        || t.starts_with("window.__remixContext")
}

/// `html` with its comments that hold markup and its `<textarea>` contents
/// blanked (each byte a space, so offsets and UTF-8 stay valid), outside
/// `<script>` and `<style>` elements, whose `<!--` is no comment. Borrowed
/// when there is neither.
fn without_comments(html: &str) -> Cow<'_, str> {
    let b = html.as_bytes();
    let find_ci = |from: usize, needle: &[u8]| -> Option<usize> {
        b.get(from..)?
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
            .map(|p| from + p)
    };
    if memchr::memmem::find(b, b"<!--").is_none() && find_ci(0, b"<textarea").is_none() {
        return Cow::Borrowed(html);
    }
    let mut out = b.to_vec();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]).map(|p| i + p) {
        let rest = &b[p..];
        if rest.starts_with(b"<!--") {
            let end = memchr::memmem::find(&b[p + 4..], b"-->").map_or(b.len(), |e| p + 4 + e + 3);
            // Markup commented out (a tag left when a tool was removed);
            // a marker comment with no tag in it (`<!-- All in One SEO
            // Pack 4.5.1 -->`) stays, as patterns read it.
            if memchr::memchr(b'<', &b[p + 4..end]).is_some() {
                out[p..end].fill(b' ');
            }
            i = end;
        } else if let Some(name) = [&b"<script"[..], b"<style"]
            .into_iter()
            .find(|n| rest.len() > n.len() && rest[..n.len()].eq_ignore_ascii_case(n))
        {
            // Raw text: skipped to its end tag.
            let close: &[u8] = if name.len() == 7 {
                b"</script"
            } else {
                b"</style"
            };
            i = find_ci(p + name.len(), close).map_or(b.len(), |e| e + close.len());
        } else if rest.len() > 9 && rest[..9].eq_ignore_ascii_case(b"<textarea") {
            let open_end = memchr::memchr(b'>', &b[p..]).map_or(b.len(), |e| p + e + 1);
            let end = find_ci(open_end, b"</textarea").unwrap_or(b.len());
            out[open_end..end].fill(b' ');
            i = end.max(p + 1);
        } else {
            i = p + 1;
        }
    }
    // Only ASCII delimiters bound the blanked ranges, and a blanked range
    // is all spaces: valid UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| html.to_owned()))
}

/// How far back [`in_js_comment`] looks for a comment's start.
const COMMENT_LOOKBACK: usize = 2048;

/// Whether `text[start..]` begins inside a comment: after a `//` or a `/*`
/// (not yet closed) that starts its line or follows a statement or the
/// start of an expression (`;`, `{`, `}`, `)`, `(`, `,`, `[`, `=`, `?`,
/// `!`, `&`, `|`; a `/*` also `:`): `// We used to open Intercom here`, a
/// tag left in a comment when the tool was removed, `{a: 1, /* … */}`.
/// Looks back [`COMMENT_LOOKBACK`] bytes at most; a `//` inside a URL
/// (`https://`, `'//js.…'`) starts no comment.
fn in_js_comment(text: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(COMMENT_LOOKBACK);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..start];
    // A comment opens where a statement or an expression may start: at
    // its line's start or after the characters above; a `/*` or `//`
    // inside a string (`"*/*"`, `"image/*"`, `"https://*.acme.com"`,
    // `'//js.hs-scripts.com'`) follows none of them and opens none.
    // `line_start`: where the line `at` is on starts (none: the window's
    // first line), found by the caller, once for every `//` of the last
    // line.
    let line_of = |at: usize| window[..at].rfind('\n').map(|p| p + 1);
    const OPENERS: [char; 12] = [';', '{', '}', ')', '(', ',', '[', '=', '?', '!', '&', '|'];
    let opens_comment = |at: usize, line_start: Option<usize>, block: bool| {
        let before = window[line_start.unwrap_or(0)..at].trim_end();
        (before.is_empty() && (line_start.is_some() || from == 0))
            || before.ends_with(OPENERS)
            || (block && before.ends_with(':'))
    };
    if let Some(open) = window.rfind("/*")
        && !window[open + 2..].contains("*/")
        && opens_comment(open, line_of(open), true)
    {
        return true;
    }
    let last_line = line_of(window.len());
    let mut at = last_line.unwrap_or(0);
    while let Some(p) = window[at..].find("//") {
        if opens_comment(at + p, last_line, false) {
            return true;
        }
        at += p + 2;
    }
    false
}

/// Whether `text[start..end]` is not part of a longer identifier.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let joined_before = start > 0 && is_ident(b[start - 1]);
    let joined_after = end < b.len() && is_ident(b[end]);
    !(joined_before || joined_after)
}

/// Decides whether the occurrence `text[start..end]` of a global's path is a
/// use of that global, and returns its assigned value if any.
fn js_use(text: &str, start: usize, end: usize) -> Option<JsUse<'_>> {
    let b = text.as_bytes();
    if !stands_alone(text, start, end) || in_js_comment(text, start) {
        return None;
    }
    if start > 0 {
        let prev = b[start - 1];
        if is_ident(prev) {
            return None;
        }
        if prev == b'.' {
            // Only window-like receivers: window., self., globalThis., top.,
            // or a one-letter alias (minified loaders: `w._hsq`).
            let before = &text[..start - 1];
            let recv_start = before
                .bytes()
                .rposition(|c| !is_ident(c))
                .map_or(0, |p| p + 1);
            let recv = &before[recv_start..];
            if !(matches!(recv, "window" | "self" | "globalThis" | "top" | "parent")
                || recv.len() == 1)
            {
                return None;
            }
        }
    }
    if end < b.len() && is_ident(b[end]) {
        return None;
    }
    let mut i = end;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    match b.get(i) {
        Some(b'=') if b.get(i + 1) != Some(&b'=') => {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            // The value is looked for in the next MAX_JS_VALUE bytes only:
            // a script repeating `x=` a million times made every occurrence
            // scan to its end.
            let mut cut = (j + MAX_JS_VALUE).min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let rest = &text[j..cut];
            if let Some(q) = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            {
                let inner = &rest[1..];
                let stop = inner.find(q).unwrap_or(inner.len());
                Some(JsUse::Assigned(&inner[..stop]))
            } else {
                let stop = rest.find([';', ',', '\n', ')', '}']).unwrap_or(rest.len());
                Some(JsUse::Assigned(rest[..stop].trim()))
            }
        }
        Some(b'.' | b'[' | b'(') => Some(JsUse::Used),
        _ => None,
    }
}

/// The longest js property value read (a version string, a flag).
const MAX_JS_VALUE: usize = 256;

/// Up to ~60 bytes around a match, on char boundaries.
fn snippet_around(text: &str, start: usize, end: usize) -> &str {
    let mut s = start;
    let mut e = (end + 60).min(text.len());
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    while !text.is_char_boundary(e) {
        e -= 1;
    }
    text[s..e].trim()
}

/// The start tag of an element, for dom evidence.
fn element_snippet(el: ElementRef<'_>) -> String {
    let v = el.value();
    let mut s = format!("<{}", v.name());
    for (k, val) in v.attrs() {
        s.push_str(&format!(" {k}=\"{val}\""));
    }
    s.push('>');
    truncate(&s)
}

/// `*` glob match (for cookie names such as `_ga_*`).
fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// The value of `v`'s attribute `name` (of no namespace), as
/// `Element::attr` gives it, without making an interned atom of `name`
/// first (a lock on the global atom set for names it does not know, such as
/// `q:version`): elements have a few attributes, compared as text.
fn attr<'a>(v: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    v.attrs
        .iter()
        .find(|(q, _)| q.ns.is_empty() && &*q.local == name)
        .map(|(_, value)| &**value)
}

/// One selector to run over a document with [`select_all`].
#[derive(Debug, Clone, Copy)]
struct Query<'a> {
    selector: &'a CssSelector,
    /// What a matching element must have (see [`dom_keys`]), or `None`:
    /// every element is tried.
    keys: Option<&'a [DomKey]>,
    /// When set, only elements with one of these attributes are wanted
    /// (a rule that detects only through them, see [`DomRule::needs`]);
    /// the others are not tested against the selector.
    needs: Option<&'a [String]>,
}

/// The elements matching each query, in the order `Html::select` visits
/// them, from one pass over the document: elements are bucketed by the keys
/// the selectors need (the id, class, tag or attribute name of their
/// rightmost compound, see [`dom_keys`]; found by hash, ignoring ASCII
/// case) and each selector is
/// tested only on its buckets; a selector without keys is tested on every
/// element.
fn select_all<'d>(doc: &'d Html, queries: &[Query<'_>]) -> Vec<Vec<ElementRef<'d>>> {
    // For this document only: the caches are keyed by element.
    let mut caches = SelectorCaches::default();
    let mut keys: Vec<&DomKey> = Vec::new();
    let mut any = false;
    for q in queries {
        match q.keys {
            None => any = true,
            Some(ks) => {
                for k in ks {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
    }
    // Key text (lowercased) -> bucket, per kind of key.
    let mut by_kind: [foldhash::HashMap<&str, usize>; 4] = Default::default();
    for (b, key) in keys.iter().enumerate() {
        let (kind, text) = match key {
            DomKey::Tag(t) => (0, t),
            DomKey::Id(x) => (1, x),
            DomKey::Class(c) => (2, c),
            DomKey::Attr(a) => (3, a),
        };
        by_kind[kind].insert(text.as_str(), b);
    }
    let any_attr = !by_kind[3].is_empty();
    let mut lowered = String::new();
    let mut lookup = |kind: usize, text: &str| -> Option<usize> {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered.clear();
            lowered.push_str(text);
            lowered.make_ascii_lowercase();
            by_kind[kind].get(lowered.as_str()).copied()
        } else {
            by_kind[kind].get(text).copied()
        }
    };
    let mut buckets: Vec<Vec<(usize, ElementRef<'d>)>> = vec![Vec::new(); keys.len()];
    let mut push = |b: usize, n: usize, el: ElementRef<'d>| {
        if buckets[b].last().is_none_or(|&(m, _)| m != n) {
            buckets[b].push((n, el));
        }
    };
    let mut all: Vec<(usize, ElementRef<'d>)> = Vec::new();
    for (n, node) in doc.tree.nodes().enumerate() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        // As `Html::select`: the document node's children only through it.
        if el.parent().is_none() {
            continue;
        }
        if any {
            all.push((n, el));
        }
        if keys.is_empty() {
            continue;
        }
        let v = el.value();
        if let Some(b) = lookup(0, v.name()) {
            push(b, n, el);
        }
        if let Some(b) = v.id().and_then(|id| lookup(1, id)) {
            push(b, n, el);
        }
        if let Some(class) = attr(v, "class") {
            for w in class.split_ascii_whitespace() {
                if let Some(b) = lookup(2, w) {
                    push(b, n, el);
                }
            }
        }
        if any_attr {
            for (name, _) in v.attrs() {
                if let Some(b) = lookup(3, name) {
                    push(b, n, el);
                }
            }
        }
    }
    queries
        .iter()
        .map(|q| {
            let mut wanted = |e: &ElementRef<'_>| {
                q.needs
                    .is_none_or(|names| names.iter().any(|a| attr(e.value(), a).is_some()))
                    && q.selector.matches(e, &mut caches)
            };
            let mut found: Vec<(usize, ElementRef<'d>)> = Vec::new();
            match q.keys {
                None => found.extend(all.iter().filter(|(_, e)| wanted(e)).copied()),
                Some(ks) => {
                    for b in ks.iter().filter_map(|k| keys.iter().position(|x| *x == k)) {
                        found.extend(buckets[b].iter().filter(|(_, e)| wanted(e)).copied());
                    }
                }
            }
            if q.keys.is_some_and(|ks| ks.len() > 1) {
                found.sort_unstable_by_key(|(n, _)| *n);
                found.dedup_by_key(|(n, _)| *n);
            }
            found.into_iter().map(|(_, e)| e).collect()
        })
        .collect()
}

/// Literals a page must contain for the dom rule `r` to detect anything,
/// whatever its selector matches, or `None`: when it detects only through
/// attributes ([`DomRule::needs`]; properties are read as attributes), a
/// matching element has one of them, and the HTML holds its name and its
/// value; each attribute stands for the required literals of its value's
/// pattern (the value is in the HTML as written, as a selector's attribute
/// value is taken to be), or without any, for its name. A rule with
/// `exists` (the element is enough) or `text` (an element's text may be
/// split by tags or written with entities) has none.
fn condition_literals(r: &DomRule) -> Option<Vec<String>> {
    r.needs.as_ref()?;
    let mut out = Vec::new();
    for (name, p) in r.attributes.iter().chain(&r.properties) {
        if p.literals.is_empty() {
            out.push(name.clone());
        } else {
            out.extend(p.literals.iter().cloned());
        }
    }
    Some(out)
}

/// The characters that end an attribute's name in an attribute selector
/// (`[name=v]`, `[name*=v]`, ...).
const ATTRIBUTE_OPERATORS: [char; 6] = ['=', '*', '^', '$', '~', '|'];

/// Whether `c` may be in an id, class, tag or attribute name this module
/// takes as a key or literal (escapes and other characters are left out).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// What an element must have to match a selector: the id, else a class,
/// else the tag, else an attribute (`[name...]`) of its rightmost compound
/// selector, lowercased (ids and classes are compared ignoring ASCII case,
/// which covers both standards and quirks mode; an element's attribute
/// names are lowercased to be looked up, a superset for foreign elements,
/// whose names keep their case).
#[derive(Debug, Clone, PartialEq, Eq)]
enum DomKey {
    Tag(String),
    Id(String),
    Class(String),
    Attr(String),
}

/// The key of each selector of a list, or `None` when one has none that is
/// certain (a universal or attribute-only compound, a pseudo-class with
/// arguments, a namespace, an escape): the rule then looks at every element.
fn dom_keys(selector: &str) -> Option<Vec<DomKey>> {
    // Arguments, escapes, namespaces and comments: no certain key.
    if selector.contains(['(', '\\', '|']) || selector.contains("/*") {
        return None;
    }
    let mut keys = Vec::new();
    for alt in split_outside(selector, |c| c == b',') {
        let key = compound_key(alt.trim())?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Splits `s` at bytes for which `sep` holds, outside `[...]` and quotes.
fn split_outside(s: &str, sep: impl Fn(u8) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0u32, None::<u8>, 0);
    for (i, &c) in s.as_bytes().iter().enumerate() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            _ if depth == 0 && sep(c) => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The key of one complex selector: that of its rightmost compound. `None`
/// when the compound has no id, class or tag, or one with characters other
/// than ASCII letters, digits, `-` and `_` (kept out rather than compared
/// wrongly).
fn compound_key(complex: &str) -> Option<DomKey> {
    let compound = split_outside(complex, |c| {
        matches!(c, b' ' | b'>' | b'+' | b'~' | b'\t' | b'\n')
    })
    .into_iter()
    .rev()
    .find(|p| !p.trim().is_empty())?
    .trim();
    // The compound without its attribute selectors, and the name of the
    // first of them.
    let mut bare = String::with_capacity(compound.len());
    let mut attr_name = String::new();
    let mut first_attr = true;
    let (mut depth, mut quote) = (0u32, None::<char>);
    for c in compound.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') if depth > 0 => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth = depth.saturating_sub(1);
                first_attr = attr_name.is_empty();
            }
            (None, _) if depth == 0 => bare.push(c),
            (None, _) if first_attr && depth == 1 => attr_name.push(c),
            _ => {}
        }
    }
    let plain = |name: &str| !name.is_empty() && name.chars().all(is_name_char);
    let attr = attr_name
        .split(ATTRIBUTE_OPERATORS)
        .next()
        .map(str::trim)
        .filter(|n| plain(n))
        .map(str::to_ascii_lowercase);
    // Split into tokens at the starts of simple selectors.
    let (mut tag, mut id, mut class) = (None, None, None);
    let mut rest = bare.as_str();
    while !rest.is_empty() {
        let (sigil, body) = match rest.as_bytes()[0] {
            b @ (b'#' | b'.' | b':') => (b, &rest[1..]),
            _ => (b't', rest),
        };
        let end = body.find(['#', '.', ':']).unwrap_or(body.len());
        let token = &body[..end];
        rest = &body[end..];
        match sigil {
            b':' => continue,
            b't' if token == "*" => continue,
            _ if !plain(token) => return None,
            b'#' => id = id.or(Some(token.to_ascii_lowercase())),
            b'.' => class = class.or(Some(token.to_ascii_lowercase())),
            _ => tag = Some(token.to_ascii_lowercase()),
        }
    }
    id.map(DomKey::Id)
        .or(class.map(DomKey::Class))
        .or(tag.map(DomKey::Tag))
        .or(attr.map(DomKey::Attr))
}

/// A literal every page matching `selector` must contain in its HTML, or
/// `None` (the selector then always runs).
///
/// Only a single complex selector (no `,` list, no pseudo-class
/// arguments) is considered; callers split lists; the candidate tokens are
/// quoted attribute values, attribute names, class names, ids, and the
/// names of custom elements (with a `-`: the parser never makes one up, as
/// it does `body` or `tbody`) as `<name`; the longest attribute value is
/// chosen, else the longest of the other tokens. A
/// backslash escape of a character other than a hex digit stands for that
/// character (`\\.` is `.`); a hex escape gives no literal.
fn selector_literal(selector: &str) -> Option<String> {
    if selector.contains(',') || selector.contains('(') {
        return None;
    }
    let unescaped;
    let selector = if selector.contains('\\') {
        let mut out = String::with_capacity(selector.len());
        let mut chars = selector.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some(e) if !e.is_ascii_hexdigit() && e != '\n' => out.push(e),
                _ => return None,
            }
        }
        unescaped = out;
        unescaped.as_str()
    } else {
        selector
    };
    // Attribute values first: names like `aria-labelledby` are on many
    // pages, `pi-visa` on few.
    let mut best: [Option<String>; 2] = [None, None];
    let mut consider_as = |rank: usize, tok: &str| {
        let tok = tok.trim();
        if tok.len() >= 3 && best[rank].as_ref().is_none_or(|b| tok.len() > b.len()) {
            best[rank] = Some(tok.to_owned());
        }
    };
    let b = selector.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' => {
                let close = selector[i..].find(']').map_or(b.len(), |c| i + c);
                let inner = &selector[i + 1..close];
                let name_end = inner.find(ATTRIBUTE_OPERATORS).unwrap_or(inner.len());
                consider_as(1, &inner[..name_end]);
                if let Some(eq) = inner.find('=') {
                    let mut val = inner[eq + 1..].trim();
                    // `[attr='x' i]` case flag: drop it.
                    if let Some(stripped) = val.strip_suffix(" i") {
                        val = stripped.trim();
                    }
                    let op = &inner[..eq];
                    // Values of `~=`/`|=` are tokens; all ops require the text.
                    let _ = op;
                    consider_as(0, val.trim_matches(|c| c == '\'' || c == '"'));
                }
                i = close + 1;
            }
            b'.' | b'#' => {
                let end = selector[i + 1..]
                    .find(|c: char| !is_name_char(c))
                    .map_or(b.len(), |e| i + 1 + e);
                consider_as(1, &selector[i + 1..end]);
                i = end;
            }
            c if c.is_ascii_alphabetic() && (i == 0 || b" >+~\t\n".contains(&b[i - 1])) => {
                // A type selector.
                let end = selector[i..]
                    .find(|c: char| !is_name_char(c))
                    .map_or(b.len(), |e| i + e);
                let name = &selector[i..end];
                if name.contains('-') {
                    consider_as(1, &format!("<{name}"));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    let [value, other] = best;
    value.or(other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    #[test]
    fn a_global_in_a_comment_is_no_use() {
        let at = |text: &str, word: &str| {
            let start = text.find(word).unwrap();
            js_use(text, start, start + word.len()).is_some()
        };
        // Comments: a line's, one after a statement, a block.
        assert!(!at("// we used to call Intercom('show') here", "Intercom"));
        assert!(!at("var a = 1;\n  // Intercom('show') removed", "Intercom"));
        assert!(!at("init(); // Intercom('boot')", "Intercom"));
        assert!(!at("/* legacy:\n Intercom('boot', {}) */ x()", "Intercom"));
        // Not comments: URLs, and code after a closed block comment.
        assert!(at(
            "var s = 'https://x.test/a'; Intercom('boot')",
            "Intercom"
        ));
        assert!(at("s.src='//js.test/a.js'; Intercom('boot')", "Intercom"));
        assert!(at("/* loader */ Intercom('boot')", "Intercom"));
        assert!(at(
            "fetch(u,{headers:{Accept:\"*/*\"}});Intercom('boot')",
            "Intercom"
        ));
        assert!(at(
            "var h = \"https://*.acme.com\"; Intercom('boot')",
            "Intercom"
        ));
        assert!(at("Intercom('boot')", "Intercom"));
    }

    #[test]
    fn data_and_template_scripts_are_no_code() {
        for t in [
            "application/ld+json",
            "application/json",
            "Application/JSON; charset=utf-8",
            "importmap",
            "speculationrules",
            "text/x-template",
            "text/x-handlebars-template",
            "text/ng-template",
            "text/html",
        ] {
            assert!(is_data_script_type(t), "{t}");
        }
        // Code, or a consent manager's blocked tag (installed).
        for t in [
            "text/javascript",
            "module",
            "text/plain",
            "text/template",
            "",
        ] {
            assert!(!is_data_script_type(t), "{t}");
        }
    }

    #[test]
    fn url_literals_split_a_loader_into_its_strings() {
        let segment = r#"!function(){var i="analytics",analytics=window[i]=window[i]||[];analytics.factory=function(e){return function(){var t=Array.prototype.slice.call(arguments);}};analytics.load=function(key,n){var t=document.createElement("script");t.src="https://cdn.segment.com/analytics.js/v1/" + key + "/analytics.min.js";};analytics.load('abc');}();"#;
        let lits = url_literals(segment);
        assert!(
            lits.contains(&"https://cdn.segment.com/analytics.js/v1/"),
            "{lits:?}"
        );
        assert!(lits.contains(&"/analytics.min.js"), "{lits:?}");
        // No literal spans `Array.prototype` and a later `.js`.
        assert!(lits.iter().all(|l| !l.contains("prototype")), "{lits:?}");
        assert_eq!(
            url_literals("a = 'it\\'s'; b = `//x.example/${id}.js`; // don't\nc = \"no\""),
            vec!["//x.example/${id}.js"]
        );
        // Stylesheets and images are not scripts.
        assert_eq!(
            url_literals(
                r#"l.href="https://cdn.x.example/w/widget.css?v=2"; i="/img/a.png"; s="https://cdn.x.example/w/widget.js";"#
            ),
            vec!["https://cdn.x.example/w/widget.js"]
        );
    }

    /// `url_literals` as first written, a byte at a time.
    fn url_literals_bytewise(text: &str) -> Vec<&str> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() && out.len() < 1000 {
            let q = bytes[i];
            if q != b'"' && q != b'\'' && q != b'`' {
                i += 1;
                continue;
            }
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != q && (q == b'`' || bytes[j] != b'\n') {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(bytes.len());
            if let Some(lit) = text.get(start..end).filter(|l| may_be_script_url(l)) {
                out.push(lit);
            }
            i = end + 1;
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// The memchr-driven scan gives what the byte-at-a-time one gave:
        /// quotes of three kinds, escapes (also before a quote, a line
        /// break or the end), line breaks, multibyte text.
        #[test]
        fn url_literals_agree_with_a_bytewise_scan(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "\"", "'", "`", "\\", "\n", "/", "a", " ", "é", "x.js", ".css",
                    "https://cdn.example/", "${id}",
                ]),
                0..60,
            ),
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(url_literals(&text), url_literals_bytewise(&text));
        }
    }

    #[test]
    fn selector_literals() {
        for (selector, want) in [
            (
                "a[href*='//calendly.com/'][target='_blank']",
                Some("//calendly.com/"),
            ),
            (".animate__animated", Some("animate__animated")),
            ("a[href*='x.io'], b", None),
            ("div", None),
            // Custom elements, never implied by the parser; built-in ones
            // may be (`<td>` alone makes a `tbody` and a `tr`).
            ("lite-youtube", Some("<lite-youtube")),
            ("body > harbor-app.x", Some("<harbor-app")),
            ("tbody tr", None),
            // The name in an attribute value or after a class is no tag; an
            // attribute value comes before a longer name.
            ("[data-x='a-b']", Some("a-b")),
            ("[aria-labelledby='pi-visa']", Some("pi-visa")),
            (".foo-bar", Some("foo-bar")),
            // Escapes: `\.` is a dot; a hex escape gives up.
            (
                r"iframe[src*='player\.twitch\.tv']",
                Some("player.twitch.tv"),
            ),
            (r"#\31 23", None),
        ] {
            assert_eq!(selector_literal(selector).as_deref(), want, "{selector}");
        }
    }

    #[test]
    fn dom_keys_come_from_the_rightmost_compound() {
        use DomKey::{Attr, Class, Id, Tag};
        let k = |s: &str| dom_keys(s);
        assert_eq!(
            k("a[href*='//calendly.com/'][target='_blank']"),
            Some(vec![Tag("a".into())])
        );
        assert_eq!(
            k("div#Hubspot-Messages.chat > iframe.widget"),
            Some(vec![Class("widget".into())])
        );
        assert_eq!(k("body #HS-Chat"), Some(vec![Id("hs-chat".into())]));
        assert_eq!(
            k("link[rel='stylesheet'][href*='x.css'], script#boot"),
            Some(vec![Tag("link".into()), Id("boot".into())])
        );
        // Combinator characters inside attribute values are not combinators.
        assert_eq!(
            k("meta[content~='a > b + c']"),
            Some(vec![Tag("meta".into())])
        );
        assert_eq!(k("input:checked"), Some(vec![Tag("input".into())]));
        // An attribute when there is nothing else: its name, lowercased.
        assert_eq!(k("[data-Widget]"), Some(vec![Attr("data-widget".into())]));
        assert_eq!(
            k("[aria-labelledby='pi-visa'][data-x], a, [Href*='a=b']"),
            Some(vec![
                Attr("aria-labelledby".into()),
                Tag("a".into()),
                Attr("href".into())
            ])
        );
        // No certain key: every element is tried.
        for s in [
            ".real/* .fake",
            "*",
            "div:not(.x)",
            "svg|rect",
            "#caf\\e9",
            "#café",
            ":root",
            "a, *",
        ] {
            assert_eq!(k(s), None, "{s}");
        }
    }

    #[test]
    fn select_all_finds_what_select_finds() {
        // Through the buckets, every selector finds exactly the elements
        // `Html::select` finds, in the same order, case rules included.
        let doc = Html::parse_document(
            r#"<!DOCTYPE html><html><body class="Home"><div id="App" class="a B"><a href="https://calendly.com/x" class="btn">x</a>
            <iframe id="hs-chat" src="https://js.hs-scripts.com/"></iframe><a class="btn BTN" href="/y">y</a></div>
            <svg><foreignObject class="fo"></foreignObject></svg><link rel="stylesheet" href="/x.css"></body></html>"#,
        );
        let sources = [
            "a",
            "a.btn",
            ".BTN",
            "#app a",
            "#App a",
            "#HS-CHAT",
            "#hs-chat",
            "div.B > a",
            "foreignObject",
            ".fo",
            "link[href$='.css'], iframe",
            "body.Home",
            "a[href*='calendly.com']",
            "[href]",
            "[HREF*='calendly']",
            "[class~='fo']",
            "*",
        ];
        let selectors: Vec<Selector> = sources
            .iter()
            .map(|s| Selector::parse(s).unwrap())
            .collect();
        let keys: Vec<Option<Vec<DomKey>>> = sources.iter().map(|s| dom_keys(s)).collect();
        let ours: Vec<CssSelector> = sources
            .iter()
            .map(|s| CssSelector::parse(s).unwrap())
            .collect();
        let queries: Vec<Query<'_>> = ours
            .iter()
            .zip(&keys)
            .map(|(s, k)| Query {
                selector: s,
                keys: k.as_deref(),
                needs: None,
            })
            .collect();
        let mut nonempty = 0;
        for ((source, selector), got) in sources
            .iter()
            .zip(&selectors)
            .zip(select_all(&doc, &queries))
        {
            let expected: Vec<_> = doc.select(selector).map(|e| e.id()).collect();
            let got: Vec<_> = got.iter().map(|e| e.id()).collect();
            assert_eq!(got, expected, "{source}");
            nonempty += usize::from(!expected.is_empty());
        }
        // Most selectors match something in the fixture; "#app a" and
        // "#HS-CHAT" differ from the markup in case only (".BTN" matches the
        // link whose class list has "btn" and "BTN": bucketed once).
        assert_eq!(nonempty, sources.len() - 2);
    }

    #[test]
    fn globs() {
        assert!(glob("_ga_*", "_ga_ABC123"));
        assert!(!glob("_ga_*", "_gat"));
        assert!(glob("visitor_id*", "visitor_id12345"));
    }

    #[test]
    fn js_uses() {
        let t = "var _hsq = window._hsq = window._hsq || [];";
        let s = t.find("_hsq").unwrap_or(0);
        assert!(matches!(js_use(t, s, s + 4), Some(JsUse::Assigned(_))));
        let t = "x.foo_hsq.bar";
        assert!(js_use(t, 5, 9).is_none());
        let t = "piAId = '123456';";
        assert!(matches!(js_use(t, 0, 5), Some(JsUse::Assigned("123456"))));
    }
}

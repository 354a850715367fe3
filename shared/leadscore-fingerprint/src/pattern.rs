//! One Wappalyzer pattern: a JS-flavoured, case-insensitive regex plus its
//! `\;confidence:N` and `\;version:...` tags, compiled once.

use std::sync::OnceLock;

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::prepared::PreparedPatterns;

/// Literals shorter than this are not worth prefiltering on: the pattern
/// then always runs.
const MIN_LITERAL_LEN: usize = 3;
/// Upper bound on the number of alternative literals kept for one pattern.
const MAX_LITERALS: usize = 16;

/// The compiled regex of a pattern.
#[derive(Debug)]
enum Engine {
    /// Empty pattern: matches anything (existence check).
    Any,
    /// Compiled by the `regex` crate (byte oriented, linear time), on first
    /// use. `None` inside means compilation failed (only possible past the
    /// size limit; [`Pattern::force`] reports it).
    Fast {
        body: String,
        unicode: bool,
        re: OnceLock<Option<regex::bytes::Regex>>,
    },
    /// Needs look-around or backreferences: compiled by `fancy-regex`.
    Fancy(Box<fancy_regex::Regex>),
}

/// A compiled pattern with its tags.
#[derive(Debug)]
pub(crate) struct Pattern {
    engine: Engine,
    /// Confidence added when the pattern matches (0–100).
    pub(crate) confidence: u8,
    /// Version template, e.g. `\1` or `\1?GA4:`.
    version: Option<String>,
    /// Required literals (any match contains at least one of them, compared
    /// ASCII case-insensitively). Empty when none could be extracted.
    pub(crate) literals: Vec<String>,
    /// Further required sets: any match also contains at least one literal
    /// of each (other parts of the same top-level sequence).
    pub(crate) also: Vec<Vec<String>>,
    /// No match contains `>` and the regex has no anchor (`^`, `$`, `\A`,
    /// `\z`), and it is not in Unicode mode: a match lies inside one
    /// stretch of text between two `>`, and is the same whether searched
    /// for in the whole text or in that stretch alone (see
    /// [`Pattern::find_around`]).
    pub(crate) confined: bool,
    /// The regex was parsed at load (it was neither a plain literal nor
    /// prepared).
    pub(crate) parsed: bool,
}

/// What parsing one pattern's regex tells the load: whether it needs
/// Unicode mode and the literals the prefilter looks for. Loading learns it
/// by parsing (`regex_syntax`), a third of the load's time on the embedded
/// set; a caller that knows its patterns ahead of time (the binaries, whose
/// build script analyses the embedded files) hands it over as
/// [`PreparedPatterns`](crate::PreparedPatterns) and the load skips the
/// parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternAnalysis {
    /// The regex as the engine compiles it: translated from JavaScript
    /// syntax, without its `\;` tags.
    pub body: String,
    /// Parsed only in Unicode mode (non-ASCII case folding).
    pub unicode: bool,
    /// Every match contains one of these (ASCII case-insensitively); empty
    /// when the pattern has no usable literal and always runs.
    pub literals: Vec<String>,
    /// Further sets, each of which every match contains a literal of.
    pub also: Vec<Vec<String>>,
    /// No match contains `>`, and the regex has no anchor and is not in
    /// Unicode mode: it can be searched for between the `>` around its
    /// literals' occurrences alone.
    pub confined: bool,
}

/// A successful match: the matched text and the resolved version.
#[derive(Debug)]
pub(crate) struct Hit {
    pub(crate) snippet: String,
    pub(crate) version: Option<String>,
}

impl Pattern {
    /// Parses tags and compiles `raw` as Wappalyzer does (case-insensitive).
    /// `prepared` saves the parse of the patterns it has.
    pub(crate) fn compile(raw: &str, prepared: &PreparedPatterns<'_>) -> Result<Self, String> {
        let mut parts = raw.split("\\;");
        let body = parts.next().unwrap_or_default();
        let mut confidence = 100u8;
        let mut version = None;
        for tag in parts {
            if let Some(v) = tag.strip_prefix("confidence:") {
                confidence = v
                    .trim()
                    .parse::<u32>()
                    .map(|n| n.min(100) as u8)
                    .map_err(|_| format!("bad confidence tag {tag:?}"))?;
            } else if let Some(v) = tag.strip_prefix("version:") {
                version = Some(v.to_owned());
            }
            // Unknown tags are ignored, as Wappalyzer does.
        }
        let body = translate_js(body);
        if body.is_empty() {
            return Ok(Self {
                engine: Engine::Any,
                confidence,
                version,
                literals: Vec::new(),
                also: Vec::new(),
                confined: false,
                parsed: false,
            });
        }
        // A plain ASCII literal (about half of the non-empty patterns) needs
        // no parse: it is its own required literal.
        if let Some(lit) = plain_literal(&body) {
            let confined = !lit.contains('>');
            let literals = if lit.len() >= MIN_LITERAL_LEN {
                vec![lit]
            } else {
                Vec::new()
            };
            return Ok(Self {
                engine: Engine::Fast {
                    body,
                    unicode: false,
                    re: OnceLock::new(),
                },
                confidence,
                version,
                literals,
                also: Vec::new(),
                confined,
                parsed: false,
            });
        }
        if let Some(p) = prepared.get(&body) {
            let (literals, also) = p.literal_sets();
            return Ok(Self {
                engine: Engine::Fast {
                    body,
                    unicode: p.unicode,
                    re: OnceLock::new(),
                },
                confidence,
                version,
                literals,
                also,
                confined: p.confined,
                parsed: false,
            });
        }
        // Validate now (parsing is cheap), compile the automaton on first
        // use: most patterns never run thanks to the prefilter.
        let parsed = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&body)
            .map(|hir| (hir, false))
            .or_else(|_| {
                regex_syntax::Parser::new()
                    .parse(&body)
                    .map(|hir| (hir, true))
                    .map_err(Box::new)
            });
        let (engine, literals, also, confined) = match parsed {
            Ok((hir, unicode)) => {
                let literals = literals_of(&hir);
                let also = secondary_literals(&hir, &literals);
                let confined = !unicode && confined(&hir);
                (
                    Engine::Fast {
                        body,
                        unicode,
                        re: OnceLock::new(),
                    },
                    literals,
                    also,
                    confined,
                )
            }
            Err(fast_err) => match fancy_regex::RegexBuilder::new(&body)
                .case_insensitive(true)
                .build()
            {
                Ok(re) => (
                    Engine::Fancy(Box::new(re)),
                    extract_literals(&strip_lookaround(&body)),
                    Vec::new(),
                    false,
                ),
                Err(fancy_err) => {
                    let first = fast_err.to_string();
                    let first = first.lines().last().unwrap_or_default().trim().to_owned();
                    return Err(format!("regex: {first}; fancy-regex: {fancy_err}"));
                }
            },
        };
        Ok(Self {
            engine,
            confidence,
            version,
            literals,
            also,
            confined,
            parsed: true,
        })
    }

    /// What a parse of this pattern's regex gave (or would give): `None`
    /// for the empty pattern, plain literals (which need no parse) and
    /// `fancy-regex` patterns (which are compiled at load either way).
    pub(crate) fn analysis(&self) -> Option<PatternAnalysis> {
        let Engine::Fast { body, unicode, .. } = &self.engine else {
            return None;
        };
        plain_literal(body).is_none().then(|| PatternAnalysis {
            body: body.clone(),
            unicode: *unicode,
            literals: self.literals.clone(),
            also: self.also.clone(),
            confined: self.confined,
        })
    }

    /// True when the pattern needed `fancy-regex`.
    pub(crate) fn is_fancy(&self) -> bool {
        matches!(self.engine, Engine::Fancy(_))
    }

    /// The compiled `regex`, building it on first use.
    fn fast(&self) -> Option<&regex::bytes::Regex> {
        let Engine::Fast { body, unicode, re } = &self.engine else {
            return None;
        };
        re.get_or_init(|| {
            regex::bytes::RegexBuilder::new(body)
                .case_insensitive(true)
                .unicode(*unicode)
                .build()
                .ok()
        })
        .as_ref()
    }

    /// Compiles now (normally done on first use); the error, if any.
    pub(crate) fn force(&self) -> Result<(), String> {
        match &self.engine {
            Engine::Fast { body, unicode, .. } => {
                if self.fast().is_some() {
                    return Ok(());
                }
                regex::bytes::RegexBuilder::new(body)
                    .case_insensitive(true)
                    .unicode(*unicode)
                    .build()
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            _ => Ok(()),
        }
    }

    /// True for an empty pattern (existence check).
    pub(crate) fn is_any(&self) -> bool {
        matches!(self.engine, Engine::Any)
    }

    /// Runs a [`confined`](Self::confined) pattern on `hay` where it can
    /// match: in the stretches between two `>` around `at`, the ascending
    /// positions of its literals' occurrences in `hay` (every match
    /// contains one). Gives what [`find`](Self::find) gives on the whole
    /// text: a match lies in one stretch, and the first stretch with a
    /// match holds the leftmost one. Word boundaries see the same
    /// neighbours, as a stretch is bounded by `>` (not a word character) or
    /// by the text's ends. Each byte is searched at most once.
    pub(crate) fn find_around(
        &self,
        hay: &str,
        at: impl IntoIterator<Item = usize>,
    ) -> Option<Hit> {
        let bytes = hay.as_bytes();
        let mut searched = 0;
        for p in at {
            if p < searched || p > bytes.len() {
                continue;
            }
            let start = memchr::memrchr(b'>', &bytes[..p]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'>', &bytes[p..]).map_or(bytes.len(), |i| p + i);
            searched = end + 1;
            // Both ends are at `>` (ASCII) or at the text's ends: char
            // boundaries.
            if let Some(hit) = hay.get(start..end).and_then(|s| self.find(s)) {
                return Some(hit);
            }
        }
        None
    }

    /// [`find`](Self::find), passing over the matches that `skip` rejects
    /// (one inside a script's comment): it is asked about where the match
    /// ends, since a pattern may begin with a character of context (the
    /// line break before `analytics.load(` that ends a `//` comment); the
    /// first match it accepts, looking at [`MAX_SKIPPED`] matches at most.
    /// The empty pattern ("present") is not asked about.
    pub(crate) fn find_unless(&self, hay: &str, skip: impl Fn(usize) -> bool) -> Option<Hit> {
        let mut pos = 0;
        for _ in 0..=MAX_SKIPPED {
            // A byte regex may start or end a match inside a character (a
            // class such as `[^\w$.]` takes one byte of a non-breaking
            // space): positions handed on are moved to characters' bounds.
            let (start, end) = match &self.engine {
                Engine::Any => return self.find(hay),
                Engine::Fast { .. } => {
                    let m = self.fast()?.find_at(hay.as_bytes(), pos)?;
                    (m.start(), m.end())
                }
                // A backtracking limit error is treated as "no match".
                Engine::Fancy(re) => {
                    let m = re.find_from_pos(hay, pos).ok()??;
                    (m.start(), m.end())
                }
            };
            if !skip(floor_boundary(hay, end)) {
                // The search from the match's start finds it first, with
                // the text before it as context for anchors and `\b`.
                return self.find_from(hay, start);
            }
            pos = next_boundary(hay, start);
            if pos > hay.len() {
                return None;
            }
        }
        None
    }

    /// Runs the pattern on `hay`, returning the first match.
    pub(crate) fn find(&self, hay: &str) -> Option<Hit> {
        self.find_from(hay, 0)
    }

    /// The first match in `hay` starting at `pos` or later (a char
    /// boundary), the text before `pos` read as context.
    fn find_from(&self, hay: &str, pos: usize) -> Option<Hit> {
        match &self.engine {
            Engine::Any => Some(Hit {
                snippet: truncate(&hay[pos..]),
                version: self
                    .version
                    .as_deref()
                    .and_then(|t| resolve_version(t, &[])),
            }),
            Engine::Fast { .. } => {
                let re = self.fast()?;
                // Most runs match nothing, and `captures` sets up capture
                // slots on every call (a sixth of detection's time): a
                // pattern without a version template needs only the match,
                // one with a template is first asked whether it matches.
                if self.version.is_none() {
                    let whole = re.find_at(hay.as_bytes(), pos)?;
                    return Some(Hit {
                        snippet: truncate(&String::from_utf8_lossy(whole.as_bytes())),
                        version: None,
                    });
                }
                if !re.is_match_at(hay.as_bytes(), pos) {
                    return None;
                }
                let caps = re.captures_at(hay.as_bytes(), pos)?;
                let whole = caps.get(0)?;
                let groups: Vec<Option<String>> = caps
                    .iter()
                    .skip(1)
                    .map(|g| g.map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned()))
                    .collect();
                Some(Hit {
                    snippet: truncate(&String::from_utf8_lossy(whole.as_bytes())),
                    version: self
                        .version
                        .as_deref()
                        .and_then(|t| resolve_version(t, &groups)),
                })
            }
            Engine::Fancy(re) => {
                // A backtracking limit error is treated as "no match".
                let caps = re.captures_from_pos(hay, pos).ok()??;
                let whole = caps.get(0)?;
                let groups: Vec<Option<String>> = caps
                    .iter()
                    .skip(1)
                    .map(|g| g.map(|m| m.as_str().to_owned()))
                    .collect();
                Some(Hit {
                    snippet: truncate(whole.as_str()),
                    version: self
                        .version
                        .as_deref()
                        .and_then(|t| resolve_version(t, &groups)),
                })
            }
        }
    }
}

/// The last character boundary of `s` at or before `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The first character boundary of `s` after `i` (`s.len() + 1` past the
/// end).
fn next_boundary(s: &str, i: usize) -> usize {
    let mut i = i + 1;
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Most matches [`Pattern::find_unless`] passes over before it gives up:
/// a hostile page's script with a million commented-out matches costs a
/// bounded number of searches.
pub(crate) const MAX_SKIPPED: usize = 256;

/// Maximum snippet length in characters.
pub(crate) const SNIPPET_CHARS: usize = 120;

/// Truncates to [`SNIPPET_CHARS`] characters on a char boundary.
pub(crate) fn truncate(s: &str) -> String {
    match s.char_indices().nth(SNIPPET_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Rewrites JS regex syntax the `regex` crate reads differently.
///
/// * `\/` is an escaped slash in a JS regex literal: becomes `/`.
/// * `\-`, `\_`, `\'`, `\"`, `\ `, `\<`, `\>`... (identity escapes of
///   characters that are not regex meta characters) lose the backslash.
fn translate_js(body: &str) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    let mut in_class = false;
    let mut i = 0;
    // Whether the previous class item was a class escape such as `\w`.
    let mut prev_class_escape = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                None => out.push_str("\\\\"),
                Some(&n) if n.is_ascii_alphanumeric() || is_meta(n) => {
                    out.push('\\');
                    out.push(n);
                }
                Some(&n) => out.push(n),
            }
            prev_class_escape = in_class && chars.get(i + 1).is_some_and(|n| "wWdDsS".contains(*n));
            i += 2;
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
            } else if matches!(c, '[' | '&' | '~') {
                // Literal in a JS class; nesting or set operators in Rust.
                out.push('\\');
                out.push(c);
                i += 1;
                continue;
            } else if c == '-' {
                // JS reads `[\w-.]` and `[.-\w]` with a literal `-`.
                let next_is_class_escape = chars.get(i + 1) == Some(&'\\')
                    && chars.get(i + 2).is_some_and(|n| "wWdDsS".contains(*n));
                if prev_class_escape || next_is_class_escape {
                    out.push_str("\\-");
                    prev_class_escape = false;
                    i += 1;
                    continue;
                }
            }
        } else if c == '[' {
            in_class = true;
            // A leading `]` or `^]` is literal in a class.
            out.push(c);
            i += 1;
            if chars.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            prev_class_escape = false;
            continue;
        }
        prev_class_escape = false;
        out.push(c);
        i += 1;
    }
    out
}

fn is_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '-'
            | '#'
            | '&'
            | '~'
    )
}

/// Substitutes `\N` and ternaries `\N?a:b` in a version template.
fn resolve_version(template: &str, groups: &[Option<String>]) -> Option<String> {
    let group = |n: usize| -> &str {
        groups
            .get(n.wrapping_sub(1))
            .and_then(|g| g.as_deref())
            .unwrap_or("")
    };
    let mut out = String::new();
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() {
            let n = usize::from(bytes[i + 1] - b'0');
            i += 2;
            // Ternary: \N?yes:no (runs to the end of the template).
            if i < bytes.len() && bytes[i] == b'?' {
                let rest = &template[i + 1..];
                let (yes, no) = rest.split_once(':').unwrap_or((rest, ""));
                out.push_str(if group(n).is_empty() { no } else { yes });
                break;
            }
            out.push_str(group(n));
        } else {
            let ch = template[i..].chars().next().unwrap_or_default();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    let out = out.trim().to_owned();
    // As Wappalyzer: a longer "version" is page text a loose pattern
    // captured, not a version (and could be megabytes).
    (!out.is_empty() && out.chars().count() <= MAX_VERSION_CHARS).then_some(out)
}

/// The longest version kept, in characters (Wappalyzer's limit).
pub const MAX_VERSION_CHARS: usize = 15;

/// Extracts a set of literals, one of which every match must contain.
/// Returns an empty vector when no useful set exists (the pattern then
/// always runs).
pub(crate) fn extract_literals(body: &str) -> Vec<String> {
    match regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(body)
        .or_else(|_| regex_syntax::Parser::new().parse(body).map_err(Box::new))
    {
        Ok(hir) => literals_of(&hir),
        Err(_) => Vec::new(),
    }
}

/// Required literals of a parsed pattern (see [`extract_literals`]).
fn literals_of(hir: &Hir) -> Vec<String> {
    match required(hir) {
        Some(set) if set.iter().all(|l| l.len() >= MIN_LITERAL_LEN) => set
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// The required literal sets of the other parts of a top-level sequence
/// than the one `primary` came from ("<[^>]+//(?:assets|images)\.(?:
/// ctfassets\.net|contentful\.com)" requires one of each alternation).
fn secondary_literals(hir: &Hir, primary: &[String]) -> Vec<Vec<String>> {
    let mut hir = hir;
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    let HirKind::Concat(items) = hir.kind() else {
        return Vec::new();
    };
    let mut sets: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for item in items {
        if let HirKind::Literal(lit) = item.kind() {
            run.extend_from_slice(&lit.0);
            continue;
        }
        if !run.is_empty() {
            sets.push(vec![std::mem::take(&mut run)]);
        }
        if let Some(set) = required(item) {
            sets.push(set);
        }
    }
    if !run.is_empty() {
        sets.push(vec![run]);
    }
    let mut primary: Vec<&[u8]> = primary.iter().map(|l| l.as_bytes()).collect();
    primary.sort_unstable();
    sets.into_iter()
        .filter(|set| set.iter().all(|l| l.len() >= MIN_LITERAL_LEN) && set.len() <= MAX_LITERALS)
        .filter(|set| {
            let mut s: Vec<&[u8]> = set.iter().map(Vec::as_slice).collect();
            s.sort_unstable();
            s != primary
        })
        // A literal that is not UTF-8 (a byte pattern) cannot be searched
        // for in text: such a set is not used.
        .filter_map(|set| set.into_iter().map(|l| String::from_utf8(l).ok()).collect())
        .collect()
}

/// Removes look-around groups and backreferences, leaving a pattern that
/// matches a superset of what `body` matches: its required literals are
/// required by `body` too.
fn strip_lookaround(body: &str) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1].is_ascii_digit() {
                // A backreference matches unknown text: break literal runs.
                out.push_str("(?s:.*)");
                i += 2;
                continue;
            }
            out.push_str(&body[i..i + 2]);
            i += 2;
            continue;
        }
        let rest = &body[i..];
        if rest.starts_with("(?=")
            || rest.starts_with("(?!")
            || rest.starts_with("(?<=")
            || rest.starts_with("(?<!")
        {
            // Skip to the matching parenthesis.
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 1,
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        let ch = rest.chars().next().unwrap_or_default();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The text `body` matches when it is a plain ASCII literal: no regex meta
/// character, and escapes only of ASCII punctuation (`\.`, `\/`, ...).
/// `None` for anything else, including non-ASCII text, which goes through
/// the parser for its case folding.
fn plain_literal(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if !c.is_ascii() || c.is_ascii_control() {
            return None;
        }
        if c == '\\' {
            match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            }
        } else if matches!(
            c,
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
        ) {
            return None;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Words found on nearly every page: a literal made of them filters little.
const COMMON_WORDS: &[&str] = &[
    "javascript",
    "content",
    "script",
    "class",
    "https",
    "href",
    "http",
    "name",
    "type",
    "data",
    "link",
    "meta",
    "html",
    "src",
    "div",
    "www",
    "com",
    "rel",
    "css",
    "js",
];

/// How selective a literal is likely to be: its length, not counting
/// punctuation and words found on nearly every page.
fn rarity(lit: &[u8]) -> usize {
    // Alphanumeric bytes not covered by a common word; words are removed
    // left to right in list order, as repeated `str::replace` would.
    let lower = lit.to_ascii_lowercase();
    let mut covered = vec![false; lower.len()];
    for w in COMMON_WORDS {
        let w = w.as_bytes();
        let mut i = 0;
        while i + w.len() <= lower.len() {
            if lower[i..i + w.len()] == *w && !covered[i..i + w.len()].iter().any(|&c| c) {
                covered[i..i + w.len()].iter_mut().for_each(|c| *c = true);
                i += w.len();
            } else {
                i += 1;
            }
        }
    }
    let alnum = lower
        .iter()
        .zip(&covered)
        .filter(|&(b, &c)| !c && b.is_ascii_alphanumeric())
        .count();
    // Ties broken by plain length, so longer literals still win.
    alnum * 1000 + lit.len()
}

/// Whether no match of `hir` contains `>` and it has no anchor (see
/// [`Pattern::confined`]).
fn confined(hir: &Hir) -> bool {
    /// Whether some match of `hir` may contain `b`.
    fn may_contain(hir: &Hir, b: u8) -> bool {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => false,
            HirKind::Literal(lit) => lit.0.contains(&b),
            HirKind::Class(Class::Unicode(c)) => c
                .ranges()
                .iter()
                .any(|r| r.start() <= char::from(b) && char::from(b) <= r.end()),
            HirKind::Class(Class::Bytes(c)) => {
                c.ranges().iter().any(|r| r.start() <= b && b <= r.end())
            }
            HirKind::Repetition(r) => may_contain(&r.sub, b),
            HirKind::Capture(c) => may_contain(&c.sub, b),
            HirKind::Concat(items) | HirKind::Alternation(items) => {
                items.iter().any(|h| may_contain(h, b))
            }
        }
    }
    !hir.properties().look_set().contains_anchor() && !may_contain(hir, b'>')
}

/// The literal set required by `hir`, if any.
fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![lit.0.to_vec()]),
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(required(a)?);
                if all.len() > MAX_LITERALS {
                    return None;
                }
            }
            Some(all)
        }
        HirKind::Concat(items) => {
            // Merge runs of adjacent literals, then keep the best candidate:
            // the set whose shortest literal is longest.
            let mut best: Option<Vec<Vec<u8>>> = None;
            let mut run: Vec<u8> = Vec::new();
            let consider = |cand: Vec<Vec<u8>>, best: &mut Option<Vec<Vec<u8>>>| {
                let score = |s: &Vec<Vec<u8>>| s.iter().map(|l| rarity(l)).min().unwrap_or(0);
                // A set with a too-short literal cannot be used at all.
                if cand.iter().any(|l| l.len() < MIN_LITERAL_LEN) {
                    return;
                }
                if best.as_ref().is_none_or(|b| score(&cand) > score(b)) {
                    *best = Some(cand);
                }
            };
            for item in items {
                if let HirKind::Literal(lit) = item.kind() {
                    run.extend_from_slice(&lit.0);
                    continue;
                }
                if !run.is_empty() {
                    consider(vec![std::mem::take(&mut run)], &mut best);
                }
                if let Some(set) = required(item) {
                    consider(set, &mut best);
                }
            }
            if !run.is_empty() {
                consider(vec![run], &mut best);
            }
            best
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_from_concat_and_alternation() {
        assert_eq!(
            extract_literals(r"js\.hs-scripts\.com/"),
            vec!["js.hs-scripts.com/"]
        );
        let mut l = extract_literals(r"(?:api\.intercom\.io/api|static\.intercomcdn\.com)");
        l.sort();
        assert_eq!(l, vec!["api.intercom.io/api", "static.intercomcdn.com"]);
        assert!(extract_literals(r"^.+$").is_empty());
        assert!(extract_literals(r"(?:ab|[xy]z)").is_empty());
    }

    #[test]
    fn further_required_sets_of_a_sequence() {
        let also = |body: &str| {
            let p = Pattern::compile(body, &PreparedPatterns::default()).unwrap();
            (p.literals, p.also)
        };
        // One set per part of the top-level sequence besides the primary
        // ("//" is too short to search for).
        let (primary, rest) =
            also(r"<[^>]+//(?:assets|images)\.(?:ctfassets\.net|contentful\.com)");
        let mut all: Vec<Vec<String>> = rest.into_iter().chain([primary]).collect();
        for set in &mut all {
            set.sort();
        }
        all.sort();
        assert_eq!(
            all,
            vec![
                vec!["assets".to_owned(), "images".to_owned()],
                vec!["contentful.com".to_owned(), "ctfassets.net".to_owned()],
            ]
        );
        // Nothing further for a single literal, an alternation on top, or
        // parts too short to search for.
        assert!(also("wp-content").1.is_empty());
        assert!(also(r"(?:foo-bar|baz-qux)").1.is_empty());
        assert!(also(r"ab[0-9]+cd").1.is_empty());
    }

    #[test]
    fn literals_of_fancy_patterns() {
        assert_eq!(
            extract_literals(&strip_lookaround(r"\.acquire\.io/(?!cobrowse)")),
            vec![".acquire.io/"]
        );
        assert_eq!(
            strip_lookaround(r"<(b|i)>x</\1>(?<=a(b))c"),
            "<(b|i)>x</(?s:.*)>c"
        );
    }

    #[test]
    fn plain_literals_skip_the_parser() {
        assert_eq!(
            plain_literal(r"js\.hs-scripts\.com/").as_deref(),
            Some("js.hs-scripts.com/")
        );
        assert_eq!(
            plain_literal("wp-content #x &y ~z").as_deref(),
            Some("wp-content #x &y ~z")
        );
        for not_plain in [r"a\.b?", r"\d+", "x|y", "(a)", "caf\u{e9}", "^a", "[a]"] {
            assert_eq!(plain_literal(not_plain), None, "{not_plain}");
        }
        assert_eq!(
            plain_literal("café"),
            None,
            "non-ASCII goes through the parser"
        );
        // The fast path and the parser agree on the literal.
        let p = Pattern::compile(r"static\.hotjar\.com", &PreparedPatterns::default()).unwrap();
        assert_eq!(p.literals, extract_literals(r"static\.hotjar\.com"));
        assert!(p.find("<script src=//STATIC.HOTJAR.COM/c.js>").is_some());
    }

    #[test]
    fn rarity_ignores_common_words() {
        // "javascript" is covered before "script" can be.
        assert_eq!(rarity(b"javascript"), 10);
        assert_eq!(rarity(b"JavaScript:void"), 4 * 1000 + 15);
        assert_eq!(rarity(b"hubspot"), 7 * 1000 + 7);
        assert_eq!(rarity(b"www.acme.com"), 4 * 1000 + 12);
    }

    #[test]
    fn prefers_rare_literals() {
        assert_eq!(
            extract_literals(r#"<div class="[^"]*parbase"#),
            vec!["parbase"]
        );
    }

    #[test]
    fn version_ternary() {
        let g = vec![Some("G-".to_owned())];
        assert_eq!(resolve_version(r"\1?GA4:", &g).as_deref(), Some("GA4"));
        assert_eq!(resolve_version(r"\1?GA4:", &[None]), None);
        assert_eq!(
            resolve_version(r"\1", &[Some("1.2".into())]).as_deref(),
            Some("1.2")
        );
    }

    #[test]
    fn js_escapes() {
        assert_eq!(translate_js(r"a\/b\-c\.d"), r"a/b\-c\.d");
        assert_eq!(translate_js(r"\_x\'"), "_x'");
        assert_eq!(translate_js(r"[\w-.]+"), r"[\w\-.]+");
        assert_eq!(translate_js(r"[\d\.-\w]"), r"[\d\.\-\w]");
        assert_eq!(translate_js(r"[a-z]"), r"[a-z]");
    }

    fn compiled(raw: &str) -> Pattern {
        Pattern::compile(raw, &PreparedPatterns::default()).unwrap()
    }

    #[test]
    fn confined_patterns_cannot_match_a_gt_and_have_no_anchor() {
        for (raw, want) in [
            (r"<[^>]+/(?:sys_master|hybr)/", true),
            (r#"<(?:link|a)[^>]+href=["']wss?://"#, true),
            (r"\bdata-v(?:ue)?-\d+", true),
            (r"js\.hs-scripts\.com", true),
            // `.` matches `>`.
            ("js.hs-scripts.com", false),
            (r"<link[^>]+foundation\;version:\1", true),
            // Each of these can match a `>` or is anchored.
            (r"<script>[\s\S]*?go-mpulse\.net", false),
            (r"<html[^>]* (?:amp|x)[^-]", false),
            (r"<a .*?wix\.com", false),
            (r"\S+\.example\.js", false),
            (r"^/wp-admin/", false),
            (r"powered by$", false),
            ("a>b", false),
            // Unicode mode (a non-ASCII case fold could match text the
            // literal scan, which folds ASCII only, does not see).
            (r"<[^>]+\p{Greek}+ology", false),
            ("", false),
        ] {
            assert_eq!(compiled(raw).confined, want, "{raw}");
        }
    }

    /// Starts of the occurrences of `literals` in `text`, ignoring ASCII
    /// case, ascending: what the page scan reports.
    fn starts(text: &str, literals: &[String]) -> Vec<usize> {
        let lower = text.to_ascii_lowercase().into_bytes();
        let mut v: Vec<usize> = literals
            .iter()
            .flat_map(|l| {
                let l = l.to_ascii_lowercase().into_bytes();
                (0..lower.len())
                    .filter(|&i| lower[i..].starts_with(&l))
                    .collect::<Vec<_>>()
            })
            .collect();
        v.sort_unstable();
        v
    }

    fn outcome(hit: Option<Hit>) -> Option<(String, Option<String>)> {
        hit.map(|h| (h.snippet, h.version))
    }

    #[test]
    fn find_around_finds_the_leftmost_match_in_a_later_tag() {
        let p = compiled(r#"<[^>]+\sdata-v(?:ue)?-(\w+)\;version:\1"#);
        assert!(p.confined);
        let text =
            r#"<p>data-v- in text</p><b data-vue>x</b><div class="a" data-v-12ab><i data-v-99>"#;
        let at = starts(text, &p.literals);
        assert!(at.len() >= 3, "{at:?}");
        let hit = p.find_around(text, at).unwrap();
        assert_eq!(hit.snippet, r#"<div class="a" data-v-12ab"#);
        assert_eq!(hit.version.as_deref(), Some("12ab"));
        assert_eq!(outcome(p.find(text)), Some((hit.snippet, hit.version)));
        // No occurrence given: nothing searched.
        assert!(p.find_around(text, []).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Searching around the literals' occurrences gives what searching
        /// the whole text gives, for confined patterns of each shape: tag
        /// bound, word bounded, literal only, with a version capture.
        #[test]
        fn find_around_gives_what_find_gives(
            which in 0usize..5,
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<", ">", " ", "a", "B", "=\"", "-", "_", "\n", "é",
                    "hybr", "HYBR", "/hybr/", "<link ", "href='wss://", "data-v-",
                    "data-vue-", "x1", "foundation", "FOUNDATION.css",
                ]),
                0..40,
            ),
        ) {
            let raw = [
                r"<[^>]+/(?:sys_master|hybr)/",
                r#"<(?:link|a)[^>]+href=["']wss?://"#,
                r"\bdata-v(?:ue)?-\w",
                "foundation",
                r"<link[^>]+(foundation)[^>]*\.css\;version:\1",
            ][which];
            let p = compiled(raw);
            proptest::prop_assert!(p.confined);
            let text: String = parts.concat();
            let around = outcome(p.find_around(&text, starts(&text, &p.literals)));
            proptest::prop_assert_eq!(around, outcome(p.find(&text)));
        }
    }
}

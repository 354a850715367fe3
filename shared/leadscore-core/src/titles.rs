//! Seniority and department from a job title, driven by a data file.
//!
//! The taxonomy (`data/taxonomy/titles.toml`, format in
//! `docs/title-taxonomy.md`) lists keywords per department and seniority in
//! English, Spanish, Portuguese, French and German, the traps that would
//! mislead them ("Head Chef", "Lead Generation Specialist", "Account
//! Manager", ...) and the evergreen or talent-pool posts that are not open
//! roles. It is loaded by a pure function ([`Taxonomy::from_toml`]) that
//! reports every problem with its file, line and column; the shipped file is
//! embedded ([`DEFAULT_TAXONOMY`]) and users may load their own.
//!
//! Lead titles ([`classify`]) and job posts (the hiring crate, which asks
//! [`Taxonomy::departments_of`] for the ATS's own department field first)
//! use the same taxonomy.

use std::fmt;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::domain::{Department, Seniority};
use crate::model::Problem;

/// The taxonomy shipped with leadscore (`data/taxonomy/titles.toml`).
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../data/taxonomy/titles.toml");
/// The file name reported for problems in [`DEFAULT_TAXONOMY`].
pub const DEFAULT_TAXONOMY_FILE: &str = "data/taxonomy/titles.toml";

/// Seniority and department found in a title; either may be unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TitleClass {
    /// Seniority, if recognized.
    pub seniority: Option<Seniority>,
    /// Department, if recognized.
    pub department: Option<Department>,
}

/// A taxonomy file that could not be loaded: every problem, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TaxonomyError {
    /// The file the taxonomy was read from.
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for TaxonomyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.reason)?;
        }
        Ok(())
    }
}

/// One keyword, normalized, as a pattern over a space-padded title.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keyword {
    /// The text searched for in the normalized title.
    needle: String,
}

impl Keyword {
    /// Parses `word`, `word*` (word prefix) or `*word` (word suffix).
    fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let prefix = trimmed.ends_with('*');
        let suffix = trimmed.starts_with('*');
        let core = trimmed.trim_matches('*');
        if core.contains('*') {
            return Err(format!(
                "keyword `{raw}`: `*` is only allowed at its start or end"
            ));
        }
        let norm = normalize(core);
        let inner = norm.trim();
        if inner.is_empty() {
            return Err(format!("keyword `{raw}` has no letters or digits"));
        }
        let mut needle = String::with_capacity(inner.len() + 2);
        if !suffix {
            needle.push(' ');
        }
        needle.push_str(inner);
        if !prefix {
            needle.push(' ');
        }
        Ok(Self { needle })
    }

    fn matches(&self, normalized: &str) -> bool {
        normalized.contains(&self.needle)
    }
}

#[derive(Debug, Clone)]
struct Trap {
    phrase: Keyword,
    department: Option<Department>,
    seniority: Option<Seniority>,
}

/// A validated, compiled title taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    traps: Vec<Trap>,
    evergreen: Vec<Keyword>,
    /// Department field names that span several departments ("Go To
    /// Market"), matched against a whole field or part.
    umbrella: Vec<Keyword>,
    seniority: Vec<(Seniority, Vec<Keyword>)>,
    department: Vec<(Department, Vec<Keyword>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    version: toml::Spanned<i64>,
    #[serde(default)]
    trap: Vec<toml::Spanned<RawTrap>>,
    #[serde(default)]
    evergreen: Option<RawEvergreen>,
    #[serde(default)]
    umbrella: Option<RawEvergreen>,
    #[serde(default)]
    seniority: Vec<toml::Spanned<RawRule>>,
    #[serde(default)]
    department: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrap {
    phrase: String,
    department: Option<toml::Spanned<String>>,
    seniority: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvergreen {
    keywords: toml::Spanned<Vec<toml::Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: toml::Spanned<String>,
    keywords: toml::Spanned<Vec<toml::Spanned<String>>>,
}

const DEPARTMENTS: [Department; 12] = [
    Department::Sales,
    Department::Marketing,
    Department::Engineering,
    Department::Product,
    Department::Design,
    Department::CustomerSuccess,
    Department::Operations,
    Department::Finance,
    Department::People,
    Department::Legal,
    Department::Data,
    Department::Other,
];

const SENIORITIES: [Seniority; 8] = [
    Seniority::CLevel,
    Seniority::Vp,
    Seniority::Head,
    Seniority::Director,
    Seniority::Manager,
    Seniority::Senior,
    Seniority::Ic,
    Seniority::Intern,
];

fn department_named(name: &str) -> Result<Department, String> {
    DEPARTMENTS
        .into_iter()
        .find(|d| d.as_str() == name)
        .ok_or_else(|| {
            let all: Vec<&str> = DEPARTMENTS.iter().map(|d| d.as_str()).collect();
            format!(
                "unknown department `{name}` (expected one of {})",
                all.join(", ")
            )
        })
}

fn seniority_named(name: &str) -> Result<Seniority, String> {
    SENIORITIES
        .into_iter()
        .find(|s| s.as_str() == name)
        .ok_or_else(|| {
            let all: Vec<&str> = SENIORITIES.iter().map(|s| s.as_str()).collect();
            format!(
                "unknown seniority `{name}` (expected one of {})",
                all.join(", ")
            )
        })
}

/// 1-based line and column of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

/// What joins the parts of an umbrella department field.
static UMBRELLA_SEPARATORS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\s*(?:[&/,+|;]|\b(?:and|und|et|y|e)\b)\s*")
        .expect("valid separator pattern")
});

static DEFAULT: LazyLock<Taxonomy> = LazyLock::new(|| {
    // A unit test checks that the embedded file loads; an empty taxonomy
    // (everything unknown) is the safe fallback.
    Taxonomy::from_toml(DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_FILE).unwrap_or_else(|_| Taxonomy {
        traps: Vec::new(),
        evergreen: Vec::new(),
        umbrella: Vec::new(),
        seniority: Vec::new(),
        department: Vec::new(),
    })
});

impl Taxonomy {
    /// The shipped taxonomy, loaded once.
    pub fn default_taxonomy() -> &'static Self {
        &DEFAULT
    }

    /// Parses and validates a taxonomy; `file` names it in errors.
    pub fn from_toml(src: &str, file: &str) -> Result<Self, TaxonomyError> {
        let fail = |problems: Vec<Problem>| TaxonomyError {
            file: file.to_owned(),
            problems,
        };
        let raw: RawTaxonomy = toml::from_str(src).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(src, s.start));
            fail(vec![Problem {
                line,
                column,
                reason: e.message().trim().to_owned(),
            }])
        })?;
        let mut problems = Vec::new();
        let mut problem = |offset: usize, reason: String| {
            let (line, column) = line_col(src, offset);
            problems.push(Problem {
                line,
                column,
                reason,
            });
        };
        if *raw.version.get_ref() != 1 {
            problem(
                raw.version.span().start,
                format!(
                    "unsupported `version` {} (this leadscore reads version 1)",
                    raw.version.get_ref()
                ),
            );
        }
        let keywords = |list: &toml::Spanned<Vec<toml::Spanned<String>>>,
                        what: &str,
                        problem: &mut dyn FnMut(usize, String)|
         -> Vec<Keyword> {
            let mut out: Vec<Keyword> = Vec::new();
            if list.get_ref().is_empty() {
                problem(list.span().start, format!("{what}: `keywords` is empty"));
            }
            for spanned in list.get_ref() {
                // The keyword's own position, however it is quoted.
                let (at, k) = (spanned.span().start, spanned.get_ref());
                match Keyword::parse(k) {
                    Ok(kw) if out.contains(&kw) => {
                        problem(at, format!("{what}: duplicate keyword `{k}`"));
                    }
                    Ok(kw) => out.push(kw),
                    Err(reason) => problem(at, format!("{what}: {reason}")),
                }
            }
            out
        };
        let mut traps = Vec::new();
        for t in &raw.trap {
            let start = t.span().start;
            let r = t.get_ref();
            let phrase = match Keyword::parse(&r.phrase) {
                Ok(k) => Some(k),
                Err(reason) => {
                    problem(start, format!("trap: {reason}"));
                    None
                }
            };
            let department = match &r.department {
                Some(d) => match department_named(d.get_ref()) {
                    Ok(d) => Some(d),
                    Err(reason) => {
                        problem(d.span().start, reason);
                        None
                    }
                },
                None => None,
            };
            let seniority = match &r.seniority {
                Some(s) => match seniority_named(s.get_ref()) {
                    Ok(s) => Some(s),
                    Err(reason) => {
                        problem(s.span().start, reason);
                        None
                    }
                },
                None => None,
            };
            if let Some(phrase) = phrase {
                traps.push(Trap {
                    phrase,
                    department,
                    seniority,
                });
            }
        }
        let evergreen = match &raw.evergreen {
            Some(e) => keywords(&e.keywords, "evergreen", &mut problem),
            None => Vec::new(),
        };
        let umbrella = match &raw.umbrella {
            Some(e) => keywords(&e.keywords, "umbrella", &mut problem),
            None => Vec::new(),
        };
        let mut seniority = Vec::new();
        for rule in &raw.seniority {
            let r = rule.get_ref();
            let kws = keywords(
                &r.keywords,
                &format!("seniority `{}`", r.name.get_ref()),
                &mut problem,
            );
            match seniority_named(r.name.get_ref()) {
                Ok(s) => seniority.push((s, kws)),
                Err(reason) => problem(r.name.span().start, reason),
            }
        }
        let mut department = Vec::new();
        for rule in &raw.department {
            let r = rule.get_ref();
            let kws = keywords(
                &r.keywords,
                &format!("department `{}`", r.name.get_ref()),
                &mut problem,
            );
            match department_named(r.name.get_ref()) {
                Ok(d) => department.push((d, kws)),
                Err(reason) => problem(r.name.span().start, reason),
            }
        }
        if problems.is_empty() {
            Ok(Self {
                traps,
                evergreen,
                umbrella,
                seniority,
                department,
            })
        } else {
            problems.sort_by_key(|p| (p.line, p.column));
            Err(fail(problems))
        }
    }

    /// Classifies a free-text job title.
    pub fn classify(&self, title: &str) -> TitleClass {
        let mut t = normalize(title);
        if t.trim().is_empty() {
            return TitleClass::default();
        }
        let mut fixed = TitleClass::default();
        for trap in &self.traps {
            if trap.phrase.matches(&t) {
                t = t.replace(&trap.phrase.needle, " ");
                fixed.department = fixed.department.or(trap.department);
                fixed.seniority = fixed.seniority.or(trap.seniority);
            }
        }
        let department = fixed.department.or_else(|| self.department_in(&t));
        let seniority = fixed.seniority.or_else(|| {
            self.seniority
                .iter()
                .find(|(_, kws)| kws.iter().any(|k| k.matches(&t)))
                .map(|(s, _)| *s)
                .or(Some(Seniority::Ic))
        });
        TitleClass {
            seniority,
            department,
        }
    }

    /// The department named by an ATS's own department or team field
    /// ("Sales", "R&D", "Go To Market", "Kundenservice"); `None` when the
    /// field says nothing the taxonomy knows, so the caller falls back to
    /// the title.
    pub fn department_of(&self, field: &str) -> Option<Department> {
        let mut t = normalize(field);
        for trap in &self.traps {
            if trap.phrase.matches(&t) {
                if trap.department.is_some() {
                    return trap.department;
                }
                t = t.replace(&trap.phrase.needle, " ");
            }
        }
        self.department_in(&t)
    }

    /// The departments an ATS's department field names: one for most
    /// fields, several for an umbrella whose parts name different ones
    /// ("Sales & Marketing", "Product / Engineering", "Vertrieb und
    /// Marketing"). Each part is read as [`Self::department_of`] reads a
    /// field; a field whose parts name nothing is read whole ("R&D").
    /// Parts that are umbrella names ("Go To Market", "Revenue": the
    /// taxonomy's `umbrella` list) name none here: see
    /// [`Self::umbrella_department`].
    pub fn departments_of(&self, field: &str) -> Vec<Department> {
        let mut out = Vec::new();
        let mut umbrella = self.is_umbrella(field);
        for part in UMBRELLA_SEPARATORS.split(field) {
            if self.is_umbrella(part) {
                umbrella = true;
                continue;
            }
            if let Some(d) = self.department_of(part)
                && !out.contains(&d)
            {
                out.push(d);
            }
        }
        if out.is_empty() && !umbrella {
            out.extend(self.department_of(field));
        }
        out
    }

    /// The department of the umbrella name in an ATS's department field
    /// ("Go To Market" is sales), for a post whose title names none; `None`
    /// when the field has no umbrella name.
    pub fn umbrella_department(&self, field: &str) -> Option<Department> {
        std::iter::once(field)
            .chain(UMBRELLA_SEPARATORS.split(field))
            .filter(|part| self.is_umbrella(part))
            .find_map(|part| self.department_of(part))
    }

    /// Whether `field` (a whole department field or one of its parts) is
    /// an umbrella name.
    fn is_umbrella(&self, field: &str) -> bool {
        let t = normalize(field);
        self.umbrella.iter().any(|k| k.needle == t)
    }

    fn department_in(&self, t: &str) -> Option<Department> {
        self.department
            .iter()
            .find(|(_, kws)| kws.iter().any(|k| k.matches(t)))
            .map(|(d, _)| *d)
    }

    /// Whether a post is an evergreen or talent-pool post, not an open role.
    pub fn is_evergreen(&self, title: &str) -> bool {
        let t = normalize(title);
        self.evergreen.iter().any(|k| k.matches(&t))
    }
}

/// Classifies a free-text job title with the shipped taxonomy.
pub fn classify(title: &str) -> TitleClass {
    Taxonomy::default_taxonomy().classify(title)
}

/// Lowercase, punctuation to spaces, padded with spaces so that keywords
/// match whole words.
fn normalize(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 2);
    out.push(' ');
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_titles() {
        use Department as D;
        use Seniority as S;
        for (title, s, d) in [
            (
                "Director of Marketing",
                Some(S::Director),
                Some(D::Marketing),
            ),
            ("VP Sales", Some(S::Vp), Some(D::Sales)),
            (
                "Vice President, Engineering",
                Some(S::Vp),
                Some(D::Engineering),
            ),
            ("Head of Growth", Some(S::Head), Some(D::Marketing)),
            ("CEO & Co-Founder", Some(S::CLevel), Some(D::Other)),
            ("Chief Revenue Officer", Some(S::CLevel), Some(D::Sales)),
            (
                "Senior Software Engineer",
                Some(S::Senior),
                Some(D::Engineering),
            ),
            ("Marketing Manager", Some(S::Manager), Some(D::Marketing)),
            (
                "Sales Development Representative (SDR)",
                Some(S::Ic),
                Some(D::Sales),
            ),
            (
                "Revenue Operations Manager",
                Some(S::Manager),
                Some(D::Operations),
            ),
            (
                "Directora de Marketing",
                Some(S::Director),
                Some(D::Marketing),
            ),
            ("Leiter Vertrieb", Some(S::Head), Some(D::Sales)),
            ("Marketing Intern", Some(S::Intern), Some(D::Marketing)),
            ("Geschäftsführer", Some(S::CLevel), Some(D::Other)),
            ("", None, None),
        ] {
            let c = classify(title);
            assert_eq!((c.seniority, c.department), (s, d), "{title}");
        }
    }
}

//! Hiring signals from a list of open roles (pure).
//!
//! Roles are classified with the ATS's own department field first and the
//! title as fallback, both through the title taxonomy
//! (`leadscore_core::titles::Taxonomy`, a data file); the same post duplicated
//! per location counts once; evergreen and talent-pool posts ("General
//! application", "Open application", "Initiativbewerbung", ...) are not
//! counted as open roles.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use leadscore_core::domain::{Department, Seniority, Signal, SignalValue};
use leadscore_core::titles::Taxonomy;
use serde::Serialize;

use crate::parse::Role;

/// A role with its classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassifiedRole {
    /// The role as parsed.
    #[serde(flatten)]
    pub role: Role,
    /// Department (ATS field first, title fallback).
    pub department_class: Option<Department>,
    /// Seniority from the title.
    pub seniority: Option<Seniority>,
    /// The ids of the same post listed again (another location): counted
    /// as one role, but each id opens and closes on its own, so velocity
    /// does not depend on which of them the board lists first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_listed_as: Vec<String>,
}

impl ClassifiedRole {
    /// Its ids: the post's and those of its other listings.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.role.id.as_str()).chain(self.also_listed_as.iter().map(String::as_str))
    }

    /// Its ids as one entry of a snapshot's role ids, separated by spaces
    /// (read back by [`hiring_signals`]); a space inside an id (a JSON-LD
    /// posting named by its title) is written `%20`.
    pub fn id_group(&self) -> String {
        self.ids().map(id_key).collect::<Vec<_>>().join(" ")
    }
}

/// An id as a snapshot's role ids hold it: without spaces, which separate
/// a post's listings there.
fn id_key(id: &str) -> std::borrow::Cow<'_, str> {
    if id.contains(' ') {
        id.replace(' ', "%20").into()
    } else {
        id.into()
    }
}

/// Whether a post is an evergreen or talent-pool post rather than a role
/// (the shipped taxonomy's `[evergreen]` keywords).
pub fn is_evergreen(title: &str) -> bool {
    Taxonomy::default_taxonomy().is_evergreen(title)
}

/// Classifies roles, drops evergreen posts, and keeps one post per
/// (normalized title, department) — the same post listed per location.
/// Uses the shipped taxonomy; see [`classify_roles_with`].
pub fn classify_roles(roles: &[Role]) -> Vec<ClassifiedRole> {
    classify_roles_with(roles, Taxonomy::default_taxonomy())
}

/// [`classify_roles`] with a given taxonomy (a user's own file).
pub fn classify_roles_with(roles: &[Role], taxonomy: &Taxonomy) -> Vec<ClassifiedRole> {
    let mut seen: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    let mut out: Vec<ClassifiedRole> = Vec::new();
    // Lowercase, invisible characters out, runs of white space as one.
    let folded = |s: &str| {
        s.to_lowercase()
            .replace(leadscore_core::domain::is_invisible, "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for r in roles {
        // A title with no letter or digit ("", "   ", "—") names no role.
        if !r.title.chars().any(char::is_alphanumeric) || taxonomy.is_evergreen(&r.title) {
            continue;
        }
        let key = (folded(&r.title), r.department.as_deref().map(folded));
        if let Some(&first) = seen.get(&key) {
            if let Some(kept) = out.get_mut(first)
                && kept.role.id != r.id
                && !kept.also_listed_as.contains(&r.id)
            {
                kept.also_listed_as.push(r.id.clone());
            }
            continue;
        }
        seen.insert(key, out.len());
        let by_title = taxonomy.classify(&r.title);
        // The ATS's department first; when it spans several ("Sales &
        // Marketing", "Product & Engineering") or is an umbrella name ("Go
        // To Market", "Revenue"), the title decides.
        let (named, umbrella) = r
            .department
            .as_deref()
            .map(|d| (taxonomy.departments_of(d), taxonomy.umbrella_department(d)))
            .unwrap_or_default();
        let department_class = match (named.as_slice(), by_title.department) {
            ([], t) => t.or(umbrella),
            ([one], _) => Some(*one),
            (_, Some(t)) => Some(t),
            ([first, ..], None) => Some(*first),
        };
        out.push(ClassifiedRole {
            role: r.clone(),
            department_class,
            seniority: by_title.seniority,
            also_listed_as: Vec::new(),
        });
    }
    out
}

fn posted(r: &Role) -> Option<DateTime<Utc>> {
    let p = r.posted_at.as_deref()?;
    DateTime::parse_from_rfc3339(p)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(p.get(..10)?, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

/// Counts and evidence for scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiringSignals {
    /// Open roles (deduplicated, evergreen excluded).
    pub open_roles: usize,
    /// Roles per department.
    pub by_department: std::collections::BTreeMap<String, usize>,
    /// Roles in the taxonomy's sales department (SDRs, BDRs, AEs, account
    /// managers, partnerships, channel, pre-sales, sales leadership).
    pub sales_roles: usize,
    /// Growth and marketing roles.
    pub growth_marketing_roles: usize,
    /// Head, VP and C-level roles.
    pub leadership_roles: usize,
    /// Roles posted in the last 30 days.
    pub new_last_30_days: usize,
    /// Share of remote roles, 0–1.
    pub remote_share: f64,
    /// Role ids not in the previous snapshot.
    pub opened: usize,
    /// Previous role ids no longer open.
    pub closed: usize,
}

/// Computes signals; `previous_ids` are the role ids of the last snapshot
/// (`None` on the first one: no velocity).
pub fn hiring_signals(
    roles: &[ClassifiedRole],
    previous_ids: Option<&[String]>,
    now: DateTime<Utc>,
) -> HiringSignals {
    let mut by_department = std::collections::BTreeMap::new();
    for r in roles {
        let d = r.department_class.map_or("other", Department::as_str);
        *by_department.entry(d.to_owned()).or_insert(0) += 1;
    }
    let count = |f: &dyn Fn(&ClassifiedRole) -> bool| roles.iter().filter(|r| f(r)).count();
    // By post: one listed in several places opens when none of its
    // listings was there before, and closes when none is left. The previous
    // ids come one post an entry, its listings' ids separated by spaces
    // ([`ClassifiedRole::id_group`]; an older snapshot's, one id each).
    // Ids as the snapshot writes them; and as they are, for an older
    // snapshot's entry of one id with spaces, written whole.
    let ids: std::collections::HashSet<std::borrow::Cow<'_, str>> = roles
        .iter()
        .flat_map(ClassifiedRole::ids)
        .flat_map(|i| [id_key(i), i.into()])
        .collect();
    let (opened, closed) = match previous_ids {
        Some(prev) => {
            let before: std::collections::HashSet<&str> = prev
                .iter()
                .flat_map(|g| g.split(' ').chain([g.as_str()]))
                .collect();
            (
                roles
                    .iter()
                    .filter(|r| {
                        r.ids()
                            .all(|i| !before.contains(i) && !before.contains(id_key(i).as_ref()))
                    })
                    .count(),
                prev.iter()
                    .filter(|g| !ids.contains(g.as_str()) && g.split(' ').all(|i| !ids.contains(i)))
                    .count(),
            )
        }
        None => (0, 0),
    };
    HiringSignals {
        open_roles: roles.len(),
        by_department,
        sales_roles: count(&|r| r.department_class == Some(Department::Sales)),
        growth_marketing_roles: count(&|r| r.department_class == Some(Department::Marketing)),
        leadership_roles: count(&|r| {
            matches!(
                r.seniority,
                Some(Seniority::Head | Seniority::Vp | Seniority::CLevel)
            )
        }),
        // A day ahead is a board in another time zone; a date further
        // ahead is no posting date (a closing date in the wrong field, a
        // typo) and counts as nothing.
        new_last_30_days: count(&|r| {
            posted(&r.role).is_some_and(|t| {
                let age = now - t;
                age <= Duration::days(30) && age >= -Duration::days(1)
            })
        }),
        remote_share: if roles.is_empty() {
            0.0
        } else {
            count(&|r| r.role.remote) as f64 / roles.len() as f64
        },
        opened,
        closed,
    }
}

/// The scoring signals (names in `docs/signals.md`), each with a sample
/// role as evidence.
pub fn to_signals(s: &HiringSignals, roles: &[ClassifiedRole], now: DateTime<Utc>) -> Vec<Signal> {
    let evidence = |f: &dyn Fn(&ClassifiedRole) -> bool| {
        roles.iter().find(|r| f(r)).map(|r| {
            // The date as read; a date that does not parse is left out
            // (the board's own text can be anything).
            let when = posted(&r.role)
                .map(|t| format!(", posted {}", t.format("%Y-%m-%d")))
                .unwrap_or_default();
            (format!("{}{when}", r.role.title), r.role.url.clone())
        })
    };
    let mut out = Vec::new();
    let mut push = |name: &str, value: f64, ev: Option<(String, Option<String>)>| {
        let mut sig = Signal::new(name, SignalValue::Number(value), now);
        if let Some((text, url)) = ev {
            sig = sig.with_evidence(text, url);
        }
        out.push(sig);
    };
    push(
        "hiring.open_roles",
        s.open_roles as f64,
        evidence(&|_| true),
    );
    push(
        "hiring.sales_roles",
        s.sales_roles as f64,
        evidence(&|r| r.department_class == Some(Department::Sales)),
    );
    push(
        "hiring.growth_marketing_roles",
        s.growth_marketing_roles as f64,
        evidence(&|r| r.department_class == Some(Department::Marketing)),
    );
    push(
        "hiring.leadership_roles",
        s.leadership_roles as f64,
        evidence(&|r| {
            matches!(
                r.seniority,
                Some(Seniority::Head | Seniority::Vp | Seniority::CLevel)
            )
        }),
    );
    push("hiring.new_30d", s.new_last_30_days as f64, None);
    push("hiring.remote_share", s.remote_share, None);
    push("hiring.opened", s.opened as f64, None);
    push("hiring.closed", s.closed as f64, None);
    for (d, n) in &s.by_department {
        push(&format!("hiring.department.{d}"), *n as f64, None);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A role whose id has spaces (a JSON-LD posting named by its title)
    /// is the same role on the next read: not opened and closed again on
    /// every crawl. So too against an older snapshot, which wrote the id
    /// with its spaces.
    #[test]
    fn ids_with_spaces_compare_across_snapshots() {
        let role = |id: &str| Role {
            id: id.into(),
            title: "Sales Development Representative".into(),
            department: None,
            location: None,
            posted_at: None,
            url: None,
            remote: false,
        };
        let now = Utc::now();
        let roles = classify_roles(&[role("jsonld:Sales Development Representative|Berlin|")]);
        let written: Vec<String> = roles.iter().map(ClassifiedRole::id_group).collect();
        assert_eq!(
            written,
            ["jsonld:Sales%20Development%20Representative|Berlin|"]
        );
        let again = hiring_signals(&roles, Some(&written), now);
        assert_eq!((again.opened, again.closed), (0, 0));
        let older = ["jsonld:Sales Development Representative|Berlin|".to_owned()];
        let again = hiring_signals(&roles, Some(&older), now);
        assert_eq!((again.opened, again.closed), (0, 0));
        let other = classify_roles(&[role("jsonld:Sales Development Representative|Paris|")]);
        let moved = hiring_signals(&other, Some(&written), now);
        assert_eq!((moved.opened, moved.closed), (1, 1));
    }

    #[test]
    fn an_umbrella_department_leaves_the_choice_to_the_title() {
        let role = |title: &str, department: &str| Role {
            id: title.into(),
            title: title.into(),
            department: Some(department.into()),
            location: None,
            posted_at: None,
            url: None,
            remote: false,
        };
        let classes: Vec<Option<Department>> = classify_roles(&[
            role("Account Executive", "Sales & Marketing"),
            role("Content Marketing Manager", "Sales & Marketing"),
            role("Backend Engineer", "Product & Engineering"),
            // One department named: the ATS's field decides.
            role("Solutions Engineer", "Sales"),
            // Several named, the title none: the first named.
            role("Rockstar", "Marketing & Sales"),
            // Keywords of several departments in one name are one
            // department, not an umbrella.
            role("Senior PM, Growth", "Product Management"),
            role("Sales Compensation Analyst", "Revenue Operations"),
            // Lever's team and department, both given.
            role("Regional Manager, DACH", "EMEA, Sales"),
            role("Senior Engineer", "Growth, Engineering"),
            // An umbrella name ("Go To Market", "Revenue"): the title
            // decides, and a title naming none takes the umbrella's own.
            role("Product Marketing Manager", "Go To Market"),
            role("Customer Success Manager", "Revenue"),
            role("Regional Director, DACH", "Go To Market"),
            // Ashby's team and department, both given.
            role("Growth Marketing Lead", "Marketing, Go To Market"),
            role("Account Executive", "Sales, Growth"),
        ])
        .into_iter()
        .map(|r| r.department_class)
        .collect();
        assert_eq!(
            classes,
            [
                Some(Department::Sales),
                Some(Department::Marketing),
                Some(Department::Engineering),
                Some(Department::Sales),
                Some(Department::Marketing),
                Some(Department::Product),
                Some(Department::Operations),
                Some(Department::Sales),
                Some(Department::Engineering),
                Some(Department::Marketing),
                Some(Department::CustomerSuccess),
                Some(Department::Sales),
                Some(Department::Marketing),
                Some(Department::Sales),
            ]
        );
    }

    #[test]
    fn a_role_is_new_when_posted_in_the_last_30_days_not_in_the_future() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // One title each: the same title twice is one role.
        let role = |id: &str, posted: &str| Role {
            id: id.into(),
            title: format!("Account Executive, {id}"),
            department: None,
            location: None,
            posted_at: Some(posted.into()),
            url: None,
            remote: false,
        };
        let roles = classify_roles(&[
            role("today", "2026-11-20"),
            role("a month ago", "2026-10-21T12:00:00Z"),
            role("tomorrow, another time zone", "2026-11-21T09:00:00+09:00"),
            role("too old", "2026-10-01"),
            role("next year", "2027-11-20"),
            role("next week", "2026-11-27"),
        ]);
        assert_eq!(hiring_signals(&roles, None, now).new_last_30_days, 3);
    }

    #[test]
    fn one_post_listed_per_location_opens_and_closes_by_each_listing() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ae = |id: &str, location: &str| Role {
            id: id.into(),
            title: "Account Executive".into(),
            department: Some("Sales".into()),
            location: Some(location.into()),
            posted_at: None,
            url: None,
            remote: false,
        };
        let first = classify_roles(&[ae("101", "NYC"), ae("102", "SF")]);
        let before: Vec<String> = first.iter().map(ClassifiedRole::id_group).collect();
        assert_eq!(before, ["101 102"]);
        // Listed in the other order: one role, nothing opened or closed.
        let roles = classify_roles(&[ae("102", "SF"), ae("101", "NYC")]);
        assert_eq!(roles.len(), 1);
        let s = hiring_signals(&roles, Some(&before), now);
        assert_eq!((s.open_roles, s.opened, s.closed), (1, 0, 0));
        // NYC's listing closes: the post is still open in SF.
        let roles = classify_roles(&[ae("102", "SF")]);
        let s = hiring_signals(&roles, Some(&before), now);
        assert_eq!((s.open_roles, s.opened, s.closed), (1, 0, 0));
        // An older snapshot's ids (the post by one id): no post opened.
        let roles = classify_roles(&[ae("101", "NYC"), ae("102", "SF")]);
        let s = hiring_signals(&roles, Some(&["101".to_owned()]), now);
        assert_eq!((s.opened, s.closed), (0, 0));
        // Both listings gone: one post closed; a new post: one opened.
        let roles = classify_roles(&[Role {
            title: "SDR".into(),
            ..ae("200", "NYC")
        }]);
        let s = hiring_signals(&roles, Some(&before), now);
        assert_eq!((s.opened, s.closed), (1, 1));
    }

    #[test]
    fn a_blank_title_is_no_role_and_spacing_makes_no_second_one() {
        let role = |id: &str, title: &str, department: &str| Role {
            id: id.into(),
            title: title.into(),
            department: Some(department.into()),
            location: None,
            posted_at: None,
            url: None,
            remote: false,
        };
        let roles = classify_roles(&[
            role("1", "", "Sales"),
            role("2", "   ", "Sales"),
            role("3", "—", "Sales"),
            role("4", "Account Executive", "Sales"),
            role("5", "Account  Executive\u{200B}", "Sales "),
        ]);
        let ids: Vec<String> = roles.iter().map(ClassifiedRole::id_group).collect();
        assert_eq!(ids, ["4 5"]);
    }

    #[test]
    fn a_posting_date_in_any_script_is_evidence_only_when_it_parses() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let role = |id: &str, posted: &str| Role {
            id: id.into(),
            title: "Account Executive".into(),
            department: None,
            location: None,
            posted_at: Some(posted.into()),
            url: None,
            remote: false,
        };
        // Byte 10 of the first falls inside `月`: cutting the text there
        // panicked and failed the account's enrichment on every run.
        for (posted, shown) in [
            ("2026年11月3日", ""),
            ("2026-11-03T09:15:00+01:00", ", posted 2026-11-03"),
            ("2026-11-03 09:15:00", ", posted 2026-11-03"),
        ] {
            let roles = classify_roles(&[role("1", posted)]);
            let s = hiring_signals(&roles, None, now);
            let sales = to_signals(&s, &roles, now)
                .into_iter()
                .find(|s| s.name == "hiring.sales_roles")
                .unwrap();
            assert_eq!(
                sales.evidence.map(|e| e.text).as_deref(),
                Some(format!("Account Executive{shown}").as_str()),
                "{posted}"
            );
        }
    }
}

//! Plain HTML job lists: the last fallback, for careers pages with neither
//! an ATS board nor `JobPosting` JSON-LD. A role is a link to a job detail
//! page (a path with a listing segment such as `/jobs/` or `/stellen/`
//! followed by the job's own slug) whose text reads like a job title (the
//! title taxonomy finds its department).

use std::collections::HashSet;
use std::sync::LazyLock;

use leadscore_core::titles::Taxonomy;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::parse::Role;

/// Path segments of job listings, in en/es/pt/fr/de.
const LISTING_SEGMENTS: &[&str] = &[
    "jobs",
    "job",
    "careers",
    "career",
    "positions",
    "position",
    "openings",
    "opening",
    "open-positions",
    "open-roles",
    "roles",
    "vacancies",
    "vacancy",
    "join-us",
    "empleo",
    "empleos",
    "ofertas",
    "vagas",
    "vaga",
    "carreiras",
    "offres",
    "offre",
    "emplois",
    "carrieres",
    "karriere",
    "stellen",
    "stellenangebote",
    "jobangebote",
];

/// Link texts that are navigation, not titles.
const NOT_TITLES: &[&str] = &[
    "apply",
    "apply now",
    "view job",
    "view all",
    "view all jobs",
    "see all jobs",
    "all jobs",
    "open positions",
    "open roles",
    "learn more",
    "read more",
    "more",
    "details",
    "jobs",
    "careers",
    "bewerben",
    "jetzt bewerben",
    "postuler",
    "candidatar",
    "aplicar",
    "ver vaga",
];

/// Path segments after a listing segment that lead to a team, department
/// or culture page, not a job (`/careers/teams/sales`).
const NOT_JOB_SEGMENTS: &[&str] = &[
    "team",
    "teams",
    "department",
    "departments",
    "category",
    "categories",
    "location",
    "locations",
    "life",
    "culture",
    "benefits",
    "students",
    "graduates",
    "faq",
];

/// Openings of link texts about a team or the company, not a job ("Meet
/// the sales team", "Life in Engineering", "Our marketing team"). Whole
/// phrases: "Inside Sales Representative", "Team Lead Support" and "Life
/// Sciences Account Executive" are jobs.
const NOT_TITLE_OPENINGS: &[&str] = &[
    "meet the ",
    "meet our ",
    "life at ",
    "life in ",
    "life @ ",
    "our ",
    "about ",
    "inside our ",
    "working at ",
    "working in ",
];

/// Department and team page names besides the taxonomy's own departments
/// ("Customer Support", "R&D"; `&` read as "and").
const DEPARTMENT_PAGES: &[&str] = &[
    "support",
    "customer support",
    "customer service",
    "customer experience",
    "research and development",
    "r and d",
    "product and engineering",
    "engineering and product",
    "people and culture",
    "human resources",
    "hr",
    "it",
    "g and a",
    "general and administrative",
    "go to market",
    "gtm",
    "revenue",
    "security",
    "research",
];

/// Endings of careers-page link texts that are no job: policies, blogs and
/// the like ("Candidate Privacy Notice", "Tech Blog"), as the text's last
/// words ("Blog Editor", "Privacy Policy Manager" and "Equal Opportunity
/// Specialist" are jobs).
const NOT_TITLE_ENDINGS: &[&str] = &[
    "privacy notice",
    "privacy policy",
    "privacy statement",
    "data protection notice",
    "blog",
    "cookie policy",
    "cookies",
    "faq",
    "faqs",
    "how we hire",
    "hiring process",
    "our process",
    "equal opportunity",
    "equal opportunity employer",
];

/// Whether `lower` (a lowercased link text) ends with one of
/// [`NOT_TITLE_ENDINGS`] as whole words.
fn ends_as_no_title(lower: &str) -> bool {
    let words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    NOT_TITLE_ENDINGS
        .iter()
        .any(|e| words == *e || words.ends_with(&format!(" {e}")))
}

/// A link text without a trailing count of openings ("Sales (3)", "Sales 3
/// open roles"), lowercased, `&` read as "and".
fn without_count(title: &str) -> String {
    let t = title.trim().to_lowercase().replace('&', " and ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = match t.rfind('(') {
        Some(i) if t.ends_with(')') && t[i + 1..t.len() - 1].trim().parse::<u32>().is_ok() => {
            t[..i].trim().to_owned()
        }
        _ => t,
    };
    // "Sales 3 open roles", "Sales 3 jobs" ("Engineer 2" is a level).
    let words: Vec<&str> = t.split(' ').collect();
    match words.iter().position(|w| w.parse::<u32>().is_ok()) {
        Some(i)
            if i > 0
                && i + 1 < words.len()
                && words[i + 1..].iter().all(|w| {
                    matches!(
                        *w,
                        "open"
                            | "roles"
                            | "role"
                            | "jobs"
                            | "job"
                            | "positions"
                            | "position"
                            | "openings"
                    )
                }) =>
        {
            words[..i].join(" ")
        }
        _ => t,
    }
}

/// Whether `title` names only a department ("Sales", "Customer Success",
/// "Sales (3)", "Customer Support"): a filter or a team page, not a role.
fn is_department_name(title: &str) -> bool {
    let t = without_count(title);
    leadscore_core::domain::Department::ALL
        .iter()
        .any(|d| d.as_str().replace('_', " ") == t)
        || DEPARTMENT_PAGES.contains(&t.as_str())
}

static SELECTORS: LazyLock<Option<(Selector, Selector)>> = LazyLock::new(|| {
    Some((
        Selector::parse("a[href]").ok()?,
        Selector::parse("h1, h2, h3, h4, h5, strong, [class*=title]").ok()?,
    ))
});

/// The job title a link shows: its first heading or title-like element if
/// it wraps a card, else its whole text.
fn link_title(a: ElementRef<'_>, heading: &Selector) -> String {
    let text = |e: ElementRef<'_>| e.text().collect::<Vec<_>>().join(" ");
    let raw = a
        .select(heading)
        .next()
        .map(text)
        .unwrap_or_else(|| text(a));
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `url` is a job detail page: a listing segment followed by at
/// least one more (the job's slug or id) that is no team or culture page.
fn is_job_detail(url: &Url) -> bool {
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| {
            s.filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let Some(i) = segments
        .iter()
        .position(|s| LISTING_SEGMENTS.contains(&s.as_str()))
    else {
        return false;
    };
    let rest = &segments[i + 1..];
    match rest {
        [] => false,
        // A department's own page (`/careers/sales`,
        // `/careers/customer-support`); its jobs are below it.
        [only] if is_department_name(&only.replace(['-', '_'], " ")) => false,
        [next, ..] => !NOT_JOB_SEGMENTS.contains(&next.as_str()),
    }
}

/// The roles of a plain HTML job list at `page_url`, at most 500.
pub fn job_links(html: &str, page_url: &str, taxonomy: &Taxonomy) -> Vec<Role> {
    let (Some((links, heading)), Ok(base)) = (SELECTORS.as_ref(), Url::parse(page_url)) else {
        return Vec::new();
    };
    let doc = Html::parse_document(html);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in doc.select(links).take(5000) {
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        let Ok(mut url) = base.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || !is_job_detail(&url) {
            continue;
        }
        url.set_fragment(None);
        let title = link_title(a, heading);
        let words = title.split_whitespace().count();
        if !(1..=12).contains(&words)
            || title.len() > 120
            || title.ends_with('?')
            || NOT_TITLES.contains(&title.to_lowercase().as_str())
            || is_department_name(&title)
            || {
                let lower = title.to_lowercase();
                NOT_TITLE_OPENINGS.iter().any(|p| lower.starts_with(p)) || ends_as_no_title(&lower)
            }
        {
            continue;
        }
        // A job title names a function; "Life at Acme" does not.
        if taxonomy.classify(&title).department.is_none() {
            continue;
        }
        if !seen.insert(url.as_str().to_owned()) {
            continue;
        }
        out.push(Role {
            id: url.as_str().to_owned(),
            title,
            department: None,
            location: None,
            posted_at: None,
            url: Some(url.into()),
            remote: false,
        });
        if out.len() >= 500 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_detail_links_with_title_like_texts_are_roles() {
        let html = r#"<html><body>
<nav><a href="/careers">Careers</a><a href="/careers/">All jobs</a><a href="/blog/how-we-hire">How we hire</a></nav>
<ul class="jobs">
  <li><a href="/careers/account-executive-emea">Account Executive, EMEA</a></li>
  <li><a href="/careers/sdr-berlin"><div class="card"><h3>Sales Development Representative</h3><span>Berlin · Full-time</span><span>Apply</span></div></a></li>
  <li><a href="https://acme.example/jobs/4711">Senior Backend Engineer (Rust)</a></li>
  <li><a href="/careers/account-executive-emea#apply">Account Executive, EMEA</a></li>
  <li><a href="/careers/sdr-berlin">Apply now</a></li>
  <li><a href="/karriere/stellen/werkstudent-marketing">Werkstudent Marketing (m/w/d)</a></li>
  <li><a href="/careers/life-at-acme">Life at Acme</a></li>
  <li><a href="javascript:apply()">Product Designer</a></li>
</ul></body></html>"#;
        let roles = job_links(
            html,
            "https://acme.example/careers/",
            Taxonomy::default_taxonomy(),
        );
        let titles: Vec<&str> = roles.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "Account Executive, EMEA",
                "Sales Development Representative",
                "Senior Backend Engineer (Rust)",
                "Werkstudent Marketing (m/w/d)",
            ]
        );
        assert_eq!(
            roles[0].url.as_deref(),
            Some("https://acme.example/careers/account-executive-emea")
        );
        assert_eq!(roles[0].id, roles[0].url.clone().unwrap());
    }

    /// The titles of the roles `html` lists on acme.example's careers page.
    fn careers_titles(html: &str) -> Vec<String> {
        job_links(
            html,
            "https://acme.example/careers",
            Taxonomy::default_taxonomy(),
        )
        .into_iter()
        .map(|r| r.title)
        .collect()
    }

    #[test]
    fn team_and_department_links_are_no_roles() {
        let html = r#"<a href="/careers/teams/sales">Sales</a>
<a href="/jobs/marketing">Marketing</a>
<a href="/jobs/customer-success">Customer Success</a>
<a href="/careers/life-in-engineering">Life in Engineering</a>
<a href="/careers/meet-the-sales-team">Meet the sales team</a>
<a href="/careers/sales/account-executive-dach">Account Executive DACH</a>
<a href="/careers/inside-sales-representative">Inside Sales Representative</a>
<a href="/careers/team-lead-customer-support">Team Lead Customer Support</a>
<a href="/careers/life-sciences-ae">Life Sciences Account Executive</a>"#;
        assert_eq!(
            careers_titles(html),
            [
                "Account Executive DACH",
                "Inside Sales Representative",
                "Team Lead Customer Support",
                "Life Sciences Account Executive"
            ]
        );
    }

    /// A small company's own careers page: department filters with counts,
    /// department pages, policies and a blog are no roles.
    #[test]
    fn navigation_and_policy_links_are_no_roles() {
        let html = r#"<a href="/careers/sales">Sales (3)</a>
<a href="/careers/customer-support">Customer Support</a>
<a href="/careers/marketing">Marketing 2 open roles</a>
<a href="/careers/candidate-privacy-notice">Candidate Privacy Notice</a>
<a href="/careers/tech-blog">Tech Blog</a>
<a href="/careers/r-and-d">R&amp;D</a>
<a href="/careers/sales/enterprise-account-executive">Enterprise Account Executive</a>
<a href="/careers/events-marketing-manager">Events Marketing Manager</a>
<a href="/careers/data-privacy-counsel">Data Privacy Counsel</a>
<a href="/careers/weblogic-engineer">WebLogic Engineer</a>
<a href="/careers/blog-editor">Blog Editor</a>
<a href="/careers/eeo-recruiter">Equal Opportunity Recruiter</a>
<a href="/careers/faq">FAQs</a>"#;
        assert_eq!(
            careers_titles(html),
            [
                "Enterprise Account Executive",
                "Events Marketing Manager",
                "Data Privacy Counsel",
                "WebLogic Engineer",
                "Blog Editor",
                "Equal Opportunity Recruiter"
            ]
        );
        assert_eq!(without_count("Sales (3)"), "sales");
        assert_eq!(without_count("Sales Engineer (2)"), "sales engineer");
        assert_eq!(without_count("Engineer 2"), "engineer 2");
    }

    #[test]
    fn a_page_without_job_links_has_no_roles() {
        let html = r#"<a href="/careers">Careers</a><a href="/about/team">Our team</a>"#;
        assert!(job_links(html, "https://acme.example/", Taxonomy::default_taxonomy()).is_empty());
        assert!(job_links(html, "not a url", Taxonomy::default_taxonomy()).is_empty());
    }
}

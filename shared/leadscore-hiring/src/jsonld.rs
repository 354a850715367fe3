//! schema.org `JobPosting` JSON-LD on careers and job pages: the fallback when
//! no ATS board could be read. Every `<script type="application/ld+json">` block
//! is read; a block may hold one object, an array, or an `@graph`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::parse::Role;

static LD_SCRIPT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<script[^>]*type\s*=\s*["']?application/ld\+json["']?[^>]*>(.*?)</script\s*>"#,
    )
    .ok()
});

/// The `JobPosting`s in a page's JSON-LD, as roles. Blocks that are not
/// valid JSON are skipped (a page's broken markup never fails the rest);
/// postings whose `validThrough` is before `today` (`YYYY-MM-DD`) are dropped.
/// `page_url` is the evidence URL when a posting names none.
pub fn job_postings(html: &str, page_url: Option<&str>, today: Option<&str>) -> Vec<Role> {
    let Some(re) = LD_SCRIPT.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for caps in re.captures_iter(html) {
        let Some(body) = caps.get(1) else { continue };
        let Ok(value) = serde_json::from_str::<Value>(body.as_str().trim()) else {
            continue;
        };
        collect(&value, page_url, today, &mut out, 0);
    }
    out
}

fn is_job_posting(v: &Value) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == "JobPosting" || t.ends_with("/JobPosting"),
        Some(Value::Array(ts)) => ts
            .iter()
            .any(|t| t.as_str().is_some_and(|t| t == "JobPosting")),
        _ => false,
    }
}

fn collect(v: &Value, page_url: Option<&str>, today: Option<&str>, out: &mut Vec<Role>, depth: u8) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                collect(item, page_url, today, out, depth + 1);
            }
        }
        Value::Object(map) => {
            if let Some(graph) = map.get("@graph") {
                collect(graph, page_url, today, out, depth + 1);
            }
            if is_job_posting(v)
                && let Some(role) = to_role(v, page_url, today)
            {
                out.push(role);
            }
        }
        _ => {}
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => a.iter().find_map(|x| text(Some(x))),
        Value::Object(o) => text(o.get("name")).or_else(|| text(o.get("value"))),
        _ => None,
    }
}

fn location(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(|x| location(Some(x))).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(o) => match o.get("address") {
            Some(Value::Object(a)) => {
                let parts: Vec<String> = ["addressLocality", "addressRegion", "addressCountry"]
                    .iter()
                    .filter_map(|k| text(a.get(*k)))
                    .collect();
                if parts.is_empty() {
                    text(o.get("name"))
                } else {
                    Some(parts.join(", "))
                }
            }
            Some(addr) => text(Some(addr)),
            None => text(o.get("name")),
        },
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn to_role(v: &Value, page_url: Option<&str>, today: Option<&str>) -> Option<Role> {
    let title = text(v.get("title")).or_else(|| text(v.get("name")))?;
    // An expiry that is no ISO date ("12/31/2026") is ignored, not compared
    // as text.
    let expired = |until: &str| {
        let day = until.get(..10)?;
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        Some(day < today?)
    };
    if text(v.get("validThrough")).is_some_and(|u| expired(&u) == Some(true)) {
        return None;
    }
    let own_url = text(v.get("url"));
    let location = location(v.get("jobLocation"));
    let posted_at = text(v.get("datePosted"));
    let identifier = v.get("identifier");
    // Without an identifier or a URL of its own (`url` is no property
    // Google documents for JobPosting), a posting is named by what it says,
    // not by its page or its date: several postings on one careers page are
    // several roles, the same posting on two pages (`/careers`, `/jobs`) is
    // one, and a site that refreshes `datePosted` daily keeps its ids.
    let id = text(identifier.and_then(|i| i.get("value")))
        .or_else(|| text(identifier))
        .or_else(|| own_url.clone())
        .unwrap_or_else(|| {
            format!(
                "jsonld:{title}|{}|{}",
                location.as_deref().unwrap_or(""),
                text(v.get("employmentType")).unwrap_or_default()
            )
        });
    let url = own_url.or_else(|| page_url.map(str::to_string));
    let remote = v
        .get("jobLocationType")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("TELECOMMUTE"));
    Some(Role {
        id,
        title,
        // Not `industry`: that is the employer's, not the role's.
        department: text(v.get("occupationalCategory")),
        location,
        posted_at,
        url,
        remote,
    })
}

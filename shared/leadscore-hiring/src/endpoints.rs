//! Public job-list request URLs, with configurable base URLs so tests and the
//! CLI can point them at loopback servers.

use serde::{Deserialize, Serialize};

/// Base URLs of the public job-list APIs (no trailing slash).
///
/// Deserialized from a table whose missing keys keep the vendors' defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AtsEndpoints {
    /// Greenhouse job board API base.
    pub greenhouse: String,
    /// Lever postings API base.
    pub lever: String,
    /// Lever's EU postings API base, for boards on `jobs.eu.lever.co`.
    pub lever_eu: String,
    /// Ashby posting API base.
    pub ashby: String,
    /// SmartRecruiters posting API base.
    pub smartrecruiters: String,
    /// Workable widget API base.
    pub workable: String,
    /// Recruitee careers-site base; `{slug}` is replaced by the company slug.
    pub recruitee: String,
    /// Personio job-page base; `{slug}` is replaced by the account name.
    pub personio: String,
    /// Teamtailor careers-site base for a detected `{slug}.teamtailor.com`
    /// board; custom domains use their own origin ([`Self::teamtailor_rss`]).
    pub teamtailor: String,
}

impl Default for AtsEndpoints {
    fn default() -> Self {
        Self {
            greenhouse: "https://boards-api.greenhouse.io".to_string(),
            lever: "https://api.lever.co".to_string(),
            lever_eu: "https://api.eu.lever.co".to_string(),
            ashby: "https://api.ashbyhq.com".to_string(),
            smartrecruiters: "https://api.smartrecruiters.com".to_string(),
            workable: "https://apply.workable.com".to_string(),
            recruitee: "https://{slug}.recruitee.com".to_string(),
            personio: "https://{slug}.jobs.personio.de".to_string(),
            teamtailor: "https://{slug}.teamtailor.com".to_string(),
        }
    }
}

/// Page size used for Lever requests.
pub const LEVER_PAGE_SIZE: usize = 100;

/// Page size used for SmartRecruiters requests (the API maximum).
pub const SMARTRECRUITERS_PAGE_SIZE: usize = 100;

impl AtsEndpoints {
    /// Greenhouse: the whole board, with departments (`content=true`).
    pub fn greenhouse_jobs(&self, token: &str) -> String {
        format!(
            "{}/v1/boards/{}/jobs?content=true",
            self.greenhouse.trim_end_matches('/'),
            encode(token)
        )
    }

    /// Greenhouse: the board's departments, each with its jobs (without
    /// their descriptions): read when the job list with descriptions is over
    /// the document cap.
    pub fn greenhouse_departments(&self, token: &str) -> String {
        format!(
            "{}/v1/boards/{}/departments",
            self.greenhouse.trim_end_matches('/'),
            encode(token)
        )
    }

    /// Lever: one page of postings starting at `skip`, on the EU API for
    /// an EU board.
    pub fn lever_postings(&self, site: &str, skip: usize, eu: bool) -> String {
        let base = if eu { &self.lever_eu } else { &self.lever };
        format!(
            "{}/v0/postings/{}?mode=json&skip={skip}&limit={LEVER_PAGE_SIZE}",
            base.trim_end_matches('/'),
            encode(site)
        )
    }

    /// Ashby: the whole job board.
    pub fn ashby_job_board(&self, board: &str) -> String {
        format!(
            "{}/posting-api/job-board/{}?includeCompensation=true",
            self.ashby.trim_end_matches('/'),
            encode(board)
        )
    }

    /// SmartRecruiters: one page of postings starting at `offset`.
    pub fn smartrecruiters_postings(&self, company: &str, offset: usize) -> String {
        format!(
            "{}/v1/companies/{}/postings?limit={SMARTRECRUITERS_PAGE_SIZE}&offset={offset}",
            self.smartrecruiters.trim_end_matches('/'),
            encode(company)
        )
    }
}

impl AtsEndpoints {
    /// Workable: the account's published jobs with details.
    pub fn workable_jobs(&self, slug: &str) -> String {
        format!(
            "{}/api/v1/widget/accounts/{}?details=true",
            self.workable.trim_end_matches('/'),
            encode(slug)
        )
    }

    /// Recruitee: the company's published offers.
    pub fn recruitee_offers(&self, slug: &str) -> String {
        format!("{}/api/offers/", host_base(&self.recruitee, slug))
    }

    /// Personio: the account's public XML feed (English texts).
    pub fn personio_xml(&self, account: &str) -> String {
        format!("{}/xml?language=en", self.personio_jobs_base(account))
    }

    /// Personio: the account's public job pages (`{base}/job/{id}`).
    pub fn personio_jobs_base(&self, account: &str) -> String {
        host_base(&self.personio, account)
    }

    /// Teamtailor: the RSS feed of a `{slug}.teamtailor.com` careers site.
    pub fn teamtailor_jobs(&self, slug: &str) -> String {
        Self::teamtailor_rss(&host_base(&self.teamtailor, slug))
    }

    /// Teamtailor: the RSS feed on any careers origin (Teamtailor serves
    /// `/jobs.rss` on custom domains too).
    pub fn teamtailor_rss(origin: &str) -> String {
        format!("{}/jobs.rss", origin.trim_end_matches('/'))
    }
}

/// A base URL with `{slug}` replaced by a DNS-label-safe slug (other
/// characters dropped), without a trailing slash.
fn host_base(template: &str, slug: &str) -> String {
    let label: String = slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    template
        .replace("{slug}", &label)
        .trim_end_matches('/')
        .to_string()
}

/// Percent-encodes everything but unreserved characters in a path segment.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

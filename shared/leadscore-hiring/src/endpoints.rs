//! Public job-list request URLs, with configurable base URLs so tests and the
//! CLI can point them at loopback servers.

use serde::{Deserialize, Serialize};

/// Base URLs of the public job-list APIs (no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtsEndpoints {
    /// Greenhouse job board API base.
    pub greenhouse: String,
    /// Lever postings API base.
    pub lever: String,
    /// Ashby posting API base.
    pub ashby: String,
    /// SmartRecruiters posting API base.
    pub smartrecruiters: String,
}

impl Default for AtsEndpoints {
    fn default() -> Self {
        Self {
            greenhouse: "https://boards-api.greenhouse.io".to_string(),
            lever: "https://api.lever.co".to_string(),
            ashby: "https://api.ashbyhq.com".to_string(),
            smartrecruiters: "https://api.smartrecruiters.com".to_string(),
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

    /// Lever: one page of postings starting at `skip`.
    pub fn lever_postings(&self, site: &str, skip: usize) -> String {
        format!(
            "{}/v0/postings/{}?mode=json&skip={skip}&limit={LEVER_PAGE_SIZE}",
            self.lever.trim_end_matches('/'),
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

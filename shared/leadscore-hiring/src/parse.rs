//! Parsers from a job-list response (status, content type, body) to roles.

use serde::{Deserialize, Serialize};

use crate::endpoints::{LEVER_PAGE_SIZE, SMARTRECRUITERS_PAGE_SIZE};

/// One open role as published by an ATS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// ATS-specific stable id.
    pub id: String,
    /// Title as published.
    pub title: String,
    /// The ATS's own department/team field, if any.
    pub department: Option<String>,
    /// Free-text location.
    pub location: Option<String>,
    /// Publication or creation date as the ATS gives it (ISO 8601 when known).
    pub posted_at: Option<String>,
    /// Public job URL.
    pub url: Option<String>,
    /// True when the ATS marks the role remote.
    pub remote: bool,
}

/// Result of parsing one response page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BoardPage {
    /// The board exists; `roles` may be empty ("no open roles").
    Roles {
        /// Roles on this page.
        roles: Vec<Role>,
        /// Whether another page should be requested.
        has_next: bool,
    },
    /// The ATS does not know this board (404, or an HTML error page with 200).
    UnknownBoard,
}

/// A response that is neither a valid job list nor a recognisable unknown board.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body is not valid JSON of the expected shape (wrong types, missing
    /// fields, truncated).
    #[error("malformed {ats} payload: {source}")]
    Json {
        /// ATS name.
        ats: &'static str,
        /// Underlying serde error (line/column included).
        #[source]
        source: serde_json::Error,
    },
    /// An HTTP status the parser does not treat as a board outcome.
    #[error("unexpected HTTP status {status} from {ats}")]
    Status {
        /// ATS name.
        ats: &'static str,
        /// The status code.
        status: u16,
    },
}

/// What the caller fetched.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header value, if any.
    pub content_type: Option<&'a str>,
    /// Raw body.
    pub body: &'a [u8],
}

/// Shared handling of statuses and HTML error pages; `None` means "parse the body".
fn triage(ats: &'static str, resp: &Response<'_>) -> Result<Option<BoardPage>, ParseError> {
    match resp.status {
        404 | 410 => return Ok(Some(BoardPage::UnknownBoard)),
        200..=299 => {}
        status => return Err(ParseError::Status { ats, status }),
    }
    let html_type = resp
        .content_type
        .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"));
    let first = resp.body.iter().find(|b| !b.is_ascii_whitespace());
    if html_type || first == Some(&b'<') {
        return Ok(Some(BoardPage::UnknownBoard));
    }
    Ok(None)
}

#[derive(Deserialize)]
struct GhBoard {
    jobs: Vec<GhJob>,
}

#[derive(Deserialize)]
struct GhJob {
    id: u64,
    title: String,
    absolute_url: Option<String>,
    updated_at: Option<String>,
    first_published: Option<String>,
    location: Option<GhName>,
    #[serde(default)]
    departments: Vec<GhName>,
}

#[derive(Deserialize)]
struct GhName {
    name: Option<String>,
}

/// Parses `GET /v1/boards/{token}/jobs?content=true`. Greenhouse answers 404
/// for unknown boards; an empty `jobs` array means "no open roles".
pub fn parse_greenhouse(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "greenhouse";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let board: GhBoard = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = board
        .jobs
        .into_iter()
        .map(|j| {
            let location = j.location.and_then(|l| l.name);
            Role {
                id: j.id.to_string(),
                remote: location
                    .as_deref()
                    .is_some_and(|l| l.to_ascii_lowercase().contains("remote")),
                title: j.title,
                department: j.departments.into_iter().find_map(|d| d.name),
                location,
                posted_at: j.first_published.or(j.updated_at),
                url: j.absolute_url,
            }
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeverPosting {
    id: String,
    text: String,
    hosted_url: Option<String>,
    created_at: Option<i64>,
    #[serde(default)]
    categories: LeverCategories,
    workplace_type: Option<String>,
}

#[derive(Deserialize, Default)]
struct LeverCategories {
    team: Option<String>,
    department: Option<String>,
    location: Option<String>,
}

/// Parses one page of `GET /v0/postings/{site}?mode=json&skip=..&limit=..`.
/// Lever answers 404 (`{"ok":false,"error":"Document not found"}`) for unknown
/// sites. A full page means there may be a next page.
pub fn parse_lever(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "lever";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let postings: Vec<LeverPosting> = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let has_next = postings.len() >= LEVER_PAGE_SIZE;
    let roles = postings
        .into_iter()
        .map(|p| Role {
            id: p.id,
            title: p.text,
            department: p.categories.department.or(p.categories.team),
            location: p.categories.location,
            posted_at: p.created_at.map(epoch_ms_to_iso),
            url: p.hosted_url,
            remote: p.workplace_type.as_deref() == Some("remote"),
        })
        .collect();
    Ok(BoardPage::Roles { roles, has_next })
}

#[derive(Deserialize)]
struct AshbyBoard {
    jobs: Vec<AshbyJob>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AshbyJob {
    id: String,
    title: String,
    department: Option<String>,
    team: Option<String>,
    location: Option<String>,
    published_at: Option<String>,
    job_url: Option<String>,
    #[serde(default)]
    is_remote: bool,
    is_listed: Option<bool>,
}

/// Parses `GET /posting-api/job-board/{board}`. Unlisted jobs are dropped;
/// 404 is an unknown board, an empty `jobs` array is "no open roles".
pub fn parse_ashby(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "ashby";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let board: AshbyBoard = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = board
        .jobs
        .into_iter()
        .filter(|j| j.is_listed != Some(false))
        .map(|j| Role {
            id: j.id,
            title: j.title,
            department: j.department.or(j.team),
            location: j.location,
            posted_at: j.published_at,
            url: j.job_url,
            remote: j.is_remote,
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrPage {
    offset: usize,
    total_found: usize,
    content: Vec<SrPosting>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrPosting {
    id: String,
    name: String,
    released_date: Option<String>,
    location: Option<SrLocation>,
    department: Option<SrLabel>,
    function: Option<SrLabel>,
    company: Option<SrCompany>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SrLocation {
    full_location: Option<String>,
    city: Option<String>,
    #[serde(default)]
    remote: bool,
}

#[derive(Deserialize)]
struct SrLabel {
    label: Option<String>,
}

#[derive(Deserialize)]
struct SrCompany {
    identifier: Option<String>,
}

/// Parses one page of `GET /v1/companies/{id}/postings?limit=100&offset=..`.
///
/// SmartRecruiters answers 200 with `totalFound: 0` for unknown companies, so
/// an empty first page is reported as [`BoardPage::UnknownBoard`]; callers
/// with other evidence of the board may treat it as "no open roles".
pub fn parse_smartrecruiters(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "smartrecruiters";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let page: SrPage = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    if page.total_found == 0 && page.offset == 0 {
        return Ok(BoardPage::UnknownBoard);
    }
    let has_next = !page.content.is_empty()
        && page.offset + page.content.len() < page.total_found
        && page.content.len() >= SMARTRECRUITERS_PAGE_SIZE.min(page.total_found - page.offset);
    let roles = page
        .content
        .into_iter()
        .map(|p| {
            let (location, remote) = match p.location {
                Some(l) => (l.full_location.or(l.city), l.remote),
                None => (None, false),
            };
            let url = p
                .company
                .and_then(|c| c.identifier)
                .map(|c| format!("https://jobs.smartrecruiters.com/{c}/{}", p.id));
            Role {
                department: p
                    .function
                    .and_then(|f| f.label)
                    .or(p.department.and_then(|d| d.label)),
                id: p.id,
                title: p.name,
                location,
                posted_at: p.released_date,
                url,
                remote,
            }
        })
        .collect();
    Ok(BoardPage::Roles { roles, has_next })
}

/// Formats epoch milliseconds as an ISO 8601 UTC date-time (proleptic Gregorian).
fn epoch_ms_to_iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::epoch_ms_to_iso;

    #[test]
    fn epoch_ms_formats_utc() {
        assert_eq!(epoch_ms_to_iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(epoch_ms_to_iso(1_700_000_000_000), "2023-11-14T22:13:20Z");
    }
}

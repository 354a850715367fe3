//! Parsers from a job-list response (status, content type, body) to roles.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

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
    /// No roles listed, and the ATS answers so for a board that does not
    /// exist too (SmartRecruiters: `totalFound: 0` for any company id): an
    /// unknown board, unless the caller knows the board (it listed roles
    /// before), and then a board with no open roles.
    NoneListed,
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
    /// The body is not well-formed XML of the expected shape (Personio XML,
    /// Teamtailor RSS).
    #[error("malformed {ats} payload: {source}")]
    Xml {
        /// ATS name.
        ats: &'static str,
        /// Underlying quick-xml error.
        #[source]
        source: quick_xml::DeError,
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

/// A JSON array read item by item: an item that does not fit (a job without
/// a title, a field of a type the ATS does not document) is skipped rather
/// than failing the whole board. An array none of whose items fits is an
/// error: the format has changed.
fn lenient<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let items = Vec::<Box<RawValue>>::deserialize(d)?;
    lenient_items(&items).map_err(D::Error::custom)
}

/// [`lenient`] over items kept as raw JSON text (no tree of the whole
/// answer is built: a large board's descriptions are skipped by the parse).
fn lenient_items<T: DeserializeOwned>(
    items: &[Box<RawValue>],
) -> Result<Vec<T>, serde_json::Error> {
    let mut first_error = None;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match serde_json::from_str(item.get()) {
            Ok(t) => out.push(t),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// A field that is present, `null` included (`Some(Value::Null)`); with
/// `#[serde(default)]`, an absent one is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// A field the ATS may send as `null` (a flag, a list): its default.
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct GhBoard {
    #[serde(deserialize_with = "lenient")]
    jobs: Vec<GhJob>,
}

#[derive(Deserialize)]
struct GhJob {
    id: u64,
    /// The job behind the post; `null` for a prospect post (a talent pool,
    /// no opening). Absent from some answers: then the post counts.
    #[serde(default, deserialize_with = "present")]
    internal_job_id: Option<serde_json::Value>,
    title: String,
    absolute_url: Option<String>,
    /// When the post was first published (in real answers, not in the
    /// docs, which name only `updated_at`, the last edit).
    first_published: Option<String>,
    location: Option<GhName>,
    #[serde(default, deserialize_with = "or_default")]
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
    Ok(BoardPage::Roles {
        roles: gh_roles(board.jobs.into_iter().map(|j| (j, None))),
        has_next: false,
    })
}

#[derive(Deserialize)]
struct GhDepartments {
    #[serde(deserialize_with = "lenient")]
    departments: Vec<GhDepartment>,
}

#[derive(Deserialize)]
struct GhDepartment {
    id: Option<u64>,
    parent_id: Option<u64>,
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    jobs: Vec<GhJob>,
}

/// Parses `GET /v1/boards/{token}/departments`: the board's departments,
/// each with its jobs (as the job list without `content=true` gives them).
/// A job's department is the one it is listed under (Greenhouse's "No
/// Department" is none); a job listed under two (a department and its
/// parent) counts once, under the deeper one ("Sales Operations", not
/// "Operations").
pub fn parse_greenhouse_departments(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "greenhouse";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let board: GhDepartments = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let parents: std::collections::HashMap<u64, u64> = board
        .departments
        .iter()
        .filter_map(|d| Some((d.id?, d.parent_id?)))
        .collect();
    // Levels above a department (a cycle stops at the departments' count).
    let depth = |mut id: Option<u64>| {
        let mut n = 0;
        while let Some(p) = id.and_then(|i| parents.get(&i)) {
            n += 1;
            if n > parents.len() {
                break;
            }
            id = Some(*p);
        }
        n
    };
    // Each job once, in the order first listed, under its deepest department.
    let mut jobs: Vec<(GhJob, Option<String>, usize)> = Vec::new();
    let mut at: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for d in board.departments {
        let level = depth(d.id);
        let name = d.name.filter(|n| !n.eq_ignore_ascii_case("no department"));
        for j in d.jobs {
            match at.get(&j.id) {
                Some(&i) if (jobs[i].2 < level || jobs[i].1.is_none()) && name.is_some() => {
                    jobs[i].1.clone_from(&name);
                    jobs[i].2 = level;
                }
                Some(_) => {}
                None => {
                    at.insert(j.id, jobs.len());
                    jobs.push((j, name.clone(), level));
                }
            }
        }
    }
    let roles = gh_roles(jobs.into_iter().map(|(j, name, _)| (j, name)));
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

/// Whether a board's location (or office) field says the role is remote
/// ("Remote - US", "Berlin or Remote").
fn says_remote(place: Option<&str>) -> bool {
    place.is_some_and(|l| l.to_ascii_lowercase().contains("remote"))
}

/// Greenhouse jobs as roles, each with the department it is listed under
/// when its own list names none; prospect posts are left out.
fn gh_roles(jobs: impl Iterator<Item = (GhJob, Option<String>)>) -> Vec<Role> {
    jobs.filter(|(j, _)| j.internal_job_id != Some(serde_json::Value::Null))
        .map(|(j, listed_under)| {
            let location = j.location.and_then(|l| l.name);
            Role {
                id: j.id.to_string(),
                remote: says_remote(location.as_deref()),
                title: j.title,
                department: j
                    .departments
                    .into_iter()
                    .find_map(|d| d.name)
                    .or(listed_under),
                location,
                // `updated_at` is the post's last edit, not its posting: an
                // old role edited yesterday is no new role.
                posted_at: j.first_published,
                url: j.absolute_url,
            }
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeverPosting {
    id: String,
    text: String,
    hosted_url: Option<String>,
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "or_default")]
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
    let items: Vec<Box<RawValue>> = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let has_next = items.len() >= LEVER_PAGE_SIZE;
    let postings: Vec<LeverPosting> =
        lenient_items(&items).map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = postings
        .into_iter()
        .map(|p| {
            // `workplaceType` when the board sets it; else the location,
            // as for Greenhouse ("Remote - US").
            let remote = p.workplace_type.as_deref() == Some("remote")
                || (!matches!(
                    p.workplace_type.as_deref(),
                    Some("onsite" | "on-site" | "hybrid")
                ) && says_remote(p.categories.location.as_deref()));
            Role {
                id: p.id,
                title: p.text,
                department: team_and_department(p.categories.team, p.categories.department),
                location: p.categories.location,
                posted_at: p.created_at.map(epoch_ms_to_iso),
                url: p.hosted_url,
                remote,
            }
        })
        .collect();
    Ok(BoardPage::Roles { roles, has_next })
}

/// A board's team and department as one field: both, when they differ.
/// The team is the narrower field ("SDR" in department "Sales", "Marketing"
/// in "Go To Market") but is often a region or a squad ("EMEA", "Growth");
/// the classifier reads each part.
fn team_and_department(team: Option<String>, department: Option<String>) -> Option<String> {
    match (team, department) {
        (Some(t), Some(d)) if !t.eq_ignore_ascii_case(&d) => Some(format!("{t}, {d}")),
        (t, d) => t.or(d),
    }
}

#[derive(Deserialize)]
struct AshbyBoard {
    #[serde(deserialize_with = "lenient")]
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
    #[serde(default, deserialize_with = "or_default")]
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
            department: team_and_department(j.team, j.department),
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
    /// Read one by one after the page's length is known.
    content: Vec<Box<RawValue>>,
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
    #[serde(default, deserialize_with = "or_default")]
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
/// an empty first page is reported as [`BoardPage::NoneListed`]; callers
/// with other evidence of the board may treat it as "no open roles".
pub fn parse_smartrecruiters(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "smartrecruiters";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let page: SrPage = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    if page.total_found == 0 && page.offset == 0 {
        return Ok(BoardPage::NoneListed);
    }
    let has_next = !page.content.is_empty()
        && page.offset + page.content.len() < page.total_found
        && page.content.len() >= SMARTRECRUITERS_PAGE_SIZE.min(page.total_found - page.offset);
    // The page's length above counts every item; one that does not fit is
    // skipped here without ending the pages.
    let postings: Vec<SrPosting> =
        lenient_items(&page.content).map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = postings
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

#[derive(Deserialize)]
struct WorkableAccount {
    #[serde(deserialize_with = "lenient")]
    jobs: Vec<WorkableJob>,
}

#[derive(Deserialize)]
struct WorkableJob {
    shortcode: String,
    title: String,
    department: Option<String>,
    function: Option<String>,
    city: Option<String>,
    state: Option<String>,
    country: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    telecommuting: bool,
    published_on: Option<String>,
    created_at: Option<String>,
    url: Option<String>,
    shortlink: Option<String>,
}

/// Parses `GET /api/v1/widget/accounts/{slug}?details=true` (Workable's
/// public widget API). Workable answers 404 for unknown accounts; an empty
/// `jobs` array is "no open roles".
pub fn parse_workable(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "workable";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let account: WorkableAccount = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = account
        .jobs
        .into_iter()
        .map(|j| {
            let parts: Vec<String> = [j.city, j.state, j.country]
                .into_iter()
                .flatten()
                .filter(|p| !p.trim().is_empty())
                .collect();
            Role {
                id: j.shortcode,
                title: j.title,
                department: j.department.filter(|d| !d.trim().is_empty()).or(j.function),
                location: (!parts.is_empty()).then(|| parts.join(", ")),
                posted_at: j.published_on.or(j.created_at),
                url: j.url.or(j.shortlink),
                remote: j.telecommuting,
            }
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

#[derive(Deserialize)]
struct RecruiteeOffers {
    #[serde(deserialize_with = "lenient")]
    offers: Vec<RecruiteeOffer>,
}

#[derive(Deserialize)]
struct RecruiteeOffer {
    id: u64,
    title: String,
    status: Option<String>,
    department: Option<String>,
    location: Option<String>,
    city: Option<String>,
    country: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    remote: bool,
    published_at: Option<String>,
    created_at: Option<String>,
    careers_url: Option<String>,
}

/// Recruitee dates look like `2026-11-02 09:15:00 UTC`; ISO 8601 when they do.
fn recruitee_date(s: String) -> String {
    match s.strip_suffix(" UTC") {
        Some(dt) if dt.len() == 19 && dt.as_bytes().get(10) == Some(&b' ') => {
            format!("{}T{}Z", &dt[..10], &dt[11..])
        }
        _ => s,
    }
}

/// Parses `GET https://{slug}.recruitee.com/api/offers/`. Only `published`
/// offers count (a missing status is taken as published); 404 is an unknown
/// company, an empty `offers` array is "no open roles".
pub fn parse_recruitee(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "recruitee";
    if let Some(page) = triage(ATS, resp)? {
        return Ok(page);
    }
    let list: RecruiteeOffers = serde_json::from_slice(resp.body)
        .map_err(|source| ParseError::Json { ats: ATS, source })?;
    let roles = list
        .offers
        .into_iter()
        .filter(|o| o.status.as_deref().is_none_or(|s| s == "published"))
        .map(|o| Role {
            id: o.id.to_string(),
            title: o.title,
            department: o.department,
            location: o.location.or(match (o.city, o.country) {
                (Some(c), Some(k)) => Some(format!("{c}, {k}")),
                (c, k) => c.or(k),
            }),
            posted_at: o.published_at.or(o.created_at).map(recruitee_date),
            url: o.careers_url,
            remote: o.remote,
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

#[derive(Deserialize)]
struct PersonioFeed {
    #[serde(rename = "position", default)]
    positions: Vec<PersonioPosition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonioPosition {
    id: String,
    /// A position without one is no role (skipped, not the feed).
    name: Option<String>,
    office: Option<String>,
    department: Option<String>,
    recruiting_category: Option<String>,
    occupation_category: Option<String>,
    created_at: Option<String>,
}

/// Parses `GET https://{account}.jobs.personio.de/xml` (`<workzag-jobs>` of
/// `<position>`s). An account without the XML feed answers 404 or an HTML
/// page; `<workzag-jobs/>` with no position is "no open roles".
/// `job_base` is the account's public job page origin, for role URLs.
pub fn parse_personio(
    resp: &Response<'_>,
    job_base: Option<&str>,
) -> Result<BoardPage, ParseError> {
    const ATS: &str = "personio";
    match resp.status {
        404 | 410 => return Ok(BoardPage::UnknownBoard),
        200..=299 => {}
        status => return Err(ParseError::Status { ats: ATS, status }),
    }
    if resp
        .content_type
        .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
    {
        return Ok(BoardPage::UnknownBoard);
    }
    let text = String::from_utf8_lossy(resp.body);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed
        .get(..14)
        .is_some_and(|h| h.eq_ignore_ascii_case("<!doctype html"))
        || trimmed.starts_with("<html")
    {
        return Ok(BoardPage::UnknownBoard);
    }
    let feed: PersonioFeed =
        quick_xml::de::from_str(trimmed).map_err(|source| ParseError::Xml { ats: ATS, source })?;
    let roles = feed
        .positions
        .into_iter()
        .filter_map(|p| {
            let title = p.name.filter(|t| !t.trim().is_empty())?;
            Some(Role {
                url: job_base.map(|b| format!("{}/job/{}", b.trim_end_matches('/'), p.id)),
                remote: says_remote(p.office.as_deref()),
                id: p.id,
                title,
                department: p
                    .department
                    .or(p.recruiting_category)
                    .or(p.occupation_category)
                    .filter(|d| !d.trim().is_empty()),
                location: p.office,
                posted_at: p.created_at,
            })
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
}

#[derive(Deserialize)]
struct Rss {
    channel: RssChannel,
}

#[derive(Deserialize)]
struct RssChannel {
    #[serde(rename = "item", default)]
    items: Vec<RssItem>,
}

#[derive(Deserialize)]
struct RssItem {
    /// An item without one is no role (skipped, not the feed).
    title: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    #[serde(rename = "pubDate")]
    pub_date: Option<String>,
    #[serde(rename = "department", alias = "teamtailor:department")]
    department: Option<String>,
    #[serde(rename = "role", alias = "teamtailor:role")]
    role: Option<String>,
    #[serde(rename = "remoteStatus", alias = "teamtailor:remoteStatus")]
    remote_status: Option<String>,
    #[serde(rename = "locations", alias = "teamtailor:locations")]
    locations: Option<TtLocations>,
}

#[derive(Deserialize)]
struct TtLocations {
    #[serde(rename = "location", alias = "teamtailor:location", default)]
    location: Vec<TtLocation>,
}

#[derive(Deserialize)]
struct TtLocation {
    #[serde(rename = "name", alias = "teamtailor:name")]
    name: Option<String>,
    #[serde(rename = "city", alias = "teamtailor:city")]
    city: Option<String>,
}

/// RFC 2822 (`Mon, 02 Nov 2026 09:15:00 +0100`) to ISO 8601 when it parses.
fn rfc2822_to_iso(s: String) -> String {
    chrono::DateTime::parse_from_rfc2822(s.trim()).map_or(s, |t| t.to_rfc3339())
}

/// Parses a Teamtailor careers site's `GET {origin}/jobs.rss` (RSS 2.0 with
/// `teamtailor:` elements, matched by local name). A site that is not Teamtailor answers 404 or an
/// HTML page; a channel with no `<item>` is "no open roles".
pub fn parse_teamtailor(resp: &Response<'_>) -> Result<BoardPage, ParseError> {
    const ATS: &str = "teamtailor";
    match resp.status {
        404 | 410 => return Ok(BoardPage::UnknownBoard),
        200..=299 => {}
        status => return Err(ParseError::Status { ats: ATS, status }),
    }
    if resp
        .content_type
        .is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
    {
        return Ok(BoardPage::UnknownBoard);
    }
    let text = String::from_utf8_lossy(resp.body);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let lower_head = trimmed
        .get(..trimmed.len().min(200))
        .unwrap_or("")
        .to_ascii_lowercase();
    if lower_head.starts_with("<!doctype html") || lower_head.starts_with("<html") {
        return Ok(BoardPage::UnknownBoard);
    }
    let rss: Rss =
        quick_xml::de::from_str(trimmed).map_err(|source| ParseError::Xml { ats: ATS, source })?;
    let roles = rss
        .channel
        .items
        .into_iter()
        .filter_map(|i| {
            let title = i.title.filter(|t| !t.trim().is_empty())?;
            let location = i.locations.and_then(|l| {
                let names: Vec<String> = l
                    .location
                    .into_iter()
                    .filter_map(|x| x.name.or(x.city))
                    .collect();
                (!names.is_empty()).then(|| names.join("; "))
            });
            Some(Role {
                id: i
                    .guid
                    .clone()
                    .or_else(|| i.link.clone())
                    .unwrap_or_else(|| title.clone()),
                title,
                department: i.department.or(i.role),
                remote: i.remote_status.as_deref().is_some_and(|r| {
                    r.eq_ignore_ascii_case("fully") || r.eq_ignore_ascii_case("remote")
                }),
                location,
                posted_at: i.pub_date.map(rfc2822_to_iso),
                url: i.link,
            })
        })
        .collect();
    Ok(BoardPage::Roles {
        roles,
        has_next: false,
    })
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
    use super::{BoardPage, Response, epoch_ms_to_iso, parse_lever};

    /// A Lever posting is remote by its `workplaceType`, or, when that
    /// says nothing, by its location, as a Greenhouse job is.
    #[test]
    fn a_lever_posting_located_remote_is_remote() {
        let body = br#"[
 {"id":"a","text":"AE","categories":{"location":"Remote - US"},"workplaceType":"unspecified"},
 {"id":"b","text":"AE","categories":{"location":"Remote - US"}},
 {"id":"c","text":"AE","categories":{"location":"Berlin"},"workplaceType":"remote"},
 {"id":"d","text":"AE","categories":{"location":"Remote office, Austin"},"workplaceType":"onsite"},
 {"id":"e","text":"AE","categories":{"location":"Berlin"}}
]"#;
        let page = parse_lever(&Response {
            status: 200,
            content_type: Some("application/json"),
            body,
        })
        .unwrap();
        let BoardPage::Roles { roles, .. } = page else {
            panic!("no roles: {page:?}");
        };
        let remote: Vec<bool> = roles.iter().map(|r| r.remote).collect();
        assert_eq!(remote, [true, true, true, false, false]);
    }

    #[test]
    fn epoch_ms_formats_utc() {
        assert_eq!(epoch_ms_to_iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(epoch_ms_to_iso(1_700_000_000_000), "2023-11-14T22:13:20Z");
    }
}

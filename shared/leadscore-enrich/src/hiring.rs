//! Hiring: find the ATS board on the crawled pages, read its public job
//! list through the fetcher, and turn the roles into signals.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use leadscore_core::domain::Signal;
use leadscore_core::titles::Taxonomy;
use leadscore_fetch::{Budget, PageError, PageFetcher, SiteSession};
use leadscore_hiring::detect::{Ats, AtsBoard, MAX_BOARDS, detect_ats};
use leadscore_hiring::endpoints::{AtsEndpoints, LEVER_PAGE_SIZE, SMARTRECRUITERS_PAGE_SIZE};
use leadscore_hiring::parse::{
    BoardPage, ParseError, Response, Role, parse_ashby, parse_greenhouse,
    parse_greenhouse_departments, parse_lever, parse_personio, parse_recruitee,
    parse_smartrecruiters, parse_teamtailor, parse_workable,
};
use leadscore_hiring::signals::{
    ClassifiedRole, HiringSignals, classify_roles_with, hiring_signals, to_signals,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// Hiring settings.
#[derive(Debug, Clone)]
pub struct HiringConfig {
    /// ATS API base URLs (tests and proxies point them elsewhere).
    pub endpoints: AtsEndpoints,
    /// Pages read per board (Lever and SmartRecruiters page by 100).
    pub max_pages_per_board: usize,
    /// Time budget for all boards of one account.
    pub budget: Duration,
    /// Title taxonomy for classifying roles (the shipped one by default).
    pub taxonomy: Arc<Taxonomy>,
}

impl Default for HiringConfig {
    fn default() -> Self {
        Self {
            endpoints: AtsEndpoints::default(),
            max_pages_per_board: 10,
            budget: Duration::from_secs(30),
            taxonomy: Arc::new(Taxonomy::default_taxonomy().clone()),
        }
    }
}

/// What happened with one detected board.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardOutcome {
    /// ATS name.
    pub ats: String,
    /// Board token.
    pub token: String,
    /// `ok`, `unknown_board`, `unsupported` (detected; its job list is not
    /// read yet) or `error`.
    pub status: String,
    /// Roles read.
    pub roles: usize,
    /// The error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the error may pass (a timeout, a 5xx): the board's roles are
    /// unknown, not gone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transient: bool,
    /// Whether the board had more pages than are read
    /// (`max_pages_per_board`): its roles are a part of the board, so no
    /// opened or closed roles are counted from it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// A board in its ATS's EU region (Lever), read from the EU API.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub eu: bool,
    /// Set when the board was read because the previous snapshot had it
    /// (read, or failed for a run) and a page that may name it could not be
    /// read this time (the homepage or a careers page failed for a reason
    /// that may pass or was read in part, or the sitemap could not be
    /// reached): not found on the pages read, it is not gone. The first run
    /// that carried it; after [`crate::news::MAX_KEEP`] of such runs in a
    /// row it is not carried any more. When a carried board cannot be read
    /// its roles are unknown, so no opened or closed roles are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_since: Option<DateTime<Utc>>,
    /// The board listed no roles, as SmartRecruiters answers for a company
    /// that does not exist too, and the last snapshot read it (with roles,
    /// or listing none already): a board with no open roles. The first such
    /// read of a board that had roles counts no opened or closed roles (a
    /// passing empty answer would close them all, then open them again);
    /// a second in a row closes them. It does not stop the JSON-LD and HTML
    /// fallbacks (a company that moved off the ATS and left a link to it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub none_listed: bool,
}

/// The most roles a snapshot lists with their classification: a board of
/// thousands (a large company's) would make a snapshot bigger than a
/// DynamoDB item may be (400 KB); the counts and `role_ids` keep them all.
pub const MAX_DETAIL_ROLES: usize = 1000;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Hiring as stored in a snapshot's details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HiringDetails {
    /// Boards found.
    pub boards: Vec<BoardOutcome>,
    /// Ids of the open roles (velocity against the next snapshot), one
    /// entry a post, the ids of its listings separated by spaces.
    pub role_ids: Vec<String>,
    /// The open roles with their classification, the first
    /// [`MAX_DETAIL_ROLES`] (`role_ids` has them all).
    #[serde(default)]
    pub roles: Vec<serde_json::Value>,
    /// Roles left out of `roles` past [`MAX_DETAIL_ROLES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub roles_omitted: usize,
    /// The computed counts, when a board was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
    /// When runs began keeping an earlier snapshot's hiring because no
    /// board could be read for a reason that may pass (see
    /// [`HiringFound::unread`]); none when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_since: Option<DateTime<Utc>>,
    /// Whether `role_ids` come from a read in part with no complete list
    /// before it (the account's first snapshot, with a board down): no
    /// comparison is made against them, or the failed board's roles would
    /// all count as opened when it is read again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial_baseline: bool,
}

/// What the last snapshot's hiring gives the next collection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Previous<'a> {
    /// Its role ids, the velocity baseline (none when it is no baseline).
    pub role_ids: Option<&'a [String]>,
    /// Its boards and their outcomes.
    pub boards: &'a [BoardOutcome],
}

/// What hiring collection found.
#[derive(Debug, Clone, Default)]
pub struct HiringFound {
    /// Boards and outcomes.
    pub boards: Vec<BoardOutcome>,
    /// Classified open roles.
    pub roles: Vec<ClassifiedRole>,
    /// Counts, when at least one board was read.
    pub summary: Option<HiringSignals>,
    /// Signals for scoring (none when no board could be read: unknown is not zero).
    pub signals: Vec<Signal>,
    /// Errors, per board.
    pub errors: Vec<String>,
    /// Role ids of the previous snapshot kept for the next comparison,
    /// when a board could not be read this time (its roles are unknown, not
    /// closed).
    pub kept_ids: Option<Vec<String>>,
    /// The roles were read in part, with no complete list to keep
    /// ([`HiringDetails::partial_baseline`]).
    pub partial_baseline: bool,
}

fn ats_name(ats: Ats) -> String {
    format!("{ats:?}").to_lowercase()
}

/// The board a snapshot's outcome records, when it is an ATS board (not
/// the `jsonld` or `html` fallback).
fn recorded_board(o: &BoardOutcome) -> Option<AtsBoard> {
    let ats = Ats::ALL.into_iter().find(|&a| ats_name(a) == o.ats)?;
    Some(AtsBoard {
        ats,
        token: o.token.clone(),
        eu: o.eu,
    })
}

enum Fetched {
    Page(BoardPage),
    Unknown,
}

/// Why a board's page was not read.
struct ReadFailure {
    message: String,
    /// It may pass ([`PageError::is_transient`]).
    transient: bool,
    /// The answer was over the document cap.
    too_large: bool,
}

impl ReadFailure {
    fn lasting(message: String) -> Self {
        Self {
            message,
            transient: false,
            too_large: false,
        }
    }
}

async fn read_page(
    fetcher: &dyn PageFetcher,
    session: &SiteSession,
    url: &str,
    parse: &dyn Fn(&Response<'_>) -> Result<BoardPage, ParseError>,
) -> Result<Fetched, ReadFailure> {
    let url = Url::parse(url).map_err(|e| ReadFailure::lasting(format!("{url}: {e}")))?;
    match fetcher.fetch_document(&url, session).await {
        Ok(page) => {
            let resp = Response {
                status: page.status,
                content_type: page.content_type.as_deref(),
                body: page.text.as_bytes(),
            };
            parse(&resp)
                .map(Fetched::Page)
                .map_err(|e| ReadFailure::lasting(e.to_string()))
        }
        Err(PageError::HttpStatus(404 | 410)) => Ok(Fetched::Unknown),
        Err(e) => Err(ReadFailure {
            message: format!("{}: {e}", e.kind()),
            transient: e.is_transient(),
            too_large: matches!(e, PageError::TooLarge { .. }),
        }),
    }
}

/// A Greenhouse board whose job list was over the cap and whose departments
/// did not give its jobs: unknown for now.
fn departments_unread(what: &str) -> ReadFailure {
    ReadFailure {
        message: format!("the job list is over the document cap and the departments were {what}"),
        transient: true,
        too_large: false,
    }
}

/// Reads `board`'s roles; `known`: the last snapshot read it with roles or
/// listing none, so a board that lists none ([`BoardPage::NoneListed`]) has
/// no open roles (`none_listed`), rather than being unknown.
async fn read_board(
    fetcher: &dyn PageFetcher,
    session: &SiteSession,
    board: &AtsBoard,
    known: bool,
    config: &HiringConfig,
) -> (BoardOutcome, Vec<Role>) {
    let e = &config.endpoints;
    let mut roles = Vec::new();
    let mut outcome = BoardOutcome {
        ats: ats_name(board.ats),
        token: board.token.clone(),
        status: "ok".into(),
        roles: 0,
        eu: board.eu,
        ..BoardOutcome::default()
    };
    for page in 0..config.max_pages_per_board {
        type Parser = Box<dyn Fn(&Response<'_>) -> Result<BoardPage, ParseError>>;
        let (url, parse): (String, Parser) = match board.ats {
            Ats::Greenhouse if page == 0 => {
                (e.greenhouse_jobs(&board.token), Box::new(parse_greenhouse))
            }
            Ats::Ashby if page == 0 => (e.ashby_job_board(&board.token), Box::new(parse_ashby)),
            Ats::Workable if page == 0 => (e.workable_jobs(&board.token), Box::new(parse_workable)),
            Ats::Recruitee if page == 0 => {
                (e.recruitee_offers(&board.token), Box::new(parse_recruitee))
            }
            Ats::Personio if page == 0 => {
                let base = e.personio_jobs_base(&board.token);
                (
                    e.personio_xml(&board.token),
                    Box::new(move |r: &Response<'_>| parse_personio(r, Some(&base))),
                )
            }
            Ats::Teamtailor if page == 0 => {
                // A custom-domain careers site is recorded by its origin
                // (a slug such as `httpool` is not one).
                let url =
                    if board.token.starts_with("https://") || board.token.starts_with("http://") {
                        AtsEndpoints::teamtailor_rss(&board.token)
                    } else {
                        e.teamtailor_jobs(&board.token)
                    };
                (url, Box::new(parse_teamtailor))
            }
            Ats::Lever => (
                e.lever_postings(&board.token, page * LEVER_PAGE_SIZE, board.eu),
                Box::new(parse_lever),
            ),
            Ats::SmartRecruiters => (
                e.smartrecruiters_postings(&board.token, page * SMARTRECRUITERS_PAGE_SIZE),
                Box::new(parse_smartrecruiters),
            ),
            Ats::Greenhouse
            | Ats::Ashby
            | Ats::Workable
            | Ats::Recruitee
            | Ats::Personio
            | Ats::Teamtailor => break,
            Ats::BambooHr | Ats::Workday => {
                outcome.status = "unsupported".into();
                break;
            }
        };
        let mut read = read_page(fetcher, session, &url, &*parse).await;
        // A Greenhouse board of a thousand openings or so, descriptions
        // included, is over the document cap: its departments list the
        // same jobs without them.
        if board.ats == Ats::Greenhouse && matches!(&read, Err(f) if f.too_large) {
            read = match read_page(
                fetcher,
                session,
                &e.greenhouse_departments(&board.token),
                &parse_greenhouse_departments,
            )
            .await
            {
                // The board answered its job list: it exists, and its roles
                // are unknown (as after a failure that may pass: the last
                // snapshot's hiring stands) when its departments are not
                // found or list none.
                Ok(
                    Fetched::Unknown
                    | Fetched::Page(BoardPage::UnknownBoard | BoardPage::NoneListed),
                ) => Err(departments_unread("not found")),
                Ok(Fetched::Page(BoardPage::Roles { roles, .. })) if roles.is_empty() => {
                    Err(departments_unread("without jobs"))
                }
                other => other,
            };
        }
        match read {
            Ok(Fetched::Page(BoardPage::Roles { roles: r, has_next })) => {
                roles.extend(r);
                if !has_next {
                    break;
                }
                outcome.truncated = page + 1 == config.max_pages_per_board;
            }
            Ok(Fetched::Page(BoardPage::NoneListed)) if known && page == 0 => {
                outcome.none_listed = true;
                break;
            }
            Ok(
                Fetched::Page(BoardPage::UnknownBoard | BoardPage::NoneListed) | Fetched::Unknown,
            ) => {
                outcome.status = "unknown_board".into();
                break;
            }
            Err(failure) => {
                outcome.status = "error".into();
                outcome.error = Some(failure.message);
                outcome.transient = failure.transient;
                break;
            }
        }
    }
    outcome.roles = roles.len();
    (outcome, roles)
}

/// A crawled page handed to hiring collection.
#[derive(Debug, Clone, Copy)]
pub struct HiringPage<'a> {
    /// The page's final URL.
    pub url: &'a str,
    /// Its HTML.
    pub html: &'a str,
    /// A careers page (its plain job links are read as the last fallback).
    pub is_careers: bool,
    /// Only its first part was read (over the page cap): the roles read
    /// from it may be a part of them.
    pub truncated: bool,
}

/// Finds boards on `pages` (the homepage and careers pages) and reads them;
/// when no board could be read (none found, or only unsupported, unknown or
/// broken ones; a board that failed for now counts as read), `JobPosting`
/// JSON-LD on the pages; without that, the job links of the careers pages
/// (a board carried from the last snapshot, or one listing no roles, does
/// not stop them). `previous`: the last snapshot's role ids (the velocity baseline) and
/// its boards, read again when `pages_missed` (a page that may name a
/// board could not be read this time) and no page read names them.
pub async fn collect(
    fetcher: &dyn PageFetcher,
    pages: &[HiringPage<'_>],
    previous: Previous<'_>,
    pages_missed: bool,
    config: &HiringConfig,
    now: DateTime<Utc>,
) -> HiringFound {
    let previous_ids = previous.role_ids;
    let mut boards: Vec<AtsBoard> = Vec::new();
    for page in pages {
        // The page's own address too: a careers link that redirected to
        // the board names it there, whatever its HTML links.
        for b in detect_ats(page.url)
            .into_iter()
            .chain(detect_ats(page.html))
        {
            // At most MAX_BOARDS per page, and as many in all.
            if boards.len() < MAX_BOARDS && !boards.contains(&b) {
                boards.push(b);
            }
        }
        // A Teamtailor careers site on the company's own domain serves its
        // job feed at `{origin}/jobs.rss`.
        if leadscore_hiring::detect::is_teamtailor_site(page.html)
            && !boards.iter().any(|b| b.ats == Ats::Teamtailor)
            && let Ok(url) = Url::parse(page.url)
        {
            boards.push(AtsBoard {
                ats: Ats::Teamtailor,
                token: url.origin().ascii_serialization(),
                eu: false,
            });
        }
    }
    // A board the last snapshot had (its roles in the baseline: read, or
    // failed for a run) may be named on a page that could not be read now:
    // read it too, or its roles would count as closed.
    // Per board, in order: since when it is carried (none: found on a page).
    let mut carried_since = vec![None; boards.len()];
    // A board that would be carried but does not fit: its roles are
    // unknown.
    let mut carry_dropped = false;
    if pages_missed {
        for o in previous
            .boards
            .iter()
            .filter(|o| o.status == "ok" || o.status == "error")
        {
            let Some(b) = recorded_board(o).filter(|b| !boards.contains(b)) else {
                continue;
            };
            // Carried for a month of runs in a row: gone.
            let Some(since) = crate::news::keep_since(o.carried_since, now) else {
                continue;
            };
            if boards.len() < MAX_BOARDS {
                boards.push(b);
                carried_since.push(Some(since));
            } else {
                carry_dropped = true;
            }
        }
    }
    let session = SiteSession::new(Budget::new(config.budget));
    let mut found = HiringFound::default();
    let mut all_roles = Vec::new();
    let mut any_read = false;
    // A board that had roles listed none: unconfirmed (see
    // BoardOutcome::none_listed).
    let mut first_empty = false;
    for (i, board) in boards.iter().enumerate() {
        let ats = ats_name(board.ats);
        // The board as the last snapshot had it. One that failed then (its
        // roles still in the baseline) is known too: an empty answer now
        // is unconfirmed, as after roles.
        let before = previous
            .boards
            .iter()
            .find(|o| o.ats == ats && o.token == board.token);
        let known = before.is_some_and(|o| {
            (o.status == "ok" && (o.roles > 0 || o.none_listed)) || o.status == "error"
        });
        let (mut outcome, roles) = read_board(fetcher, &session, board, known, config).await;
        outcome.carried_since = carried_since[i];
        first_empty |=
            outcome.none_listed && before.is_some_and(|o| !(o.none_listed && o.status == "ok"));
        any_read |= outcome.status == "ok";
        if let Some(err) = &outcome.error {
            found
                .errors
                .push(format!("{} board {}: {err}", outcome.ats, outcome.token));
        }
        found.boards.push(outcome);
        all_roles.extend(roles);
    }
    // No board read, and none that may answer next time (none found, or
    // only ones the crawl cannot read: Workday, a stale link to a board
    // that is gone, an answer that does not parse): schema.org JobPosting
    // JSON-LD on the crawled pages. A carried board, or one that lists no
    // roles, does not count: the pages read may have moved on to these.
    let board_answered = found
        .boards
        .iter()
        .filter(|b| b.carried_since.is_none() && !b.none_listed)
        .any(|b| b.status == "ok" || (b.status == "error" && b.transient));
    let carried_read = found.boards.iter().any(|b| b.carried_since.is_some());
    let mut fallback_read = false;
    if !board_answered {
        let today = now.format("%Y-%m-%d").to_string();
        let mut seen = std::collections::HashSet::new();
        let jsonld: Vec<Role> = pages
            .iter()
            .flat_map(|p| leadscore_hiring::jsonld::job_postings(p.html, Some(p.url), Some(&today)))
            .filter(|r| seen.insert(r.id.clone()))
            .collect();
        let (source, roles) = if jsonld.is_empty() {
            // Last: the job links of a plain HTML careers page.
            let links: Vec<Role> = pages
                .iter()
                .filter(|p| p.is_careers)
                .flat_map(|p| {
                    leadscore_hiring::html_list::job_links(p.html, p.url, &config.taxonomy)
                })
                .filter(|r| seen.insert(r.id.clone()))
                .collect();
            ("html", links)
        } else {
            ("jsonld", jsonld)
        };
        // Read from a page cut at the cap: a part of the list, no velocity.
        let cut = pages
            .iter()
            .any(|p| p.truncated && (source == "jsonld" || p.is_careers));
        if !roles.is_empty() {
            any_read = true;
            fallback_read = true;
            found.boards.push(BoardOutcome {
                ats: source.into(),
                token: String::new(),
                status: "ok".into(),
                roles: roles.len(),
                truncated: cut,
                ..BoardOutcome::default()
            });
            all_roles.extend(roles);
        }
    }
    if any_read {
        found.roles = classify_roles_with(&all_roles, &config.taxonomy);
        // A board that failed: its roles are neither closed now nor opened
        // when it is read again. No velocity this time, and the previous
        // ids stay for the next comparison. So too for a carried board
        // not read (gone from its ATS, or moved: its page unread may say)
        // or not carried for want of room, for carried boards read beside
        // the fallback (which of the two lists stands is unknown), and for
        // a board's first empty answer (unconfirmed).
        let partial = carry_dropped
            || first_empty
            || (carried_read && fallback_read)
            || found.boards.iter().any(|b| {
                b.status == "error"
                    || b.truncated
                    || (b.carried_since.is_some() && b.status != "ok")
            });
        let previous_ids = if partial {
            found.kept_ids = previous_ids.map(<[String]>::to_vec);
            found.partial_baseline = previous_ids.is_none();
            None
        } else {
            previous_ids
        };
        let summary = hiring_signals(&found.roles, previous_ids, now);
        found.signals = to_signals(&summary, &found.roles, now);
        found.summary = Some(summary);
    }
    found
}

impl HiringFound {
    /// The snapshot details part.
    pub fn details(&self) -> HiringDetails {
        HiringDetails {
            boards: self.boards.clone(),
            // With a board unread, the last complete list stays the one to
            // compare with, so the next complete read counts what opened and
            // closed since (and the list does not grow while it fails).
            role_ids: match &self.kept_ids {
                Some(ids) => ids.clone(),
                None => self.roles.iter().map(ClassifiedRole::id_group).collect(),
            },
            roles: self
                .roles
                .iter()
                .take(MAX_DETAIL_ROLES)
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect(),
            roles_omitted: self.roles.len().saturating_sub(MAX_DETAIL_ROLES),
            summary: self
                .summary
                .as_ref()
                .and_then(|s| serde_json::to_value(s).ok()),
            kept_since: None,
            partial_baseline: self.partial_baseline,
        }
    }

    /// Whether nothing was read, and for a reason that may pass (a board
    /// timed out or answered 5xx): the roles are unknown, not gone.
    pub fn unread(&self) -> bool {
        self.signals.is_empty()
            && self
                .boards
                .iter()
                .any(|b| b.status == "error" && b.transient)
    }
}

#[cfg(test)]
mod details_tests {
    use super::*;
    use leadscore_hiring::parse::Role;
    use leadscore_hiring::signals::ClassifiedRole;

    /// A board of thousands lists the first roles only, with the count of
    /// the rest; every id stays for the next run's comparison.
    #[test]
    fn a_huge_board_lists_its_first_roles_and_keeps_every_id() {
        let roles: Vec<ClassifiedRole> = (0..MAX_DETAIL_ROLES + 250)
            .map(|i| ClassifiedRole {
                role: Role {
                    id: format!("job-{i}"),
                    title: "Account Executive".into(),
                    department: None,
                    location: None,
                    posted_at: None,
                    url: None,
                    remote: false,
                },
                department_class: None,
                seniority: None,
                also_listed_as: Vec::new(),
            })
            .collect();
        let found = HiringFound {
            roles,
            ..HiringFound::default()
        };
        let d = found.details();
        assert_eq!(d.roles.len(), MAX_DETAIL_ROLES);
        assert_eq!(d.roles_omitted, 250);
        assert_eq!(d.role_ids.len(), MAX_DETAIL_ROLES + 250);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["roles_omitted"], 250);
        let small = HiringFound::default().details();
        assert!(
            serde_json::to_value(&small)
                .unwrap()
                .get("roles_omitted")
                .is_none()
        );
    }
}

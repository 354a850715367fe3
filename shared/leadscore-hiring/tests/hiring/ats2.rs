//! Workable, Recruitee, Personio and Teamtailor parsers and endpoints.

use leadscore_hiring::endpoints::AtsEndpoints;
use leadscore_hiring::parse::{
    BoardPage, ParseError, Response, Role, parse_personio, parse_recruitee, parse_teamtailor,
    parse_workable,
};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn ok<'a>(body: &'a [u8], content_type: &'static str) -> Response<'a> {
    Response {
        status: 200,
        content_type: Some(content_type),
        body,
    }
}

fn roles(page: BoardPage) -> Vec<Role> {
    match page {
        BoardPage::Roles { roles, has_next } => {
            assert!(!has_next);
            roles
        }
        BoardPage::UnknownBoard | BoardPage::NoneListed => panic!("unexpected unknown board"),
    }
}

const HTML_404: &[u8] =
    b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>Not found</body></html>";

#[test]
fn workable_account() {
    let body = fixture("workable_account.json");
    let r = roles(parse_workable(&ok(&body, "application/json")).unwrap());
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].id, "8F2A1C3D4E");
    assert_eq!(r[0].department.as_deref(), Some("Sales"));
    assert_eq!(
        r[0].location.as_deref(),
        Some("Madrid, Community of Madrid, Spain")
    );
    assert_eq!(r[0].posted_at.as_deref(), Some("2026-11-02"));
    assert!(!r[0].remote);
    // An empty department falls back to the job function.
    assert_eq!(r[1].department.as_deref(), Some("Engineering"));
    assert_eq!(r[1].location.as_deref(), Some("Lisbon, Portugal"));
    assert!(r[1].remote);
}

#[test]
fn workable_unknown_empty_and_malformed() {
    let not_found = Response {
        status: 404,
        content_type: Some("text/plain"),
        body: b"Not Found",
    };
    assert_eq!(parse_workable(&not_found).unwrap(), BoardPage::UnknownBoard);
    assert_eq!(
        parse_workable(&ok(HTML_404, "text/html")).unwrap(),
        BoardPage::UnknownBoard
    );
    let empty = br#"{"name":"Acme","description":null,"jobs":[]}"#;
    assert!(roles(parse_workable(&ok(empty, "application/json")).unwrap()).is_empty());
    let wrong_type = br#"{"jobs":[{"title":7,"shortcode":"X"}]}"#;
    assert!(matches!(
        parse_workable(&ok(wrong_type, "application/json")),
        Err(ParseError::Json {
            ats: "workable",
            ..
        })
    ));
    let truncated = br#"{"jobs":[{"title":"SDR","shortco"#;
    assert!(matches!(
        parse_workable(&ok(truncated, "application/json")),
        Err(ParseError::Json { .. })
    ));
}

#[test]
fn recruitee_offers_keep_published_only() {
    let body = fixture("recruitee_offers.json");
    let r = roles(parse_recruitee(&ok(&body, "application/json")).unwrap());
    assert_eq!(r.len(), 2, "the draft offer is dropped");
    assert_eq!(r[0].title, "Account Executive DACH");
    assert_eq!(r[0].posted_at.as_deref(), Some("2026-11-05T08:30:00Z"));
    assert_eq!(
        r[0].url.as_deref(),
        Some("https://acme.recruitee.com/o/account-executive-dach")
    );
    assert_eq!(r[1].location.as_deref(), Some("Amsterdam, Netherlands"));
    assert!(r[1].remote);
}

#[test]
fn recruitee_unknown_and_malformed() {
    let not_found = Response {
        status: 404,
        content_type: Some("application/json"),
        body: br#"{"error":"Not found"}"#,
    };
    assert_eq!(
        parse_recruitee(&not_found).unwrap(),
        BoardPage::UnknownBoard
    );
    assert!(
        roles(parse_recruitee(&ok(br#"{"offers":[]}"#, "application/json")).unwrap()).is_empty()
    );
    let missing = br#"{"offers":[{"id":1}]}"#;
    assert!(matches!(
        parse_recruitee(&ok(missing, "application/json")),
        Err(ParseError::Json {
            ats: "recruitee",
            ..
        })
    ));
}

#[test]
fn personio_xml() {
    let body = fixture("personio_positions.xml");
    let r = roles(
        parse_personio(
            &ok(&body, "text/xml; charset=utf-8"),
            Some("https://acme.jobs.personio.de"),
        )
        .unwrap(),
    );
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].id, "1467293");
    assert_eq!(r[0].title, "Vertriebsleiter (m/w/d) DACH");
    assert_eq!(r[0].department.as_deref(), Some("Vertrieb"));
    assert_eq!(r[0].location.as_deref(), Some("München"));
    assert_eq!(
        r[0].url.as_deref(),
        Some("https://acme.jobs.personio.de/job/1467293")
    );
    assert_eq!(r[0].posted_at.as_deref(), Some("2026-10-28T09:12:44+00:00"));
    assert_eq!(r[1].title, "Werkstudent Marketing & Kommunikation (m/w/d)");
    assert!(r[1].remote);
    assert_eq!(r[1].department, None);
}

#[test]
fn personio_empty_unknown_and_malformed() {
    let empty = fixture("personio_empty.xml");
    assert!(roles(parse_personio(&ok(&empty, "text/xml"), None).unwrap()).is_empty());
    assert_eq!(
        parse_personio(&ok(HTML_404, "text/html; charset=utf-8"), None).unwrap(),
        BoardPage::UnknownBoard
    );
    assert_eq!(
        parse_personio(&ok(HTML_404, "application/xml"), None).unwrap(),
        BoardPage::UnknownBoard,
        "an HTML error page served with 200 is an unknown board"
    );
    let bad = fixture("personio_malformed.xml");
    assert!(matches!(
        parse_personio(&ok(&bad, "text/xml"), None),
        Err(ParseError::Xml {
            ats: "personio",
            ..
        })
    ));
}

#[test]
fn teamtailor_rss() {
    let body = fixture("teamtailor_jobs.rss");
    let r = roles(parse_teamtailor(&ok(&body, "application/rss+xml")).unwrap());
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].title, "Head of Growth");
    assert_eq!(r[0].department.as_deref(), Some("Marketing"));
    assert_eq!(r[0].location.as_deref(), Some("Stockholm HQ"));
    assert_eq!(r[0].posted_at.as_deref(), Some("2026-11-02T09:15:00+01:00"));
    assert_eq!(
        r[0].url.as_deref(),
        Some("https://careers.acme.test/jobs/4211890-head-of-growth")
    );
    assert!(!r[0].remote);
    assert_eq!(r[1].title, "Ingénieur commercial & partenariats");
    assert!(r[1].remote);
}

#[test]
fn teamtailor_empty_unknown_and_malformed() {
    let empty = fixture("teamtailor_empty.rss");
    assert!(roles(parse_teamtailor(&ok(&empty, "application/rss+xml")).unwrap()).is_empty());
    assert_eq!(
        parse_teamtailor(&ok(HTML_404, "text/html")).unwrap(),
        BoardPage::UnknownBoard
    );
    let truncated = b"<?xml version=\"1.0\"?><rss><channel><item><title>SDR</title>";
    assert!(matches!(
        parse_teamtailor(&ok(truncated, "application/rss+xml")),
        Err(ParseError::Xml {
            ats: "teamtailor",
            ..
        })
    ));
}

#[test]
fn new_endpoints_are_configurable() {
    let e = AtsEndpoints {
        workable: "http://127.0.0.1:9/wk/".into(),
        recruitee: "http://127.0.0.1:9/rc/{slug}".into(),
        personio: "http://127.0.0.1:9/pe/{slug}".into(),
        teamtailor: "http://127.0.0.1:9/tt/{slug}".into(),
        ..AtsEndpoints::default()
    };
    assert_eq!(
        e.workable_jobs("acme"),
        "http://127.0.0.1:9/wk/api/v1/widget/accounts/acme?details=true"
    );
    assert_eq!(
        e.recruitee_offers("Acme"),
        "http://127.0.0.1:9/rc/acme/api/offers/"
    );
    assert_eq!(
        e.personio_xml("acme"),
        "http://127.0.0.1:9/pe/acme/xml?language=en"
    );
    assert_eq!(
        e.teamtailor_jobs("acme"),
        "http://127.0.0.1:9/tt/acme/jobs.rss"
    );
    let d = AtsEndpoints::default();
    assert_eq!(
        d.recruitee_offers("acme"),
        "https://acme.recruitee.com/api/offers/"
    );
    assert_eq!(
        d.personio_xml("acme"),
        "https://acme.jobs.personio.de/xml?language=en"
    );
    assert_eq!(
        AtsEndpoints::teamtailor_rss("https://careers.acme.test/"),
        "https://careers.acme.test/jobs.rss"
    );
}

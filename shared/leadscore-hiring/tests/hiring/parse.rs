use leadscore_hiring::parse::{
    BoardPage, ParseError, Response, parse_ashby, parse_greenhouse, parse_lever,
};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn ok_json(body: &[u8]) -> Response<'_> {
    Response {
        status: 200,
        content_type: Some("application/json; charset=utf-8"),
        body,
    }
}

fn roles(page: BoardPage) -> (Vec<leadscore_hiring::parse::Role>, bool) {
    match page {
        BoardPage::Roles { roles, has_next } => (roles, has_next),
        BoardPage::UnknownBoard | BoardPage::NoneListed => panic!("unexpected unknown board"),
    }
}

#[test]
fn greenhouse_board() {
    let body = fixture("greenhouse_jobs.json");
    let (r, next) = roles(parse_greenhouse(&ok_json(&body)).unwrap());
    assert!(!next);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].title, "Senior Backend Engineer");
    assert_eq!(r[0].department.as_deref(), Some("Engineering"));
    assert_eq!(r[0].posted_at.as_deref(), Some("2026-10-20T09:00:00-04:00"));
    assert!(r[0].remote);
    assert_eq!(r[1].department.as_deref(), Some("Sales"));
    // Only `updated_at` (the last edit, 2026-11-10): no posting date, so
    // the role does not count as posted recently.
    assert_eq!(r[1].posted_at, None);
    assert_eq!(
        r[1].url.as_deref(),
        Some("https://www.acme.com/careers?gh_jid=4012399006")
    );
}

#[test]
fn greenhouse_no_roles_vs_unknown_board() {
    let empty = br#"{"jobs":[],"meta":{"total":0}}"#;
    assert_eq!(
        parse_greenhouse(&ok_json(empty)).unwrap(),
        BoardPage::Roles {
            roles: vec![],
            has_next: false
        }
    );
    let not_found = Response {
        status: 404,
        content_type: Some("application/json"),
        body: br#"{"status":404,"error":"Job not found"}"#,
    };
    assert_eq!(
        parse_greenhouse(&not_found).unwrap(),
        BoardPage::UnknownBoard
    );
    let html = Response {
        status: 200,
        content_type: Some("text/html"),
        body: b"<!DOCTYPE html><html>Page not found</html>",
    };
    assert_eq!(parse_greenhouse(&html).unwrap(), BoardPage::UnknownBoard);
}

#[test]
fn greenhouse_malformed_payloads_are_typed_errors() {
    let truncated = fixture("greenhouse_truncated.json");
    let wrong_type = br#"{"jobs":[{"id":"not-a-number","title":"X"}]}"#;
    let missing = br#"{"jobs":[{"id":1}]}"#;
    let no_jobs = br#"{"meta":{"total":0}}"#;
    for body in [truncated.as_slice(), wrong_type, missing, no_jobs] {
        let err = parse_greenhouse(&ok_json(body)).unwrap_err();
        assert!(
            matches!(
                err,
                ParseError::Json {
                    ats: "greenhouse",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn unexpected_status_is_error() {
    let resp = Response {
        status: 503,
        content_type: None,
        body: b"",
    };
    assert!(matches!(
        parse_lever(&resp),
        Err(ParseError::Status { status: 503, .. })
    ));
}

#[test]
fn lever_pagination() {
    let p1 = fixture("lever_page1.json");
    let (r1, next1) = roles(parse_lever(&ok_json(&p1)).unwrap());
    assert_eq!(r1.len(), 100);
    assert!(next1, "a full page asks for the next one");
    // The team, then the department: the classifier reads both.
    assert_eq!(r1[0].department.as_deref(), Some("SDR, Sales"));
    assert_eq!(r1[0].posted_at.as_deref(), Some("2025-11-01T12:26:40Z"));
    let p2 = fixture("lever_page2.json");
    let (r2, next2) = roles(parse_lever(&ok_json(&p2)).unwrap());
    assert_eq!(r2.len(), 3);
    assert!(!next2);
    assert_eq!(r2[0].title, "Staff Software Engineer");
    assert_eq!(
        r2[0].department.as_deref(),
        Some("Platform"),
        "the team, without a department"
    );
    assert!(r2[0].remote);
}

#[test]
fn lever_unknown_site_and_malformed() {
    let body = fixture("lever_404.json");
    let resp = Response {
        status: 404,
        content_type: Some("application/json"),
        body: &body,
    };
    assert_eq!(parse_lever(&resp).unwrap(), BoardPage::UnknownBoard);
    assert_eq!(
        parse_lever(&ok_json(b"[]")).unwrap(),
        BoardPage::Roles {
            roles: vec![],
            has_next: false
        }
    );
    for body in [
        &b"[{\"id\":\"x\"}]"[..],
        b"[{\"id\":\"x\",\"text\":5}]",
        b"[{\"id\":\"x\",\"text\":\"A\"",
    ] {
        assert!(matches!(
            parse_lever(&ok_json(body)),
            Err(ParseError::Json { ats: "lever", .. })
        ));
    }
}

#[test]
fn ashby_board_drops_unlisted() {
    let body = fixture("ashby_board.json");
    let (r, next) = roles(parse_ashby(&ok_json(&body)).unwrap());
    assert!(!next);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].title, "Product Designer");
    // The team and the department, both given (the team first, as
    // Lever's).
    assert_eq!(
        r[0].department.as_deref(),
        Some("Brand & Product Design, Design")
    );
    assert!(r[0].remote);
    assert_eq!(
        parse_ashby(&ok_json(br#"{"jobs":[]}"#)).unwrap(),
        BoardPage::Roles {
            roles: vec![],
            has_next: false
        }
    );
    assert!(matches!(
        parse_ashby(&ok_json(br#"{"jobs":{}}"#)),
        Err(ParseError::Json { ats: "ashby", .. })
    ));
}

#[test]
fn smartrecruiters_pagination_and_unknown_company() {
    use leadscore_hiring::parse::parse_smartrecruiters;
    let p1 = fixture("smartrecruiters_page1.json");
    let (r1, next1) = roles(parse_smartrecruiters(&ok_json(&p1)).unwrap());
    assert_eq!(r1.len(), 100);
    assert!(next1);
    assert_eq!(
        r1[0].department.as_deref(),
        Some("Sales"),
        "function label first"
    );
    assert_eq!(
        r1[0].url.as_deref(),
        Some("https://jobs.smartrecruiters.com/AcmeGmbH/7440000000")
    );
    let p2 = fixture("smartrecruiters_page2.json");
    let (r2, next2) = roles(parse_smartrecruiters(&ok_json(&p2)).unwrap());
    assert_eq!(r2.len(), 2);
    assert!(!next2);
    assert!(r2[0].remote);
    let unknown = fixture("smartrecruiters_unknown.json");
    assert_eq!(
        parse_smartrecruiters(&ok_json(&unknown)).unwrap(),
        BoardPage::NoneListed
    );
    assert!(matches!(
        parse_smartrecruiters(&ok_json(br#"{"offset":0,"totalFound":"2","content":[]}"#)),
        Err(ParseError::Json {
            ats: "smartrecruiters",
            ..
        })
    ));
}

#[test]
fn one_odd_job_is_skipped_not_the_board() {
    // A job without a title, nulls where a flag or list is documented, and a
    // Greenhouse prospect post (internal_job_id null: a talent pool).
    let gh = br#"{"jobs":[
      {"id":1,"internal_job_id":11,"title":"Account Executive","departments":null},
      {"id":2,"internal_job_id":null,"title":"Sales - Interest List"},
      {"id":3,"internal_job_id":33},
      {"id":4,"title":"SDR","departments":[{"name":"Sales"}]}]}"#;
    let (r, _) = roles(parse_greenhouse(&ok_json(gh)).unwrap());
    let titles: Vec<&str> = r.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Account Executive", "SDR"]);
    assert_eq!(r[1].department.as_deref(), Some("Sales"));

    let ashby = br#"{"jobs":[{"id":"a","title":"SDR","isRemote":null},{"id":"b","title":7}]}"#;
    let (r, _) = roles(parse_ashby(&ok_json(ashby)).unwrap());
    assert_eq!(r.len(), 1);
    assert!(!r[0].remote);

    // Lever: a skipped posting does not end the pages early.
    let mut page: Vec<String> = (0..99)
        .map(|i| format!(r#"{{"id":"p{i}","text":"Role {i}","categories":null}}"#))
        .collect();
    page.push(r#"{"id":"bad"}"#.into());
    let body = format!("[{}]", page.join(","));
    let (r, next) = roles(parse_lever(&ok_json(body.as_bytes())).unwrap());
    assert_eq!(r.len(), 99);
    assert!(next, "a full page of 100 items may have a next page");

    // SmartRecruiters: the same, its pages counted from every item.
    let mut content: Vec<String> = (0..99)
        .map(|i| format!(r#"{{"id":"s{i}","name":"Role {i}"}}"#))
        .collect();
    content.push(r#"{"id":"bad","name":null}"#.into());
    let body = format!(
        r#"{{"offset":0,"limit":100,"totalFound":250,"content":[{}]}}"#,
        content.join(",")
    );
    let (r, next) =
        roles(leadscore_hiring::parse::parse_smartrecruiters(&ok_json(body.as_bytes())).unwrap());
    assert_eq!(r.len(), 99);
    assert!(next, "150 more to read");

    let rss = br#"<?xml version="1.0"?><rss><channel>
      <item><guid>1</guid><link>https://acme.teamtailor.com/jobs/1</link></item>
      <item><title>Account Executive</title><guid>2</guid></item></channel></rss>"#;
    let resp = Response {
        status: 200,
        content_type: Some("application/rss+xml"),
        body: rss,
    };
    let (r, _) = roles(leadscore_hiring::parse::parse_teamtailor(&resp).unwrap());
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].title, "Account Executive");
}

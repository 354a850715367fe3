use leadscore_hiring::detect::{Ats, AtsBoard, MAX_BOARDS, detect_ats, is_teamtailor_site};

fn one(html: &str) -> AtsBoard {
    let found = detect_ats(html);
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

fn board(ats: Ats, token: &str) -> AtsBoard {
    AtsBoard {
        ats,
        token: token.to_string(),
        eu: false,
    }
}

#[test]
fn greenhouse_embed_script_and_div() {
    let html = r#"<div id="grnhse_app"></div>
<script src="https://boards.greenhouse.io/embed/job_board/js?for=acmeinc"></script>"#;
    assert_eq!(one(html), board(Ats::Greenhouse, "acmeinc"));
}

#[test]
fn greenhouse_embed_board_with_extra_params() {
    let html = r#"<iframe src="https://boards.greenhouse.io/embed/job_board?b=https%3A%2F%2Facme.com&amp;for=acmeinc"></iframe>"#;
    assert_eq!(one(html), board(Ats::Greenhouse, "acmeinc"));
}

#[test]
fn greenhouse_new_and_eu_hosts() {
    assert_eq!(
        one(r#"<a href="https://job-boards.greenhouse.io/remotecom/jobs/123">Jobs</a>"#),
        board(Ats::Greenhouse, "remotecom")
    );
    assert_eq!(
        one(r#"<a href="https://job-boards.eu.greenhouse.io/euco">Jobs</a>"#),
        board(Ats::Greenhouse, "euco")
    );
}

#[test]
fn greenhouse_in_next_data_with_escaped_slashes() {
    let html = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"careersUrl":"https:\/\/job-boards.greenhouse.io\/remotecom\/jobs\/5"}}}</script>"#;
    assert_eq!(one(html), board(Ats::Greenhouse, "remotecom"));
}

#[test]
fn lever_us_and_eu() {
    assert_eq!(
        one(r#"<a href="https://jobs.lever.co/acme/abc-123">Apply</a>"#),
        board(Ats::Lever, "acme")
    );
    assert_eq!(
        one(r#"<a href="https://jobs.eu.lever.co/acme-eu">Jobs</a>"#),
        AtsBoard {
            eu: true,
            ..board(Ats::Lever, "acme-eu")
        }
    );
    assert!(one(r#"<a href="https://api.eu.lever.co/v0/postings/acme-eu">Jobs</a>"#).eu);
}

#[test]
fn other_vendors() {
    let cases = [
        (
            r#"<iframe src="https://jobs.ashbyhq.com/linear?embed=js"></iframe>"#,
            Ats::Ashby,
            "linear",
        ),
        (
            r#"<a href="https://apply.workable.com/acme-ltd/">Careers</a>"#,
            Ats::Workable,
            "acme-ltd",
        ),
        (
            r#"<a href="https://careers.smartrecruiters.com/AcmeCorp1">Jobs</a>"#,
            Ats::SmartRecruiters,
            "AcmeCorp1",
        ),
        (
            r#"<a href="https://jobs.smartrecruiters.com/AcmeCorp1/743999">Job</a>"#,
            Ats::SmartRecruiters,
            "AcmeCorp1",
        ),
        (
            r#"<a href="https://acme.recruitee.com/o/backend-dev">Job</a>"#,
            Ats::Recruitee,
            "acme",
        ),
        (
            r#"<a href="https://acme-gmbh.jobs.personio.de/">Karriere</a>"#,
            Ats::Personio,
            "acme-gmbh",
        ),
        (
            r#"<a href="https://acme.teamtailor.com/jobs">Jobs</a>"#,
            Ats::Teamtailor,
            "acme",
        ),
        (
            r#"<a href="https://acme.bamboohr.com/careers">Careers</a>"#,
            Ats::BambooHr,
            "acme",
        ),
        (
            r#"<a href="https://cvshealth.wd1.myworkdayjobs.com/en-US/CVS_Health_Careers">Jobs</a>"#,
            Ats::Workday,
            "cvshealth/wd1/CVS_Health_Careers",
        ),
    ];
    for (html, ats, token) in cases {
        assert_eq!(one(html), board(ats, token), "{html}");
    }
}

#[test]
fn workable_job_shortlinks_and_asset_hosts_are_not_tokens() {
    assert!(detect_ats(r#"<a href="https://apply.workable.com/j/ABC123">x</a>"#).is_empty());
    assert!(
        detect_ats(r#"<link href="https://careers-page-assets.teamtailor.com/x.css">"#).is_empty()
    );
}

#[test]
fn teamtailor_custom_domain_marker() {
    assert!(is_teamtailor_site(
        r#"<meta name="generator" content="Teamtailor">"#
    ));
    assert!(!is_teamtailor_site("<html></html>"));
}

#[test]
fn deduplicates_and_keeps_page_order() {
    let html = r#"<a href="https://jobs.lever.co/acme">a</a><a href="https://jobs.lever.co/acme/1">b</a>
<script src="https://boards.greenhouse.io/embed/job_board/js?for=other"></script>"#;
    assert_eq!(
        detect_ats(html),
        vec![board(Ats::Lever, "acme"), board(Ats::Greenhouse, "other")]
    );
}

#[test]
fn no_ats_on_plain_page() {
    assert!(detect_ats(r#"<a href="/careers">Careers</a>"#).is_empty());
}

#[test]
fn a_page_naming_thousands_of_boards_yields_the_first_few() {
    // 50,000 distinct boards, and each named twice: the first MAX_BOARDS to
    // appear come back, once each (a scan of the boards found so far for
    // each match would take minutes on such a page).
    let mut html = String::new();
    for round in 0..2 {
        for i in 0..50_000 {
            html.push_str(&format!(
                "<a href=\"https://b{i:05}.recruitee.com/\">{round}</a>\n"
            ));
        }
    }
    let found = detect_ats(&html);
    let want: Vec<AtsBoard> = (0..MAX_BOARDS)
        .map(|i| board(Ats::Recruitee, &format!("b{i:05}")))
        .collect();
    assert_eq!(found, want);
}

#[test]
fn hostile_runs_of_board_urls_and_apply_links() {
    // A long run of embed URLs without a `for=` (each one's token is
    // `embed`, never a board): linear work, nothing found.
    // On a thread with a generous bound, so a regression fails instead of
    // hanging the suite (no time is asserted).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let run = "boards.greenhouse.io/embed/job_app?".repeat(20_000);
        let _ = tx.send(detect_ats(&run).is_empty());
    });
    let empty = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("detection on a run of embed URLs did not finish");
    assert!(empty);
    // A SmartRecruiters one-click apply link names no company board.
    assert!(
        detect_ats(
            r#"<a href="https://jobs.smartrecruiters.com/oneclick-ui/company/AcmeCorp/publication/1">Apply</a>"#
        )
        .is_empty()
    );
}

#[test]
fn a_percent_encoded_ashby_board_is_encoded_once() {
    let b = one(r#"<a href="https://jobs.ashbyhq.com/Acme%20Labs">Jobs</a>"#);
    assert_eq!(b, board(Ats::Ashby, "Acme Labs"));
    assert_eq!(
        leadscore_hiring::endpoints::AtsEndpoints::default().ashby_job_board(&b.token),
        "https://api.ashbyhq.com/posting-api/job-board/Acme%20Labs?includeCompensation=true"
    );
}

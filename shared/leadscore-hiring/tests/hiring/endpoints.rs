use leadscore_hiring::endpoints::AtsEndpoints;

#[test]
fn defaults_point_to_public_hosts() {
    let e = AtsEndpoints::default();
    assert_eq!(
        e.greenhouse_jobs("acme"),
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true"
    );
    assert_eq!(
        e.lever_postings("acme", 0, false),
        "https://api.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"
    );
    assert_eq!(
        e.lever_postings("acme", 100, false),
        "https://api.lever.co/v0/postings/acme?mode=json&skip=100&limit=100"
    );
    assert_eq!(
        e.lever_postings("acme-eu", 0, true),
        "https://api.eu.lever.co/v0/postings/acme-eu?mode=json&skip=0&limit=100"
    );
}

#[test]
fn override_to_loopback_and_encode_token() {
    let e = AtsEndpoints {
        greenhouse: "http://127.0.0.1:8080/".into(),
        lever: "http://127.0.0.1:8081".into(),
        ..AtsEndpoints::default()
    };
    assert_eq!(
        e.greenhouse_jobs("a/b"),
        "http://127.0.0.1:8080/v1/boards/a%2Fb/jobs?content=true"
    );
    assert_eq!(
        e.lever_postings("acme", 0, false),
        "http://127.0.0.1:8081/v0/postings/acme?mode=json&skip=0&limit=100"
    );
}

#[test]
fn ashby_and_smartrecruiters_urls() {
    let e = AtsEndpoints::default();
    assert_eq!(
        e.ashby_job_board("acme"),
        "https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true"
    );
    assert_eq!(
        e.smartrecruiters_postings("AcmeGmbH", 100),
        "https://api.smartrecruiters.com/v1/companies/AcmeGmbH/postings?limit=100&offset=100"
    );
}

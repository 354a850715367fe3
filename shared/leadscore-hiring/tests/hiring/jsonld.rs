//! schema.org JobPosting JSON-LD fallback.

use leadscore_hiring::jsonld::job_postings;

const PAGE: &str = r#"<!doctype html><html><head>
<script type="application/ld+json">
{"@context":"https://schema.org","@graph":[
  {"@type":"Organization","name":"Acme"},
  {"@type":"JobPosting","title":"Account Executive, Mid-Market","datePosted":"2026-10-30",
   "validThrough":"2026-12-31T00:00:00Z","identifier":{"@type":"PropertyValue","name":"Acme","value":"AE-7"},
   "hiringOrganization":{"@type":"Organization","name":"Acme"},
   "jobLocation":{"@type":"Place","address":{"@type":"PostalAddress","addressLocality":"Madrid","addressCountry":"ES"}},
   "url":"https://acme.test/careers/ae-7"}
]}
</script>
<script type='application/ld+json'>[
  {"@type":"JobPosting","title":"Ingeniero de datos","datePosted":"2026-09-01","jobLocationType":"TELECOMMUTE",
   "occupationalCategory":"Data","applicantLocationRequirements":{"@type":"Country","name":"ES"}},
  {"@type":"JobPosting","title":"Expired role","datePosted":"2026-01-01","validThrough":"2026-02-01"}
]</script>
<script type="application/ld+json">{ this is not json </script>
</head><body></body></html>"#;

#[test]
fn graph_arrays_and_broken_blocks() {
    let roles = job_postings(PAGE, Some("https://acme.test/careers"), Some("2026-11-15"));
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert_eq!(roles[0].title, "Account Executive, Mid-Market");
    assert_eq!(roles[0].id, "AE-7");
    assert_eq!(roles[0].location.as_deref(), Some("Madrid, ES"));
    assert_eq!(
        roles[0].url.as_deref(),
        Some("https://acme.test/careers/ae-7")
    );
    assert_eq!(roles[0].posted_at.as_deref(), Some("2026-10-30"));
    assert_eq!(roles[1].title, "Ingeniero de datos");
    assert!(roles[1].remote);
    assert_eq!(roles[1].department.as_deref(), Some("Data"));
    assert_eq!(roles[1].url.as_deref(), Some("https://acme.test/careers"));
}

#[test]
fn no_json_ld_no_roles() {
    assert!(job_postings("<html><body>Careers</body></html>", None, None).is_empty());
}

#[test]
fn postings_without_an_id_or_url_of_their_own_stay_apart() {
    let page = r#"<script type="application/ld+json">[
      {"@type":"JobPosting","title":"Account Executive","datePosted":"2026-11-01","industry":"Information Technology"},
      {"@type":"JobPosting","title":"SDR","datePosted":"2026-11-02"},
      {"@type":"JobPosting","title":"Backend Engineer","datePosted":"2026-11-03","validThrough":"12/31/2026"}
    ]</script>"#;
    let roles = job_postings(page, Some("https://acme.test/careers"), Some("2026-11-15"));
    let titles: Vec<&str> = roles.iter().map(|r| r.title.as_str()).collect();
    // A US-style expiry is no ISO date: not read as past.
    assert_eq!(titles, ["Account Executive", "SDR", "Backend Engineer"]);
    let ids: std::collections::HashSet<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{roles:?}");
    // The same postings read again, on another page and with refreshed
    // dates, are named the same.
    let refreshed = page.replace("2026-11-0", "2026-11-1");
    let again = job_postings(
        &refreshed,
        Some("https://acme.test/jobs"),
        Some("2026-11-20"),
    );
    assert_eq!(
        again.iter().map(|r| &r.id).collect::<Vec<_>>(),
        roles.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    // The employer's industry is not the role's department.
    assert_eq!(roles[0].department, None);
    assert!(
        roles
            .iter()
            .all(|r| r.url.as_deref() == Some("https://acme.test/careers"))
    );
}

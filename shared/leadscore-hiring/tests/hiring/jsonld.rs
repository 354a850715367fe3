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

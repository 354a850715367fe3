//! The form-submit handler on API Gateway HTTP API (payload v2) events.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use lambda_form_submit::config::Config;
use lambda_form_submit::handler::handle;
use lambda_http::Body;
use leadscore_core::ScoringModel;
use leadscore_core::domain::Email;
use leadscore_intake::Intake;
use leadscore_lambda::Env;
use leadscore_store::{MemoryStore, Store};

fn intake(store: Arc<MemoryStore>) -> Intake {
    intake_with(store, &[])
}

/// [`intake`] with more environment variables.
fn intake_with(store: Arc<MemoryStore>, extra: &[(&str, &str)]) -> Intake {
    let mut vars = BTreeMap::from([
        ("TABLE_NAME".into(), "t".into()),
        ("EVENT_BUS_NAME".into(), "b".into()),
        ("ENRICH_QUEUE_URL".into(), "http://127.0.0.1:1/q".into()),
        ("ALLOWED_ORIGINS".into(), "https://www.example.com".into()),
        ("REQUIRE_CONSENT".into(), "true".into()),
    ]);
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let env = Env::from_map(vars);
    let config = Config::from_env(&env).unwrap();
    Intake {
        store,
        model: Arc::new(ScoringModel::default_model().unwrap()),
        queue: None,
        bus: None,
        config: config.intake,
    }
}

fn request(fixture: &str, body: &str) -> lambda_http::Request {
    let raw = fixture
        .replace("BODY_LEN", &body.len().to_string())
        .replace("\"BODY\"", &serde_json::to_string(body).unwrap());
    lambda_http::request::from_str(&raw).unwrap()
}

fn text(body: &Body) -> String {
    String::from_utf8(body.as_ref().to_vec()).unwrap()
}

#[tokio::test]
async fn a_json_submit_is_accepted_with_cors_and_stored() {
    let store = Arc::new(MemoryStore::new());
    let intake = intake(store.clone());
    let body =
        r#"{"email":"ada@acme.com","name":"Ada Lovelace","title":"VP Sales","consent":true}"#;
    let resp = handle(
        &intake,
        request(include_str!("fixtures/apigw-v2-json.json"), body),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 202, "{}", text(resp.body()));
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "https://www.example.com"
    );
    let v: serde_json::Value = serde_json::from_str(&text(resp.body())).unwrap();
    assert_eq!(v["status"], "accepted");
    assert!(
        store
            .get_lead(&Email::parse("ada@acme.com").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    // The same submit again: one lead, one activity.
    let resp = handle(
        &intake,
        request(include_str!("fixtures/apigw-v2-json.json"), body),
    )
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text(resp.body())).unwrap();
    assert_eq!(v["duplicate"], true);
    let acts = store
        .activities_of(&Email::parse("ada@acme.com").unwrap())
        .await
        .unwrap();
    assert_eq!(acts.len(), 1);
}

#[tokio::test]
async fn a_base64_urlencoded_submit_is_decoded() {
    let store = Arc::new(MemoryStore::new());
    let intake = intake(store.clone());
    let req =
        lambda_http::request::from_str(include_str!("fixtures/apigw-v2-urlencoded-base64.json"))
            .unwrap();
    let resp = handle(&intake, req).await.unwrap();
    assert_eq!(resp.status(), 202, "{}", text(resp.body()));
    let lead = store
        .get_lead(&Email::parse("grace@globex.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lead.first_name.as_deref(), Some("Grace"));
}

#[tokio::test]
async fn invalid_fields_get_400_with_every_field() {
    let store = Arc::new(MemoryStore::new());
    let intake = intake(store.clone());
    let body = r#"{"email":"ada@","website":"::"}"#;
    let resp = handle(
        &intake,
        request(include_str!("fixtures/apigw-v2-json.json"), body),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = serde_json::from_str(&text(resp.body())).unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "website", "consent"]);
    assert!(store.list_leads().await.unwrap().is_empty());
}

#[test]
fn config_errors_name_the_variable() {
    let env = Env::from_map(BTreeMap::from([
        ("TABLE_NAME".into(), "t".into()),
        ("EVENT_BUS_NAME".into(), "b".into()),
        ("ENRICH_QUEUE_URL".into(), "q".into()),
        ("MAX_BODY_BYTES".into(), "lots".into()),
    ]));
    let err = Config::from_env(&env).unwrap_err().to_string();
    assert!(err.contains("MAX_BODY_BYTES"), "{err}");
    let err = Config::from_env(&Env::from_map(BTreeMap::new()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("TABLE_NAME"), "{err}");
    // An origin that can never match is refused at start, not answered
    // 403 on every submit.
    let with_origins = |origins: &str| {
        Config::from_env(&Env::from_map(BTreeMap::from([
            ("TABLE_NAME".into(), "t".into()),
            ("EVENT_BUS_NAME".into(), "b".into()),
            ("ENRICH_QUEUE_URL".into(), "q".into()),
            ("ALLOWED_ORIGINS".into(), origins.into()),
        ])))
    };
    for bad in [
        "www.acme.com",
        "https://*.acme.com",
        "https://www.acme.com,acme.com",
    ] {
        let err = with_origins(bad).unwrap_err().to_string();
        assert!(
            err.contains("ALLOWED_ORIGINS") && err.contains("is no origin"),
            "{bad}: {err}"
        );
    }
    for good in [
        "*",
        "https://www.acme.com, http://localhost:3000",
        "https://bücher.de/",
    ] {
        assert!(with_origins(good).is_ok(), "{good}");
    }
}

/// The address the rate limit counts is the event's `sourceIp`: with
/// `FORM_RATE_LIMIT=2`, its third post is answered 429.
#[tokio::test]
async fn the_rate_limit_counts_the_source_address() {
    let intake = intake_with(Arc::new(MemoryStore::new()), &[("FORM_RATE_LIMIT", "2")]);
    assert_eq!(intake.config.rate_limit_per_hour, 2);
    let body =
        r#"{"email":"ada@acme.com","name":"Ada Lovelace","title":"VP Sales","consent":true}"#;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let resp = handle(
            &intake,
            request(include_str!("fixtures/apigw-v2-json.json"), body),
        )
        .await
        .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [202, 202, 429]);
}

/// A `sourceIp` with a port (seen behind a proxy with mutual TLS) is still
/// the address counted.
#[tokio::test]
async fn a_source_address_with_a_port_is_counted() {
    let intake = intake_with(Arc::new(MemoryStore::new()), &[("FORM_RATE_LIMIT", "1")]);
    let body = r#"{"email":"ada@acme.com","consent":true}"#;
    let mut statuses = Vec::new();
    for source in [
        "10.1.22.195:32554",
        "10.1.22.195:40000",
        "[2001:db8::7]:443",
    ] {
        let event = include_str!("fixtures/apigw-v2-json.json").replace(
            r#""sourceIp": "205.255.255.176""#,
            &format!(r#""sourceIp": "{source}""#),
        );
        assert!(event.contains(source));
        let resp = handle(&intake, request(&event, body)).await.unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [202, 429, 202]);
}

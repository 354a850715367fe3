//! The SAM template and the code agree:
//! - each function's environment in the template is exactly what its
//!   configuration reads at cold start;
//! - the table's keys, indexes and TTL in the template = `docs/dynamodb.md`
//!   = the DynamoDB adapter's constants;
//! - the rules' event patterns match the events the code emits, checked by a
//!   real PutEvents into moto through rules built from the template's own
//!   patterns.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use leadscore_aws::dynamodb::{INDEXES, PK, Projected, SK, TTL_ATTRIBUTE};
use leadscore_core::domain::{Alert, AlertKind, Domain, Email, Lead};
use leadscore_core::events::{Event, detail_type};
use leadscore_core::{Grade, Tier};
use leadscore_e2e::{Template, Wiring, names, root};
use leadscore_lambda::{Env, build_enricher, load_model};
use leadscore_pipeline::EventBus;

/// Reads a function's configuration exactly as its `main.rs` does and
/// returns the names it read.
async fn names_read(id: &str, mut vars: BTreeMap<String, String>) -> BTreeSet<String> {
    if id == "NotifyFunction" {
        // With a sender set, the recipients are required and checked.
        vars.insert("SES_FROM".into(), "alerts@example.com".into());
        vars.insert("SALES_EMAIL".into(), "sales@example.com".into());
    }
    let env = Env::from_map(vars);
    let sdk = aws_config::SdkConfig::builder().build();
    match id {
        "EnrichFunction" => {
            lambda_enrich::config::Config::from_env(&env).unwrap();
            build_enricher(&env).unwrap();
        }
        "ScoreFunction" => {
            lambda_score::config::Config::from_env(&env).unwrap();
            load_model(&env, &sdk).await.unwrap();
        }
        "FormSubmitFunction" => {
            lambda_form_submit::config::Config::from_env(&env).unwrap();
            load_model(&env, &sdk).await.unwrap();
        }
        "ScheduleFunction" => {
            lambda_schedule::config::Config::from_env(&env).unwrap();
        }
        "NotifyFunction" => {
            lambda_notify::config::Config::from_env(&env).unwrap();
        }
        other => panic!("no reader for function {other}; add it here and to main.rs"),
    }
    env.names_read()
}

#[tokio::test]
async fn each_function_reads_exactly_the_environment_the_template_sets() {
    let t = Template::load();
    let functions = t.resources_of("AWS::Serverless::Function");
    assert_eq!(functions.len(), 5, "{functions:?}");
    for id in functions {
        let vars = t.function_env(&id);
        let set: BTreeSet<String> = vars.keys().cloned().collect();
        let read = names_read(&id, vars).await;
        assert_eq!(
            names(&read),
            names(&set),
            "{id}: names read by the code (left) vs set by the template (right)"
        );
        // The binary exists in the workspace under that name.
        let bin = t.binary(&id);
        let manifest = std::fs::read_to_string(root().join(format!("functions/{bin}/Cargo.toml")))
            .unwrap_or_else(|e| panic!("{id}: functions/{bin}/Cargo.toml: {e}"));
        assert!(
            manifest.contains(&format!("name = \"{bin}\"")),
            "{id}: functions/{bin} has no binary named {bin}"
        );
    }
}

#[test]
fn the_notify_claim_lease_ends_before_the_function_times_out_and_before_a_retry() {
    let t = Template::load();
    let timeout = t.function_timeout("NotifyFunction");
    let lease = lambda_notify::CLAIM_LEASE.as_secs();
    assert!(
        lease < timeout,
        "claim lease {lease} s, function timeout {timeout} s"
    );
    // A failed alert comes back from NotifyQueue after its visibility
    // timeout: by then the claim of a function killed mid-send has expired.
    let queue = &t.resource("NotifyQueue")["Properties"];
    let visibility = queue["VisibilityTimeout"].as_u64().unwrap();
    assert!(
        lease < visibility,
        "claim lease {lease} s, visibility {visibility} s"
    );
    // Lambda's SQS trigger wants six times the function's timeout.
    assert!(
        visibility >= 6 * timeout,
        "visibility {visibility} s, timeout {timeout} s"
    );
    // Tried for hours, not minutes, before the failure queue.
    let receives = queue["RedrivePolicy"]["maxReceiveCount"].as_u64().unwrap();
    assert!(
        receives * visibility >= 3600,
        "{receives} receives, {visibility} s apart"
    );
    assert_eq!(
        queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0],
        "NotifyFailureQueue"
    );
}

/// The hot-lead rule feeds NotifyQueue, and the notify function takes the
/// queue reporting each failed alert on its own.
#[test]
fn hot_lead_alerts_reach_notify_through_its_queue() {
    let t = Template::load();
    let targets = &t.resource("HotLeadRule")["Properties"]["Targets"];
    assert_eq!(targets.as_sequence().map(Vec::len), Some(1), "{targets:?}");
    assert_eq!(
        targets[0]["Arn"]["Fn::GetAtt"][0], "NotifyQueue",
        "{targets:?}"
    );
    let policy = &t.resource("NotifyQueuePolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        policy["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0],
        "HotLeadRule"
    );
    let trigger = queue_mapping(&t, "NotifyFunction", "NotifyQueue");
    assert_eq!(
        trigger["FunctionResponseTypes"][0],
        "ReportBatchItemFailures"
    );
    // What EventBridge cannot put into NotifyQueue waits beside the alerts
    // notify gave up on, moved back the same way.
    assert_eq!(
        targets[0]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0],
        "NotifyFailureQueue"
    );
    let policy =
        &t.resource("NotifyFailureQueuePolicy")["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(
        policy["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0],
        "HotLeadRule"
    );
    assert!(
        t.resource("NotifyFunction")["Properties"]
            .get("EventInvokeConfig")
            .is_none(),
        "no asynchronous invocations any more"
    );
}

/// The properties of the event source mapping that feeds `queue` to
/// `function`: there is exactly one.
fn queue_mapping<'t>(t: &'t Template, function: &str, queue: &str) -> &'t serde_yaml_ng::Value {
    let found: Vec<&serde_yaml_ng::Value> = t
        .resources_of("AWS::Lambda::EventSourceMapping")
        .into_iter()
        .map(|id| &t.resource(&id)["Properties"])
        .filter(|p| p["FunctionName"]["Ref"] == function)
        .collect();
    assert_eq!(found.len(), 1, "{function}: {found:?}");
    assert_eq!(found[0]["EventSourceArn"]["Fn::GetAtt"][0], queue);
    found[0]
}

/// A function fed by a queue may receive and delete on that queue only:
/// no SAM `Type: SQS` event (SAM would attach AWSLambdaSQSQueueExecutionRole,
/// which allows both on every queue of the account), an explicit mapping
/// instead, and the actions granted on its queue's ARN.
#[test]
fn a_queue_function_may_read_its_own_queue_only() {
    let t = Template::load();
    for id in t.resources_of("AWS::Serverless::Function") {
        let events = t.resource(&id)["Properties"].get("Events");
        for (name, e) in events.and_then(|e| e.as_mapping()).into_iter().flatten() {
            assert_ne!(e["Type"], "SQS", "{id}: event {name:?} is SAM's SQS event");
        }
    }
    // Under the logical ids SAM gave the mappings its SQS events made: a
    // stack deployed before keeps its mapping instead of failing to make a
    // second one for the same queue and function.
    let mut ids = t.resources_of("AWS::Lambda::EventSourceMapping");
    ids.sort();
    assert_eq!(ids, ["EnrichFunctionQueue", "NotifyFunctionQueue"]);
    for (function, queue) in [
        ("EnrichFunction", "EnrichQueue"),
        ("NotifyFunction", "NotifyQueue"),
    ] {
        queue_mapping(&t, function, queue);
        let statements = t.resource(function)["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap();
        let receive = statements
            .iter()
            .filter(|s| {
                s["Action"]
                    .as_sequence()
                    .is_some_and(|a| a.iter().any(|a| a == "sqs:ReceiveMessage"))
            })
            .collect::<Vec<_>>();
        assert_eq!(receive.len(), 1, "{function}");
        assert_eq!(receive[0]["Resource"]["Fn::GetAtt"][0], queue, "{function}");
        for action in ["sqs:DeleteMessage", "sqs:GetQueueAttributes"] {
            assert!(
                receive[0]["Action"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .any(|a| a == action),
                "{function}: {action}"
            );
        }
    }
}

/// The functions that take idempotency claims (a notification per
/// channel, a form submission, a scores-due pass) may make, complete and
/// give them up: `Store::claim` is a conditional PutItem, `complete` an
/// UpdateItem, `release` a DeleteItem (a claim that cannot be released
/// turns the retry of a failure away until its lease ends).
#[test]
fn the_functions_that_claim_keys_may_put_update_and_delete_them() {
    let t = Template::load();
    for id in ["NotifyFunction", "FormSubmitFunction", "ScoreFunction"] {
        let actions = t.function_actions(id);
        for needed in [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ] {
            assert!(actions.contains(needed), "{id} lacks {needed}: {actions:?}");
        }
    }
}

/// The Scheduler's input is the schedule function's `Input`, with the
/// tick the rescoring pass counts from.
#[test]
fn the_schedule_input_names_the_tick() {
    let t = Template::load();
    let input =
        t.resource("ScheduleFunction")["Properties"]["Events"]["Tick"]["Properties"]["Input"]
            .as_str()
            .unwrap()
            .replace("<aws.scheduler.scheduled-time>", "2026-12-06T06:00:00Z");
    let parsed: lambda_schedule::handler::Input = serde_json::from_str(&input).unwrap();
    assert_eq!(
        parsed.scheduled_time.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-06T06:00:00+00:00")
    );
}

#[test]
fn a_scores_due_pass_stops_well_before_the_score_function_times_out() {
    let t = Template::load();
    let timeout = t.function_timeout("ScoreFunction");
    let margin = lambda_score::handler::PASS_MARGIN.as_secs();
    assert!(
        2 * margin <= timeout,
        "pass margin {margin} s, function timeout {timeout} s"
    );
    // Lambda retries a failed asynchronous invocation a minute after it at
    // the earliest: the retry of a pass that died must find its claim free.
    let lease = lambda_score::handler::PASS_CLAIM_LEASE.as_secs();
    assert!(lease < 60, "pass claim lease {lease} s");
}

#[test]
fn the_form_submit_claims_outlast_the_function_and_its_wait_fits_in_it() {
    let t = Template::load();
    let timeout = i64::try_from(t.function_timeout("FormSubmitFunction")).unwrap();
    // A live holder never loses the lead's write lock or the submission's
    // claim to another submit (which would write the lead beside it).
    let lock = leadscore_intake::LEAD_LOCK_LEASE.num_seconds();
    let claim = leadscore_intake::IntakeConfig::default()
        .lease
        .num_seconds();
    assert!(lock >= timeout, "lead lock {lock} s, timeout {timeout} s");
    assert!(
        claim >= timeout,
        "submission claim {claim} s, timeout {timeout} s"
    );
    // Waiting for the same submission in flight and then for the lock
    // leaves the submit at least as long again for its own work (reads,
    // writes, scoring, two publishes).
    let wait = i64::try_from(
        (leadscore_intake::LEAD_LOCK_WAIT + leadscore_intake::SUBMISSION_WAIT).as_secs(),
    )
    .unwrap();
    assert!(2 * wait <= timeout, "waits {wait} s, timeout {timeout} s");
    // API Gateway's HTTP API waits 30 s for its integration at most.
    assert!(timeout <= 30, "timeout {timeout} s");
}

#[test]
fn an_enrichment_batch_ends_before_the_function_times_out() {
    let t = Template::load();
    let env = t.function_env("EnrichFunction");
    let number = |name: &str| -> u64 {
        env[name]
            .parse()
            .unwrap_or_else(|e| panic!("EnrichFunction {name}: {e}"))
    };
    // The longest one account can take: the crawl's budget, then the job
    // boards' and the news feeds' (the enricher's defaults).
    let account = number("CRAWL_BUDGET_SECS")
        + leadscore_enrich::hiring::HiringConfig::default()
            .budget
            .as_secs()
        + leadscore_enrich::news::NewsConfig::default()
            .budget
            .as_secs();
    let queue = queue_mapping(&t, "EnrichFunction", "EnrichQueue");
    let batch = queue["BatchSize"].as_u64().unwrap();
    let waves = batch.div_ceil(number("MAX_CONCURRENCY"));
    let timeout = t.function_timeout("EnrichFunction");
    let margin = lambda_enrich::handler::ANSWER_MARGIN.as_secs();
    assert!(
        waves * account + margin <= timeout,
        "{batch} messages in {waves} wave(s) of up to {account} s each, plus {margin} s to \
         answer, do not fit the {timeout} s timeout"
    );
    let visibility = t.resource("EnrichQueue")["Properties"]["VisibilityTimeout"]
        .as_u64()
        .unwrap();
    assert!(
        visibility >= 6 * timeout,
        "visibility timeout {visibility} s under six times the function's {timeout} s"
    );
}

#[test]
fn table_keys_and_indexes_agree_across_template_docs_and_code() {
    let t = Template::load();
    assert_eq!(
        t.table_keys(),
        [
            (PK.to_owned(), "HASH".to_owned()),
            (SK.to_owned(), "RANGE".to_owned())
        ]
    );
    let code: BTreeMap<String, Vec<(String, String)>> = INDEXES
        .iter()
        .map(|i| {
            (
                i.name.to_owned(),
                vec![
                    (i.pk.to_owned(), "HASH".to_owned()),
                    (i.sk.to_owned(), "RANGE".to_owned()),
                ],
            )
        })
        .collect();
    assert_eq!(t.table_indexes(), code, "template vs adapter constants");
    for index in INDEXES {
        let (projection, attributes) = t.index_projection(index.name);
        let want = match index.projected {
            Projected::All => ("ALL", Vec::new()),
            Projected::KeysOnly => ("KEYS_ONLY", Vec::new()),
            Projected::Include(names) => ("INCLUDE", names.to_vec()),
        };
        assert_eq!(
            (
                projection.as_str(),
                attributes.iter().map(String::as_str).collect()
            ),
            want,
            "{}: projection",
            index.name
        );
    }
    assert_eq!(t.ttl_attribute(), TTL_ATTRIBUTE);

    // docs/dynamodb.md: the index table's rows are `| `name` | `pk` = … | `sk` = … |`.
    let doc = std::fs::read_to_string(root().join("docs/dynamodb.md")).unwrap();
    let section = doc
        .split("## Global secondary indexes")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let ticked = |cell: &str| cell.split('`').nth(1).unwrap_or("").to_owned();
    let documented: BTreeMap<String, Vec<(String, String)>> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                ticked(cells[1]),
                vec![
                    (ticked(cells[2]), "HASH".to_owned()),
                    (ticked(cells[3]), "RANGE".to_owned()),
                ],
            )
        })
        .collect();
    assert_eq!(documented, code, "docs/dynamodb.md vs adapter constants");
    assert!(doc.contains(&format!("TTL on `{TTL_ATTRIBUTE}`")));
    assert!(doc.contains(&format!("| `{PK}` | S | partition key |")));
    assert!(doc.contains(&format!("| `{SK}` | S | sort key |")));
}

fn alert(score: f64, kind: AlertKind) -> Alert {
    let email = Email::parse("ada@acme.com").unwrap();
    Alert {
        id: Alert::key(&email, kind, score as u64),
        kind,
        lead: email,
        lead_name: "Ada Lovelace".into(),
        title: Some("VP of Sales".into()),
        owner: None,
        account: Some(Domain::parse("acme.com").unwrap()),
        account_name: None,
        score,
        previous_score: Some(50.0),
        tier: if kind == AlertKind::BecameHot {
            Tier::Hot
        } else {
            Tier::Warm
        },
        grade: Grade {
            fit: 'A',
            engagement: 1,
        },
        reasons: Vec::new(),
        model_version: "default@000000000000".into(),
        score_version: score as u64,
        created_at: Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap(),
    }
}

#[tokio::test]
async fn the_template_rules_route_the_events_the_code_emits() {
    let t = Template::load();
    let patterns = t.rule_patterns();
    // Every detail-type a pattern names is one the code emits.
    for (id, p) in &patterns {
        for dt in p["detail-type"].as_array().unwrap() {
            assert!(
                detail_type::ALL.contains(&dt.as_str().unwrap()),
                "{id} names {dt}, which the code never emits"
            );
        }
    }
    let sdk = leadscore_testkit::sdk_config().await;
    let wiring = Wiring::create(&sdk, &t, &leadscore_testkit::unique("consistency")).await;
    let bus =
        leadscore_aws::EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&sdk), &wiring.bus);
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
    let domain = Domain::parse("acme.com").unwrap();
    let lead = Lead::new(Email::parse("ada@acme.com").unwrap(), None, now);
    let events = vec![
        Event::account_enriched(&domain, now, 3, &["HubSpot".to_owned()], 0),
        Event::lead_submitted(&lead, "demo", "k1", now),
        Event::technology_change(&domain, "HubSpot", true, None, now, None),
        Event::from_alert(&alert(82.0, AlertKind::BecameHot)),
        // Hot under a model whose hot tier is 60: the model decides, and
        // the rule passes it on (an alert is marked delivered once the bus
        // takes it, so a score filter here would lose it).
        Event::from_alert(&alert(61.5, AlertKind::BecameHot)),
        Event::from_alert(&alert(60.0, AlertKind::Cooled)),
    ];
    for r in bus.publish(&events).await {
        r.unwrap();
    }
    let mut got: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
    let mut drained_after_all = false;
    for _ in 0..20 {
        for id in patterns.keys() {
            for e in wiring.drain(&sdk, id).await {
                got.entry(id.clone()).or_default().push((
                    e["detail-type"].as_str().unwrap().to_owned(),
                    e["detail"]["score"].as_f64(),
                ));
            }
        }
        let total: usize = got.values().map(Vec::len).sum();
        if total >= 4 {
            // Drained once more after the four expected: an event routed
            // where it should not be (the cooled alert) may come after
            // them.
            if drained_after_all {
                break;
            }
            drained_after_all = true;
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut score_rule = got.remove("ScoreRule").unwrap_or_default();
    score_rule.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        score_rule,
        [
            ("Account Enriched".to_owned(), None),
            ("Lead Submitted".to_owned(), None)
        ]
    );
    let mut hot = got.remove("HotLeadRule").unwrap_or_default();
    hot.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap());
    assert_eq!(
        hot,
        [
            ("Lead Became Hot".to_owned(), Some(61.5)),
            ("Lead Became Hot".to_owned(), Some(82.0))
        ]
    );
    assert!(got.is_empty(), "unexpected deliveries: {got:?}");
}

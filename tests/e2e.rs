//! The deployed shape, end to end, on one machine: the five real function
//! binaries run against `cargo lambda watch`'s Lambda runtime API emulator
//! (`--only-lambda-apis`: the test starts the binaries, built with the test
//! build's features, instead of letting it `cargo run` them), against moto
//! (DynamoDB, EventBridge, SQS, SES, Secrets Manager) and loopback fixtures
//! (a company website, a Slack webhook).
//!
//! moto does not invoke Lambdas, so this test plays the AWS integrations
//! the template declares: the SQS trigger of `enrich` (messages received
//! from the real queue and passed as an SQS batch event), the score rule's
//! Lambda target, and the hot-lead rule's queue that triggers `notify`
//! (each rule, built from the template's own pattern, delivers to a queue;
//! the test passes what arrives to `score` as EventBridge would and to
//! `notify` as its SQS trigger would).
//!
//! form submit → lead stored → enrichment queued → enrich → `Account
//! Enriched` → score → crosses hot → `Lead Became Hot` → rule → queue → notify →
//! Slack message on the loopback webhook and an SES message in moto. The
//! same submit again gives one lead and one Slack message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadscore_aws::DynamoStore;
use leadscore_core::domain::Email;
use leadscore_e2e::{Template, Wiring, root};
use leadscore_store::Store;
use leadscore_testkit::site::{Route, Site};
use leadscore_testkit::{moto, sdk_config, unique};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Where `cargo-lambda` is: `LEADSCORE_CARGO_LAMBDA`, the venv `.ci/run`
/// makes, or PATH.
fn cargo_lambda() -> PathBuf {
    if let Some(p) = std::env::var_os("LEADSCORE_CARGO_LAMBDA") {
        return PathBuf::from(p);
    }
    let venv = root().join(".ci/tools/lambda/bin/cargo-lambda");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("cargo-lambda")
}

/// A model where the form alone leaves the lead warm (50) and HubSpot on
/// the company's website makes it hot (75).
const MODEL: &str = r#"
name = "e2e"
[scale]
fit_max = 40
engagement_max = 20
[weights]
fit = 0.5
engagement = 0.5
[tiers]
hot = 70
warm = 40
hysteresis = 5
[grades]
fit = [70, 45, 25]
engagement = [75, 50, 25]

[[rule]]
id = "vp"
label = "VP-level title"
lead = "seniority"
equals = "vp"
points = 20

[[rule]]
id = "hubspot"
label = "Runs HubSpot"
signal = "tech"
equals = "HubSpot"
points = 20

[[rule]]
id = "form"
label = "Submitted a form"
activity = "form_submitted"
points = 10
cap = 10
"#;

const HOME: &str = r#"<!doctype html><html><head><title>Acme</title>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/4242424.js"></script>
</head><body><h1>Acme</h1><a href="/pricing">Pricing</a></body></html>"#;

/// A Slack incoming webhook on loopback that records what it receives.
async fn slack_hook() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/services/T000/B000/XXXX",
        listener.local_addr().unwrap()
    );
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            let body = &buf[end + 4..end + 4 + len];
                            s.lock()
                                .unwrap()
                                .push(serde_json::from_slice(body).unwrap_or(Value::Null));
                            let _ = sock
                                .write_all(
                                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                                )
                                .await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, seen)
}

/// The function binaries (bin name → path), built as `cargo test
/// --workspace` builds them: `--workspace --bins --tests` resolves the
/// dependencies' features exactly as the test build does (dev-dependencies
/// included), so after `cargo test --workspace` has built everything this
/// is a no-op. `cargo lambda watch` would `cargo run` each function instead,
/// whose narrower feature set rebuilds the async stack (tokio, rustls,
/// reqwest, the AWS SDK's HTTP client) a second time: minutes on CI.
fn function_binaries() -> BTreeMap<String, PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    // What cargo set for this test's own crate would mark the dependencies
    // whose build scripts read it (ring reads CARGO_MANIFEST_DIR) as changed.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&&*key)
        {
            command.env_remove(&*key);
        }
    }
    let out = command
        .args([
            "build",
            "--workspace",
            "--bins",
            "--tests",
            "--locked",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building the function binaries failed"
    );
    let mut bins = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        // `--tests` also builds each binary as a test harness.
        let is_bin = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "bin"))
            && msg["profile"]["test"] == false;
        if let (true, Some(name), Some(exe)) = (
            is_bin,
            msg["target"]["name"].as_str(),
            msg["executable"].as_str(),
        ) {
            bins.insert(name.to_owned(), PathBuf::from(exe));
        }
    }
    bins
}

/// Starting a process of the test: in the workspace root, no input, its
/// output appended to the log, killed when its handle is dropped.
trait SpawnLogged {
    fn spawn_logged(&mut self, log: &std::fs::File) -> std::io::Result<tokio::process::Child>;
}

impl SpawnLogged for tokio::process::Command {
    fn spawn_logged(&mut self, log: &std::fs::File) -> std::io::Result<tokio::process::Child> {
        self.current_dir(root())
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log.try_clone()?)
            .kill_on_drop(true)
            .spawn()
    }
}

/// The running `cargo lambda watch` (its Lambda runtime API and invoke
/// endpoints only) and the function binaries polling it, each owned by a
/// task that reports its exit; all killed on drop.
struct Watch {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The first early exit, once one happened.
    exit: tokio::sync::watch::Sender<Option<String>>,
    base: String,
    log: PathBuf,
}

impl Drop for Watch {
    fn drop(&mut self) {
        // The aborted task drops its child, which kills it.
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Watch {
    /// Starts the emulator and the `functions` (binary names).
    async fn start(
        functions: &[String],
        env: &BTreeMap<String, String>,
        dir: &std::path::Path,
    ) -> Self {
        let bins = function_binaries();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Outside the workspace: nothing watches it, and it outlives a
        // failed run for reading.
        let log = dir.join("watch.log");
        let out = std::fs::File::create(&log).unwrap();
        let watch = tokio::process::Command::new(cargo_lambda())
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--ignore-changes",
                "-A",
                "127.0.0.1",
                "-P",
            ])
            .arg(port.to_string())
            .spawn_logged(&out)
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}); .ci/run installs it (pip install cargo-lambda==1.9.2 ziglang==0.17.1 into .ci/tools/lambda)",
                    cargo_lambda().display()
                )
            });
        let mut w = Self {
            tasks: Vec::new(),
            exit: tokio::sync::watch::Sender::new(None),
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not listen within 120 s:\n{}",
                w.log_text()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        w.supervise("cargo lambda watch", watch);
        // Each function as `cargo lambda watch` would start it: the
        // runtime API at its own path, the emulator's version, memory and
        // concurrency, and the function's environment.
        for name in functions {
            let exe = bins
                .get(name)
                .unwrap_or_else(|| panic!("no `{name}` binary among {:?}", bins.keys()));
            // Only the test's settings: an inherited AWS_ENDPOINT_URL_<SERVICE>,
            // profile or LEADSCORE_* setting would point a function elsewhere.
            let child = tokio::process::Command::new(exe)
                .env_clear()
                .envs(
                    ["PATH", "HOME", "TMPDIR", "RUST_LOG"]
                        .into_iter()
                        .filter_map(|k| std::env::var_os(k).map(|v| (k, v))),
                )
                .envs(env)
                .env("AWS_LAMBDA_FUNCTION_NAME", name)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "4096")
                .env("AWS_LAMBDA_MAX_CONCURRENCY", "1")
                .env(
                    "AWS_LAMBDA_RUNTIME_API",
                    format!("http://127.0.0.1:{port}/.rt/{name}"),
                )
                .spawn_logged(&out)
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
            w.supervise(name, child);
        }
        w
    }

    /// Keeps `child` running until the drop, noting when it exits early.
    fn supervise(&mut self, name: &str, mut child: tokio::process::Child) {
        let exit = self.exit.clone();
        let name = name.to_owned();
        self.tasks.push(tokio::spawn(async move {
            let status = child.wait().await;
            exit.send_if_modified(|first| {
                first.get_or_insert_with(|| format!("{name} exited: {status:?}"));
                true
            });
        }));
    }

    /// Resolves when a process has exited (none should, before the drop),
    /// with what it was.
    async fn exited(&self) -> String {
        let mut exit = self.exit.subscribe();
        let first = exit.wait_for(Option::is_some).await.unwrap();
        first.clone().unwrap_or_default()
    }

    /// `request`'s result, or a panic with the log if a process exits
    /// first (a request to a dead function would wait for the timeout).
    async fn unless_exited<T>(&self, request: impl Future<Output = T>) -> T {
        tokio::select! {
            r = request => r,
            e = self.exited() => panic!("{e}\n{}", self.log_text()),
        }
    }

    fn log_text(&self) -> String {
        let t = std::fs::read_to_string(&self.log).unwrap_or_default();
        t.chars()
            .rev()
            .take(6000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect()
    }

    /// Invokes a function.
    async fn invoke(&self, http: &reqwest::Client, function: &str, payload: &Value) -> Value {
        let resp = self
            .unless_exited(
                http.post(format!(
                    "{}/2015-03-31/functions/{function}/invocations",
                    self.base
                ))
                .json(payload)
                .send(),
            )
            .await
            .unwrap_or_else(|e| panic!("invoking {function}: {e}\n{}", self.log_text()));
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success() && body.get("errorType").is_none(),
            "{function} failed ({status}): {body}\n{}",
            self.log_text()
        );
        body
    }

    /// POSTs the form through the function-URL emulation (payload v2, the
    /// HTTP API's shape).
    async fn submit(&self, http: &reqwest::Client, body: &Value) -> (u16, Value) {
        let resp = self
            .unless_exited(
                http.post(format!("{}/lambda-url/form-submit/submit", self.base))
                    .header("origin", "https://www.acme-marketing.test")
                    .json(body)
                    .send(),
            )
            .await
            .unwrap_or_else(|e| panic!("form submit: {e}\n{}", self.log_text()));
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// Invokes notify with an alert event as `NotifyQueue`'s trigger passes
/// it (the hot-lead rule's target), and checks it was delivered.
async fn notify(watch: &Watch, http: &reqwest::Client, event: &Value) {
    let batch = json!({ "Records": [{
        "messageId": "alert-1",
        "receiptHandle": "r",
        "body": event.to_string(),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                       "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1700000000000"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notify",
        "awsRegion": "us-east-1"
    }]});
    let out = watch.invoke(http, "notify", &batch).await;
    assert_eq!(
        out["batchItemFailures"],
        json!([]),
        "{out}\n{}",
        watch.log_text()
    );
}

/// Messages of the enrichment queue as the SQS trigger passes them.
async fn sqs_batch(sdk: &aws_config::SdkConfig, url: &str) -> Option<Value> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let r = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .message_system_attribute_names(
            aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp,
        )
        .send()
        .await
        .unwrap();
    if r.messages().is_empty() {
        return None;
    }
    let mut records = Vec::new();
    for m in r.messages() {
        // The time SQS took the message: the enrich function answers a
        // message with a snapshot from after it without crawling again.
        let sent = m
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::MessageSystemAttributeName::SentTimestamp))
            .cloned()
            .unwrap_or_else(|| panic!("SQS gave no SentTimestamp: {m:?}"));
        records.push(json!({
            "messageId": m.message_id(),
            "receiptHandle": m.receipt_handle(),
            "body": m.body(),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": sent,
                           "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": sent},
            "messageAttributes": {},
            "md5OfBody": m.md5_of_body(),
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:enrich",
            "awsRegion": "us-east-1"
        }));
        sqs.delete_message()
            .queue_url(url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
    Some(json!({ "Records": records }))
}

/// Plays the triggers until nothing moves: the enrichment queue to
/// `enrich`, the score rule to `score`, the hot-lead rule to `notify`.
/// Returns how many invocations of each ran.
async fn pump(
    watch: &Watch,
    http: &reqwest::Client,
    sdk: &aws_config::SdkConfig,
    wiring: &Wiring,
    enrich_queue: &str,
) -> (BTreeMap<&'static str, usize>, Vec<Value>) {
    let mut count: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut alerts = Vec::new();
    let mut idle = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    while idle < 3 {
        assert!(Instant::now() < deadline, "the pipeline did not settle");
        let mut moved = false;
        if let Some(batch) = sqs_batch(sdk, enrich_queue).await {
            let out = watch.invoke(http, "enrich", &batch).await;
            assert_eq!(
                out["batchItemFailures"],
                json!([]),
                "{out}\n{}",
                watch.log_text()
            );
            *count.entry("enrich").or_default() += 1;
            moved = true;
        }
        for e in wiring.drain(sdk, "ScoreRule").await {
            watch.invoke(http, "score", &e).await;
            *count.entry("score").or_default() += 1;
            moved = true;
        }
        for e in wiring.drain(sdk, "HotLeadRule").await {
            notify(watch, http, &e).await;
            alerts.push(e);
            *count.entry("notify").or_default() += 1;
            moved = true;
        }
        if moved {
            idle = 0;
        } else {
            idle += 1;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    (count, alerts)
}

/// How many SES messages from `from` moto recorded (its dashboard data
/// lists each sent message as an object with `source` and `subject`).
async fn ses_messages(http: &reqwest::Client, from: &str) -> usize {
    fn count(v: &Value, from: &str) -> usize {
        match v {
            Value::Object(m) => {
                let own = usize::from(
                    m.get("source").and_then(Value::as_str) == Some(from)
                        && m.contains_key("subject"),
                );
                own + m.values().map(|x| count(x, from)).sum::<usize>()
            }
            Value::Array(a) => a.iter().map(|x| count(x, from)).sum(),
            _ => 0,
        }
    }
    let data: Value = http
        .get(format!("{}/moto-api/data.json", moto().endpoint))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    count(&data, from)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_submit_to_slack_and_email_through_the_real_functions() {
    let sdk = sdk_config().await;
    let http = leadscore_fetch::https_client_builder()
        .unwrap()
        .timeout(Duration::from_secs(900))
        .build()
        .unwrap();
    let prefix = unique("e2e");
    let template = Template::load();

    // AWS side, in moto.
    let table = format!("{prefix}-table");
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    store.create_table().await.unwrap();
    let wiring = Wiring::create(&sdk, &template, &prefix).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let enrich_queue = sqs
        .create_queue()
        .queue_name(format!("{prefix}-enrich"))
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let from = format!("{prefix}@leadscore.test");
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(&from)
        .send()
        .await
        .unwrap();
    let (hook, slack) = slack_hook().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let slack_secret = format!("{prefix}-slack");
    secrets
        .create_secret()
        .name(&slack_secret)
        .secret_string(json!({ "url": hook }).to_string())
        .send()
        .await
        .unwrap();
    let model_secret = format!("{prefix}-model");
    secrets
        .create_secret()
        .name(&model_secret)
        .secret_string(MODEL)
        .send()
        .await
        .unwrap();

    // The company's website, on loopback.
    let site = Site::start().await;
    site.route("/", Route::html(HOME))
        .route("/pricing", Route::html("<h1>Pricing</h1>"));

    // The functions' environment: the template's own values, then what
    // differs on this machine (resource names, moto, the loopback site).
    let mut env = BTreeMap::new();
    for id in template.resources_of("AWS::Serverless::Function") {
        env.extend(template.function_env(&id));
    }
    let overrides = [
        ("AWS_ENDPOINT_URL", moto().endpoint.clone()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        // Credentials and region are given; never ask the metadata service.
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("RUST_LOG", "info".into()),
        ("TABLE_NAME", table.clone()),
        ("EVENT_BUS_NAME", wiring.bus.clone()),
        ("ENRICH_QUEUE_URL", enrich_queue.clone()),
        ("SCORING_MODEL", model_secret),
        ("SLACK_WEBHOOK_SECRET", slack_secret),
        ("SES_FROM", from.clone()),
        ("SALES_EMAIL", "sales@leadscore.test".into()),
        ("ALLOWED_ORIGINS", "https://www.acme-marketing.test".into()),
        ("FETCH_ALLOW_PRIVATE_NETWORK", "true".into()),
        ("FETCH_RESOLVE", "acme.test=127.0.0.1".into()),
        // The fixture site's port, typed in the form's website.
        ("WEBSITE_PORTS", "true".into()),
    ];
    for (k, v) in overrides {
        env.insert(k.to_owned(), v);
    }
    let dir = std::env::temp_dir().join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    let functions: Vec<String> = template
        .resources_of("AWS::Serverless::Function")
        .iter()
        .map(|id| template.binary(id))
        .collect();
    let watch = Watch::start(&functions, &env, &dir).await;

    // A form submit.
    let form = json!({
        "email": "Ada@Acme.test",
        "name": "Ada Lovelace",
        "title": "VP of Sales",
        "website": site.url("acme.test"),
        "consent": true,
        "form": "demo-request",
        "page_url": "https://www.acme-marketing.test/demo"
    });
    let (status, body) = watch.submit(&http, &form).await;
    assert_eq!(status, 202, "{body}\n{}", watch.log_text());
    assert_eq!(body["duplicate"], false);
    let email = Email::parse("ada@acme.test").unwrap();
    assert!(
        store.get_lead(&email).await.unwrap().is_some(),
        "lead stored"
    );
    let first = store.current_score(&email).await.unwrap().unwrap();
    assert_eq!(first.score.total, 50.0, "warm before enrichment");

    let (runs, alerts) = pump(&watch, &http, &sdk, &wiring, &enrich_queue).await;
    assert_eq!(runs.get("enrich"), Some(&1), "{runs:?}");
    assert_eq!(
        runs.get("score"),
        Some(&2),
        "Lead Submitted + Account Enriched: {runs:?}"
    );
    assert_eq!(runs.get("notify"), Some(&1), "{runs:?}");

    let score = store.current_score(&email).await.unwrap().unwrap();
    assert_eq!(score.score.total, 75.0);
    let messages = slack.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = messages[0].to_string();
    assert!(
        text.contains("Ada Lovelace") && text.contains("Runs HubSpot"),
        "{text}"
    );
    assert_eq!(ses_messages(&http, &from).await, 1, "one email in moto");

    // The same submit again: one lead, no second alert.
    let (status, body) = watch.submit(&http, &form).await;
    assert_eq!(status, 202);
    assert_eq!(body["duplicate"], true, "{body}");
    let (runs, _) = pump(&watch, &http, &sdk, &wiring, &enrich_queue).await;
    assert!(runs.is_empty(), "nothing more to do: {runs:?}");
    assert_eq!(store.list_leads().await.unwrap().len(), 1);
    assert_eq!(store.activities_of(&email).await.unwrap().len(), 1);
    assert_eq!(slack.lock().unwrap().len(), 1);
    assert_eq!(ses_messages(&http, &from).await, 1);

    // A redelivered alert event (EventBridge is at-least-once) sends
    // nothing twice.
    assert_eq!(alerts[0]["detail-type"], "Lead Became Hot");
    notify(&watch, &http, &alerts[0]).await;
    assert_eq!(slack.lock().unwrap().len(), 1);
    assert_eq!(ses_messages(&http, &from).await, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

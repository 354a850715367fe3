//! Test support for leadscore (a dev-dependency only): a moto server
//! (DynamoDB, EventBridge, SQS, SES) on 127.0.0.1, started once per test
//! binary on a free port and stopped when the binary exits, and a
//! fault-injection proxy. Everything here talks to loopback only.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)] // test support panics by design

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The running server.
#[derive(Debug)]
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The guard shell; it reaps moto itself when this process exits.
    _guard: std::process::Child,
}

fn moto_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("LEADSCORE_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let venv =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/tools/moto/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

/// The shared server of this test binary.
///
/// A server that failed to start fails every test asking for it at once,
/// with the first attempt's reason (not each after its own 30 s wait).
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    let started = MOTO.get_or_init(|| {
        std::panic::catch_unwind(start_moto).map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "moto_server did not start".to_owned())
        })
    });
    match started {
        Ok(m) => m,
        Err(reason) => panic!("{reason}"),
    }
}

fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = moto_binary();
    // A small shell guard kills moto when this test process goes away,
    // however it ends.
    let script = r#"trap 'kill $M 2>/dev/null' EXIT; "$1" -H 127.0.0.1 -p "$2" >/dev/null 2>&1 & M=$!; while kill -0 "$3" 2>/dev/null && kill -0 $M 2>/dev/null; do sleep 0.5; done"#;
    let guard = Command::new("sh")
        .args(["-c", script, "moto-guard"])
        .arg(&bin)
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start sh for moto: {e}"));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server ({}) did not start on {addr} within 30 s; install it with .ci/run \
             (python3 -m venv .ci/tools/moto && .ci/tools/moto/bin/pip install 'moto[server]==5.2.5')",
            bin.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto {
        endpoint: format!("http://{addr}"),
        _guard: guard,
    }
}

pub mod proxy;
pub mod site;
pub mod smtp;

/// Attempts per SDK call in tests (as in production).
pub const MAX_ATTEMPTS: u32 = 8;

/// SDK configuration pointing at the shared moto server, built with the
/// SDK's own loader (the same settings `AWS_ENDPOINT_URL` would give).
pub async fn sdk_config() -> SdkConfig {
    sdk_config_at(&moto().endpoint, MAX_ATTEMPTS).await
}

/// SDK configuration for an endpoint on loopback (a fault proxy) with a
/// given number of attempts per call.
pub async fn sdk_config_at(endpoint: &str, attempts: u32) -> SdkConfig {
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "tests only talk to loopback"
    );
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        // Plain HTTP: tests only talk to moto on loopback.
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_millis(200)),
        )
        .load()
        .await
}

/// A unique name per call, for tables and buses.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

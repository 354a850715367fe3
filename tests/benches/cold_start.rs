//! Cold start of each Lambda: the time from spawning the function binary to
//! its first poll of the Lambda Runtime API for an invocation (what Lambda
//! reports as Init Duration: configuration, clients, the scoring model and,
//! for `enrich`, the compiled fingerprint database), against a Runtime API
//! served by this bench on loopback. The baseline, measured in the same
//! run, is spawning and reaping `/bin/true`.
//!
//! ```sh
//! cargo build --release -p lambda-enrich -p lambda-score -p lambda-form-submit -p lambda-schedule -p lambda-notify
//! cargo bench -p leadscore-e2e --bench cold_start
//! ```
//!
//! `LEADSCORE_BENCH_BIN_DIR=target/debug` measures other builds.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

/// Reports when the function first asks for an invocation; answers
/// nothing (the function stays parked until it is killed).
fn runtime_api(listener: TcpListener, ready: mpsc::Sender<Instant>) {
    std::thread::spawn(move || {
        let mut parked = Vec::new();
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            if line.starts_with("GET") && line.contains("/runtime/invocation/next") {
                let _ = ready.send(Instant::now());
            }
            parked.push(conn);
        }
    });
}

fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LEADSCORE_BENCH_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("release")
}

fn once(bin: &PathBuf, env: &[(&str, &str)]) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    runtime_api(listener, tx);
    let start = Instant::now();
    let mut child = Command::new(bin)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        // Any AWS call goes nowhere: nothing listens on port 9.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("RUST_LOG", "off")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}; build the release binaries first", bin.display()));
    let at = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("{} never polled the runtime API", bin.display()));
    let _ = child.kill();
    let _ = child.wait();
    at - start
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let baseline = median(
        (0..RUNS)
            .map(|_| {
                let s = Instant::now();
                Command::new("/bin/true").status().unwrap();
                s.elapsed()
            })
            .collect(),
    );
    let common = [
        ("TABLE_NAME", "bench"),
        ("EVENT_BUS_NAME", "bench"),
        ("ENRICH_QUEUE_URL", "http://127.0.0.1:9/q"),
    ];
    let cases = ["enrich", "score", "form-submit", "schedule", "notify"];
    println!("cold start: spawn -> first poll of the runtime API (median of {RUNS})");
    println!("baseline /bin/true spawn+exit: {:>8.2} ms", ms(baseline));
    for name in cases {
        let bin = bin_dir().join(name);
        let t = median((0..RUNS).map(|_| once(&bin, &common)).collect());
        let size = std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0);
        println!(
            "{name:<12} {:>8.2} ms  ({:>5.1}x baseline)  binary {:.1} MB",
            ms(t),
            t.as_secs_f64() / baseline.as_secs_f64(),
            size as f64 / 1_048_576.0
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

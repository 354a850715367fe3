//! `leadscore serve`: the form-submit Lambda's code (`leadscore-intake`)
//! behind a local HTTP server, plus `GET /leads`. Alerts from submits go to
//! stdout (JSON lines) and, when configured, a Slack incoming webhook (the
//! same Block Kit as the notify Lambda) and SMTP email, once per alert.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use leadscore_core::ScoringModel;
use leadscore_intake::{Intake, IntakeConfig};
use leadscore_pipeline::{AlertSink, drain_outbox};
use leadscore_store::Store;
use tokio::net::TcpListener;

use crate::sinks::{self, Fanout, SinkArgs, StdoutFormat};

/// `serve` options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Origins allowed to post the form from a browser (`*` for any), each
    /// a scheme and a host: `https://www.acme.com`.
    #[arg(long = "allowed-origin", value_parser = parse_origin)]
    pub allowed_origins: Vec<String>,
    /// Alert channels besides stdout.
    #[command(flatten)]
    pub sinks: SinkArgs,
    /// Do not require the form's consent field.
    #[arg(long)]
    pub no_consent: bool,
    /// Form posts one client address (an IPv6 /64) may make in a clock
    /// hour before it is answered 429 (0: no limit). Posts that reach the
    /// server from this machine (a tunnel or reverse proxy on it) are not
    /// counted unless it is a --trusted-proxy.
    #[arg(long, default_value_t = IntakeConfig::default().rate_limit_per_hour)]
    pub rate_limit: u64,
    /// A reverse proxy (an address or network, such as 127.0.0.1 or
    /// 10.0.0.0/8) whose X-Forwarded-For names the client: its posts count
    /// against the rightmost address there that is not a trusted proxy.
    /// Repeatable.
    #[arg(long = "trusted-proxy", value_name = "ADDRESS_OR_NETWORK", value_parser = leadscore_intake::http::parse_trusted_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Scoring model file (default: the shipped default model).
    #[arg(long, env = "LEADSCORE_MODEL")]
    pub model: Option<std::path::PathBuf>,
}

struct State {
    intake: Intake,
    alerts: Fanout,
    /// One outbox drain at a time.
    drain: tokio::sync::Mutex<()>,
    /// Whether a drain is waiting for its turn: submits meanwhile need no
    /// other one (it will list their alerts), so at most one waits.
    drain_queued: std::sync::atomic::AtomicBool,
    /// Set when the server stops: a drain under way stops sending.
    stop: tokio::sync::watch::Sender<bool>,
    /// The drains spawned (finished ones pruned as new ones come).
    drain_tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Open connections, at most [`MAX_CONNECTIONS`].
    connections: Arc<tokio::sync::Semaphore>,
    /// Bound to a loopback address: `GET /leads` answers only requests
    /// naming a loopback host (a web page whose name was made to resolve to
    /// 127.0.0.1, DNS rebinding, would otherwise read it). Form posts are
    /// answered whatever the host (a tunnel forwards the public one).
    loopback_only: bool,
}

/// Alerts one drain lists at a time; a drain that delivered a whole batch
/// lists the next.
const DRAIN_BATCH: usize = 100;
/// How often pending alerts are tried again while serving (alerts left
/// from before a restart, or failed on a channel that is back): without
/// it they waited for the next form submit.
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Connections served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send a request's head, and its body.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// An `--allowed-origin`, refused when it can never match a browser's
/// `Origin` (see [`leadscore_intake::http::origin_problem`]).
fn parse_origin(s: &str) -> Result<String, String> {
    match leadscore_intake::http::origin_problem(s) {
        Some(why) => Err(why),
        None => Ok(s.trim().to_owned()),
    }
}

/// Runs the server until interrupted.
pub async fn serve(store: Arc<dyn Store>, model: ScoringModel, args: &ServeArgs) -> Result<()> {
    let alerts = sinks::build(&store, &args.sinks, StdoutFormat::JsonLines)?;
    let mut config = IntakeConfig {
        allowed_origins: args.allowed_origins.clone(),
        rate_limit_per_hour: args.rate_limit,
        trusted_proxies: args.trusted_proxies.clone(),
        ..IntakeConfig::default()
    };
    config.rules.require_consent = !args.no_consent;
    let state = Arc::new(State {
        intake: Intake {
            store,
            model: Arc::new(model),
            // New accounts wait for `leadscore run --stale` (or `enrich`).
            queue: None,
            bus: None,
            config,
        },
        alerts,
        drain: tokio::sync::Mutex::new(()),
        drain_queued: std::sync::atomic::AtomicBool::new(false),
        stop: tokio::sync::watch::Sender::new(false),
        drain_tasks: std::sync::Mutex::default(),
        connections: Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS)),
        loopback_only: args.bind.is_loopback(),
    });
    let listener = TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "listening on http://{addr} (POST /submit, GET /leads); alerts to {}; Ctrl-C stops",
        state.alerts.channels().join(", ")
    );
    if !state.loopback_only {
        eprintln!(
            "warning: {} is not a loopback address: anyone who reaches this port can read every lead's score at GET /leads",
            args.bind
        );
    }
    // Pending alerts go out now (left from before a restart) and every
    // RETRY_EVERY, not only when a form is submitted.
    {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RETRY_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if *state.stop.borrow() {
                    return;
                }
                request_drain(&state);
            }
        });
    }
    loop {
        let permit = tokio::select! {
            p = state.connections.clone().acquire_owned() => p?,
            _ = crate::interrupted() => return stop(&state).await,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = crate::interrupted() => return stop(&state).await,
        };
        let state = state.clone();
        tokio::spawn(async move {
            let _permit = permit;
            // A peer on this machine is a tunnel or proxy (or a test), not
            // the client: the rate limit does not count it, unless it is a
            // trusted proxy that names the client.
            // (An IPv4 peer of a `::` listener is `::ffff:127.0.0.1`.)
            let peer = peer.ip().to_canonical();
            let trusted = leadscore_intake::http::is_trusted_proxy(
                &state.intake.config.trusted_proxies,
                peer,
            );
            let peer = Some(peer).filter(|ip| trusted || !ip.is_loopback());
            let svc = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(route(&state, req, peer).await) }
            });
            // A client that trickles its request head is cut off (hyper
            // applies the timeout only with a timer).
            if let Err(e) = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), svc)
                .await
            {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
}

/// Whether the request's `Host` names this machine's loopback (a name
/// such as `localhost`, or a loopback address), port aside.
fn names_loopback(req: &Request<Incoming>) -> bool {
    let Some(host) = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether the request came through a proxy that says so: `GET /leads`
/// is for this machine, not for the public request a proxy passes on (with
/// its `Host` rewritten to the loopback address it forwards to).
fn forwarded(req: &Request<Incoming>) -> bool {
    [
        "x-forwarded-for",
        "forwarded",
        "x-real-ip",
        "x-forwarded-host",
        "via",
    ]
    .iter()
    .any(|h| req.headers().contains_key(*h))
}

async fn route(
    state: &Arc<State>,
    req: Request<Incoming>,
    peer: Option<std::net::IpAddr>,
) -> Response<Full<Bytes>> {
    // HEAD is answered as GET (hyper sends no body for it).
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    match (req.method(), req.uri().path()) {
        (_, "/leads")
            if read && state.loopback_only && (!names_loopback(&req) || forwarded(&req)) =>
        {
            json(
                StatusCode::MISDIRECTED_REQUEST,
                &serde_json::json!({"error": "GET /leads answers requests to localhost only, not through a proxy"}),
            )
        }
        (_, "/leads") if read => match state.intake.store.list_scores(None).await {
            Ok(scores) => json(StatusCode::OK, &serde_json::json!(scores)),
            Err(e) => json(
                StatusCode::SERVICE_UNAVAILABLE,
                &serde_json::json!({"error": e.to_string()}),
            ),
        },
        (_, "/submit") => submit(state, req, peer).await,
        (_, "/leads") => {
            let mut r = json(
                StatusCode::METHOD_NOT_ALLOWED,
                &serde_json::json!({"error": "use GET"}),
            );
            r.headers_mut().insert(
                hyper::header::ALLOW,
                hyper::header::HeaderValue::from_static("GET, HEAD"),
            );
            r
        }
        _ => json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"error": "not found; POST /submit or GET /leads"}),
        ),
    }
}

async fn submit(
    state: &Arc<State>,
    req: Request<Incoming>,
    peer: Option<std::net::IpAddr>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let limit = state.intake.config.max_body_bytes;
    // One byte over the limit is enough for the handler to answer 413.
    let body =
        match tokio::time::timeout(READ_TIMEOUT, Limited::new(body, limit + 1).collect()).await {
            Ok(Ok(b)) => b.to_bytes(),
            Ok(Err(_)) => Bytes::from(vec![0u8; limit + 1]),
            Err(_) => {
                return json(
                    StatusCode::REQUEST_TIMEOUT,
                    &serde_json::json!({"error": "the request body took too long"}),
                );
            }
        };
    let head = Request::from_parts(parts, ());
    let now = Utc::now();
    let resp = leadscore_intake::http::handle(&state.intake, &head, &body, peer, now).await;
    // After the answer, not before it: a slow or failing channel must not
    // keep the browser waiting for a lead that is stored.
    if resp.status() == StatusCode::ACCEPTED {
        request_drain(state);
    }
    resp.map(|b| Full::new(Bytes::from(b)))
}

/// Delivers the pending alerts in a task of its own, unless a drain is
/// queued already (it will list the alerts written until it starts).
fn request_drain(state: &Arc<State>) {
    use std::sync::atomic::Ordering::SeqCst;
    if *state.stop.borrow() || state.drain_queued.swap(true, SeqCst) {
        return;
    }
    let task = {
        let state = state.clone();
        let mut stop = state.stop.subscribe();
        tokio::spawn(async move {
            tokio::select! {
                () = drain(&state) => {}
                // The server stops: the send under way is dropped, and its
                // claim noted for `release_abandoned`.
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        })
    };
    if let Ok(mut tasks) = state.drain_tasks.lock() {
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }
}

/// One drain at a time: batches of [`DRAIN_BATCH`] until one is not full
/// or delivers nothing (a burst of submits left more than one batch).
async fn drain(state: &State) {
    use std::sync::atomic::Ordering::SeqCst;
    let _turn = state.drain.lock().await;
    // From here, a new submit's alert may be written after this drain
    // lists the outbox: it queues the next one.
    state.drain_queued.store(false, SeqCst);
    loop {
        match drain_outbox(
            state.intake.store.as_ref(),
            &state.alerts,
            Utc::now(),
            DRAIN_BATCH,
        )
        .await
        {
            Ok(s) => {
                if s.failed > 0 {
                    tracing::warn!(
                        failed = s.failed,
                        "alerts stay pending; tried again within a minute while serving (or `leadscore alerts deliver` with the same alert channels)"
                    );
                }
                if s.delivered == 0 || s.delivered + s.failed < DRAIN_BATCH {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the outbox failed");
                return;
            }
        }
    }
}

/// Stops the drains under way and releases the claims of the sends they
/// cut off, so that the alerts go out at once on the next start instead of
/// waiting for the claims' leases to end.
async fn stop(state: &State) -> Result<()> {
    state.stop.send_replace(true);
    let tasks = state
        .drain_tasks
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default();
    for task in tasks {
        let _ = task.await;
    }
    state.alerts.release_abandoned().await;
    Ok(())
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(value.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

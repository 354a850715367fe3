//! The HTTP face of the intake, over the `http` crate's types so the Lambda
//! (`lambda_http`) and `leadscore serve` (hyper) call the same function.
//!
//! | Situation | Status |
//! |---|---|
//! | accepted (new or duplicate) | 202 `{"status":"accepted","lead_id",...}` |
//! | honeypot filled | 202 (the bot learns nothing), nothing stored |
//! | bad fields | 400 `{"errors":[{"field","message"}]}` |
//! | origin not allowed | 403 |
//! | not POST/OPTIONS | 405 |
//! | same submission in flight | 409, retry |
//! | body over the limit | 413 |
//! | not JSON or URL-encoded | 415 |
//! | over the posts an address may make in an hour | 429, `Retry-After` |
//! | store or bus failure | 503 (retryable) or 500 |

use std::net::IpAddr;

use chrono::{DateTime, Duration, DurationRound, Utc};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde_json::json;

use crate::form::{self, FormError};
use crate::{Intake, IntakeError};

/// The idempotency header a client may send.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The longest `Idempotency-Key` taken; a longer one is answered 400.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// The header in which a trusted proxy names the client (each proxy
/// appends the address it saw).
pub const FORWARDED_FOR_HEADER: &str = "x-forwarded-for";

/// Handles one request. `body` is the raw body (already bounded by the
/// caller's transport where it can; checked again here); `peer`: the
/// address it came from, as the transport saw it (for the rate limit, which
/// counts [`client_address`]).
pub async fn handle(
    intake: &Intake,
    req: &Request<()>,
    body: &[u8],
    peer: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Response<String> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok());
    let allowed = match origin {
        None => true,
        Some(o) => origin_allowed(&intake.config.allowed_origins, o),
    };
    let mut resp = route(intake, req, body, peer, now, allowed).await;
    if let (Some(o), true) = (origin, allowed) {
        cors_headers(resp.headers_mut(), o);
    }
    resp
}

async fn route(
    intake: &Intake,
    req: &Request<()>,
    body: &[u8],
    peer: Option<IpAddr>,
    now: DateTime<Utc>,
    allowed: bool,
) -> Response<String> {
    if !allowed {
        return reply(
            StatusCode::FORBIDDEN,
            json!({"error": "origin not allowed"}),
        );
    }
    match *req.method() {
        Method::OPTIONS => {
            let mut r = reply(StatusCode::NO_CONTENT, serde_json::Value::Null);
            r.body_mut().clear();
            return r;
        }
        Method::POST => {}
        _ => {
            let mut r = reply(StatusCode::METHOD_NOT_ALLOWED, json!({"error": "use POST"}));
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
            return r;
        }
    }
    if let Some(retry_after) = over_rate_limit(intake, req.headers(), peer, now).await {
        let mut r = reply(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"error": "too many submissions from this address; try again later", "retryable": true}),
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return r;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = intake.config.max_body_bytes;
    if body.len() > limit || declared.is_some_and(|n| n > limit) {
        return reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"error": format!("body larger than {limit} bytes")}),
        );
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let submission = match form::parse(content_type, body, &intake.config.rules) {
        Ok(s) => s,
        Err(FormError::Honeypot(email)) => {
            tracing::info!("honeypot filled; dropping the submission");
            // The answer a new submission gets, and the same body again the
            // same day a repeat's (`duplicate`): the bot learns nothing.
            let accepted = crate::Accepted {
                lead_id: crate::lead_id(&email),
                duplicate: honeypot_repeat(intake, body, now).await,
                enrichment_queued: false,
                score: None,
            };
            return reply(StatusCode::ACCEPTED, public_answer(&accepted));
        }
        Err(FormError::Invalid(errors)) => {
            return reply(StatusCode::BAD_REQUEST, json!({"errors": errors}));
        }
        Err(e @ FormError::UnsupportedMediaType(_)) => {
            return reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"error": e.to_string()}),
            );
        }
        Err(e @ FormError::Malformed(_)) => {
            return reply(StatusCode::BAD_REQUEST, json!({"error": e.to_string()}));
        }
    };
    // A key that cannot be used is refused, not ignored: ignored, the
    // submit would fall back to the derived key, and two submits the
    // client told apart could be taken for one.
    let key = req
        .headers()
        .get(IDEMPOTENCY_HEADER)
        .map(|v| v.to_str().map(str::trim));
    let client_key = match key {
        None | Some(Ok("")) => None,
        Some(Ok(k)) if k.len() <= MAX_IDEMPOTENCY_KEY => Some(k),
        Some(_) => {
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": format!("the Idempotency-Key header must be visible ASCII of at most {MAX_IDEMPOTENCY_KEY} characters")}),
            );
        }
    };
    match intake.submit(&submission, client_key, now).await {
        Ok(accepted) => reply(StatusCode::ACCEPTED, public_answer(&accepted)),
        Err(IntakeError::InFlight) => reply(
            StatusCode::CONFLICT,
            json!({"error": IntakeError::InFlight.to_string(), "retryable": true}),
        ),
        Err(e) => {
            tracing::error!(error = %e, lead = %submission.email, "submission failed");
            let (status, retryable) = if e.is_retryable() {
                (StatusCode::SERVICE_UNAVAILABLE, true)
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, false)
            };
            // Publishing fails after the lead is stored: a retry (with the
            // same key) stores nothing twice.
            let what = match e {
                IntakeError::Bus { .. } => "the submission was stored but could not be passed on",
                _ => "the submission could not be stored",
            };
            let error = if retryable {
                format!("{what}; try again")
            } else {
                what.to_owned()
            };
            reply(status, json!({"error": error, "retryable": retryable}))
        }
    }
}

/// Whether a honeypot-filled `body` was posted before on this UTC day, as
/// a real submission's repeat is known by its derived key: a claim on a
/// hash of the body, taken and marked done the first time. A store that
/// cannot say answers no.
async fn honeypot_repeat(intake: &Intake, body: &[u8], now: DateTime<Utc>) -> bool {
    let key = format!("form:{}", crate::honeypot_key(body, now));
    match intake.store.claim(&key, now, now + Duration::days(1)).await {
        Ok(leadscore_store::Claim::Acquired) => {
            if let Err(e) = intake.store.complete(&key, now).await {
                tracing::debug!(error = %e, "marking a honeypot post failed");
            }
            false
        }
        Ok(leadscore_store::Claim::Done | leadscore_store::Claim::Busy) => true,
        Err(_) => false,
    }
}

/// Why an allow-list entry can never match a browser's `Origin`, if it
/// cannot: it must be `*` or a URL with a scheme and a host
/// (`https://www.acme.com`); `www.acme.com` (no scheme) or
/// `https://*.acme.com` (no wildcards in hosts) would leave every submit
/// from the page answered 403, and nothing said.
pub fn origin_problem(entry: &str) -> Option<String> {
    let entry = entry.trim();
    if entry == "*" {
        return None;
    }
    match url::Url::parse(entry) {
        Ok(u) if u.origin().is_tuple() && !u.host_str().unwrap_or_default().contains('*') => None,
        _ => Some(format!(
            "`{entry}` is no origin: write `*` or a scheme and a host, such as `https://www.acme.com` (one entry per host, no wildcards)"
        )),
    }
}

/// Whether `origin` is in the allow-list (`*` allows any). An entry is
/// compared as the origin a browser sends for it: a default port dropped
/// (`https://www.acme.com:443`), a Unicode host in its ASCII form
/// (`https://bücher.de` is `https://xn--bcher-kva.de`), a path ignored.
pub fn origin_allowed(allowed: &[String], origin: &str) -> bool {
    allowed.iter().any(|a| {
        a == "*"
            || a.trim_end_matches('/').eq_ignore_ascii_case(origin)
            || url::Url::parse(a.trim())
                .ok()
                .map(|u| u.origin())
                .filter(url::Origin::is_tuple)
                .is_some_and(|o| o.ascii_serialization().eq_ignore_ascii_case(origin))
    })
}

fn cors_headers(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, idempotency-key"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    // A form's script reads it on a 429 only when it is exposed.
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
}

/// A reverse proxy to trust: a network (`10.0.0.0/8`, `fd00::/8`) or one
/// address (`127.0.0.1`, `::1`). An IPv4-mapped IPv6 network
/// (`::ffff:10.0.0.0/104`) is its IPv4 network, as peers are compared in
/// their IPv4 form. A network of every address (`0.0.0.0/0`, `::/0`) is
/// refused: every client could then name itself anyone.
pub fn parse_trusted_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    let net = text
        .parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            format!("{text:?} is not an address or network (such as 10.0.0.0/8 or ::1)")
        })?;
    let net = match net {
        ipnet::IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96)
                .map(ipnet::IpNet::V4)
                .unwrap_or(net),
            None => net,
        },
        _ => net,
    };
    if net.prefix_len() == 0 {
        return Err(format!(
            "{text:?} trusts every address: any client could name itself another; name the proxies' own addresses"
        ));
    }
    Ok(net.trunc())
}

/// The address a post is counted against. `peer` is the address the
/// transport saw. When it is one of the `trusted` proxies, the client is
/// the rightmost `X-Forwarded-For` address that is not: each proxy appends
/// the address it saw, so what a client writes into the header itself
/// stays to the left of that and is never read. Empty entries are
/// skipped; when the walk meets an entry that is not an address
/// (`unknown`, an obfuscated name) or runs out of entries, the last address
/// it reached (a trusted proxy, the peer at least) is the client, as
/// nginx's `real_ip_recursive` has it: the post is still counted. An
/// address may carry a port (`203.0.113.9:4711`, `[2001:db8::1]:4711`).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !is_trusted_proxy(trusted, client) {
        return client;
    }
    // Bytes, entry by entry from the right: text a client wrote further
    // left (not UTF-8, say) is never decoded.
    for entry in headers
        .get_all(FORWARDED_FOR_HEADER)
        .iter()
        .rev()
        .flat_map(|line| line.as_bytes().rsplit(|&b| b == b','))
    {
        let entry = entry.trim_ascii();
        if entry.is_empty() {
            continue;
        }
        let Some(ip) = std::str::from_utf8(entry).ok().and_then(parse_address) else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted_proxy(trusted, client) {
            break;
        }
    }
    client
}

/// Whether `ip` (in its IPv4 form when it is IPv4-mapped) is one of the
/// `trusted` proxies.
pub fn is_trusted_proxy(trusted: &[ipnet::IpNet], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    trusted.iter().any(|net| net.contains(&ip))
}

/// An address as proxies and API Gateway write one: `a.b.c.d` or an IPv6
/// address, in brackets or not, either with a port.
pub fn parse_address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse::<std::net::Ipv6Addr>().ok())
                .map(IpAddr::V6)
        })
}

/// What the rate limit counts a client by: its IPv4 address, or its IPv6
/// address's /64 (one host, or one home or office network, gets a /64).
pub fn client_group(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts this post against its client's clock hour (the
/// [`client_address`] of `peer`): the seconds until the hour ends when it
/// is over the limit. Without a peer address or a limit, or when the count
/// fails (a post is not refused for that: it is logged), nothing is
/// counted.
async fn over_rate_limit(
    intake: &Intake,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Option<u64> {
    let limit = intake.config.rate_limit_per_hour;
    let peer = peer.filter(|_| limit > 0)?;
    let client = client_group(client_address(
        peer,
        headers,
        &intake.config.trusted_proxies,
    ));
    let hour = now.duration_trunc(Duration::hours(1)).ok()?;
    let ends = hour + Duration::hours(1);
    let key = format!("form-rate:{client}:{}", hour.format("%Y%m%d%H"));
    match intake.store.count_hit(&key, now, ends).await {
        Ok(n) if n > limit => {
            tracing::warn!(client = %client, posts = n, limit, "form posts over the hourly limit");
            Some(
                u64::try_from((ends - now).num_seconds())
                    .unwrap_or(0)
                    .max(1),
            )
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the form rate limit could not be counted; the post goes on");
            None
        }
    }
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response<String> {
    let mut r = Response::new(body.to_string());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// What a public form's caller is told: that the submit was taken, its
/// lead's opaque id and whether it was seen before. Not the score (anyone
/// can post a known lead's address) nor whether enrichment was queued (it
/// tells whether the company is known, and would tell a bot caught by the
/// honeypot apart).
fn public_answer(accepted: &crate::Accepted) -> serde_json::Value {
    json!({
        "status": "accepted",
        "lead_id": accepted.lead_id,
        "duplicate": accepted.duplicate,
    })
}

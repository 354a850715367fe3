//! A small HTTP/1.1 fault-injection proxy on 127.0.0.1 in front of moto:
//! per request it either forwards to moto or answers with an injected error,
//! and it counts requests by operation (`X-Amz-Target`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with one request.
#[derive(Debug)]
pub enum Verdict {
    /// Pass it to moto.
    Forward,
    /// Answer with this status, content type and body.
    Respond(u16, &'static str, String),
    /// Pass it to moto, throw moto's answer away and answer as `Respond`
    /// does: a write that lands while its answer is lost (a timeout, a
    /// reset, a 5xx after the commit), which the SDK then sends again.
    ForwardThenRespond(u16, &'static str, String),
}

type Decide = dyn Fn(&str, usize, &str) -> Verdict + Send + Sync;

/// A running proxy.
#[derive(Debug)]
pub struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Proxy {
    /// Starts a proxy to `upstream`; `decide(operation, nth request of that
    /// operation from 0, request body)` picks the verdict.
    pub async fn start(
        upstream: &str,
        decide: impl Fn(&str, usize, &str) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        let upstream: SocketAddr = upstream.trim_start_matches("http://").parse().unwrap();
        assert!(
            upstream.ip().is_loopback(),
            "the proxy only forwards to loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let decide: Arc<Decide> = Arc::new(decide);
        let c = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (c, decide) = (c.clone(), decide.clone());
                tokio::spawn(async move {
                    let _ = handle(client, upstream, c, decide).await;
                });
            }
        });
        Self { endpoint, counts }
    }

    /// Requests seen per operation (forwarded or not).
    pub fn counts(&self) -> BTreeMap<String, usize> {
        self.counts.lock().unwrap().clone()
    }

    /// Requests seen in all.
    pub fn total(&self) -> usize {
        self.counts.lock().unwrap().values().sum()
    }

    /// Forgets the counts.
    pub fn reset(&self) {
        self.counts.lock().unwrap().clear();
    }
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    counts: Arc<Mutex<BTreeMap<String, usize>>>,
    decide: Arc<Decide>,
) -> std::io::Result<()> {
    // Read the head, then the body by Content-Length (the SDKs send one).
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        assert!(buf.len() < 1 << 20, "request head too large");
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = vec![0u8; head_end + length - buf.len()];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let op = header("x-amz-target").unwrap_or_else(|| "other".into());
    let op = op.rsplit('.').next().unwrap_or(&op).to_owned();
    let nth = {
        let mut c = counts.lock().unwrap();
        let e = c.entry(op.clone()).or_insert(0);
        *e += 1;
        *e - 1
    };
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).to_string();
    let verdict = match decide(&op, nth, &body) {
        Verdict::ForwardThenRespond(status, content_type, body) => {
            let _ = forward(&head, head_end, &buf[head_end..head_end + length], upstream).await?;
            Verdict::Respond(status, content_type, body)
        }
        v => v,
    };
    let response = match verdict {
        Verdict::ForwardThenRespond(..) => unreachable!("answered above"),
        Verdict::Respond(status, content_type, body) => format!(
            "HTTP/1.1 {status} Injected\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
        Verdict::Forward => {
            let resp = forward(&head, head_end, &buf[head_end..head_end + length], upstream).await?;
            // Tell the client this connection ends here.
            match resp.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(end) => {
                    let head = String::from_utf8_lossy(&resp[..end]).to_string();
                    let mut out = String::new();
                    for line in head.split("\r\n") {
                        if !line.to_ascii_lowercase().starts_with("connection:") {
                            out.push_str(line);
                            out.push_str("\r\n");
                        }
                    }
                    out.push_str("connection: close\r\n\r\n");
                    let mut bytes = out.into_bytes();
                    bytes.extend_from_slice(&resp[end + 4..]);
                    bytes
                }
                None => resp,
            }
        }
    };
    client.write_all(&response).await?;
    client.shutdown().await
}

/// Sends the request (its head and body) to moto and returns moto's whole
/// answer; one request per upstream connection (moto closes after
/// answering).
async fn forward(
    head: &str,
    head_end: usize,
    body: &[u8],
    upstream: SocketAddr,
) -> std::io::Result<Vec<u8>> {
    let mut rewritten = String::new();
    for line in head[..head_end - 4].split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            rewritten.push_str(line);
            rewritten.push_str("\r\n");
        }
    }
    rewritten.push_str("connection: close\r\n\r\n");
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(rewritten.as_bytes()).await?;
    up.write_all(body).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    Ok(resp)
}

//! A fixture website on 127.0.0.1: a mutable table of routes, served over
//! HTTP/1.1 with `Connection: close`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One response.
#[derive(Debug, Clone)]
pub struct Route {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Wait this long before answering (a slow site).
    pub delay: std::time::Duration,
    /// Answer this route instead when the request's `Cookie` header holds
    /// the `name=value` pair (and so on down, for a route that has one too).
    pub with_cookie: Option<(String, Box<Route>)>,
}

impl Route {
    /// A 200 with a content type.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: std::time::Duration::ZERO,
            with_cookie: None,
        }
    }

    /// A 200 HTML page.
    pub fn html(body: impl Into<Vec<u8>>) -> Self {
        Self::ok("text/html; charset=utf-8", body)
    }

    /// A 200 JSON document.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self::ok("application/json", body)
    }

    /// A response with any status.
    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            ..Self::ok(content_type, body)
        }
    }

    /// Answers after `delay`.
    #[must_use]
    pub fn delayed(mut self, delay: std::time::Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Answers `route` instead to a request carrying the cookie `pair`
    /// (`name=value`).
    #[must_use]
    pub fn with_cookie(mut self, pair: &str, route: Route) -> Self {
        self.with_cookie = Some((pair.into(), Box::new(route)));
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A running fixture site. Unknown paths answer 404.
#[derive(Debug, Clone)]
pub struct Site {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    routes: Arc<Mutex<BTreeMap<String, Route>>>,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Site {
    /// Starts an empty site on a free loopback port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<Mutex<BTreeMap<String, Route>>> = Arc::default();
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, h) = (routes.clone(), hits.clone());
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let (r, h) = (r.clone(), h.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        if buf.len() > 64 * 1024 {
                            return;
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_string();
                    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    h.lock().unwrap().push(target.clone());
                    let route = {
                        let routes = r.lock().unwrap();
                        routes
                            .get(&target)
                            .or_else(|| routes.get(target.split('?').next().unwrap_or("/")))
                            .cloned()
                    }
                    .unwrap_or_else(|| Route::status(404, "text/html", "<h1>Not found</h1>"));
                    let cookie = head
                        .lines()
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case("cookie"))
                        .map(|(_, v)| v.to_owned())
                        .unwrap_or_default();
                    let mut route = route;
                    while let Some((pair, other)) = route.with_cookie.take() {
                        if !cookie.split(';').any(|c| c.trim() == pair) {
                            break;
                        }
                        route = *other;
                    }
                    if !route.delay.is_zero() {
                        tokio::time::sleep(route.delay).await;
                    }
                    let mut out = format!(
                        "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                        route.status,
                        route.body.len()
                    );
                    for (k, v) in &route.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    let _ = sock.write_all(out.as_bytes()).await;
                    let _ = sock.write_all(&route.body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Self { addr, routes, hits }
    }

    /// Sets (or replaces) a route; `path` may include a query.
    pub fn route(&self, path: &str, route: Route) -> &Self {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
        self
    }

    /// Removes a route.
    pub fn remove(&self, path: &str) {
        self.routes.lock().unwrap().remove(path);
    }

    /// `http://HOST:PORT` for a host name that resolves to this site.
    pub fn url(&self, host: &str) -> String {
        format!("http://{host}:{}", self.addr.port())
    }

    /// Request targets seen so far.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

//! The SSRF guard: scheme check, our own DNS resolution through an injected
//! [`Resolver`], and address vetting with [`classify_ip`].

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;
use url::{Host, Url};

use crate::error::PageError;
use crate::ip::classify_ip;

/// Resolves a host name to IP addresses. Injected so tests never need DNS
/// and so every address the fetcher connects to comes from one place.
#[async_trait]
pub trait Resolver: Send + Sync + fmt::Debug {
    /// Resolve `host` (a DNS name, never an IP literal) to addresses.
    async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String>;
}

/// Resolver using the operating system (`getaddrinfo` via tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

#[async_trait]
impl Resolver for SystemResolver {
    async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        let addrs = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|e| e.to_string())?;
        Ok(addrs.map(|a| a.ip()).collect())
    }
}

/// Resolver answering from a fixed map (case-insensitive names). Unknown
/// names fail. Used by tests and for pinning hosts.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    map: HashMap<String, Vec<IpAddr>>,
}

impl StaticResolver {
    /// An empty resolver: every lookup fails.
    pub fn new() -> Self {
        Self::default()
    }

    /// Map `host` to `addrs` (builder style).
    pub fn with(mut self, host: &str, addrs: &[IpAddr]) -> Self {
        self.map.insert(
            host.trim_end_matches('.').to_ascii_lowercase(),
            addrs.to_vec(),
        );
        self
    }
}

#[async_trait]
impl Resolver for StaticResolver {
    async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        self.map
            .get(&host.trim_end_matches('.').to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| format!("no such host: {host}"))
    }
}

/// Which destination addresses are acceptable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Opt-in: allow loopback, private, link-local and other non-public
    /// unicast addresses. For tests and local use only.
    pub allow_private_network: bool,
    /// Exact addresses exempted from the private-network refusal even when
    /// `allow_private_network` is false (e.g. one known internal mirror).
    pub allowed_addresses: Vec<IpAddr>,
}

impl NetworkPolicy {
    /// Whether `ip` is a destination this policy opted in to beyond the
    /// public internet: every address under `allow_private_network`, or one
    /// of `allowed_addresses`. Such a destination may be reached on any
    /// port; a public one only on 80 and 443 ([`WEB_PORTS`]).
    pub fn opted_in(&self, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        self.allow_private_network
            || self
                .allowed_addresses
                .iter()
                .any(|a| a.to_canonical() == canonical)
    }

    /// Check one address: `Ok` if the fetcher may connect to it.
    pub fn check(&self, ip: IpAddr) -> Result<(), PageError> {
        let canonical = ip.to_canonical();
        let class = classify_ip(canonical);
        if class.is_public() {
            return Ok(());
        }
        if class.is_never_connectable() {
            return Err(PageError::BlockedAddress {
                addr: ip,
                reason: class,
            });
        }
        if self.opted_in(ip) {
            return Ok(());
        }
        Err(PageError::BlockedAddress {
            addr: ip,
            reason: class,
        })
    }
}

/// Scheme check + resolution + address vetting. Shared by the pre-request
/// check and by the HTTP client's DNS hook, so the client can only ever
/// connect to addresses this guard returned.
#[derive(Debug, Clone)]
pub struct SsrfGuard {
    resolver: Arc<dyn Resolver>,
    policy: NetworkPolicy,
}

impl SsrfGuard {
    /// A guard resolving through `resolver` and applying `policy`.
    pub fn new(resolver: Arc<dyn Resolver>, policy: NetworkPolicy) -> Self {
        Self { resolver, policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &NetworkPolicy {
        &self.policy
    }

    /// Resolve a DNS name and vet every address. Refuses the whole name if
    /// any address is blocked (a name mixing public and private addresses is
    /// an attack, not a configuration).
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<IpAddr>, PageError> {
        // A DNS name that is really an IP literal never reaches the resolver.
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            self.policy.check(ip)?;
            return Ok(vec![ip]);
        }
        let addrs = self
            .resolver
            .resolve(host)
            .await
            .map_err(|message| PageError::Dns {
                host: host.to_owned(),
                message,
            })?;
        if addrs.is_empty() {
            return Err(PageError::Dns {
                host: host.to_owned(),
                message: "no addresses".to_owned(),
            });
        }
        for ip in &addrs {
            self.policy.check(*ip)?;
        }
        Ok(addrs)
    }

    /// Vet a URL without connecting: scheme must be http(s); an IP-literal
    /// host is classified; a DNS name is resolved and every address vetted.
    /// Returns the vetted socket addresses.
    ///
    /// Also refused: credentials in the URL (the client would send them as
    /// `Authorization`, to whatever host a page or a redirect names), and a
    /// port other than 80 and 443 on any address but the ones the policy
    /// opted in (a redirect or a link to `:6379` would reach another
    /// service of a public host).
    pub async fn vet_url(&self, url: &Url) -> Result<Vec<SocketAddr>, PageError> {
        check_scheme(url)?;
        check_no_credentials(url)?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| PageError::BadUrl(format!("no port for {url}")))?;
        let ips = match url.host() {
            None => return Err(PageError::BadUrl(format!("no host in {url}"))),
            Some(Host::Ipv4(v4)) => {
                self.policy.check(IpAddr::V4(v4))?;
                vec![IpAddr::V4(v4)]
            }
            Some(Host::Ipv6(v6)) => {
                self.policy.check(IpAddr::V6(v6))?;
                vec![IpAddr::V6(v6)]
            }
            Some(Host::Domain(d)) => self.resolve_host(d).await?,
        };
        if !WEB_PORTS.contains(&port) && !ips.iter().all(|ip| self.policy.opted_in(*ip)) {
            return Err(PageError::BlockedPort { port });
        }
        Ok(ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect())
    }
}

/// The ports a public address is reached on.
pub const WEB_PORTS: [u16; 2] = [80, 443];

/// Refuse a URL carrying a user name or password.
pub fn check_no_credentials(url: &Url) -> Result<(), PageError> {
    if url.username().is_empty() && url.password().is_none() {
        Ok(())
    } else {
        Err(PageError::BadUrl(format!(
            "credentials in the URL of {} (never sent)",
            url.host_str().unwrap_or("no host")
        )))
    }
}

/// Refuse any scheme other than http and https.
pub fn check_scheme(url: &Url) -> Result<(), PageError> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(PageError::BadScheme {
            scheme: other.to_owned(),
        }),
    }
}

/// The HTTP client's DNS hook: resolves through the guard, so the client
/// connects only to vetted addresses, re-vetted at connect time (no window
/// for DNS rebinding between our check and the connect).
#[derive(Debug, Clone)]
pub(crate) struct VettedDns {
    pub(crate) guard: Arc<SsrfGuard>,
}

impl reqwest::dns::Resolve for VettedDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.guard.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match guard.resolve_host(&host).await {
                Ok(ips) => {
                    let addrs: reqwest::dns::Addrs =
                        Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
                    Ok(addrs)
                }
                Err(e) => Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(private: bool) -> SsrfGuard {
        let r = StaticResolver::new()
            .with("public.test", &["93.184.216.34".parse().unwrap()])
            .with("meta.test", &["169.254.169.254".parse().unwrap()])
            .with(
                "mixed.test",
                &[
                    "93.184.216.34".parse().unwrap(),
                    "10.0.0.1".parse().unwrap(),
                ],
            );
        SsrfGuard::new(
            Arc::new(r),
            NetworkPolicy {
                allow_private_network: private,
                allowed_addresses: vec![],
            },
        )
    }

    #[tokio::test]
    async fn vets_names_and_literals() {
        let g = guard(false);
        let ok = g
            .vet_url(&Url::parse("https://public.test/x").unwrap())
            .await
            .unwrap();
        assert_eq!(ok, vec!["93.184.216.34:443".parse().unwrap()]);
        for u in ["http://meta.test/", "http://mixed.test/", "http://127.1/"] {
            let e = g.vet_url(&Url::parse(u).unwrap()).await.unwrap_err();
            assert_eq!(e.kind(), "blocked_address", "{u}");
        }
        let e = g
            .vet_url(&Url::parse("ftp://public.test/").unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "bad_scheme");
        let e = g
            .vet_url(&Url::parse("http://nope.test/").unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "dns");
    }

    #[tokio::test]
    async fn private_opt_in_still_refuses_multicast_and_metadata() {
        let g = guard(true);
        assert!(
            g.vet_url(&Url::parse("http://169.254.10.1/").unwrap())
                .await
                .is_ok()
        );
        for u in [
            "http://224.0.0.1/",
            "http://meta.test/",
            "http://169.254.170.2/",
        ] {
            let e = g.vet_url(&Url::parse(u).unwrap()).await.unwrap_err();
            assert_eq!(e.kind(), "blocked_address", "{u}");
        }
    }

    #[test]
    fn allowlist_is_exact() {
        let p = NetworkPolicy {
            allow_private_network: false,
            allowed_addresses: vec!["127.0.0.2".parse().unwrap()],
        };
        assert!(p.check("127.0.0.2".parse().unwrap()).is_ok());
        assert!(p.check("::ffff:127.0.0.2".parse().unwrap()).is_ok());
        assert!(p.check("127.0.0.1".parse().unwrap()).is_err());
    }
}

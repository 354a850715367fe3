//! Domain types: accounts, leads, activities, signals, snapshots and alerts.
//!
//! Identities are normalized values: an [`Account`] is identified by its
//! [`Domain`] (lowercase, IDNA/punycode, no `www.`, no trailing dot) and a
//! [`Lead`] by its [`Email`] (trimmed, lowercase, domain normalized like an
//! account's).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::scoring::{Contribution, Grade, Tier};
use crate::titles;

/// Why a domain or an email address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The value was empty after trimming.
    #[error("empty value")]
    Empty,
    /// The host is not a valid (internationalized) domain name.
    #[error("`{0}` is not a valid domain name")]
    InvalidDomain(String),
    /// The domain has a single label (`localhost`, `intranet`).
    #[error("`{0}` has no top-level domain")]
    NoTld(String),
    /// The address does not have exactly one `@` with text on both sides.
    #[error("`{0}` is not an email address")]
    InvalidEmail(String),
}

/// A normalized company domain: the identity of an [`Account`].
///
/// Accepts a bare domain, a URL (`https://www.Example.com/pricing`), or a host
/// with a port; keeps only the host, lowercased and IDNA-encoded, without a
/// leading `www.` or a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    /// Normalizes `input` into a domain.
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IdentityError::Empty);
        }
        // Strip a scheme, userinfo, path, query, fragment and port.
        let without_scheme = match trimmed.find("://") {
            Some(pos) => &trimmed[pos + 3..],
            None => trimmed,
        };
        // A backslash ends the host too, as in a URL parser's reading of an
        // http(s) URL (`https://a.example\@b.com` is a URL of a.example).
        let host_port = without_scheme
            .split(['/', '\\', '?', '#'])
            .next()
            .unwrap_or_default();
        let host_port = host_port.rsplit('@').next().unwrap_or_default();
        let host = match host_port.rfind(':') {
            Some(pos) if host_port[pos + 1..].chars().all(|c| c.is_ascii_digit()) => {
                &host_port[..pos]
            }
            _ => host_port,
        };
        let host = host.trim_end_matches('.');
        if host.is_empty() {
            return Err(IdentityError::InvalidDomain(trimmed.to_owned()));
        }
        let ascii = idna::domain_to_ascii(host)
            .map_err(|_| IdentityError::InvalidDomain(trimmed.to_owned()))?;
        let ascii = ascii.strip_prefix("www.").unwrap_or(&ascii).to_owned();
        let valid_labels = ascii.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        if !valid_labels || ascii.len() > 253 {
            return Err(IdentityError::InvalidDomain(trimmed.to_owned()));
        }
        if !ascii.contains('.') {
            return Err(IdentityError::NoTld(trimmed.to_owned()));
        }
        // A URL reads a host whose last label is a number as an IPv4
        // address: `999.1.1.1` and `foo.127.1` are no domains (as
        // `example.123` is none), and a crawl of one would go to an
        // address. One a URL reads as an address (`10.0.0.5`, `10.1`) is
        // kept, for callers to refuse it as an address, by name.
        let last = ascii.rsplit('.').next().unwrap_or_default();
        let numeric = last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        if numeric && !matches!(url::Host::parse(&ascii), Ok(url::Host::Ipv4(_))) {
            return Err(IdentityError::InvalidDomain(trimmed.to_owned()));
        }
        Ok(Self(ascii))
    }

    /// The normalized domain as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registrable domain this one is in, by the Public Suffix List
    /// (its private section too): `eu.acme.com` → `acme.com`,
    /// `mail.acme.co.uk` → `acme.co.uk`, `acme.github.io` stays, as a site
    /// of its own on a shared host. The identity of an account: people
    /// write from `us.acme.com` and `acme.com` for one company, and the
    /// company's website is the registrable domain's. An IP address, and a
    /// domain that is itself a public suffix, stay as they are.
    pub fn registrable(&self) -> Domain {
        // (An address stays as it is: see `is_address`.)
        if self.0.parse::<std::net::IpAddr>().is_ok() {
            return self.clone();
        }
        match psl::domain_str(&self.0) {
            // A host where each company has a subdomain of its own, missing
            // from the list: a company's tenant is its account, one label
            // deeper (`acme.onmicrosoft.com`, not all of onmicrosoft.com).
            Some(d) if TENANT_HOSTS.contains(&d) && d.len() < self.0.len() => {
                let deeper = self.0.len() - d.len() - 1;
                match self.0[..deeper].rfind('.') {
                    Some(dot) => Domain(self.0[dot + 1..].to_owned()),
                    None => self.clone(),
                }
            }
            Some(d) if d.len() < self.0.len() => Domain(d.to_owned()),
            _ => self.clone(),
        }
    }
}

impl Domain {
    /// Whether this is an IP address as a URL reads one (`10.1` and
    /// `0x7f.0.0.1` are addresses to a browser), not a company's domain:
    /// an account, a form's website or a leads file's website must not be
    /// one.
    pub fn is_address(&self) -> bool {
        matches!(
            url::Host::parse(&self.0),
            Ok(url::Host::Ipv4(_) | url::Host::Ipv6(_))
        )
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Domain {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Domain {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Domain> for String {
    fn from(value: Domain) -> Self {
        value.0
    }
}

/// Hosts on which every company has a subdomain of its own (a tenant) and
/// that the Public Suffix List does not list: Microsoft 365's default
/// addresses (`jo@acme.onmicrosoft.com`).
const TENANT_HOSTS: [&str; 1] = ["onmicrosoft.com"];

/// A normalized email address: the identity of a [`Lead`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    full: String,
    /// Where the `@` is.
    at: u32,
    /// Whether the domain is a free-mail provider's, found once at parse
    /// time (scoring reads it for every lead).
    free_mail: bool,
}

/// Zero-width and bidirectional formatting characters, and the byte-order
/// mark: invisible in a name or an address, able to disguise one (two
/// addresses that look the same, a right-to-left override in a name).
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        || is_bidi_control(c)
}

/// A direction embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069): text after it shows in another direction, so a name or
/// an address reads as another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl Email {
    /// Trims `input`, lowercases its local part and puts it in Unicode
    /// normal form C, and normalizes its domain part (IDNA).
    pub fn parse(input: &str) -> Result<Self, IdentityError> {
        // A `mailto:` link's address, in any case (`MAILTO:` from a CRM).
        let trimmed = input.trim();
        let trimmed = match trimmed.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("mailto:") => trimmed[7..].trim(),
            _ => trimmed,
        };
        if trimmed.is_empty() {
            return Err(IdentityError::Empty);
        }
        let (local, domain) = trimmed
            .rsplit_once('@')
            .ok_or_else(|| IdentityError::InvalidEmail(trimmed.to_owned()))?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['@', ' ', '<', '>', ',', ';', '"'])
            && !local.chars().any(|c| c.is_control() || is_invisible(c));
        if !local_ok {
            return Err(IdentityError::InvalidEmail(trimmed.to_owned()));
        }
        if domain.contains(['/', ':', '?', '#', '@']) {
            return Err(IdentityError::InvalidEmail(trimmed.to_owned()));
        }
        let domain = Domain::parse(domain).map_err(|e| match e {
            IdentityError::Empty => IdentityError::InvalidEmail(trimmed.to_owned()),
            other => other,
        })?;
        // Lowercased, then in Unicode normal form C (as RFC 6532 asks of
        // internationalized addresses): an `é` typed as one code point and
        // one sent as `e` plus a combining accent are one address.
        let local = icu_normalizer::ComposingNormalizerBorrowed::new_nfc()
            .normalize(&local.to_lowercase())
            .into_owned();
        let full = format!("{local}@{}", domain.as_str());
        Ok(Self {
            // At most 64 characters of at most 4 bytes each (lowercasing
            // can lengthen a few).
            at: u32::try_from(local.len())
                .map_err(|_| IdentityError::InvalidEmail(trimmed.to_owned()))?,
            free_mail: is_free_mail(domain.as_str()),
            full,
        })
    }

    /// The whole normalized address.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// A `mailto:` URI of the address (RFC 6068): every byte but letters,
    /// digits, `@` and the characters RFC 6068 leaves as they are is
    /// percent-encoded. A local part such as `a%40evil.example?x=` would
    /// otherwise address a mail client's message elsewhere (`%40` is `@`
    /// there, `?` starts headers).
    pub fn mailto(&self) -> String {
        let mut out = String::with_capacity(self.full.len() + 8);
        out.push_str("mailto:");
        for b in self.full.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~!$'()*+,;:@".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    /// The normalized domain part.
    pub fn domain(&self) -> Domain {
        Domain(self.full[self.at as usize + 1..].to_owned())
    }

    /// Whether the domain is a free-mail or consumer provider
    /// (see [`is_free_mail`]).
    pub fn is_free_mail(&self) -> bool {
        self.free_mail
    }

    /// Why this address cannot be a new lead's, if it cannot: its domain is
    /// an IP address (`jo@203.0.113.9`, whose account would be the address
    /// and crawled) or a public suffix (`jo@co.uk`), which no company
    /// owns. Checked where leads come in (a form, an import), not when an
    /// address is read back.
    pub fn lead_problem(&self) -> Option<String> {
        let domain = self.domain();
        if domain.is_address() {
            return Some(format!(
                "`{domain}` is an IP address, not a company's domain"
            ));
        }
        if psl::domain_str(domain.as_str()).is_none() {
            return Some(format!(
                "`{domain}` is a public suffix, not a company's domain"
            ));
        }
        None
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl FromStr for Email {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = IdentityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.full
    }
}

/// The shipped list of free-mail and consumer email providers, one domain per
/// line (`data/freemail.txt`).
pub const FREE_MAIL_DOMAINS: &str = include_str!("../../../data/freemail.txt");

/// A fixed-key hash: the set is read-only, so it needs no protection from
/// chosen keys, and SipHash was a tenth of a lead's scoring instructions.
static FREE_MAIL: std::sync::LazyLock<
    std::collections::HashSet<&'static str, foldhash::fast::FixedState>,
> = std::sync::LazyLock::new(|| {
    FREE_MAIL_DOMAINS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `domain` (already normalized) belongs to a free-mail provider.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(domain)
}

/// The shipped list of sites where many people and companies have a page
/// under one domain (`data/shared-hosts.txt`: linkedin.com, facebook.com,
/// github.com...).
pub const SHARED_HOSTS: &str = include_str!("../../../data/shared-hosts.txt");

static SHARED: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        SHARED_HOSTS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });

impl Domain {
    /// Whether this domain can be a company's own site: not a free-mail
    /// provider nor a site where many have a page ([`SHARED_HOSTS`]). A
    /// lead's typed website that is neither is no account: `gmail.com` or
    /// `linkedin.com/in/joe` would gather unrelated people into one account
    /// and crawl a provider's site.
    pub fn is_company_site(&self) -> bool {
        // The host as typed (`sites.google.com`) and the registrable domain
        // it is in (`uk.linkedin.com` is linkedin.com's).
        let registrable = self.registrable();
        [self.as_str(), registrable.as_str()]
            .iter()
            .all(|d| !is_free_mail(d) && !SHARED.contains(*d))
    }
}

/// Firmographic attributes of an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Firmographics {
    /// Industry label as given by the source (free text, matched by rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Number of employees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u64>,
    /// Annual revenue in the account's reporting currency units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    /// Country (ISO 3166 alpha-2 code or name, as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Any other attribute, matched by rules as `account = "attributes.KEY"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Firmographics {
    /// The fields that have a value, by name (`industry`, `employees`,
    /// `revenue`, `country`, `attributes.KEY`), with the value as text.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(v) = &self.industry {
            out.push(("industry".to_owned(), v.clone()));
        }
        if let Some(v) = self.employees {
            out.push(("employees".to_owned(), v.to_string()));
        }
        if let Some(v) = self.revenue {
            out.push(("revenue".to_owned(), v.to_string()));
        }
        if let Some(v) = &self.country {
            out.push(("country".to_owned(), v.clone()));
        }
        for (k, v) in &self.attributes {
            out.push((format!("attributes.{k}"), v.clone()));
        }
        out
    }

    /// Overwrites fields with the values that `newer` has.
    pub fn merge_from(&mut self, newer: &Firmographics) {
        if newer.industry.is_some() {
            self.industry.clone_from(&newer.industry);
        }
        if newer.employees.is_some() {
            self.employees = newer.employees;
        }
        if newer.revenue.is_some() {
            self.revenue = newer.revenue;
        }
        if newer.country.is_some() {
            self.country.clone_from(&newer.country);
        }
        for (k, v) in &newer.attributes {
            self.attributes.insert(k.clone(), v.clone());
        }
    }
}

/// A company, identified by its normalized domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Identity.
    pub domain: Domain,
    /// Display name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Firmographic attributes.
    #[serde(default)]
    pub firmographics: Firmographics,
    /// When the last enrichment snapshot was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enriched_at: Option<DateTime<Utc>>,
    /// Last change of this record.
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// A new account with no attributes.
    pub fn new(domain: Domain, now: DateTime<Utc>) -> Self {
        Self {
            domain,
            name: None,
            firmographics: Firmographics::default(),
            enriched_at: None,
            updated_at: now,
        }
    }
}

/// Seniority levels derived from a job title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    /// Chief officers, founders, presidents, owners.
    CLevel,
    /// Vice presidents.
    Vp,
    /// Heads of a function.
    Head,
    /// Directors.
    Director,
    /// Managers and team leads.
    Manager,
    /// Senior, staff and principal individual contributors.
    Senior,
    /// Individual contributors.
    Ic,
    /// Interns, trainees, working students.
    Intern,
}

impl Seniority {
    /// Every level, in declaration order (a level's position is `level as
    /// usize`).
    pub const ALL: [Self; 8] = [
        Self::CLevel,
        Self::Vp,
        Self::Head,
        Self::Director,
        Self::Manager,
        Self::Senior,
        Self::Ic,
        Self::Intern,
    ];

    /// The snake_case name used in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CLevel => "c_level",
            Self::Vp => "vp",
            Self::Head => "head",
            Self::Director => "director",
            Self::Manager => "manager",
            Self::Senior => "senior",
            Self::Ic => "ic",
            Self::Intern => "intern",
        }
    }
}

/// Departments derived from a job title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    /// Sales and business development.
    Sales,
    /// Marketing and growth.
    Marketing,
    /// Software and hardware engineering.
    Engineering,
    /// Product management.
    Product,
    /// Design and UX.
    Design,
    /// Customer success and support.
    CustomerSuccess,
    /// Operations (incl. revenue operations).
    Operations,
    /// Finance and accounting.
    Finance,
    /// People, HR and recruiting.
    People,
    /// Legal and compliance.
    Legal,
    /// Data and analytics.
    Data,
    /// Anything else.
    Other,
}

impl Department {
    /// Every department, in declaration order (a department's position is
    /// `department as usize`).
    pub const ALL: [Self; 12] = [
        Self::Sales,
        Self::Marketing,
        Self::Engineering,
        Self::Product,
        Self::Design,
        Self::CustomerSuccess,
        Self::Operations,
        Self::Finance,
        Self::People,
        Self::Legal,
        Self::Data,
        Self::Other,
    ];

    /// The snake_case name used in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sales => "sales",
            Self::Marketing => "marketing",
            Self::Engineering => "engineering",
            Self::Product => "product",
            Self::Design => "design",
            Self::CustomerSuccess => "customer_success",
            Self::Operations => "operations",
            Self::Finance => "finance",
            Self::People => "people",
            Self::Legal => "legal",
            Self::Data => "data",
            Self::Other => "other",
        }
    }
}

/// A person at an account, identified by a normalized email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    /// Identity.
    pub email: Email,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Job title as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Seniority derived from the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<Seniority>,
    /// Department derived from the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Department>,
    /// The account: the registrable domain of the email's domain, or of the
    /// website's when the email is a free-mail address
    /// ([`Domain::registrable`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Domain>,
    /// Owner (a sales rep's email or name), used to route alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free attributes, matched by rules as `lead = "attributes.KEY"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// First time this lead was seen.
    pub created_at: DateTime<Utc>,
    /// Last change of this record.
    pub updated_at: DateTime<Utc>,
}

impl Lead {
    /// A lead with its account derived from the email (or `website` when the
    /// email is a free-mail address and the website a company's own site,
    /// see [`Domain::is_company_site`]): the registrable domain of either
    /// (`jo@eu.acme.com` is acme.com's).
    pub fn new(email: Email, website: Option<&Domain>, now: DateTime<Utc>) -> Self {
        let account = if email.is_free_mail() {
            website
                .filter(|w| w.is_company_site())
                .map(Domain::registrable)
        } else {
            Some(email.domain().registrable())
        };
        Self {
            email,
            first_name: None,
            last_name: None,
            title: None,
            seniority: None,
            department: None,
            account,
            owner: None,
            attributes: BTreeMap::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// Sets the title and derives seniority and department from it.
    pub fn set_title(&mut self, title: Option<String>) {
        let classified = title.as_deref().map(titles::classify);
        self.seniority = classified.and_then(|c| c.seniority);
        self.department = classified.and_then(|c| c.department);
        self.title = title;
    }

    /// Overwrites fields with the values that `newer` has (attributes key
    /// by key; seniority and department with the title they come from), as
    /// [`Firmographics::merge_from`] does; identity and times stay.
    pub fn merge_from(&mut self, newer: &Lead) {
        if newer.first_name.is_some() {
            self.first_name.clone_from(&newer.first_name);
        }
        if newer.last_name.is_some() {
            self.last_name.clone_from(&newer.last_name);
        }
        if newer.title.is_some() {
            self.title.clone_from(&newer.title);
            self.seniority = newer.seniority;
            self.department = newer.department;
        }
        if newer.account.is_some() {
            self.account.clone_from(&newer.account);
        }
        if newer.owner.is_some() {
            self.owner.clone_from(&newer.owner);
        }
        for (k, v) in &newer.attributes {
            self.attributes.insert(k.clone(), v.clone());
        }
    }

    /// Display name: "First Last", or the email.
    pub fn display_name(&self) -> String {
        match (&self.first_name, &self.last_name) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(n), None) | (None, Some(n)) => n.clone(),
            (None, None) => self.email.to_string(),
        }
    }
}

/// What a lead did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityKind {
    /// Submitted a web form.
    FormSubmitted,
    /// Viewed a page of our website.
    PageViewed {
        /// The page path, e.g. `/pricing`.
        path: String,
    },
    /// Opened a marketing email.
    EmailOpened,
    /// Clicked a link in a marketing email.
    EmailClicked,
    /// Attended a webinar.
    WebinarAttended,
    /// Downloaded gated content.
    ContentDownloaded,
    /// Booked a meeting.
    MeetingBooked,
    /// Unsubscribed from emails.
    Unsubscribed,
    /// An email to the lead bounced.
    EmailBounced,
    /// Any other kind, matched by rules by its name.
    Custom {
        /// The kind's name (lowercase snake_case).
        name: String,
    },
}

impl ActivityKind {
    /// The kind's name as used in data files and rules.
    pub fn name(&self) -> &str {
        match self {
            Self::FormSubmitted => "form_submitted",
            Self::PageViewed { .. } => "page_viewed",
            Self::EmailOpened => "email_opened",
            Self::EmailClicked => "email_clicked",
            Self::WebinarAttended => "webinar_attended",
            Self::ContentDownloaded => "content_downloaded",
            Self::MeetingBooked => "meeting_booked",
            Self::Unsubscribed => "unsubscribed",
            Self::EmailBounced => "email_bounced",
            Self::Custom { name } => name,
        }
    }

    /// Builds a kind from its name; `page_viewed` needs a path.
    pub fn from_name(name: &str, path: Option<&str>) -> Result<Self, String> {
        let mut name = name.trim().to_lowercase();
        // A kind written as a label (`Page Viewed`, `email-opened`,
        // `Visit Webpage`): its words joined by `_`, as headers are.
        if name.contains([' ', '-'])
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        {
            name = name
                .split([' ', '-'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("_");
        }
        Ok(match name.as_str() {
            "form_submitted" => Self::FormSubmitted,
            "page_viewed" => Self::PageViewed {
                path: path
                    .filter(|p| !p.trim().is_empty())
                    .ok_or("page_viewed needs a path")?
                    .trim()
                    .to_owned(),
            },
            "email_opened" => Self::EmailOpened,
            "email_clicked" => Self::EmailClicked,
            "webinar_attended" => Self::WebinarAttended,
            "content_downloaded" => Self::ContentDownloaded,
            "meeting_booked" => Self::MeetingBooked,
            "unsubscribed" => Self::Unsubscribed,
            "email_bounced" => Self::EmailBounced,
            "" => return Err("empty activity kind".into()),
            other => {
                if !other
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
                {
                    // `Page Viewed`, `email-opened`: a built-in kind spelled
                    // as a label.
                    let snake = other.replace([' ', '-'], "_");
                    let hint = Self::BUILT_IN
                        .iter()
                        .find(|k| **k == snake)
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "custom activity kind `{other}` must be snake_case (a-z, 0-9, _ and .){hint}"
                    ));
                }
                Self::Custom { name: other.into() }
            }
        })
    }

    /// Position of a built-in kind in [`Self::BUILT_IN`]; `None` for custom
    /// kinds. Lets rules test kinds with a bitmask instead of strings.
    pub fn builtin_index(&self) -> Option<u32> {
        Some(match self {
            Self::FormSubmitted => 0,
            Self::PageViewed { .. } => 1,
            Self::EmailOpened => 2,
            Self::EmailClicked => 3,
            Self::WebinarAttended => 4,
            Self::ContentDownloaded => 5,
            Self::MeetingBooked => 6,
            Self::Unsubscribed => 7,
            Self::EmailBounced => 8,
            Self::Custom { .. } => return None,
        })
    }

    /// The built-in kind a custom kind's name likely stands for: another
    /// system's name for it (`pageview`, `email_open`, `form_fill`,
    /// `hard_bounce`) or a typo within two edits (`webinar_atended`).
    pub fn likely_meant(name: &str) -> Option<&'static str> {
        const SYNONYMS: &[(&str, &[&str])] = &[
            (
                "page_viewed",
                &[
                    "pageview",
                    "pageviews",
                    "page_view",
                    "page_views",
                    "page_visit",
                    "page_visited",
                    "visit",
                    "web_visit",
                ],
            ),
            (
                "email_opened",
                &["email_open", "email_opens", "open", "opened", "opens"],
            ),
            (
                "email_clicked",
                &[
                    "email_click",
                    "email_clicks",
                    "click",
                    "clicked",
                    "clicks",
                    "link_clicked",
                ],
            ),
            (
                "form_submitted",
                &[
                    "form_submit",
                    "form_submission",
                    "form_submissions",
                    "form_fill",
                    "form_filled",
                    "submission",
                ],
            ),
            (
                "webinar_attended",
                &[
                    "webinar",
                    "webinar_attendance",
                    "attended_webinar",
                    "webinar_attendee",
                ],
            ),
            (
                "content_downloaded",
                &[
                    "download",
                    "downloaded",
                    "content_download",
                    "asset_download",
                    "ebook_download",
                    "whitepaper_download",
                ],
            ),
            (
                "meeting_booked",
                &["meeting", "meeting_scheduled", "meeting_set", "demo_booked"],
            ),
            (
                "unsubscribed",
                &["unsubscribe", "unsubscribes", "opt_out", "opted_out"],
            ),
            (
                "email_bounced",
                &[
                    "bounce",
                    "bounced",
                    "hard_bounce",
                    "soft_bounce",
                    "email_bounce",
                ],
            ),
        ];
        let name = name.trim().to_ascii_lowercase();
        SYNONYMS
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
            .map(|(kind, _)| *kind)
            .or_else(|| crate::model::nearest(&name, &Self::BUILT_IN))
    }

    /// The names of the built-in kinds.
    pub const BUILT_IN: [&'static str; 9] = [
        "form_submitted",
        "page_viewed",
        "email_opened",
        "email_clicked",
        "webinar_attended",
        "content_downloaded",
        "meeting_booked",
        "unsubscribed",
        "email_bounced",
    ];
}

/// Stable identity of an activity: given by the source or derived from its
/// content, so that importing the same activity twice stores it once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityId(pub String);

/// Something a lead did, at a point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Identity (idempotency key).
    pub id: ActivityId,
    /// Whose activity it is.
    pub lead: Email,
    /// What happened.
    #[serde(flatten)]
    pub kind: ActivityKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// A link to where it happened (page, asset, webinar), shown as evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A free-text detail (asset name, campaign), shown as evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Activity {
    /// An activity whose id is derived from its content.
    pub fn new(lead: Email, kind: ActivityKind, occurred_at: DateTime<Utc>) -> Self {
        let mut a = Self {
            id: ActivityId(String::new()),
            lead,
            kind,
            occurred_at,
            url: None,
            detail: None,
        };
        a.id = a.derived_id();
        a
    }

    /// The id derived from the activity's content: a hash of its lead,
    /// kind, path and time, and of its URL and detail when it has them (two
    /// downloads of different assets on one day are two activities; an
    /// activity without either keeps the id it had before they counted).
    pub fn derived_id(&self) -> ActivityId {
        let mut h = Sha256::new();
        h.update(self.lead.as_str().as_bytes());
        h.update([0]);
        h.update(self.kind.name().as_bytes());
        h.update([0]);
        if let ActivityKind::PageViewed { path } = &self.kind {
            h.update(path.as_bytes());
        }
        h.update([0]);
        h.update(
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Millis, true)
                .as_bytes(),
        );
        for (tag, v) in [(b'u', &self.url), (b'd', &self.detail)] {
            if let Some(v) = v {
                h.update([0, tag]);
                h.update(v.as_bytes());
            }
        }
        ActivityId(hex(&h.finalize()[..12]))
    }

    /// The text a rule matches against: the path of a page view, else the
    /// detail, else the URL.
    pub fn subject(&self) -> Option<&str> {
        match &self.kind {
            ActivityKind::PageViewed { path } => Some(path),
            _ => self.detail.as_deref().or(self.url.as_deref()),
        }
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Where a fact came from: shown in explanations and alerts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evidence {
    /// Human-readable snippet: the matched text, a job title, a headline.
    pub text: String,
    /// A link to the source (page, job post, article).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The value of a [`Signal`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignalValue {
    /// A yes/no fact.
    Flag(bool),
    /// A count or an amount.
    Number(f64),
    /// A name (a technology, a round).
    Text(String),
}

/// A fact about an account found by enrichment, e.g. `tech = "HubSpot"`,
/// `hiring.sales_roles = 3`, `funding.round = "series_b"`.
///
/// The catalogue of names that the enrichers emit is in `docs/signals.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Dotted name.
    pub name: String,
    /// Value.
    pub value: SignalValue,
    /// When the fact was true (for news: the announcement date), used for
    /// decay and expiry.
    pub observed_at: DateTime<Utc>,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

impl Signal {
    /// A signal with no evidence.
    pub fn new(name: impl Into<String>, value: SignalValue, observed_at: DateTime<Utc>) -> Self {
        Self {
            name: name.into(),
            value,
            observed_at,
            evidence: None,
        }
    }

    /// Adds evidence.
    #[must_use]
    pub fn with_evidence(mut self, text: impl Into<String>, url: Option<String>) -> Self {
        self.evidence = Some(Evidence {
            text: text.into(),
            url,
        });
        self
    }
}

/// The result of one enrichment run of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentSnapshot {
    /// The account.
    pub domain: Domain,
    /// When the run finished.
    pub enriched_at: DateTime<Utc>,
    /// Signals for scoring.
    pub signals: Vec<Signal>,
    /// Enricher-specific details (pages, technologies, roles, articles).
    #[serde(default)]
    pub details: serde_json::Value,
    /// Per-page or per-source errors that did not stop the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// What kind of threshold crossing an alert reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The lead crossed the hot threshold upwards.
    BecameHot,
    /// The lead fell below the hot threshold minus the hysteresis margin.
    Cooled,
}

impl AlertKind {
    /// The EventBridge detail-type of this alert.
    pub fn detail_type(self) -> &'static str {
        match self {
            Self::BecameHot => "Lead Became Hot",
            Self::Cooled => "Lead Cooled",
        }
    }
}

/// A pending notification, written in the same transaction as the score that
/// caused it (the outbox pattern), drained by a publisher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Idempotency key: the same crossing always has the same id, so a
    /// redelivery can be dropped by the receiver.
    pub id: String,
    /// Crossing kind.
    pub kind: AlertKind,
    /// The lead.
    pub lead: Email,
    /// Lead display name.
    pub lead_name: String,
    /// Lead title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Lead owner, to route email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Domain>,
    /// The account's name, when known (a leads file's `company`, an
    /// accounts file's `name`): what people call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// New total score.
    pub score: f64,
    /// Previous total score, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_score: Option<f64>,
    /// New tier.
    pub tier: Tier,
    /// New grade.
    pub grade: Grade,
    /// The score's top reasons, ranked ([`crate::Score::ranked_reasons`]:
    /// a disqualifying rule first, then the largest points), with evidence.
    pub reasons: Vec<Contribution>,
    /// Model version that produced the score.
    pub model_version: String,
    /// Score record version that caused the alert.
    pub score_version: u64,
    /// When the crossing happened.
    pub created_at: DateTime<Utc>,
}

impl Alert {
    /// The deterministic idempotency key of a crossing: lead, kind and the
    /// score version that caused it.
    pub fn key(lead: &Email, kind: AlertKind, score_version: u64) -> String {
        let mut h = Sha256::new();
        h.update(lead.as_str().as_bytes());
        h.update([0]);
        h.update(kind.detail_type().as_bytes());
        h.update([0]);
        h.update(score_version.to_be_bytes());
        hex(&h.finalize()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalized() {
        for (input, want) in [
            ("Example.COM", "example.com"),
            ("www.example.com", "example.com"),
            ("https://www.Example.com/pricing?x=1", "example.com"),
            ("http://user@example.com:8080/", "example.com"),
            ("example.com.", "example.com"),
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("https://WWW.Bücher.example/", "xn--bcher-kva.example"),
            ("sub.example.co.uk", "sub.example.co.uk"),
            // The host a URL parser reads: a backslash ends it.
            ("https://other.example\\@acme.com/", "other.example"),
            ("acme.com\\path", "acme.com"),
        ] {
            assert_eq!(Domain::parse(input).unwrap().as_str(), want, "{input}");
        }
        for bad in [
            "",
            "  ",
            "localhost",
            "exa mple.com",
            "-bad.com",
            "http://",
            "a..b",
            // A URL reads these as (invalid) IPv4 addresses, whose last
            // labels would make one: `999.1.1.1`'s "registrable" `1.1` is
            // 1.0.0.1.
            "999.1.1.1",
            "foo.127.1",
            "example.123",
            "acme.0x7f",
        ] {
            assert!(Domain::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        // Addresses stay parseable, for callers to refuse them by name.
        for address in ["10.0.0.5", "10.1", "0x7f.0.0.1"] {
            assert!(Domain::parse(address).is_ok(), "{address}");
        }
    }

    #[test]
    fn emails_are_normalized() {
        let e = Email::parse("  Jane.Doe@WWW.Example.COM ").unwrap();
        assert_eq!(e.as_str(), "jane.doe@example.com");
        assert_eq!(e.domain().as_str(), "example.com");
        assert!(!e.is_free_mail());
        assert!(Email::parse("jane@gmail.com").unwrap().is_free_mail());
        // No lead's address: an IP address or a public suffix for a domain.
        for (e, why) in [
            ("jo@203.0.113.9", "IP address"),
            ("jo@0x7f.1", "IP address"),
            ("jo@co.uk", "public suffix"),
            ("jo@github.io", "public suffix"),
        ] {
            let problem = Email::parse(e).unwrap().lead_problem();
            assert!(
                problem.as_deref().is_some_and(|p| p.contains(why)),
                "{e}: {problem:?}"
            );
        }
        for e in [
            "jo@acme.co.uk",
            "jo@acme.github.io",
            "jo@acme.test",
            "jane@gmail.com",
        ] {
            assert_eq!(Email::parse(e).unwrap().lead_problem(), None, "{e}");
        }
        // Privacy and relay addresses are a person's, not a company's.
        for d in [
            "duck.com",
            "privaterelay.appleid.com",
            "protonmail.ch",
            "fastmail.fm",
            "posteo.de",
            "mailbox.org",
            "tutanota.de",
        ] {
            assert!(
                Email::parse(&format!("x@{d}")).unwrap().is_free_mail(),
                "{d}"
            );
        }
        // Read back from stored text, an address is parsed again, and its
        // free-mail flag found again.
        let stored: Email = serde_json::from_str(r#""Jane@GMail.com""#).unwrap();
        assert!(stored.is_free_mail());
        assert_eq!(stored, Email::parse("jane@gmail.com").unwrap());
        // One address however its accents are encoded: composed, decomposed
        // (e + U+0301), upper case, and an IDN domain in either form.
        let composed = Email::parse("ren\u{e9}@b\u{fc}cher.de").unwrap();
        for same in [
            "rene\u{301}@bu\u{308}cher.de",
            "REN\u{c9}@xn--bcher-kva.de",
            "RENE\u{301}@B\u{dc}CHER.DE",
        ] {
            assert_eq!(Email::parse(same).unwrap(), composed, "{same:?}");
        }
        assert_eq!(composed.as_str(), "ren\u{e9}@xn--bcher-kva.de");
        for bad in [
            "jane",
            "@example.com",
            "jane@",
            "ja ne@example.com",
            "jane@localhost",
            // Invisible: two addresses that would look the same.
            "ja\u{200B}ne@example.com",
            "jane\u{202E}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn an_account_is_the_registrable_domain() {
        for (host, want) in [
            ("eu.acme.com", "acme.com"),
            ("acme.com", "acme.com"),
            ("mail.acme.co.uk", "acme.co.uk"),
            ("cs.stanford.edu", "stanford.edu"),
            // A site of its own on a shared host (the list's private part).
            ("acme.github.io", "acme.github.io"),
            ("shop.acme.myshopify.com", "acme.myshopify.com"),
            // Not in the list: the last two labels, as for any unknown TLD.
            ("x.meridian-ledger.example", "meridian-ledger.example"),
            // Left as they are.
            ("github.io", "github.io"),
            ("acme.onmicrosoft.com", "acme.onmicrosoft.com"),
            ("mail.acme.onmicrosoft.com", "acme.onmicrosoft.com"),
            ("onmicrosoft.com", "onmicrosoft.com"),
            ("co.uk", "co.uk"),
            ("127.0.0.1", "127.0.0.1"),
            ("10.1.2.3", "10.1.2.3"),
        ] {
            let d = Domain::parse(host).unwrap();
            assert_eq!(d.registrable().as_str(), want, "{host}");
        }
        let now = Utc::now();
        let lead = |email: &str, website: Option<&str>| {
            let w = website.map(|w| Domain::parse(w).unwrap());
            Lead::new(Email::parse(email).unwrap(), w.as_ref(), now)
                .account
                .map(|d| d.to_string())
        };
        assert_eq!(lead("jo@eu.acme.com", None).as_deref(), Some("acme.com"));
        assert_eq!(
            lead("jo@gmail.com", Some("https://shop.acme.co.uk/")).as_deref(),
            Some("acme.co.uk")
        );
        // A shared site under a subdomain is still no company's.
        for shared in ["uk.linkedin.com/in/jo", "sites.google.com/view/jo"] {
            assert_eq!(lead("jo@gmail.com", Some(shared)), None, "{shared}");
        }
    }

    #[test]
    fn lead_account_comes_from_email_unless_free_mail() {
        let now = Utc::now();
        let site = Domain::parse("acme.io").unwrap();
        let work = Lead::new(Email::parse("a@corp.com").unwrap(), Some(&site), now);
        assert_eq!(work.account.unwrap().as_str(), "corp.com");
        let free = Lead::new(Email::parse("a@gmail.com").unwrap(), Some(&site), now);
        assert_eq!(free.account.unwrap().as_str(), "acme.io");
        let none = Lead::new(Email::parse("a@yahoo.com").unwrap(), None, now);
        assert!(none.account.is_none());
        // A typed website that is a provider or a shared site is no
        // account (it gathered unrelated people into one).
        for website in ["gmail.com", "https://www.linkedin.com/in/joe", "yahoo.ca"] {
            let w = Domain::parse(website).unwrap();
            assert!(!w.is_company_site(), "{website}");
            let lead = Lead::new(Email::parse("joe@gmail.com").unwrap(), Some(&w), now);
            assert!(lead.account.is_none(), "{website}");
        }
        assert!(
            Domain::parse("joesbakery.wixsite.com")
                .unwrap()
                .is_company_site()
        );
    }

    #[test]
    fn mailto_uris_encode_what_a_mail_client_would_read() {
        let plain = Email::parse("dana.reyes+web@northwind.io").unwrap();
        assert_eq!(plain.mailto(), "mailto:dana.reyes+web@northwind.io");
        let hostile = Email::parse("attacker%40evil.com?x=@acme.com").unwrap();
        assert_eq!(
            hostile.mailto(),
            "mailto:attacker%2540evil.com%3Fx%3D@acme.com"
        );
        let bar = Email::parse("a|b@acme.com").unwrap();
        assert_eq!(bar.mailto(), "mailto:a%7Cb@acme.com");
    }

    #[test]
    fn activity_ids_are_stable_and_distinct() {
        let lead = Email::parse("a@corp.com").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = Activity::new(lead.clone(), ActivityKind::EmailOpened, at);
        let b = Activity::new(lead.clone(), ActivityKind::EmailOpened, at);
        let c = Activity::new(
            lead,
            ActivityKind::PageViewed {
                path: "/pricing".into(),
            },
            at,
        );
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        // Ids stored before url and detail counted stay as they were.
        assert_eq!(a.id.0, "3b512ab7a53fbb42a407c774");
        // Two downloads of different assets at one time are two activities;
        // the same one twice is one.
        let download = |detail: &str| {
            let mut d = Activity::new(
                Email::parse("a@corp.com").unwrap(),
                ActivityKind::ContentDownloaded,
                at,
            );
            d.detail = Some(detail.into());
            d.derived_id()
        };
        assert_ne!(download("Pricing guide"), download("ROI calculator"));
        assert_eq!(download("Pricing guide"), download("Pricing guide"));
        let mut linked = a.clone();
        linked.url = Some("Pricing guide".into());
        let mut detailed = a.clone();
        detailed.detail = Some("Pricing guide".into());
        assert_ne!(linked.derived_id(), detailed.derived_id());
        assert_ne!(linked.derived_id(), a.id);
    }

    #[test]
    fn enum_lists_are_complete_and_in_position() {
        // ALL[i] is at position i (scoring's enum masks rely on it), with
        // its serde name.
        for (i, s) in Seniority::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for (i, d) in Department::ALL.iter().enumerate() {
            assert_eq!(*d as usize, i);
            let json = serde_json::to_string(d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.as_str()));
        }
        // The last variant closes each list: ALL has every variant.
        assert_eq!(Seniority::ALL.len(), Seniority::Intern as usize + 1);
        assert_eq!(Department::ALL.len(), Department::Other as usize + 1);
    }

    #[test]
    fn activity_kinds_parse() {
        assert_eq!(
            ActivityKind::from_name("Page_Viewed", Some("/pricing")).unwrap(),
            ActivityKind::PageViewed {
                path: "/pricing".into()
            }
        );
        assert!(ActivityKind::from_name("page_viewed", None).is_err());
        assert_eq!(
            ActivityKind::from_name("trial_started", None)
                .unwrap()
                .name(),
            "trial_started"
        );
        assert!(ActivityKind::from_name("Trial Started!", None).is_err());
    }

    #[test]
    fn activity_serializes_flat() {
        let lead = Email::parse("a@corp.com").unwrap();
        let a = Activity::new(
            lead,
            ActivityKind::PageViewed {
                path: "/pricing".into(),
            },
            Utc::now(),
        );
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["kind"], "page_viewed");
        assert_eq!(json["path"], "/pricing");
        let back: Activity = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}

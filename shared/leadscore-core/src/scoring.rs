//! The scoring engine: one pure, deterministic function from a lead, its
//! account, the account's signals, the lead's activities, a model and `now`
//! to a [`Score`] with an explanation.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Account, Activity, Lead, Signal, SignalValue};
use crate::model::{AccountField, Condition, LeadField, Literal, Rule, ScoringModel, Subject};

/// Which half of the score a rule feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Who they are: title, company, technographics, hiring, funding.
    Fit,
    /// What they did: visits, webinars, emails, meetings.
    Engagement,
}

/// Hot, warm or cold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Below warm.
    Cold,
    /// At or above warm.
    Warm,
    /// At or above hot: call today.
    Hot,
}

impl Tier {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cold => "cold",
            Self::Warm => "warm",
            Self::Hot => "hot",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "hot" => Ok(Self::Hot),
            "warm" => Ok(Self::Warm),
            "cold" => Ok(Self::Cold),
            other => Err(format!("unknown tier `{other}` (hot, warm or cold)")),
        }
    }
}

/// Fit letter A–D × engagement digit 1–4; "A1" is the best lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Grade {
    /// 'A'..='D'.
    pub fit: char,
    /// 1..=4.
    pub engagement: u8,
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.fit, self.engagement)
    }
}

impl From<Grade> for String {
    fn from(g: Grade) -> Self {
        g.to_string()
    }
}

impl TryFrom<String> for Grade {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let mut chars = s.chars();
        match (
            chars.next(),
            chars.next().and_then(|c| c.to_digit(10)),
            chars.next(),
        ) {
            (Some(f @ 'A'..='D'), Some(e @ 1..=4), None) => Ok(Self {
                fit: f,
                engagement: e as u8,
            }),
            _ => Err(format!("invalid grade `{s}`")),
        }
    }
}

/// One rule's share of a score, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Rule id.
    pub rule: Arc<str>,
    /// Rule label.
    pub label: Arc<str>,
    /// Fit or engagement.
    pub category: Category,
    /// Points after decay and caps.
    pub points: f64,
    /// Points before decay and caps (per occurrence × occurrences).
    pub raw_points: f64,
    /// Weighted decay factor in 0..=1 (1 when the rule does not decay).
    pub decay: f64,
    /// How many occurrences matched (1 for attribute rules).
    pub occurrences: u32,
    /// Whether a rule or group cap cut the points.
    pub capped: bool,
    /// What matched, in words.
    pub evidence: String,
    /// Link to the source of the most recent match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Time of the most recent match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
}

/// A lead's score under a model at a point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Fit, 0–100.
    pub fit: f64,
    /// Engagement, 0–100.
    pub engagement: f64,
    /// Weighted total, 0–100.
    pub total: f64,
    /// Tier from the thresholds alone (see [`crate::threshold::settle`] for
    /// the tier with hysteresis).
    pub tier: Tier,
    /// Fit × engagement grade.
    pub grade: Grade,
    /// Every rule that fired, in model order.
    pub contributions: Vec<Contribution>,
    /// The model's version.
    pub model_version: Arc<str>,
    /// The `now` the score was computed at.
    pub scored_at: DateTime<Utc>,
}

impl Score {
    /// Contributions sorted by absolute points, largest first.
    pub fn top_reasons(&self, n: usize) -> Vec<Contribution> {
        let mut v = self.contributions.clone();
        v.sort_by(|a, b| b.points.abs().total_cmp(&a.points.abs()));
        v.truncate(n);
        v
    }
}

/// Everything the engine needs for one lead.
#[derive(Debug, Clone, Copy)]
pub struct ScoreInput<'a> {
    /// The lead.
    pub lead: &'a Lead,
    /// Its account, if known.
    pub account: Option<&'a Account>,
    /// The account's signals.
    pub signals: &'a [Signal],
    /// The lead's activities, in any order.
    pub activities: &'a [Activity],
}

/// A value a condition is tested against.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Missing,
}

impl Value<'_> {
    fn as_number(self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n),
            Value::Text(t) => t.trim().parse().ok(),
            Value::Bool(_) | Value::Missing => None,
        }
    }
}

fn eq_literal(v: Value<'_>, lit: &Literal) -> bool {
    match (v, lit) {
        (Value::Text(t), Literal::Text(l)) => eq_ignore_case(t, l),
        (Value::Number(n), Literal::Number(l)) => n == *l,
        (Value::Text(t), Literal::Number(l)) => t.trim().parse::<f64>().is_ok_and(|n| n == *l),
        (Value::Number(n), Literal::Text(l)) => l.parse::<f64>().is_ok_and(|x| x == n),
        (Value::Bool(b), Literal::Bool(l)) => b == *l,
        (Value::Bool(b), Literal::Text(l)) => l == if b { "true" } else { "false" },
        _ => false,
    }
}

/// Case-insensitive equality; `lower` is already lowercase.
fn eq_ignore_case(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.to_lowercase() == lower
    }
}

/// Case-insensitive substring test; `needle` is already lowercase.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        if !haystack.bytes().any(|b| b.is_ascii_uppercase()) {
            // Already lowercase (most paths): the std substring search.
            return haystack.contains(needle);
        }
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

fn test(condition: Option<&Condition>, v: Value<'_>) -> bool {
    let Some(condition) = condition else {
        return !matches!(v, Value::Missing);
    };
    match condition {
        Condition::Exists(want) => *want != matches!(v, Value::Missing),
        Condition::Equals(lit) => eq_literal(v, lit),
        Condition::In(lits) => lits.iter().any(|l| eq_literal(v, l)),
        Condition::Contains(needle) => match v {
            Value::Text(t) => contains_ignore_case(t, needle),
            _ => false,
        },
        Condition::Regex(re) => match v {
            Value::Text(t) => re.is_match(t),
            _ => false,
        },
        Condition::Range(r) => v.as_number().is_some_and(|n| r.contains(n)),
    }
}

fn text(v: Option<&str>) -> Value<'_> {
    v.map_or(Value::Missing, Value::Text)
}

fn lead_value<'a>(lead: &'a Lead, field: &'a LeadField) -> Value<'a> {
    match field {
        LeadField::Email => Value::Text(lead.email.as_str()),
        LeadField::EmailDomain => {
            Value::Text(lead.email.as_str().rsplit_once('@').map_or("", |(_, d)| d))
        }
        LeadField::FreeMail => Value::Bool(lead.email.is_free_mail()),
        LeadField::FirstName => text(lead.first_name.as_deref()),
        LeadField::LastName => text(lead.last_name.as_deref()),
        LeadField::Title => text(lead.title.as_deref()),
        LeadField::Seniority => text(lead.seniority.map(|s| s.as_str())),
        LeadField::Department => text(lead.department.map(|d| d.as_str())),
        LeadField::Owner => text(lead.owner.as_deref()),
        LeadField::Attribute(key) => text(lead.attributes.get(key).map(String::as_str)),
    }
}

fn account_value<'a>(account: Option<&'a Account>, field: &'a AccountField) -> Value<'a> {
    let Some(a) = account else {
        return Value::Missing;
    };
    let f = &a.firmographics;
    match field {
        AccountField::Domain => Value::Text(a.domain.as_str()),
        AccountField::Name => text(a.name.as_deref()),
        AccountField::Industry => text(f.industry.as_deref()),
        AccountField::Employees => f
            .employees
            .map_or(Value::Missing, |n| Value::Number(n as f64)),
        AccountField::Revenue => f.revenue.map_or(Value::Missing, Value::Number),
        AccountField::Country => text(f.country.as_deref()),
        AccountField::Attribute(key) => text(f.attributes.get(key).map(String::as_str)),
    }
}

fn signal_value(s: &Signal) -> Value<'_> {
    match &s.value {
        SignalValue::Flag(b) => Value::Bool(*b),
        SignalValue::Number(n) => Value::Number(*n),
        SignalValue::Text(t) => Value::Text(t),
    }
}

fn push_value(s: &mut String, v: Value<'_>) {
    match v {
        Value::Text(t) => s.push_str(t),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
            if n < 0.0 {
                s.push('-');
            }
            push_uint(s, n.abs() as u64);
        }
        Value::Number(n) => s.push_str(&format_number(n)),
        Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
        Value::Missing => s.push_str("missing"),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:.2}")
    }
}

/// Appends `n` in decimal without the formatting machinery (hot path).
fn push_uint(s: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    s.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `YYYY-MM-DD` without chrono's (slow) format machinery.
fn push_ymd(s: &mut String, t: DateTime<Utc>) {
    use chrono::Datelike;
    let d = t.date_naive();
    let pad = |s: &mut String, n: u32, width: usize| {
        let digits = if n >= 1000 {
            4
        } else if n >= 100 {
            3
        } else if n >= 10 {
            2
        } else {
            1
        };
        for _ in digits..width {
            s.push('0');
        }
        push_uint(s, u64::from(n));
    };
    pad(s, d.year().max(0) as u32, 4);
    s.push('-');
    pad(s, d.month(), 2);
    s.push('-');
    pad(s, d.day(), 2);
}

const SECONDS_PER_DAY: f64 = 86_400.0;

fn age_days(now: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
    ((now - at).num_seconds() as f64 / SECONDS_PER_DAY).max(0.0)
}

fn decay_factor(rule: &Rule, age: f64) -> f64 {
    rule.half_life_days.map_or(1.0, |h| 0.5f64.powf(age / h))
}

fn within(rule: &Rule, age: f64) -> bool {
    rule.max_age_days.is_none_or(|m| age <= m)
}

/// Collects one rule's matching occurrences (activities or signals).
struct Occurrences<'a> {
    count: u32,
    raw: f64,
    decayed: f64,
    latest: Option<(DateTime<Utc>, &'a str, Option<&'a str>)>,
    latest_decay: f64,
}

impl<'a> Occurrences<'a> {
    fn new() -> Self {
        Self {
            count: 0,
            raw: 0.0,
            decayed: 0.0,
            latest: None,
            latest_decay: 1.0,
        }
    }

    fn add(
        &mut self,
        rule: &Rule,
        at: DateTime<Utc>,
        factor: f64,
        what: &'a str,
        url: Option<&'a str>,
    ) {
        self.count += 1;
        self.raw += rule.points;
        self.decayed += rule.points * factor;
        if self.latest.is_none_or(|(t, _, _)| at > t) {
            self.latest = Some((at, what, url));
            self.latest_decay = factor;
        }
    }
}

fn evaluate_occurrences<'a>(
    rule: &Rule,
    now: DateTime<Utc>,
    items: impl Iterator<Item = (DateTime<Utc>, Value<'a>, &'a str, Option<&'a str>)>,
) -> Option<Contribution> {
    let mut occ = Occurrences::new();
    let mut windowed = 0u32;
    for (at, value, what, url) in items {
        let age = age_days(now, at);
        // With no condition every occurrence matches, even one with no subject.
        if !within(rule, age) || (rule.condition.is_some() && !test(rule.condition.as_ref(), value))
        {
            continue;
        }
        if let Some(c) = &rule.count
            && c.within_days.is_some_and(|w| age > w)
        {
            continue;
        }
        windowed += 1;
        occ.add(rule, at, decay_factor(rule, age), what, url);
    }
    if let Some(c) = &rule.count {
        if !c.range.contains(f64::from(windowed)) {
            return None;
        }
        let window = c.within_days.map_or_else(String::new, |w| {
            format!(" in the last {} days", format_number(w))
        });
        let (observed_at, source_url) = occ
            .latest
            .map_or((None, None), |(t, _, u)| (Some(t), u.map(str::to_owned)));
        return Some(Contribution {
            rule: rule.id.clone(),
            label: rule.label.clone(),
            category: rule.category,
            points: rule.points,
            raw_points: rule.points,
            decay: 1.0,
            occurrences: windowed,
            capped: false,
            evidence: format!("{windowed} matching{window}"),
            source_url,
            observed_at,
        });
    }
    let (latest_at, what, url) = occ.latest?;
    let (points, raw, decay, occurrences) = if rule.per_occurrence {
        let decay = if occ.raw == 0.0 {
            1.0
        } else {
            occ.decayed / occ.raw
        };
        (occ.decayed, occ.raw, decay, occ.count)
    } else {
        (
            rule.points * occ.latest_decay,
            rule.points,
            occ.latest_decay,
            1,
        )
    };
    let mut evidence = String::with_capacity(what.len() + 48);
    evidence.push_str(what);
    if occ.count > 1 {
        evidence.push_str(" (×");
        push_uint(&mut evidence, u64::from(occ.count));
        evidence.push_str(", latest ");
    } else {
        evidence.push_str(" (");
    }
    push_ymd(&mut evidence, latest_at);
    evidence.push(')');
    Some(Contribution {
        rule: rule.id.clone(),
        label: rule.label.clone(),
        category: rule.category,
        points,
        raw_points: raw,
        decay,
        occurrences,
        capped: false,
        evidence,
        source_url: url.map(str::to_owned),
        observed_at: Some(latest_at),
    })
}

fn evaluate(rule: &Rule, input: &ScoreInput<'_>, now: DateTime<Utc>) -> Option<Contribution> {
    let attribute = |field: &str, v: Value<'_>, source_url: Option<String>| {
        test(rule.condition.as_ref(), v).then(|| Contribution {
            rule: rule.id.clone(),
            label: rule.label.clone(),
            category: rule.category,
            points: rule.points,
            raw_points: rule.points,
            decay: 1.0,
            occurrences: 1,
            capped: false,
            evidence: {
                let mut e = String::with_capacity(field.len() + 24);
                e.push_str(field);
                e.push_str(" = ");
                push_value(&mut e, v);
                e
            },
            source_url,
            observed_at: None,
        })
    };
    match &rule.subject {
        Subject::Lead(field) => {
            attribute(lead_field_name(field), lead_value(input.lead, field), None)
        }
        Subject::Account(field) => attribute(
            account_field_name(field),
            account_value(input.account, field),
            None,
        ),
        Subject::Signal(name) => evaluate_occurrences(
            rule,
            now,
            input.signals.iter().filter(|s| &s.name == name).map(|s| {
                let what = s
                    .evidence
                    .as_ref()
                    .map_or_else(|| name.as_str(), |e| e.text.as_str());
                let what = if what.is_empty() { name.as_str() } else { what };
                (
                    s.observed_at,
                    signal_value(s),
                    what,
                    s.evidence.as_ref().and_then(|e| e.url.as_deref()),
                )
            }),
        )
        .map(|mut c| {
            if !c.evidence.starts_with(name.as_str()) && rule.condition.is_some() {
                // Name the signal so the explanation stands on its own.
                c.evidence.insert_str(0, ": ");
                c.evidence.insert_str(0, name);
            }
            c
        }),
        Subject::Activity(filter) => evaluate_occurrences(
            rule,
            now,
            input
                .activities
                .iter()
                .filter(|a| filter.accepts(&a.kind))
                .map(|a| {
                    let subject = a.subject();
                    (
                        a.occurred_at,
                        subject.map_or(Value::Missing, Value::Text),
                        subject.unwrap_or(a.kind.name()),
                        a.url.as_deref(),
                    )
                }),
        )
        .map(|mut c| {
            if let crate::model::ActivityFilter::Kinds { names, .. } = filter
                && names.len() == 1
                && rule.count.is_none()
            {
                c.evidence.insert(0, ' ');
                c.evidence.insert_str(0, &names[0]);
            }
            c
        }),
    }
}

fn lead_field_name(f: &LeadField) -> &str {
    match f {
        LeadField::Email => "email",
        LeadField::EmailDomain => "email_domain",
        LeadField::FreeMail => "free_mail",
        LeadField::FirstName => "first_name",
        LeadField::LastName => "last_name",
        LeadField::Title => "title",
        LeadField::Seniority => "seniority",
        LeadField::Department => "department",
        LeadField::Owner => "owner",
        LeadField::Attribute(k) => k,
    }
}

fn account_field_name(f: &AccountField) -> &str {
    match f {
        AccountField::Domain => "domain",
        AccountField::Name => "name",
        AccountField::Industry => "industry",
        AccountField::Employees => "employees",
        AccountField::Revenue => "revenue",
        AccountField::Country => "country",
        AccountField::Attribute(k) => k,
    }
}

/// Rounds to one decimal, the precision scores are stored and compared at.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn grade(model: &ScoringModel, fit: f64, engagement: f64) -> Grade {
    let band = |x: f64, b: [f64; 3]| b.iter().position(|bound| x >= *bound).unwrap_or(3);
    let f = band(fit, model.grades.fit);
    let e = band(engagement, model.grades.engagement);
    Grade {
        fit: ['A', 'B', 'C', 'D'][f],
        engagement: e as u8 + 1,
    }
}

/// The tier of `total` by thresholds alone, without hysteresis.
pub fn tier_of(model: &ScoringModel, total: f64) -> Tier {
    if total >= model.tiers.hot {
        Tier::Hot
    } else if total >= model.tiers.warm {
        Tier::Warm
    } else {
        Tier::Cold
    }
}

/// Scores one lead. Pure and deterministic: the same input, model and `now`
/// always give the same score.
///
/// 1. Each rule yields at most one contribution: attribute rules their points
///    once; activity and signal rules their points per matching occurrence
///    (or once, for the most recent one), each multiplied by
///    `0.5^(age / half_life_days)`, ignoring occurrences older than
///    `max_age_days`; `count` rules their points once when the number of
///    matches is in range.
/// 2. A rule's `cap` bounds the magnitude of its points; a group's `cap`
///    bounds the positive sum of its rules (scaled down proportionally).
/// 3. Fit and engagement are the sums per category, scaled so that
///    `scale.*_max` raw points is 100 and clamped to 0–100; the total is
///    their weighted mean, clamped to 0–100; all three are rounded to 0.1.
pub fn score(model: &ScoringModel, input: &ScoreInput<'_>, now: DateTime<Utc>) -> Score {
    let mut contributions: Vec<Contribution> = Vec::with_capacity(model.rules.len());
    let mut rule_groups: Vec<Option<usize>> = Vec::with_capacity(model.rules.len());
    for rule in &model.rules {
        let Some(mut c) = evaluate(rule, input, now) else {
            continue;
        };
        if let Some(cap) = rule.cap
            && c.points.abs() > cap
        {
            c.points = cap.copysign(c.points);
            c.capped = true;
        }
        contributions.push(c);
        rule_groups.push(rule.group);
    }
    for (gi, group) in model.groups.iter().enumerate() {
        let positive: f64 = contributions
            .iter()
            .zip(&rule_groups)
            .filter(|(c, g)| **g == Some(gi) && c.points > 0.0)
            .map(|(c, _)| c.points)
            .sum();
        if positive > group.cap {
            let factor = group.cap / positive;
            for (c, g) in contributions.iter_mut().zip(&rule_groups) {
                if *g == Some(gi) && c.points > 0.0 {
                    c.points *= factor;
                    c.capped = true;
                }
            }
        }
    }
    let (mut fit_raw, mut eng_raw) = (0.0, 0.0);
    for c in &contributions {
        match c.category {
            Category::Fit => fit_raw += c.points,
            Category::Engagement => eng_raw += c.points,
        }
    }
    let fit = round1((fit_raw / model.scale.fit_max * 100.0).clamp(0.0, 100.0));
    let engagement = round1((eng_raw / model.scale.engagement_max * 100.0).clamp(0.0, 100.0));
    let total =
        round1((model.weights.fit * fit + model.weights.engagement * engagement).clamp(0.0, 100.0));
    Score {
        fit,
        engagement,
        total,
        tier: tier_of(model, total),
        grade: grade(model, fit, engagement),
        contributions,
        model_version: model.version.clone(),
        scored_at: now,
    }
}

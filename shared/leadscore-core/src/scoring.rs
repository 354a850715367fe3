//! The scoring engine: one pure, deterministic function from a lead, its
//! account, the account's signals, the lead's activities, a model and `now`
//! to a [`Score`] with an explanation.

use std::fmt;
use std::sync::Arc;
use ustr::Ustr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

mod evidence;

pub use evidence::EvidenceText;
use evidence::Tail;

use crate::domain::{
    Account, Activity, ActivityKind, Department, Lead, Seniority, Signal, SignalValue,
};
use crate::model::{
    AccountField, ActivityFilter, Condition, LeadField, Literal, Rule, ScoringModel, Subject,
};

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
    /// Its name, padded as the format asks (`{:<4}` in a table).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
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
    /// Rule id. Rule ids and labels are interned: a copyable handle to one
    /// process-wide copy of each distinct text, never freed. Their number
    /// is bounded by the rules of the models loaded and of the scores read
    /// back, and writing a score's dozen contributions copies two words
    /// each instead of updating reference counts.
    pub rule: Ustr,
    /// Rule label, interned.
    pub label: Ustr,
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
    /// What matched, in words (written out when shown or serialized).
    pub evidence: EvidenceText,
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
    /// Weighted total, 0–100; 0 when a rule disqualified the lead.
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
    /// The first rule (in model order) that disqualified the lead, when one
    /// fired (`disqualify = true`): the total is then 0 and the tier cold,
    /// while fit, engagement, grade and contributions are what they would
    /// have been.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disqualified_by: Option<Ustr>,
}

impl Score {
    /// `contributions` under `model` at `now`, before [`finish`] sums them.
    fn unscored(
        model: &ScoringModel,
        contributions: Vec<Contribution>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            fit: 0.0,
            engagement: 0.0,
            total: 0.0,
            tier: Tier::Cold,
            grade: Grade {
                fit: 'D',
                engagement: 4,
            },
            contributions,
            model_version: model.version.clone(),
            scored_at: now,
            disqualified_by: None,
        }
    }

    /// The contributions as reasons, most telling first: the rule that
    /// disqualified the lead, if one did (it is why the total is 0,
    /// whatever its points), then by absolute points, largest first.
    pub fn ranked_reasons(&self) -> Vec<&Contribution> {
        let mut v: Vec<&Contribution> = self.contributions.iter().collect();
        let first = |c: &Contribution| Some(c.rule) == self.disqualified_by;
        v.sort_by(|a, b| {
            first(b)
                .cmp(&first(a))
                .then_with(|| b.points.abs().total_cmp(&a.points.abs()))
        });
        v
    }

    /// The contribution of the rule that disqualified the lead, if one did.
    pub fn disqualifier(&self) -> Option<&Contribution> {
        let id = self.disqualified_by?;
        self.contributions.iter().find(|c| c.rule == id)
    }

    /// The first `n` of [`Self::ranked_reasons`].
    pub fn top_reasons(&self, n: usize) -> Vec<Contribution> {
        self.ranked_reasons().into_iter().take(n).cloned().collect()
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
            // Text that names no finite number ("inf", "NaN") is no number.
            Value::Text(t) => t.trim().parse().ok().filter(|n: &f64| n.is_finite()),
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
        // Attributes are text: `equals = true` matches the text "true".
        (Value::Text(t), Literal::Bool(l)) => {
            t.trim()
                .eq_ignore_ascii_case(if *l { "true" } else { "false" })
        }
        _ => false,
    }
}

/// Case-insensitive equality; `lower` is already lowercase.
fn eq_ignore_case(text: &str, lower: &str) -> bool {
    // Equal ignoring ASCII case settles it either way, unless `text` has
    // non-ASCII letters, whose lowercase may differ in length.
    text.eq_ignore_ascii_case(lower) || (!text.is_ascii() && text.to_lowercase() == lower)
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

/// The text literals of an `equals` or `in` condition, compiled with the
/// model for the common case of a text value (a seniority, a technology
/// name): each literal costs a length check unless the lengths agree.
/// Gives what [`test`] gives on a text value.
#[derive(Debug, Clone)]
struct TextSet {
    /// The literals, lowercase.
    lits: Vec<Box<str>>,
}

impl TextSet {
    /// The set of `condition`, when it is `equals` or `in` over text only.
    fn of(condition: Option<&Condition>) -> Option<Self> {
        let lits: &[Literal] = match condition? {
            Condition::Equals(l) => std::slice::from_ref(l),
            Condition::In(l) => l,
            _ => return None,
        };
        let lits = lits
            .iter()
            .map(|l| match l {
                Literal::Text(t) => Some(t.as_str().into()),
                Literal::Number(_) | Literal::Bool(_) => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self { lits })
    }

    /// Whether `text` equals a literal, ignoring case (as [`eq_ignore_case`]).
    #[inline]
    fn contains(&self, text: &str) -> bool {
        self.lits
            .iter()
            .any(|l| l.len() == text.len() && text.eq_ignore_ascii_case(l))
            || (!text.is_ascii() && {
                let lower = text.to_lowercase();
                self.lits.iter().any(|l| **l == *lower)
            })
    }
}

/// Rule `r`'s condition on `v`, through its compiled text set when it has
/// one and `v` is text.
#[inline]
fn passes(plan: &Plan, r: usize, rule: &Rule, v: Value<'_>) -> bool {
    match (v, &plan.text_sets[r]) {
        (Value::Text(t), Some(set)) => set.contains(t),
        _ => test(rule.condition.as_ref(), v),
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
        Condition::ContainsAny(search) => match v {
            Value::Text(t) => search.is_match(t),
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

const SECONDS_PER_DAY: f64 = 86_400.0;

/// `now`, stamped once per score so each occurrence's age is integer
/// arithmetic on its Unix time instead of a calendar subtraction.
#[derive(Debug, Clone, Copy)]
struct Now {
    at: DateTime<Utc>,
    stamp: Stamp,
    /// Now's year, and the Unix days of its first day and of the previous
    /// year's: most occurrences fall in one of the two, so [`Self::stamp`]
    /// finds their day from the year and the day of the year without the
    /// calendar arithmetic of [`Stamp::of`].
    year: i32,
    year_start: i64,
    last_year_start: i64,
}

/// The Unix day of the first day of `year` (none outside chrono's range).
fn year_start(year: i32) -> Option<i64> {
    NaiveDate::from_yo_opt(year, 1)
        .map(|d| d.and_time(NaiveTime::MIN).and_utc().timestamp() / 86_400)
}

impl Now {
    fn of(t: DateTime<Utc>) -> Self {
        let year = t.year();
        let (year, year_start, last_year_start) = match (year_start(year), year_start(year - 1)) {
            (Some(this), Some(last)) => (year, this, last),
            // At the edge of chrono's range: a year no date has, so
            // every stamp takes the calendar path.
            _ => (i32::MIN, 0, 0),
        };
        Self {
            at: t,
            stamp: Stamp::of(t),
            year,
            year_start,
            last_year_start,
        }
    }

    /// [`Stamp::of`] `t`.
    #[inline]
    fn stamp(self, t: DateTime<Utc>) -> Stamp {
        let utc = t.naive_utc();
        let date = utc.date();
        let start = if date.year() == self.year {
            self.year_start
        } else if date.year() == self.year.wrapping_sub(1) {
            self.last_year_start
        } else {
            return Stamp::of(t);
        };
        let day = start + i64::from(date.ordinal0());
        Stamp(
            day * 86_400 + i64::from(utc.time().num_seconds_from_midnight()),
            utc.time().nanosecond(),
        )
    }

    /// [`Self::age`] of `at`.
    #[cfg(test)]
    fn age_days(self, at: DateTime<Utc>) -> f64 {
        self.age(at, self.stamp(at))
    }

    /// Whole seconds from `at` (whose stamp is `stamp`) to now, truncated
    /// toward zero (as `TimeDelta::num_seconds`), in days, never negative.
    #[inline]
    fn age(self, at: DateTime<Utc>, stamp: Stamp) -> f64 {
        let (Stamp(at_secs, at_nanos), Stamp(now_secs, now_nanos)) = (stamp, self.stamp);
        if at_nanos >= 1_000_000_000 || now_nanos >= 1_000_000_000 {
            // A leap second: chrono's own arithmetic, which counts it.
            return ((self.at - at).num_seconds() as f64 / SECONDS_PER_DAY).max(0.0);
        }
        // The difference is `secs` seconds plus a fraction in (-1, 1).
        // When it is positive, truncating it toward zero takes a second off
        // `secs` if the fraction is negative; when it is not, the age is 0.
        let secs = now_secs - at_secs;
        if secs <= 0 {
            return 0.0;
        }
        let whole = secs - i64::from(now_nanos < at_nanos);
        whole as f64 / SECONDS_PER_DAY
    }
}

/// One rule's running tally over the occurrences (activities or signals) it
/// matched. Plain data, so a [`Scorer`] keeps one buffer of them across
/// leads; the latest match is an index into the lead's activities or the
/// account's signals.
#[derive(Debug, Clone, Copy)]
struct Tally {
    /// Matching occurrences (for a count rule, those within its window).
    count: u32,
    /// The latest match's index, [`Tally::NONE`] before the first.
    latest: u32,
    /// When the latest match happened.
    latest_at: Stamp,
    latest_decay: f64,
    decayed: f64,
}

impl Tally {
    const NONE: u32 = u32::MAX;

    const EMPTY: Self = Self {
        count: 0,
        latest: Self::NONE,
        latest_at: Stamp::MIN,
        latest_decay: 1.0,
        decayed: 0.0,
    };

    /// The latest match's index.
    fn latest(&self) -> Option<u32> {
        (self.latest != Self::NONE).then_some(self.latest)
    }
}

/// An instant as (Unix seconds, nanoseconds), ordered as the instants are
/// (a leap second's nanoseconds run from 1e9, after the second it extends
/// and before the next): integer compares instead of a calendar
/// comparison per occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Stamp(i64, u32);

impl Stamp {
    /// Before every instant.
    const MIN: Self = Self(i64::MIN, 0);

    fn of(t: DateTime<Utc>) -> Self {
        Self(t.timestamp(), t.timestamp_subsec_nanos())
    }
}

/// An activity or signal rule as an occurrence meets it: the fields
/// [`observe`] tests, copied out of the [`Rule`] when the model is loaded
/// (absent bounds as infinity), so a pass over the occurrences reads one
/// small record per rule.
#[derive(Debug, Clone, Copy)]
struct Watch {
    /// The rule's index.
    rule: u32,
    /// Its tally slot.
    slot: u32,
    /// Its points per occurrence.
    points: f64,
    /// Occurrences older than this many days do not match: the rule's
    /// maximum age, or a count rule's window when that is shorter.
    limit: f64,
    /// Half-life in days (infinity when the rule does not decay).
    half_life_days: f64,
    /// Where its decay factor is memoized in a [`DecayMemo`]: the index of
    /// its half-life among the model's distinct ones, or
    /// [`DecayMemo::NO_DECAY`] (always known, 1), or
    /// [`DecayMemo::UNMEMOIZED`] past the memo's size.
    memo_index: u32,
    /// `1 << memo_index`, or 0 for [`DecayMemo::UNMEMOIZED`] (never known,
    /// so computed every time).
    memo_bit: u32,
    /// The condition's bit in a subject's memoized results, or
    /// [`Watch::NONE`].
    bit: u32,
    /// Whether the rule has a condition.
    conditional: bool,
}

impl Watch {
    const NONE: u32 = u32::MAX;

    /// This watch's decay factor at the memo's age.
    #[inline]
    fn decay(&self, memo: &mut DecayMemo) -> f64 {
        let k = self.memo_index as usize % MEMO_SIZE;
        if memo.known & self.memo_bit == 0 {
            memo.values[k] = half_life_decay(self.half_life_days, memo.age);
            memo.known |= self.memo_bit;
        }
        memo.values[k]
    }
}

/// 0.5^(age / half-life).
fn half_life_decay(half_life_days: f64, age: f64) -> f64 {
    0.5f64.powf(age / half_life_days)
}

/// Adds one occurrence (index `index`, at `at`, age `age` days) to `w`'s
/// tally, if it matches: `passes` tests the rule's condition on it, `decay`
/// memoizes its decay factors per half-life.
#[inline]
fn observe(
    w: &Watch,
    tally: &mut Tally,
    index: u32,
    at: Stamp,
    age: f64,
    passes: impl FnOnce() -> bool,
    decay: &mut DecayMemo,
) {
    // With no condition every occurrence matches, even one with no subject.
    // Ages are never NaN (whole seconds over a constant, at least 0).
    if age > w.limit || (w.conditional && !passes()) {
        return;
    }
    let factor = w.decay(decay);
    tally.count += 1;
    tally.decayed += w.points * factor;
    if at > tally.latest_at {
        tally.latest = index;
        tally.latest_at = at;
        tally.latest_decay = factor;
    }
}

/// The rules of a model arranged for scoring, built once when the model is
/// loaded: which activity rules look at each activity kind and which signal
/// rules look at each signal name (as [`Watch`] records, each with its
/// half-life's index among the model's distinct ones), so that one pass
/// over a lead's activities and one over its account's signals feed every
/// rule and each occurrence's decay is computed once per half-life; and the
/// conditions compiled for their common values (text literal sets, masks
/// over a lead's seniority and department).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Per built-in activity kind (by [`ActivityKind::builtin_index`]): the
    /// activity rules accepting it.
    by_builtin: Vec<Vec<Watch>>,
    /// Activity rules accepting every kind (`activity = "*"`).
    any_kind: Vec<Watch>,
    /// Per custom kind name: the rules naming it.
    by_custom: Vec<(String, Vec<Watch>)>,
    /// Per signal name: the rules looking at it.
    by_signal: Vec<(String, Vec<Watch>)>,
    /// Number of tally slots.
    slots: usize,
    /// The activity rules with a condition (the first 64 of them), by their
    /// bit in a subject's condition results.
    conditional: Vec<u32>,
    /// Their results on an activity with no subject.
    missing_bits: u64,
    /// Per rule: its `equals`/`in` text literals, compiled.
    text_sets: Vec<Option<TextSet>>,
    /// Per rule on a lead's seniority or department: its condition's result
    /// on every value of the field, by [`enum_bit`].
    enum_masks: Vec<Option<u32>>,
    /// Per rule: what the pass over the rules needs to know of it without
    /// decoding its subject.
    steps: Vec<Step>,
    /// The ids of the rules that disqualify a lead when they fire, in
    /// model order.
    disqualifying: Vec<Ustr>,
    /// Per rule on a lead or account attribute or a signal whose condition
    /// searches text (`contains`, a phrase list, `regex`): the key of what
    /// it reads (from 1, [`ACTIVITY_SUBJECTS`] being the activities'
    /// subjects) and its bit in that key's memoized results.
    value_bits: Vec<Option<(u32, u32)>>,
    /// Per key from 1: its rules with a bit, by bit (at most 64).
    value_rules: Vec<Vec<u32>>,
}

/// What a rule with a memoized text condition reads: its rules share one
/// memo key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKey<'r> {
    Lead(&'r LeadField),
    Account(&'r AccountField),
    Signal(&'r str),
}

impl<'r> ValueKey<'r> {
    /// The key of `rule`, when its condition searches text (the cheap
    /// conditions cost less than a lookup; seniority and department have
    /// their masks) in a value that repeats across leads (not an email or
    /// a person's name, nor an account's own domain or name, read once
    /// per account: their entries would only push out useful ones).
    fn of(rule: &'r Rule) -> Option<Self> {
        if !matches!(
            rule.condition,
            Some(Condition::Contains(_) | Condition::ContainsAny(_) | Condition::Regex(_))
        ) {
            return None;
        }
        match &rule.subject {
            Subject::Lead(
                LeadField::Seniority
                | LeadField::Department
                | LeadField::Email
                | LeadField::FirstName
                | LeadField::LastName,
            )
            | Subject::Account(AccountField::Domain | AccountField::Name) => None,
            Subject::Lead(f) => Some(Self::Lead(f)),
            Subject::Account(f) => Some(Self::Account(f)),
            Subject::Signal(name) => Some(Self::Signal(name)),
            Subject::Activity(_) => None,
        }
    }
}

/// Which side of a lead a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The lead's own attributes.
    Lead,
    /// Its account's attributes or signals (shared by the account's leads).
    Account,
    /// Its activities.
    Activity,
}

/// A rule as the pass over the rules reads it.
#[derive(Debug, Clone, Copy)]
struct Step {
    side: Side,
    /// Its tally slot (activity and signal rules).
    slot: Option<u32>,
    /// The activity kind that starts its evidence (a rule on a single kind
    /// that does not count), or empty.
    prefix: Ustr,
}

/// A lead's seniority or department as its bit in a [`Plan`]'s enum mask:
/// the value's position, or bit 31 when the lead has none.
fn enum_bit(lead: &Lead, field: &LeadField) -> u32 {
    let position = match field {
        LeadField::Seniority => lead.seniority.map(|s| s as u32),
        LeadField::Department => lead.department.map(|d| d as u32),
        _ => None,
    };
    1 << position.unwrap_or(31)
}

/// `condition`'s results on each of `names` (bit = position) and on no
/// value (bit 31).
fn enum_mask<'n>(condition: Option<&Condition>, names: impl Iterator<Item = &'n str>) -> u32 {
    let on = |v| u32::from(test(condition, v));
    names
        .enumerate()
        .fold(on(Value::Missing) << 31, |mask, (i, name)| {
            mask | on(Value::Text(name)) << i
        })
}

/// Entries of a [`DecayMemo`]: the first 30 distinct half-lives of a model,
/// one scratch entry for the rest (computed each time, with the same
/// result), and the factor of the rules that do not decay.
const MEMO_SIZE: usize = 32;

impl Plan {
    pub(crate) fn new(rules: &[Rule]) -> Self {
        fn entry<'v>(list: &'v mut Vec<(String, Vec<Watch>)>, name: &str) -> &'v mut Vec<Watch> {
            let i = list.iter().position(|(n, _)| n == name).unwrap_or_else(|| {
                list.push((name.to_owned(), Vec::new()));
                list.len() - 1
            });
            &mut list[i].1
        }
        let mut plan = Self {
            by_builtin: vec![Vec::new(); ActivityKind::BUILT_IN.len()],
            ..Self::default()
        };
        let mut half_lives: Vec<f64> = Vec::new();
        let mut value_keys: Vec<ValueKey<'_>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.disqualify {
                plan.disqualifying.push(rule.id);
            }
            let condition = rule.condition.as_ref();
            plan.text_sets.push(TextSet::of(condition));
            plan.value_bits.push(ValueKey::of(rule).and_then(|key| {
                let k = value_keys
                    .iter()
                    .position(|x| *x == key)
                    .unwrap_or_else(|| {
                        value_keys.push(key);
                        plan.value_rules.push(Vec::new());
                        value_keys.len() - 1
                    });
                let list = &mut plan.value_rules[k];
                (list.len() < 64).then(|| {
                    list.push(i as u32);
                    (k as u32 + 1, list.len() as u32 - 1)
                })
            }));
            plan.enum_masks.push(match &rule.subject {
                Subject::Lead(LeadField::Seniority) => Some(enum_mask(
                    condition,
                    Seniority::ALL.iter().map(|s| s.as_str()),
                )),
                Subject::Lead(LeadField::Department) => Some(enum_mask(
                    condition,
                    Department::ALL.iter().map(|d| d.as_str()),
                )),
                _ => None,
            });
            let bit = (matches!(rule.subject, Subject::Activity(_))
                && condition.is_some()
                && plan.conditional.len() < 64)
                .then(|| {
                    plan.conditional.push(i as u32);
                    plan.conditional.len() as u32 - 1
                });
            if let Some(b) = bit
                && test(condition, Value::Missing)
            {
                plan.missing_bits |= 1 << b;
            }
            let memo_index = rule.half_life_days.map_or(DecayMemo::NO_DECAY, |h| {
                let k = half_lives
                    .iter()
                    .position(|x| x.to_bits() == h.to_bits())
                    .unwrap_or_else(|| {
                        half_lives.push(h);
                        half_lives.len() - 1
                    });
                (k as u32).min(DecayMemo::UNMEMOIZED)
            });
            let w = Watch {
                rule: i as u32,
                slot: plan.slots as u32,
                points: rule.points,
                limit: rule.max_age_days.unwrap_or(f64::INFINITY).min(
                    rule.count
                        .and_then(|c| c.within_days)
                        .unwrap_or(f64::INFINITY),
                ),
                half_life_days: rule.half_life_days.unwrap_or(f64::INFINITY),
                memo_index,
                memo_bit: if memo_index == DecayMemo::UNMEMOIZED {
                    0
                } else {
                    1 << memo_index
                },
                bit: bit.unwrap_or(Watch::NONE),
                conditional: condition.is_some(),
            };
            plan.steps.push(Step {
                side: match &rule.subject {
                    Subject::Lead(_) => Side::Lead,
                    Subject::Account(_) | Subject::Signal(_) => Side::Account,
                    Subject::Activity(_) => Side::Activity,
                },
                slot: matches!(rule.subject, Subject::Signal(_) | Subject::Activity(_))
                    .then_some(w.slot),
                // A single kind names itself in the evidence.
                prefix: Ustr::from(match &rule.subject {
                    Subject::Activity(ActivityFilter::Kinds { names, .. })
                        if rule.count.is_none() && names.len() == 1 =>
                    {
                        names[0].as_str()
                    }
                    _ => "",
                }),
            });
            match &rule.subject {
                Subject::Lead(_) | Subject::Account(_) => continue,
                Subject::Signal(name) => entry(&mut plan.by_signal, name).push(w),
                Subject::Activity(ActivityFilter::Any) => {
                    for list in &mut plan.by_builtin {
                        list.push(w);
                    }
                    plan.any_kind.push(w);
                }
                Subject::Activity(ActivityFilter::Kinds {
                    builtin, custom, ..
                }) => {
                    for (k, list) in plan.by_builtin.iter_mut().enumerate() {
                        if builtin & (1 << k) != 0 {
                            list.push(w);
                        }
                    }
                    for name in custom {
                        entry(&mut plan.by_custom, name).push(w);
                    }
                }
            }
            plan.slots += 1;
        }
        // A custom kind is also seen by the rules accepting every kind, in
        // model order.
        for (_, list) in &mut plan.by_custom {
            list.extend_from_slice(&plan.any_kind);
            list.sort_unstable_by_key(|w| w.rule);
            list.dedup_by_key(|w| w.rule);
        }
        plan
    }

    /// The results on `text` of the rules of memo key `key`, by bit: the
    /// conditional activity rules for [`ACTIVITY_SUBJECTS`], else the
    /// rules of a value key (from 1).
    fn condition_bits(&self, rules: &[Rule], key: u32, text: &str) -> u64 {
        let list = if key == ACTIVITY_SUBJECTS {
            &self.conditional
        } else {
            &self.value_rules[key as usize - 1]
        };
        list.iter()
            .enumerate()
            .filter(|&(_, &r)| test(rules[r as usize].condition.as_ref(), Value::Text(text)))
            .fold(0, |bits, (b, _)| bits | 1 << b)
    }

    fn custom_rules(&self, name: &str) -> &[Watch] {
        self.by_custom
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&self.any_kind, |(_, list)| list)
    }
}

/// Decay factors of one occurrence, memoized per distinct half-life.
struct DecayMemo {
    age: f64,
    /// Which entries are known, by bit.
    known: u32,
    values: [f64; MEMO_SIZE],
}

impl DecayMemo {
    /// The entry of the rules that do not decay: always known, 1.
    const NO_DECAY: u32 = MEMO_SIZE as u32 - 1;
    /// The scratch entry of the half-lives past the memoized ones.
    const UNMEMOIZED: u32 = MEMO_SIZE as u32 - 2;

    fn new() -> Self {
        let mut values = [0.0; MEMO_SIZE];
        values[Self::NO_DECAY as usize] = 1.0;
        Self {
            age: 0.0,
            known: 1 << Self::NO_DECAY,
            values,
        }
    }

    /// Starts over for an occurrence of age `age` (the values of the
    /// previous one stay, unread, until computed again).
    fn start(&mut self, age: f64) {
        self.age = age;
        self.known = 1 << Self::NO_DECAY;
    }
}

/// Scores leads one after another with one set of buffers: the rule tallies
/// and the contributions (with their evidence strings) of the previous
/// score are reused, so a batch allocates almost nothing per lead. Gives
/// the same scores as [`score`].
#[derive(Debug, Default)]
pub struct Scorer {
    tallies: Vec<Tally>,
    score: Option<Score>,
    spare: Vec<Contribution>,
    subjects: SubjectMemo,
    part: AccountPart,
    /// The account-side contributions of the last lead scored with
    /// [`AccountMode::Record`], before group caps.
    recorded: Vec<Recorded>,
}

/// An account-side contribution of a score as its rule made it, before the
/// group caps changed its points: enough to copy it back out of the score.
#[derive(Debug, Clone, Copy)]
struct Recorded {
    /// The rule's index.
    rule: u32,
    /// The contribution's index in the score.
    index: u32,
    points: f64,
    capped: bool,
}

/// What a score does with its account's own contributions (attributes and
/// signals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountMode {
    /// Computes them.
    Compute,
    /// Computes them and notes them in [`Scorer::recorded`], so the next
    /// lead of the account can take them from this score.
    Record,
    /// Copies them from [`Scorer::part`], made for the same account,
    /// signals, model and time.
    FromPart,
}

/// [`AccountMode`] with what it works on, for [`score_into`].
enum AccountSide<'x> {
    Compute,
    /// Notes them here (see [`record_account_side`]).
    Record(&'x mut Vec<Recorded>),
    /// Copies them from this part.
    FromPart(&'x AccountPart),
}

/// The contributions of a model's account-side rules (account attributes
/// and signals, rule caps applied, group caps not) for one account: what
/// every lead of the account shares, computed once by an [`AccountScorer`]
/// and copied into each lead's score.
#[derive(Debug, Default)]
struct AccountPart {
    /// The rule of each contribution, in model order.
    rules: Vec<u32>,
    contributions: Vec<Contribution>,
    spare: Vec<Contribution>,
}

/// A [`Scorer`] for the leads of one account: the account's own
/// contributions (its attributes and signals) are computed once and copied
/// into each lead's score, so a batch pays for them once per account
/// instead of once per lead. The first lead is scored as [`Scorer::score`]
/// does, noting where its account-side contributions are; when a second
/// lead comes they are copied out of the first one's score (and their
/// points from before the group caps), so an account with one lead costs
/// nothing more and one with several computes them once. The borrows keep the account, its
/// signals and the model unchanged while it lives. Gives the same scores as
/// [`score`].
#[derive(Debug)]
pub struct AccountScorer<'a> {
    scorer: &'a mut Scorer,
    model: &'a ScoringModel,
    account: Option<&'a Account>,
    signals: &'a [Signal],
    now: DateTime<Utc>,
    /// Leads scored so far (counting stops at 2: the part is ready then).
    scored: u8,
}

impl<'a> AccountScorer<'a> {
    /// Scores one lead of the account from its activities; the result
    /// stays valid until the next call.
    pub fn score(&mut self, lead: &Lead, activities: &[Activity]) -> &Score {
        let input = ScoreInput {
            lead,
            account: self.account,
            signals: self.signals,
            activities,
        };
        let scorer = &mut *self.scorer;
        let mode = match (self.scored, &scorer.score) {
            (0, _) | (1, None) => {
                self.scored = 1;
                AccountMode::Record
            }
            (1, Some(first)) => {
                // The first lead's score is still in the buffer.
                part_from_recorded(self.model, first, &scorer.recorded, &mut scorer.part);
                self.scored = 2;
                AccountMode::FromPart
            }
            _ => AccountMode::FromPart,
        };
        self.scorer.run(self.model, &input, self.now, mode)
    }

    /// The account the leads are scored with, if stored.
    pub fn account(&self) -> Option<&'a Account> {
        self.account
    }

    /// The model the leads are scored under.
    pub fn model(&self) -> &'a ScoringModel {
        self.model
    }

    /// The time the leads are scored at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
}

/// The condition results of a model's activity rules per activity subject
/// (page path, asset, ...), which repeat across the leads of a batch:
/// conditions are pure functions of the subject, so each distinct subject
/// is tested once (a regex on a page path costs more than the lookup).
///
/// A direct-mapped cache: a subject's entry is chosen by a hash of its
/// bytes and holds the last subject seen there, so a lookup is one hash,
/// one load and one comparison, memory stays bounded, and subjects that
/// share an entry (by chance or by design) only cost their tests again.
///
/// The same memo holds the results of the attribute and signal rules whose
/// conditions search text (a title's phrase list, an industry's regex) on
/// the values they read, which repeat across leads and accounts too: an
/// entry is a key (what the rules read) with a value.
#[derive(Debug, Default)]
struct SubjectMemo {
    /// The model the results are for: its version, and the address of its
    /// plan (a version given to another model, its field being public,
    /// does not pass for it).
    model: Option<(Arc<str>, usize)>,
    /// [`MEMO_SUBJECTS`] entries, made when the model is set.
    entries: Vec<MemoEntry>,
}

/// A [`SubjectMemo`] entry: the results of key `key`'s rules on `text`
/// (none while `key` is [`MemoEntry::EMPTY`]). The text's buffer is reused
/// when another takes the entry.
#[derive(Debug, Clone)]
struct MemoEntry {
    key: u32,
    text: String,
    bits: u64,
}

impl MemoEntry {
    const EMPTY: u32 = u32::MAX;
}

/// The longest attribute or signal value whose results are memoized: a
/// longer one is tested each time, and no entry keeps its buffer.
const MEMO_TEXT_BYTES: usize = 256;

/// The memo key of the activities' subjects (page paths, assets, ...).
const ACTIVITY_SUBJECTS: u32 = 0;

/// Entries of a [`SubjectMemo`] (a power of two).
const MEMO_SUBJECTS: usize = 2048;

/// The entry of `text` under memo key `key` in a [`SubjectMemo`]: the top
/// bits of its fixed-key hash, mixed with the key.
fn subject_entry(key: u32, text: &str) -> usize {
    use std::hash::BuildHasher;
    let h = foldhash::fast::FixedState::default().hash_one(text)
        ^ u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - MEMO_SUBJECTS.trailing_zeros())) as usize
}

impl SubjectMemo {
    /// Starts over when `model` is not the one the results are for.
    fn use_model(&mut self, model: &ScoringModel) {
        let plan = std::ptr::from_ref(&model.plan) as usize;
        if !self
            .model
            .as_ref()
            .is_some_and(|(v, p)| Arc::ptr_eq(v, &model.version) && *p == plan)
        {
            self.model = Some((model.version.clone(), plan));
            for e in &mut self.entries {
                e.key = MemoEntry::EMPTY;
            }
            self.entries.resize(
                MEMO_SUBJECTS,
                MemoEntry {
                    key: MemoEntry::EMPTY,
                    text: String::new(),
                    bits: 0,
                },
            );
        }
    }

    /// The results on the activity subject `subject`; the memo is set for
    /// `model` (by [`Self::use_model`], which makes its entries).
    fn bits(&mut self, model: &ScoringModel, subject: &str) -> u64 {
        self.results(model, ACTIVITY_SUBJECTS, subject)
    }

    /// The results of key `key`'s rules on `text`, by bit.
    fn results(&mut self, model: &ScoringModel, key: u32, text: &str) -> u64 {
        let entry = &mut self.entries[subject_entry(key, text) % MEMO_SUBJECTS];
        if entry.key == key && entry.text == text {
            return entry.bits;
        }
        let bits = model.plan.condition_bits(model.rules(), key, text);
        entry.key = key;
        entry.text.clear();
        entry.text.push_str(text);
        entry.bits = bits;
        bits
    }
}

/// [`passes`], through `memo` when rule `r`'s condition searches text and
/// `v` is text.
#[inline]
fn passes_memo(
    model: &ScoringModel,
    memo: Option<&mut SubjectMemo>,
    r: usize,
    rule: &Rule,
    v: Value<'_>,
) -> bool {
    let plan = &model.plan;
    if let (Value::Text(t), Some((key, bit)), Some(memo)) = (v, plan.value_bits[r], memo)
        && t.len() <= MEMO_TEXT_BYTES
    {
        return memo.results(model, key, t) & (1 << bit) != 0;
    }
    passes(plan, r, rule, v)
}

impl Scorer {
    /// An empty scorer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scores one lead; the result stays valid until the next call.
    pub fn score(
        &mut self,
        model: &ScoringModel,
        input: &ScoreInput<'_>,
        now: DateTime<Utc>,
    ) -> &Score {
        self.run(model, input, now, AccountMode::Compute)
    }

    /// A scorer for the leads of `account` (with its `signals`) under
    /// `model` at `now`, which computes the account's own contributions
    /// once for all of them (see [`AccountScorer`]).
    pub fn for_account<'a>(
        &'a mut self,
        model: &'a ScoringModel,
        account: Option<&'a Account>,
        signals: &'a [Signal],
        now: DateTime<Utc>,
    ) -> AccountScorer<'a> {
        AccountScorer {
            scorer: self,
            model,
            account,
            signals,
            now,
            scored: 0,
        }
    }

    /// Scores one lead, its account's contributions computed, noted or
    /// copied as `mode` says.
    fn run(
        &mut self,
        model: &ScoringModel,
        input: &ScoreInput<'_>,
        now: DateTime<Utc>,
        mode: AccountMode,
    ) -> &Score {
        let score = self
            .score
            .get_or_insert_with(|| Score::unscored(model, Vec::new(), now));
        if !Arc::ptr_eq(&score.model_version, &model.version) {
            score.model_version = model.version.clone();
        }
        self.subjects.use_model(model);
        score_into(
            model,
            input,
            now,
            &mut self.tallies,
            &mut score.contributions,
            &mut self.spare,
            Some(&mut self.subjects),
            match mode {
                AccountMode::Compute => AccountSide::Compute,
                AccountMode::Record => AccountSide::Record(&mut self.recorded),
                AccountMode::FromPart => AccountSide::FromPart(&self.part),
            },
        );
        finish(model, score, now);
        score
    }
}

/// Copies the account-side contributions of `score` (noted in `recorded`
/// when it was made, [`AccountMode::Record`]) into `part` (reusing its
/// buffers), with their points from before the group caps: what every
/// lead of the same account, signals, model and time shares.
fn part_from_recorded(
    model: &ScoringModel,
    score: &Score,
    recorded: &[Recorded],
    part: &mut AccountPart,
) {
    let rules = model.rules();
    part.rules.clear();
    let mut out = Slots {
        contributions: &mut part.contributions,
        spare: &mut part.spare,
        len: 0,
    };
    for rec in recorded {
        let c = out.next(&rules[rec.rule as usize]);
        c.copy_outcome(&score.contributions[rec.index as usize]);
        c.points = rec.points;
        c.capped = rec.capped;
        part.rules.push(rec.rule);
    }
    out.finish();
}

/// One pass over the signals feeds every signal rule's tally.
fn signal_pass(
    model: &ScoringModel,
    signals: &[Signal],
    now: Now,
    tallies: &mut [Tally],
    mut memo: Option<&mut SubjectMemo>,
) {
    let plan = &model.plan;
    let rules = model.rules();
    let mut decay = DecayMemo::new();
    for (i, s) in signals.iter().enumerate() {
        let Some((_, interested)) = plan.by_signal.iter().find(|(n, _)| *n == s.name) else {
            continue;
        };
        let at = now.stamp(s.observed_at);
        let age = now.age(s.observed_at, at);
        decay.start(age);
        for w in interested {
            let r = w.rule as usize;
            observe(
                w,
                &mut tallies[w.slot as usize],
                i as u32,
                at,
                age,
                || passes_memo(model, memo.as_deref_mut(), r, &rules[r], signal_value(s)),
                &mut decay,
            );
        }
    }
}

/// The contribution of rule `r` when it is account-side (an account
/// attribute or a signal rule, its tally filled by [`signal_pass`]); true
/// when it is and it fired. Rule caps are not applied here.
#[allow(clippy::too_many_arguments)]
fn account_side(
    model: &ScoringModel,
    memo: Option<&mut SubjectMemo>,
    rule: &Rule,
    r: usize,
    tallies: &[Tally],
    account: Option<&Account>,
    signals: &[Signal],
    out: &mut Slots<'_>,
) -> bool {
    match &rule.subject {
        Subject::Account(field) => {
            let v = account_value(account, field);
            attribute(
                rule,
                passes_memo(model, memo, r, rule, v),
                account_field_name(field),
                v,
                out,
            )
        }
        Subject::Signal(name) => {
            let tally = model.plan.steps[r]
                .slot
                .map_or(Tally::EMPTY, |s| tallies[s as usize]);
            let fired = from_tally(rule, &tally, "", out, |i| {
                let s = &signals[i as usize];
                let what = s
                    .evidence
                    .as_ref()
                    .map_or_else(|| name.as_str(), |e| e.text.as_str());
                (
                    if what.is_empty() { name.as_str() } else { what },
                    s.evidence.as_ref().and_then(|e| e.url.as_deref()),
                    s.observed_at,
                )
            });
            if fired {
                let c = out.last();
                if rule.condition.is_some() && !c.evidence.starts_with(name.as_str()) {
                    // Name the signal so the explanation stands on its own.
                    c.evidence.prepend(": ");
                    c.evidence.prepend(name);
                }
            }
            fired
        }
        Subject::Lead(_) | Subject::Activity(_) => false,
    }
}

/// Bounds the magnitude of the last contribution's points by its rule's cap.
fn apply_rule_cap(rule: &Rule, out: &mut Slots<'_>) {
    if let Some(cap) = rule.cap {
        let c = out.last();
        if c.points.abs() > cap {
            c.points = cap.copysign(c.points);
            c.capped = true;
        }
    }
}

/// Runs every rule of `model` over `input` into `contributions` (reusing
/// its entries, then `spare`'s, as buffers), with rule and group caps
/// applied; activity conditions through `memo` when given; the account-side
/// contributions as `account` says (a part copied from must have been
/// computed for this input's account and signals, this model and this
/// `now`).
#[allow(clippy::too_many_arguments)]
fn score_into(
    model: &ScoringModel,
    input: &ScoreInput<'_>,
    now: DateTime<Utc>,
    tallies: &mut Vec<Tally>,
    contributions: &mut Vec<Contribution>,
    spare: &mut Vec<Contribution>,
    mut memo: Option<&mut SubjectMemo>,
    account: AccountSide<'_>,
) {
    let (part, record) = match account {
        AccountSide::Compute => (None, None),
        AccountSide::Record(record) => (None, Some(record)),
        AccountSide::FromPart(part) => (Some(part), None),
    };
    let plan = &model.plan;
    let rules = model.rules();
    let now = Now::of(now);
    tallies.clear();
    tallies.resize(plan.slots, Tally::EMPTY);

    // One pass over the activities feeds every activity rule, in model
    // order per activity and in input order per rule.
    let mut decay = DecayMemo::new();
    for (i, a) in input.activities.iter().enumerate() {
        let interested = match a.kind.builtin_index() {
            Some(k) => plan
                .by_builtin
                .get(k as usize)
                .map_or(&[][..], Vec::as_slice),
            None => plan.custom_rules(a.kind.name()),
        };
        if interested.is_empty() {
            continue;
        }
        let at = now.stamp(a.occurred_at);
        let age = now.age(a.occurred_at, at);
        decay.start(age);
        let subject = a.subject();
        let value = subject.map_or(Value::Missing, Value::Text);
        let bits = match (memo.as_deref_mut(), subject) {
            (Some(m), Some(s)) => Some(m.bits(model, s)),
            (Some(_), None) => Some(plan.missing_bits),
            (None, _) => None,
        };
        for w in interested {
            observe(
                w,
                &mut tallies[w.slot as usize],
                i as u32,
                at,
                age,
                || match bits {
                    Some(bits) if w.bit != Watch::NONE => bits & (1 << w.bit) != 0,
                    _ => {
                        let r = w.rule as usize;
                        passes(plan, r, &rules[r], value)
                    }
                },
                &mut decay,
            );
        }
    }
    // And one over the signals feeds the signal rules (unless the account's
    // contributions are already known).
    if part.is_none() {
        signal_pass(model, input.signals, now, tallies, memo.as_deref_mut());
    }
    // Then each rule, in model order, yields its contribution.
    let mut out = Slots {
        contributions,
        spare,
        len: 0,
    };
    let mut shared = part.map(|p| p.rules.iter().zip(&p.contributions).peekable());
    for (r, (rule, step)) in rules.iter().zip(&plan.steps).enumerate() {
        if let Some(shared) = shared.as_mut()
            && step.side == Side::Account
        {
            // Computed once for the account, rule cap included.
            if let Some((_, c)) = shared.next_if(|&(&pr, _)| pr as usize == r) {
                out.next(rule).copy_outcome(c);
            }
            continue;
        }
        let fired = match step.side {
            Side::Lead => {
                let Subject::Lead(field) = &rule.subject else {
                    continue;
                };
                let v = lead_value(input.lead, field);
                let passed = match plan.enum_masks[r] {
                    Some(mask) => mask & enum_bit(input.lead, field) != 0,
                    None => passes_memo(model, memo.as_deref_mut(), r, rule, v),
                };
                attribute(rule, passed, lead_field_name(field), v, &mut out)
            }
            Side::Account => account_side(
                model,
                memo.as_deref_mut(),
                rule,
                r,
                tallies,
                input.account,
                input.signals,
                &mut out,
            ),
            Side::Activity => {
                let tally = step.slot.map_or(Tally::EMPTY, |s| tallies[s as usize]);
                from_tally(rule, &tally, step.prefix.as_str(), &mut out, |i| {
                    let a = &input.activities[i as usize];
                    (
                        a.subject().unwrap_or(a.kind.name()),
                        a.url.as_deref(),
                        a.occurred_at,
                    )
                })
            }
        };
        if fired {
            apply_rule_cap(rule, &mut out);
        }
    }
    out.finish();
    if let Some(record) = record {
        record_account_side(rules, contributions, record);
    }
    if !model.groups.is_empty() {
        apply_group_caps(model, contributions);
    }
}

/// Notes in `record` where the account-side contributions among
/// `contributions` (in model order, before the group caps) are, with their
/// points.
fn record_account_side(rules: &[Rule], contributions: &[Contribution], record: &mut Vec<Recorded>) {
    record.clear();
    let count = rules.len();
    let mut rules = rules.iter();
    for (i, c) in contributions.iter().enumerate() {
        if let Some(rule) = rule_of(&mut rules, c)
            && matches!(rule.subject, Subject::Account(_) | Subject::Signal(_))
        {
            record.push(Recorded {
                // The rules after it are still to walk.
                rule: (count - rules.len() - 1) as u32,
                index: i as u32,
                points: c.points,
                capped: c.capped,
            });
        }
    }
}

/// Initial capacity of a new contribution's evidence.
const EVIDENCE_CAPACITY: usize = 64;

/// The output contributions being written: entries below `len` are this
/// score's; the rest, and `spare`, are buffers from earlier scores.
struct Slots<'v> {
    contributions: &'v mut Vec<Contribution>,
    spare: &'v mut Vec<Contribution>,
    len: usize,
}

impl Slots<'_> {
    /// The next contribution, for `rule`, with every field but the points
    /// and evidence reset; its evidence is empty with its capacity kept.
    fn next(&mut self, rule: &Rule) -> &mut Contribution {
        if self.len == self.contributions.len() {
            let c = self.spare.pop().unwrap_or_else(|| Contribution {
                rule: rule.id,
                label: rule.label,
                category: rule.category,
                points: 0.0,
                raw_points: 0.0,
                decay: 1.0,
                occurrences: 0,
                capped: false,
                // Room for most texts: "KIND SUBJECT".
                evidence: String::with_capacity(EVIDENCE_CAPACITY).into(),
                source_url: None,
                observed_at: None,
            });
            self.contributions.push(c);
        }
        let c = &mut self.contributions[self.len];
        self.len += 1;
        c.rule = rule.id;
        c.label = rule.label;
        c.category = rule.category;
        c.capped = false;
        c.evidence.clear();
        c
    }

    fn last(&mut self) -> &mut Contribution {
        &mut self.contributions[self.len - 1]
    }

    /// Ends the writing: the entries past this score's go back to `spare`.
    fn finish(self) {
        if self.contributions.len() > self.len {
            self.spare.extend(self.contributions.drain(self.len..));
        }
    }
}

impl Contribution {
    /// The points before the rule's and its group's caps: the raw points
    /// with their decay (what a cap cut, when `capped`).
    pub fn uncapped_points(&self) -> f64 {
        self.raw_points * self.decay
    }

    /// Copies `c`'s outcome (points, evidence, source, time) into this
    /// contribution of the same rule, fresh from [`Slots::next`].
    fn copy_outcome(&mut self, c: &Contribution) {
        self.points = c.points;
        self.raw_points = c.raw_points;
        self.decay = c.decay;
        self.occurrences = c.occurrences;
        self.capped = c.capped;
        self.evidence.copy_from(&c.evidence);
        set_url(&mut self.source_url, c.source_url.as_deref());
        self.observed_at = c.observed_at;
    }
}

/// Sets `slot` to `url`, reusing its buffer.
#[inline]
fn set_url(slot: &mut Option<String>, url: Option<&str>) {
    match (slot.as_mut(), url) {
        // Most evidence has no link, and most reused slots had none.
        (None, None) => {}
        (Some(s), Some(u)) => {
            s.clear();
            s.push_str(u);
        }
        (_, u) => *slot = u.map(str::to_owned),
    }
}

/// An attribute rule: its points once when the value `passed` the rule's
/// condition.
fn attribute(rule: &Rule, passed: bool, field: &str, v: Value<'_>, out: &mut Slots<'_>) -> bool {
    if !passed {
        return false;
    }
    let c = out.next(rule);
    c.points = rule.points;
    c.raw_points = rule.points;
    c.decay = 1.0;
    c.occurrences = 1;
    let e = c.evidence.text_mut();
    e.push_str(field);
    e.push_str(" = ");
    push_value(e, v);
    set_url(&mut c.source_url, None);
    c.observed_at = None;
    true
}

/// A rule over occurrences: its points per matching occurrence (decayed),
/// or once for the latest one, or once on a count. A non-empty `prefix`
/// and a space start the evidence of a non-count rule (an activity kind's
/// name); `describe` gives an occurrence's text and link.
fn from_tally<'a>(
    rule: &Rule,
    tally: &Tally,
    prefix: &str,
    out: &mut Slots<'_>,
    describe: impl FnOnce(u32) -> (&'a str, Option<&'a str>, DateTime<Utc>),
) -> bool {
    if let Some(c) = &rule.count {
        if !c.range.contains(f64::from(tally.count)) {
            return false;
        }
        let latest = tally.latest().map(|i| {
            let (_, url, at) = describe(i);
            (at, url)
        });
        let windowed = tally.count;
        let out = out.next(rule);
        out.points = rule.points;
        out.raw_points = rule.points;
        out.decay = 1.0;
        out.occurrences = windowed;
        out.evidence.set_tail(Tail::Count {
            count: windowed,
            within_days: c.within_days,
        });
        set_url(&mut out.source_url, latest.and_then(|(_, u)| u));
        out.observed_at = latest.map(|(t, _)| t);
        return true;
    }
    let Some(index) = tally.latest() else {
        return false;
    };
    let (what, url, latest_at) = describe(index);
    let c = out.next(rule);
    if rule.per_occurrence {
        c.points = tally.decayed;
        // Points per occurrence times occurrences.
        let raw = rule.points * f64::from(tally.count);
        c.raw_points = raw;
        c.decay = if raw == 0.0 { 1.0 } else { tally.decayed / raw };
        c.occurrences = tally.count;
    } else {
        c.points = rule.points * tally.latest_decay;
        c.raw_points = rule.points;
        c.decay = tally.latest_decay;
        c.occurrences = 1;
    }
    let e = c.evidence.text_mut();
    // An activity without a subject is told by its kind, which the prefix
    // already is: `form_submitted`, not `form_submitted form_submitted`.
    if prefix.is_empty() {
        e.push_str(what);
    } else {
        e.push_str(prefix);
        if what != prefix {
            e.push(' ');
            e.push_str(what);
        }
    }
    c.evidence.set_tail(Tail::Latest {
        count: tally.count,
        at: latest_at,
    });
    set_url(&mut c.source_url, url);
    c.observed_at = Some(latest_at);
    true
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

/// The rule of the next contribution `c` of a score, from `rules` walked
/// along with the contributions: these are in model order, a subsequence
/// of the rules, so a contribution's rule is the next one with its id.
fn rule_of<'r>(rules: &mut std::slice::Iter<'r, Rule>, c: &Contribution) -> Option<&'r Rule> {
    rules.find(|rule| rule.id == c.rule)
}

/// Scales each group's positive points down to its cap; each
/// contribution's group is its rule's ([`rule_of`]).
fn apply_group_caps(model: &ScoringModel, contributions: &mut [Contribution]) {
    fn group_of(rules: &mut std::slice::Iter<'_, Rule>, c: &Contribution) -> Option<usize> {
        rule_of(rules, c).and_then(|r| r.group)
    }
    let mut small = [0.0f64; 8];
    let mut large = Vec::new();
    let factors: &mut [f64] = if model.groups.len() <= small.len() {
        &mut small[..model.groups.len()]
    } else {
        large.resize(model.groups.len(), 0.0);
        &mut large
    };
    // Each group's positive sum...
    let mut rules = model.rules().iter();
    for c in contributions.iter() {
        if let Some(f) = group_of(&mut rules, c).and_then(|g| factors.get_mut(g))
            && c.points > 0.0
        {
            *f += c.points;
        }
    }
    // ...becomes the factor that brings it down to the cap.
    let mut any = false;
    for (f, group) in factors.iter_mut().zip(&model.groups) {
        if *f > group.cap {
            *f = group.cap / *f;
            any = true;
        } else {
            *f = 1.0;
        }
    }
    if !any {
        return;
    }
    let mut rules = model.rules().iter();
    for c in contributions.iter_mut() {
        if let Some(&f) = group_of(&mut rules, c).and_then(|g| factors.get(g))
            && f != 1.0
            && c.points > 0.0
        {
            c.points *= f;
            c.capped = true;
        }
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
/// 4. When a rule with `disqualify` fired, the total is 0 (the tier cold)
///    and [`Score::disqualified_by`] names the first such rule.
pub fn score(model: &ScoringModel, input: &ScoreInput<'_>, now: DateTime<Utc>) -> Score {
    let mut contributions = Vec::with_capacity(model.rules().len());
    score_into(
        model,
        input,
        now,
        &mut Vec::new(),
        &mut contributions,
        &mut Vec::new(),
        None,
        AccountSide::Compute,
    );
    let mut score = Score::unscored(model, contributions, now);
    finish(model, &mut score, now);
    score
}

/// Sums the contributions into fit, engagement, total, tier and grade.
fn finish(model: &ScoringModel, score: &mut Score, now: DateTime<Utc>) {
    let (mut fit_raw, mut eng_raw) = (0.0, 0.0);
    for c in &score.contributions {
        match c.category {
            Category::Fit => fit_raw += c.points,
            Category::Engagement => eng_raw += c.points,
        }
    }
    let fit = round1((fit_raw / model.scale.fit_max * 100.0).clamp(0.0, 100.0));
    let engagement = round1((eng_raw / model.scale.engagement_max * 100.0).clamp(0.0, 100.0));
    // Contributions are in model order, as the disqualifying rules are.
    let disqualified_by = if model.plan.disqualifying.is_empty() {
        None
    } else {
        score
            .contributions
            .iter()
            .find(|c| model.plan.disqualifying.contains(&c.rule))
            .map(|c| c.rule)
    };
    // Cold when disqualified, even under a model whose `warm` is 0.
    let (total, tier) = if disqualified_by.is_some() {
        (0.0, Tier::Cold)
    } else {
        let total = round1(
            (model.weights.fit * fit + model.weights.engagement * engagement).clamp(0.0, 100.0),
        );
        (total, tier_of(model, total))
    };
    score.disqualified_by = disqualified_by;
    score.fit = fit;
    score.engagement = engagement;
    score.total = total;
    score.tier = tier;
    score.grade = grade(model, fit, engagement);
    score.scored_at = now;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Email;
    use chrono::TimeZone;

    /// A tier fills its column in a table (`explain`'s history).
    #[test]
    fn a_tier_is_padded_as_the_format_asks() {
        assert_eq!(format!("{:<4}|", Tier::Hot), "hot |");
        assert_eq!(format!("{:<4}|", Tier::Warm), "warm|");
        assert_eq!(format!("{}", Tier::Cold), "cold");
    }

    #[test]
    fn text_sets_give_what_the_conditions_give() {
        // The literals are lowercase, as the model stores them; the values
        // mix case, non-ASCII letters whose lowercase differs only outside
        // ASCII, and lengths that agree with a literal without matching it.
        let text = |t: &str| Literal::Text(t.into());
        let conditions = [
            Condition::Equals(text("hubspöt")),
            Condition::In(vec![text("marketo"), text("6sense"), text("straße")]),
            Condition::In(vec![text("ärzte"), text("i̇stanbul"), text("")]),
        ];
        let values = [
            "HubSpöt",
            "HUBSPÖT",
            "hubspot",
            "hubspöt",
            "Marketo",
            "MARKETO ",
            "marketx",
            "6SENSE",
            "Straße",
            "STRASSE",
            "straße",
            "ÄRZTE",
            "Ärzte",
            "İstanbul",
            "istanbul",
            "",
        ];
        for c in &conditions {
            let set = TextSet::of(Some(c)).unwrap();
            for v in values {
                assert_eq!(
                    set.contains(v),
                    test(Some(c), Value::Text(v)),
                    "{c:?} on {v:?}"
                );
            }
        }
        // Only equals/in over text compile to a set.
        for c in [
            Condition::Equals(Literal::Number(3.0)),
            Condition::In(vec![text("a"), Literal::Bool(true)]),
            Condition::Contains("a".into()),
            Condition::Exists(true),
        ] {
            assert!(TextSet::of(Some(&c)).is_none(), "{c:?}");
        }
        assert!(TextSet::of(None).is_none());
    }

    #[test]
    fn subjects_sharing_a_memo_entry_each_get_their_own_results() {
        let model = ScoringModel::default_model().unwrap();
        // Two paths with the same entry: the second evicts the first, which
        // is then tested again, never given the other's results.
        let blog: std::collections::HashMap<usize, String> = (0..4096)
            .map(|i| {
                let p = format!("/blog/{i}");
                (subject_entry(ACTIVITY_SUBJECTS, &p), p)
            })
            .collect();
        let (a, b) = (0..100_000)
            .map(|i| format!("/pricing/{i}"))
            .find_map(|p| {
                blog.get(&subject_entry(ACTIVITY_SUBJECTS, &p))
                    .map(|q| (p.clone(), q.clone()))
            })
            .unwrap();
        let bits = |p: &str| {
            model
                .plan
                .condition_bits(model.rules(), ACTIVITY_SUBJECTS, p)
        };
        assert_ne!(bits(&a), bits(&b), "{a} {b}: pick paths that differ");
        let mut memo = SubjectMemo::default();
        memo.use_model(&model);
        for p in [&a, &b, &a, &a, &b] {
            assert_eq!(memo.bits(&model, p), bits(p), "{p}");
        }
    }

    #[test]
    fn a_text_read_by_two_keys_gets_each_keys_results() {
        // A title and an industry searched for the same text under other
        // conditions: one memo holds both, each under its own key, and
        // neither key is given the other's results.
        let model = ScoringModel::from_toml(
            "name = \"t\"\n[scale]\nfit_max = 100\nengagement_max = 100\n[weights]\nfit = 1\nengagement = 1\n\
             [tiers]\nhot = 80\nwarm = 50\nhysteresis = 5\n[grades]\nfit = [75, 50, 25]\nengagement = [75, 50, 25]\n\
             [[rule]]\nid = \"t\"\nlead = \"title\"\ncontains = \"soft\"\npoints = 1\n\
             [[rule]]\nid = \"i\"\naccount = \"industry\"\nregex = \"^x\"\npoints = 1\n\
             [[rule]]\nid = \"s\"\nsignal = \"tech\"\ncontains = [\"x\", \"ware\"]\npoints = 1\n\
             [[rule]]\nid = \"plain\"\nlead = \"title\"\nequals = \"software\"\npoints = 1\n\
             [[rule]]\nid = \"email\"\nlead = \"email\"\ncontains = \"soft\"\npoints = 1\n\
             [[rule]]\nid = \"name\"\naccount = \"name\"\nregex = \"^x\"\npoints = 1\n",
            "memo.toml",
        )
        .unwrap();
        // The cheap `equals` has no bit, nor do the searches in values that
        // do not repeat across leads (an email, an account's name); the
        // other three each have a key.
        assert_eq!(
            model.plan.value_bits,
            [Some((1, 0)), Some((2, 0)), Some((3, 0)), None, None, None]
        );
        let mut memo = SubjectMemo::default();
        memo.use_model(&model);
        for _ in 0..2 {
            assert_eq!(memo.results(&model, 1, "Software"), 1);
            assert_eq!(memo.results(&model, 2, "Software"), 0);
            assert_eq!(memo.results(&model, 3, "Software"), 1);
            assert_eq!(memo.results(&model, 1, "xyz"), 0);
            assert_eq!(memo.results(&model, 2, "xyz"), 1);
        }
    }

    #[test]
    fn past_64_rules_on_one_value_the_rules_are_tested_directly() {
        // 70 title rules searching text: the first 64 have bits in the
        // memo, the rest none, and a reused scorer gives what `score` does.
        let mut rules = String::new();
        for i in 0..70 {
            rules.push_str(&format!(
                "[[rule]]\nid = \"r{i}\"\nlead = \"title\"\ncontains = \"w{i}x\"\npoints = 1\n"
            ));
        }
        let model = ScoringModel::from_toml(
            &format!(
                "name = \"t\"\n[scale]\nfit_max = 100\nengagement_max = 100\n[weights]\nfit = 1\nengagement = 1\n[tiers]\nhot = 80\nwarm = 50\nhysteresis = 5\n[grades]\nfit = [75, 50, 25]\nengagement = [75, 50, 25]\n{rules}"
            ),
            "m.toml",
        )
        .unwrap();
        assert!(model.plan.value_bits[..64].iter().all(Option::is_some));
        assert!(model.plan.value_bits[64..].iter().all(Option::is_none));
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut scorer = Scorer::new();
        // A title longer than the memo keeps is tested each time.
        let long = format!("{} w5x", "filler ".repeat(50));
        for title in ["w3x and W69X", "w63x w64x", "nothing", "W3X", &long] {
            let mut lead = Lead::new(Email::parse("a@corp.com").unwrap(), None, now);
            lead.set_title(Some(title.into()));
            let input = ScoreInput {
                lead: &lead,
                account: None,
                signals: &[],
                activities: &[],
            };
            let fresh = score(&model, &input, now);
            assert_eq!(scorer.score(&model, &input, now), &fresh, "{title}");
            assert_eq!(scorer.score(&model, &input, now), &fresh, "{title}");
        }
    }

    #[test]
    fn enum_masks_give_what_the_conditions_give() {
        // Every kind of condition a seniority or department rule can have,
        // against every value and none: the mask compiled with the model
        // must agree with the condition tested on the value's name.
        // (seniority's, department's): `equals` and `in` take only the
        // field's own values (the model refuses others).
        let conditions = [
            (r#"equals = "vp""#, r#"equals = "sales""#),
            (r#"equals = "VP""#, r#"equals = "SALES""#),
            (
                r#"in = ["director", "head"]"#,
                r#"in = ["marketing", "customer_success"]"#,
            ),
            (r#"contains = "c_""#, r#"contains = "c_""#),
            (
                r#"regex = "^(ic|senior|sales)$""#,
                r#"regex = "^(ic|senior|sales)$""#,
            ),
            ("exists = true", "exists = true"),
            ("exists = false", "exists = false"),
            ("range = { gte = 1 }", "range = { gte = 1 }"),
            ("", ""),
        ];
        let mut rules = String::new();
        for (i, (senior, dept)) in conditions.iter().enumerate() {
            for (field, c) in [("seniority", senior), ("department", dept)] {
                rules.push_str(&format!(
                    "[[rule]]\nid = \"{field}-{i}\"\nlabel = \"x\"\nlead = \"{field}\"\n{c}\npoints = 1\n"
                ));
            }
        }
        let model = ScoringModel::from_toml(
            &format!(
                "name = \"t\"\n[scale]\nfit_max = 100\nengagement_max = 100\n[weights]\nfit = 1\nengagement = 1\n[tiers]\nhot = 80\nwarm = 50\nhysteresis = 5\n[grades]\nfit = [75, 50, 25]\nengagement = [75, 50, 25]\n{rules}"
            ),
            "m.toml",
        )
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut lead = Lead::new(Email::parse("a@corp.com").unwrap(), None, now);
        let seniorities = Seniority::ALL.map(Some).into_iter().chain([None]);
        let departments = Department::ALL.map(Some).into_iter().chain([None]);
        let mut checked = 0;
        for s in seniorities {
            for d in departments.clone() {
                lead.seniority = s;
                lead.department = d;
                for (r, rule) in model.rules().iter().enumerate() {
                    let Subject::Lead(field) = &rule.subject else {
                        unreachable!()
                    };
                    let mask = model.plan.enum_masks[r].unwrap();
                    let want = test(rule.condition.as_ref(), lead_value(&lead, field));
                    assert_eq!(mask & enum_bit(&lead, field) != 0, want, "{}", rule.id);
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 13 * conditions.len() * 2);
    }

    #[test]
    fn ages_count_leap_seconds_like_chrono() {
        // chrono reads `:60` as a leap second and counts it in a difference.
        let at = NaiveDate::from_ymd_opt(2024, 3, 1)
            .and_then(|d| d.and_hms_nano_opt(12, 0, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        let now = Utc.with_ymd_and_hms(2024, 3, 1, 13, 0, 0).unwrap();
        let expected = ((now - at).num_seconds() as f64 / SECONDS_PER_DAY).max(0.0);
        assert_eq!(Now::of(now).age_days(at).to_bits(), expected.to_bits());
        assert_eq!(Now::of(at).age_days(now).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn stamps_from_the_year_give_what_the_calendar_gives() {
        // Every day of the three years around a leap year, at varied times,
        // and instants far from now (the calendar path), from several nows.
        for now in [
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 3, 1, 12, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 12, 31, 23, 59, 59).unwrap(),
        ] {
            let n = Now::of(now);
            let start = Utc.with_ymd_and_hms(2022, 12, 25, 0, 0, 0).unwrap();
            for day in 0..(4 * 366 + 14) {
                let t = start
                    + chrono::TimeDelta::days(day)
                    + chrono::TimeDelta::new(
                        day * 7_919 % 86_400,
                        (day as u32) * 1_234_567 % 1_000_000_000,
                    )
                    .unwrap();
                assert_eq!(n.stamp(t), Stamp::of(t), "{now} {t}");
            }
            for t in [
                DateTime::<Utc>::MIN_UTC,
                DateTime::<Utc>::MAX_UTC,
                Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(-44, 3, 15, 12, 0, 0).unwrap(),
            ] {
                assert_eq!(n.stamp(t), Stamp::of(t), "{now} {t}");
            }
        }
        // Nows at the ends of chrono's range.
        for now in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let n = Now::of(now);
            assert_eq!(n.stamp(now), Stamp::of(now));
        }
    }

    #[test]
    fn ages_truncate_toward_zero_like_time_delta() {
        let base = Utc.timestamp_opt(1_780_000_000, 250_000_000).unwrap();
        let now = Now::of(base);
        for (secs, nanos) in [
            (0i64, 0u32),
            (1, 0),
            (1, 500_000_000),
            (0, 999_999_999),
            (86_399, 999_999_999),
            (86_400, 0),
            (-5, 0),
            (123_456, 1),
        ] {
            for sign in [1, -1] {
                let at = base - chrono::TimeDelta::new(sign * secs, nanos).unwrap();
                let expected = ((base - at).num_seconds() as f64 / SECONDS_PER_DAY).max(0.0);
                assert_eq!(
                    now.age_days(at).to_bits(),
                    expected.to_bits(),
                    "{sign} {secs}s {nanos}ns"
                );
            }
        }
    }
}

//! Funding and news events as scoring signals (names in `docs/signals.md`).
//!
//! - `funding.round` (text: the stage) and `funding.amount` (number, full
//!   units; the evidence names the currency) for the most recent round,
//!   `observed_at` = its announcement date; `funding.last_round_days`
//!   (number: days from that date to `now`).
//! - `news.layoffs`, `news.acquisition`, `news.leadership_hire`,
//!   `news.product_launch` (flag `true`, the most recent of each kind,
//!   `observed_at` = the event's date);
//! - `news.press_mentions_90d` (number of items dated in the last 90 days).
//!
//! Events without a date (or dated more than a day ahead: a typo) are dated
//! when they were first seen ([`to_signals_seen`]: the caller keeps that
//! date from run to run, by [`undated_key`]), else `now` (they were seen
//! now), and a dated event is preferred to them as the most recent: an
//! undated item would otherwise be the newest at every run. Press mentions
//! count dated items only. One signal per name, so a rule's points are never
//! counted twice for one fact.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use leadscore_core::domain::{Signal, SignalValue};

use crate::events::CompanyEvent;
use crate::funding::FundingEvent;

/// The date, unless it is more than a day after `now`.
fn known(d: Option<NaiveDate>, now: DateTime<Utc>) -> Option<NaiveDate> {
    d.filter(|d| *d <= now.date_naive() + chrono::Duration::days(1))
}

fn at(d: Option<NaiveDate>, now: DateTime<Utc>) -> DateTime<Utc> {
    known(d, now)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .filter(|t| *t <= now)
        .unwrap_or(now)
}

/// A finding of one kind as a key that stays the same from run to run
/// while its item does: for an undated one, to remember when it was first
/// seen. A round is its stage, amount and currency; an event its signal
/// and text.
#[derive(Debug, Clone, Copy)]
pub enum Finding<'a> {
    /// A funding round.
    Funding(&'a FundingEvent),
    /// A company event.
    Event(&'a CompanyEvent),
}

impl Finding<'_> {
    /// Its own date: a round's announcement, an event's item.
    fn date(self) -> Option<NaiveDate> {
        match self {
            Finding::Funding(f) => f.announced_on,
            Finding::Event(e) => e.evidence().date,
        }
    }
}

/// The key of `finding` when it has no date of its own (none otherwise).
pub fn undated_key(finding: Finding<'_>, now: DateTime<Utc>) -> Option<String> {
    if known(finding.date(), now).is_some() {
        return None;
    }
    Some(match finding {
        Finding::Funding(f) => format!(
            "funding|{}|{}|{}",
            f.round.as_str(),
            f.amount.map(|a| a.to_string()).unwrap_or_default(),
            f.currency.as_deref().unwrap_or("")
        ),
        Finding::Event(e) => format!("{}|{}", e.signal_name(), e.evidence().text.to_lowercase()),
    })
}

/// The signals for an account's funding rounds and news events (both
/// already deduplicated across items, see [`crate::funding::dedupe`]),
/// undated ones dated now.
pub fn to_signals(
    funding: &[FundingEvent],
    events: &[CompanyEvent],
    now: DateTime<Utc>,
) -> Vec<Signal> {
    to_signals_seen(funding, events, now, &BTreeMap::new(), None)
}

/// [`to_signals`], undated findings dated when first seen: `seen` maps
/// their [`undated_key`] to that day. Those first seen on `first_read`, the
/// day of the account's first reading, were already there then: of unknown
/// age, they give no signal (a round or layoff of years ago, on a page
/// without dates, would count as news of that day).
pub fn to_signals_seen(
    funding: &[FundingEvent],
    events: &[CompanyEvent],
    now: DateTime<Utc>,
    seen: &BTreeMap<String, NaiveDate>,
    first_read: Option<NaiveDate>,
) -> Vec<Signal> {
    let aged = |f: Finding<'_>| {
        known(f.date(), now).is_some()
            || first_read.is_none()
            || undated_key(f, now)
                .and_then(|k| seen.get(&k).copied())
                .is_none_or(|d| Some(d) != first_read)
    };
    let funding: Vec<FundingEvent> = funding
        .iter()
        .filter(|f| aged(Finding::Funding(f)))
        .cloned()
        .collect();
    let events: Vec<CompanyEvent> = events
        .iter()
        .filter(|e| aged(Finding::Event(e)))
        .cloned()
        .collect();
    let (funding, events) = (funding.as_slice(), events.as_slice());
    // Whether it is dated, and when it counts from: its date, else when it
    // was first seen, else now. Ordered so, a dated finding is the most
    // recent before any undated one.
    let recency = |f: Finding<'_>| {
        let date = known(f.date(), now);
        let first_seen = || undated_key(f, now).and_then(|k| seen.get(&k).copied());
        (date.is_some(), at(date.or_else(first_seen), now))
    };
    let mut out = Vec::new();
    if let Some(latest) = funding.iter().max_by_key(|e| recency(Finding::Funding(e))) {
        let (_, when) = recency(Finding::Funding(latest));
        // The headline when it tells of the round; else (a listing's
        // title, "Newsroom") the sentence it was read from.
        let told = if latest.headline == latest.evidence
            || crate::funding::extract_sentence(&latest.headline, None, None, None)
                .event
                .is_some()
        {
            &latest.headline
        } else {
            &latest.evidence
        };
        let text = match (latest.amount, latest.currency.as_deref()) {
            (Some(a), Some(c)) => format!("{} {} {}: {told}", latest.round, a, c),
            _ => format!("{}: {told}", latest.round),
        };
        out.push(
            Signal::new(
                "funding.round",
                SignalValue::Text(latest.round.as_str().to_owned()),
                when,
            )
            .with_evidence(text.clone(), latest.source_url.clone()),
        );
        if let Some(a) = latest.amount {
            out.push(
                Signal::new("funding.amount", SignalValue::Number(a as f64), when)
                    .with_evidence(text.clone(), latest.source_url.clone()),
            );
        }
        out.push(
            Signal::new(
                "funding.last_round_days",
                SignalValue::Number((now - when).num_days().max(0) as f64),
                now,
            )
            .with_evidence(text, latest.source_url.clone()),
        );
    }
    for name in [
        "news.layoffs",
        "news.acquisition",
        "news.leadership_hire",
        "news.product_launch",
    ] {
        if let Some(e) = events
            .iter()
            .filter(|e| e.signal_name() == name)
            .max_by_key(|e| recency(Finding::Event(e)))
        {
            let ev = e.evidence();
            let (_, when) = recency(Finding::Event(e));
            out.push(
                Signal::new(name, SignalValue::Flag(true), when)
                    .with_evidence(ev.text.clone(), ev.url.clone()),
            );
        }
    }
    let mentions: Vec<&CompanyEvent> = events
        .iter()
        .filter(|e| matches!(e, CompanyEvent::PressMention { .. }))
        .filter(|e| known(e.evidence().date, now).is_some())
        .filter(|e| (now - at(e.evidence().date, now)).num_days() <= 90)
        .collect();
    if !mentions.is_empty() {
        let latest = mentions
            .iter()
            .max_by_key(|e| at(e.evidence().date, now))
            .map(|e| e.evidence());
        let mut sig = Signal::new(
            "news.press_mentions_90d",
            SignalValue::Number(mentions.len() as f64),
            now,
        );
        if let Some(ev) = latest {
            sig = sig.with_evidence(ev.text.clone(), ev.url.clone());
        }
        out.push(sig);
    }
    out
}

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
//! `now` (they were seen now), and a dated event is preferred to them as the
//! most recent: an undated item would otherwise be the newest at every run.
//! Press mentions count dated items only. One signal per name, so a rule's
//! points are never counted twice for one fact.

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

/// Orders events by recency, a dated one before any undated one.
fn recency(d: Option<NaiveDate>, now: DateTime<Utc>) -> (bool, DateTime<Utc>) {
    (known(d, now).is_some(), at(d, now))
}

/// The signals for an account's funding rounds and news events (both
/// already deduplicated across items, see [`crate::funding::dedupe`]).
pub fn to_signals(
    funding: &[FundingEvent],
    events: &[CompanyEvent],
    now: DateTime<Utc>,
) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(latest) = funding.iter().max_by_key(|e| recency(e.announced_on, now)) {
        let when = at(latest.announced_on, now);
        let text = match (latest.amount, latest.currency.as_deref()) {
            (Some(a), Some(c)) => format!("{} {} {}: {}", latest.round, a, c, latest.headline),
            _ => format!("{}: {}", latest.round, latest.headline),
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
            .max_by_key(|e| recency(e.evidence().date, now))
        {
            let ev = e.evidence();
            out.push(
                Signal::new(name, SignalValue::Flag(true), at(ev.date, now))
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

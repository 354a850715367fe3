//! `leadscore inspect funding`: funding rounds and company events in saved
//! articles (HTML or plain text).

use std::path::PathBuf;

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;
use leadscore_news::article::{Article, articles_from_html};
use leadscore_news::events::CompanyEvent;
use leadscore_news::funding::{FundingEvent, dedupe, extract_funding};

use crate::output::print_json;

/// Arguments of `leadscore inspect funding`.
#[derive(Debug, Args)]
pub struct InspectFundingArgs {
    /// Saved articles, HTML pages or plain text (`-` for standard input).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Publication date for articles that carry none (YYYY-MM-DD); also the
    /// anchor for relative dates ("yesterday", "2 days ago").
    #[arg(long, value_parser = parse_day)]
    pub published: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("`{s}` is not a YYYY-MM-DD date: {e}"))
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(2048).collect::<String>().to_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<article",
        "<p>",
        "<div",
    ]
    .iter()
    .any(|t| head.contains(t))
}

/// The articles in one saved file.
pub fn articles_in(text: &str, published: Option<NaiveDate>) -> Vec<Article> {
    let default_time = published
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let mut arts = if looks_like_html(text) {
        articles_from_html(text, None, published)
    } else {
        vec![Article::from_text(text, None, default_time)]
    };
    for a in &mut arts {
        if a.published.is_none() {
            a.published = default_time;
        }
    }
    arts
}

fn funding_json(e: &FundingEvent) -> serde_json::Value {
    serde_json::json!({
        "amount": e.amount,
        "currency": e.currency,
        "round": e.round,
        "is_extension": e.is_extension,
        "lead_investors": e.lead_investors,
        "other_investors": e.other_investors,
        "announced_on": e.announced_on,
        "valuation": e.valuation,
        "total_raised": e.total_raised,
        "headline": e.headline,
        "source_url": e.source_url,
        "confidence": (f64::from(e.confidence) * 100.0).round() / 100.0,
    })
}

/// Reads each file (already loaded: `(name, bytes)`) and prints what it
/// reports.
pub fn inspect_funding(args: &InspectFundingArgs, inputs: &[(String, Vec<u8>)]) -> Result<()> {
    let mut out = Vec::new();
    for (name, bytes) in inputs {
        let text = crate::enrich::bounded_html(name, String::from_utf8_lossy(bytes).into_owned());
        let arts = articles_in(&text, args.published);
        let funding = dedupe(arts.iter().flat_map(extract_funding).collect());
        let events: Vec<CompanyEvent> = arts
            .iter()
            .flat_map(leadscore_news::events::extract_events)
            .filter(|e| !matches!(e, CompanyEvent::PressMention { .. }))
            .collect();
        out.push((name.clone(), funding, events));
    }
    if args.json {
        let v: Vec<serde_json::Value> = out
            .iter()
            .map(|(file, funding, events)| {
                serde_json::json!({
                    "file": file,
                    "funding": funding.iter().map(funding_json).collect::<Vec<_>>(),
                    "events": events,
                })
            })
            .collect();
        return print_json(&v);
    }
    for (file, funding, events) in &out {
        println!(
            "{file}: {} round(s), {} event(s)",
            funding.len(),
            events.len()
        );
        for e in funding {
            let amount = match (e.amount, e.currency.as_deref()) {
                (Some(a), Some(c)) => format!("{a} {c}"),
                _ => "undisclosed amount".to_owned(),
            };
            let leads = if e.lead_investors.is_empty() {
                String::new()
            } else {
                format!(", led by {}", e.lead_investors.join(", "))
            };
            let date = e
                .announced_on
                .map(|d| format!(" on {d}"))
                .unwrap_or_default();
            let term = crate::output::term;
            println!("  round  {} {amount}{}{date}", e.round, term(&leads));
            println!("         {}", term(&e.headline));
        }
        for e in events {
            println!(
                "  {:<22} {}",
                e.signal_name(),
                crate::output::term(&e.evidence().text)
            );
        }
    }
    Ok(())
}

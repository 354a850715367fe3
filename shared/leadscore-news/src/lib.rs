//! Pure company-news extraction for leadscore.
//!
//! This crate does **no I/O**: no network, no files, no async runtime, no
//! clock. Callers hand it fetched HTML, feed bytes or text, and `now`.
//!
//! - [`article`]: [`article::Article`] and its extraction from HTML pages
//!   (schema.org JSON-LD first, then title and main text).
//! - [`feed`]: RSS 2.0 / Atom / JSON Feed parsing into articles and feed
//!   autodiscovery.
//! - [`money`]: money amounts in five languages.
//! - [`funding`]: closed funding rounds, with the negatives that look like
//!   them (rumours, VC funds, acquisitions, revenue, aggregates), and
//!   deduplication across items.
//! - [`events`]: layoffs, acquisitions, leadership hires, product launches,
//!   press mentions.
//! - [`signals`]: all of the above as scoring signals.
//! - [`text`]: normalization, sentences, relative dates.
//!
//! [`extract`] runs funding and event extraction over many items at once.

pub mod article;
pub mod events;
pub mod feed;
pub mod funding;
pub mod money;
pub mod signals;
pub mod text;

use article::Article;
use events::CompanyEvent;
use funding::FundingEvent;

/// Everything read from a set of news items about one company.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct NewsFindings {
    /// Closed rounds, deduplicated across items, newest first.
    pub funding: Vec<FundingEvent>,
    /// Other events, in item order (one press mention per item).
    pub events: Vec<CompanyEvent>,
}

/// Reads funding rounds and events from `articles`; the same round
/// reported by several items is one event.
pub fn extract(articles: &[Article]) -> NewsFindings {
    let mut funding = Vec::new();
    let mut events = Vec::new();
    for a in articles {
        funding.extend(funding::extract_funding(a));
        events.extend(events::extract_events(a));
    }
    NewsFindings {
        funding: funding::dedupe(funding),
        events,
    }
}

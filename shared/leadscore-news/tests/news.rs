#![allow(clippy::unwrap_used)] // test binary
//! The single integration-test binary of leadscore-news.

#[path = "news/article.rs"]
mod article;
#[path = "news/eval.rs"]
mod eval;
#[path = "news/events.rs"]
mod events;
#[path = "news/feed.rs"]
mod feed;
#[path = "news/funding.rs"]
mod funding;
#[path = "news/signals.rs"]
mod signals;

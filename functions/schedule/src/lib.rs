//! The `schedule` Lambda: run by an EventBridge Scheduler schedule. Finds
//! accounts never enriched or enriched longer ago than the TTL (the
//! `accounts_by_enrichment` index, oldest first), sends them to the
//! enrichment queue in batches of 10, bounded per run, and publishes any
//! alert still pending in the outbox (a safety net: no alert is lost when
//! an earlier publish failed).

pub mod config;
pub mod handler;

//! The `enrich` Lambda: crawls an account's website, stores the snapshot and
//! emits `Account Enriched` and technology-change events.
//!
//! Triggered by the enrichment SQS queue (batches, with
//! `ReportBatchItemFailures`: one bad account never fails the batch) or
//! invoked directly with `{"domain": "acme.com"}`.

pub mod config;
pub mod handler;

//! The `score` Lambda: the target of the `Account Enriched`,
//! `Lead Submitted` and `Scores Due` events (ScoreRule). Rescores the affected leads (and rolls up the
//! account), writes scores with their alerts into the outbox, then publishes
//! pending alerts (`Lead Became Hot`, `Lead Cooled`) on the bus.

pub mod config;
pub mod handler;

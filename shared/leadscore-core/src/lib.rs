//! The pure heart of leadscore: the domain model, the scoring model (a data
//! file), the scoring engine, threshold crossing and CSV import parsing.
//!
//! This crate never does I/O: no files, no network, no clock. Every function
//! takes data (including `now`) and returns data, so the same inputs always
//! give the same outputs. It depends on no async runtime, HTTP client, AWS or
//! Lambda crate; the crate graph enforces that boundary.

pub mod domain;
pub mod events;
pub mod import;
pub mod model;
pub mod rollup;
pub mod scoring;
pub mod threshold;
pub mod titles;

pub use domain::{
    Account, Activity, ActivityId, ActivityKind, Alert, AlertKind, Department, Domain, Email,
    EnrichmentSnapshot, Evidence, Firmographics, Lead, Seniority, Signal, SignalValue,
};
pub use model::{ModelError, ScoringModel};
pub use scoring::{
    AccountScorer, Category, Contribution, Grade, Score, ScoreInput, Scorer, Tier, score,
};
pub use threshold::{Crossing, Settled, settle, settle_score};

//! Pure hiring-signal extraction for leadscore.
//!
//! This crate does **no I/O**: no network, no file access, no async runtime.
//! Callers hand it already-fetched HTML or response bytes and get data back.
//!
//! - [`detect`]: find the applicant-tracking system (ATS) and board token in a page.
//! - [`endpoints`]: build the public job-list URLs for a board.
//! - [`parse`]: turn a job-list response into [`parse::Role`]s, telling an unknown
//!   board apart from a board with no open roles.
//! - [`jsonld`]: schema.org `JobPosting` JSON-LD, the fallback when no ATS
//!   board is found.
//! - [`html_list`]: links to job detail pages on a plain HTML careers page,
//!   the last fallback.
//! - [`signals`]: classify roles (ATS department first, title fallback),
//!   drop evergreen and per-location duplicates, and compute the hiring
//!   signals for scoring.

pub mod detect;
pub mod endpoints;
pub mod html_list;
pub mod jsonld;
pub mod parse;
pub mod signals;

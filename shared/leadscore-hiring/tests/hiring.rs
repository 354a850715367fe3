#![allow(clippy::unwrap_used)] // test binary
//! The single integration-test binary of leadscore-hiring.

#[path = "hiring/ats2.rs"]
mod ats2;
#[path = "hiring/detect.rs"]
mod detect;
#[path = "hiring/endpoints.rs"]
mod endpoints;
#[path = "hiring/jsonld.rs"]
mod jsonld;
#[path = "hiring/parse.rs"]
mod parse;

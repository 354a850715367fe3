#![allow(clippy::unwrap_used)] // test binary
//! The single integration-test binary of leadscore-hiring.

#[path = "hiring/detect.rs"]
mod detect;
#[path = "hiring/endpoints.rs"]
mod endpoints;
#[path = "hiring/parse.rs"]
mod parse;

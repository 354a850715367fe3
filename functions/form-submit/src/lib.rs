//! The `form-submit` Lambda: `POST /submit` behind an API Gateway HTTP API
//! (payload v2). All of the work is [`leadscore_intake`]'s, the same code
//! `leadscore serve` runs.

pub mod config;
pub mod handler;

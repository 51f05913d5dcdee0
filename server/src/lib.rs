//! The `gatehouse` server: configuration, the embedded Postgres default, the HTTP router
//! (console, health, metrics) and the command-line interface.

pub mod cli;
pub mod config;
pub mod db;
pub mod embedded;
mod http;
pub mod policy_cmd;
pub mod query_api;
pub mod secret_key;
pub mod seed;
mod sessions;

pub use http::{build_router, session_cookie_name};

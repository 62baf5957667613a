//! Integration tests: each starts Quill on port 0 with its own temporary data directory
//! and drives it over HTTP, checking what a user sees and what the stores hold.

mod account;
mod api;
mod auth;
mod build;
mod csrf;
mod deletion;
mod edge;
mod export;
mod https;
mod limits;
mod markdown;
mod openapi;
mod operations;
mod posts;
mod process;
mod security;
mod signup;

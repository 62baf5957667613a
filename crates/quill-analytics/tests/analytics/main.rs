//! Integration tests of quill-analytics: one test binary, a module per feature.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "ballista")]
mod ballista;
mod errors;
mod export;
mod fixtures;
mod generate;
mod nightly;
mod reports;
mod sources;
mod sql;

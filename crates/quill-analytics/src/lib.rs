//! Quill's analytics job: the reports of `docs/ANALYTICS.md` computed with DataFusion over
//! the `posts` table of a Parquet snapshot, the embedded store or Cassandra, written as CSV,
//! Parquet and an HTML page; plus the snapshot export, a nightly mode and a benchmark data
//! generator.
//!
//! Errors are [`error::AnalyticsError`]; the binary (`quill-analytics`) adds context.

pub mod ballista;
pub mod calendar;
pub mod engine;
pub mod error;
pub mod export;
pub mod generate;
pub mod nightly;
pub mod output;
pub mod progress;
pub mod reports;
pub mod run;
pub mod schema;
pub mod source;
pub mod tokens;

pub use error::AnalyticsError;
pub use run::{RunOptions, RunOutcome, run};
pub use source::SourceSpec;

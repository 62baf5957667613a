//! Where the posts come from: a Parquet snapshot (DataFusion's own reader), the embedded
//! store of a Quill data directory, or Cassandra. Each is registered in a DataFusion
//! session as the table `posts` with the schema of docs/ANALYTICS.md.

pub mod cassandra;
pub mod embedded;
pub mod parquet;
pub mod records;
pub mod scan;
pub mod split;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use datafusion::prelude::SessionContext;

use crate::error::{AnalyticsError, Result};

/// The name of the registered table.
pub const TABLE: &str = "posts";

/// A source as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// `parquet:DIR`, a snapshot directory of `*.parquet` files.
    Parquet(PathBuf),
    /// `embedded:DATA_DIR`, the embedded store of a Quill data directory.
    Embedded(PathBuf),
    /// `cassandra`, configured by the `QUILL_CASSANDRA_*` variables.
    Cassandra,
}

impl FromStr for SourceSpec {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            Some(("parquet", dir)) if !dir.is_empty() => Ok(Self::Parquet(dir.into())),
            Some(("embedded", dir)) if !dir.is_empty() => Ok(Self::Embedded(dir.into())),
            None if s == "cassandra" => Ok(Self::Cassandra),
            _ => Err(AnalyticsError::SourceSpec(s.to_owned())),
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parquet(dir) => write!(f, "parquet:{}", dir.display()),
            Self::Embedded(dir) => write!(f, "embedded:{}", dir.display()),
            Self::Cassandra => f.write_str("cassandra"),
        }
    }
}

/// Registers `spec` as the table `posts` of `ctx`, checking that it exists and has the
/// posts schema. `threads` sizes the parallel scans of the stores.
pub async fn register(ctx: &SessionContext, spec: &SourceSpec, threads: usize) -> Result<()> {
    match spec {
        SourceSpec::Parquet(dir) => parquet::register(ctx, dir, threads.max(1)).await,
        // More user ranges than threads, so a very active user does not hold up one thread.
        SourceSpec::Embedded(dir) => embedded::register(ctx, dir, 2 * threads.max(1) + 1).await,
        SourceSpec::Cassandra => {
            let settings = cassandra::settings::CassandraSettings::from_env()?;
            cassandra::register(ctx, settings, threads).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_from_their_command_line_form() {
        assert_eq!(
            "parquet:/tmp/snap".parse::<SourceSpec>().ok(),
            Some(SourceSpec::Parquet("/tmp/snap".into()))
        );
        assert_eq!(
            "embedded:./quill-data".parse::<SourceSpec>().ok(),
            Some(SourceSpec::Embedded("./quill-data".into()))
        );
        assert_eq!(
            "cassandra".parse::<SourceSpec>().ok(),
            Some(SourceSpec::Cassandra)
        );
        for bad in ["parquet:", "mysql:x", "", "cassandra:x", "/tmp/snap"] {
            assert!(bad.parse::<SourceSpec>().is_err(), "{bad}");
        }
        assert_eq!(SourceSpec::Parquet("d".into()).to_string(), "parquet:d");
    }
}

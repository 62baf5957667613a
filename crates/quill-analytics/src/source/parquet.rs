//! A Parquet snapshot directory read by DataFusion's own Parquet reader: only `*.parquet`
//! files count, and the table must have the posts schema.

use std::path::Path;

use datafusion::prelude::{ParquetReadOptions, SessionContext};

use crate::error::{AnalyticsError, Result, from_datafusion};
use crate::schema;

/// Registers the snapshot in `dir` as `posts`.
pub async fn register(ctx: &SessionContext, dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(AnalyticsError::MissingDir(dir.to_owned()));
    }
    let has_parquet = std::fs::read_dir(dir)
        .map_err(AnalyticsError::io(dir))?
        .filter_map(|e| e.ok())
        .any(|e| e.path().extension().is_some_and(|x| x == "parquet") && e.path().is_file());
    if !has_parquet {
        return Err(AnalyticsError::NoParquetFiles(dir.to_owned()));
    }
    let path = std::path::absolute(dir).map_err(AnalyticsError::io(dir))?;
    // A trailing slash makes DataFusion list the directory rather than read one file.
    let url = format!("{}/", path.display().to_string().trim_end_matches('/'));
    ctx.register_parquet(super::TABLE, url, ParquetReadOptions::default())
        .await
        .map_err(from_datafusion)?;
    let table = ctx.table(super::TABLE).await.map_err(from_datafusion)?;
    schema::check(table.schema().as_arrow())
}

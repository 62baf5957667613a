//! `quill-analytics export`: the posts table of any source as a Parquet snapshot with the
//! exact schema of docs/ANALYTICS.md (every column NOT NULL, `created_at` INT64
//! TIMESTAMP(MICROS, isAdjustedToUTC=true)), one file per scan partition, written atomically.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::physical_plan::execute_stream_partitioned;
use futures::StreamExt;
use tokio::task::JoinSet;

use crate::engine;
use crate::error::{AnalyticsError, Result, from_datafusion};
use crate::output::staging::Staging;
use crate::progress::Progress;
use crate::run::RunOptions;
use crate::schema::posts_schema;
use crate::source::{self, SourceSpec};

/// What an export wrote.
#[derive(Debug)]
pub struct ExportOutcome {
    pub dir: PathBuf,
    pub rows: u64,
    pub files: usize,
}

/// Rows per row group: small enough that one file splits across scan threads.
const ROW_GROUP_ROWS: usize = 65_536;

/// Writer settings of snapshot files: Snappy, which every Parquet reader has, and row
/// groups small enough for parallel scans.
pub fn writer_properties() -> WriterProperties {
    writer_properties_with(ROW_GROUP_ROWS)
}

/// [`writer_properties`] with row groups of at most `row_group_rows` rows.
pub fn writer_properties_with(row_group_rows: usize) -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows))
        .build()
}

/// A batch in the exact snapshot schema (string encodings normalised to Utf8).
pub fn conform(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    let mut columns = Vec::with_capacity(target.fields().len());
    for field in target.fields() {
        let column = batch
            .column_by_name(field.name())
            .ok_or_else(|| AnalyticsError::Schema(format!("no column {}", field.name())))?;
        if column.null_count() > 0 {
            return Err(AnalyticsError::Null(field.name().clone()));
        }
        columns.push(cast(column, field.data_type())?);
    }
    Ok(RecordBatch::try_new(target.clone(), columns)?)
}

/// Writes a snapshot of `spec` to `out`.
pub async fn export(spec: &SourceSpec, out: &Path, options: &RunOptions) -> Result<ExportOutcome> {
    let staging = Staging::create(out, options.replace)?;
    let ctx = engine::session(options.threads);
    source::register(&ctx, spec, options.threads).await?;
    let target = posts_schema();
    let names: Vec<&str> = target.fields().iter().map(|f| f.name().as_str()).collect();
    let (plan, total) = engine::scan_plan(&ctx, &names).await?;
    let streams = execute_stream_partitioned(plan, ctx.task_ctx()).map_err(from_datafusion)?;
    let progress = Progress::start("exporting posts", total, options.progress);
    let mut tasks = JoinSet::new();
    for (i, mut stream) in streams.into_iter().enumerate() {
        let path = staging.path().join(format!("part-{i:05}.parquet"));
        let (target, rows) = (target.clone(), progress.rows());
        tasks.spawn(async move {
            let mut writer: Option<ArrowWriter<File>> = None;
            let mut written = 0u64;
            while let Some(batch) = stream.next().await {
                let batch = conform(&batch.map_err(from_datafusion)?, &target)?;
                if batch.num_rows() == 0 {
                    continue;
                }
                let w = match &mut writer {
                    Some(w) => w,
                    None => {
                        let file = File::create(&path).map_err(AnalyticsError::io(&path))?;
                        writer.insert(ArrowWriter::try_new(
                            file,
                            target.clone(),
                            Some(writer_properties()),
                        )?)
                    }
                };
                w.write(&batch)?;
                written += batch.num_rows() as u64;
                rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            }
            if let Some(w) = writer {
                w.close()?;
            }
            Ok::<_, AnalyticsError>(written)
        });
    }
    // The first failure stops the other partitions (dropping the JoinSet aborts them).
    let mut rows = 0;
    while let Some(done) = tasks.join_next().await {
        rows += done??;
    }
    progress.finish();
    let mut files = std::fs::read_dir(staging.path())
        .map_err(AnalyticsError::io(staging.path()))?
        .count();
    if files == 0 {
        // An empty table still makes a readable snapshot: one file with the schema.
        let path = staging.path().join("part-00000.parquet");
        let file = File::create(&path).map_err(AnalyticsError::io(&path))?;
        ArrowWriter::try_new(file, target, Some(writer_properties()))?.close()?;
        files = 1;
    }
    let dir = staging.commit()?;
    Ok(ExportOutcome { dir, rows, files })
}

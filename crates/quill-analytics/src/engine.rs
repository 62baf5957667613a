//! Running the reports: a DataFusion session sized by `--threads`, the `posts` table's
//! projected scan executed partition by partition in parallel, each partition folded into
//! a [`Partial`], the partials merged and finished into the five tables.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};
use datafusion::physical_plan::{ExecutionPlan, execute_stream_partitioned};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;
use tokio::task::JoinSet;

use crate::error::{Result, from_datafusion};
use crate::progress::{Progress, ProgressMode};
use crate::reports::partial::Partial;
use crate::reports::{RunFigures, Table, finish};
use crate::schema;
use crate::source::TABLE;

/// A DataFusion session whose scans split into `threads` partitions.
pub fn session(threads: usize) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(threads.max(1))
        .with_batch_size(8192);
    SessionContext::new_with_config(config)
}

/// The physical plan reading `columns` of `posts`, and its row count when the source
/// knows it (Parquet footers do).
pub async fn scan_plan(
    ctx: &SessionContext,
    columns: &[&str],
) -> Result<(Arc<dyn ExecutionPlan>, Option<u64>)> {
    let table = ctx.table(TABLE).await.map_err(from_datafusion)?;
    schema::check(table.schema().as_arrow())?;
    let plan = table
        .select_columns(columns)
        .map_err(from_datafusion)?
        .create_physical_plan()
        .await
        .map_err(from_datafusion)?;
    let total = StatisticsContext::new()
        .compute(plan.as_ref(), &StatisticsArgs::new())
        .ok()
        .and_then(|s| s.num_rows.get_value().copied())
        .map(|n| n as u64);
    Ok((plan, total))
}

/// Computes the five reports over `posts` in one pass.
pub async fn compute(
    ctx: &SessionContext,
    threads: usize,
    source: &str,
    mode: ProgressMode,
) -> Result<(Vec<Table>, RunFigures)> {
    let start = Instant::now();
    let (plan, total) = scan_plan(ctx, &schema::REPORT_COLUMNS).await?;
    let streams = execute_stream_partitioned(plan, ctx.task_ctx()).map_err(from_datafusion)?;
    let partitions = streams.len();
    let progress = Progress::start("scanning posts", total, mode);
    let mut tasks = JoinSet::new();
    for mut stream in streams {
        let rows = progress.rows();
        tasks.spawn(async move {
            let mut partial = Partial::default();
            let mut reading = Duration::ZERO;
            loop {
                let t = Instant::now();
                let next = stream.next().await;
                reading += t.elapsed();
                let Some(batch) = next else { break };
                let batch = batch.map_err(from_datafusion)?;
                partial.add_batch(&batch)?;
                rows.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            }
            Ok::<_, crate::error::AnalyticsError>((partial, reading))
        });
    }
    let mut merged = Partial::default();
    let mut figures = RunFigures {
        partitions,
        threads,
        source: source.to_owned(),
        ..RunFigures::default()
    };
    // Partitions are merged as they finish; the first failure stops the others (dropping
    // the JoinSet aborts them).
    while let Some(done) = tasks.join_next().await {
        let (partial, reading) = done??;
        figures.read_cpu += reading;
        merged.merge(partial);
    }
    progress.finish();
    figures.scan_wall = start.elapsed();
    figures.rows = merged.rows;
    figures.report_cpu = merged.cpu;
    let tables = finish::all(&merged, &mut figures);
    Ok((tables, figures))
}

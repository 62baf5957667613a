//! A run on a Ballista cluster: the snapshot registered as `posts` in a session whose
//! planner sends every query to the scheduler, the five report queries run one after the
//! other as jobs, and their results turned into the local engine's tables.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::execution_plans::DistributedQueryExec;
use datafusion::arrow::array::RecordBatch;
use datafusion::execution::SessionStateBuilder;
use datafusion::physical_plan::{ExecutionPlan, collect};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::protobuf::LogicalPlanNode;

use super::{Engine, SchedulerAddr, cancel, progress, queries, tables};
use crate::error::{AnalyticsError, Result, from_datafusion};
use crate::progress::ProgressMode;
use crate::reports::{Column, Report, RunFigures, Table};
use crate::source::{self, SourceSpec};

/// How long to wait for the scheduler to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Fails with a clear message, within [`CONNECT_TIMEOUT`], when nothing answers at `addr`;
/// Ballista's own client would report a transport error deep in the first query.
pub async fn check_reachable(addr: &SchedulerAddr) -> Result<()> {
    let unreachable = |reason: String| AnalyticsError::SchedulerUnreachable {
        addr: addr.to_string(),
        reason,
    };
    let connect = tokio::net::TcpStream::connect((addr.host.as_str(), addr.port));
    match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable(format!(
            "no answer within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// A session whose queries run on the cluster as jobs named `job_name`, with `partitions`
/// partitions a stage.
pub async fn session(
    addr: &SchedulerAddr,
    partitions: usize,
    job_name: &str,
) -> Result<SessionContext> {
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(partitions.max(1))
        .with_batch_size(8192)
        .with_ballista_job_name(job_name)
        .set_u64(
            "ballista.client.grpc_connect_timeout_seconds",
            CONNECT_TIMEOUT.as_secs(),
        );
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    SessionContext::remote_with_state(&format!("df://{addr}"), state)
        .await
        .map_err(from_datafusion)
}

/// The job id of a plan the Ballista planner made, once the scheduler has accepted it.
fn job_id(plan: &Arc<dyn ExecutionPlan>) -> Option<String> {
    plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>()
        .and_then(|exec| exec.job_id())
        .map(|id| id.to_string())
}

/// Runs one report's query as a job, showing its progress, and returns its result.
async fn run_query(
    ctx: &SessionContext,
    addr: &SchedulerAddr,
    report: Report,
    sql: &str,
    mode: ProgressMode,
) -> Result<Vec<RecordBatch>> {
    let plan = ctx
        .sql(sql)
        .await
        .map_err(from_datafusion)?
        .create_physical_plan()
        .await
        .map_err(from_datafusion)?;
    let display = (mode == ProgressMode::Auto).then(|| {
        let plan = Arc::clone(&plan);
        tokio::spawn(progress::show(
            addr.clone(),
            report.title().to_owned(),
            move || job_id(&plan),
        ))
    });
    let start = Instant::now();
    let result = collect(Arc::clone(&plan), ctx.task_ctx()).await;
    if let Some(display) = display {
        display.abort();
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[2K");
        }
        // The job's final count, so that every report shows its stages and tasks.
        let last = match job_id(&plan) {
            Some(id) => progress::poll(addr, &id).await,
            None => None,
        };
        match last {
            Some(p) => eprintln!("{}, done", p.line(report.title(), start.elapsed())),
            None => eprintln!("{}: done", report.title()),
        }
    }
    result.map_err(|e| match from_datafusion(e) {
        AnalyticsError::DataFusion(e) => {
            AnalyticsError::Ballista(format!("{} failed on the cluster: {e}", report.file_stem()))
        }
        other => other,
    })
}

/// Computes the five reports of `spec`, a Parquet snapshot every executor reads at the same
/// path, on the cluster at `addr`. Dropped before its end (the process is stopped), it
/// cancels the job that is running on the cluster.
pub async fn compute(
    addr: &SchedulerAddr,
    spec: &SourceSpec,
    partitions: usize,
    mode: ProgressMode,
) -> Result<(Vec<Table>, RunFigures)> {
    let SourceSpec::Parquet(dir) = spec else {
        return Err(AnalyticsError::EngineSource(spec.to_string()));
    };
    check_reachable(addr).await?;
    let start = Instant::now();
    let job_name = cancel::job_name();
    let cancel = cancel::CancelOnDrop::new(addr, &job_name);
    let ctx = session(addr, partitions, &job_name).await?;
    source::parquet::register_for_cluster(&ctx, dir).await?;
    let mut figures = RunFigures {
        partitions,
        threads: partitions,
        source: format!("{spec} on {}", Engine::Ballista(addr.clone())),
        ..RunFigures::default()
    };
    let mut tables = Vec::with_capacity(Report::ALL.len());
    for (report, sql) in queries::all() {
        let t = Instant::now();
        let batches = run_query(&ctx, addr, report, &sql, mode).await?;
        tables.push(tables::table(report, &batches)?);
        figures.finish[report.index()] = t.elapsed();
    }
    cancel.disarm();
    figures.scan_wall = start.elapsed();
    figures.rows = tables
        .iter()
        .find(|t| t.report == Report::Daily)
        .and_then(|t| match t.column("posts") {
            Some(Column::Int(posts)) => Some(posts.iter().map(|n| *n as u64).sum()),
            _ => None,
        })
        .unwrap_or(0);
    Ok((tables, figures))
}

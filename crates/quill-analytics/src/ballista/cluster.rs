//! The processes of a Ballista cluster, built from the Ballista crates so that the cluster
//! runs exactly the DataFusion of this binary: `quill-analytics scheduler` and
//! `quill-analytics executor`. Both stop on SIGTERM or Ctrl-C.
//!
//! Failure detection is tightened from Ballista's defaults (a heartbeat a minute, an
//! executor declared lost after three): executors beat every `--heartbeat-secs`, and the
//! scheduler declares an executor lost after `--executor-timeout-secs` without one, then
//! runs its tasks again elsewhere.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;

use crate::error::{AnalyticsError, Result};

/// `quill-analytics scheduler`.
#[derive(Debug, Clone, clap::Args)]
pub struct SchedulerArgs {
    /// Address to listen on (gRPC, the REST API and /healthz, /readyz on one port)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    #[arg(long, default_value_t = super::DEFAULT_SCHEDULER_PORT)]
    pub port: u16,
    /// Name executors and clients reach this scheduler by
    #[arg(long, default_value = "localhost")]
    pub external_host: String,
    /// Executors that must be registered before /readyz answers 200
    #[arg(long, default_value_t = 1)]
    pub min_executors: usize,
    /// Seconds without a heartbeat after which an executor is lost and its tasks rerun
    #[arg(long, default_value_t = 20)]
    pub executor_timeout_secs: u64,
}

/// `quill-analytics executor`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExecutorArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Name the scheduler and the other executors reach this executor by
    #[arg(long, default_value = "localhost")]
    pub external_host: String,
    /// Arrow Flight port, where other executors and clients fetch results
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port, where the scheduler pushes tasks
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    #[arg(long, default_value = "localhost")]
    pub scheduler_host: String,
    #[arg(long, default_value_t = super::DEFAULT_SCHEDULER_PORT)]
    pub scheduler_port: u16,
    /// Task slots; all cores by default
    #[arg(long)]
    pub slots: Option<usize>,
    /// Where shuffle files go; a temporary directory by default
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    #[arg(long, default_value_t = 5)]
    pub heartbeat_secs: u64,
}

fn ballista(e: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::Ballista(e.to_string())
}

/// Ballista logs through `log` and `tracing`; shown on stderr at `RUST_LOG`'s level (info
/// by default), without colours, for compose logs.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a scheduler until the process is stopped.
pub async fn scheduler(args: &SchedulerArgs) -> Result<()> {
    let addr: SocketAddr = format!("{}:{}", args.bind, args.port)
        .parse()
        .map_err(|e| AnalyticsError::Setting {
            name: "--bind",
            message: format!("{}:{}: {e}", args.bind, args.port),
        })?;
    let config = SchedulerConfig {
        bind_host: args.bind.clone(),
        bind_port: args.port,
        external_host: args.external_host.clone(),
        min_ready_executors: args.min_executors,
        executor_timeout_seconds: args.executor_timeout_secs,
        expire_dead_executor_interval_seconds: (args.executor_timeout_secs / 4).max(1),
        no_executors_grace_period_seconds: args.executor_timeout_secs,
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(ballista)?;
    start_server(cluster, addr, Arc::new(config))
        .await
        .map_err(ballista)
}

/// The functions an executor can run: Ballista's default registry lacks DataFusion's
/// nested (array) functions, which R4's `string_to_array` is, although the client and the
/// scheduler plan with them.
fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in datafusion::functions_nested::all_default_nested_functions() {
        registry.scalar_functions.insert(f.name().to_owned(), f);
    }
    registry
}

/// Runs an executor until the process is stopped; it waits for the scheduler to come up.
pub async fn executor(args: &ExecutorArgs) -> Result<()> {
    let slots = args
        .slots
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let config = ExecutorProcessConfig {
        bind_host: args.bind.clone(),
        external_host: Some(args.external_host.clone()),
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host: args.scheduler_host.clone(),
        scheduler_port: args.scheduler_port,
        // Retry until the scheduler answers, so start order does not matter (compose,
        // Swarm).
        scheduler_connect_timeout_seconds: u16::MAX,
        vcores: slots,
        work_dir: args.work_dir.as_ref().map(|d| d.display().to_string()),
        executor_heartbeat_interval_seconds: args.heartbeat_secs.max(1),
        print_thread_info: false,
        override_function_registry: Some(Arc::new(function_registry())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(ballista)
}

//! The library's error type: what can go wrong reading a source, computing the reports or
//! writing the outputs. The binary adds context with `anyhow` and exits non-zero.

use std::path::PathBuf;

use datafusion::arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use datafusion::parquet::errors::ParquetError;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("unknown source {0:?}: use parquet:DIR, embedded:DATA_DIR or cassandra")]
    SourceSpec(String),
    #[error("{0} does not exist or is not a directory")]
    MissingDir(PathBuf),
    #[error("no *.parquet files in {0}")]
    NoParquetFiles(PathBuf),
    #[error("the posts table has the wrong schema: {0}")]
    Schema(String),
    #[error("column {0} holds a null value; every column of posts is NOT NULL")]
    Null(String),
    #[error("embedded store: {0}")]
    Embedded(#[from] quill_posts::PostStoreError),
    #[error("cassandra: {0}")]
    Cassandra(String),
    #[error("setting {name}: {message}")]
    Setting { name: &'static str, message: String },
    /// Not a source: the message includes the cause.
    #[error("setting {0}")]
    CassandraSetting(quill_posts::CassandraConfigError),
    #[error("{0} exists and is not empty; pass --replace to replace it")]
    OutputExists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
    #[error(transparent)]
    Arrow(#[from] ArrowError),
    #[error(transparent)]
    Parquet(#[from] ParquetError),
    #[error(transparent)]
    Shape(#[from] crate::generate::shape::ShapeError),
    #[error("unknown engine {0:?}: use local or ballista://HOST:PORT")]
    EngineSpec(String),
    #[error(
        "the Ballista engine reads Parquet snapshots only ({0}); write one with \
         `quill-analytics export --out DIR` on a volume every executor mounts, then run \
         with --source parquet:DIR"
    )]
    EngineSource(String),
    #[error("this quill-analytics was built without the `ballista` feature")]
    NoBallista,
    #[error("cannot reach the Ballista scheduler at {addr}: {reason}")]
    SchedulerUnreachable { addr: String, reason: String },
    #[error("Ballista: {0}")]
    Ballista(String),
    #[error("the scan was stopped before its end")]
    Cancelled,
    #[error("worker task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl AnalyticsError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// Errors from scans reach DataFusion as external errors and come back wrapped; unwrap them
/// so the person sees the cause, not DataFusion's envelope.
pub fn from_datafusion(e: DataFusionError) -> AnalyticsError {
    match e {
        DataFusionError::External(inner) => match inner.downcast::<AnalyticsError>() {
            Ok(mine) => *mine,
            Err(other) => AnalyticsError::DataFusion(DataFusionError::External(other)),
        },
        DataFusionError::Context(_, inner) => from_datafusion(*inner),
        other => AnalyticsError::DataFusion(other),
    }
}

pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;

//! `quill-analytics run`: the reports of a source written atomically to a directory.

use std::path::{Path, PathBuf};

use crate::ballista::Engine;
use crate::engine;
use crate::error::Result;
use crate::output::{self, staging::Staging};
use crate::progress::ProgressMode;
use crate::reports::{RunFigures, Table};
use crate::source::{self, SourceSpec};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub threads: usize,
    /// Replace an existing non-empty output directory.
    pub replace: bool,
    pub progress: ProgressMode,
    /// Where the reports are computed: here, or on a Ballista cluster.
    pub engine: Engine,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub tables: Vec<Table>,
    pub figures: RunFigures,
}

/// Computes the reports of `spec` and writes them to `out`, which appears only complete.
pub async fn run(spec: &SourceSpec, out: &Path, options: &RunOptions) -> Result<RunOutcome> {
    let staging = Staging::create(out, options.replace)?;
    let (tables, figures) = match &options.engine {
        Engine::Local => {
            let ctx = engine::session(options.threads);
            source::register(&ctx, spec, options.threads).await?;
            engine::compute(&ctx, options.threads, &spec.to_string(), options.progress).await?
        }
        Engine::Ballista(addr) => on_ballista(addr, spec, options).await?,
    };
    output::write_reports(staging.path(), &tables, &figures)?;
    let dir = staging.commit()?;
    Ok(RunOutcome {
        dir,
        tables,
        figures,
    })
}

#[cfg(feature = "ballista")]
async fn on_ballista(
    addr: &crate::ballista::SchedulerAddr,
    spec: &SourceSpec,
    options: &RunOptions,
) -> Result<(Vec<Table>, RunFigures)> {
    crate::ballista::client::compute(addr, spec, options.threads, options.progress).await
}

#[cfg(not(feature = "ballista"))]
async fn on_ballista(
    _: &crate::ballista::SchedulerAddr,
    _: &SourceSpec,
    _: &RunOptions,
) -> Result<(Vec<Table>, RunFigures)> {
    Err(crate::error::AnalyticsError::NoBallista)
}

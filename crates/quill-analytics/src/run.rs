//! `quill-analytics run`: the reports of a source written atomically to a directory.

use std::path::{Path, PathBuf};

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
    let ctx = engine::session(options.threads);
    source::register(&ctx, spec, options.threads).await?;
    let (tables, figures) =
        engine::compute(&ctx, options.threads, &spec.to_string(), options.progress).await?;
    output::write_reports(staging.path(), &tables, &figures)?;
    let dir = staging.commit()?;
    Ok(RunOutcome {
        dir,
        tables,
        figures,
    })
}

//! Writing a run's outputs: CSV, Parquet and HTML per report set, always into a hidden
//! staging directory beside the destination that is renamed into place only when complete,
//! so a failed or killed run never leaves a folder that looks finished.

pub mod csv;
pub mod html;
pub mod parquet;
pub mod staging;

use std::path::Path;

use crate::error::{AnalyticsError, Result};
use crate::reports::{RunFigures, Table};

/// Writes the five CSVs, their Parquet twins and `index.html` into `dir`.
pub fn write_reports(dir: &Path, tables: &[Table], figures: &RunFigures) -> Result<()> {
    for table in tables {
        let stem = table.report.file_stem();
        let path = dir.join(format!("{stem}.csv"));
        std::fs::write(&path, csv::render(table)).map_err(AnalyticsError::io(&path))?;
        parquet::write(&dir.join(format!("{stem}.parquet")), table)?;
    }
    let path = dir.join("index.html");
    std::fs::write(&path, html::render(tables, figures)).map_err(AnalyticsError::io(&path))?;
    Ok(())
}

//! The embedded store as a DataFusion table: the user-id span split into ranges, each range
//! a partition scanned on its own blocking thread with its own read-only SQLite connection.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use datafusion::prelude::SessionContext;
use quill_posts::embedded::EmbeddedPostReader;
use tokio::sync::mpsc::Sender;

use super::records::{Projection, to_batch};
use super::scan::{Partitions, PostsScan};
use super::split::split_range;
use crate::error::{AnalyticsError, Result};
use crate::schema::posts_schema;

/// Rows per batch handed to DataFusion.
const BATCH_ROWS: usize = 8192;

/// Registers the embedded store of `data_dir` as `posts`, scanned in `partitions` ranges.
pub async fn register(ctx: &SessionContext, data_dir: &Path, partitions: usize) -> Result<()> {
    if !data_dir.is_dir() {
        return Err(AnalyticsError::MissingDir(data_dir.to_owned()));
    }
    let table = EmbeddedTable::open(data_dir.to_owned(), partitions).await?;
    ctx.register_table(super::TABLE, Arc::new(table))?;
    Ok(())
}

/// The `posts` table of an embedded store.
#[derive(Debug)]
pub struct EmbeddedTable {
    data_dir: PathBuf,
    ranges: Vec<RangeInclusive<i64>>,
}

impl EmbeddedTable {
    /// Opens the store once to learn its user-id span and fail early when it is missing.
    pub async fn open(data_dir: PathBuf, partitions: usize) -> Result<Self> {
        let dir = data_dir.clone();
        let bounds =
            tokio::task::spawn_blocking(move || EmbeddedPostReader::open(&dir)?.user_id_bounds())
                .await??;
        let ranges = bounds
            .map(|b| split_range(*b.start(), *b.end(), partitions))
            .unwrap_or_default();
        Ok(Self { data_dir, ranges })
    }
}

#[async_trait]
impl TableProvider for EmbeddedTable {
    fn schema(&self) -> SchemaRef {
        posts_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let partitions = EmbeddedRanges {
            data_dir: self.data_dir.clone(),
            ranges: self.ranges.clone(),
        };
        Ok(Arc::new(PostsScan::new(
            partitions,
            Projection::new(projection)?,
        )))
    }
}

/// The user-id ranges of the embedded store, one partition each.
pub struct EmbeddedRanges {
    data_dir: PathBuf,
    ranges: Vec<RangeInclusive<i64>>,
}

impl Partitions for EmbeddedRanges {
    const NAME: &'static str = "EmbeddedScan";

    fn count(&self) -> usize {
        // An empty store has one partition with no rows.
        self.ranges.len().max(1)
    }

    fn describe(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "EmbeddedScan: {} user-id ranges of {}",
            self.ranges.len(),
            self.data_dir.display()
        )
    }

    fn stream(
        &self,
        partition: usize,
        projection: &Projection,
    ) -> DfResult<SendableRecordBatchStream> {
        let mut builder = RecordBatchReceiverStreamBuilder::new(projection.schema.clone(), 2);
        let Some(range) = self.ranges.get(partition).cloned() else {
            return Ok(builder.build());
        };
        let tx = builder.tx();
        let (dir, projection) = (self.data_dir.clone(), projection.clone());
        builder.spawn_blocking(move || {
            scan_range(&dir, range, &projection, &tx)
                .map_err(|e| DataFusionError::External(Box::new(e)))
        });
        Ok(builder.build())
    }
}

/// Streams one user-id range into `tx`, batch by batch.
fn scan_range(
    dir: &Path,
    range: RangeInclusive<i64>,
    projection: &Projection,
    tx: &Sender<DfResult<RecordBatch>>,
) -> Result<()> {
    let mut reader = EmbeddedPostReader::open(dir)?;
    reader.scan(range, BATCH_ROWS, |rows| {
        let batch = to_batch(projection, &rows)?;
        // A closed channel means the consumer stopped early: stop scanning.
        tx.blocking_send(Ok(batch))
            .map_err(|_| AnalyticsError::Cancelled)
    })
}

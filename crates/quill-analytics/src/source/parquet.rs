//! A Parquet snapshot directory: only `*.parquet` files count, every file must have the
//! posts schema (the same in every file).
//!
//! The files are read with the parquet crate's synchronous Arrow reader, which reads a
//! column chunk page by page. So memory follows the batch size, not the row group size: a
//! snapshot with row groups of 625,000 long posts would otherwise hold each row group's
//! compressed text whole in every partition. The row groups are cut into units of at most
//! [`UNIT_ROWS`] rows (the reader skips the pages before a unit without decompressing
//! them), and the scan's partitions take units from one shared queue, so every thread has
//! work whatever the number of files and row groups. Strings, in whichever Arrow encoding
//! the files were written, are read as `Utf8View`: views into the decompressed pages,
//! with no copy of every title and body into a buffer of their own.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use datafusion::arrow::array::{RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelectionPolicy, RowSelector,
};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use tokio::sync::mpsc::Sender;

use super::records::Projection;
use super::scan::{Partitions, PostsScan};
use crate::error::{AnalyticsError, Result};
use crate::schema;

/// The most rows of one unit of work: a slice of one row group.
const UNIT_ROWS: usize = 65_536;
/// The fewest rows worth a unit of their own: a unit that starts inside a page decodes the
/// page's rows before it again, and reads the dictionary pages again.
const MIN_UNIT_ROWS: usize = 32_768;
/// Units per partition to aim for, so that partitions finish close together.
const UNITS_PER_PARTITION: usize = 4;
/// Rows per batch handed to DataFusion.
const BATCH_ROWS: usize = 8192;

/// Registers the snapshot in `dir` as `posts`, scanned in `partitions` partitions.
pub async fn register(ctx: &SessionContext, dir: &Path, partitions: usize) -> Result<()> {
    let dir = dir.to_owned();
    let snapshot = tokio::task::spawn_blocking(move || Snapshot::open(&dir)).await??;
    let table = SnapshotTable {
        snapshot: Arc::new(snapshot),
        partitions: partitions.max(1),
    };
    ctx.register_table(super::TABLE, Arc::new(table))?;
    Ok(())
}

/// Registers the snapshot in `dir` as `posts` for an engine that ships its plans to other
/// processes (Ballista): as DataFusion's own Parquet listing table, which they can
/// serialize, after the same checks as [`register`].
pub async fn register_for_cluster(ctx: &SessionContext, dir: &Path) -> Result<()> {
    let path = std::path::absolute(dir).map_err(AnalyticsError::io(dir))?;
    let checked = path.clone();
    tokio::task::spawn_blocking(move || Snapshot::open(&checked)).await??;
    // A trailing slash makes DataFusion list the directory rather than read one file.
    let url = format!("{}/", path.display().to_string().trim_end_matches('/'));
    ctx.register_parquet(super::TABLE, url, ParquetReadOptions::default())
        .await
        .map_err(crate::error::from_datafusion)?;
    Ok(())
}

/// One file of a snapshot and its footer, read once.
struct SnapshotFile {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
}

/// A slice of a row group: `rows` rows after the first `skip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    file: usize,
    row_group: usize,
    skip: usize,
    rows: usize,
}

/// The files of a snapshot directory and their schema.
struct Snapshot {
    dir: PathBuf,
    files: Vec<SnapshotFile>,
    schema: SchemaRef,
    rows: usize,
}

impl Snapshot {
    /// Lists `dir`'s `*.parquet` files (in name order) and reads their footers.
    fn open(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(AnalyticsError::MissingDir(dir.to_owned()));
        }
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(AnalyticsError::io(dir))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "parquet") && p.is_file())
            .collect();
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let file = File::open(&path).map_err(AnalyticsError::io(&path))?;
            let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())?;
            files.push(SnapshotFile { path, metadata });
        }
        let Some(first) = files.first() else {
            return Err(AnalyticsError::NoParquetFiles(dir.to_owned()));
        };
        let schema = first.metadata.schema().clone();
        schema::check(&schema)?;
        let columns = |s: &SchemaRef| -> Vec<(String, String)> {
            s.fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().to_string()))
                .collect()
        };
        for other in &files[1..] {
            if columns(other.metadata.schema()) != columns(&schema) {
                return Err(AnalyticsError::Schema(format!(
                    "{} has other columns or types than {}",
                    other.path.display(),
                    first.path.display()
                )));
            }
        }
        // Strings are read as views into the decompressed pages: no copy of every title
        // and body into one buffer per batch (and of that buffer as it grows).
        let schema = view_strings(&schema);
        for file in &mut files {
            let options = ArrowReaderOptions::new().with_schema(schema.clone());
            file.metadata =
                ArrowReaderMetadata::try_new(file.metadata.metadata().clone(), options)?;
        }
        let rows = files
            .iter()
            .flat_map(|f| f.metadata.metadata().row_groups())
            .map(|rg| usize::try_from(rg.num_rows()).unwrap_or(0))
            .sum();
        Ok(Self {
            dir: dir.to_owned(),
            files,
            schema,
            rows,
        })
    }

    /// The row groups cut into units for `partitions` partitions, in file order.
    fn units(&self, partitions: usize) -> Vec<Unit> {
        let target = self.rows.div_ceil(UNITS_PER_PARTITION * partitions.max(1));
        self.units_of(target.clamp(MIN_UNIT_ROWS, UNIT_ROWS))
    }

    /// The row groups cut into units of at most `size` rows, in file order.
    fn units_of(&self, size: usize) -> Vec<Unit> {
        let mut units = Vec::new();
        for (file, f) in self.files.iter().enumerate() {
            for (row_group, rg) in f.metadata.metadata().row_groups().iter().enumerate() {
                let rows = usize::try_from(rg.num_rows()).unwrap_or(0);
                units.extend(cut(rows, size).map(|(skip, rows)| Unit {
                    file,
                    row_group,
                    skip,
                    rows,
                }));
            }
        }
        units
    }
}

/// `schema` with its string columns as `Utf8View`.
fn view_strings(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 => {
                f.as_ref().clone().with_data_type(DataType::Utf8View)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `rows` rows cut into `(skip, rows)` slices of near-equal length, none over `size`.
fn cut(rows: usize, size: usize) -> impl Iterator<Item = (usize, usize)> {
    let pieces = rows.div_ceil(size.max(1));
    (0..pieces).map(move |i| {
        let start = rows * i / pieces;
        let end = rows * (i + 1) / pieces;
        (start, end - start)
    })
}

/// The `posts` table of a snapshot.
struct SnapshotTable {
    snapshot: Arc<Snapshot>,
    partitions: usize,
}

impl fmt::Debug for SnapshotTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SnapshotTable({})", self.snapshot.dir.display())
    }
}

#[async_trait]
impl TableProvider for SnapshotTable {
    fn schema(&self) -> SchemaRef {
        self.snapshot.schema.clone()
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
        let all = self.snapshot.schema.fields().len();
        let columns = projection.cloned().unwrap_or_else(|| (0..all).collect());
        let projection = Projection {
            schema: Arc::new(self.snapshot.schema.project(&columns)?),
            columns,
        };
        let units = self.snapshot.units(self.partitions);
        let partitions = self.partitions.min(units.len()).max(1);
        let slices = SnapshotSlices {
            snapshot: self.snapshot.clone(),
            units: Arc::new(units),
            next: Arc::new(AtomicUsize::new(0)),
            partitions,
        };
        Ok(Arc::new(PostsScan::new(slices, projection)))
    }
}

/// A scan's units, shared by its partitions: each takes the next unit not yet taken.
struct SnapshotSlices {
    snapshot: Arc<Snapshot>,
    units: Arc<Vec<Unit>>,
    next: Arc<AtomicUsize>,
    partitions: usize,
}

impl Partitions for SnapshotSlices {
    const NAME: &'static str = "SnapshotScan";

    fn count(&self) -> usize {
        self.partitions
    }

    fn rows(&self) -> Option<usize> {
        Some(self.snapshot.rows)
    }

    fn describe(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "SnapshotScan: {} files, {} slices of row groups, of {}",
            self.snapshot.files.len(),
            self.units.len(),
            self.snapshot.dir.display()
        )
    }

    fn stream(
        &self,
        _partition: usize,
        projection: &Projection,
    ) -> DfResult<SendableRecordBatchStream> {
        let mut builder = RecordBatchReceiverStreamBuilder::new(projection.schema.clone(), 2);
        let tx = builder.tx();
        let (snapshot, units, next) =
            (self.snapshot.clone(), self.units.clone(), self.next.clone());
        let projection = projection.clone();
        builder.spawn_blocking(move || {
            while let Some(unit) = units.get(next.fetch_add(1, Ordering::Relaxed)) {
                read_unit(&snapshot, *unit, &projection, &tx)
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
            }
            Ok(())
        });
        Ok(builder.build())
    }
}

/// Streams one unit's rows into `tx`, batch by batch, as `projection` orders the columns.
fn read_unit(
    snapshot: &Snapshot,
    unit: Unit,
    projection: &Projection,
    tx: &Sender<DfResult<RecordBatch>>,
) -> Result<()> {
    let Some(source) = snapshot.files.get(unit.file) else {
        return Ok(());
    };
    // The reader returns the projected columns in file order; `order` puts each where the
    // projection asked for it.
    let mut sorted = projection.columns.clone();
    sorted.sort_unstable();
    sorted.dedup();
    let order: Vec<usize> = projection
        .columns
        .iter()
        .map(|c| sorted.binary_search(c).unwrap_or(0))
        .collect();
    let file = File::open(&source.path).map_err(AnalyticsError::io(&source.path))?;
    let mask = ProjectionMask::roots(source.metadata.parquet_schema(), sorted.iter().copied());
    let selection = RowSelection::from(vec![
        RowSelector::skip(unit.skip),
        RowSelector::select(unit.rows),
    ]);
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, source.metadata.clone())
        .with_projection(mask)
        .with_row_groups(vec![unit.row_group])
        .with_row_selection(selection)
        .with_row_selection_policy(RowSelectionPolicy::Selectors)
        .with_batch_size(BATCH_ROWS)
        .build()?;
    for batch in reader {
        let batch = batch?;
        let columns = order.iter().map(|&i| batch.column(i).clone()).collect();
        let batch = RecordBatch::try_new_with_options(
            projection.schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )?;
        // A closed channel means the consumer stopped early: stop reading.
        tx.blocking_send(Ok(batch))
            .map_err(|_| AnalyticsError::Cancelled)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::Strings;
    use crate::source::records::to_batch;
    use datafusion::arrow::array::{Array, Int64Array};
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::properties::WriterProperties;

    /// `n` posts, post `i` by user `i` at `i` microseconds, titled `title(i)`, its body
    /// `words` repeated `i % cycle` times.
    fn numbered_posts(
        n: i64,
        title: fn(i64) -> String,
        words: &str,
        cycle: i64,
    ) -> Vec<quill_posts::PostRecord> {
        (0..n)
            .map(|i| quill_posts::PostRecord {
                user_id: i,
                post_id: uuid::Uuid::from_u128(i as u128),
                created_at_micros: i,
                title: title(i),
                body: words.repeat((i % cycle) as usize),
            })
            .collect()
    }

    #[test]
    fn slices_starting_inside_pages_read_every_row_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let posts = numbered_posts(500, |i| format!("t{i}"), "word ", 17);
        let all = Projection::new(None).unwrap();
        // Pages of 7 rows and row groups of 100, cut into slices of 13: most slices start
        // and end inside a page.
        let properties = WriterProperties::builder()
            .set_data_page_row_count_limit(7)
            .set_write_batch_size(7)
            .set_max_row_group_row_count(Some(100))
            .set_dictionary_enabled(false)
            .build();
        let file = File::create(dir.path().join("a.parquet")).unwrap();
        let mut writer = ArrowWriter::try_new(file, all.schema.clone(), Some(properties)).unwrap();
        writer.write(&to_batch(&all, &posts).unwrap()).unwrap();
        writer.close().unwrap();
        let snapshot = Snapshot::open(dir.path()).unwrap();
        let units = snapshot.units_of(13);
        assert_eq!(units.len(), 5 * 8);
        let projection = Projection {
            columns: vec![4, 0],
            schema: Arc::new(snapshot.schema.project(&[4, 0]).unwrap()),
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel(1000);
        for unit in units {
            read_unit(&snapshot, unit, &projection, &tx).unwrap();
        }
        drop(tx);
        let mut users = Vec::new();
        while let Some(batch) = rx.blocking_recv() {
            let batch = batch.unwrap();
            let ids = batch
                .column(1)
                .as_any()
                .downcast_ref::<Int64Array>()
                .unwrap();
            let bodies = Strings::of(batch.column(0), "body").unwrap();
            for i in 0..ids.len() {
                assert_eq!(bodies.value(i), posts[ids.value(i) as usize].body);
                users.push(ids.value(i));
            }
        }
        assert_eq!(users, (0..500).collect::<Vec<i64>>());
    }

    #[test]
    fn strings_of_every_arrow_encoding_are_read_as_views_with_their_text() {
        use datafusion::arrow::compute::cast;
        let posts = numbered_posts(300, |i| format!("T{i} é"), "Wörd and word ", 23);
        let all = Projection::new(None).unwrap();
        let batch = to_batch(&all, &posts).unwrap();
        for encoding in [DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View] {
            let dir = tempfile::tempdir().unwrap();
            let columns: Vec<_> = batch
                .columns()
                .iter()
                .map(|c| match c.data_type() {
                    DataType::Utf8 => cast(c, &encoding).unwrap(),
                    _ => c.clone(),
                })
                .collect();
            let fields: Vec<Field> = all
                .schema
                .fields()
                .iter()
                .zip(&columns)
                .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
                .collect();
            let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
            let file = File::create(dir.path().join("a.parquet")).unwrap();
            let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
            writer.write(&batch).unwrap();
            writer.close().unwrap();

            let snapshot = Snapshot::open(dir.path()).unwrap();
            let body = snapshot.schema.field_with_name("body").unwrap();
            assert_eq!(body.data_type(), &DataType::Utf8View, "{encoding}");
            let projection = Projection {
                columns: vec![3, 4],
                schema: Arc::new(snapshot.schema.project(&[3, 4]).unwrap()),
            };
            let (tx, mut rx) = tokio::sync::mpsc::channel(1000);
            for unit in snapshot.units(1) {
                read_unit(&snapshot, unit, &projection, &tx).unwrap();
            }
            drop(tx);
            let mut read = Vec::new();
            while let Some(batch) = rx.blocking_recv() {
                let batch = batch.unwrap();
                let titles = Strings::of(batch.column(0), "title").unwrap();
                let bodies = Strings::of(batch.column(1), "body").unwrap();
                for i in 0..batch.num_rows() {
                    read.push((titles.value(i).to_owned(), bodies.value(i).to_owned()));
                }
            }
            let expected: Vec<_> = posts
                .iter()
                .map(|p| (p.title.clone(), p.body.clone()))
                .collect();
            assert_eq!(read, expected, "{encoding}");
        }
    }

    #[test]
    fn row_groups_are_cut_into_slices_that_cover_them_once() {
        for (rows, size) in [(0, 10), (1, 10), (10, 10), (11, 10), (625_000, 65_536)] {
            let slices: Vec<_> = cut(rows, size).collect();
            let mut at = 0;
            for &(skip, n) in &slices {
                assert_eq!(skip, at);
                assert!(n <= size && n > 0, "{rows} {size} {slices:?}");
                at += n;
            }
            assert_eq!(at, rows);
        }
        assert_eq!(cut(11, 10).collect::<Vec<_>>(), [(0, 5), (5, 6)]);
    }
}

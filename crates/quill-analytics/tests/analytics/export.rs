//! `export` writes the exact snapshot schema of docs/ANALYTICS.md.

use std::path::Path;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::TimestampMicrosecondType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{
    LogicalType, Repetition, TimeUnit, TimestampType, Type as PhysicalType,
};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use quill_analytics::export::export;

use crate::fixtures::{Scratch, names, options, traps};

type ColumnFacts = (String, PhysicalType, Option<LogicalType>, Repetition);

fn columns(file: &Path) -> (i64, Vec<ColumnFacts>) {
    let reader = SerializedFileReader::new(std::fs::File::open(file).unwrap()).unwrap();
    let meta = reader.metadata().file_metadata();
    let columns = meta
        .schema_descr()
        .columns()
        .iter()
        .map(|c| {
            (
                c.name().to_owned(),
                c.physical_type(),
                c.logical_type_ref().cloned(),
                c.self_type().get_basic_info().repetition(),
            )
        })
        .collect();
    (meta.num_rows(), columns)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snapshot_has_required_columns_and_a_utc_microsecond_timestamp() {
    let scratch = Scratch::new();
    let out = scratch.join("snapshot");
    let source = scratch.embedded(&traps()).await;
    let outcome = export(&source, &out, &options(1)).await.unwrap();
    // One file per scan partition (user-id range, 2 x threads + 1 of them) with posts:
    // the users 7..=10 split into 7, 8 and 9..=10.
    assert_eq!((outcome.rows, outcome.files), (9, 3));
    assert_eq!(
        names(&out),
        [
            "part-00000.parquet",
            "part-00001.parquet",
            "part-00002.parquet"
        ]
    );
    let string = Some(LogicalType::String);
    let expected = vec![
        (
            "user_id".into(),
            PhysicalType::INT64,
            None,
            Repetition::REQUIRED,
        ),
        (
            "post_id".into(),
            PhysicalType::BYTE_ARRAY,
            string.clone(),
            Repetition::REQUIRED,
        ),
        (
            "created_at".into(),
            PhysicalType::INT64,
            Some(LogicalType::Timestamp(TimestampType {
                is_adjusted_to_u_t_c: true,
                unit: TimeUnit::MICROS,
            })),
            Repetition::REQUIRED,
        ),
        (
            "title".into(),
            PhysicalType::BYTE_ARRAY,
            string.clone(),
            Repetition::REQUIRED,
        ),
        (
            "body".into(),
            PhysicalType::BYTE_ARRAY,
            string,
            Repetition::REQUIRED,
        ),
    ];
    let mut rows = 0;
    for name in names(&out) {
        let (n, facts) = columns(&out.join(name));
        rows += n;
        assert_eq!(facts, expected);
    }
    assert_eq!(rows, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_ids_and_times_survive_the_export() {
    let scratch = Scratch::new();
    let posts = traps();
    let out = scratch.join("snapshot");
    let source = scratch.embedded(&posts).await;
    export(&source, &out, &options(2)).await.unwrap();
    let mut rows = Vec::new();
    for name in names(&out) {
        let file = std::fs::File::open(out.join(name)).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let ids = batch.column(1).as_string::<i32>();
            let times = batch.column(2).as_primitive::<TimestampMicrosecondType>();
            for i in 0..batch.num_rows() {
                rows.push((ids.value(i).to_owned(), times.value(i)));
            }
        }
    }
    rows.sort();
    let mut expected: Vec<(String, i64)> = posts
        .iter()
        .map(|p| (p.post_id.hyphenated().to_string(), p.created_at_micros))
        .collect();
    expected.sort();
    assert_eq!(rows, expected);
    assert!(rows.iter().any(|(_, us)| *us == -1));
}

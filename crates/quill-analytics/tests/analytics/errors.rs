//! Bad input gives a clear error, a non-zero exit, and no folder that looks complete.

use std::process::{Command, Output};
use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;

use crate::fixtures::{Scratch, names, traps};

fn quill_analytics(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quill-analytics"));
    command.args(args).env_remove("QUILL_CASSANDRA_NODES");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// Runs the reports of `source` into the scratch folder's `reports/`, which must fail
/// and leave no such folder, saying each of `saying`.
fn refused(scratch: &Scratch, source: &str, env: &[(&str, &str)], saying: &[&str]) {
    let out = scratch.join("reports");
    let output = quill_analytics(
        &[
            "run",
            "--source",
            source,
            "--out",
            out.to_str().unwrap(),
            "--threads",
            "2",
        ],
        env,
    );
    assert!(!output.status.success(), "{source} should fail");
    assert!(!out.exists(), "a failed run left {}", out.display());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for text in saying {
        assert!(stderr.contains(text), "{text:?} is not in: {stderr}");
    }
}

/// `parquet:` and the scratch folder's `snap/`.
fn snap(scratch: &Scratch) -> String {
    format!("parquet:{}", scratch.join("snap").display())
}

/// `batch` as the one Parquet file of the scratch folder's `snap/`.
fn write_snap(scratch: &Scratch, schema: Arc<Schema>, batch: &RecordBatch) {
    let snap = scratch.join("snap");
    std::fs::create_dir(&snap).unwrap();
    let file = std::fs::File::create(snap.join("a.parquet")).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn a_missing_snapshot_directory_is_named() {
    let scratch = Scratch::new();
    let missing = format!("parquet:{}", scratch.join("nope").display());
    let saying = ["does not exist or is not a directory", "nope"];
    refused(&scratch, &missing, &[], &saying);
    assert!(names(scratch.root()).is_empty());
}

#[test]
fn a_directory_without_parquet_files_is_refused() {
    let scratch = Scratch::new();
    std::fs::create_dir(scratch.join("snap")).unwrap();
    std::fs::write(scratch.join("snap/notes.txt"), "x").unwrap();
    refused(&scratch, &snap(&scratch), &[], &["no *.parquet files"]);
    assert_eq!(names(scratch.root()), ["snap"]);
}

#[test]
fn a_snapshot_with_the_wrong_schema_is_refused() {
    let scratch = Scratch::new();
    let schema = Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Utf8, false),
        Field::new("body", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["alice"])),
            Arc::new(StringArray::from(vec!["hi"])),
        ],
    )
    .unwrap();
    write_snap(&scratch, schema, &batch);
    let saying = ["wrong schema: user_id is Utf8", "not int64"];
    refused(&scratch, &snap(&scratch), &[], &saying);
    assert_eq!(names(scratch.root()), ["snap"]);
}

#[test]
fn a_null_in_the_middle_of_a_scan_leaves_no_report_folder() {
    let scratch = Scratch::new();
    let mut fields: Vec<Field> = quill_analytics::schema::posts_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields[4] = Field::new("body", DataType::Utf8, true);
    let schema = Arc::new(Schema::new(fields));
    let good = quill_analytics::source::records::to_batch(
        &quill_analytics::source::records::Projection::new(None).unwrap(),
        &traps(),
    )
    .unwrap();
    let mut columns = good.columns().to_vec();
    let mut bodies: Vec<Option<&str>> = vec![Some("x"); good.num_rows()];
    bodies[8] = None;
    columns[4] = Arc::new(StringArray::from(bodies));
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    write_snap(&scratch, schema, &batch);
    let saying = ["column body holds a null value"];
    refused(&scratch, &snap(&scratch), &[], &saying);
    assert_eq!(names(scratch.root()), ["snap"]);
}

#[test]
fn a_data_directory_without_an_embedded_store_is_named() {
    let scratch = Scratch::new();
    let data = scratch.join("quill-data");
    std::fs::create_dir(&data).unwrap();
    let source = format!("embedded:{}", data.display());
    refused(&scratch, &source, &[], &["no embedded post store at"]);
    let elsewhere = "embedded:/definitely/not/here";
    refused(
        &scratch,
        elsewhere,
        &[],
        &["does not exist or is not a directory"],
    );
    assert_eq!(names(scratch.root()), ["quill-data"]);
}

#[test]
fn an_unreachable_cassandra_is_a_clear_error() {
    let scratch = Scratch::new();
    let env = [
        ("QUILL_CASSANDRA_NODES", "127.0.0.1:1"),
        ("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS", "2000"),
    ];
    let saying = ["cassandra: cannot connect to 127.0.0.1:1"];
    refused(&scratch, "cassandra", &env, &saying);
    assert!(names(scratch.root()).is_empty());
}

#[test]
fn the_cassandra_source_needs_its_nodes() {
    let scratch = Scratch::new();
    let saying = ["setting QUILL_CASSANDRA_NODES: is required"];
    refused(&scratch, "cassandra", &[], &saying);
}

#[test]
fn an_unknown_source_is_refused_before_anything_runs() {
    refused(&Scratch::new(), "mysql:db", &[], &["unknown source"]);
}

#[test]
fn an_existing_report_folder_is_not_overwritten_without_replace() {
    let scratch = Scratch::new();
    let out = scratch.join("reports");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    scratch.parquet(&traps(), 1);
    let output = quill_analytics(
        &[
            "run",
            "--source",
            &snap(&scratch),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass --replace"));
    assert_eq!(
        std::fs::read_to_string(out.join("mine.txt")).unwrap(),
        "keep"
    );
}

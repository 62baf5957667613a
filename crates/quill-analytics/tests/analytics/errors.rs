//! Bad input gives a clear error, a non-zero exit, and no folder that looks complete.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;

use crate::fixtures::names;

fn quill_analytics(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quill-analytics"));
    command.args(args).env_remove("QUILL_CASSANDRA_NODES");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn run_into(root: &Path, source: &str, env: &[(&str, &str)]) -> String {
    let out = root.join("reports");
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
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_snapshot_directory_is_named() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("nope");
    let stderr = run_into(root.path(), &format!("parquet:{}", missing.display()), &[]);
    assert!(
        stderr.contains("does not exist or is not a directory"),
        "{stderr}"
    );
    assert!(stderr.contains("nope"), "{stderr}");
    assert!(names(root.path()).is_empty());
}

#[test]
fn a_directory_without_parquet_files_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let snap = root.path().join("snap");
    std::fs::create_dir(&snap).unwrap();
    std::fs::write(snap.join("notes.txt"), "x").unwrap();
    let stderr = run_into(root.path(), &format!("parquet:{}", snap.display()), &[]);
    assert!(stderr.contains("no *.parquet files"), "{stderr}");
    assert_eq!(names(root.path()), ["snap"]);
}

#[test]
fn a_snapshot_with_the_wrong_schema_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let snap = root.path().join("snap");
    std::fs::create_dir(&snap).unwrap();
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
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(snap.join("a.parquet")).unwrap(),
        schema,
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let stderr = run_into(root.path(), &format!("parquet:{}", snap.display()), &[]);
    assert!(stderr.contains("wrong schema: user_id is Utf8"), "{stderr}");
    assert!(stderr.contains("not int64"), "{stderr}");
    assert_eq!(names(root.path()), ["snap"]);
}

#[test]
fn a_null_in_the_middle_of_a_scan_leaves_no_report_folder() {
    let root = tempfile::tempdir().unwrap();
    let snap = root.path().join("snap");
    std::fs::create_dir(&snap).unwrap();
    let mut fields: Vec<Field> = quill_analytics::schema::posts_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields[4] = Field::new("body", DataType::Utf8, true);
    let schema = Arc::new(Schema::new(fields));
    let good = quill_analytics::source::records::to_batch(
        &quill_analytics::source::records::Projection::new(None).unwrap(),
        &crate::fixtures::traps(),
    )
    .unwrap();
    let mut columns = good.columns().to_vec();
    let mut bodies: Vec<Option<&str>> = vec![Some("x"); good.num_rows()];
    bodies[8] = None;
    columns[4] = Arc::new(StringArray::from(bodies));
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(snap.join("a.parquet")).unwrap(),
        schema,
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let stderr = run_into(root.path(), &format!("parquet:{}", snap.display()), &[]);
    assert!(
        stderr.contains("column body holds a null value"),
        "{stderr}"
    );
    assert_eq!(names(root.path()), ["snap"]);
}

#[test]
fn a_data_directory_without_an_embedded_store_is_named() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("quill-data");
    std::fs::create_dir(&data).unwrap();
    let stderr = run_into(root.path(), &format!("embedded:{}", data.display()), &[]);
    assert!(stderr.contains("no embedded post store at"), "{stderr}");
    let stderr = run_into(root.path(), "embedded:/definitely/not/here", &[]);
    assert!(
        stderr.contains("does not exist or is not a directory"),
        "{stderr}"
    );
    assert_eq!(names(root.path()), ["quill-data"]);
}

#[test]
fn an_unreachable_cassandra_is_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let stderr = run_into(
        root.path(),
        "cassandra",
        &[
            ("QUILL_CASSANDRA_NODES", "127.0.0.1:1"),
            ("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS", "2000"),
        ],
    );
    assert!(
        stderr.contains("cassandra: cannot connect to 127.0.0.1:1"),
        "{stderr}"
    );
    assert!(names(root.path()).is_empty());
}

#[test]
fn the_cassandra_source_needs_its_nodes() {
    let root = tempfile::tempdir().unwrap();
    let stderr = run_into(root.path(), "cassandra", &[]);
    assert!(
        stderr.contains("setting QUILL_CASSANDRA_NODES: is required"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_source_is_refused_before_anything_runs() {
    let root = tempfile::tempdir().unwrap();
    let stderr = run_into(root.path(), "mysql:db", &[]);
    assert!(stderr.contains("unknown source"), "{stderr}");
}

#[test]
fn an_existing_report_folder_is_not_overwritten_without_replace() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("reports");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let snap = root.path().join("snap");
    crate::fixtures::write_parquet(&snap, &crate::fixtures::traps(), 1);
    let output = quill_analytics(
        &[
            "run",
            "--source",
            &format!("parquet:{}", snap.display()),
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

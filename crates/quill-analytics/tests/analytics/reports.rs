//! Each report on hand-built data against hand-computed CSV files.

use crate::fixtures::{
    Scratch, assert_same_csvs, cuts, expected_dir, names, report_parquet, traps,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traps_give_the_hand_computed_reports() {
    let (scratch, outcome) = report_parquet(&traps(), 2).await;
    assert_eq!(outcome.figures.rows, 9);
    assert_same_csvs(&scratch.join("reports"), &expected_dir("traps"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cuts_and_ties_follow_the_report_orders() {
    let (scratch, _) = report_parquet(&cuts(), 3).await;
    assert_same_csvs(&scratch.join("reports"), &expected_dir("cuts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_writes_csv_parquet_and_an_html_page() {
    let (scratch, _) = report_parquet(&traps(), 1).await;
    let out = scratch.join("reports");
    let mut expected = vec!["index.html".to_owned()];
    for stem in [
        "r1_daily",
        "r2_top_users",
        "r3_length_hist",
        "r4_top_words",
        "r5_heatmap",
    ] {
        expected.push(format!("{stem}.csv"));
        expected.push(format!("{stem}.parquet"));
    }
    expected.sort();
    assert_eq!(names(&out), expected);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"));
    assert!(html.contains("rows scanned</th><td>9</td>"));
    assert!(html.contains("R4 Top 100 words"));
    // Nothing else is left beside the output.
    assert_eq!(names(scratch.root()), ["reports", "snap"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_parquet_files_hold_the_csv_rows() {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let (scratch, _) = report_parquet(&traps(), 1).await;
    let file = std::fs::File::open(scratch.join("reports/r4_top_words.parquet")).unwrap();
    let batches: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 29);
    assert_eq!(batch.column(0).as_string::<i32>().value(1), "lorem");
    assert_eq!(batch.column(1).as_primitive::<Int64Type>().value(1), 129);
}

#[test]
fn the_command_line_reports_progress_as_plain_lines_when_not_on_a_terminal() {
    let scratch = Scratch::new();
    scratch.parquet(&traps(), 2);
    let out = scratch.join("reports");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_quill-analytics"))
        .args([
            "run",
            "--source",
            &format!("parquet:{}", scratch.join("snap").display()),
        ])
        .args(["--out", out.to_str().unwrap(), "--threads", "2"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scanning posts 100% 9/9 rows"), "{stderr}");
    assert!(!stderr.contains('\r'), "{stderr}");
    assert!(
        stderr.contains(&format!("wrote {}: 9 rows", out.display())),
        "{stderr}"
    );
    assert_same_csvs(&out, &expected_dir("traps"));
}

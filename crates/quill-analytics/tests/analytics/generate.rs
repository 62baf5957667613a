//! `generate`: the shapes of benchmark snapshots, and options it refuses.

use std::collections::HashSet;
use std::fs::File;
use std::process::Command;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int64Type, TimestampMicrosecondType};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use quill_analytics::SourceSpec;
use quill_analytics::generate::shape::{Preset, Shape};
use quill_analytics::generate::{GenerateOptions, generate};
use quill_analytics::tokens::tokens;

use crate::fixtures::{Scratch, names, report};

fn options(posts: u64, shape: Shape) -> GenerateOptions {
    GenerateOptions {
        posts,
        seed: 1,
        threads: 2,
        replace: false,
        shape,
    }
}

/// The row groups of a Parquet file and its rows.
fn read(path: &std::path::Path) -> (usize, Vec<RecordBatch>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let groups = builder.metadata().num_row_groups();
    (
        groups,
        builder.build().unwrap().map(|b| b.unwrap()).collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wordy_snapshot_looks_like_a_real_sites_posts() {
    let scratch = Scratch::new();
    let snap = scratch.join("snap");
    generate(&snap, &options(8_000, Shape::preset(Preset::Wordy))).unwrap();
    assert_eq!(
        names(&snap),
        [
            "posts-0000.parquet",
            "posts-0001.parquet",
            "posts-0002.parquet",
            "posts-0003.parquet"
        ]
    );
    let (mut chars, mut bodies, mut short, mut ascii_tokens) = (0, 0, 0, 0);
    let (mut non_ascii, mut capitals) = (0, 0);
    let (mut users, mut days) = (HashSet::new(), HashSet::new());
    for name in names(&snap) {
        let (groups, batches) = read(&snap.join(name));
        assert_eq!(groups, 2);
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2_000);
        for batch in batches {
            let body = batch.column_by_name("body").unwrap().as_string::<i32>();
            for b in body.iter().flatten() {
                bodies += 1;
                chars += b.chars().count();
                for t in tokens(b) {
                    if t.is_ascii() {
                        ascii_tokens += 1;
                        short += usize::from((2..=6).contains(&t.len()));
                        capitals += usize::from(t.bytes().any(|c| c.is_ascii_uppercase()));
                    } else {
                        non_ascii += 1;
                    }
                }
            }
            let user = batch.column_by_name("user_id").unwrap();
            users.extend(user.as_primitive::<Int64Type>().values().iter().copied());
            let at = batch.column_by_name("created_at").unwrap();
            let at = at.as_primitive::<TimestampMicrosecondType>();
            days.extend(at.values().iter().map(|us| us.div_euclid(86_400_000_000)));
        }
    }
    let mean = chars as f64 / bodies as f64;
    assert!((680.0..760.0).contains(&mean), "mean body length {mean}");
    // Mostly short words, with capitals and other scripts mixed in.
    assert!(
        short as f64 > 0.8 * ascii_tokens as f64,
        "{short} of {ascii_tokens}"
    );
    assert!(capitals as f64 > 0.05 * ascii_tokens as f64, "{capitals}");
    assert!(non_ascii > 0 && (non_ascii as f64) < 0.05 * ascii_tokens as f64);
    assert!(
        users.len() > 1_000 && users.len() <= 20_000,
        "{}",
        users.len()
    );
    assert!(days.len() > 300 && days.len() <= 365, "{}", days.len());

    let out = scratch.join("reports");
    let outcome = report(&SourceSpec::Parquet(snap), &out, 2).await;
    assert_eq!(outcome.figures.rows, 8_000);
}

#[test]
fn the_default_shape_is_one_file_of_65536_row_groups() {
    let scratch = Scratch::new();
    let snap = scratch.join("snap");
    generate(&snap, &options(70_000, Shape::default())).unwrap();
    assert_eq!(names(&snap), ["posts.parquet"]);
    let (groups, batches) = read(&snap.join("posts.parquet"));
    assert_eq!(groups, 2);
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 70_000);
}

#[test]
fn files_hold_near_equal_shares_even_when_empty() {
    let scratch = Scratch::new();
    let mut shape = Shape {
        files: 3,
        row_groups: Some(1),
        ..Shape::default()
    };
    generate(&scratch.join("a"), &options(7, shape.clone())).unwrap();
    let rows: Vec<usize> = names(&scratch.join("a"))
        .iter()
        .map(|n| {
            read(&scratch.join("a").join(n))
                .1
                .iter()
                .map(|b| b.num_rows())
                .sum()
        })
        .collect();
    assert_eq!(rows, [2, 2, 3]);
    shape.files = 2;
    generate(&scratch.join("b"), &options(1, shape)).unwrap();
    assert_eq!(names(&scratch.join("b")).len(), 2);
}

fn generate_command(scratch: &Scratch, extra: &[&str]) -> (bool, String) {
    let out = scratch.join("snap");
    let output = Command::new(env!("CARGO_BIN_EXE_quill-analytics"))
        .args(["generate", "--posts", "10", "--out", out.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn shape_options_that_cannot_be_generated_are_refused_clearly() {
    let cases: [(&[&str], &str); 5] = [
        (&["--files", "0"], "--files must be at least 1"),
        (
            &["--shape", "wordy", "--row-groups", "0"],
            "--row-groups must be at least 1",
        ),
        (&["--vocabulary", "0"], "--vocabulary must be at least 1"),
        (
            &["--word-letters", "6-2"],
            "use MIN-MAX with 1 <= MIN <= MAX <= 16",
        ),
        (
            &["--shape", "huge"],
            "unknown shape \"huge\": use default or wordy",
        ),
    ];
    for (args, saying) in cases {
        let scratch = Scratch::new();
        let (ok, stderr) = generate_command(&scratch, args);
        assert!(!ok, "{args:?} should fail");
        assert!(stderr.contains(saying), "{saying:?} is not in: {stderr}");
        assert!(names(scratch.root()).is_empty(), "{args:?} left files");
    }
    let scratch = Scratch::new();
    let (ok, stderr) = generate_command(&scratch, &["--shape", "wordy", "--files", "2"]);
    assert!(ok, "{stderr}");
    assert_eq!(names(&scratch.join("snap")).len(), 2);
}

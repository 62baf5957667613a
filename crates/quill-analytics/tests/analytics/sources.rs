//! The sources give identical outputs for the same posts.

use quill_analytics::SourceSpec;
use quill_analytics::export::export;

use crate::fixtures::{Scratch, assert_same_csvs, cuts, expected_dir, options, report, traps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_store_gives_the_hand_computed_reports() {
    let scratch = Scratch::new();
    let out = scratch.join("reports");
    let outcome = report(&scratch.embedded(&traps()).await, &out, 2).await;
    assert_eq!(outcome.figures.rows, 9);
    assert_same_csvs(&out, &expected_dir("traps"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_the_embedded_store_reports_the_same_bytes() {
    let scratch = Scratch::new();
    let mut posts = traps();
    posts.extend(cuts());
    let embedded = scratch.embedded(&posts).await;

    let snapshot = scratch.join("snapshot");
    let exported = export(&embedded, &snapshot, &options(3)).await.unwrap();
    assert_eq!(exported.rows, 59);

    let from_embedded = scratch.join("from-embedded");
    report(&embedded, &from_embedded, 3).await;
    let from_parquet = scratch.join("from-parquet");
    report(&SourceSpec::Parquet(snapshot), &from_parquet, 2).await;
    assert_same_csvs(&from_parquet, &from_embedded);

    // And the same posts written straight to Parquet, split differently.
    let from_direct = scratch.join("from-direct");
    report(&scratch.parquet(&posts, 4), &from_direct, 1).await;
    assert_same_csvs(&from_direct, &from_embedded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thread_count_does_not_change_the_reports() {
    let scratch = Scratch::new();
    let embedded = scratch.embedded(&cuts()).await;
    for threads in [1, 2, 7] {
        let out = scratch.join(&format!("out-{threads}"));
        report(&embedded, &out, threads).await;
        assert_same_csvs(&out, &expected_dir("cuts"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_store_gives_empty_reports_and_a_readable_snapshot() {
    let scratch = Scratch::new();
    let embedded = scratch.embedded(&[]).await;
    let out = scratch.join("reports");
    let outcome = report(&embedded, &out, 2).await;
    assert_eq!(outcome.figures.rows, 0);
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("r1_daily.csv"), "day,posts,authors\n");
    assert_eq!(read("r2_top_users.csv"), "user_id,posts,body_chars\n");
    assert_eq!(
        read("r3_length_hist.csv"),
        "bucket,posts\n0-9,0\n10-19,0\n20-49,0\n50-99,0\n100-199,0\n200-499,0\n500+,0\n"
    );
    assert_eq!(read("r4_top_words.csv"), "word,count\n");
    assert_eq!(read("r5_heatmap.csv"), "dow,hour,posts\n");

    let snapshot = scratch.join("snapshot");
    let exported = export(&embedded, &snapshot, &options(2)).await.unwrap();
    assert_eq!((exported.rows, exported.files), (0, 1));
    let again = scratch.join("again");
    report(&SourceSpec::Parquet(snapshot), &again, 2).await;
    assert_same_csvs(&again, &out);
}

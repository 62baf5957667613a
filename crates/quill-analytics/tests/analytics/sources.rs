//! The sources give identical outputs for the same posts.

use quill_analytics::export::export;
use quill_analytics::{SourceSpec, run};

use crate::fixtures::{
    assert_same_csvs, cuts, expected_dir, options, traps, write_embedded, write_parquet,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_store_gives_the_hand_computed_reports() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("quill-data");
    write_embedded(&data, &traps()).await;
    let out = root.path().join("reports");
    let outcome = run(&SourceSpec::Embedded(data), &out, &options(2))
        .await
        .unwrap();
    assert_eq!(outcome.figures.rows, 9);
    assert_same_csvs(&out, &expected_dir("traps"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_the_embedded_store_reports_the_same_bytes() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("quill-data");
    let mut posts = traps();
    posts.extend(cuts());
    write_embedded(&data, &posts).await;
    let embedded = SourceSpec::Embedded(data);

    let snapshot = root.path().join("snapshot");
    let exported = export(&embedded, &snapshot, &options(3)).await.unwrap();
    assert_eq!(exported.rows, 59);

    let from_embedded = root.path().join("from-embedded");
    run(&embedded, &from_embedded, &options(3)).await.unwrap();
    let from_parquet = root.path().join("from-parquet");
    run(&SourceSpec::Parquet(snapshot), &from_parquet, &options(2))
        .await
        .unwrap();
    assert_same_csvs(&from_parquet, &from_embedded);

    // And the same posts written straight to Parquet, split differently.
    let direct = root.path().join("direct");
    write_parquet(&direct, &posts, 4);
    let from_direct = root.path().join("from-direct");
    run(&SourceSpec::Parquet(direct), &from_direct, &options(1))
        .await
        .unwrap();
    assert_same_csvs(&from_direct, &from_embedded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_thread_count_does_not_change_the_reports() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("quill-data");
    write_embedded(&data, &cuts()).await;
    for threads in [1, 2, 7] {
        let out = root.path().join(format!("out-{threads}"));
        run(&SourceSpec::Embedded(data.clone()), &out, &options(threads))
            .await
            .unwrap();
        assert_same_csvs(&out, &expected_dir("cuts"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_store_gives_empty_reports_and_a_readable_snapshot() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("quill-data");
    write_embedded(&data, &[]).await;
    let embedded = SourceSpec::Embedded(data);
    let out = root.path().join("reports");
    let outcome = run(&embedded, &out, &options(2)).await.unwrap();
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

    let snapshot = root.path().join("snapshot");
    let exported = export(&embedded, &snapshot, &options(2)).await.unwrap();
    assert_eq!((exported.rows, exported.files), (0, 1));
    let again = root.path().join("again");
    run(&SourceSpec::Parquet(snapshot), &again, &options(2))
        .await
        .unwrap();
    assert_same_csvs(&again, &out);
}

//! The nightly mode writes one dated folder, atomically, and a rerun replaces it.

use std::process::Command;

use quill_analytics::nightly::dated_dir;
use quill_domain::clock::unix_micros;

use quill_analytics::SourceSpec;

use crate::fixtures::{Scratch, assert_same_csvs, expected_dir, names, report, traps};

#[test]
fn a_nightly_run_writes_todays_folder_and_a_rerun_replaces_it() {
    let scratch = Scratch::new();
    scratch.parquet(&traps(), 1);
    let snap = scratch.join("snap");
    let reports = scratch.join("reports");
    std::fs::create_dir(&reports).unwrap();
    // A leftover of a killed run is cleaned up.
    std::fs::create_dir(reports.join(".2020-01-01.partial-1")).unwrap();
    for _ in 0..2 {
        let before = dated_dir(&reports, unix_micros());
        let output = Command::new(env!("CARGO_BIN_EXE_quill-analytics"))
            .args([
                "nightly",
                "--source",
                &format!("parquet:{}", snap.display()),
            ])
            .args(["--reports-dir", reports.to_str().unwrap(), "--threads", "2"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let after = dated_dir(&reports, unix_micros());
        let folders = names(&reports);
        assert_eq!(folders.len(), 1, "{folders:?}");
        let dir = reports.join(&folders[0]);
        assert!(dir == before || dir == after, "{}", dir.display());
        assert_same_csvs(&dir, &expected_dir("traps"));
    }
}

/// `--snapshot DIR`: a store is exported to DIR before each night's run, which reads that
/// snapshot (the path to a Ballista cluster; the local engine here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nightly_run_with_a_snapshot_exports_the_store_first() {
    let scratch = Scratch::new();
    let store = scratch.embedded(&traps()).await;
    let SourceSpec::Embedded(data) = &store else {
        unreachable!()
    };
    let snap = scratch.join("snapshots/posts");
    let reports = scratch.join("reports");
    for _ in 0..2 {
        let output = Command::new(env!("CARGO_BIN_EXE_quill-analytics"))
            .args([
                "nightly",
                "--source",
                &format!("embedded:{}", data.display()),
            ])
            .args(["--snapshot", snap.to_str().unwrap(), "--engine", "local"])
            .args(["--reports-dir", reports.to_str().unwrap(), "--threads", "2"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let folders = names(&reports);
        assert_eq!(folders.len(), 1, "{folders:?}");
        assert_same_csvs(&reports.join(&folders[0]), &expected_dir("traps"));
        // The snapshot is there, replaced each night, and reports the same.
        assert!(names(&snap).iter().any(|n| n.ends_with(".parquet")));
        let again = scratch.join("again");
        let _ = std::fs::remove_dir_all(&again);
        report(&SourceSpec::Parquet(snap.clone()), &again, 2).await;
        assert_same_csvs(&again, &expected_dir("traps"));
    }
}

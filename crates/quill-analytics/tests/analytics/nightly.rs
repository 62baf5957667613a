//! The nightly mode writes one dated folder, atomically, and a rerun replaces it.

use std::process::Command;

use quill_analytics::nightly::dated_dir;
use quill_domain::clock::unix_micros;

use crate::fixtures::{Scratch, assert_same_csvs, expected_dir, names, traps};

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

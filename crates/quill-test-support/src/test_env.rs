//! The `QUILL_TEST_*` variables the test command (scripts/test.sh) sets, read here and
//! nowhere else, and the one rule for a missing tool: SKIPPED, unless required.

use std::path::PathBuf;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// `QUILL_TEST_WEBDRIVER`: chromedriver's URL.
pub fn webdriver() -> Option<String> {
    var("QUILL_TEST_WEBDRIVER")
}

/// `QUILL_TEST_SCREENSHOTS`: where the browser suites save screenshots.
pub fn screenshots() -> Option<PathBuf> {
    var("QUILL_TEST_SCREENSHOTS").map(PathBuf::from)
}

/// `QUILL_TEST_CLUSTER_ROOT`: where each cluster test makes its topology's folder, so
/// that the test command can stop what a killed test left behind.
pub fn cluster_root() -> Option<PathBuf> {
    var("QUILL_TEST_CLUSTER_ROOT").map(PathBuf::from)
}

/// `QUILL_TEST_COMPOSE_URL`: nginx of the compose stack `scripts/compose-check.sh`
/// started, for tests/compose.rs.
pub fn compose_url() -> Option<String> {
    var("QUILL_TEST_COMPOSE_URL")
}

/// `QUILL_TEST_LOG`: show Quill's logs in tests.
pub fn show_logs() -> bool {
    var("QUILL_TEST_LOG").is_some()
}

/// What a suite needs from the machine, and the variable that makes it a must.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// chromedriver and Chromium: `QUILL_TEST_REQUIRE_BROWSER`.
    Browser,
    /// MariaDB, HAProxy, nginx: `QUILL_TEST_REQUIRE_CLUSTER`.
    Cluster,
}

impl Need {
    fn required(self) -> bool {
        var(match self {
            Need::Browser => "QUILL_TEST_REQUIRE_BROWSER",
            Need::Cluster => "QUILL_TEST_REQUIRE_CLUSTER",
        })
        .is_some()
    }
}

/// Whether a test can run, given what is `missing` from the machine. When something
/// is, the test says SKIPPED (naming it, and `how` to get it) and should pass, unless
/// the test command required it: then this panics, and the test fails.
pub fn can_run(need: Need, missing: &[String], how: &str) -> bool {
    if missing.is_empty() {
        return true;
    }
    let missing = missing.join(", ");
    assert!(
        !need.required(),
        "{need:?} tests are required, but {missing} is missing ({how})"
    );
    eprintln!("SKIPPED: {need:?} test: {missing} is missing ({how})");
    false
}

/// The tools of `tools` that are not on `PATH`.
pub fn missing_tools(tools: &[&str]) -> Vec<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    tools
        .iter()
        .filter(|tool| !std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .map(|tool| (*tool).to_owned())
        .collect()
}

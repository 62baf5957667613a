//! Waiting for something to start or to change state: one bounded poll, written once.
//! It waits for a condition the test is about to rely on; it never repeats a check that
//! failed until it passes.

use std::time::{Duration, Instant};

/// How long a start or a change of state may take before the wait gives up; a bound
/// for a loaded two-core machine, never an assertion about speed.
pub const PATIENCE: Duration = Duration::from_secs(60);

const POLL: Duration = Duration::from_millis(100);

/// Blocks until `ready` says `true`. `Err` when it says `Err` (say, the process being
/// waited for has exited) or after [`PATIENCE`], naming `what` it waited for.
pub fn until<E>(what: &str, mut ready: impl FnMut() -> Result<bool, E>) -> Result<(), String>
where
    E: std::fmt::Display,
{
    let start = Instant::now();
    loop {
        match ready() {
            Ok(true) => return Ok(()),
            Ok(false) if start.elapsed() < PATIENCE => std::thread::sleep(POLL),
            Ok(false) => return Err(format!("gave up after {PATIENCE:?} waiting for {what}")),
            Err(e) => return Err(format!("waiting for {what}: {e}")),
        }
    }
}

/// In an async test: waits until `done` holds, and panics naming `what` after
/// [`PATIENCE`].
#[cfg(feature = "app")]
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "gave up waiting: {what}");
        tokio::time::sleep(POLL).await;
    }
}

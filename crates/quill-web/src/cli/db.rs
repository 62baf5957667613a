//! `quill db status`, `quill db promote` and `quill db watch`: `quill-ops` does the
//! work, in a build with the `mysql` feature; a build without it says how to get one.

#[cfg(feature = "mysql")]
use std::time::Duration;

#[cfg(feature = "mysql")]
use quill_ops::OpsSettings;

#[cfg(not(feature = "mysql"))]
use crate::settings::BUILD_WITH_MYSQL;

#[cfg(feature = "mysql")]
use super::DbCommand;

/// `quill db ...` in a build without the `mysql` feature.
#[cfg(not(feature = "mysql"))]
#[derive(Debug, thiserror::Error)]
#[error(
    "`db` commands manage MariaDB replication, and this quill was built without it; \
     {BUILD_WITH_MYSQL}"
)]
pub struct WithoutMysql;

#[cfg(feature = "mysql")]
pub fn run(command: DbCommand, ops: &OpsSettings) -> anyhow::Result<()> {
    let nodes = ops.nodes()?;
    match command {
        DbCommand::Status => print!("{}", quill_ops::StatusTable(&quill_ops::status(nodes))),
        DbCommand::Promote { wait } => {
            if ops.haproxy.is_none() {
                eprintln!(
                    "quill: QUILL_HAPROXY_ADMIN is not set; HAProxy will find the new primary \
                     by its health checks"
                );
            }
            if let Some(secs) = wait {
                quill_ops::wait_for_all(nodes, ops.haproxy.as_ref(), Duration::from_secs(secs))?;
            }
            let outcome = quill_ops::promote(nodes, ops.haproxy.as_ref(), quill_ops::CATCH_UP)?;
            print!("{outcome}");
        }
        DbCommand::Watch => watch(nodes),
    }
    Ok(())
}

/// How often `quill db watch` looks at the servers: often enough that a restarted
/// primary takes writes again seconds after it answers, seldom enough to cost nothing
/// while all is well (three connections and two queries each).
#[cfg(feature = "mysql")]
const WATCH_EVERY: Duration = Duration::from_secs(5);

/// Runs until stopped; logs what it sees when that changes, and what it does.
#[cfg(feature = "mysql")]
fn watch(nodes: &[quill_ops::Node]) -> ! {
    use quill_ops::Watch;
    let mut last = None;
    loop {
        match quill_ops::watch_once(nodes) {
            Ok(Watch::Resumed(server)) => {
                tracing::warn!(
                    %server,
                    "the primary had restarted read-only and nothing else changed: it is writable again"
                );
                last = Some(Watch::PrimaryUp(server));
            }
            Ok(seen) => {
                if last.as_ref() != Some(&seen) {
                    match &seen {
                        Watch::PrimaryUp(server) => {
                            tracing::info!(%server, "a writable primary is up")
                        }
                        _ => tracing::warn!(
                            "no writable primary, and none may be made one without a person: \
                             `quill db promote` fails over"
                        ),
                    }
                }
                last = Some(seen);
            }
            Err(e) => tracing::warn!(error = ?e, "making the restarted primary writable failed"),
        }
        std::thread::sleep(WATCH_EVERY);
    }
}

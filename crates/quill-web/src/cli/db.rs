//! `quill db status` and `quill db promote`: `quill-ops` does the work, in a build with
//! the `mysql` feature; a build without it says how to get one.

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
        DbCommand::Promote => {
            if ops.haproxy.is_none() {
                eprintln!(
                    "quill: QUILL_HAPROXY_ADMIN is not set; HAProxy will find the new primary \
                     by its health checks"
                );
            }
            let outcome = quill_ops::promote(nodes, ops.haproxy.as_ref(), quill_ops::CATCH_UP)?;
            print!("{outcome}");
        }
    }
    Ok(())
}

//! What each server says of itself: reachable or not, read-only or not, whom it
//! replicates from, and its GTID position (`quill db status`).

mod table;

use diesel::{MysqlConnection, QueryableByName, RunQueryDsl};
use quill_sql::GtidPos;

use crate::node::{Node, NodeError};

pub use table::StatusTable;

/// What a server says of itself.
#[derive(Debug)]
pub struct NodeStatus {
    pub name: String,
    /// Why the server could not be asked, if it could not.
    pub unreachable: Option<NodeError>,
    pub read_only: bool,
    /// Set when the server replicates from another.
    pub replica: Option<ReplicaStatus>,
    /// Every transaction this server has (`@@gtid_current_pos`).
    pub position: GtidPos,
}

#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    /// The host and port it replicates from (`Master_Host`, `Master_Port`).
    pub source: String,
    pub source_port: u16,
    pub io_running: bool,
    pub sql_running: bool,
    pub seconds_behind: Option<i64>,
    /// Transactions received, applied or not (`Gtid_IO_Pos`).
    pub received: GtidPos,
}

impl NodeStatus {
    /// Reachable, writable and replicating from nobody: a primary.
    pub fn is_primary(&self) -> bool {
        self.unreachable.is_none() && !self.read_only && self.replica.is_none()
    }

    pub fn role(&self) -> &'static str {
        match (&self.unreachable, &self.replica) {
            (Some(_), _) => "unreachable",
            (None, Some(_)) => "replica",
            (None, None) if self.read_only => "read-only",
            (None, None) => "primary",
        }
    }
}

/// Asks every server for its role and position; an unreachable one says why. All at
/// once, so a server that does not answer costs its timeout once, not once for each
/// server after it.
pub fn status(nodes: &[Node]) -> Vec<NodeStatus> {
    std::thread::scope(|scope| {
        let asking: Vec<_> = nodes
            .iter()
            .map(|node| {
                scope.spawn(move || {
                    node.connect()
                        .and_then(|mut conn| read_status(node, &mut conn))
                })
            })
            .collect();
        asking
            .into_iter()
            .zip(nodes)
            .map(|(asked, node)| {
                let asked = asked
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                asked.unwrap_or_else(|why| NodeStatus {
                    name: node.name.clone(),
                    unreachable: Some(why),
                    read_only: true,
                    replica: None,
                    position: GtidPos::default(),
                })
            })
            .collect()
    })
}

#[derive(QueryableByName)]
struct Variables {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    read_only: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    position: String,
}

#[derive(QueryableByName)]
struct SlaveRow {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Master_Host")]
    master_host: String,
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = "Master_Port")]
    master_port: i32,
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Slave_IO_Running")]
    io_running: String,
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Slave_SQL_Running")]
    sql_running: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>, column_name = "Seconds_Behind_Master")]
    seconds_behind: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Gtid_IO_Pos")]
    gtid_io_pos: String,
}

/// The status of the server `conn` is connected to.
pub(crate) fn read_status(
    node: &Node,
    conn: &mut MysqlConnection,
) -> Result<NodeStatus, NodeError> {
    let vars: Variables = diesel::sql_query(
        "SELECT CAST(@@read_only AS SIGNED) AS read_only, @@gtid_current_pos AS position",
    )
    .get_result(conn)
    .map_err(node.query_error("reading read_only and the GTID position"))?;
    let rows: Vec<SlaveRow> = diesel::sql_query("SHOW SLAVE STATUS")
        .load(conn)
        .map_err(node.query_error("reading the replication status"))?;
    let parse = |raw: &str| raw.parse::<GtidPos>().unwrap_or_default();
    Ok(NodeStatus {
        name: node.name.clone(),
        unreachable: None,
        read_only: vars.read_only != 0,
        replica: rows.into_iter().next().map(|row| ReplicaStatus {
            source: row.master_host,
            source_port: u16::try_from(row.master_port).unwrap_or_default(),
            io_running: row.io_running == "Yes",
            sql_running: row.sql_running == "Yes",
            seconds_behind: row.seconds_behind,
            received: parse(&row.gtid_io_pos),
        }),
        position: parse(&vars.position),
    })
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use quill_domain::Secret;

    use super::*;

    /// A port nothing listens on: port 1 of the loopback address refuses at once.
    fn nowhere() -> Node {
        Node {
            name: "db9".into(),
            url: Secret::new("mysql://admin:hunter22@127.0.0.1:1/".into()),
        }
    }

    #[test]
    fn an_unreachable_server_says_why_and_keeps_the_cause() {
        let statuses = status(&[nowhere()]);
        let [db9] = statuses.as_slice() else {
            panic!("one status per node: {statuses:?}");
        };
        assert_eq!(db9.role(), "unreachable");
        let why = db9.unreachable.as_ref().expect("unreachable");
        assert!(matches!(why, NodeError::Connect { name, .. } if name == "db9"));
        let cause = why.source().expect("the driver's error").to_string();
        assert!(!cause.is_empty() && !cause.contains("hunter22"), "{cause}");
    }
}

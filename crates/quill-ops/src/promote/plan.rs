//! The decisions of a promotion, as pure functions of the servers' statuses: which
//! server becomes the primary, and the SQL and HAProxy commands that make it so.

use super::PromoteError;
use crate::status::NodeStatus;

/// The server to promote: refused while a primary is up; otherwise the reachable server
/// whose position covers the others' (the first such, by the order given).
pub fn choose_new_primary(nodes: &[NodeStatus]) -> Result<&NodeStatus, PromoteError> {
    if let Some(primary) = nodes.iter().find(|n| n.is_primary()) {
        return Err(PromoteError::PrimaryAlive(primary.name.clone()));
    }
    let reachable: Vec<&NodeStatus> = nodes.iter().filter(|n| n.unreachable.is_none()).collect();
    reachable
        .iter()
        .find(|candidate| {
            reachable
                .iter()
                .all(|other| candidate.position.covers(&other.position))
        })
        .or_else(|| reachable.first())
        .copied()
        .ok_or(PromoteError::NoCandidate)
}

/// The statements that repoint a replica at a new primary. The host and port come
/// from [`Node::address`](crate::Node::address), which admits only host-name
/// characters: `CHANGE MASTER` takes no placeholders.
pub fn repoint_statements(host: &str, port: u16) -> String {
    format!(
        "STOP SLAVE; CHANGE MASTER TO MASTER_HOST = '{host}', MASTER_PORT = {port}, \
         MASTER_USE_GTID = slave_pos; START SLAVE;"
    )
}

/// The HAProxy commands that send writes to `new_primary` only and keep the servers
/// that could not be reached out of both backends until an operator rebuilds them.
pub fn haproxy_commands(statuses: &[NodeStatus], new_primary: &str) -> Vec<String> {
    let mut commands = Vec::new();
    for node in statuses {
        let name = &node.name;
        if name == new_primary {
            commands.push(format!("set server mariadb_write/{name} state ready"));
            commands.push(format!("set server mariadb_write/{name} health up"));
        } else {
            commands.push(format!("set server mariadb_write/{name} state maint"));
        }
        if node.unreachable.is_some() {
            commands.push(format!("set server mariadb_read/{name} state maint"));
            commands.push(format!(
                "set server mariadb_read/{name}_primary state maint"
            ));
        }
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeError;
    use crate::status::ReplicaStatus;
    use quill_sql::GtidPos;

    fn node(
        name: &str,
        unreachable: bool,
        read_only: bool,
        replica: bool,
        pos: &str,
    ) -> NodeStatus {
        NodeStatus {
            name: name.into(),
            unreachable: unreachable.then(|| NodeError::Connect {
                name: name.into(),
                source: diesel::ConnectionError::BadConnection("refused".into()),
            }),
            read_only,
            replica: replica.then(|| ReplicaStatus {
                source: "db1".into(),
                source_port: 3306,
                io_running: false,
                sql_running: true,
                seconds_behind: None,
                received: GtidPos::default(),
            }),
            position: pos.parse().expect("position"),
        }
    }

    #[test]
    fn the_most_advanced_reachable_replica_is_chosen() {
        let nodes = [
            node("db1", true, false, false, ""),
            node("db2", false, true, true, "0-1-40"),
            node("db3", false, true, true, "0-1-42"),
        ];
        assert_eq!(choose_new_primary(&nodes).expect("choice").name, "db3");
    }

    #[test]
    fn a_live_primary_is_never_replaced() {
        let nodes = [
            node("db1", false, false, false, "0-1-42"),
            node("db2", false, true, true, "0-1-42"),
        ];
        assert!(matches!(
            choose_new_primary(&nodes),
            Err(PromoteError::PrimaryAlive(name)) if name == "db1"
        ));
    }

    #[test]
    fn a_restarted_read_only_primary_can_be_chosen_when_it_is_ahead() {
        let nodes = [
            node("db1", false, true, false, "0-1-50"),
            node("db2", false, true, true, "0-1-42"),
        ];
        assert_eq!(choose_new_primary(&nodes).expect("choice").name, "db1");
        let none = [node("db1", true, false, false, "")];
        assert!(matches!(
            choose_new_primary(&none),
            Err(PromoteError::NoCandidate)
        ));
    }

    #[test]
    fn haproxy_sends_writes_to_the_new_primary_only() {
        let nodes = [
            node("db1", true, false, false, ""),
            node("db2", false, false, false, "0-1-42"),
            node("db3", false, true, true, "0-1-42"),
        ];
        assert_eq!(
            haproxy_commands(&nodes, "db2"),
            [
                "set server mariadb_write/db1 state maint",
                "set server mariadb_read/db1 state maint",
                "set server mariadb_read/db1_primary state maint",
                "set server mariadb_write/db2 state ready",
                "set server mariadb_write/db2 health up",
                "set server mariadb_write/db3 state maint",
            ]
        );
    }

    #[test]
    fn repointing_keeps_gtid_positions() {
        assert_eq!(
            repoint_statements("mariadb-replica-1", 3306),
            "STOP SLAVE; CHANGE MASTER TO MASTER_HOST = 'mariadb-replica-1', \
             MASTER_PORT = 3306, MASTER_USE_GTID = slave_pos; START SLAVE;"
        );
    }
}

//! `quill db status`'s table: one line per server.

use std::error::Error;
use std::fmt;

use super::NodeStatus;

/// The servers' statuses as `quill db status` prints them.
pub struct StatusTable<'a>(pub &'a [NodeStatus]);

impl fmt::Display for StatusTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:<12} {:<24} replication",
            "server", "role", "gtid"
        )?;
        for node in self.0 {
            let replication = match (&node.unreachable, &node.replica) {
                (Some(why), _) => with_causes(why),
                (None, Some(r)) => format!(
                    "from {} io={} sql={} behind={}",
                    r.source,
                    yes_no(r.io_running),
                    yes_no(r.sql_running),
                    r.seconds_behind
                        .map_or("-".to_owned(), |secs| format!("{secs}s"))
                ),
                (None, None) => String::new(),
            };
            writeln!(
                f,
                "{:<12} {:<12} {:<24} {replication}",
                node.name,
                node.role(),
                node.position.to_string()
            )?;
        }
        Ok(())
    }
}

fn yes_no(running: bool) -> &'static str {
    if running { "yes" } else { "no" }
}

/// An error and its causes on one line, as `anyhow`'s `{:#}` writes them.
fn with_causes(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        line.push_str(": ");
        line.push_str(&e.to_string());
        cause = e.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use quill_sql::GtidPos;

    use super::*;
    use crate::node::NodeError;
    use crate::status::ReplicaStatus;

    #[test]
    fn the_table_says_each_servers_role_position_and_why_it_is_unreachable() {
        let nodes = [
            NodeStatus {
                name: "db1".into(),
                unreachable: Some(NodeError::Connect {
                    name: "db1".into(),
                    source: diesel::ConnectionError::BadConnection("refused".into()),
                }),
                read_only: true,
                replica: None,
                position: GtidPos::default(),
            },
            NodeStatus {
                name: "db2".into(),
                unreachable: None,
                read_only: true,
                replica: Some(ReplicaStatus {
                    source: "db1".into(),
                    source_port: 3306,
                    io_running: false,
                    sql_running: true,
                    seconds_behind: None,
                    received: GtidPos::default(),
                }),
                position: "0-1-42".parse().expect("position"),
            },
        ];
        let table = StatusTable(&nodes).to_string();
        let lines: Vec<&str> = table.lines().map(str::trim_end).collect();
        assert_eq!(
            lines,
            [
                "server       role         gtid                     replication",
                "db1          unreachable                           cannot connect to db1: refused",
                "db2          replica      0-1-42                   from db1 io=no sql=yes behind=-",
            ]
        );
    }
}

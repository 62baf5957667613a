//! `quill db watch`: a primary that restarts (a crash, a reboot, `docker compose
//! restart`) comes back read-only, as every server starts; this makes it writable again
//! when nothing else changed, and leaves everything else to a person (`quill db
//! promote`). It never promotes a replica and never touches HAProxy: HAProxy's checks
//! find the primary writable again by themselves.

use diesel::connection::SimpleConnection;

use crate::node::{Node, NodeError};
use crate::status::{NodeStatus, ReplicaStatus, read_status, status};

/// The read-only server to make writable again when nothing changed since it stopped
/// being writable: a primary that restarted with no promotion since. Only when every
/// server answers (one that does not could be a writable primary elsewhere), none is
/// writable, every replica replicates from one server (`nodes` give the addresses
/// replicas know it by) which replicates from nobody, and that server holds every
/// transaction any replica has or has received. A server that replicates from nobody
/// and that no replica follows (a primary a promotion left out) does not count.
pub fn restarted_primary<'a>(nodes: &[Node], statuses: &'a [NodeStatus]) -> Option<&'a NodeStatus> {
    if statuses.len() != nodes.len()
        || statuses
            .iter()
            .any(|n| n.unreachable.is_some() || !n.read_only)
    {
        return None;
    }
    let address_of = |status: &NodeStatus| {
        nodes
            .iter()
            .find(|node| node.name == status.name)
            .and_then(|node| node.address().ok())
    };
    let replicas: Vec<(&NodeStatus, &ReplicaStatus)> = statuses
        .iter()
        .filter_map(|n| n.replica.as_ref().map(|replica| (n, replica)))
        .collect();
    let candidate = match replicas.first() {
        // One server alone is its own primary; several that follow nobody are a puzzle.
        None => return statuses.first().filter(|_| statuses.len() == 1),
        Some((_, followed)) => statuses.iter().find(|n| {
            n.replica.is_none()
                && address_of(n) == Some((followed.source.clone(), followed.source_port))
        })?,
    };
    let address = address_of(candidate)?;
    replicas
        .iter()
        .all(|(status, replica)| {
            (replica.source.clone(), replica.source_port) == address
                && candidate.position.covers(&status.position)
                && candidate.position.covers(&replica.received)
        })
        .then_some(candidate)
}

/// What one look at the servers found or did.
#[derive(Debug, PartialEq, Eq)]
pub enum Watch {
    /// A writable primary is up.
    PrimaryUp(String),
    /// A restarted primary was made writable again.
    Resumed(String),
    /// No primary, and none may be made one without a person.
    NoPrimary,
}

/// Looks at every server once, and makes a restarted primary writable again when
/// [`restarted_primary`] allows it.
pub fn watch_once(nodes: &[Node]) -> Result<Watch, NodeError> {
    let statuses = status(nodes);
    if let Some(primary) = statuses.iter().find(|n| n.is_primary()) {
        return Ok(Watch::PrimaryUp(primary.name.clone()));
    }
    let Some(node) = restarted_primary(nodes, &statuses)
        .and_then(|candidate| nodes.iter().find(|n| n.name == candidate.name))
    else {
        return Ok(Watch::NoPrimary);
    };
    let mut conn = node.connect()?;
    // Asked again on this connection, right before acting: still read-only, and still
    // replicating from nobody.
    let now = read_status(node, &mut conn)?;
    if !now.read_only || now.replica.is_some() {
        return Ok(Watch::NoPrimary);
    }
    conn.batch_execute("SET GLOBAL read_only = OFF")
        .map_err(node.query_error("making it writable again"))?;
    Ok(Watch::Resumed(node.name.clone()))
}

#[cfg(test)]
mod tests {
    use quill_domain::Secret;
    use quill_sql::GtidPos;

    use super::*;

    fn nodes() -> Vec<Node> {
        ["db1", "db2", "db3"]
            .into_iter()
            .map(|name| Node {
                name: name.into(),
                url: Secret::new(format!("mysql://admin:pw@{name}:3306/")),
            })
            .collect()
    }

    /// A server that replicates from nobody: writable or read-only.
    fn standalone(name: &str, read_only: bool, pos: &str) -> NodeStatus {
        NodeStatus {
            name: name.into(),
            unreachable: None,
            read_only,
            replica: None,
            position: pos.parse().expect("position"),
        }
    }

    fn unreachable(name: &str) -> NodeStatus {
        NodeStatus {
            unreachable: Some(NodeError::Connect {
                name: name.into(),
                source: diesel::ConnectionError::BadConnection("refused".into()),
            }),
            ..standalone(name, true, "")
        }
    }

    /// A read-only replica of `source` at `pos`, having received `received`.
    fn follower(name: &str, source: &str, pos: &str, received: &str) -> NodeStatus {
        NodeStatus {
            replica: Some(ReplicaStatus {
                source: source.into(),
                source_port: 3306,
                io_running: true,
                sql_running: true,
                seconds_behind: Some(0),
                received: received.parse::<GtidPos>().expect("received"),
            }),
            ..standalone(name, true, pos)
        }
    }

    fn chosen(statuses: &[NodeStatus]) -> Option<&str> {
        restarted_primary(&nodes(), statuses).map(|n| n.name.as_str())
    }

    #[test]
    fn a_restarted_primary_that_everyone_still_follows_is_made_writable_again() {
        assert_eq!(
            chosen(&[
                standalone("db1", true, "0-1-42"),
                follower("db2", "db1", "0-1-42", "0-1-42"),
                follower("db3", "db1", "0-1-40", "0-1-42"),
            ]),
            Some("db1")
        );
    }

    #[test]
    fn a_primary_left_out_by_a_promotion_does_not_stop_the_new_one_restarting() {
        assert_eq!(
            chosen(&[
                // The old primary, back after a promotion: read-only, followed by nobody.
                standalone("db1", true, "0-1-45"),
                standalone("db2", true, "0-2-60"),
                follower("db3", "db2", "0-2-60", "0-2-60"),
            ]),
            Some("db2")
        );
    }

    #[test]
    fn nothing_is_made_writable_when_anything_else_changed() {
        let cases: [(&str, [NodeStatus; 3]); 7] = [
            (
                "a writable server somewhere",
                [
                    standalone("db1", true, "0-1-42"),
                    standalone("db2", false, "0-2-43"),
                    follower("db3", "db2", "0-2-43", "0-2-43"),
                ],
            ),
            (
                "a server that does not answer could be a primary elsewhere",
                [
                    standalone("db1", true, "0-1-42"),
                    follower("db2", "db1", "0-1-42", "0-1-42"),
                    unreachable("db3"),
                ],
            ),
            (
                "the replicas follow different servers: something was promoted",
                [
                    standalone("db1", true, "0-1-42"),
                    follower("db2", "db1", "0-1-42", "0-1-42"),
                    follower("db3", "db2", "0-1-42", "0-1-42"),
                ],
            ),
            (
                "the replicas follow a server that is not there",
                [
                    standalone("db1", true, "0-1-42"),
                    follower("db2", "db4", "0-1-42", "0-1-42"),
                    follower("db3", "db4", "0-1-42", "0-1-42"),
                ],
            ),
            (
                "several servers follow nobody, and no replica tells which was primary",
                [
                    standalone("db1", true, "0-1-42"),
                    standalone("db2", true, "0-1-42"),
                    standalone("db3", true, "0-1-42"),
                ],
            ),
            (
                "a replica has applied what the old primary lost",
                [
                    standalone("db1", true, "0-1-40"),
                    follower("db2", "db1", "0-1-42", "0-1-42"),
                    follower("db3", "db1", "0-1-40", "0-1-40"),
                ],
            ),
            (
                "a replica has received what the old primary lost",
                [
                    standalone("db1", true, "0-1-40"),
                    follower("db2", "db1", "0-1-40", "0-1-41"),
                    follower("db3", "db1", "0-1-40", "0-1-40"),
                ],
            ),
        ];
        for (case, statuses) in &cases {
            assert_eq!(chosen(statuses), None, "{case}");
        }
        assert!(
            restarted_primary(&nodes()[..2], &[standalone("db1", true, "0-1-42")]).is_none(),
            "not every server was asked"
        );
    }
}

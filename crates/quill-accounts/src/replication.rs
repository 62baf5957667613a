//! The accounts cluster's replication, as operators see it: the role and GTID position
//! of each MariaDB server, and failover (`quill db promote`).
//!
//! Promotion makes the most advanced reachable server (by GTID) the writable primary,
//! points the other replicas at it, and moves HAProxy's write backend to it. Commits
//! are acknowledged only once a replica has them (semi-synchronous replication, see
//! docker/mariadb/quill.cnf), so the most advanced replica holds every acknowledged write.
//!
//! Everything here blocks; it runs in the `quill` command, not in request handling.

use std::io::{Read, Write};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, MysqlConnection, QueryableByName, RunQueryDsl};
use quill_domain::Secret;
use quill_sql::GtidPos;

/// One database server: the name HAProxy knows it by, and an administrator's URL.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub url: Secret,
}

impl Node {
    /// The host and port replicas use to reach this server (from its URL).
    pub fn address(&self) -> Result<(String, u16), ReplicationError> {
        let bad = || ReplicationError::BadNode(self.name.clone());
        let rest = self.url.expose().strip_prefix("mysql://").ok_or_else(bad)?;
        let authority = rest.split('/').next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
            None => (host_port, 3306),
        };
        let valid_host = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if valid_host {
            Ok((host.to_owned(), port))
        } else {
            Err(bad())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReplicationError {
    #[error("{0}: expected NAME=mysql://user:password@host:port/")]
    BadNode(String),
    #[error("{name}: {source}")]
    Query {
        name: String,
        source: diesel::result::Error,
    },
    #[error(
        "{0} is a reachable, writable primary; promoting another server would split the cluster"
    )]
    PrimaryAlive(String),
    #[error("no database server is reachable")]
    NoCandidate,
    #[error("{name} did not apply the writes it received within {secs} s")]
    CatchUpTimeout { name: String, secs: u64 },
    #[error("HAProxy admin at {address}: {source}")]
    Haproxy {
        address: String,
        source: std::io::Error,
    },
    #[error("HAProxy refused `{command}`: {answer}")]
    HaproxyRefused { command: String, answer: String },
}

/// What a server says of itself.
#[derive(Debug, Clone)]
pub struct NodeStatus {
    pub name: String,
    /// Why the server could not be asked, if it could not.
    pub unreachable: Option<String>,
    pub read_only: bool,
    /// Set when the server replicates from another.
    pub replica: Option<ReplicaStatus>,
    /// Every transaction this server has (`@@gtid_current_pos`).
    pub position: GtidPos,
}

#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    pub source: String,
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

/// The server to promote: refused while a primary is up; otherwise the reachable server
/// whose position covers the others' (the first such, by the order given).
pub fn choose_new_primary(nodes: &[NodeStatus]) -> Result<&NodeStatus, ReplicationError> {
    if let Some(primary) = nodes.iter().find(|n| n.is_primary()) {
        return Err(ReplicationError::PrimaryAlive(primary.name.clone()));
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
        .ok_or(ReplicationError::NoCandidate)
}

/// The statements that repoint a replica at a new primary. The host and port come
/// from [`Node::address`], which admits only host-name characters: `CHANGE MASTER`
/// takes no placeholders.
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
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Slave_IO_Running")]
    io_running: String,
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Slave_SQL_Running")]
    sql_running: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>, column_name = "Seconds_Behind_Master")]
    seconds_behind: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Gtid_IO_Pos")]
    gtid_io_pos: String,
}

fn connect(node: &Node) -> Result<MysqlConnection, String> {
    MysqlConnection::establish(node.url.expose()).map_err(|e| e.to_string())
}

fn query_error(node: &Node) -> impl Fn(diesel::result::Error) -> ReplicationError + '_ {
    move |source| ReplicationError::Query {
        name: node.name.clone(),
        source,
    }
}

fn read_status(node: &Node, conn: &mut MysqlConnection) -> Result<NodeStatus, ReplicationError> {
    let vars: Variables = diesel::sql_query(
        "SELECT CAST(@@read_only AS SIGNED) AS read_only, @@gtid_current_pos AS position",
    )
    .get_result(conn)
    .map_err(query_error(node))?;
    let rows: Vec<SlaveRow> = diesel::sql_query("SHOW SLAVE STATUS")
        .load(conn)
        .map_err(query_error(node))?;
    let parse = |raw: &str| raw.parse::<GtidPos>().unwrap_or_default();
    Ok(NodeStatus {
        name: node.name.clone(),
        unreachable: None,
        read_only: vars.read_only != 0,
        replica: rows.into_iter().next().map(|row| ReplicaStatus {
            source: row.master_host,
            io_running: row.io_running == "Yes",
            sql_running: row.sql_running == "Yes",
            seconds_behind: row.seconds_behind,
            received: parse(&row.gtid_io_pos),
        }),
        position: parse(&vars.position),
    })
}

/// Asks every server for its role and position; an unreachable one says why.
pub fn status(nodes: &[Node]) -> Vec<NodeStatus> {
    nodes
        .iter()
        .map(|node| {
            let asked = connect(node)
                .and_then(|mut conn| read_status(node, &mut conn).map_err(|e| e.to_string()));
            asked.unwrap_or_else(|why| NodeStatus {
                name: node.name.clone(),
                unreachable: Some(why),
                read_only: true,
                replica: None,
                position: GtidPos::default(),
            })
        })
        .collect()
}

/// What `promote` found or did.
#[derive(Debug)]
pub enum Outcome {
    /// A writable primary was up already; nothing changed.
    AlreadyPrimary(String),
    Promoted(Promotion),
}

/// What a promotion did.
#[derive(Debug)]
pub struct Promotion {
    pub primary: String,
    pub position: GtidPos,
    pub repointed: Vec<String>,
    pub left_out: Vec<String>,
}

/// Promotes the most advanced reachable server; see the module docs. With a primary up,
/// it changes nothing, so it also serves to make a fresh (or restarted, and therefore
/// read-only) primary writable.
pub fn promote(
    nodes: &[Node],
    haproxy: Option<&HaproxyAdmin>,
    catch_up: Duration,
) -> Result<Outcome, ReplicationError> {
    let before = status(nodes);
    if let Some(primary) = before.iter().find(|n| n.is_primary()) {
        return Ok(Outcome::AlreadyPrimary(primary.name.clone()));
    }
    // Freeze what each replica has received, then let it apply all of it.
    for (node, status) in nodes.iter().zip(&before) {
        let Some(replica) = &status.replica else {
            continue;
        };
        if status.unreachable.is_some() {
            continue;
        }
        let mut conn = connect(node).map_err(|_| ReplicationError::NoCandidate)?;
        conn.batch_execute("STOP SLAVE IO_THREAD")
            .map_err(query_error(node))?;
        #[derive(QueryableByName)]
        struct Waited {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
            waited: Option<i64>,
        }
        let waited: Waited =
            diesel::sql_query("SELECT CAST(MASTER_GTID_WAIT(?, ?) AS SIGNED) AS waited")
                .bind::<diesel::sql_types::Text, _>(replica.received.to_string())
                .bind::<diesel::sql_types::Double, _>(catch_up.as_secs_f64())
                .get_result(&mut conn)
                .map_err(query_error(node))?;
        if waited.waited != Some(0) {
            return Err(ReplicationError::CatchUpTimeout {
                name: node.name.clone(),
                secs: catch_up.as_secs(),
            });
        }
    }
    let caught_up = status(nodes);
    let chosen = choose_new_primary(&caught_up)?.name.clone();
    let new_primary = nodes
        .iter()
        .find(|n| n.name == chosen)
        .ok_or(ReplicationError::NoCandidate)?;
    let mut conn = connect(new_primary).map_err(|_| ReplicationError::NoCandidate)?;
    conn.batch_execute("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF;")
        .map_err(query_error(new_primary))?;
    let position = read_status(new_primary, &mut conn)?.position;

    let (host, port) = new_primary.address()?;
    let mut repointed = Vec::new();
    let mut left_out = Vec::new();
    for (node, status) in nodes.iter().zip(&caught_up) {
        if node.name == chosen {
            continue;
        }
        match (&status.unreachable, connect(node)) {
            (None, Ok(mut conn)) => {
                conn.batch_execute(&repoint_statements(&host, port))
                    .map_err(query_error(node))?;
                repointed.push(node.name.clone());
            }
            _ => left_out.push(node.name.clone()),
        }
    }
    if let Some(haproxy) = haproxy {
        for command in haproxy_commands(&caught_up, &chosen) {
            haproxy.run(&command)?;
        }
    }
    Ok(Outcome::Promoted(Promotion {
        primary: chosen,
        position,
        repointed,
        left_out,
    }))
}

/// HAProxy's runtime API: `unix:/path/to/socket` or `host:port`.
#[derive(Debug, Clone)]
pub struct HaproxyAdmin {
    pub address: String,
}

impl HaproxyAdmin {
    /// Sends one command that changes state. HAProxy's `set server` commands answer
    /// nothing when they succeed, so any answer is an error.
    pub fn run(&self, command: &str) -> Result<(), ReplicationError> {
        let answer = self.query(command)?;
        if answer.trim().is_empty() {
            Ok(())
        } else {
            Err(ReplicationError::HaproxyRefused {
                command: command.to_owned(),
                answer: answer.trim().to_owned(),
            })
        }
    }

    /// Sends one command and returns HAProxy's answer.
    pub fn query(&self, command: &str) -> Result<String, ReplicationError> {
        let io = |source| ReplicationError::Haproxy {
            address: self.address.clone(),
            source,
        };
        let timeout = Some(Duration::from_secs(5));
        let mut stream: Box<dyn ReadWrite> = match self.address.strip_prefix("unix:") {
            Some(path) => {
                let stream = std::os::unix::net::UnixStream::connect(path).map_err(io)?;
                stream.set_read_timeout(timeout).map_err(io)?;
                Box::new(stream)
            }
            None => {
                let stream = std::net::TcpStream::connect(&self.address).map_err(io)?;
                stream.set_read_timeout(timeout).map_err(io)?;
                Box::new(stream)
            }
        };
        stream
            .write_all(format!("{command}\n").as_bytes())
            .map_err(io)?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(io)?;
        Ok(answer)
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(
        name: &str,
        unreachable: bool,
        read_only: bool,
        replica: bool,
        pos: &str,
    ) -> NodeStatus {
        NodeStatus {
            name: name.into(),
            unreachable: unreachable.then(|| "refused".into()),
            read_only,
            replica: replica.then(|| ReplicaStatus {
                source: "db1".into(),
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
            Err(ReplicationError::PrimaryAlive(name)) if name == "db1"
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
            Err(ReplicationError::NoCandidate)
        ));
    }

    #[test]
    fn node_addresses_come_from_their_urls() {
        let n = |url: &str| Node {
            name: "db2".into(),
            url: Secret::new(url.to_owned()),
        };
        assert_eq!(
            n("mysql://admin:p@ss@127.0.0.1:3307/")
                .address()
                .expect("address"),
            ("127.0.0.1".to_owned(), 3307)
        );
        assert_eq!(
            n("mysql://admin@mariadb-replica-1/quill")
                .address()
                .expect("address"),
            ("mariadb-replica-1".to_owned(), 3306)
        );
        assert!(n("mysql://a@h';DROP:1/").address().is_err());
        assert!(n("postgres://a@h:1/").address().is_err());
        assert!(format!("{:?}", n("mysql://admin:secret@h:1/")).contains("db2"));
        assert!(!format!("{:?}", n("mysql://admin:secret@h:1/")).contains("secret"));
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

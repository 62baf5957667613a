//! `quill db promote`: with no writable primary up, makes the most advanced reachable
//! server the primary, repoints the other replicas at it and moves HAProxy's write
//! backend. The decisions are pure functions in [`plan`]; this module carries them out.

pub mod plan;

use std::fmt;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use quill_sql::GtidPos;

use crate::haproxy::{HaproxyAdmin, HaproxyError};
use crate::node::{BadNodeUrl, Node, NodeError};
use crate::status::{read_status, status};

pub use plan::{choose_new_primary, haproxy_commands, repoint_statements};

/// How long `quill db promote` lets a replica apply what it received.
pub const CATCH_UP: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    #[error(
        "{0} is a reachable, writable primary; promoting another server would split the cluster"
    )]
    PrimaryAlive(String),
    #[error("no database server is reachable")]
    NoCandidate,
    #[error("still not answering after {secs} s: {names}")]
    StillUnreachable { secs: u64, names: String },
    #[error("{name} did not apply the writes it received within {secs} s")]
    CatchUpTimeout { name: String, secs: u64 },
    #[error(transparent)]
    Node(#[from] NodeError),
    #[error(transparent)]
    BadNodeUrl(#[from] BadNodeUrl),
    #[error(transparent)]
    Haproxy(#[from] HaproxyError),
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
) -> Result<Outcome, PromoteError> {
    let before = status(nodes);
    if let Some(primary) = before.iter().find(|n| n.is_primary()) {
        return Ok(Outcome::AlreadyPrimary(primary.name.clone()));
    }
    // Freeze what each replica has received, then let it apply all of it.
    for (node, status) in nodes.iter().zip(&before) {
        if let (None, Some(replica)) = (&status.unreachable, &status.replica) {
            apply_received(node, &replica.received, catch_up)?;
        }
    }
    let caught_up = status(nodes);
    let chosen = choose_new_primary(&caught_up)?.name.clone();
    let new_primary = nodes
        .iter()
        .find(|n| n.name == chosen)
        .ok_or(PromoteError::NoCandidate)?;
    let mut conn = new_primary.connect()?;
    conn.batch_execute("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF;")
        .map_err(new_primary.query_error("making it a writable primary"))?;
    let position = read_status(new_primary, &mut conn)?.position;

    let (host, port) = new_primary.address()?;
    let mut repointed = Vec::new();
    let mut left_out = Vec::new();
    for (node, status) in nodes.iter().zip(&caught_up) {
        if node.name == chosen {
            continue;
        }
        if status.unreachable.is_some() {
            left_out.push(node.name.clone());
            continue;
        }
        match node.connect() {
            Ok(mut conn) => {
                conn.batch_execute(&repoint_statements(&host, port))
                    .map_err(node.query_error("repointing it at the new primary"))?;
                repointed.push(node.name.clone());
            }
            Err(e) => {
                tracing::warn!(error = ?e, "left out of the promoted cluster");
                left_out.push(node.name.clone());
            }
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

/// Waits until every server answers, and HAProxy's runtime API when given, up to
/// `patience` (`quill db promote --wait`): on a first start the servers come up in any
/// order, and promoting before the first primary answers would promote an empty
/// replica.
pub fn wait_for_all(
    nodes: &[Node],
    haproxy: Option<&HaproxyAdmin>,
    patience: Duration,
) -> Result<(), PromoteError> {
    let start = std::time::Instant::now();
    loop {
        let mut missing: Vec<String> = status(nodes)
            .into_iter()
            .filter(|n| n.unreachable.is_some())
            .map(|n| n.name)
            .collect();
        if let Some(Err(_)) = haproxy.map(|h| h.query("show info")) {
            missing.push("HAProxy's runtime API".to_owned());
        }
        if missing.is_empty() {
            return Ok(());
        }
        if start.elapsed() >= patience {
            return Err(PromoteError::StillUnreachable {
                secs: patience.as_secs(),
                names: missing.join(", "),
            });
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Stops `node` receiving from its (lost) primary and waits until it has applied
/// everything it received, `received`.
fn apply_received(node: &Node, received: &GtidPos, catch_up: Duration) -> Result<(), PromoteError> {
    #[derive(QueryableByName)]
    struct Waited {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        waited: Option<i64>,
    }
    let mut conn = node.connect()?;
    conn.batch_execute("STOP SLAVE IO_THREAD")
        .map_err(node.query_error("stopping its replication I/O thread"))?;
    let waited: Waited =
        diesel::sql_query("SELECT CAST(MASTER_GTID_WAIT(?, ?) AS SIGNED) AS waited")
            .bind::<diesel::sql_types::Text, _>(received.to_string())
            .bind::<diesel::sql_types::Double, _>(catch_up.as_secs_f64())
            .get_result(&mut conn)
            .map_err(node.query_error("waiting for it to apply what it received"))?;
    if waited.waited == Some(0) {
        Ok(())
    } else {
        Err(PromoteError::CatchUpTimeout {
            name: node.name.clone(),
            secs: catch_up.as_secs(),
        })
    }
}

/// What `quill db promote` prints.
impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let promotion = match self {
            Self::AlreadyPrimary(name) => {
                return writeln!(f, "{name} is a writable primary already; nothing to do");
            }
            Self::Promoted(promotion) => promotion,
        };
        let repointed = if promotion.repointed.is_empty() {
            "none".to_owned()
        } else {
            promotion.repointed.join(", ")
        };
        writeln!(
            f,
            "{} is the primary at {}; replicating from it: {repointed}",
            promotion.primary, promotion.position
        )?;
        if !promotion.left_out.is_empty() {
            writeln!(
                f,
                "unreachable, out of HAProxy's rotation until rebuilt: {}",
                promotion.left_out.join(", ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_says_who_is_primary_and_who_was_left_out() {
        let promoted = Outcome::Promoted(Promotion {
            primary: "db2".into(),
            position: "0-2-43".parse().expect("position"),
            repointed: vec!["db3".into()],
            left_out: vec!["db1".into()],
        });
        assert_eq!(
            promoted.to_string(),
            "db2 is the primary at 0-2-43; replicating from it: db3\n\
             unreachable, out of HAProxy's rotation until rebuilt: db1\n"
        );
        assert_eq!(
            Outcome::AlreadyPrimary("db1".into()).to_string(),
            "db1 is a writable primary already; nothing to do\n"
        );
    }
}

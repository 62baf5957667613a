//! The accounts cluster as operators see it: the role and GTID position of each MariaDB
//! server (`quill db status`), failover (`quill db promote`), a restarted primary made
//! writable again (`quill db watch`) and HAProxy's runtime API.
//!
//! Promotion makes the most advanced reachable server (by GTID) the writable primary,
//! points the other replicas at it, and moves HAProxy's write backend to it. Commits
//! are acknowledged only once a replica has them (semi-synchronous replication, see
//! docker/mariadb/quill.cnf), so the most advanced replica holds every acknowledged write.
//!
//! Everything here blocks; it runs in the `quill` command, never in request handling.
//! Its settings (`QUILL_DB_NODES`, `QUILL_HAPROXY_ADMIN`) are read here too
//! ([`OpsSettings`]), so serving code never sees them.

pub mod haproxy;
pub mod node;
pub mod promote;
pub mod settings;
pub mod status;
pub mod watch;

pub use haproxy::{HaproxyAdmin, HaproxyError};
pub use node::{BadNodeUrl, Node, NodeError};
pub use promote::{CATCH_UP, Outcome, PromoteError, Promotion, promote, wait_for_all};
pub use settings::{NoNodes, NodesError, OpsSettings, OpsSettingsError};
pub use status::{NodeStatus, ReplicaStatus, StatusTable, status};
pub use watch::{Watch, restarted_primary, watch_once};

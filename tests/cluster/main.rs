//! Quill on the accounts cluster: real MariaDB replication behind HAProxy, two Quill
//! instances. Each test starts its own cluster (the failure tests break theirs).

mod accounts;
mod failover;
mod replicas;

//! Statement text. Values are always bind markers; the only names spliced in are the
//! keyspace (checked by `is_keyspace_name`) and the replication map (built from checked
//! parts), so no input reaches CQL as text.

use super::config::Replication;

/// A schema version: statements with `{keyspace}` where the keyspace name goes.
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub statements: &'static [&'static str],
}

/// Every schema version, oldest first. Each statement is idempotent on its own
/// (`IF NOT EXISTS`), so a migration cut short is simply run again.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "posts_by_user",
        statements: &["CREATE TABLE IF NOT EXISTS {keyspace}.posts_by_user (\
             user_id bigint, month int, post_id timeuuid, title text, body text, \
             PRIMARY KEY ((user_id, month), post_id)\
             ) WITH CLUSTERING ORDER BY (post_id DESC)"],
    },
    Migration {
        version: 2,
        name: "post_keys",
        // Which post each post token made; rows live for `KEY_LIFETIME` (90,000 s).
        statements: &["CREATE TABLE IF NOT EXISTS {keyspace}.post_keys (\
             user_id bigint, key uuid, post_id timeuuid, PRIMARY KEY ((user_id, key))\
             ) WITH default_time_to_live = 90000"],
    },
];

/// `template` with the keyspace in place.
pub fn in_keyspace(template: &str, keyspace: &str) -> String {
    template.replace("{keyspace}", keyspace)
}

/// The migrations not yet in `applied`, oldest first.
pub fn pending(applied: &[i32]) -> impl Iterator<Item = &'static Migration> + '_ {
    MIGRATIONS
        .iter()
        .filter(move |m| !applied.contains(&m.version))
}

/// Whether the cluster can put a keyspace on tablets, and so will unless told not to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tablets {
    /// Cassandra, or a ScyllaDB without tablets: nothing to say.
    Unknown,
    /// A ScyllaDB with tablets, which recent releases turn on for new keyspaces.
    Supported,
}

impl Tablets {
    /// The columns of `system_schema.scylla_keyspaces` ([`SCYLLA_KEYSPACES_COLUMNS`]):
    /// a ScyllaDB with tablets has `initial_tablets`; Cassandra has no such table.
    pub fn of_columns<'a>(columns: impl IntoIterator<Item = &'a str>) -> Self {
        if columns.into_iter().any(|c| c == "initial_tablets") {
            Self::Supported
        } else {
            Self::Unknown
        }
    }
}

/// The columns of ScyllaDB's keyspace options table; no rows on Cassandra.
pub const SCYLLA_KEYSPACES_COLUMNS: &str = "SELECT column_name FROM system_schema.columns \
     WHERE keyspace_name = 'system_schema' AND table_name = 'scylla_keyspaces'";

/// A keyspace's tablets setting on a ScyllaDB with tablets: `initial_tablets` is null
/// when the keyspace uses vnodes.
pub const KEYSPACE_TABLETS: &str =
    "SELECT initial_tablets FROM system_schema.scylla_keyspaces WHERE keyspace_name = ?";

/// The keyspace, created with tablets off where the cluster has them: ScyllaDB does not
/// support lightweight transactions (Quill's `INSERT ... IF NOT EXISTS`) on tablets.
pub fn create_keyspace(keyspace: &str, replication: &Replication, tablets: Tablets) -> String {
    let create =
        format!("CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = {replication}");
    match tablets {
        Tablets::Unknown => create,
        Tablets::Supported => format!("{create} AND tablets = {{'enabled': false}}"),
    }
}

/// The readiness read: a row `quill cql migrate` wrote, read at the store's consistency,
/// so it fails when that consistency cannot be met.
pub fn sentinel(keyspace: &str) -> String {
    format!("SELECT version FROM {keyspace}.schema_migrations WHERE version = 1")
}

pub fn create_migrations_table(keyspace: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {keyspace}.schema_migrations \
         (version int PRIMARY KEY, name text, applied_at timestamp)"
    )
}

pub fn applied_versions(keyspace: &str) -> String {
    format!("SELECT version FROM {keyspace}.schema_migrations")
}

pub fn record_version(keyspace: &str) -> String {
    format!(
        "INSERT INTO {keyspace}.schema_migrations (version, name, applied_at) \
         VALUES (?, ?, toTimestamp(now()))"
    )
}

/// A conditional insert: a post id that exists keeps its post (`[applied]` is false).
pub fn insert_post(keyspace: &str) -> String {
    format!(
        "INSERT INTO {keyspace}.posts_by_user (user_id, month, post_id, title, body) \
         VALUES (?, ?, ?, ?, ?) IF NOT EXISTS"
    )
}

/// Records which post a key made, unless it made one already: then `[applied]` is false
/// and the row that is there follows. The table's TTL ends the row.
pub fn claim_key(keyspace: &str) -> String {
    format!(
        "INSERT INTO {keyspace}.post_keys (user_id, key, post_id) VALUES (?, ?, ?) \
         IF NOT EXISTS"
    )
}

/// One post by its full primary key: the author is part of the key.
pub fn select_post(keyspace: &str) -> String {
    format!(
        "SELECT post_id, title, body FROM {keyspace}.posts_by_user \
         WHERE user_id = ? AND month = ? AND post_id = ?"
    )
}

/// The newest posts of one month partition.
pub fn select_month(keyspace: &str) -> String {
    format!(
        "SELECT post_id, title, body FROM {keyspace}.posts_by_user \
         WHERE user_id = ? AND month = ? LIMIT ?"
    )
}

/// The posts of one month partition older than a cursor, newest first.
pub fn select_month_before(keyspace: &str) -> String {
    format!(
        "SELECT post_id, title, body FROM {keyspace}.posts_by_user \
         WHERE user_id = ? AND month = ? AND post_id < ? LIMIT ?"
    )
}

/// Deletes one month partition of a user's posts: the whole partition at once, a
/// single tombstone. (`post_keys` cannot be found by user; its rows end by TTL.)
pub fn delete_month(keyspace: &str) -> String {
    format!("DELETE FROM {keyspace}.posts_by_user WHERE user_id = ? AND month = ?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_one_design_describes() {
        assert_eq!(
            in_keyspace(MIGRATIONS[0].statements[0], "quill"),
            "CREATE TABLE IF NOT EXISTS quill.posts_by_user (user_id bigint, month int, \
             post_id timeuuid, title text, body text, PRIMARY KEY ((user_id, month), post_id)\
             ) WITH CLUSTERING ORDER BY (post_id DESC)"
        );
    }

    #[test]
    fn versions_are_unique_and_ascending() {
        let versions: Vec<i32> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert!(
            MIGRATIONS
                .iter()
                .flat_map(|m| m.statements)
                .all(|s| s.contains("IF NOT EXISTS") && s.contains("{keyspace}."))
        );
    }

    #[test]
    fn only_unapplied_versions_are_pending() {
        assert_eq!(pending(&[]).map(|m| m.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(pending(&[1]).map(|m| m.version).collect::<Vec<_>>(), [2]);
        assert_eq!(pending(&[1, 2]).count(), 0);
        assert_eq!(pending(&[7]).count(), 2);
    }

    #[test]
    fn keys_live_as_long_as_the_store_promises() {
        let ttl = format!("default_time_to_live = {}", crate::KEY_LIFETIME.as_secs());
        assert!(MIGRATIONS[1].statements[0].contains(&ttl), "{ttl}");
        assert_eq!(
            claim_key("ks"),
            "INSERT INTO ks.post_keys (user_id, key, post_id) VALUES (?, ?, ?) IF NOT EXISTS"
        );
    }

    #[test]
    fn every_value_is_a_bind_marker() {
        assert_eq!(
            insert_post("ks"),
            "INSERT INTO ks.posts_by_user (user_id, month, post_id, title, body) \
             VALUES (?, ?, ?, ?, ?) IF NOT EXISTS"
        );
        assert_eq!(
            select_post("ks"),
            "SELECT post_id, title, body FROM ks.posts_by_user \
             WHERE user_id = ? AND month = ? AND post_id = ?"
        );
        assert!(select_month("ks").ends_with("WHERE user_id = ? AND month = ? LIMIT ?"));
        assert!(
            select_month_before("ks")
                .ends_with("WHERE user_id = ? AND month = ? AND post_id < ? LIMIT ?")
        );
        assert_eq!(
            delete_month("ks"),
            "DELETE FROM ks.posts_by_user WHERE user_id = ? AND month = ?"
        );
        assert!(record_version("ks").contains("VALUES (?, ?, toTimestamp(now()))"));
    }

    #[test]
    fn the_keyspace_is_created_with_its_replication() {
        assert_eq!(
            create_keyspace("quill", &Replication::Simple(1), Tablets::Unknown),
            "CREATE KEYSPACE IF NOT EXISTS quill WITH replication = \
             {'class': 'SimpleStrategy', 'replication_factor': 1}"
        );
        assert_eq!(
            create_migrations_table("quill"),
            "CREATE TABLE IF NOT EXISTS quill.schema_migrations \
             (version int PRIMARY KEY, name text, applied_at timestamp)"
        );
    }

    #[test]
    fn on_a_scylladb_with_tablets_the_keyspace_is_made_without_them() {
        let columns = ["keyspace_name", "initial_tablets", "storage_options"];
        assert_eq!(Tablets::of_columns(columns), Tablets::Supported);
        assert_eq!(Tablets::of_columns(["keyspace_name"]), Tablets::Unknown);
        assert_eq!(Tablets::of_columns([]), Tablets::Unknown, "Cassandra");
        assert_eq!(
            create_keyspace(
                "quill",
                &Replication::NetworkTopology(vec![(None, 3)]),
                Tablets::Supported
            ),
            "CREATE KEYSPACE IF NOT EXISTS quill WITH replication = \
             {'class': 'NetworkTopologyStrategy', 'replication_factor': 3} \
             AND tablets = {'enabled': false}"
        );
    }

    #[test]
    fn readiness_reads_the_first_schema_version() {
        assert_eq!(
            sentinel("quill"),
            "SELECT version FROM quill.schema_migrations WHERE version = 1"
        );
    }
}

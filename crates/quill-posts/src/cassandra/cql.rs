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
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "posts_by_user",
    statements: &["CREATE TABLE IF NOT EXISTS {keyspace}.posts_by_user (\
         user_id bigint, month int, post_id timeuuid, title text, body text, \
         PRIMARY KEY ((user_id, month), post_id)\
         ) WITH CLUSTERING ORDER BY (post_id DESC)"],
}];

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

pub fn create_keyspace(keyspace: &str, replication: &Replication) -> String {
    format!("CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = {replication}")
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
        assert_eq!(pending(&[]).map(|m| m.version).collect::<Vec<_>>(), [1]);
        assert_eq!(pending(&[1]).count(), 0);
        assert_eq!(pending(&[7]).count(), 1);
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
        assert!(record_version("ks").contains("VALUES (?, ?, toTimestamp(now()))"));
    }

    #[test]
    fn the_keyspace_is_created_with_its_replication() {
        assert_eq!(
            create_keyspace("quill", &Replication::Simple(1)),
            "CREATE KEYSPACE IF NOT EXISTS quill WITH replication = \
             {'class': 'SimpleStrategy', 'replication_factor': 1}"
        );
        assert_eq!(
            create_migrations_table("quill"),
            "CREATE TABLE IF NOT EXISTS quill.schema_migrations \
             (version int PRIMARY KEY, name text, applied_at timestamp)"
        );
    }
}

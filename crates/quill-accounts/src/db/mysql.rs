//! The accounts database on MariaDB/MySQL: a primary and replicas behind HAProxy, reads
//! that wait for the request's own writes, and migrations that take turns.

use std::time::Duration;

use diesel::migration::MigrationSource;
use diesel::{MysqlConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use quill_sql::{Checkout, DbConn, GtidPos, PoolSize, SqlError, Target};

use super::{Db, MysqlUrls};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

/// The advisory lock that serialises concurrent `quill migrate` runs.
const MIGRATION_LOCK: &str = "quill_accounts_migrations";

impl Db {
    /// Connects to MariaDB/MySQL. Nothing is opened yet: connections are made on first
    /// use, so an instance starts while a database is away. Migrations are [`Db::migrate`]'s.
    pub fn connect_mysql(
        urls: &MysqlUrls,
        size: PoolSize,
        causal_wait: Duration,
    ) -> Result<Self, SqlError> {
        let replicated = urls.read != urls.write;
        // Replica reads retry on the primary and mark what failed broken, so they skip
        // the round trip that checks a connection at checkout; writes cannot retry.
        let read_checkout = if replicated {
            Checkout::Trust
        } else {
            Checkout::Verify
        };
        Ok(Self {
            read: quill_sql::pool(
                Target::Mysql(urls.read.expose().clone()),
                size,
                read_checkout,
            )?,
            write: quill_sql::pool(
                Target::Mysql(urls.write.expose().clone()),
                size,
                Checkout::Verify,
            )?,
            replicated,
            causal_wait,
        })
    }

    /// Runs read-only `work` on a replica that has `floor`, else on the primary; again
    /// on the primary when it fails on the replica.
    pub(super) fn read_replica<T, E: From<SqlError>>(
        &self,
        floor: Option<&GtidPos>,
        work: &impl Fn(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut replica = match self.read.get() {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "no replica; reading from the primary");
                return self.on_primary(work);
            }
        };
        if let (Some(floor), DbConn::Mysql(conn)) = (floor, &mut **replica) {
            match quill_sql::caught_up(conn, floor, self.causal_wait) {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!(%floor, "replica behind this session; reading from the primary");
                    return self.on_primary(work);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "replica failed; reading from the primary");
                    replica.mark_broken();
                    return self.on_primary(work);
                }
            }
        }
        // Reads are safe to repeat: whatever failed on the replica (it died, or has yet
        // to replay a migration) gets one more try on the primary, and the connection
        // is not reused.
        work(&mut replica).or_else(|_| {
            tracing::warn!("read failed on a replica; reading from the primary");
            replica.mark_broken();
            drop(replica);
            self.on_primary(work)
                .or_else(|on_primary| self.read_replica_again(work, on_primary))
        })
    }

    /// With the primary away as well (a failover under way), the replicas are all there
    /// is. The connection that failed may only have been one HAProxy cut when the
    /// servers behind the read port changed, and the pool may hold more such: each one
    /// that fails is dropped and the next tried, until one answers or a fresh one fails
    /// too. Then the primary's error stands.
    fn read_replica_again<T, E>(
        &self,
        work: &impl Fn(&mut DbConn) -> Result<T, E>,
        on_primary: E,
    ) -> Result<T, E> {
        // The idle connections, then one the pool opens: at most one more than it holds.
        for _ in 0..=self.read.max_size() {
            let Ok(mut replica) = self.read.get() else {
                break;
            };
            match work(&mut replica) {
                Ok(found) => return Ok(found),
                Err(_) => replica.mark_broken(),
            }
        }
        Err(on_primary)
    }
}

/// Applies pending migrations under the advisory lock; returns the versions applied.
pub(super) fn migrate(conn: &mut MysqlConnection) -> Result<Vec<String>, SqlError> {
    lock(conn, MIGRATION_LOCK)?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| SqlError::Migration(e.to_string()));
    let unlocked = unlock(conn, MIGRATION_LOCK);
    let applied = applied?;
    unlocked?;
    Ok(applied)
}

/// The migration versions this build knows.
pub(super) fn known_versions() -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    MigrationSource::<diesel::mysql::Mysql>::migrations(&MIGRATIONS)
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
}

fn lock(conn: &mut MysqlConnection, name: &str) -> Result<(), SqlError> {
    #[derive(diesel::QueryableByName)]
    struct Got {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        got: Option<i32>,
    }
    let got: Got = diesel::sql_query("SELECT GET_LOCK(?, 60) AS got")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(conn)?;
    if got.got == Some(1) {
        Ok(())
    } else {
        Err(SqlError::Migration(format!(
            "another `quill migrate` held the lock {name} for 60 s"
        )))
    }
}

fn unlock(conn: &mut MysqlConnection, name: &str) -> Result<(), SqlError> {
    diesel::sql_query("SELECT RELEASE_LOCK(?)")
        .bind::<diesel::sql_types::Text, _>(name)
        .execute(conn)?;
    Ok(())
}

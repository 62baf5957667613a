//! The accounts database: SQLite in embedded mode, MariaDB/MySQL with a primary and
//! replicas in the cluster, behind one routing type.
//!
//! Writes go to the write pool (the primary, through HAProxy's write port), reads to the
//! read pool (the replicas, through the read port). Read-your-writes across replicas
//! follows docs/ARCHITECTURE.md: a write records the primary's GTID in the request's scope
//! ([`quill_sql::scope`]); a read on a replica first waits for that position for at most
//! `causal_wait`, and reads from the primary when the replica is further behind. Reads
//! are retried on the primary when their replica dies under them.

use std::path::Path;
#[cfg(feature = "mysql")]
use std::time::Duration;

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use quill_domain::Secret;
use quill_sql::{Checkout, DbPool, GtidPos, PoolSize, SqlError, Target, blocking, scope};

pub use quill_sql::DbConn;

#[cfg(feature = "mysql")]
mod mysql;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The file name of the accounts database inside a data directory.
pub const SQLITE_FILE_NAME: &str = "accounts.sqlite3";

/// What a database call may fail with: anything a [`SqlError`] (or a lost blocking
/// task) converts into.
pub trait DbError: From<SqlError> + From<tokio::task::JoinError> + Send + 'static {}

impl<E: From<SqlError> + From<tokio::task::JoinError> + Send + 'static> DbError for E {}

#[derive(Clone)]
pub struct Db {
    read: DbPool,
    write: DbPool,
    /// Reads and writes reach different servers (replicas and a primary).
    replicated: bool,
    /// How long a replica read waits for the request's writes to arrive.
    #[cfg(feature = "mysql")]
    causal_wait: Duration,
}

/// Where the cluster's accounts live. The URLs carry passwords, so they are secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MysqlUrls {
    /// The primary, through HAProxy's write port.
    pub write: Secret,
    /// The replicas, through HAProxy's read port.
    pub read: Secret,
}

impl Db {
    /// Opens `DATA_DIR/accounts.sqlite3`, creating it and applying migrations. Writes
    /// share one connection, so that writers queue in the pool in order instead of in
    /// SQLite's sleeping busy handler.
    pub fn open_sqlite(data_dir: &Path, size: PoolSize) -> Result<Self, SqlError> {
        let path = data_dir
            .join(SQLITE_FILE_NAME)
            .to_string_lossy()
            .into_owned();
        let write = quill_sql::pool(
            Target::Sqlite(path.clone()),
            PoolSize {
                connections: 1,
                ..size
            },
            Checkout::Trust,
        )?;
        let db = Self {
            read: quill_sql::pool(Target::Sqlite(path), size, Checkout::Trust)?,
            write,
            replicated: false,
            #[cfg(feature = "mysql")]
            causal_wait: Duration::ZERO,
        };
        db.migrate_blocking()?;
        Ok(db)
    }

    /// Applies pending migrations on the primary; returns the versions it applied. Safe
    /// to run from every instance at every start, also at once: runs take turns under
    /// an advisory lock, and a run that finds nothing pending changes nothing.
    pub async fn migrate(&self) -> Result<Vec<String>, SqlError> {
        let db = self.clone();
        blocking(move || db.migrate_blocking()).await
    }

    fn migrate_blocking(&self) -> Result<Vec<String>, SqlError> {
        let mut conn = self.write.get()?;
        let migration_error =
            |e: Box<dyn std::error::Error + Send + Sync>| SqlError::Migration(e.to_string());
        let applied = match &mut **conn {
            DbConn::Sqlite(conn) => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect())
                .map_err(migration_error)?,
            #[cfg(feature = "mysql")]
            DbConn::Mysql(conn) => mysql::migrate(conn)?,
        };
        Ok(applied)
    }

    /// Whether the database lacks migrations this build needs. Asked of a replica, so
    /// it only reads: diesel's own check would create its table.
    pub async fn has_pending_migrations(&self) -> Result<bool, SqlError> {
        self.read(pending_migrations).await
    }

    /// As [`Db::has_pending_migrations`], asked of the primary: a replica that lags
    /// may not have the last migration yet.
    pub async fn has_pending_migrations_on_primary(&self) -> Result<bool, SqlError> {
        self.read_primary(pending_migrations).await
    }

    /// Runs read-only `work` on the blocking pool: on a replica that has this request's
    /// writes, else on the primary. `work` runs again on the primary if it fails on the
    /// replica, so it must not write.
    pub async fn read<T: Send + 'static, E: DbError>(
        &self,
        work: impl Fn(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let db = self.clone();
        let floor = scope::floor();
        blocking(move || db.read_blocking(floor.as_ref(), &work)).await
    }

    /// Like [`Db::read`], for lookups of rows that only ever come into being (users,
    /// sessions): a miss on a replica is asked again of the primary, since the row may
    /// be younger than the replica's lag.
    pub async fn read_or_primary<T: Send + 'static, E: DbError>(
        &self,
        work: impl Fn(&mut DbConn) -> Result<Option<T>, E> + Send + 'static,
    ) -> Result<Option<T>, E> {
        let db = self.clone();
        let floor = scope::floor();
        blocking(move || match db.read_blocking(floor.as_ref(), &work)? {
            None if db.replicated => db.on_primary(&work),
            found => Ok(found),
        })
        .await
    }

    /// Runs read-only `work` on the primary, for reads that must not lag (counts that
    /// guard a limit).
    pub async fn read_primary<T: Send + 'static, E: DbError>(
        &self,
        work: impl Fn(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let db = self.clone();
        blocking(move || db.on_primary(&work)).await
    }

    fn read_blocking<T, E: From<SqlError>>(
        &self,
        floor: Option<&GtidPos>,
        work: &impl Fn(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        #[cfg(feature = "mysql")]
        if self.replicated {
            return self.read_replica(floor, work);
        }
        // Only replicas wait for a position.
        #[cfg(not(feature = "mysql"))]
        let _ = floor;
        let mut conn = self.read.get().map_err(SqlError::from)?;
        work(&mut conn)
    }

    fn on_primary<T, E: From<SqlError>>(
        &self,
        work: &impl Fn(&mut DbConn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.write.get().map_err(|e| unavailable(e.into()))?;
        work(&mut conn)
    }

    /// Runs `work`, which writes, on the primary, and records the position of its
    /// commit for the request's later reads. When the primary cannot be reached the
    /// error is [`SqlError::Unavailable`], and the request is marked so.
    pub async fn write<T: Send + 'static, E: DbError>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let pool = self.write.clone();
        let (result, position, lost) = blocking(move || {
            let mut conn = match pool.get() {
                Ok(conn) => conn,
                Err(e) => return Ok((Err(unavailable(e.into())), None, true)),
            };
            let result = work(&mut conn);
            if result.is_err() && quill_sql::ping(&mut **conn).is_err() {
                tracing::warn!("the primary stopped answering mid-write");
                let lost = SqlError::Unavailable("the primary stopped answering".into());
                return Ok((Err(lost.into()), None, true));
            }
            let position = match &mut **conn {
                #[cfg(feature = "mysql")]
                DbConn::Mysql(conn) if result.is_ok() => quill_sql::last_gtid(conn),
                _ => None,
            };
            Ok::<_, E>((result, position, false))
        })
        .await?;
        if lost {
            scope::mark_unavailable();
        }
        if let Some(position) = &position {
            scope::advance(position);
        }
        result
    }

    pub async fn ping(&self) -> Result<(), SqlError> {
        self.read(quill_sql::ping).await
    }
}

/// The primary could not be reached.
fn unavailable<E: From<SqlError>>(cause: SqlError) -> E {
    match cause {
        SqlError::Unavailable(_) => cause.into(),
        other => SqlError::Unavailable(other.to_string()).into(),
    }
}

/// Whether `conn`'s database lacks migrations this build knows. Only reads: diesel's
/// own check would create its table, which the instances' account may not.
fn pending_migrations(conn: &mut DbConn) -> Result<bool, SqlError> {
    use diesel::RunQueryDsl;
    use diesel::migration::MigrationSource;
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let known: Vec<String> = match conn {
        DbConn::Sqlite(_) => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        }
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => mysql::known_versions(),
    }
    .map_err(|e| SqlError::Migration(e.to_string()))?;
    let applied: Vec<Version> =
        match diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn) {
            Ok(applied) => applied,
            // No table yet: nothing was ever applied.
            Err(diesel::result::Error::DatabaseError(..)) => return Ok(true),
            Err(e) => return Err(e.into()),
        };
    Ok(known
        .iter()
        .any(|version| !applied.iter().any(|a| &a.version == version)))
}

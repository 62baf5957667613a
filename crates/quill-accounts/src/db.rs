//! The accounts database: a pool of connections with migrations applied at open.
//!
//! `DbConn` is the one connection type store functions take. Today it is SQLite; the
//! cluster's MySQL backend becomes a second variant here, not a rewrite of the stores.

use std::path::Path;

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use quill_sql::{PoolSize, SqlError, SqlitePool, blocking, sqlite_pool};

pub type DbConn = diesel::SqliteConnection;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The file name of the accounts database inside a data directory.
pub const SQLITE_FILE_NAME: &str = "accounts.sqlite3";

/// Reads and writes go through separate pools: writes to the primary, reads to the
/// replicas in the cluster; in SQLite, one writer connection, so that writers queue in
/// the pool in order instead of in SQLite's sleeping busy handler.
#[derive(Clone)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
}

impl Db {
    /// Opens `DATA_DIR/accounts.sqlite3`, creating it and applying migrations.
    pub fn open_sqlite(data_dir: &Path, size: PoolSize) -> Result<Self, SqlError> {
        let path = data_dir.join(SQLITE_FILE_NAME);
        let write = sqlite_pool(
            &path,
            PoolSize {
                connections: 1,
                ..size
            },
        )?;
        write
            .get()?
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| SqlError::Migration(e.to_string()))?;
        let read = sqlite_pool(&path, size)?;
        Ok(Self { read, write })
    }

    /// Runs read-only `work` on the blocking pool.
    pub async fn read<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<SqlError> + From<tokio::task::JoinError> + Send + 'static,
    {
        run_on(self.read.clone(), work).await
    }

    /// Runs `work`, which writes, on the blocking pool.
    pub async fn write<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<SqlError> + From<tokio::task::JoinError> + Send + 'static,
    {
        run_on(self.write.clone(), work).await
    }

    pub async fn ping(&self) -> Result<(), SqlError> {
        self.read(quill_sql::ping).await
    }
}

async fn run_on<T, E>(
    pool: SqlitePool,
    work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
) -> Result<T, E>
where
    T: Send + 'static,
    E: From<SqlError> + From<tokio::task::JoinError> + Send + 'static,
{
    blocking(move || {
        let mut conn = pool.get().map_err(SqlError::from)?;
        work(&mut conn)
    })
    .await
}

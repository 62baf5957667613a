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

#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens `DATA_DIR/accounts.sqlite3`, creating it and applying migrations.
    pub fn open_sqlite(data_dir: &Path, size: PoolSize) -> Result<Self, SqlError> {
        let pool = sqlite_pool(&data_dir.join(SQLITE_FILE_NAME), size)?;
        pool.get()?
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| SqlError::Migration(e.to_string()))?;
        Ok(Self { pool })
    }

    /// Runs `work` with a pooled connection on the blocking pool.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<SqlError> + From<tokio::task::JoinError> + Send + 'static,
    {
        let pool = self.pool.clone();
        blocking(move || {
            let mut conn = pool.get().map_err(SqlError::from)?;
            work(&mut conn)
        })
        .await
    }

    pub async fn ping(&self) -> Result<(), SqlError> {
        self.run(quill_sql::ping).await
    }
}

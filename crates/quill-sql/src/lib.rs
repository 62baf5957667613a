//! SQL plumbing shared by the stores: r2d2 pools of diesel connections with their
//! settings applied, and a way to run blocking calls on tokio's blocking pool.

mod conn;
pub mod gtid;
#[cfg(feature = "mysql")]
mod mysql;
pub mod scope;

pub use conn::{Checkout, DbConn, DbManager, DbPool, Pooled, Target, pool};
pub use gtid::GtidPos;
#[cfg(feature = "mysql")]
pub use mysql::{caught_up, last_gtid};

use std::path::Path;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;

pub type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database connection: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database migration: {0}")]
    Migration(String),
    #[error("database unreachable: {0}")]
    Unavailable(String),
    #[error("blocking task failed: {0}")]
    Blocking(#[from] tokio::task::JoinError),
}

/// How a pool is sized: a fixed number of connections and a short checkout timeout, so
/// that an overloaded store answers "busy" quickly instead of queueing requests forever.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    pub connections: u32,
    pub checkout_timeout: Duration,
}

/// Settings every SQLite connection gets: WAL so readers never wait for the writer,
/// `synchronous=FULL` so a commit survives power loss, and a busy timeout so concurrent
/// writers queue inside SQLite instead of failing.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas {
    read_only: bool,
}

// busy_timeout first: a pool opens its connections at once, and switching a new file
// to WAL takes a lock the others must wait for.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        let pragmas = if self.read_only {
            "PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;"
        } else {
            SQLITE_PRAGMAS
        };
        conn.batch_execute(pragmas)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens (creating when missing) the SQLite database at `path` behind a pool.
pub fn sqlite_pool(path: &Path, size: PoolSize) -> Result<SqlitePool, SqlError> {
    let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
    // A SQLite connection is a file handle: there is nothing to lose, so no round trip
    // to check it at every checkout.
    Ok(conn::builder(size, Checkout::Trust)
        .connection_customizer(Box::new(SqlitePragmas { read_only: false }))
        .build(manager)?)
}

/// Opens an existing SQLite database for reading only; it never creates a file.
pub fn sqlite_read_only(path: &Path) -> Result<SqliteConnection, SqlError> {
    let url = format!("file:{}?mode=ro", path.display());
    let mut conn = SqliteConnection::establish(&url)?;
    SqlitePragmas { read_only: true }
        .on_acquire(&mut conn)
        .map_err(|e| match e {
            diesel::r2d2::Error::QueryError(e) => SqlError::Query(e),
            diesel::r2d2::Error::ConnectionError(e) => SqlError::Connection(e),
        })?;
    Ok(conn)
}

/// Checks that a database answers.
pub fn ping(conn: &mut impl SimpleConnection) -> Result<(), SqlError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

/// Runs blocking work (diesel calls, password hashing) on tokio's blocking pool, inside
/// the caller's tracing span, so that the async workers never stall on it.
pub async fn blocking<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, E>
where
    T: Send + 'static,
    E: From<tokio::task::JoinError> + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work)).await?
}

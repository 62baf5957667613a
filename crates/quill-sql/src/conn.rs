//! One connection type over both SQL backends, and pools of it.
//!
//! `DbConn` is SQLite in embedded mode and MySQL/MariaDB in the cluster; store code is
//! written once against it. The pool opens exactly the backend it was built for: a
//! MySQL URL never falls back to a SQLite file of the same name.

use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
#[cfg(feature = "mysql")]
use diesel::mysql::MysqlConnection;
use diesel::r2d2::{Builder, ManageConnection, Pool, R2D2Connection};
use diesel::sqlite::SqliteConnection;

use crate::{PoolSize, SqlError};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    #[cfg(feature = "mysql")]
    Mysql(MysqlConnection),
}

pub type DbPool = Pool<DbManager>;

/// A connection in a pool, and whether its user found it broken: the pool then drops
/// it instead of handing it out again. Dereferences to the [`DbConn`].
pub struct Pooled {
    conn: DbConn,
    broken: bool,
}

impl Pooled {
    /// Tells the pool to close this connection when it comes back.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl std::ops::Deref for Pooled {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// Whether a pool checks each connection with a round trip before handing it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkout {
    /// Check it: a broken connection is replaced before anyone uses it.
    Verify,
    /// Hand it out as it is: for SQLite, which has no connection to lose, and for pools
    /// whose users retry elsewhere and mark what failed broken.
    Trust,
}

/// Where a pool's connections go.
#[derive(Debug, Clone)]
pub enum Target {
    /// A SQLite file, created when missing.
    Sqlite(String),
    /// A `mysql://user:password@host:port/database` URL.
    #[cfg(feature = "mysql")]
    Mysql(String),
}

#[derive(Debug)]
pub struct DbManager {
    target: Target,
}

impl ManageConnection for DbManager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let conn = self.establish()?;
        Ok(Pooled {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut Pooled) -> Result<(), Self::Error> {
        conn.conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.broken || conn.conn.is_broken()
    }
}

impl DbManager {
    fn establish(&self) -> Result<DbConn, diesel::r2d2::Error> {
        match &self.target {
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(crate::SQLITE_PRAGMAS)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let mut conn = MysqlConnection::establish(url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // Stored timestamps are Unix seconds; UTC keeps server-side time
                // functions (none today) from depending on the server's zone.
                conn.batch_execute("SET time_zone = '+00:00'")
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConn::Mysql(conn))
            }
        }
    }
}

/// The settings every pool shares, SQLite's and MySQL's alike.
pub(crate) fn builder<M: ManageConnection>(size: PoolSize, checkout: Checkout) -> Builder<M> {
    Pool::builder()
        .max_size(size.connections)
        .test_on_check_out(checkout == Checkout::Verify)
        .connection_timeout(size.checkout_timeout)
        // A connection unused this long is closed; proxies drop idle ones anyway.
        .idle_timeout(Some(Duration::from_secs(300)))
}

/// A pool of `size` connections to `target`. MySQL pools open their connections
/// lazily, so that a process starts while a database is briefly away.
pub fn pool(target: Target, size: PoolSize, checkout: Checkout) -> Result<DbPool, SqlError> {
    let lazy = !matches!(target, Target::Sqlite(_));
    let builder = builder(size, checkout);
    let builder = if lazy {
        builder.min_idle(Some(0))
    } else {
        builder
    };
    let manager = DbManager { target };
    if lazy {
        Ok(builder.build_unchecked(manager))
    } else {
        Ok(builder.build(manager)?)
    }
}

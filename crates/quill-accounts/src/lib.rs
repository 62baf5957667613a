//! Accounts: users and sessions over SQL with diesel, password hashing, and the
//! actix-session `SessionStore` that keeps sessions in the same database.
//!
//! Store functions take a connection; [`Accounts`] owns the pool and the hasher and runs
//! every blocking call off the async workers.

mod accounts;
mod db;
mod password;
mod schema;
pub mod sessions;
mod throttle;
pub mod users;

pub use accounts::{Accounts, AccountsError, LogInError, SignUpError};
pub use db::{Db, DbConn, MysqlUrls};
pub use password::{HashingBusy, PasswordHasher, PasswordPolicy};
pub use sessions::SqlSessionStore;
pub use throttle::{LoginThrottle, ThrottleLimits, Throttled};
pub use users::User;

/// Seconds since the Unix epoch, the unit of every stored timestamp.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

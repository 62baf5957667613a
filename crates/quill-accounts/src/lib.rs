//! Accounts: users and sessions over SQL with diesel, password hashing, the
//! actix-session `SessionStore` that keeps sessions in the same database, and the
//! login throttle and rate limits counted there.
//!
//! Store functions take a connection; [`Accounts`] owns the pool and the hasher and runs
//! every blocking call off the async workers.

mod accounts;
mod db;
mod password;
mod rate_limits;
mod schema;
mod scoped;
pub mod sessions;
mod throttle;
pub mod users;

pub use accounts::{Accounts, AccountsError, LogInError, SignUpError};
pub use db::{Db, DbConn, MysqlUrls};
pub use password::{HashingBusy, PasswordHasher, PasswordPolicy};
pub use rate_limits::{Action, Limited, LimitedBy, RateLimit, RateLimiter, RateLimits};
pub use sessions::SessionInfo;
pub use sessions::SqlSessionStore;
pub use throttle::{Admitted, LoginThrottle, ThrottleLimits, Throttled};
pub use users::User;

/// How a database pool is sized; the stores take it when they open.
pub use quill_sql::PoolSize;

/// Read-your-writes across replicas, for the web layer: a request runs in a scope
/// ([`read_your_writes::with_request`]) that carries the position its reads must see, and
/// learns the position its writes reached, which the client carries to its next request.
pub mod read_your_writes {
    pub use quill_sql::GtidPos as Position;
    pub use quill_sql::scope::{RequestOutcome, with_request};
}

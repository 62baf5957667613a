//! Counter rows keyed by scope, shared by every instance of a deployment: the login
//! throttle's `login_failures` and the rate limits' `rate_limits`. Both count the same
//! way: the rows of an attempt's two scopes are made (if missing) in autocommit, then
//! locked together in the transaction that reads and counts them.
//!
//! On MariaDB, InnoDB may still pick a count as the victim of a deadlock: two
//! `INSERT IGNORE`s of a row that a purge has just deleted each take a shared lock on
//! it, then wait for each other's to insert; a purge locks through the `window_start`
//! index, a count through the primary key. The victim is rolled back whole, so it runs
//! again ([`retried`]); the other one has gone ahead.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Text};
use quill_sql::SqlError;

use crate::{AccountsError, DbConn};

/// How many times a count runs again after losing a deadlock, or after a purge took a
/// row between its making and its lock.
const RETRIES: u32 = 5;

type Backend = <DbConn as Connection>::Backend;

/// A counter row as `lock` reads it: its scope and its counter.
pub(crate) trait ScopedRow: QueryableByName<Backend> + 'static {
    type Counter: Copy;
    fn scope(&self) -> &str;
    fn counter(&self) -> Self::Counter;
}

/// Makes the rows of `scopes` where they are missing: `INSERT IGNORE INTO {into}` on
/// MariaDB, `INSERT OR IGNORE INTO {into}` on SQLite. `into` names the table and
/// columns and binds the scope, then `now` as often as it has further markers.
pub(crate) fn make(conn: &mut DbConn, into: &str, scopes: [&str; 2], now: i64) -> QueryResult<()> {
    let verb = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => "INSERT IGNORE INTO",
        DbConn::Sqlite(_) => "INSERT OR IGNORE INTO",
    };
    let insert = format!("{verb} {into}");
    let nows = into.matches('?').count().saturating_sub(1);
    for scope in scopes {
        let mut query = diesel::sql_query(&insert).into_boxed::<Backend>();
        query = query.bind::<Text, _>(scope);
        for _ in 0..nows {
            query = query.bind::<BigInt, _>(now);
        }
        query.execute(conn)?;
    }
    Ok(())
}

/// Locks the rows of two scopes for the rest of the transaction, so that concurrent
/// requests take turns: on MariaDB with one `FOR UPDATE` statement, which locks the rows
/// in index order (so two requests never wait on each other in a cycle); on SQLite the
/// accounts database has one writing connection. `select` reads `scope` and the counter
/// columns `WHERE scope IN (?, ?)`. `None` when a row was purged meanwhile.
pub(crate) fn lock<R: ScopedRow>(
    conn: &mut DbConn,
    select: &str,
    scopes: [&str; 2],
) -> QueryResult<Option<[R::Counter; 2]>> {
    let select = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => format!("{select} FOR UPDATE"),
        DbConn::Sqlite(_) => select.to_owned(),
    };
    let rows: Vec<R> = diesel::sql_query(select)
        .bind::<Text, _>(scopes[0])
        .bind::<Text, _>(scopes[1])
        .load(conn)?;
    let counter = |scope: &str| {
        rows.iter()
            .find(|row| row.scope() == scope)
            .map(ScopedRow::counter)
    };
    Ok(counter(scopes[0])
        .zip(counter(scopes[1]))
        .map(|(a, b)| [a, b]))
}

/// Counts a request in two scopes atomically: makes their rows, then in one transaction
/// locks them and hands their counters to `decide`, which either refuses (writing
/// nothing) or counts (writing the rows). When a purge took a row between its making
/// and its lock, it starts again, as [`retried`] does.
pub(crate) fn count<R: ScopedRow, T>(
    conn: &mut DbConn,
    (make_into, lock_select): (&str, &str),
    scopes: [&str; 2],
    now: i64,
    mut decide: impl FnMut(&mut DbConn, [R::Counter; 2]) -> Result<T, AccountsError>,
) -> Result<T, AccountsError> {
    retried(|| {
        make(conn, make_into, scopes, now)?;
        conn.transaction(|conn| {
            let Some(counters) = lock::<R>(conn, lock_select, scopes)? else {
                return Ok(None);
            };
            decide(conn, counters).map(Some)
        })
    })
}

/// Runs `work` until it is done, again when InnoDB rolled it back to break a deadlock
/// or when it found a row it needs gone (`None`), up to [`RETRIES`] times.
pub(crate) fn retried<T>(
    mut work: impl FnMut() -> Result<Option<T>, AccountsError>,
) -> Result<T, AccountsError> {
    let mut retries = 0;
    loop {
        let again = match work() {
            Ok(Some(done)) => return Ok(done),
            Ok(None) => DieselError::NotFound.into(),
            Err(e) if is_deadlock(&e) => e,
            Err(e) => return Err(e),
        };
        if retries == RETRIES {
            return Err(again);
        }
        retries += 1;
    }
}

/// Whether InnoDB rolled the statement's transaction back to break a deadlock (diesel
/// reads MariaDB's error 1213 as a serialization failure).
fn is_deadlock(e: &AccountsError) -> bool {
    matches!(
        e,
        AccountsError::Store(SqlError::Query(DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            _
        )))
    )
}

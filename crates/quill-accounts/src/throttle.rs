//! Login throttling shared by every instance: failed logins are counted per account and
//! per client address in fixed windows, in the accounts database. Past the limit,
//! attempts are refused without checking the password, so a guessing run gains nothing
//! and costs no hashing, however many instances it spreads over.
//!
//! Counts are read from the primary: a replica's lag would let a few guesses through.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::schema::login_failures;
use crate::{AccountsError, Db, DbConn};
use quill_domain::clock::unix_secs;

/// Failed logins allowed per account and per client address within one window.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

/// A refused attempt, with how long until its window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_secs: u64,
}

#[derive(Clone)]
pub struct LoginThrottle {
    db: Db,
    limits: ThrottleLimits,
}

/// Typed usernames are counted whatever they hold; past 64 characters (no real username
/// is) they count as their first 64.
fn account_scope(account: &str) -> String {
    format!("account:{}", account.chars().take(64).collect::<String>())
}

fn address_scope(address: IpAddr) -> String {
    format!("address:{address}")
}

/// When a window that started at `window_start` and holds `failures` refuses attempts
/// at `now`: the seconds until it ends.
pub fn refusal(
    window_start: i64,
    failures: i64,
    limit: u32,
    window_secs: i64,
    now: i64,
) -> Option<u64> {
    let ends = window_start.saturating_add(window_secs);
    (failures >= i64::from(limit) && ends > now).then(|| (ends - now) as u64)
}

impl LoginThrottle {
    pub fn new(db: Db, limits: ThrottleLimits) -> Self {
        Self { db, limits }
    }

    fn window_secs(&self) -> i64 {
        i64::try_from(self.limits.window.as_secs()).unwrap_or(i64::MAX)
    }

    /// Whether an attempt on `account` (case-folded) from `address` may go ahead now.
    pub async fn check(
        &self,
        account: &str,
        address: IpAddr,
    ) -> Result<Result<(), Throttled>, AccountsError> {
        let scopes = [account_scope(account), address_scope(address)];
        let rows: Vec<(String, i64, i32)> = self
            .db
            .read_primary(move |conn| {
                Ok::<_, AccountsError>(
                    login_failures::table
                        .filter(login_failures::scope.eq_any(&scopes))
                        .select((
                            login_failures::scope,
                            login_failures::window_start,
                            login_failures::failures,
                        ))
                        .load(conn)?,
                )
            })
            .await?;
        let (now, window) = (unix_secs(), self.window_secs());
        let wait = rows
            .iter()
            .filter_map(|(scope, start, failures)| {
                let limit = if scope.starts_with("account:") {
                    self.limits.per_account
                } else {
                    self.limits.per_address
                };
                refusal(*start, i64::from(*failures), limit, window, now)
            })
            .max();
        Ok(match wait {
            Some(retry_after_secs) => Err(Throttled { retry_after_secs }),
            None => Ok(()),
        })
    }

    pub async fn record_failure(
        &self,
        account: &str,
        address: IpAddr,
    ) -> Result<(), AccountsError> {
        let scopes = [account_scope(account), address_scope(address)];
        let (now, window) = (unix_secs(), self.window_secs());
        self.db
            .write(move |conn| {
                for scope in &scopes {
                    bump(conn, scope, now, now - window)?;
                }
                Ok::<_, AccountsError>(())
            })
            .await
    }

    /// A successful login clears the account's failures (not the address's).
    pub async fn record_success(&self, account: &str) -> Result<(), AccountsError> {
        let scope = account_scope(account);
        self.db
            .write(move |conn| {
                diesel::delete(login_failures::table.find(&scope)).execute(conn)?;
                Ok::<_, AccountsError>(())
            })
            .await
    }

    /// Deletes windows that have ended; returns how many.
    pub async fn purge_expired(&self) -> Result<usize, AccountsError> {
        let expired_before = unix_secs() - self.window_secs();
        self.db
            .write(move |conn| {
                Ok::<_, AccountsError>(
                    diesel::delete(
                        login_failures::table
                            .filter(login_failures::window_start.le(expired_before)),
                    )
                    .execute(conn)?,
                )
            })
            .await
    }
}

/// Counts one failure in `scope`'s window, starting a new window when the old one
/// started at or before `expired_before`. One statement, so concurrent failures from
/// several instances all count.
fn bump(conn: &mut DbConn, scope: &str, now: i64, expired_before: i64) -> QueryResult<()> {
    // MySQL assigns left to right, so `failures` is computed from the old `window_start`.
    #[cfg(feature = "mysql")]
    const MYSQL: &str = "INSERT INTO login_failures (scope, window_start, failures) VALUES (?, ?, 1) \
         ON DUPLICATE KEY UPDATE \
         failures = IF(window_start <= ?, 1, failures + 1), \
         window_start = IF(window_start <= ?, ?, window_start)";
    const SQLITE: &str = "INSERT INTO login_failures (scope, window_start, failures) VALUES (?, ?, 1) \
         ON CONFLICT (scope) DO UPDATE SET \
         failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END, \
         window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END";
    let sql = match conn {
        #[cfg(feature = "mysql")]
        DbConn::Mysql(_) => MYSQL,
        DbConn::Sqlite(_) => SQLITE,
    };
    diesel::sql_query(sql)
        .bind::<Text, _>(scope)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(expired_before)
        .bind::<BigInt, _>(expired_before)
        .bind::<BigInt, _>(now)
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_refuses_until_it_ends() {
        assert_eq!(refusal(1_000, 3, 3, 60, 1_010), Some(50));
        assert_eq!(refusal(1_000, 2, 3, 60, 1_010), None);
        assert_eq!(refusal(1_000, 3, 3, 60, 1_060), None);
        assert_eq!(refusal(1_000, 9, 3, 60, 1_059), Some(1));
    }
}

//! Login throttling shared by every instance, in the accounts database (ASVS 6.1.1).
//!
//! Every attempt is counted before its password is checked, in one transaction with the
//! check, so a burst of concurrent guesses gets no more checks than the limit, however
//! many instances it spreads over. An attempt is counted in two scopes:
//!
//! - its client address: `per_address` attempts per window, then refused until the
//!   window ends;
//! - its account, in one of two ways. From a browser that has logged in to the account
//!   before (it holds a signed device cookie, see quill-web's `device.rs`), the device
//!   gets `per_account` attempts per window of its own, which nobody elsewhere can use
//!   up. From anywhere else, the account's first `per_account` attempts per window are
//!   free, and each one after waits twice as long as the one before, up to
//!   [`MAX_DELAY_SECS`]: guessing slows to one try a minute, and the owner, on a new
//!   browser, waits a minute at most; nobody is locked out for the whole window.
//!
//! Refused attempts are not counted: hammering a refusal does not extend it. A login
//! that succeeds was no failure: it clears its account scope and gives its address the
//! attempt back.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use quill_domain::clock::unix_secs;

use crate::schema::login_failures;
use crate::scoped::{self, ScopedRow};
use crate::{AccountsError, Db};

/// The longest an attempt from an unknown browser waits after the one before.
pub const MAX_DELAY_SECS: i64 = 60;

/// Attempts allowed per account and per client address within one window.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

/// A refused attempt, with how long until one may be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_secs: u64,
}

/// An admitted attempt: the scopes it was counted in, to settle once the password has
/// been checked.
#[derive(Debug)]
pub struct Admitted {
    account: String,
    address: String,
}

#[derive(Clone)]
pub struct LoginThrottle {
    db: Db,
    limits: ThrottleLimits,
}

/// A scope's counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Counter {
    #[diesel(sql_type = BigInt)]
    pub window_start: i64,
    #[diesel(sql_type = Integer)]
    pub failures: i32,
    #[diesel(sql_type = BigInt)]
    pub last_attempt: i64,
}

/// How a scope limits attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// `limit` attempts per window, then none until it ends.
    Window { limit: u32 },
    /// `free` attempts per window, then each waits twice as long after the one before,
    /// from one second up to [`MAX_DELAY_SECS`].
    Delay { free: u32 },
}

impl Counter {
    /// The counter as it stands at `now`: an ended window starts afresh.
    fn at(self, window_secs: i64, now: i64) -> Self {
        if self.window_start.saturating_add(window_secs) <= now {
            Self {
                window_start: now,
                failures: 0,
                ..self
            }
        } else {
            self
        }
    }
}

/// Whether `rule` refuses an attempt at `now` on a counter current at `now`: the
/// seconds until one may be admitted.
pub fn refusal(rule: Rule, counter: Counter, window_secs: i64, now: i64) -> Option<u64> {
    let failures = i64::from(counter.failures);
    let wait = match rule {
        Rule::Window { limit } if failures >= i64::from(limit) => {
            counter.window_start.saturating_add(window_secs) - now
        }
        Rule::Window { .. } => 0,
        Rule::Delay { free } if failures >= i64::from(free) => {
            let doublings = (failures - i64::from(free)).min(6);
            let delay = (1_i64 << doublings).min(MAX_DELAY_SECS);
            counter.last_attempt.saturating_add(delay) - now
        }
        Rule::Delay { .. } => 0,
    };
    u64::try_from(wait).ok().filter(|wait| *wait > 0)
}

/// Typed usernames are counted whatever they hold; past 64 characters (no real username
/// is) they count as their first 64.
fn account_scope(account: &str) -> String {
    format!("account:{}", account.chars().take(64).collect::<String>())
}

fn device_scope(device: &str) -> String {
    format!("device:{}", device.chars().take(64).collect::<String>())
}

fn address_scope(address: IpAddr) -> String {
    format!("address:{address}")
}

/// Deletes the counters of `account` (case-folded) by name, for an account being
/// deleted; device counters carry no name (a browser's random id) and end with their
/// window. Returns how many went.
pub(crate) fn forget_account(
    conn: &mut crate::DbConn,
    account: &str,
) -> Result<usize, diesel::result::Error> {
    diesel::delete(login_failures::table.find(account_scope(account))).execute(conn)
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(embed)]
    counter: Counter,
}

impl ScopedRow for Row {
    type Counter = Counter;
    fn scope(&self) -> &str {
        &self.scope
    }
    fn counter(&self) -> Counter {
        self.counter
    }
}

const MAKE: &str =
    "login_failures (scope, window_start, failures, last_attempt) VALUES (?, ?, 0, 0)";
const LOCK: &str = "SELECT scope, window_start, failures, last_attempt \
     FROM login_failures WHERE scope IN (?, ?)";

impl LoginThrottle {
    pub fn new(db: Db, limits: ThrottleLimits) -> Self {
        Self { db, limits }
    }

    fn window_secs(&self) -> i64 {
        i64::try_from(self.limits.window.as_secs()).unwrap_or(i64::MAX)
    }

    /// Admits an attempt on `account` (case-folded) from `address`, counting it, or
    /// refuses it without counting. `device` is the id of the attempting browser's
    /// device cookie when it holds a valid one for this account.
    pub async fn admit(
        &self,
        account: &str,
        address: IpAddr,
        device: Option<&str>,
    ) -> Result<Result<Admitted, Throttled>, AccountsError> {
        let (account_scope, account_rule) = match device {
            Some(device) => (
                device_scope(device),
                Rule::Window {
                    limit: self.limits.per_account,
                },
            ),
            None => (
                account_scope(account),
                Rule::Delay {
                    free: self.limits.per_account,
                },
            ),
        };
        let scopes = [
            (
                address_scope(address),
                Rule::Window {
                    limit: self.limits.per_address,
                },
            ),
            (account_scope, account_rule),
        ];
        let window = self.window_secs();
        let now = unix_secs();
        self.db
            .write(move |conn| {
                let names = [scopes[0].0.as_str(), scopes[1].0.as_str()];
                let decided =
                    scoped::count::<Row, _>(conn, (MAKE, LOCK), names, now, |conn, counters| {
                        let counters = counters.map(|counter| counter.at(window, now));
                        let wait = scopes
                            .iter()
                            .zip(counters)
                            .filter_map(|((_, rule), counter)| refusal(*rule, counter, window, now))
                            .max();
                        if let Some(retry_after_secs) = wait {
                            return Ok(Err(Throttled { retry_after_secs }));
                        }
                        for (scope, counter) in names.iter().zip(counters) {
                            diesel::update(login_failures::table.find(scope))
                                .set((
                                    login_failures::window_start.eq(counter.window_start),
                                    login_failures::failures.eq(counter.failures.saturating_add(1)),
                                    login_failures::last_attempt.eq(now),
                                ))
                                .execute(conn)?;
                        }
                        Ok(Ok(()))
                    })?;
                let [(address, _), (account, _)] = scopes;
                Ok(decided.map(|()| Admitted { account, address }))
            })
            .await
    }

    /// The admitted attempt logged in: it was no failure. Clears its account scope and
    /// gives its address the attempt back.
    ///
    /// The account's counter is zeroed, not deleted: on MariaDB, the next attempts'
    /// `INSERT IGNORE`s of a row deleted moments before deadlock on it. Its window is
    /// left as it is, so that the `window_start` index, which the purge locks through,
    /// is not touched.
    pub async fn succeeded(&self, attempt: Admitted) -> Result<(), AccountsError> {
        self.db
            .write(move |conn| {
                scoped::retried(|| {
                    diesel::update(login_failures::table.find(&attempt.account))
                        .set((
                            login_failures::failures.eq(0),
                            login_failures::last_attempt.eq(0),
                        ))
                        .execute(conn)?;
                    diesel::update(
                        login_failures::table
                            .find(&attempt.address)
                            .filter(login_failures::failures.gt(0)),
                    )
                    .set(login_failures::failures.eq(login_failures::failures - 1))
                    .execute(conn)?;
                    Ok(Some(()))
                })
            })
            .await
    }

    /// Deletes counters whose window has ended; returns how many.
    pub async fn purge_expired(&self) -> Result<usize, AccountsError> {
        // A counter past its window holds nothing that still counts: the next attempt
        // starts it afresh, and the longest delay is far shorter than any window.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(window_start: i64, failures: i32, last_attempt: i64) -> Counter {
        Counter {
            window_start,
            failures,
            last_attempt,
        }
    }

    #[test]
    fn a_full_window_refuses_until_it_ends() {
        let rule = Rule::Window { limit: 3 };
        assert_eq!(refusal(rule, counter(1_000, 3, 1_005), 60, 1_010), Some(50));
        assert_eq!(refusal(rule, counter(1_000, 2, 1_005), 60, 1_010), None);
        assert_eq!(refusal(rule, counter(1_000, 9, 1_005), 60, 1_059), Some(1));
    }

    #[test]
    fn an_ended_window_starts_afresh() {
        let rule = Rule::Window { limit: 3 };
        let stale = counter(1_000, 3, 1_005).at(60, 1_060);
        assert_eq!(stale, counter(1_060, 0, 1_005));
        assert_eq!(refusal(rule, stale, 60, 1_060), None);
    }

    #[test]
    fn past_the_free_attempts_each_waits_twice_as_long_up_to_a_minute() {
        let rule = Rule::Delay { free: 5 };
        assert_eq!(refusal(rule, counter(0, 4, 100), 900, 100), None);
        assert_eq!(refusal(rule, counter(0, 5, 100), 900, 100), Some(1));
        assert_eq!(refusal(rule, counter(0, 5, 100), 900, 101), None);
        assert_eq!(refusal(rule, counter(0, 7, 100), 900, 101), Some(3));
        assert_eq!(refusal(rule, counter(0, 11, 100), 900, 100), Some(60));
        assert_eq!(refusal(rule, counter(0, 500, 100), 900, 100), Some(60));
        assert_eq!(refusal(rule, counter(0, 500, 100), 900, 160), None);
    }
}

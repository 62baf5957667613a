//! Rate limits on what makes something: sign-ups, API sessions and post tokens (ASVS
//! 2.4.1), in the accounts database, so that every instance of a deployment shares them.
//!
//! Each action has two limits, each counted in fixed windows that start with the first
//! request after the last one ended: `per_address` requests per client address (an IPv6
//! client counts by its /64, which one household or host usually holds), and `total`
//! requests from everyone together. A request is counted in both before anything else
//! is done for it, in one transaction that locks both counters (as the login throttle
//! does, `crate::throttle`), so a burst of concurrent requests, however many instances
//! it spreads over, gets no more through than the limit. A refused request is not
//! counted: hammering a refusal does not extend it.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use quill_domain::clock::unix_secs;

use crate::schema::rate_limits;
use crate::scoped::{self, ScopedRow};
use crate::{AccountsError, Db};

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new account, from the form or the API.
    SignUp,
    /// A bearer token from `POST /api/v1/sessions`, password checked or not.
    ApiSession,
    /// A post token from `POST /api/v1/post-tokens`.
    PostToken,
}

impl Action {
    /// The prefix of the action's counters.
    pub fn name(self) -> &'static str {
        match self {
            Self::SignUp => "signup",
            Self::ApiSession => "api-session",
            Self::PostToken => "post-token",
        }
    }
}

/// How many requests of one action are allowed in one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// From one client address.
    pub per_address: u32,
    /// From everyone, on every instance together.
    pub total: u32,
    pub window: Duration,
}

/// The limits of every action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub sign_up: RateLimit,
    pub api_session: RateLimit,
    pub post_token: RateLimit,
}

impl RateLimits {
    pub fn of(&self, action: Action) -> RateLimit {
        match action {
            Action::SignUp => self.sign_up,
            Action::ApiSession => self.api_session,
            Action::PostToken => self.post_token,
        }
    }
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedBy {
    /// The client's address used its share.
    Address,
    /// Everyone together used the deployment's.
    Everyone,
}

/// A refused request: which limit refused it, and the seconds until its window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub by: LimitedBy,
    pub retry_after_secs: u64,
}

/// A scope's counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Window {
    #[diesel(sql_type = BigInt, column_name = window_start)]
    pub start: i64,
    #[diesel(sql_type = BigInt, column_name = window_end)]
    pub end: i64,
    #[diesel(sql_type = Integer)]
    pub requests: i32,
}

impl Window {
    /// The window as it stands at `now`: an ended one gives way to a new, empty one.
    pub fn at(self, window_secs: i64, now: i64) -> Self {
        if self.end <= now {
            Self {
                start: now,
                end: now.saturating_add(window_secs),
                requests: 0,
            }
        } else {
            self
        }
    }

    /// Seconds until a request may be admitted under `limit`, when it is full.
    pub fn refusal(self, limit: u32, now: i64) -> Option<u64> {
        if i64::from(self.requests) < i64::from(limit) {
            return None;
        }
        // At least a second: the window may end within the current one.
        Some(u64::try_from(self.end - now).unwrap_or(0).max(1))
    }
}

/// The scope an address counts in: an IPv4 address as it is, an IPv6 address by its
/// /64 (an IPv4-mapped one as the IPv4 address it maps).
pub fn address_scope(action: Action, address: IpAddr) -> String {
    let name = action.name();
    match address {
        IpAddr::V4(v4) => format!("{name}:address:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("{name}:address:{v4}"),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                let prefix = std::net::Ipv6Addr::from(prefix);
                format!("{name}:address:{prefix}/64")
            }
        },
    }
}

/// The scope everyone's requests of `action` count in.
pub fn total_scope(action: Action) -> String {
    format!("{}:all", action.name())
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    scope: String,
    #[diesel(embed)]
    window: Window,
}

impl ScopedRow for Row {
    type Counter = Window;
    fn scope(&self) -> &str {
        &self.scope
    }
    fn counter(&self) -> Window {
        self.window
    }
}

const MAKE: &str = "rate_limits (scope, window_start, window_end, requests) VALUES (?, ?, ?, 0)";
const LOCK: &str = "SELECT scope, window_start, window_end, requests \
     FROM rate_limits WHERE scope IN (?, ?)";

/// The rate limits of a deployment, over its accounts database.
#[derive(Clone)]
pub struct RateLimiter {
    db: Db,
    limits: RateLimits,
}

impl RateLimiter {
    pub fn new(db: Db, limits: RateLimits) -> Self {
        Self { db, limits }
    }

    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Counts a request of `action` from `address`, or refuses it without counting.
    #[tracing::instrument(skip(self))]
    pub async fn admit(
        &self,
        action: Action,
        address: IpAddr,
    ) -> Result<Result<(), Limited>, AccountsError> {
        let limit = self.limits.of(action);
        let scopes = [
            (
                address_scope(action, address),
                limit.per_address,
                LimitedBy::Address,
            ),
            (total_scope(action), limit.total, LimitedBy::Everyone),
        ];
        let window = i64::try_from(limit.window.as_secs()).unwrap_or(i64::MAX);
        let now = unix_secs();
        self.db
            .write(move |conn| {
                let names = [scopes[0].0.as_str(), scopes[1].0.as_str()];
                scoped::count::<Row, _>(conn, (MAKE, LOCK), names, now, |conn, windows| {
                    let windows = windows.map(|w| w.at(window, now));
                    let refused = scopes
                        .iter()
                        .zip(windows)
                        .filter_map(|((_, limit, by), w)| {
                            w.refusal(*limit, now).map(|retry_after_secs| Limited {
                                by: *by,
                                retry_after_secs,
                            })
                        })
                        .max_by_key(|limited| limited.retry_after_secs);
                    if let Some(limited) = refused {
                        return Ok(Err(limited));
                    }
                    for (scope, w) in names.iter().zip(windows) {
                        diesel::update(rate_limits::table.find(scope))
                            .set((
                                rate_limits::window_start.eq(w.start),
                                rate_limits::window_end.eq(w.end),
                                rate_limits::requests.eq(w.requests.saturating_add(1)),
                            ))
                            .execute(conn)?;
                    }
                    Ok(Ok(()))
                })
            })
            .await
    }

    /// Deletes counters whose window has ended; returns how many.
    pub async fn purge_expired(&self) -> Result<usize, AccountsError> {
        // Strictly before now: a counter made this second (ended, to be started by its
        // lock) is left to the request that made it.
        let now = unix_secs();
        self.db
            .write(move |conn| {
                Ok::<_, AccountsError>(
                    diesel::delete(rate_limits::table.filter(rate_limits::window_end.lt(now)))
                        .execute(conn)?,
                )
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: i64, end: i64, requests: i32) -> Window {
        Window {
            start,
            end,
            requests,
        }
    }

    #[test]
    fn a_full_window_refuses_until_it_ends() {
        let full = window(1_000, 4_600, 10);
        assert_eq!(full.refusal(10, 1_000), Some(3_600));
        assert_eq!(full.refusal(10, 4_599), Some(1));
        assert_eq!(full.refusal(11, 1_000), None);
        assert_eq!(window(1_000, 4_600, 9).refusal(10, 1_000), None);
    }

    #[test]
    fn an_ended_window_gives_way_to_an_empty_one() {
        let ended = window(1_000, 1_600, 10).at(600, 1_600);
        assert_eq!(ended, window(1_600, 2_200, 0));
        assert_eq!(ended.refusal(10, 1_600), None);
        let live = window(1_000, 1_600, 10);
        assert_eq!(live.at(600, 1_599), live);
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("v6");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("v6");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("v6");
        assert_eq!(
            address_scope(Action::SignUp, a),
            "signup:address:2001:db8:1:2::/64"
        );
        assert_eq!(
            address_scope(Action::SignUp, a),
            address_scope(Action::SignUp, b)
        );
        assert_ne!(
            address_scope(Action::SignUp, a),
            address_scope(Action::SignUp, other)
        );
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("mapped");
        assert_eq!(
            address_scope(Action::PostToken, mapped),
            "post-token:address:203.0.113.9"
        );
        assert_eq!(total_scope(Action::ApiSession), "api-session:all");
    }
}

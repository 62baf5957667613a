//! Login throttling: failed logins are counted per account and per client address in
//! fixed windows; past the limit, attempts are refused (429) without checking the
//! password, so a guessing run gains nothing and costs the server no hashing.
//!
//! Counters live in this process. Behind a load balancer each instance counts alone, so
//! the effective limit is multiplied by the number of instances.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::settings::ThrottleSettings;

/// Entries kept per map before expired ones are swept.
const SWEEP_AT: usize = 10_000;

pub struct LoginThrottle {
    settings: ThrottleSettings,
    accounts: Mutex<HashMap<String, Window>>,
    addresses: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// A refused attempt, with how long until the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

impl LoginThrottle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            settings,
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// Whether an attempt on `account` from `address` may go ahead now.
    pub fn check(&self, account: &str, address: IpAddr, now: Instant) -> Result<(), Throttled> {
        let window = self.settings.window;
        let account_wait = blocked(
            &self.accounts,
            account,
            self.settings.per_account,
            window,
            now,
        );
        let address_wait = blocked(
            &self.addresses,
            &address,
            self.settings.per_address,
            window,
            now,
        );
        match account_wait.max(address_wait) {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, account: &str, address: IpAddr, now: Instant) {
        let window = self.settings.window;
        bump(&self.accounts, account.to_owned(), window, now);
        bump(&self.addresses, address, window, now);
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(account);
        }
    }
}

fn blocked<K, Q>(
    map: &Mutex<HashMap<K, Window>>,
    key: &Q,
    limit: u32,
    window: Duration,
    now: Instant,
) -> Option<Duration>
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    let map = map.lock().ok()?;
    let entry = map.get(key)?;
    let ends = entry.started + window;
    (entry.failures >= limit && ends > now).then(|| ends - now)
}

fn bump<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: K,
    window: Duration,
    now: Instant,
) {
    let Ok(mut map) = map.lock() else { return };
    if map.len() >= SWEEP_AT {
        map.retain(|_, w| w.started + window > now);
    }
    let entry = map.entry(key).or_insert(Window {
        started: now,
        failures: 0,
    });
    if entry.started + window <= now {
        *entry = Window {
            started: now,
            failures: 0,
        };
    }
    entry.failures += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottleSettings {
            per_account: 3,
            per_address: 5,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn an_account_is_locked_after_its_limit_until_the_window_ends() {
        let (t, now) = (throttle(), Instant::now());
        for _ in 0..3 {
            assert_eq!(t.check("alice", ADDR, now), Ok(()));
            t.record_failure("alice", ADDR, now);
        }
        assert_eq!(
            t.check("alice", OTHER, now + Duration::from_secs(10)),
            Err(Throttled {
                retry_after: Duration::from_secs(50)
            })
        );
        assert_eq!(t.check("bob", OTHER, now), Ok(()));
        assert_eq!(
            t.check("alice", OTHER, now + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let (t, now) = (throttle(), Instant::now());
        for i in 0..5 {
            t.record_failure(&format!("user{i}"), ADDR, now);
        }
        assert!(t.check("someone-new", ADDR, now).is_err());
        assert_eq!(t.check("someone-new", OTHER, now), Ok(()));
    }

    #[test]
    fn success_clears_the_account_count() {
        let (t, now) = (throttle(), Instant::now());
        t.record_failure("alice", ADDR, now);
        t.record_failure("alice", ADDR, now);
        t.record_success("alice");
        t.record_failure("alice", OTHER, now);
        t.record_failure("alice", OTHER, now);
        assert_eq!(t.check("alice", OTHER, now), Ok(()));
    }
}

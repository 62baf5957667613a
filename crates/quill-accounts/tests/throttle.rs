//! The login throttle's rules, against a real SQLite database (the cluster suite runs
//! the same code on MariaDB across two instances).

use std::net::IpAddr;
use std::time::Duration;

use quill_accounts::{Db, LoginThrottle, ThrottleLimits, Throttled};
use quill_sql::PoolSize;

const ADDR: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

fn throttle(window: Duration) -> (LoginThrottle, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let size = PoolSize {
        connections: 2,
        checkout_timeout: Duration::from_secs(5),
    };
    let db = Db::open_sqlite(dir.path(), size).expect("db");
    let limits = ThrottleLimits {
        per_account: 3,
        per_address: 5,
        window,
    };
    (LoginThrottle::new(db, limits), dir)
}

async fn allowed(t: &LoginThrottle, account: &str, address: IpAddr) -> Result<(), Throttled> {
    t.check(account, address).await.expect("check")
}

#[tokio::test]
async fn an_account_is_refused_after_its_limit_from_any_address() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    for _ in 0..3 {
        assert_eq!(allowed(&t, "alice", ADDR).await, Ok(()));
        t.record_failure("alice", ADDR).await.expect("count");
    }
    let refused = allowed(&t, "alice", OTHER).await.expect_err("throttled");
    assert!((59..=60).contains(&refused.retry_after_secs), "{refused:?}");
    assert_eq!(allowed(&t, "bob", OTHER).await, Ok(()));
}

#[tokio::test]
async fn an_address_is_refused_across_accounts() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    for i in 0..5 {
        t.record_failure(&format!("user{i}"), ADDR)
            .await
            .expect("count");
    }
    assert!(allowed(&t, "someone-new", ADDR).await.is_err());
    assert_eq!(allowed(&t, "someone-new", OTHER).await, Ok(()));
}

#[tokio::test]
async fn success_clears_the_account_count() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    t.record_failure("alice", ADDR).await.expect("count");
    t.record_failure("alice", ADDR).await.expect("count");
    t.record_success("alice").await.expect("clear");
    t.record_failure("alice", OTHER).await.expect("count");
    t.record_failure("alice", OTHER).await.expect("count");
    assert_eq!(allowed(&t, "alice", OTHER).await, Ok(()));
}

#[tokio::test]
async fn a_new_window_starts_from_zero_and_ended_windows_are_purged() {
    // A one-second window: a failure counted in an ended window starts a new one.
    let (t, _dir) = throttle(Duration::from_secs(1));
    for _ in 0..3 {
        t.record_failure("alice", ADDR).await.expect("count");
    }
    assert!(allowed(&t, "alice", ADDR).await.is_err());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(allowed(&t, "alice", ADDR).await, Ok(()));
    t.record_failure("alice", ADDR).await.expect("count");
    assert_eq!(
        allowed(&t, "alice", ADDR).await,
        Ok(()),
        "one failure in the new window"
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(t.purge_expired().await.expect("purge"), 2);
}

#[tokio::test]
async fn absurdly_long_typed_usernames_are_counted_too() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    let long = "x".repeat(5000);
    for _ in 0..3 {
        t.record_failure(&long, OTHER).await.expect("count");
    }
    assert!(allowed(&t, &long, ADDR).await.is_err());
}

//! The login throttle's rules, against a real SQLite database (the cluster suite runs
//! the same code on MariaDB across two instances).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use quill_accounts::{Admitted, Db, LoginThrottle, PoolSize, ThrottleLimits, Throttled};

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

async fn admit(
    t: &LoginThrottle,
    account: &str,
    address: IpAddr,
    device: Option<&str>,
) -> Result<Admitted, Throttled> {
    t.admit(account, address, device).await.expect("admit")
}

/// The exact waits (1 s, 2 s, 4 s ... 60 s) are the unit tests' (`throttle::refusal`);
/// timestamps are whole seconds, so here a second may tick over between attempts.
#[tokio::test]
async fn an_unknown_browser_is_slowed_past_the_free_attempts_never_locked_out() {
    let (t, _dir) = throttle(Duration::from_secs(900));
    for _ in 0..3 {
        admit(&t, "alice", ADDR, None).await.expect("free attempt");
    }
    let mut admitted = 0;
    for _ in 0..10 {
        match admit(&t, "alice", OTHER, None).await {
            Ok(_) => admitted += 1,
            Err(slowed) => assert!((1..=2).contains(&slowed.retry_after_secs), "{slowed:?}"),
        }
    }
    assert!(
        admitted <= 1,
        "{admitted} of 10 quick attempts went through"
    );
    assert!(
        admit(&t, "bob", OTHER, None).await.is_ok(),
        "other accounts go on"
    );
}

#[tokio::test]
async fn a_known_browser_is_counted_apart_from_everyone_else() {
    let (t, _dir) = throttle(Duration::from_secs(900));
    for _ in 0..3 {
        admit(&t, "alice", OTHER, None).await.expect("attacker");
    }
    assert!(admit(&t, "alice", OTHER, None).await.is_err());
    for _ in 0..3 {
        admit(&t, "alice", ADDR, Some("owners-laptop"))
            .await
            .expect("the owner's browser is unaffected");
    }
    let refused = admit(&t, "alice", ADDR, Some("owners-laptop"))
        .await
        .expect_err("a device has a window of its own");
    assert!(
        (899..=900).contains(&refused.retry_after_secs),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_address_is_refused_across_accounts() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    for i in 0..5 {
        admit(&t, &format!("user{i}"), ADDR, None)
            .await
            .expect("within the address's limit");
    }
    let refused = admit(&t, "someone-new", ADDR, None)
        .await
        .expect_err("address");
    assert!((59..=60).contains(&refused.retry_after_secs), "{refused:?}");
    assert!(admit(&t, "someone-new", OTHER, None).await.is_ok());
}

#[tokio::test]
async fn a_login_that_succeeds_was_no_failure() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    admit(&t, "alice", ADDR, None).await.expect("first");
    let second = admit(&t, "alice", ADDR, None).await.expect("second");
    t.succeeded(second).await.expect("settle");
    for _ in 0..3 {
        admit(&t, "alice", OTHER, None)
            .await
            .expect("the account's count starts again");
    }
    // The address got its attempt back: one counts, four more fit.
    for i in 0..4 {
        admit(&t, &format!("user{i}"), ADDR, None)
            .await
            .expect("address");
    }
    assert!(admit(&t, "user9", ADDR, None).await.is_err());
}

/// Attempts are counted before any password is checked, atomically: a burst of
/// concurrent attempts on one account gets no more than the limit through. (From one
/// browser the account's device window applies, a hard limit; from unknown browsers
/// the free attempts are followed by growing delays, so a burst that outlasts the first
/// delay may rightly get one more: see the unit tests of `refusal`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_burst_gets_no_more_than_the_limit() {
    let (t, _dir) = throttle(Duration::from_secs(900));
    let t = Arc::new(t);
    let burst: Vec<_> = (0..60u8)
        .map(|i| {
            let t = Arc::clone(&t);
            tokio::spawn(async move {
                let address = IpAddr::V4(std::net::Ipv4Addr::new(10, 1, 0, i));
                t.admit("alice", address, Some("a browser"))
                    .await
                    .expect("admit")
                    .is_ok()
            })
        })
        .collect();
    let mut admitted = 0;
    for attempt in burst {
        admitted += usize::from(attempt.await.expect("task"));
    }
    assert_eq!(admitted, 3);
}

#[tokio::test]
async fn a_new_window_starts_from_zero_and_ended_windows_are_purged() {
    // A one-second window: an attempt in an ended window starts a new one.
    let (t, _dir) = throttle(Duration::from_secs(1));
    // Windows start at a whole second: begin the burst at the top of one, so that a
    // loaded machine does not carry its last attempt into the next window.
    let into = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .subsec_millis();
    tokio::time::sleep(Duration::from_millis(u64::from(1000 - into) + 5)).await;
    for _ in 0..3 {
        admit(&t, "alice", ADDR, Some("d")).await.expect("device");
    }
    assert!(admit(&t, "alice", ADDR, Some("d")).await.is_err());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    admit(&t, "alice", ADDR, Some("d"))
        .await
        .expect("a new window");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(t.purge_expired().await.expect("purge"), 2);
}

#[tokio::test]
async fn absurdly_long_typed_usernames_are_counted_too() {
    let (t, _dir) = throttle(Duration::from_secs(60));
    let long = "x".repeat(5000);
    for _ in 0..3 {
        admit(&t, &long, OTHER, None).await.expect("free");
    }
    assert!(admit(&t, &long, ADDR, None).await.is_err());
}

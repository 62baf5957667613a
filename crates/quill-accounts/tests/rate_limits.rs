//! The rate limits on sign-ups, API sessions and post tokens, against a real SQLite
//! database (the cluster suite runs the same code on MariaDB across two instances).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use quill_accounts::{
    Action, Db, Limited, LimitedBy, PoolSize, RateLimit, RateLimiter, RateLimits,
};

const ADDR: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn limiter(limit: RateLimit) -> (RateLimiter, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let size = PoolSize {
        connections: 2,
        checkout_timeout: Duration::from_secs(5),
    };
    let db = Db::open_sqlite(dir.path(), size).expect("db");
    let limits = RateLimits {
        sign_up: limit,
        api_session: limit,
        post_token: limit,
    };
    (RateLimiter::new(db, limits), dir)
}

fn limit(per_address: u32, total: u32, window_secs: u64) -> RateLimit {
    RateLimit {
        per_address,
        total,
        window: Duration::from_secs(window_secs),
    }
}

async fn admit(l: &RateLimiter, action: Action, address: IpAddr) -> Result<(), Limited> {
    l.admit(action, address).await.expect("admit")
}

fn address(i: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, i))
}

#[tokio::test]
async fn an_address_gets_its_share_then_waits_for_the_window_to_end() {
    let (l, _dir) = limiter(limit(3, 100, 3600));
    for _ in 0..3 {
        admit(&l, Action::SignUp, ADDR).await.expect("within");
    }
    let refused = admit(&l, Action::SignUp, ADDR).await.expect_err("over");
    assert_eq!(refused.by, LimitedBy::Address);
    assert!(
        (3599..=3600).contains(&refused.retry_after_secs),
        "{refused:?}"
    );
    // Refusals are not counted, other addresses and other actions go on.
    admit(&l, Action::SignUp, address(2))
        .await
        .expect("another address");
    admit(&l, Action::ApiSession, ADDR)
        .await
        .expect("another action");
}

#[tokio::test]
async fn everyone_together_gets_the_total() {
    let (l, _dir) = limiter(limit(3, 5, 600));
    for i in 0..5 {
        admit(&l, Action::PostToken, address(i))
            .await
            .expect("within the total");
    }
    let refused = admit(&l, Action::PostToken, address(9))
        .await
        .expect_err("over the total");
    assert_eq!(refused.by, LimitedBy::Everyone);
    assert!(
        (599..=600).contains(&refused.retry_after_secs),
        "{refused:?}"
    );
}

#[tokio::test]
async fn an_ipv6_host_cannot_walk_its_64_for_more() {
    let (l, _dir) = limiter(limit(2, 100, 600));
    for host in ["2001:db8::1", "2001:db8::2"] {
        admit(&l, Action::SignUp, host.parse().expect("v6"))
            .await
            .expect("within");
    }
    let refused = admit(&l, Action::SignUp, "2001:db8::ffff:3".parse().expect("v6")).await;
    assert_eq!(refused.map_err(|l| l.by), Err(LimitedBy::Address));
    admit(&l, Action::SignUp, "2001:db8:0:1::1".parse().expect("v6"))
        .await
        .expect("another /64");
}

/// Requests are counted atomically: forty concurrent ones from one address, with a
/// limit of ten, get ten through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_burst_gets_no_more_than_the_limit() {
    let (l, _dir) = limiter(limit(10, 25, 3600));
    let l = Arc::new(l);
    let burst: Vec<_> = (0..40)
        .map(|_| {
            let l = Arc::clone(&l);
            tokio::spawn(async move { l.admit(Action::SignUp, ADDR).await.expect("admit") })
        })
        .collect();
    let mut admitted = 0;
    for request in burst {
        admitted += usize::from(request.await.expect("task").is_ok());
    }
    assert_eq!(admitted, 10);
    // And from forty addresses at once, the total holds.
    let burst: Vec<_> = (0..40)
        .map(|i| {
            let l = Arc::clone(&l);
            tokio::spawn(async move { l.admit(Action::SignUp, address(i)).await.expect("admit") })
        })
        .collect();
    let mut admitted = 0;
    for request in burst {
        admitted += usize::from(request.await.expect("task").is_ok());
    }
    assert_eq!(admitted, 15, "the total's 25 less the 10 before");
}

/// Timestamps are whole seconds, so a one-second window may end between two quick
/// requests: this test only waits windows out (the refusals are the tests' above).
#[tokio::test]
async fn a_new_window_starts_from_zero_and_ended_windows_are_purged() {
    let (l, _dir) = limiter(limit(1, 100, 1));
    admit(&l, Action::ApiSession, ADDR).await.expect("within");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    admit(&l, Action::ApiSession, ADDR)
        .await
        .expect("a new window, counted from zero");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(l.purge_expired().await.expect("purge"), 2);
    admit(&l, Action::ApiSession, ADDR)
        .await
        .expect("counted afresh after the purge");
}

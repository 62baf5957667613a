//! Replicas that lag, die or stop replicating: no read sees stale state, no request
//! fails, and HAProxy takes a replica out of the read rotation and back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use quill_test_support::api::{account, log_in, log_out, me};
use quill_test_support::http::browser as client;
use quill_test_support::topology::Topology;
use quill_test_support::wait::eventually;
use quill_test_support::{Cluster, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

/// docs/ARCHITECTURE.md's read-your-writes: one replica applies everything a second late, and
/// 1000 write-then-read cycles go through both instances. Not one read may see older
/// state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_write_then_read_cycles_see_no_stale_state_with_a_lagging_replica() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    cluster.delay_replica(2, 1);
    let [a, b] = cluster.quills(&[("QUILL_DB_CAUSAL_WAIT_MS", "20")]).await;
    let http = client();

    // The delay is real: right after a write, db2 does not have it.
    let token = account(&http, &a, &a, "grace").await;
    assert_ne!(
        cluster.sql(2, "SELECT @@gtid_slave_pos"),
        cluster.sql(1, "SELECT @@gtid_binlog_pos"),
        "db2 should lag by a second"
    );
    log_out(&http, &a, &token).await;

    // 500 logins, each read at once on the other instance by a client that carries
    // nothing: the new session is younger than db2's lag. They are spread over ten
    // people, fifty each, as many live sessions as one person may have.
    let people: Vec<String> = (0..10).map(|n| format!("grace{n}")).collect();
    for person in &people {
        let token = account(&http, &a, &a, person).await;
        log_out(&http, &a, &token).await;
    }
    let mut stale = Vec::new();
    let mut tokens = Vec::new();
    for cycle in 0..500usize {
        let (writer, reader) = if cycle.is_multiple_of(2) {
            (&a, &b)
        } else {
            (&b, &a)
        };
        let token = log_in(&http, writer, &people[cycle % people.len()]).await;
        let status = me(&client(), reader, &token).await.status();
        if status != StatusCode::OK {
            stale.push(format!("login {cycle}: new session read as {status}"));
        }
        tokens.push(token);
    }
    // Once db2 holds every session, 500 logouts, each read at once by the same client:
    // db2 still has the session, and so has the reading instance's session cache, since
    // a client that carries nothing reads it there first. Only the client's
    // `quill_after` position keeps Quill from believing either.
    let primary_position = cluster.sql(1, "SELECT @@gtid_binlog_pos");
    cluster.sql(
        2,
        &format!("SELECT MASTER_GTID_WAIT('{primary_position}', 30)"),
    );
    for (cycle, token) in tokens.iter().enumerate() {
        let (writer, reader) = if cycle.is_multiple_of(2) {
            (&a, &b)
        } else {
            (&b, &a)
        };
        assert_eq!(me(&client(), reader, token).await.status(), StatusCode::OK);
        log_out(&http, writer, token).await;
        let status = me(&http, reader, token).await.status();
        if status != StatusCode::UNAUTHORIZED {
            stale.push(format!("logout {cycle}: ended session read as {status}"));
        }
    }
    assert!(stale.is_empty(), "{} stale reads: {stale:?}", stale.len());
    // The replica served reads all along: it is in the rotation, and caught up now.
    assert_eq!(cluster.haproxy_state("mariadb_read", "db2"), "UP");
}

/// Readers and writers hammer both instances while a replica is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_under_load_fails_no_request() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let servers = Arc::new(cluster.quills(&[]).await);
    let http = client();
    let token = Arc::new(account(&http, &servers[0], &servers[0], "linus").await);
    // Each worker logs in as a person of its own: one person's fifty-first session would
    // end the one the readers hold, and the throttle counts a login while its password
    // is checked, so one person's logins are best not all at once.
    for worker in 0..8 {
        account(&http, &servers[0], &servers[0], &format!("ada{worker}")).await;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..8 {
        let (servers, token, stop, done) =
            (servers.clone(), token.clone(), stop.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            let http = client();
            let mut failures = Vec::new();
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let server = &servers[(worker + i) % 2];
                i += 1;
                // One request in eight writes (a login), the rest read.
                let status = if i.is_multiple_of(8) {
                    http.post(server.url("/api/v1/sessions"))
                        .json(&json!({ "username": format!("ada{worker}"), "password": PASSWORD }))
                        .send()
                        .await
                        .map(|r| r.status())
                } else {
                    http.get(server.url("/api/v1/me"))
                        .bearer_auth(token.as_str())
                        .send()
                        .await
                        .map(|r| r.status())
                };
                match status {
                    Ok(s) if s.is_success() => {}
                    other => failures.push(format!("{other:?}")),
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            failures
        }));
    }
    let before = done.load(Ordering::Relaxed);
    eventually("load to start", || {
        done.load(Ordering::Relaxed) > before + 200
    })
    .await;
    cluster.kill(2);
    eventually("HAProxy to take db2 out", || {
        cluster.haproxy_state("mariadb_read", "db2") == "DOWN"
    })
    .await;
    let after_kill = done.load(Ordering::Relaxed);
    eventually("load to go on", || {
        done.load(Ordering::Relaxed) > after_kill + 500
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for worker in workers {
        failures.extend(worker.await.expect("worker"));
    }
    let total = done.load(Ordering::Relaxed);
    assert!(total > 700, "only {total} requests ran");
    assert!(
        failures.is_empty(),
        "{} of {total} failed: {failures:?}",
        failures.len()
    );
}

/// A replica that falls too far behind, or stops replicating, leaves the read rotation,
/// and returns once it has caught up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_replica_leaves_the_read_rotation_until_it_catches_up() {
    let Some(cluster) = Cluster::start(Topology::options().max_lag_secs(2)) else {
        return;
    };
    cluster.delay_replica(2, 30);
    cluster.sql(
        1,
        "CREATE TABLE quill.lag_probe (n INT); INSERT INTO quill.lag_probe VALUES (1)",
    );
    eventually("db2 to leave the rotation", || {
        cluster.haproxy_state("mariadb_read", "db2") == "DOWN"
    })
    .await;
    assert_eq!(cluster.haproxy_state("mariadb_read", "db3"), "UP");

    // People notice nothing: sign-up, login and reads work on the other replica.
    let quill = cluster.quill(&[]).await;
    let http = client();
    let token = account(&http, &quill, &quill, "barbara").await;
    for _ in 0..20 {
        assert_eq!(me(&client(), &quill, &token).await.status(), StatusCode::OK);
    }

    cluster.delay_replica(2, 0);
    eventually("db2 to return", || {
        cluster.haproxy_state("mariadb_read", "db2") == "UP"
    })
    .await;
    assert_eq!(cluster.count(2, "SELECT COUNT(*) FROM quill.lag_probe"), 1);

    // A replica whose replication stopped leaves too, and returns when it restarts.
    cluster.sql(3, "STOP SLAVE SQL_THREAD");
    eventually("db3 to leave the rotation", || {
        cluster.haproxy_state("mariadb_read", "db3") == "DOWN"
    })
    .await;
    cluster.sql(3, "START SLAVE SQL_THREAD");
    eventually("db3 to return", || {
        cluster.haproxy_state("mariadb_read", "db3") == "UP"
    })
    .await;
}

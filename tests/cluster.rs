//! Quill on the accounts cluster: real MariaDB replication behind HAProxy, two Quill
//! instances. Each test starts its own cluster (the failure tests break theirs).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use diesel::{Connection, RunQueryDsl};
use quill_accounts::replication::{self, Outcome};
use quill_test_support::api::{account, list_posts, log_in, log_out, me, post_token, sign_up};
use quill_test_support::http::browser as client;
use quill_test_support::topology::Topology;
use quill_test_support::wait::eventually;
use quill_test_support::{Cluster, Endpoint, PASSWORD, Site, hidden};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_up_log_in_and_post_through_both_instances() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let [a, b] = cluster.quills(&[]).await;
    let http = client();

    assert_eq!(
        sign_up(&http, &a, "Ada").await.status(),
        StatusCode::CREATED
    );
    let token = log_in(&http, &b, "ada").await;
    let token_for_post = post_token(&http, &b, &token).await;
    let created = http
        .post(b.url("/api/v1/posts"))
        .bearer_auth(&token)
        .json(&json!({ "title": "On engines", "body": "Notes.", "post_token": token_for_post }))
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), StatusCode::CREATED);

    // Instance A reads what B wrote, for the session B opened.
    let listed = list_posts(&http, &a, &token, "/api/v1/posts").await;
    assert_eq!(listed["posts"][0]["title"], "On engines");
    let whoami: Value = me(&http, &a, &token).await.json().await.expect("json");
    assert_eq!(whoami["username"], "ada");

    // What the databases hold: one user and her session, on the primary and both
    // replicas, the session under the token's hash only.
    for node in 1..=3 {
        eventually(&format!("db{node} has the session"), || {
            cluster.count(
                node,
                "SELECT COUNT(*) FROM quill.sessions WHERE user_id IS NOT NULL",
            ) == 1
        })
        .await;
        assert_eq!(
            cluster.sql(node, "SELECT username FROM quill.users"),
            "ada",
            "db{node}"
        );
        assert_eq!(
            cluster.count(
                node,
                &format!("SELECT COUNT(*) FROM quill.sessions WHERE id = '{token}'")
            ),
            0,
            "db{node} must not hold a live token"
        );
    }
    // The read port reaches replicas, which refuse the application's writes.
    let mut replica = diesel::MysqlConnection::establish(&cluster.urls().read).expect("read port");
    let refused = diesel::sql_query("DELETE FROM users").execute(&mut replica);
    assert!(
        refused.is_err_and(|e| e.to_string().contains("read-only")),
        "a replica took a write"
    );
    assert_eq!(cluster.count(1, "SELECT COUNT(*) FROM quill.users"), 1);

    // The login throttle is one for the deployment: five wrong passwords through A,
    // and B refuses the sixth attempt, right password and all.
    for _ in 0..5 {
        let wrong = http
            .post(a.url("/api/v1/sessions"))
            .json(&json!({ "username": "ada", "password": "not her password" }))
            .send()
            .await
            .expect("log in");
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "wrong password");
    }
    let refused = http
        .post(b.url("/api/v1/sessions"))
        .json(&json!({ "username": "ada", "password": PASSWORD }))
        .send()
        .await
        .expect("log in");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_make_the_sqlite_schema_on_mysql() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    // Four instances migrate a new database at once: one applies, the others find
    // nothing to do, and none fails.
    let urls = cluster.urls();
    let runs = (0..4).map(|_| {
        let db = quill_accounts::Db::connect_mysql(&urls, quill_sql_pool_size(), Duration::ZERO)
            .expect("db");
        tokio::spawn(async move { db.migrate().await })
    });
    let mut applied = Vec::new();
    for run in runs.collect::<Vec<_>>() {
        applied.push(run.await.expect("task").expect("migrate").len());
    }
    applied.sort_unstable();
    assert_eq!(&applied[..3], [0, 0, 0], "{applied:?}");
    assert!(applied[3] > 0, "{applied:?}");

    let mysql = cluster.sql(
        1,
        "SELECT CONCAT(table_name, '.', column_name, ':', is_nullable) FROM information_schema.columns \
         WHERE table_schema = 'quill' AND table_name IN ('users', 'sessions', 'login_failures') \
         ",
    );
    let data_dir = tempfile::tempdir().expect("dir");
    let conn =
        quill_accounts::Db::open_sqlite(data_dir.path(), quill_sql_pool_size()).expect("sqlite");
    let sqlite = conn
        .read(|conn| {
            #[derive(diesel::QueryableByName)]
            struct Column {
                #[diesel(sql_type = diesel::sql_types::Text)]
                c: String,
            }
            let rows: Vec<Column> = diesel::sql_query(
                "SELECT t.name || '.' || c.name || ':' || CASE WHEN c.\"notnull\" = 1 OR c.pk = 1 \
                 THEN 'NO' ELSE 'YES' END AS c FROM sqlite_master t, pragma_table_info(t.name) c \
                 WHERE t.name IN ('users', 'sessions', 'login_failures')",
            )
            .load(conn)
            .map_err(quill_sql::SqlError::from)?;
            Ok::<_, quill_sql::SqlError>(rows.into_iter().map(|r| r.c).collect::<Vec<_>>())
        })
        .await
        .expect("sqlite columns");
    let mut mysql: Vec<&str> = mysql.lines().collect();
    let mut sqlite = sqlite;
    mysql.sort_unstable();
    sqlite.sort_unstable();
    assert_eq!(mysql.len(), 12, "{mysql:?}");
    assert_eq!(mysql, sqlite);
}

fn quill_sql_pool_size() -> quill_sql::PoolSize {
    quill_sql::PoolSize {
        connections: 2,
        checkout_timeout: Duration::from_secs(5),
    }
}

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
    // nothing: the new session is younger than db2's lag.
    let mut stale = Vec::new();
    let mut tokens = Vec::new();
    for cycle in 0..500usize {
        let (writer, reader) = if cycle.is_multiple_of(2) {
            (&a, &b)
        } else {
            (&b, &a)
        };
        let token = log_in(&http, writer, "grace").await;
        let status = me(&client(), reader, &token).await.status();
        if status != StatusCode::OK {
            stale.push(format!("login {cycle}: new session read as {status}"));
        }
        tokens.push(token);
    }
    // Once db2 holds every session, 500 logouts, each read at once by the same client:
    // db2 still has the session, and only the client's `quill_after` position keeps
    // Quill from believing it.
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
                        .json(&json!({ "username": "linus", "password": PASSWORD }))
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

/// The primary dies while people sign up. Reads go on, writes get the 503 answer;
/// `quill db promote` makes a replica the primary and writes resume; every account
/// and session Quill acknowledged is on the new primary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_primary_dies_reads_go_on_and_promotion_brings_writes_back() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let [a, b] = cluster.quills(&[]).await;
    let http = client();
    let reader_token = account(&http, &a, &b, "reader").await;
    let browser = client();
    let login_page = browser
        .get(a.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(login_page.status(), StatusCode::OK);
    let login_page = login_page.text().await.expect("html");

    // Sign-ups in flight while the primary is killed.
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        let server = Endpoint::new(a.base_url());
        tokio::spawn(async move {
            let http = client();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("writer{n}");
                if let Ok(r) = http
                    .post(server.url("/api/v1/users"))
                    .json(&json!({ "username": name, "password": PASSWORD }))
                    .send()
                    .await
                    && r.status() == StatusCode::CREATED
                    && let Ok(mut names) = acknowledged.lock()
                {
                    names.insert(name);
                }
            }
        })
    };
    eventually("some sign-ups", || {
        acknowledged.lock().map(|n| n.len()).unwrap_or(0) >= 5
    })
    .await;
    cluster.kill(1);
    eventually("HAProxy to see no primary", || {
        cluster.haproxy_state("mariadb_write", "db1") == "DOWN"
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("writer");

    // Reads keep working: the API and the pages.
    let whoami = me(&http, &b, &reader_token).await;
    assert_eq!(whoami.status(), StatusCode::OK);
    let posts = http
        .get(a.url("/api/v1/posts"))
        .bearer_auth(&reader_token)
        .send()
        .await
        .expect("posts");
    assert_eq!(posts.status(), StatusCode::OK);
    assert_eq!(
        browser
            .get(b.url("/login"))
            .send()
            .await
            .expect("page")
            .status(),
        StatusCode::OK
    );

    // Writes get a clear 503: JSON from the API, the page from a form.
    let refused = sign_up(&http, &b, "latecomer").await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unavailable");
    let csrf = hidden(&login_page, "csrf_token");
    let page = browser
        .post(a.url("/login"))
        .form(&[
            ("username", "reader"),
            ("password", PASSWORD),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .expect("login form");
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers().contains_key("retry-after"));
    let html = page.text().await.expect("html");
    assert!(html.contains("Temporarily unavailable"), "{html}");

    // Promote, then writes resume through the same instances.
    let outcome = replication::promote(
        &cluster.nodes(),
        Some(&cluster.haproxy()),
        Duration::from_secs(30),
    )
    .expect("promotion");
    let Outcome::Promoted(promotion) = outcome else {
        panic!("a primary was still up: {outcome:?}");
    };
    let primary: u8 = promotion
        .primary
        .trim_start_matches("db")
        .parse()
        .expect("db number");
    assert_ne!(primary, 1);
    assert_eq!(promotion.left_out, ["db1"]);
    let late_token = account(&http, &b, &a, "latecomer").await;
    assert_eq!(me(&http, &b, &late_token).await.status(), StatusCode::OK);

    // Nothing acknowledged was lost: every account is on the new primary, and the
    // session opened before the crash still opens.
    let stored: BTreeSet<String> = cluster
        .sql(primary, "SELECT username FROM quill.users")
        .lines()
        .map(str::to_owned)
        .collect();
    let acknowledged = acknowledged.lock().expect("names").clone();
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(stored.contains("reader") && stored.contains("latecomer"));
    assert_eq!(me(&http, &a, &reader_token).await.status(), StatusCode::OK);
    // The other replica follows the new primary.
    let other = 5 - primary; // of 2 and 3
    eventually("the other replica to follow", || {
        cluster.count(
            other,
            "SELECT COUNT(*) FROM quill.users WHERE username = 'latecomer'",
        ) == 1
    })
    .await;
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

//! Accounts on the cluster: both instances see one set of users, sessions, login
//! throttle and rate limits, on every server, and migrations run once however many
//! instances start.

use std::time::Duration;

use diesel::{Connection, RunQueryDsl};
use quill_test_support::api::{list_posts, log_in, log_out, me, post_token, sign_up};
use quill_test_support::http::browser as client;
use quill_test_support::topology::Topology;
use quill_test_support::wait::eventually;
use quill_test_support::{Cluster, PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_up_log_in_and_post_through_both_instances() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    // The address window is the throttle's hard limit. The account's own rule, for
    // clients it does not know, delays the sixth attempt only until the next second,
    // which a slow machine may reach before that attempt arrives.
    let [a, b] = cluster.quills(&[("QUILL_LOGIN_ADDRESS_LIMIT", "5")]).await;
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
    let mut replica =
        diesel::MysqlConnection::establish(cluster.urls().read.expose()).expect("read port");
    let refused = diesel::sql_query("DELETE FROM users").execute(&mut replica);
    assert!(
        refused.is_err_and(|e| e.to_string().contains("read-only")),
        "a replica took a write"
    );
    assert_eq!(cluster.count(1, "SELECT COUNT(*) FROM quill.users"), 1);

    // The login throttle is one for the deployment: five wrong passwords through A,
    // and B refuses the sixth attempt from that address, right password and all.
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

/// The rate limits are one for the deployment and counted atomically on MariaDB:
/// forty concurrent sign-ups from one address, spread over both instances, with a limit
/// of ten, make ten accounts; the rest are refused with 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_signups_over_both_instances_make_no_more_than_the_limit() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let servers = cluster
        .quills(&[
            ("QUILL_SIGNUP_ADDRESS_LIMIT", "10"),
            ("QUILL_SIGNUP_TOTAL_LIMIT", "1000"),
        ])
        .await;
    let burst: Vec<_> = (0..40)
        .map(|i| {
            let url = servers[i % 2].url("/api/v1/users");
            tokio::spawn(async move {
                let body = json!({ "username": format!("burst{i}"), "password": PASSWORD });
                let response = client().post(url).json(&body).send().await.expect("POST");
                (
                    response.status(),
                    response.headers().contains_key("retry-after"),
                )
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for request in burst {
        statuses.push(request.await.expect("task"));
    }
    let created = statuses
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|(status, retry)| *status == StatusCode::TOO_MANY_REQUESTS && *retry)
        .count();
    assert_eq!((created, refused), (10, 30), "{statuses:?}");
    assert_eq!(cluster.count(1, "SELECT COUNT(*) FROM quill.users"), 10);
    assert_eq!(
        cluster.sql(
            1,
            "SELECT requests FROM quill.rate_limits WHERE scope = 'signup:address:127.0.0.1'"
        ),
        "10"
    );
}

/// Logins of one account at once, from many addresses, all get through the throttle on
/// MariaDB while purges delete ended windows under them (two-second windows here, a
/// purge every 100 ms). InnoDB answers some interleavings with a deadlock (two `INSERT
/// IGNORE`s of a counter row just deleted each hold a shared lock and wait for the
/// other's; a login's reset against such an insert); those run again, and no login
/// fails. Without the retries, most runs fail here; with a login's success deleting
/// its account's row, as it did, every run did.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_logins_of_one_account_all_pass_the_throttle() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    cluster.migrate().await;
    let size = quill_accounts::PoolSize {
        connections: 16,
        checkout_timeout: Duration::from_secs(30),
    };
    let db = quill_accounts::Db::connect_mysql(&cluster.urls(), size, Duration::from_secs(1))
        .expect("pool");
    let limits = quill_accounts::ThrottleLimits {
        per_account: 1_000_000,
        per_address: 1_000_000,
        window: Duration::from_secs(2),
    };
    let throttle = std::sync::Arc::new(quill_accounts::LoginThrottle::new(db, limits));
    let purger = {
        let throttle = throttle.clone();
        tokio::spawn(async move {
            loop {
                // A purge may lose a deadlock to an attempt; the next one goes on.
                let _ = throttle.purge_expired().await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let logins: Vec<_> = (0..16u8)
        .map(|i| {
            let throttle = throttle.clone();
            tokio::spawn(async move {
                let address = std::net::IpAddr::from([10, 0, 0, i]);
                for _ in 0..50 {
                    let admitted = throttle.admit("ada", address, None).await?;
                    let admitted = admitted.expect("far below the limits");
                    throttle.succeeded(admitted).await?;
                }
                Ok::<_, quill_accounts::AccountsError>(())
            })
        })
        .collect();
    for login in logins {
        login
            .await
            .expect("task")
            .expect("a login through the throttle");
    }
    purger.abort();
}

/// Issue 13, item 9: the instances' account changes rows, never the schema; the
/// schema is quill_migrate's (bootstrap-sql.sh, as compose runs it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instances_account_may_change_rows_but_not_the_schema() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    cluster.migrate().await;
    let mut quill =
        diesel::MysqlConnection::establish(cluster.urls().write.expose()).expect("write port");
    for ddl in [
        "CREATE TABLE intruder (id INT PRIMARY KEY)",
        "DROP TABLE users",
        "ALTER TABLE users ADD COLUMN intruder INT",
    ] {
        let refused = diesel::sql_query(ddl).execute(&mut quill);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("denied")),
            "quill ran `{ddl}`: {refused:?}"
        );
    }
    diesel::sql_query("DELETE FROM users WHERE username = 'nobody'")
        .execute(&mut quill)
        .expect("quill deletes rows");
    assert_eq!(
        cluster.count(1, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'quill' AND table_name IN ('users', 'intruder')"),
        1,
        "users is there and intruder is not"
    );
    let mut migrate =
        diesel::MysqlConnection::establish(cluster.migrate_urls().write.expose()).expect("migrate");
    diesel::sql_query("CREATE TABLE scratch (id INT PRIMARY KEY)")
        .execute(&mut migrate)
        .expect("quill_migrate changes the schema");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migrations_make_the_sqlite_schema_on_mysql() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    // Four migrations of a new database at once (as quill_migrate: quill, the
    // instances' account, may not change the schema): one applies, the others find
    // nothing to do, and none fails.
    let urls = cluster.migrate_urls();
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
         WHERE table_schema = 'quill' \
         AND table_name IN ('users', 'sessions', 'login_failures', 'rate_limits') \
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
                 WHERE t.name IN ('users', 'sessions', 'login_failures', 'rate_limits')",
            )
            .load(conn)
            .map_err(quill_accounts::AccountsError::from)?;
            Ok::<_, quill_accounts::AccountsError>(
                rows.into_iter().map(|r| r.c).collect::<Vec<_>>(),
            )
        })
        .await
        .expect("sqlite columns");
    let mut mysql: Vec<&str> = mysql.lines().collect();
    let mut sqlite = sqlite;
    mysql.sort_unstable();
    sqlite.sort_unstable();
    assert_eq!(mysql.len(), 22, "{mysql:?}");
    assert_eq!(mysql, sqlite);
}

fn quill_sql_pool_size() -> quill_accounts::PoolSize {
    quill_accounts::PoolSize {
        connections: 2,
        checkout_timeout: Duration::from_secs(5),
    }
}

/// The account API on MariaDB: the sessions list from the new columns, a password
/// change that ends the other tokens in its transaction, and "end the others", across
/// both instances (the client carries `quill_after`, so it reads its own writes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_listed_and_ended_and_passwords_changed_on_mariadb() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    // What the accounts cluster holds, seen through either instance at once: neither
    // keeps a session it loaded (the cache's bound has a test of its own, below).
    let [a, b] = cluster.quills(&[("QUILL_SESSION_CACHE_SECS", "0")]).await;
    let http = client();
    assert_eq!(
        sign_up(&http, &a, "ada").await.status(),
        StatusCode::CREATED
    );
    let login = |site: &quill_test_support::TestApp, agent: &'static str| {
        let request = http
            .post(site.url("/api/v1/sessions"))
            .header("user-agent", agent)
            .json(&json!({ "username": "ada", "password": PASSWORD }));
        async move {
            let body: Value = request
                .send()
                .await
                .expect("log in")
                .json()
                .await
                .expect("json");
            body["token"].as_str().expect("token").to_owned()
        }
    };
    let caller = login(&a, "curl/8.11.0").await;
    let other = login(&b, "python-requests/2.32.3").await;
    let third = login(&b, "curl/8.11.0").await;

    let listed: Value = http
        .get(b.url("/api/v1/sessions"))
        .bearer_auth(&caller)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let sessions = listed["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 3, "{listed}");
    assert_eq!(sessions[0]["current"], true, "{listed}");
    assert_eq!(sessions[0]["browser"], "curl");
    assert_eq!(sessions[0]["address"], "127.0.0.1");
    assert!(
        sessions.iter().any(|s| s["browser"] == "Python"),
        "{listed}"
    );
    assert_eq!(
        cluster.sql(
            1,
            "SELECT COUNT(*) FROM quill.sessions WHERE api AND agent LIKE 'curl/%'"
        ),
        "2"
    );

    let ended = http
        .delete(a.url("/api/v1/sessions/others"))
        .bearer_auth(&third)
        .json(&json!({ "current_password": PASSWORD }))
        .send()
        .await
        .expect("end others");
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&http, &b, &caller).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me(&http, &b, &other).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&http, &b, &third).await.status(), StatusCode::OK);

    let fourth = login(&a, "curl/8.11.0").await;
    let changed = http
        .put(b.url("/api/v1/me/password"))
        .bearer_auth(&third)
        .json(&json!({ "current_password": PASSWORD, "new_password": "difference engine notes" }))
        .send()
        .await
        .expect("change password");
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&http, &a, &fourth).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&http, &a, &third).await.status(), StatusCode::OK);
    assert_eq!(
        cluster.count(
            1,
            "SELECT COUNT(*) FROM quill.sessions WHERE user_id IS NOT NULL"
        ),
        1
    );
}

/// An instance takes a session it loaded as live for at most `QUILL_SESSION_CACHE_SECS`
/// (1 s here; never more than a replica may lag). A logout through instance A ends the
/// token on A at once, and on B, which had just used it too, once that bound has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_on_one_instance_ends_on_the_other_within_the_cache_bound() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let [a, b] = cluster.quills(&[("QUILL_SESSION_CACHE_SECS", "1")]).await;
    let http = client();
    assert_eq!(
        sign_up(&http, &a, "ada").await.status(),
        StatusCode::CREATED
    );
    let token = log_in(&http, &a, "ada").await;
    for instance in [&a, &b] {
        assert_eq!(me(&http, instance, &token).await.status(), StatusCode::OK);
    }

    log_out(&http, &a, &token).await;
    assert_eq!(
        me(&http, &a, &token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the instance that ended the session holds none of it"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut answers = Vec::new();
    for _ in 0..40 {
        let status = me(&http, &b, &token).await.status();
        answers.push(status);
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        // Past the cache's bound, only the replica B reads from may still be behind.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        answers.last(),
        Some(&StatusCode::UNAUTHORIZED),
        "{answers:?}"
    );
}

/// Deleting an account on MariaDB: through one instance, with tokens on both; every
/// token ends, the row goes (the primary and a replica agree), and the name is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_deleted_on_mariadb_and_its_name_is_free_again() {
    let Some(cluster) = Cluster::start(Topology::options()) else {
        return;
    };
    let [a, b] = cluster.quills(&[]).await;
    let http = client();
    assert_eq!(
        sign_up(&http, &a, "eve").await.status(),
        StatusCode::CREATED
    );
    let on_a = quill_test_support::api::log_in(&http, &a, "eve").await;
    let on_b = quill_test_support::api::log_in(&http, &b, "eve").await;

    let deleted = http
        .delete(b.url("/api/v1/me"))
        .bearer_auth(&on_a)
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    for (site, token) in [(&a, &on_a), (&b, &on_b)] {
        assert_eq!(
            me(&http, site, token).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        cluster.sql(1, "SELECT COUNT(*) FROM quill.users WHERE username = 'eve'"),
        "0"
    );
    assert_eq!(
        sign_up(&http, &a, "eve").await.status(),
        StatusCode::CREATED
    );
}

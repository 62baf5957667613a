//! The primary lost: reads go on, writes get a clear 503, and `quill db promote` brings
//! them back with nothing acknowledged lost.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quill_ops::Outcome;
use quill_test_support::api::{account, me, post_token, sign_up};
use quill_test_support::http::browser as client;
use quill_test_support::topology::Topology;
use quill_test_support::wait::eventually;
use quill_test_support::{Cluster, Endpoint, PASSWORD, Site, hidden};
use reqwest::StatusCode;
use serde_json::{Value, json};

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

    // Posting keeps working, posts not being in MariaDB: a post token's rate limit
    // cannot be counted without a primary, and lets it through.
    let token_for_post = post_token(&http, &a, &reader_token).await;
    let created = http
        .post(b.url("/api/v1/posts"))
        .bearer_auth(&reader_token)
        .json(&json!({ "title": "Still here", "body": "Posted.", "post_token": token_for_post }))
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), StatusCode::CREATED);

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
    let outcome = quill_ops::promote(
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

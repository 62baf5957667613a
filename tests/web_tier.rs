//! The whole test topology as a person meets it: nginx in front of two `quill`
//! processes on the accounts cluster. Each test starts its own (one kills a process).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use quill_test_support::api::{account, list_posts};
use quill_test_support::browser::chromium;
use quill_test_support::browser::steps::sign_up_write_read_log_out;
use quill_test_support::html::link;
use quill_test_support::http::script as client;
use quill_test_support::topology::{Signal, Topology};
use quill_test_support::{Cluster, Endpoint, PASSWORD, Site};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[tokio::test]
async fn a_person_signs_up_writes_reads_and_logs_out_through_nginx() {
    let Some(chromium) = chromium(1024, 800).await else {
        return;
    };
    let Some(cluster) = Cluster::start_with_web(Topology::options()) else {
        return;
    };
    let nginx = cluster.nginx();
    chromium
        .goto(&nginx.url("/signup"))
        .await
        .expect("open the page");
    sign_up_write_read_log_out(&chromium, &nginx, "grace_hopper").await;
    chromium.close().await.expect("close");

    // nginx serves the stylesheet itself, compressed and cacheable for a year.
    let page = client_get(&nginx, "/login")
        .await
        .text()
        .await
        .expect("page");
    let css = link(&page, "/static/quill.css?v=");
    let response = client()
        .get(nginx.url(css))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("stylesheet");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
    let cache = response.headers()[CACHE_CONTROL].to_str().expect("ascii");
    assert!(
        cache.contains("max-age=31536000") && cache.contains("immutable"),
        "{cache}"
    );
}

async fn client_get(server: &Endpoint, path: &str) -> reqwest::Response {
    let response = client().get(server.url(path)).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response
}

/// A person of the load test: a bearer token, and the ids of the posts Quill said it
/// stored for them.
struct Writer {
    name: String,
    token: String,
    acknowledged: Mutex<BTreeSet<String>>,
}

async fn writer(http: &reqwest::Client, nginx: &Endpoint, name: &str) -> Writer {
    Writer {
        name: name.to_owned(),
        token: account(http, nginx, nginx, name).await,
        acknowledged: Mutex::new(BTreeSet::new()),
    }
}

/// One round of a writer: a post token, a post, a look at the timeline. Returns what
/// went wrong, if anything did.
async fn round(
    http: &reqwest::Client,
    nginx: &Endpoint,
    writer: &Writer,
    title: &str,
    log_in_too: bool,
) -> Result<(), String> {
    let bearer = |request: reqwest::RequestBuilder| request.bearer_auth(&writer.token).send();
    let request = bearer(http.post(nginx.url("/api/v1/post-tokens")));
    let post_token = answer("post token", request.await, StatusCode::CREATED).await?;
    let request = bearer(http.post(nginx.url("/api/v1/posts")).json(&json!({
        "title": title,
        "body": "Written while an instance dies.",
        "post_token": post_token["post_token"],
    })));
    let created = answer("post", request.await, StatusCode::CREATED).await?;
    writer
        .acknowledged
        .lock()
        .await
        .insert(created["id"].as_str().unwrap_or_default().to_owned());
    let request = bearer(http.get(nginx.url("/api/v1/posts?limit=5")));
    answer("list", request.await, StatusCode::OK).await?;
    if log_in_too {
        // Not idempotent (a new session each time): nginx never resends it.
        let credentials = json!({ "username": writer.name, "password": PASSWORD });
        let request = http.post(nginx.url("/api/v1/sessions")).json(&credentials);
        let session = answer("log in", request.send().await, StatusCode::CREATED).await?;
        // And out again: one person keeps at most fifty live sessions, and a fifty-first
        // would end the one this writer holds.
        let token = session["token"].as_str().unwrap_or_default();
        let request = http
            .delete(nginx.url("/api/v1/sessions/current"))
            .bearer_auth(token);
        answer_status("log out", request.send().await, StatusCode::NO_CONTENT)?;
    }
    Ok(())
}

/// A response with status `want` (and no body to read), or what went wrong with `what`.
fn answer_status(
    what: &str,
    response: Result<reqwest::Response, reqwest::Error>,
    want: StatusCode,
) -> Result<(), String> {
    match response {
        Ok(response) if response.status() == want => Ok(()),
        Ok(response) => Err(format!("{what}: {}", response.status())),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

/// The JSON of a response with status `want`, or what went wrong with `what`.
async fn answer(
    what: &str,
    response: Result<reqwest::Response, reqwest::Error>,
    want: StatusCode,
) -> Result<Value, String> {
    let response = response.map_err(|e| format!("{what}: {e}"))?;
    if response.status() != want {
        return Err(format!("{what}: {}", response.status()));
    }
    response.json().await.map_err(|e| format!("{what}: {e}"))
}

/// Every post of a writer, through nginx: id -> title.
async fn timeline(
    http: &reqwest::Client,
    nginx: &Endpoint,
    writer: &Writer,
) -> Vec<(String, String)> {
    let mut posts = Vec::new();
    let mut path = "/api/v1/posts?limit=100".to_owned();
    loop {
        let page = list_posts(http, nginx, &writer.token, &path).await;
        for post in page["posts"].as_array().expect("posts") {
            posts.push((
                post["id"].as_str().expect("id").to_owned(),
                post["title"].as_str().expect("title").to_owned(),
            ));
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/posts?limit=100&before={next}"),
            None => return posts,
        }
    }
}

/// SIGKILL one of the two instances while six people write and read through nginx:
/// nginx resends what the dead instance dropped to the other one (post writes too,
/// since a post's id comes with its token), so no request fails, and no post is stored
/// twice or lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quill_instance_killed_under_load_fails_no_request_and_duplicates_no_post() {
    let Some(cluster) = load_while_one_instance_stops(Signal::KILL, false).await else {
        return;
    };
    // With no instance left, nginx answers its own page, not a bare 502.
    cluster.signal_web(2, Signal::KILL);
    let response = client()
        .get(cluster.nginx().url("/login"))
        .send()
        .await
        .expect("nginx answers");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()["retry-after"], "5");
    let page = response.text().await.expect("page");
    assert!(page.contains("<h1>Quill is unavailable</h1>"), "{page}");
}

/// A rolling update: SIGTERM to one instance under the same load, logins included
/// (which nginx may never resend): the instance finishes what it has, nginx stops
/// sending it work, and no request fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quill_instance_stopped_under_load_fails_no_request_logins_included() {
    load_while_one_instance_stops(Signal::TERM, true).await;
}

/// Runs the load, stops instance 1 with `signal` midway, and checks what every writer
/// sees; gives the topology back for more.
async fn load_while_one_instance_stops(signal: Signal, logins: bool) -> Option<Cluster> {
    let cluster = Cluster::start_with_web(Topology::options())?;
    let nginx = Arc::new(cluster.nginx());
    let http = client();
    let mut writers = Vec::new();
    for i in 0..6 {
        writers.push(Arc::new(writer(&http, &nginx, &format!("writer{i}")).await));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for (i, writer) in writers.iter().enumerate() {
        let (writer, nginx, http) = (Arc::clone(writer), Arc::clone(&nginx), http.clone());
        let (stop, rounds, failures) = (stop.clone(), rounds.clone(), failures.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let title = format!("w{i} post {n}");
                if let Err(e) = round(&http, &nginx, &writer, &title, logins && n % 3 == 0).await {
                    failures.lock().await.push(e);
                }
                rounds.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    let reach = |n: usize| {
        let rounds = rounds.clone();
        async move {
            while rounds.load(Ordering::Relaxed) < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    reach(60).await;
    cluster.signal_web(1, signal);
    let at_stop = rounds.load(Ordering::Relaxed);
    reach(at_stop + 120).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("worker");
    }

    let failures = failures.lock().await;
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    for writer in &writers {
        let stored = timeline(&http, &nginx, writer).await;
        let ids: BTreeSet<String> = stored.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(
            ids,
            *writer.acknowledged.lock().await,
            "stored = acknowledged"
        );
        let mut titles: HashMap<&str, usize> = HashMap::new();
        for (_, title) in &stored {
            *titles.entry(title).or_default() += 1;
        }
        assert!(
            titles.values().all(|n| *n == 1),
            "a post was stored twice: {titles:?}"
        );
    }
    Some(cluster)
}

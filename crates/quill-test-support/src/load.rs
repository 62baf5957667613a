//! A write load through nginx while something breaks: six people each take a post
//! token, post, and read their timeline, over and over (logging in and out now and
//! then); afterwards each one's timeline holds exactly the posts Quill acknowledged,
//! once each. For the web-tier suite (a `quill` process killed or stopped) and the
//! compose check (a container killed).

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::PASSWORD;
use crate::api::{account, list_posts};
use crate::http::{Endpoint, Site};

/// A person of the load: a bearer token, and the ids of the posts Quill said it
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

/// Runs the load through `site` with `http` (writers named `{prefix}0` to `{prefix}5`,
/// logging in and out every third round when `logins`), runs `disrupt` once 60 rounds
/// are done, goes on for 120 rounds more, and asserts that no request failed and that
/// every writer's timeline holds exactly the posts acknowledged, none twice.
pub async fn no_request_fails_while<F: Future<Output = ()>>(
    http: reqwest::Client,
    site: Endpoint,
    prefix: &str,
    logins: bool,
    disrupt: impl FnOnce() -> F,
) {
    let nginx = Arc::new(site);
    let mut writers = Vec::new();
    for i in 0..6 {
        writers.push(Arc::new(
            writer(&http, &nginx, &format!("{prefix}{i}")).await,
        ));
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
    disrupt().await;
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
}

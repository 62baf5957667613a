//! The whole test topology as a person meets it: nginx in front of two `quill`
//! processes on the accounts cluster. Each test starts its own (one kills a process).

use quill_test_support::browser::chromium;
use quill_test_support::browser::steps::sign_up_write_read_log_out;
use quill_test_support::html::link;
use quill_test_support::http::script as client;
use quill_test_support::load::no_request_fails_while;
use quill_test_support::topology::{Signal, Topology};
use quill_test_support::{Cluster, Endpoint, Site};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};

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
    no_request_fails_while(client(), cluster.nginx(), "writer", logins, || async {
        cluster.signal_web(1, signal);
    })
    .await;
    Some(cluster)
}

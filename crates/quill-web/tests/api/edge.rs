//! What any client may send, however odd: methods, paths and bodies Quill did not
//! expect get plain answers and leave nothing behind.

use reqwest::Method;
use serde_json::Value;

use quill_test_support::api::account;
use quill_test_support::spawn_app;

/// Unknown methods and paths count under closed labels: however many a client sends,
/// the metrics page stays the size it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_methods_and_paths_do_not_grow_the_metrics() {
    let app = spawn_app(&[]).await;
    let send = |seed: u64, count: u64| {
        let (client, base) = (app.stranger(), app.url(""));
        tokio::spawn(async move {
            for i in 0..count {
                let n = (seed * 1_000_003 + i).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let method = Method::from_bytes(format!("X{n:016X}").as_bytes()).expect("token");
                let path = format!("{base}/{n:x}/{}", "z".repeat((n % 200) as usize));
                let response = client.request(method, path).send().await.expect("send");
                assert_eq!(response.status(), 404);
            }
        })
    };
    for task in (0..4).map(|seed| send(seed, 25)).collect::<Vec<_>>() {
        task.await.expect("warm-up");
    }
    // The first look at the metrics is counted too; the second shows it.
    app.get_html("/metrics").await;
    let before = app.get_html("/metrics").await;
    for task in (10..18).map(|seed| send(seed, 1_250)).collect::<Vec<_>>() {
        task.await.expect("flood");
    }
    let after = app.get_html("/metrics").await;
    let lines = |text: &str| {
        text.lines()
            .filter(|line| line.starts_with("quill_http_requests_total"))
            .map(|line| {
                line.rsplit_once(' ')
                    .map_or(line, |(labels, _)| labels)
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&before), lines(&after), "no new label set");
    assert!(
        after.contains(
            "quill_http_requests_total{method=\"OTHER\",route=\"unmatched\",status=\"404\"} 10100\n"
        ),
        "{after}"
    );
}

#[tokio::test]
async fn head_answers_every_get_route_without_a_body() {
    let app = spawn_app(&[]).await;
    for path in [
        "/", "/login", "/signup", "/posts", "/healthz", "/readyz", "/metrics",
    ] {
        let get = app.stranger().get(app.url(path)).send().await.expect("GET");
        let head = app
            .stranger()
            .head(app.url(path))
            .send()
            .await
            .expect("HEAD");
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "{path}"
        );
        assert!(head.bytes().await.expect("body").is_empty(), "{path}");
    }
}

#[tokio::test]
async fn a_method_a_route_does_not_take_gets_405_naming_those_it_does() {
    let app = spawn_app(&[]).await;
    for (method, path, allow) in [
        (Method::DELETE, "/login", "GET, HEAD, POST"),
        (Method::GET, "/logout", "POST"),
        (Method::PUT, "/api/v1/posts", "GET, HEAD, POST"),
        (Method::POST, "/api/v1/me", "DELETE, GET, HEAD"),
    ] {
        let response = app
            .stranger()
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
    }
}

#[tokio::test]
async fn every_api_answer_is_kept_out_of_caches() {
    let app = spawn_app(&[]).await;
    let client = app.stranger();
    let token = account(&client, &app, &app, "ada").await;
    let answers = [
        client.get(app.url("/api/v1/posts")).bearer_auth(&token),
        client.get(app.url("/api/v1/me")).bearer_auth(&token),
        client.get(app.url("/api/v1/me")),
        client
            .get(app.url("/api/v1/posts/not-an-id"))
            .bearer_auth(&token),
        client.get(app.url("/api/v1/nowhere")),
        client.delete(app.url("/api/v1/me")),
    ];
    for request in answers {
        let response = request.send().await.expect("send");
        let what = format!("{} {}", response.status(), response.url());
        assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
    }
}

#[tokio::test]
async fn unreadable_json_is_answered_in_quills_words() {
    let app = spawn_app(&[]).await;
    let client = app.stranger();
    for (body, content_type, says) in [
        (
            r#"{"username": 1, "password": "x"}"#,
            "application/json",
            "wrong kind",
        ),
        (
            r#"{"username": "ada", "#,
            "application/json",
            "not valid JSON",
        ),
        (
            "username=ada",
            "application/x-www-form-urlencoded",
            "Content-Type: application/json",
        ),
    ] {
        let response = client
            .post(app.url("/api/v1/users"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("json");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(says), "{body}: {message}");
        for internal in ["invalid type", "line 1", "column", "expected"] {
            assert!(!message.contains(internal), "{body}: {message}");
        }
    }
}

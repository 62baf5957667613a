//! Rate limits on sign-ups (form and API), API sessions and post tokens: per client
//! address and in all, each answered with 429 and `Retry-After`, and a refused request
//! makes nothing.

use quill_test_support::api::{log_in, sign_up};
use quill_test_support::http::{header, page_saying, script};
use quill_test_support::{PASSWORD, TestApp, spawn_app};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// The `Retry-After` of a 429, in seconds.
fn retry_after(response: &Response) -> u64 {
    header(response, "retry-after").parse().expect("seconds")
}

/// A 429's JSON error, whose message must hold `text`.
async fn api_refusal(response: Response, text: &str) -> Value {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "too_many_requests", "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains(text), "{body}");
    body
}

#[tokio::test]
async fn the_signup_form_refuses_an_address_past_its_share_with_a_page_saying_when() {
    let app = spawn_app(&[("QUILL_SIGNUP_ADDRESS_LIMIT", "2")]).await;
    // A form with bad fields makes nothing and costs nothing: it is not counted.
    let csrf = app.csrf("/signup").await;
    let refused = app
        .post_form(
            "/signup",
            &[
                ("username", "al"),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let mut app = app;
    for name in ["alice", "bob"] {
        assert_eq!(app.sign_up(name).await.status(), 303, "{name}");
        app = app.in_new_browser();
    }
    let response = app.sign_up("carol").await;
    let wait = retry_after(&response);
    assert!((3_599..=3_600).contains(&wait), "{wait}");
    let page = page_saying(
        response,
        429,
        "Too many accounts have been made from your network. Try again in 60 minutes.",
    )
    .await;
    assert!(page.contains("Slow down"), "{page}");
    assert!(app.stored_user("carol").await.is_none(), "no account made");
    assert_eq!(app.user_count().await, 2);
    let metrics = app.get_html("/metrics").await;
    assert!(
        metrics.contains("quill_events_total{event=\"signup_limited\"} 1\n"),
        "{metrics}"
    );
}

/// Counting is atomic: forty concurrent sign-ups from one address, with a limit of
/// ten, make ten accounts; the other thirty are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_api_signups_from_one_address_make_ten_accounts() {
    let app = spawn_app(&[("QUILL_SIGNUP_ADDRESS_LIMIT", "10")]).await;
    let burst: Vec<_> = (0..40)
        .map(|i| {
            let (http, url) = (script(), app.url("/api/v1/users"));
            tokio::spawn(async move {
                let body = json!({ "username": format!("user{i}"), "password": PASSWORD });
                http.post(url).json(&body).send().await.expect("POST")
            })
        })
        .collect();
    let mut created = 0;
    let mut refused = Vec::new();
    for request in burst {
        let response = request.await.expect("task");
        match response.status() {
            StatusCode::CREATED => created += 1,
            _ => refused.push(response),
        }
    }
    assert_eq!((created, refused.len()), (10, 30));
    assert_eq!(app.user_count().await, 10, "the store holds ten accounts");
    for response in refused {
        let wait = retry_after(&response);
        assert!((3_590..=3_600).contains(&wait), "{wait}");
        api_refusal(
            response,
            "Too many accounts have been made from your network.",
        )
        .await;
    }
}

/// The limit comes before the password is hashed, and a taken name is only found after
/// hashing: over the limit, a taken name gets the 429, not the taken-name answer.
#[tokio::test]
async fn the_limit_is_checked_before_the_password_is_hashed() {
    let app = spawn_app(&[("QUILL_SIGNUP_ADDRESS_LIMIT", "1")]).await;
    let http = script();
    assert_eq!(sign_up(&http, &app, "alice").await.status(), 201);
    let again = sign_up(&http, &app, "alice").await;
    api_refusal(again, "Too many accounts have been made from your network.").await;
}

/// Behind a proxy each client counts on its own address, and all of them together
/// against the deployment's total.
#[tokio::test]
async fn everyone_together_gets_the_total_whatever_their_addresses() {
    let app = spawn_app(&[
        ("QUILL_BEHIND_PROXY", "true"),
        ("QUILL_SIGNUP_ADDRESS_LIMIT", "1"),
        ("QUILL_SIGNUP_TOTAL_LIMIT", "3"),
        ("QUILL_SIGNUP_WINDOW_SECS", "600"),
    ])
    .await;
    let http = script();
    let from = |address: &'static str, name: &'static str| {
        http.post(app.url("/api/v1/users"))
            .header("X-Forwarded-For", address)
            .json(&json!({ "username": name, "password": PASSWORD }))
            .send()
    };
    let response = from("198.51.100.1", "ada").await.expect("POST");
    assert_eq!(response.status(), StatusCode::CREATED);
    let again = from("198.51.100.1", "ada2").await.expect("POST");
    api_refusal(again, "from your network").await;
    for (address, name) in [("198.51.100.2", "bob"), ("198.51.100.3", "cyd")] {
        let response = from(address, name).await.expect("POST");
        assert_eq!(response.status(), StatusCode::CREATED, "{name}");
    }
    let response = from("198.51.100.4", "dee").await.expect("POST");
    let wait = retry_after(&response);
    assert!((599..=600).contains(&wait), "{wait}");
    api_refusal(response, "Quill is taking no more new accounts just now.").await;
    assert_eq!(app.user_count().await, 3);
}

/// API sessions are limited before the password is checked, even the right one, and a
/// refused login opens no session.
#[tokio::test]
async fn api_sessions_past_the_limit_are_refused_and_open_nothing() {
    let app = spawn_app(&[("QUILL_API_SESSION_ADDRESS_LIMIT", "3")]).await;
    let http = script();
    assert_eq!(sign_up(&http, &app, "alice").await.status(), 201);
    for _ in 0..3 {
        log_in(&http, &app, "alice").await;
    }
    let user = app.stored_user("alice").await.expect("stored").id;
    assert_eq!(app.session_count(user).await, 3);
    let response = http
        .post(app.url("/api/v1/sessions"))
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .send()
        .await
        .expect("POST");
    let wait = retry_after(&response);
    assert!((599..=600).contains(&wait), "{wait}");
    let body = api_refusal(response, "Too many API logins from your network.").await;
    assert!(body.get("token").is_none(), "{body}");
    assert_eq!(app.session_count(user).await, 3, "no session opened");
    let metrics = app.get_html("/metrics").await;
    assert!(
        metrics.contains("quill_events_total{event=\"api_session_limited\"} 1\n"),
        "{metrics}"
    );
    // The browser's login form is the login throttle's alone.
    assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
}

/// Post tokens are limited per address; a refused request carries no token.
#[tokio::test]
async fn post_tokens_past_the_limit_are_refused_without_a_token() {
    let app = spawn_app(&[("QUILL_POST_TOKEN_ADDRESS_LIMIT", "3")]).await;
    let http = script();
    assert_eq!(sign_up(&http, &app, "alice").await.status(), 201);
    let token = log_in(&http, &app, "alice").await;
    let ask = || {
        http.post(app.url("/api/v1/post-tokens"))
            .bearer_auth(&token)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(ask().await.expect("POST").status(), StatusCode::CREATED);
    }
    let response = ask().await.expect("POST");
    let wait = retry_after(&response);
    assert!((599..=600).contains(&wait), "{wait}");
    let body = api_refusal(response, "Too many post tokens from your network.").await;
    assert!(body.get("post_token").is_none(), "{body}");
    // The form's token comes with its page, and publishing is not limited.
    let app = TestApp::in_new_browser(app);
    assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
    assert_eq!(app.write_post("Still", "Written.").await.status(), 303);
}

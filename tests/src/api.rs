//! The JSON API as the suites' scripts use it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Server;

/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// `POST /api/v1/users`, answered as it comes.
pub async fn sign_up(
    client: &reqwest::Client,
    server: &Server,
    username: &str,
) -> reqwest::Response {
    client
        .post(server.url("/api/v1/users"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("sign up")
}

/// `POST /api/v1/sessions`, which must succeed: the bearer token.
pub async fn log_in(client: &reqwest::Client, server: &Server, username: &str) -> String {
    let response = client
        .post(server.url("/api/v1/sessions"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("log in");
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "log in as {username}"
    );
    let body: Value = response.json().await.expect("token");
    body["token"].as_str().expect("token").to_owned()
}

/// `GET path` (a page of `/api/v1/posts`) as the holder of `token`, which must succeed:
/// the page's JSON.
pub async fn list_posts(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    path: &str,
) -> Value {
    let response = client
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("list posts");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("json")
}

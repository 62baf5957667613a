//! The JSON API as a script uses it. Helpers that must succeed assert it; the others
//! hand the response back as it came.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::PASSWORD;
use crate::http::Site;

/// `POST /api/v1/users` with [`PASSWORD`], answered as it comes.
pub async fn sign_up(client: &reqwest::Client, site: &impl Site, username: &str) -> Response {
    client
        .post(site.url("/api/v1/users"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("sign up")
}

/// `POST /api/v1/sessions` with [`PASSWORD`], which must succeed: the bearer token.
pub async fn log_in(client: &reqwest::Client, site: &impl Site, username: &str) -> String {
    let response = client
        .post(site.url("/api/v1/sessions"))
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

/// `DELETE /api/v1/sessions/current`, which must succeed.
pub async fn log_out(client: &reqwest::Client, site: &impl Site, token: &str) {
    let response = client
        .delete(site.url("/api/v1/sessions/current"))
        .bearer_auth(token)
        .send()
        .await
        .expect("log out");
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "log out");
}

/// `GET /api/v1/me`, answered as it comes.
pub async fn me(client: &reqwest::Client, site: &impl Site, token: &str) -> Response {
    client
        .get(site.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
}

/// `POST /api/v1/post-tokens`, which must succeed: the token a new post needs.
pub async fn post_token(client: &reqwest::Client, site: &impl Site, token: &str) -> String {
    let response = client
        .post(site.url("/api/v1/post-tokens"))
        .bearer_auth(token)
        .send()
        .await
        .expect("post token");
    assert_eq!(response.status(), StatusCode::CREATED, "post token");
    let body: Value = response.json().await.expect("json");
    body["post_token"].as_str().expect("post token").to_owned()
}

/// `GET path` (a page of `/api/v1/posts`) as the holder of `token`, which must succeed:
/// the page's JSON.
pub async fn list_posts(
    client: &reqwest::Client,
    site: &impl Site,
    token: &str,
    path: &str,
) -> Value {
    let response = client
        .get(site.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("list posts");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("json")
}

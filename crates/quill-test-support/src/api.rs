//! The JSON API as a script uses it. Helpers that must succeed assert it; the others
//! hand the response back as it came.

use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::PASSWORD;
use crate::http::Site;

async fn send(request: RequestBuilder, what: &str) -> Response {
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The JSON of `response`, which must have `status`.
async fn json_of(response: Response, status: StatusCode, what: &str) -> Value {
    assert_eq!(response.status(), status, "{what}");
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn credentials(username: &str) -> Value {
    json!({ "username": username, "password": PASSWORD })
}

/// `POST /api/v1/users` with [`PASSWORD`], answered as it comes.
pub async fn sign_up(client: &reqwest::Client, site: &impl Site, username: &str) -> Response {
    let request = client.post(site.url("/api/v1/users"));
    send(request.json(&credentials(username)), "sign up").await
}

/// `POST /api/v1/sessions` with [`PASSWORD`], which must succeed: the bearer token.
pub async fn log_in(client: &reqwest::Client, site: &impl Site, username: &str) -> String {
    let request = client.post(site.url("/api/v1/sessions"));
    let response = send(request.json(&credentials(username)), "log in").await;
    let what = format!("log in as {username}");
    let body = json_of(response, StatusCode::CREATED, &what).await;
    body["token"].as_str().expect("token").to_owned()
}

/// A new account: signs up at `sign_up_at` and logs in at `log_in_at` (another
/// instance, or the same), both of which must succeed; the bearer token.
pub async fn account(
    client: &reqwest::Client,
    sign_up_at: &impl Site,
    log_in_at: &impl Site,
    username: &str,
) -> String {
    let signed_up = sign_up(client, sign_up_at, username).await;
    assert_eq!(
        signed_up.status(),
        StatusCode::CREATED,
        "sign up {username}"
    );
    log_in(client, log_in_at, username).await
}

/// `DELETE /api/v1/sessions/current`, which must succeed.
pub async fn log_out(client: &reqwest::Client, site: &impl Site, token: &str) {
    let request = client.delete(site.url("/api/v1/sessions/current"));
    let response = send(request.bearer_auth(token), "log out").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "log out");
}

/// `GET /api/v1/me`, answered as it comes.
pub async fn me(client: &reqwest::Client, site: &impl Site, token: &str) -> Response {
    send(client.get(site.url("/api/v1/me")).bearer_auth(token), "me").await
}

/// `POST /api/v1/post-tokens`, which must succeed: the token a new post needs.
pub async fn post_token(client: &reqwest::Client, site: &impl Site, token: &str) -> String {
    let request = client.post(site.url("/api/v1/post-tokens"));
    let response = send(request.bearer_auth(token), "post token").await;
    let body = json_of(response, StatusCode::CREATED, "post token").await;
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
    let response = send(client.get(site.url(path)).bearer_auth(token), "list posts").await;
    json_of(response, StatusCode::OK, &format!("GET {path}")).await
}

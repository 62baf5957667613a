//! The JSON API: the same actions as the pages, with bearer tokens.

use reqwest::Method;
use serde_json::{Value, json};

use quill_test_support::{PASSWORD, TestApp, spawn_app};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.stranger().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    call(app, Method::GET, path, Some(token), None).await
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    call(app, Method::POST, path, token, Some(body)).await
}

/// `POST /api/v1/post-tokens`, which must succeed: the token a new post needs.
async fn post_token(app: &TestApp, token: &str) -> Value {
    let (status, issued) = call(app, Method::POST, "/api/v1/post-tokens", Some(token), None).await;
    assert_eq!(status, 201);
    issued["post_token"].clone()
}

/// Writes a post the way a script should: with a post token fetched first.
async fn publish(app: &TestApp, token: &str, title: &str, body: &str) -> (u16, Value) {
    let new = json!({ "title": title, "body": body, "post_token": post_token(app, token).await });
    post(app, "/api/v1/posts", Some(token), new).await
}

fn titles(page: &Value) -> Vec<&str> {
    page["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|p| p["title"].as_str().expect("title"))
        .collect()
}

async fn token_for(app: &TestApp, username: &str) -> String {
    let creds = json!({ "username": username, "password": PASSWORD });
    assert_eq!(post(app, "/api/v1/users", None, creds.clone()).await.0, 201);
    let (status, body) = post(app, "/api/v1/sessions", None, creds).await;
    assert_eq!(status, 201);
    body["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_script_can_sign_up_post_and_read_back() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    let (status, me) = get(&app, "/api/v1/me", &token).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("robot")));

    let (status, created) = publish(&app, &token, "From a script", "Automated hello").await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(created["created_at"].as_str().expect("time").ends_with('Z'));

    let (status, one) = get(&app, &format!("/api/v1/posts/{id}"), &token).await;
    assert_eq!(
        (status, one["body"].as_str()),
        (200, Some("Automated hello"))
    );
    let (status, list) = get(&app, "/api/v1/posts", &token).await;
    assert_eq!(status, 200);
    assert_eq!(list["posts"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(list["next"], Value::Null);
}

#[tokio::test]
async fn api_pages_follow_the_cursor() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    for i in 0..5 {
        publish(&app, &token, &format!("n{i}"), "b").await;
    }
    let (_, first) = get(&app, "/api/v1/posts?limit=3", &token).await;
    assert_eq!(titles(&first), ["n4", "n3", "n2"]);
    let next = first["next"].as_str().expect("cursor");
    let (_, second) = get(
        &app,
        &format!("/api/v1/posts?limit=3&before={next}"),
        &token,
    )
    .await;
    assert_eq!(titles(&second), ["n1", "n0"]);
}

#[tokio::test]
async fn a_retried_post_with_its_token_is_stored_once() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    let body =
        json!({ "title": "Once", "body": "b", "post_token": post_token(&app, &token).await });
    let (_, a) = post(&app, "/api/v1/posts", Some(&token), body.clone()).await;
    let (_, b) = post(&app, "/api/v1/posts", Some(&token), body).await;
    assert_eq!(a["id"], b["id"]);
    let (_, list) = get(&app, "/api/v1/posts", &token).await;
    assert_eq!(titles(&list), ["Once"]);
}

#[tokio::test]
async fn bad_input_and_missing_auth_get_json_errors() {
    let app = spawn_app(&[]).await;
    let (status, body) = call(&app, Method::GET, "/api/v1/posts", None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(get(&app, "/api/v1/posts", "made-up-token").await.0, 401);

    let (status, body) = post(
        &app,
        "/api/v1/users",
        None,
        json!({ "username": "x", "password": "short" }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["error"]["fields"]["username"].is_string());
    assert!(body["error"]["fields"]["password"].is_string());

    let token = token_for(&app, "robot").await;
    let (status, body) = post(
        &app,
        "/api/v1/posts",
        Some(&token),
        json!({ "title": "", "body": "" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["fields"]["title"].as_str(),
        Some("Give your post a title.")
    );
    for new in [
        json!({ "title": "t", "body": "b" }),
        json!({ "title": "t", "body": "b", "post_token": "" }),
        json!({ "title": "t", "body": "b", "post_token": "forged.token" }),
    ] {
        let (status, body) = post(&app, "/api/v1/posts", Some(&token), new).await;
        assert_eq!(status, 422);
        assert!(
            body["error"]["fields"]["post_token"]
                .as_str()
                .is_some_and(|m| m.contains("POST /api/v1/post-tokens")),
            "{body}"
        );
    }
    assert_eq!(titles(&get(&app, "/api/v1/posts", &token).await.1).len(), 0);
    let (status, body) = get(&app, "/api/v1/nothing", &token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = post(&app, "/api/v1/posts", Some(&token), json!("not an object")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
}

#[tokio::test]
async fn a_deleted_token_opens_nothing_and_others_posts_stay_hidden() {
    let app = spawn_app(&[]).await;
    let alice = token_for(&app, "alice").await;
    let bob = token_for(&app, "bob").await;
    let (_, created) = publish(&app, &alice, "mine", "b").await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(get(&app, &format!("/api/v1/posts/{id}"), &bob).await.0, 404);

    let (status, _) = call(
        &app,
        Method::DELETE,
        "/api/v1/sessions/current",
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, "/api/v1/me", &alice).await.0, 401);
}

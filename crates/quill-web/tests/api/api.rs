//! The JSON API: the same actions as the pages, with bearer tokens.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

async fn call(
    app: &TestApp,
    method: reqwest::Method,
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

async fn token_for(app: &TestApp, username: &str) -> String {
    let creds = json!({ "username": username, "password": PASSWORD });
    assert_eq!(
        call(
            app,
            reqwest::Method::POST,
            "/api/v1/users",
            None,
            Some(creds.clone())
        )
        .await
        .0,
        201
    );
    let (status, body) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/sessions",
        None,
        Some(creds),
    )
    .await;
    assert_eq!(status, 201);
    body["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_script_can_sign_up_post_and_read_back() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    let (status, me) = call(&app, reqwest::Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("robot")));

    let (status, post) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/posts",
        Some(&token),
        Some(json!({ "title": "From a script", "body": "Automated hello" })),
    )
    .await;
    assert_eq!(status, 201);
    let id = post["id"].as_str().expect("id").to_owned();
    assert!(post["created_at"].as_str().expect("time").ends_with('Z'));

    let (status, one) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/posts/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (status, one["body"].as_str()),
        (200, Some("Automated hello"))
    );
    let (status, list) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/posts",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["posts"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(list["next"], Value::Null);
}

#[tokio::test]
async fn api_pages_follow_the_cursor() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    for i in 0..5 {
        let body = json!({ "title": format!("n{i}"), "body": "b" });
        call(
            &app,
            reqwest::Method::POST,
            "/api/v1/posts",
            Some(&token),
            Some(body),
        )
        .await;
    }
    let (_, first) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/posts?limit=3",
        Some(&token),
        None,
    )
    .await;
    let titles: Vec<_> = first["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, [json!("n4"), json!("n3"), json!("n2")]);
    let next = first["next"].as_str().expect("cursor");
    let (_, second) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/posts?limit=3&before={next}"),
        Some(&token),
        None,
    )
    .await;
    let titles: Vec<_> = second["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, [json!("n1"), json!("n0")]);
}

#[tokio::test]
async fn a_retried_post_with_its_token_is_stored_once() {
    let app = spawn_app(&[]).await;
    let token = token_for(&app, "robot").await;
    let (status, issued) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/post-tokens",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 201);
    let body = json!({ "title": "Once", "body": "b", "post_token": issued["post_token"] });
    let (_, a) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/posts",
        Some(&token),
        Some(body.clone()),
    )
    .await;
    let (_, b) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/posts",
        Some(&token),
        Some(body),
    )
    .await;
    assert_eq!(a["id"], b["id"]);
    let (_, list) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/posts",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(list["posts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_input_and_missing_auth_get_json_errors() {
    let app = spawn_app(&[]).await;
    let (status, body) = call(&app, reqwest::Method::GET, "/api/v1/posts", None, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/posts",
        Some("made-up-token"),
        None,
    )
    .await;
    assert_eq!(status, 401);

    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/users",
        None,
        Some(json!({ "username": "x", "password": "short" })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["fields"]["username"].is_string()
            && body["error"]["fields"]["password"].is_string()
    );

    let token = token_for(&app, "robot").await;
    let (status, body) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/posts",
        Some(&token),
        Some(json!({ "title": "", "body": "" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["fields"]["title"].as_str(),
        Some("Give your post a title.")
    );
    let (status, body) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/nothing",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn a_deleted_token_opens_nothing_and_others_posts_stay_hidden() {
    let app = spawn_app(&[]).await;
    let alice = token_for(&app, "alice").await;
    let bob = token_for(&app, "bob").await;
    let (_, post) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/posts",
        Some(&alice),
        Some(json!({ "title": "mine", "body": "b" })),
    )
    .await;
    let id = post["id"].as_str().expect("id");
    let (status, _) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/posts/{id}"),
        Some(&bob),
        None,
    )
    .await;
    assert_eq!(status, 404);

    let (status, _) = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/sessions/current",
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, reqwest::Method::GET, "/api/v1/me", Some(&alice), None).await;
    assert_eq!(status, 401);
}

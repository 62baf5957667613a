//! Markdown bodies: the post page shows them rendered and sanitised, the list a plain
//! excerpt, the form a preview that stores nothing, and the API the source text, with
//! `body_html` when asked. The store keeps the source, which the analytics count.

use quill_test_support::{api, http, spawn_app};
use serde_json::json;

const SOURCE: &str = "Some **bold** words, a [link](https://ok.example/a) and \
     <script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |";

#[tokio::test]
async fn the_post_page_renders_markdown_and_the_list_shows_plain_text() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let published = app.write_post("Formatted", SOURCE).await;
    assert_eq!(published.status(), 303);
    let location = published.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();

    let page = app.get_html(&location).await;
    assert!(page.contains("<strong>bold</strong>"), "{page}");
    assert!(
        page.contains("<a href=\"https://ok.example/a\" rel=\"nofollow noopener\">link</a>"),
        "{page}"
    );
    assert!(page.contains("<td>1</td>"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );

    let list = app.get_html("/posts").await;
    assert!(list.contains("Some bold words, a link and"), "{list}");
    assert!(!list.contains("<strong>bold"), "{list}");
    assert!(!list.contains("<script>alert"), "{list}");

    // The store holds the source as written, which is what the analytics count.
    let user = app.stored_user("alice").await.expect("stored");
    let stored = app.stored_posts(user.id).await;
    assert_eq!(stored[0].body, SOURCE);
}

#[tokio::test]
async fn the_preview_shows_the_rendered_post_and_stores_nothing() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let (post_token, csrf) = app.new_post_tokens().await;
    let preview = app
        .post_form(
            "/posts/new",
            &[
                ("title", "Draft"),
                ("body", "*soon*"),
                ("post_token", &post_token),
                ("csrf_token", &csrf),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status(), 200);
    let page = preview.text().await.expect("body");
    assert!(page.contains("Preview: not published yet."), "{page}");
    assert!(page.contains("<em>soon</em>"), "{page}");
    assert!(
        page.contains(">*soon*</textarea>"),
        "the source stays in the form: {page}"
    );
    let user = app.stored_user("alice").await.expect("stored");
    assert_eq!(app.stored_posts(user.id).await, []);

    // The same form publishes afterwards: the preview used up nothing.
    let published = app.submit_post("Draft", "*soon*", &post_token, &csrf).await;
    assert_eq!(published.status(), 303);
    assert_eq!(app.stored_posts(user.id).await.len(), 1);
}

#[tokio::test]
async fn the_api_returns_the_source_and_html_when_asked() {
    let app = spawn_app(&[]).await;
    let client = http::script();
    let token = api::account(&client, &app, &app, "bob").await;
    let post_token = api::post_token(&client, &app, &token).await;
    let created = client
        .post(app.url("/api/v1/posts"))
        .bearer_auth(&token)
        .json(&json!({ "title": "t", "body": SOURCE, "post_token": post_token }))
        .send()
        .await
        .expect("POST");
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.expect("json");
    assert_eq!(created["body"], SOURCE);
    assert!(created.get("body_html").is_none(), "{created}");
    let id = created["id"].as_str().expect("id");

    let plain = api::list_posts(&client, &app, &token, "/api/v1/posts").await;
    assert_eq!(plain["posts"][0]["body"], SOURCE);
    assert!(plain["posts"][0].get("body_html").is_none(), "{plain}");

    let html = api::list_posts(&client, &app, &token, "/api/v1/posts?format=html").await;
    let body_html = html["posts"][0]["body_html"].as_str().expect("body_html");
    assert!(body_html.contains("<strong>bold</strong>"), "{body_html}");
    assert!(!body_html.contains("<script"), "{body_html}");
    assert_eq!(html["posts"][0]["body"], SOURCE);

    let one = client
        .get(app.url(&format!("/api/v1/posts/{id}?format=html")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(one.status(), 200);
    let one: serde_json::Value = one.json().await.expect("json");
    assert_eq!(one["body_html"], body_html);

    let unknown = client
        .get(app.url(&format!("/api/v1/posts/{id}?format=pdf")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(unknown.status(), 400);
}

//! The export: a ZIP of one's posts, as Markdown files and `posts.json`, from the page
//! and the API, streamed; every post once, byte for byte, for a user of 10,000 posts.

use std::collections::BTreeMap;
use std::io::Read;

use quill_accounts::PoolSize;
use quill_domain::{PostBody, PostId, PostTitle};
use quill_posts::{EmbeddedPostStore, NewPost, PostStore};
use quill_test_support::{api, http, spawn_app};

/// The files of an archive, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8");
        let name = file.name().expect("a name").to_string();
        assert!(files.insert(name.clone(), text).is_none(), "{name} twice");
    }
    files
}

/// This process's peak resident memory in kB, where Linux tells it.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn the_header_links_to_an_export_of_markdown_files_and_json() {
    let app = spawn_app(&[]).await;
    assert_eq!(app.redirect_of("/account/export").await, "/login");
    app.sign_up("alice").await;
    let page = app.get_html("/posts").await;
    assert!(page.contains("href=\"/account/export\""), "{page}");
    let body = "Line one\n\n**two** with \"quotes\" and ünïcode\n";
    app.write_post("A \"quoted\" title: yes", body).await;

    let response = app.get("/account/export").await;
    assert_eq!(response.status(), 200);
    assert_eq!(http::header(&response, "content-type"), "application/zip");
    assert_eq!(
        http::header(&response, "content-disposition"),
        "attachment; filename=\"quill-alice.zip\""
    );
    let files = unzip(&response.bytes().await.expect("body"));
    assert_eq!(files.len(), 2, "{:?}", files.keys());
    let (name, markdown) = files
        .iter()
        .find(|(name, _)| name.starts_with("posts/"))
        .expect("a Markdown file");
    let id = name
        .strip_prefix("posts/")
        .and_then(|n| n.strip_suffix(".md"))
        .expect("posts/<id>.md");
    let created_at = PostId::parse(id).expect("id").created_at_rfc3339();
    assert_eq!(
        markdown,
        &format!(
            "---\nid: {id}\ntitle: \"A \\\"quoted\\\" title: yes\"\ncreated_at: {created_at}\n---\n\n{body}"
        )
    );
    let json: serde_json::Value = serde_json::from_str(&files["posts.json"]).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!([{
            "id": id, "title": "A \"quoted\" title: yes", "created_at": created_at, "body": body
        }])
    );

    // The API streams the same archive.
    let client = http::script();
    api::sign_up(&client, &app, "bob").await;
    let token = api::log_in(&client, &app, "bob").await;
    let response = client
        .get(app.url("/api/v1/me/export"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let files = unzip(&response.bytes().await.expect("body"));
    assert_eq!(files.keys().collect::<Vec<_>>(), ["posts.json"]);
    assert_eq!(files["posts.json"].trim(), "[\n]");
}

/// A user of 10,000 posts: every one is in the archive once, in its Markdown file and in
/// `posts.json`, byte for byte, and nobody else's is.
#[tokio::test]
async fn ten_thousand_posts_export_each_once_byte_for_byte() {
    const POSTS: usize = 10_000;
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let user = app.stored_user("alice").await.expect("stored");
    let store = EmbeddedPostStore::open(
        app.data_dir(),
        PoolSize {
            connections: 1,
            checkout_timeout: std::time::Duration::from_secs(5),
        },
    )
    .expect("store");
    let mut written = BTreeMap::new();
    for i in 0..POSTS {
        let id = PostId::new_now(&[1, 2, 3, 4, 5, 6]);
        let body = format!(
            "Post {i}\n\n*{}*\n\ttabs and \"quotes\" — {i}",
            "x".repeat(i % 50)
        );
        let post = NewPost {
            id,
            key: None,
            user: user.id,
            title: PostTitle::parse(&format!("Title {i}")).expect("title"),
            body: PostBody::parse(&body).expect("body"),
        };
        store.insert(post).await.expect("insert");
        written.insert(id.to_string(), format!("Title {i}"));
    }
    // Someone else's post stays out of it.
    let other = NewPost {
        id: PostId::new_now(&[1, 2, 3, 4, 5, 6]),
        key: None,
        user: quill_domain::UserId(user.id.0 + 1),
        title: PostTitle::parse("not alice's").expect("title"),
        body: PostBody::parse("not alice's").expect("body"),
    };
    store.insert(other).await.expect("insert");

    let before = peak_rss();
    let response = app.get("/account/export").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body");
    // A figure for the record (the test process holds the client's copy too), never an
    // assertion.
    eprintln!(
        "peak RSS before the export {before:?} kB, after {:?} kB",
        peak_rss()
    );
    let files = unzip(&bytes);
    assert_eq!(files.len(), POSTS + 1);
    let stored = app.stored_posts(user.id).await;
    assert_eq!(stored.len(), POSTS);
    for post in &stored {
        let markdown = &files[&format!("posts/{}.md", post.id)];
        let (_, body) = markdown.split_once("\n---\n\n").expect("front matter");
        assert_eq!(body, post.body);
        assert_eq!(written[&post.id.to_string()], post.title);
    }
    let json: Vec<serde_json::Value> = serde_json::from_str(&files["posts.json"]).expect("JSON");
    assert_eq!(json.len(), POSTS);
    let by_id: BTreeMap<String, &quill_posts::Post> =
        stored.iter().map(|p| (p.id.to_string(), p)).collect();
    let mut seen = std::collections::BTreeSet::new();
    for record in &json {
        let id = record["id"].as_str().expect("id");
        assert!(seen.insert(id.to_owned()), "{id} twice");
        let post = by_id[id];
        assert_eq!(record["body"], post.body.as_str());
        assert_eq!(record["title"], post.title.as_str());
    }
    eprintln!(
        "export of {POSTS} posts: {} bytes, {} stored body bytes",
        bytes.len(),
        stored.iter().map(|p| p.body.len()).sum::<usize>()
    );
}

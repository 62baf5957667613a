//! Writing and reading posts: the timeline, paging, one post, double submits, privacy.

use quill_test_support::http::page_saying;
use quill_test_support::{TestApp, hidden, spawn_app};

#[tokio::test]
async fn a_new_post_is_published_and_shown() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let response = app
        .write_post("  Hello, world  ", "First line\r\nSecond <b>line</b>")
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(location.starts_with("/posts/"));

    let page = app.get_html(&location).await;
    assert!(page.contains("Your post is published."));
    assert!(page.contains("<h1>Hello, world</h1>"));
    assert!(
        page.contains("<p>First line\nSecond &lt;b&gt;line&lt;/b&gt;</p>"),
        "{page}"
    );

    let user = app.stored_user("alice").await.expect("user");
    let stored = app.stored_posts(user.id).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].title, "Hello, world");
    assert_eq!(stored[0].body, "First line\nSecond <b>line</b>");
    assert_eq!(format!("/posts/{}", stored[0].id), location);
}

#[tokio::test]
async fn the_timeline_pages_newest_first_twenty_at_a_time() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    for i in 1..=25 {
        assert_eq!(
            app.write_post(&format!("Post number {i:02}"), "body")
                .await
                .status(),
            303
        );
    }
    let first = app.get_html("/posts").await;
    assert_eq!(
        first.matches("<article class=\"post-summary\">").count(),
        20
    );
    let newest = first.find("Post number 25").expect("newest shown");
    let older = first.find("Post number 06").expect("20th shown");
    assert!(newest < older, "newest first");
    assert!(!first.contains("Post number 05"));

    let start = first.find("/posts?before=").expect("older posts link");
    let end = first[start..].find('"').expect("end of link") + start;
    let second = app.get_html(&first[start..end]).await;
    assert_eq!(
        second.matches("<article class=\"post-summary\">").count(),
        5
    );
    assert!(second.contains("Post number 05") && second.contains("Post number 01"));
    assert!(!second.contains("Post number 06"));
    assert!(
        !second.contains("Older posts"),
        "the last page has no further link"
    );
}

/// The list keeps each post's entry once shown and then reads only the page's ids; a
/// post written since is still shown at once, on top, and the page still ends where
/// it should.
#[tokio::test]
async fn a_post_written_after_a_view_tops_the_next_view() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    for i in 1..=20 {
        app.write_post(&format!("Post number {i:02}"), "body").await;
    }
    let summaries = |page: &str| page.matches("<article class=\"post-summary\">").count();
    for _ in 0..2 {
        let before = app.get_html("/posts").await;
        assert_eq!(summaries(&before), 20);
        assert!(before.contains("Post number 01") && !before.contains("Older posts"));
    }

    app.write_post("Post number 21", "written *since*").await;
    let after = app.get_html("/posts").await;
    assert_eq!(summaries(&after), 20);
    let newest = after.find("Post number 21").expect("the new post is shown");
    assert!(newest < after.find("Post number 20").expect("20 shown"));
    assert!(after.contains("written since") && !after.contains("Post number 01"));
    let start = after.find("/posts?before=").expect("older posts link");
    let end = after[start..].find('"').expect("end of link") + start;
    let second = app.get_html(&after[start..end]).await;
    assert_eq!(summaries(&second), 1);
    assert!(second.contains("Post number 01"));
}

#[tokio::test]
async fn a_double_submit_makes_exactly_one_post() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let (post_token, csrf) = app.new_post_tokens().await;
    let first = app
        .submit_post("Only once", "Clicked twice", &post_token, &csrf)
        .await;
    let second = app
        .submit_post("Only once", "Clicked twice", &post_token, &csrf)
        .await;
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    let user = app.stored_user("alice").await.expect("user");
    assert_eq!(app.stored_posts(user.id).await.len(), 1);
}

/// A post is dated when it is published, not when its form was opened: the token is
/// only its key.
#[tokio::test]
async fn a_post_gets_its_id_when_it_is_published() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let (post_token, csrf) = app.new_post_tokens().await;
    let opened = quill_domain::PostId::parse(post_token.split_once('.').expect("id.sig").0)
        .expect("the token's id");
    let response = app
        .submit_post("Later", "Written slowly", &post_token, &csrf)
        .await;
    let location = response.headers()["location"].to_str().expect("ascii");
    let published =
        quill_domain::PostId::parse(location.trim_start_matches("/posts/")).expect("a post id");
    assert_ne!(published, opened);
    assert!(published.created_at_micros() >= opened.created_at_micros());
    let again = app
        .submit_post("Later", "Written slowly", &post_token, &csrf)
        .await;
    assert_eq!(again.headers()["location"], location, "the same post");
}

#[tokio::test]
async fn a_resubmitted_token_never_overwrites_the_post() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let (post_token, csrf) = app.new_post_tokens().await;
    for (title, body) in [("Original", "first text"), ("Changed", "second text")] {
        app.submit_post(title, body, &post_token, &csrf).await;
    }
    let user = app.stored_user("alice").await.expect("user");
    let stored = app.stored_posts(user.id).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].title.as_str(), stored[0].body.as_str()),
        ("Original", "first text")
    );
}

/// A form without a valid post token (forged, another user's, or over a day old) is not
/// published under a fresh id, which a resent request could repeat: it comes back with
/// what was typed, a message and a new token that works.
#[tokio::test]
async fn a_form_without_a_valid_post_token_comes_back_unpublished() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let (_, csrf) = app.new_post_tokens().await;
    let forged = "0c5c6e1a-0000-1000-8000-010203040506.c2lnbmF0dXJl";
    let response = app
        .submit_post("Kept title", "Kept body", forged, &csrf)
        .await;
    let page = page_saying(response, 422, "more than a day old or was not made for you").await;
    assert!(page.contains("Kept title") && page.contains("Kept body"));
    let user = app.stored_user("alice").await.expect("user");
    assert!(app.stored_posts(user.id).await.is_empty());

    let fresh = hidden(&page, "post_token");
    assert_ne!(fresh, forged);
    let published = app
        .submit_post("Kept title", "Kept body", &fresh, &csrf)
        .await;
    assert_eq!(published.status().as_u16(), 303);
    assert_eq!(app.stored_posts(user.id).await.len(), 1);
}

#[tokio::test]
async fn bad_posts_come_back_with_messages_and_nothing_is_stored() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let long_body = "é".repeat(20_001);
    let cases = [
        ("", "some body", "Give your post a title."),
        (
            &*"t".repeat(201),
            "some body",
            "Keep the title to 200 characters or fewer.",
        ),
        ("A title", "   ", "Write something in your post."),
        (
            "A title",
            &*long_body,
            "Keep the post to 20000 characters or fewer.",
        ),
    ];
    for (title, body, message) in cases {
        let page = page_saying(app.write_post(title, body).await, 422, message).await;
        assert!(
            page.contains(&format!("value=\"{title}\"")),
            "the title typed comes back"
        );
    }
    let user = app.stored_user("alice").await.expect("user");
    assert!(app.stored_posts(user.id).await.is_empty());
}

#[tokio::test]
async fn another_users_post_is_not_found_like_a_missing_one() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let location = app.write_post("Private", "Only for alice").await.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    app.log_out().await;
    app.sign_up("bob").await;

    let theirs = page_saying(app.get(&location).await, 404, "Page not found").await;
    assert!(!theirs.contains("Only for alice"));

    let missing = app.get("/posts/5b6e2d8a-c8a1-11ee-8000-010203040506").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.text().await.expect("body"), theirs, "the same page");
    assert_eq!(app.get("/posts/not-a-uuid").await.status(), 404);
    assert!(!app.get_html("/posts").await.contains("Private"));
}

#[tokio::test]
async fn a_malformed_cursor_is_a_clear_400() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let response = app.get("/posts?before=yesterday").await;
    page_saying(response, 400, "That page link is not valid.").await;
}

#[tokio::test]
async fn posts_survive_a_restart_and_so_does_the_session() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    app.write_post("Durable", "Still here after a restart")
        .await;
    let cookies = app.cookies();
    let data_dir = app.stop().await;

    let app = TestApp::builder().data_dir(data_dir).spawn().await;
    // The session key and the post both persisted.
    page_saying(app.replay("/posts", &cookies).await, 200, "Durable").await;
}

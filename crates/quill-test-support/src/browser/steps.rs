//! What a person does in the browser, step by step, for the browser suites (a Quill of
//! its own, and the whole topology through nginx).

use std::path::PathBuf;

use fantoccini::{Client, Locator};

use crate::http::Site;
use crate::test_env;

pub async fn fill(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("field #{id}: {e}"))
        .send_keys(text)
        .await
        .expect("typing");
}

pub async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Where screenshots go: `QUILL_TEST_SCREENSHOTS`, or `quill-screenshots` in the
/// temporary directory.
fn screenshot_dir() -> PathBuf {
    let dir =
        test_env::screenshots().unwrap_or_else(|| std::env::temp_dir().join("quill-screenshots"));
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Clicks what `click` finds and waits for the next page, known by `arrival`: an element
/// only that page has. (A click returns before the navigation it starts is done.)
pub async fn click_through(client: &Client, click: Locator<'_>, arrival: &str) {
    client
        .find(click)
        .await
        .expect("element to click")
        .click()
        .await
        .expect("click");
    client
        .wait()
        .for_element(Locator::Css(arrival))
        .await
        .unwrap_or_else(|e| panic!("the page with {arrival} did not come: {e}"));
}

pub async fn save_screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG image");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("saving the screenshot");
    eprintln!("screenshot: {}", path.display());
}

/// Signs up as `username` on the sign-up page `client` shows, writes a post, finds it in
/// the timeline (saving a screenshot of it), logs out, and checks the posts are closed.
pub async fn sign_up_write_read_log_out(client: &Client, site: &impl Site, username: &str) {
    fill(client, "username", username).await;
    fill(client, "password", "analytical engine notes").await;
    fill(client, "password_confirm", "analytical engine notes").await;
    click_through(client, Locator::Css("main button[type=submit]"), "p.empty").await;

    assert_eq!(client.current_url().await.expect("url").path(), "/posts");
    assert_eq!(
        text_of(client, ".flash").await,
        "Welcome to Quill! Your account is ready."
    );

    click_through(client, Locator::LinkText("Write a post"), "textarea#body").await;
    fill(client, "title", "Notes on the engine").await;
    fill(
        client,
        "body",
        "It weaves algebraic patterns\njust as the Jacquard loom weaves flowers.",
    )
    .await;
    click_through(
        client,
        Locator::Css("main button[type=submit]"),
        "article.post",
    )
    .await;

    assert!(
        client
            .current_url()
            .await
            .expect("url")
            .path()
            .starts_with("/posts/")
    );
    assert_eq!(text_of(client, "h1").await, "Notes on the engine");
    assert_eq!(text_of(client, ".flash").await, "Your post is published.");

    click_through(client, Locator::LinkText("My posts"), "ol.timeline").await;
    assert_eq!(
        text_of(client, ".post-summary h2").await,
        "Notes on the engine"
    );
    save_screenshot(client, &format!("timeline-{username}.png")).await;

    click_through(
        client,
        Locator::Css("form[action='/logout'] button"),
        "form[action='/login']",
    )
    .await;
    assert_eq!(client.current_url().await.expect("url").path(), "/login");
    assert_eq!(text_of(client, ".flash").await, "You are logged out.");
    client.goto(&site.url("/posts")).await.expect("open posts");
    assert_eq!(
        client.current_url().await.expect("url").path(),
        "/login",
        "logged out for real"
    );
}

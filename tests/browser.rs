//! A person in a real browser (Debian's Chromium, headless): sign up, write a post, see
//! it in the list, log out. No JavaScript is needed anywhere on the way.

use fantoccini::{Client, Locator};
use std::path::PathBuf;

use quill_e2e::{Server, browser, start_quill};

async fn fill(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("field #{id}: {e}"))
        .send_keys(text)
        .await
        .expect("typing");
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// A browser of `width` x `height` pixels on a fresh Quill, showing `path`; `None` when
/// no browser is configured (see `quill_e2e::browser`).
async fn open(width: u32, height: u32, path: &str) -> Option<(Client, Server)> {
    let client = browser(width, height).await?;
    let quill = start_quill().await;
    client.goto(&quill.url(path)).await.expect("open the page");
    Some((client, quill))
}

/// Where screenshots go: `<target>/tmp/screenshots`.
fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Clicks what `click` finds and waits for the next page, known by `arrival`: an element
/// only that page has. (A click returns before the navigation it starts is done.)
async fn click_through(client: &Client, click: Locator<'_>, arrival: &str) {
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

async fn save_screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG image");
    let path = screenshot_dir().join(name);
    std::fs::write(&path, png).expect("saving the screenshot");
    eprintln!("screenshot: {}", path.display());
}

#[tokio::test]
async fn a_person_signs_up_writes_reads_and_logs_out() {
    let Some((client, quill)) = open(1024, 800, "/signup").await else {
        return;
    };
    fill(&client, "username", "Ada_Lovelace").await;
    fill(&client, "password", "analytical engine notes").await;
    fill(&client, "password_confirm", "analytical engine notes").await;
    click_through(&client, Locator::Css("main button[type=submit]"), "p.empty").await;

    assert_eq!(client.current_url().await.expect("url").path(), "/posts");
    assert_eq!(
        text_of(&client, ".flash").await,
        "Welcome to Quill! Your account is ready."
    );

    click_through(&client, Locator::LinkText("Write a post"), "textarea#body").await;
    fill(&client, "title", "Notes on the engine").await;
    fill(
        &client,
        "body",
        "It weaves algebraic patterns\njust as the Jacquard loom weaves flowers.",
    )
    .await;
    click_through(
        &client,
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
    assert_eq!(text_of(&client, "h1").await, "Notes on the engine");
    assert_eq!(text_of(&client, ".flash").await, "Your post is published.");

    click_through(&client, Locator::LinkText("My posts"), "ol.timeline").await;
    assert_eq!(
        text_of(&client, ".post-summary h2").await,
        "Notes on the engine"
    );
    save_screenshot(&client, "timeline.png").await;

    click_through(
        &client,
        Locator::Css("form[action='/logout'] button"),
        "form[action='/login']",
    )
    .await;
    assert_eq!(client.current_url().await.expect("url").path(), "/login");
    assert_eq!(text_of(&client, ".flash").await, "You are logged out.");
    client.goto(&quill.url("/posts")).await.expect("open posts");
    assert_eq!(
        client.current_url().await.expect("url").path(),
        "/login",
        "logged out for real"
    );

    client.close().await.expect("close");
}

#[tokio::test]
async fn the_pages_fit_a_320_pixel_screen() {
    let Some((client, _quill)) = open(320, 640, "/signup").await else {
        return;
    };
    let overflow = client
        .execute(
            "const e = document.documentElement; return e.scrollWidth - e.clientWidth;",
            vec![],
        )
        .await
        .expect("measure");
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "no horizontal scrolling at 320 px"
    );
    save_screenshot(&client, "signup-320px.png").await;
    client.close().await.expect("close");
}

#[tokio::test]
async fn the_login_form_works_with_the_keyboard_alone() {
    let Some((client, _quill)) = open(1024, 800, "/login").await else {
        return;
    };
    // The first Tab lands on the skip link, which is shown when focused.
    let body = client.find(Locator::Css("body")).await.expect("body");
    body.send_keys("\u{E004}").await.expect("Tab");
    let focused = client.active_element().await.expect("focus");
    assert_eq!(focused.text().await.expect("text"), "Skip to content");

    client
        .execute("document.getElementById('username').focus();", vec![])
        .await
        .expect("focus the username");
    let typing = client.active_element().await.expect("focus");
    // Username, Tab to the password, Enter to submit: a wrong password comes back with
    // its message, which shows the form went through.
    typing
        .send_keys("nobody\u{E004}wrong password\u{E007}")
        .await
        .expect("typing");
    let message = client
        .wait()
        .for_element(Locator::Css("#login-error"))
        .await
        .expect("the login answer");
    assert_eq!(
        message.text().await.expect("text"),
        "Wrong username or password."
    );
    client.close().await.expect("close");
}

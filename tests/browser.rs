//! A person in a real browser (Debian's Chromium, headless): sign up, write a post, see
//! it in the list, log out. No JavaScript is needed anywhere on the way.

use fantoccini::{Client, Locator};

use quill_test_support::TestApp;
use quill_test_support::browser::chromium;
use quill_test_support::browser::steps::{
    click_through, fill, save_screenshot, sign_up_write_read_log_out, text_of,
};

/// A browser of `width` x `height` pixels on a fresh Quill, showing `path`; `None` when
/// no browser is configured (see `quill_test_support::browser::chromium`).
async fn open(width: u32, height: u32, path: &str) -> Option<(Client, TestApp)> {
    let client = chromium(width, height).await?;
    let quill = TestApp::builder().spawn().await;
    client.goto(&quill.url(path)).await.expect("open the page");
    Some((client, quill))
}

#[tokio::test]
async fn a_person_signs_up_writes_reads_and_logs_out() {
    let Some((client, quill)) = open(1024, 800, "/signup").await else {
        return;
    };
    sign_up_write_read_log_out(&client, &quill, "Ada_Lovelace").await;
    client.close().await.expect("close");
}

/// Three posts written one after the other show newest first on the posts page. Its
/// screenshot, `posts.png`, is the README's picture: run this test alone with
/// `QUILL_TEST_SCREENSHOTS=docs/images` to renew it.
#[tokio::test]
async fn the_posts_page_lists_a_persons_posts_newest_first() {
    let Some((client, _quill)) = open(1000, 640, "/signup").await else {
        return;
    };
    fill(&client, "username", "grace").await;
    fill(&client, "password", "nanoseconds of wire").await;
    fill(&client, "password_confirm", "nanoseconds of wire").await;
    click_through(&client, Locator::Css("main button[type=submit]"), "p.empty").await;
    let posts = [
        (
            "Reading list",
            "Finish the compiler paper, then the one on COBOL's record layouts.",
        ),
        (
            "A moth in relay 70",
            "Found the bug in panel F. Taped it into the log book.",
        ),
        (
            "Notes for Thursday's talk",
            "Bring a nanosecond: a length of wire, about a foot long.",
        ),
    ];
    for (title, body) in posts {
        click_through(&client, Locator::LinkText("Write"), "textarea#body").await;
        fill(&client, "title", title).await;
        fill(&client, "body", body).await;
        click_through(
            &client,
            Locator::Css("main button[type=submit]"),
            "article.post",
        )
        .await;
        assert_eq!(text_of(&client, "h1").await, title);
    }
    click_through(&client, Locator::LinkText("My posts"), "ol.timeline").await;
    let mut shown = Vec::new();
    for title in client
        .find_all(Locator::Css(".post-summary h2"))
        .await
        .expect("titles")
    {
        shown.push(title.text().await.expect("title"));
    }
    let newest_first: Vec<&str> = posts.iter().rev().map(|(title, _)| *title).collect();
    assert_eq!(shown, newest_first);
    save_screenshot(&client, "posts.png").await;
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

/// The account pages on a 320-pixel screen, with no JavaScript: from the header to the
/// sessions page ("this one" marked), to the password form, and back with the change
/// confirmed.
#[tokio::test]
async fn a_person_changes_their_password_from_the_account_pages_on_a_small_screen() {
    let Some((client, _quill)) = open(320, 640, "/signup").await else {
        return;
    };
    fill(&client, "username", "hedy").await;
    fill(&client, "password", "frequency hopping piano").await;
    fill(&client, "password_confirm", "frequency hopping piano").await;
    click_through(&client, Locator::Css("main button[type=submit]"), "p.empty").await;
    click_through(&client, Locator::LinkText("Account"), "ul.sessions").await;
    assert!(
        text_of(&client, "li.session.current")
            .await
            .contains("this one")
    );
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
    save_screenshot(&client, "sessions-320px.png").await;

    click_through(
        &client,
        Locator::LinkText("Password"),
        "input#current_password",
    )
    .await;
    fill(&client, "current_password", "frequency hopping piano").await;
    fill(&client, "new_password", "torpedo guidance patent").await;
    fill(&client, "new_password_confirm", "torpedo guidance patent").await;
    click_through(
        &client,
        Locator::Css("main button[type=submit]"),
        "ul.sessions",
    )
    .await;
    assert!(
        text_of(&client, "p.flash")
            .await
            .contains("Your password is changed."),
    );
    client.close().await.expect("close");
}

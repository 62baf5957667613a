//! Logging in and out, sessions and their expiry, login throttling.

use quill_test_support::http::page_saying;
use quill_test_support::{PASSWORD, spawn_app};

#[tokio::test]
async fn logging_in_opens_the_timeline_under_a_new_session_key() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let before_login = app.cookies();
    assert_eq!(app.get("/posts").await.status(), 200);

    let response = app.log_in("Alice", PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/posts");
    let set_cookie: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert!(
        set_cookie
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("quill_session="))),
        "login issues a new session cookie"
    );
    assert!(app.get_html("/posts").await.contains("You are logged in."));
    // The signup session was replaced, not kept alongside: its cookie opens nothing.
    let user = app.stored_user("alice").await.expect("stored");
    assert_eq!(app.session_count(user.id).await, 1);
    let replay = app.replay("/posts", &before_login).await;
    assert_eq!(replay.headers()["location"], "/login");
}

#[tokio::test]
async fn wrong_and_unknown_credentials_get_the_same_answer() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let stranger = app.in_new_browser();
    for (username, password) in [
        ("alice", "not the password"),
        ("nobody", PASSWORD),
        ("x", "y"),
    ] {
        let response = stranger.log_in(username, password).await;
        let page = page_saying(response, 401, "Wrong username or password.").await;
        assert!(
            !page.contains(password) || password == "y",
            "the password is not echoed"
        );
    }
    assert_eq!(stranger.redirect_of("/posts").await, "/login");
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let user = app.stored_user("alice").await.expect("stored");
    // Keep a copy of the cookies to replay after logout.
    let cookie = app.cookies();
    assert!(cookie.contains("quill_session="));

    let response = app.log_out().await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    assert!(app.get_html("/login").await.contains("You are logged out."));
    assert_eq!(app.session_count(user.id).await, 0);

    let replay = app.replay("/posts", &cookie).await;
    assert_eq!(replay.status(), 303, "an old cookie opens nothing");
    assert_eq!(replay.headers()["location"], "/login");
}

#[tokio::test]
async fn logout_is_post_only() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    page_saying(app.get("/logout").await, 405, "Not allowed").await;
    assert_eq!(app.get("/posts").await.status(), 200, "still logged in");
}

#[tokio::test]
async fn an_idle_session_expires() {
    // 3 s, not 1: on a loaded CI machine the sign-up's redirect and the first page can
    // be more than a second apart, and the session then ended before it was looked at.
    let app = spawn_app(&[("QUILL_SESSION_IDLE_SECS", "3")]).await;
    app.sign_up("alice").await;
    assert_eq!(app.get("/posts").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(app.redirect_of("/posts").await, "/login");
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_even_when_active() {
    // 4 s leaves a loaded machine room for the three pages inside the lifetime.
    let app = spawn_app(&[("QUILL_SESSION_ABSOLUTE_SECS", "4")]).await;
    app.sign_up("alice").await;
    for _ in 0..3 {
        assert_eq!(app.get("/posts").await.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    assert_eq!(app.redirect_of("/posts").await, "/login");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = spawn_app(&[("QUILL_LOGIN_ACCOUNT_LIMIT", "3")]).await;
    app.sign_up("alice").await;
    app.log_out().await;
    for _ in 0..3 {
        assert_eq!(app.log_in("alice", "wrong password!").await.status(), 401);
    }
    let response = app.log_in("alice", PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    page_saying(response, 429, "Too many attempts.").await;
    assert_eq!(app.redirect_of("/posts").await, "/login");
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_every_account() {
    let app = spawn_app(&[("QUILL_LOGIN_ADDRESS_LIMIT", "4")]).await;
    for i in 0..4 {
        app.log_in(&format!("user{i}"), "wrong password!").await;
    }
    assert_eq!(app.log_in("someone", "wrong password!").await.status(), 429);
}

#[tokio::test]
async fn pages_that_need_a_login_redirect_to_it() {
    let app = spawn_app(&[]).await;
    for path in [
        "/posts",
        "/posts/new",
        "/posts/00000000-0000-1000-8000-000000000000",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
}

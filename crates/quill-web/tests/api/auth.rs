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
    // Keep a copy of the cookies to replay after logout, once the instance has loaded
    // (and so holds) the session.
    let cookie = app.cookies();
    assert!(cookie.contains("quill_session="));
    assert_eq!(app.get("/posts").await.status(), 200);

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

/// Logs in through `browser`, a browser of its own (cookies and all), on `app`.
async fn log_in_from(
    app: &quill_test_support::TestApp,
    browser: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = browser.get(app.url("/login")).send().await.expect("GET");
    let csrf = quill_test_support::html::hidden(&page.text().await.expect("body"), "csrf_token");
    browser
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("POST")
}

/// ASVS 6.1.1: failures from elsewhere never stop the owner logging in from a browser
/// that has logged in before (it holds the account's device cookie).
#[tokio::test]
async fn an_attacker_cannot_lock_the_owner_out_of_a_browser_they_used_before() {
    let app = spawn_app(&[("QUILL_LOGIN_ACCOUNT_LIMIT", "3")]).await;
    app.sign_up("alice").await;
    app.log_out().await;
    assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
    assert!(app.cookies().contains("quill_device="), "a device cookie");
    app.log_out().await;

    let attacker = app.stranger();
    let mut refused = 0;
    for _ in 0..12 {
        let status = log_in_from(&app, &attacker, "alice", "guess guess guess")
            .await
            .status();
        assert!(status == 401 || status == 429, "{status}");
        refused += usize::from(status == 429);
    }
    assert!(refused > 0, "the guesses were slowed");

    assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
    assert_eq!(app.get("/posts").await.status(), 200);
}

/// A browser the account does not know is slowed past the free attempts, with a
/// `Retry-After` of a minute at most, and gets in after waiting it.
#[tokio::test]
async fn a_new_browser_is_slowed_never_locked_out() {
    let app = spawn_app(&[("QUILL_LOGIN_ACCOUNT_LIMIT", "3")]).await;
    app.sign_up("alice").await;
    let stranger = app.stranger();
    let mut slowed = None;
    for _ in 0..10 {
        let response = log_in_from(&app, &stranger, "alice", "guess guess guess").await;
        if response.status() == 429 {
            slowed = Some(response);
            break;
        }
        assert_eq!(response.status(), 401);
    }
    let slowed = slowed.expect("slowed within ten guesses");
    let retry_after: u64 = slowed.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(
        slowed
            .text()
            .await
            .expect("body")
            .contains("Too many attempts.")
    );
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    let new_browser = app.stranger();
    let response = log_in_from(&app, &new_browser, "alice", PASSWORD).await;
    assert_eq!(response.status(), 303);
}

/// The throttle counts an attempt before its password is checked, atomically: sixty
/// concurrent wrong logins on one account get no more checks than the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_gets_no_more_checks_than_the_limit() {
    // One address's window is a hard limit; the account's, for clients it does not
    // know, adds growing delays after its free attempts, which a burst slower than the
    // first delay may rightly pass once more (quill-accounts' tests cover both rules).
    let app = spawn_app(&[
        ("QUILL_LOGIN_ACCOUNT_LIMIT", "5"),
        ("QUILL_LOGIN_ADDRESS_LIMIT", "5"),
    ])
    .await;
    app.sign_up("alice").await;
    let burst: Vec<_> = (0..60)
        .map(|_| {
            let (client, url) = (app.stranger(), app.url("/api/v1/sessions"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&serde_json::json!({ "username": "alice", "password": "guess guess" }))
                    .send()
                    .await
                    .expect("POST")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in burst {
        statuses.push(attempt.await.expect("task"));
    }
    let checked = statuses.iter().filter(|s| **s == 400).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, throttled), (5, 55), "{statuses:?}");
    let metrics = app.get_html("/metrics").await;
    assert!(
        metrics.contains("quill_events_total{event=\"login_failed\"} 5\n"),
        "{metrics}"
    );
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

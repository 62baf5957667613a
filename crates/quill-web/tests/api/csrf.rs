//! Every state-changing form refuses a missing or foreign CSRF token, and stores nothing.

use quill_test_support::http::{page, page_saying};
use quill_test_support::{PASSWORD, hidden, spawn_app};

#[tokio::test]
async fn forms_without_a_valid_token_get_403_and_change_nothing() {
    let app = spawn_app(&[]).await;
    for token in [
        "",
        "forged-token",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = app.sign_up_with_csrf("mallory", token).await;
        page_saying(
            response,
            403,
            "This form has expired or did not come from Quill.",
        )
        .await;
    }
    assert_eq!(app.user_count().await, 0);

    app.sign_up("alice").await;
    let user = app.stored_user("alice").await.expect("user");
    let response = app
        .post_form(
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("csrf_token", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .post_form("/posts/new", &[("title", "t"), ("body", "b")])
        .await;
    assert_eq!(response.status(), 403);
    assert!(app.stored_posts(user.id).await.is_empty());
    let response = app.post_form("/logout", &[("csrf_token", "nope")]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.session_count(user.id).await, 1, "still logged in");
}

#[tokio::test]
async fn a_token_from_another_visitor_is_refused() {
    let app = spawn_app(&[]).await;
    // The attacker's own token, valid for the attacker's cookie only.
    let foreign = hidden(
        &page(&app.stranger(), &app.url("/signup")).await,
        "csrf_token",
    );
    let response = app.sign_up_with_csrf("victim", &foreign).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.user_count().await, 0);
}

/// A form another site sends is refused whatever token it carries, when the browser
/// says where it comes from (`Sec-Fetch-Site`, else `Origin`).
#[tokio::test]
async fn a_form_from_another_site_is_refused_even_with_a_good_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let host = app.url("").replace("http://", "");
    for (header, value, refused) in [
        ("sec-fetch-site", "cross-site", true),
        ("origin", "https://evil.example", true),
        ("sec-fetch-site", "same-origin", false),
        ("origin", &format!("http://{host}"), false),
    ] {
        if app.get("/posts/new").await.status() != 200 {
            assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
        }
        let csrf = app.csrf("/posts/new").await;
        let response = app
            .stranger()
            .post(app.url("/logout"))
            .header("cookie", app.cookies())
            .header(header, value)
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .expect("POST");
        let expected = if refused { 403 } else { 303 };
        assert_eq!(response.status(), expected, "{header}: {value}");
    }
    assert_eq!(
        app.redirect_of("/posts").await,
        "/login",
        "logged out at last"
    );
}

/// The attack a probe found: another visitor's seed cookie and token, sent with the
/// victim's session, must not pass; a logged-in form's token is bound to the session.
#[tokio::test]
async fn another_visitors_seed_and_token_do_not_pass_with_a_victims_session() {
    let app = spawn_app(&[]).await;
    app.sign_up("victim").await;
    let victim = app.stored_user("victim").await.expect("user");
    let victim_session = app
        .cookies()
        .split("; ")
        .find(|c| c.starts_with("quill_session="))
        .expect("session cookie")
        .to_owned();
    let attacker = app.stranger();
    let page = attacker.get(app.url("/login")).send().await.expect("GET");
    let seed = page
        .cookies()
        .find(|c| c.name() == "quill_csrf")
        .map(|c| format!("quill_csrf={}", c.value()))
        .expect("a seed cookie");
    let token = hidden(&page.text().await.expect("body"), "csrf_token");
    let (post_token, _) = app.new_post_tokens().await;
    let response = app
        .stranger()
        .post(app.url("/posts/new"))
        .header("cookie", format!("{victim_session}; {seed}"))
        .form(&[
            ("title", "planted"),
            ("body", "by someone else"),
            ("post_token", post_token.as_str()),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 403);
    assert!(app.stored_posts(victim.id).await.is_empty());
}

/// Tokens rotate at login and logout: a page's token from before either is refused
/// after it.
#[tokio::test]
async fn tokens_from_before_a_login_or_logout_are_refused_after_it() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let logged_in = app.csrf("/posts/new").await;
    assert_eq!(app.log_out().await.status(), 303);
    let logged_out = app.csrf("/login").await;
    assert_ne!(logged_in, logged_out);

    assert_eq!(app.log_in("alice", PASSWORD).await.status(), 303);
    let again = app.csrf("/posts/new").await;
    assert_ne!(again, logged_in, "a new login, a new token");
    let user = app.stored_user("alice").await.expect("user");
    for stale in [&logged_in, &logged_out] {
        let (post_token, _) = app.new_post_tokens().await;
        let response = app.submit_post("t", "b", &post_token, stale).await;
        assert_eq!(response.status(), 403);
    }
    assert!(app.stored_posts(user.id).await.is_empty());
    let response = app
        .post_form("/logout", &[("csrf_token", &logged_in)])
        .await;
    assert_eq!(response.status(), 403, "the old session's token");
    assert_eq!(
        app.post_form("/logout", &[("csrf_token", &again)])
            .await
            .status(),
        303
    );
    let response = app.sign_up_with_csrf("bob", &logged_out).await;
    assert_eq!(
        response.status(),
        403,
        "the seed from before the login is gone"
    );
}

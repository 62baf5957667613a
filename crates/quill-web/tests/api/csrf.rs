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
    let csrf = app.csrf("/posts/new").await;
    let host = app.url("").replace("http://", "");
    for (header, value, refused) in [
        ("sec-fetch-site", "cross-site", true),
        ("origin", "https://evil.example", true),
        ("sec-fetch-site", "same-origin", false),
        ("origin", &format!("http://{host}"), false),
    ] {
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

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

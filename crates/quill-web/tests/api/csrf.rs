//! Every state-changing form refuses a missing or foreign CSRF token, and stores nothing.

use quill_test_support::{PASSWORD, hidden, spawn_app};

#[tokio::test]
async fn forms_without_a_valid_token_get_403_and_change_nothing() {
    let app = spawn_app(&[]).await;
    for token in [
        "",
        "forged-token",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = app
            .post_form(
                "/signup",
                &[
                    ("username", "mallory"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                    ("csrf_token", token),
                ],
            )
            .await;
        assert_eq!(response.status(), 403);
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("This form has expired or did not come from Quill.")
        );
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
    let attacker = app.stranger();
    let page = attacker
        .get(app.url("/signup"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let foreign = hidden(&page, "csrf_token");
    let response = app
        .post_form(
            "/signup",
            &[
                ("username", "victim"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.user_count().await, 0);
}

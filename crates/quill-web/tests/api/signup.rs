//! Signing up: the account is made, the person is logged in, bad input comes back.

use quill_test_support::http::page_saying;
use quill_test_support::{PASSWORD, spawn_app};

#[tokio::test]
async fn signing_up_logs_in_and_lands_on_an_empty_timeline() {
    let app = spawn_app(&[]).await;
    let response = app.sign_up("Alice").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/posts");

    let page = app.get_html("/posts").await;
    assert!(page.contains("Welcome to Quill! Your account is ready."));
    assert!(page.contains("You have not written anything yet."));
    assert!(page.contains(">alice<"), "the header names the user");
    // The flash is shown once.
    assert!(!app.get_html("/posts").await.contains("Welcome to Quill!"));

    let user = app.stored_user("alice").await.expect("stored");
    assert_eq!(user.username.as_str(), "alice");
    assert_eq!(app.session_count(user.id).await, 1);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_at_the_owasp_floor() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let username = quill_domain::Username::parse("alice").expect("valid");
    let hash = app
        .accounts_db()
        .read(move |conn| {
            Ok::<_, quill_accounts::AccountsError>(quill_accounts::users::password_hash(
                conn, &username,
            )?)
        })
        .await
        .expect("lookup")
        .expect("user exists");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn bad_fields_come_back_with_messages_and_nothing_is_stored() {
    let app = spawn_app(&[]).await;
    let csrf = app.csrf("/signup").await;
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "al",
            PASSWORD,
            PASSWORD,
            "Choose a username of at least 3 characters.",
        ),
        (
            "bad name!",
            PASSWORD,
            PASSWORD,
            "Use only letters a-z, digits, &#39;_&#39; and &#39;-&#39; in a username.",
        ),
        (
            "alice",
            "short",
            "short",
            "Choose a password of at least 10 characters.",
        ),
        (
            "alice",
            "password123",
            "password123",
            "This password is too common. Choose another one.",
        ),
        (
            "alice",
            "Alice2024!",
            "Alice2024!",
            "This password is too close to your username.",
        ),
        (
            "alice",
            "80417729351",
            "80417729351",
            "A password of digits only is easy to guess.",
        ),
        (
            "alice",
            PASSWORD,
            "something else entirely",
            "The two passwords do not match.",
        ),
    ];
    for (username, password, confirm, message) in cases {
        let response = app
            .post_form(
                "/signup",
                &[
                    ("username", username),
                    ("password", password),
                    ("password_confirm", confirm),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        let page = page_saying(response, 422, message).await;
        assert!(
            page.contains(&format!("value=\"{username}\"")),
            "the username typed comes back"
        );
        assert!(!page.contains(password), "the password is never echoed");
    }
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn a_username_is_taken_whatever_its_case() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    // Someone else, in another browser.
    let other = app.in_new_browser();
    let csrf = other.csrf("/signup").await;
    let response = other
        .post_form(
            "/signup",
            &[
                ("username", "ALICE"),
                ("password", "another fine password"),
                ("password_confirm", "another fine password"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    page_saying(response, 422, "This username is taken.").await;
    assert_eq!(other.user_count().await, 1);
}

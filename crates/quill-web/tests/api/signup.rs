//! Signing up: the account is made, the person is logged in, bad input comes back.

use quill_test_support::{PASSWORD, hidden, spawn_app};

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
            Ok::<_, quill_sql::SqlError>(quill_accounts::users::password_hash(conn, &username)?)
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
    let cases: [(&str, &str, &str, &str); 5] = [
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
        assert_eq!(response.status(), 422, "{username}/{password}");
        let page = response.text().await.expect("body");
        assert!(page.contains(message), "expected {message:?} in the page");
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
    let other = app.stranger();
    let csrf = hidden(
        &other
            .get(app.url("/signup"))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body"),
        "csrf_token",
    );
    let response = other
        .post(app.url("/signup"))
        .form(&[
            ("username", "ALICE"),
            ("password", "another fine password"),
            ("password_confirm", "another fine password"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("This username is taken.")
    );
    assert_eq!(app.user_count().await, 1);
}

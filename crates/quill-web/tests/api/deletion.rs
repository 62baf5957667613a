//! Deleting one's account, on the page and through the API: what it asks for, what goes,
//! and a deletion that the post store cuts short, resumed at the next login attempt and
//! at the next start.

use diesel::{Connection, RunQueryDsl, SqliteConnection};
use quill_domain::{Password, Username};
use quill_test_support::http::{self, page_saying};
use quill_test_support::{PASSWORD, TestApp, api, spawn_app};
use quill_web::Settings;
use quill_web::app::posts::{self, Draft, Publish};
use quill_web::app::{CurrentUser, deletion};
use quill_web::metrics::Metrics;
use quill_web::startup::open_state;
use serde_json::json;

/// The deletion form of `app`'s browser, filled in and sent.
async fn delete_form(app: &TestApp, password: &str, confirm: &str) -> reqwest::Response {
    let csrf = app.csrf("/account/delete").await;
    app.post_form(
        "/account/delete",
        &[
            ("current_password", password),
            ("confirm", confirm),
            ("csrf_token", &csrf),
        ],
    )
    .await
}

async fn api_delete(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    http::script()
        .delete(app.url("/api/v1/me"))
        .bearer_auth(token)
        .json(&json!({ "password": password }))
        .send()
        .await
        .expect("DELETE")
}

/// Holds the embedded post store's write lock, as a post store that fails would: a
/// deletion waits its busy timeout out and fails.
fn lock_posts(app: &TestApp) -> SqliteConnection {
    let path = app.data_dir().join("posts.sqlite3");
    let mut conn = SqliteConnection::establish(&path.display().to_string()).expect("open posts");
    diesel::sql_query("BEGIN EXCLUSIVE")
        .execute(&mut conn)
        .expect("lock posts");
    conn
}

#[tokio::test]
async fn the_account_pages_link_to_deletion_which_needs_a_login() {
    let app = spawn_app(&[]).await;
    assert_eq!(app.redirect_of("/account/delete").await, "/login");
    app.sign_up("alice").await;
    let page = app.get_html("/account/sessions").await;
    assert!(page.contains("href=\"/account/delete\""), "{page}");
    let page = app.get_html("/account/delete").await;
    assert!(page.contains("Type your username"), "{page}");
    assert!(page.contains("name=\"csrf_token\""), "{page}");
}

#[tokio::test]
async fn deletion_needs_the_password_the_typed_username_and_the_forms_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    app.write_post("kept", "still here").await;

    let wrong_name = delete_form(&app, PASSWORD, "alicia").await;
    page_saying(wrong_name, 422, "Type your username, alice, to confirm.").await;
    let wrong_password = delete_form(&app, "not my password at all", "alice").await;
    page_saying(wrong_password, 422, "That is not your current password.").await;
    let forged = app
        .post_form(
            "/account/delete",
            &[("current_password", PASSWORD), ("confirm", "alice")],
        )
        .await;
    assert_eq!(forged.status(), 403);

    let user = app.stored_user("alice").await.expect("still there");
    assert_eq!(app.stored_posts(user.id).await.len(), 1);
    assert_eq!(app.get("/posts").await.status(), 200, "still logged in");
}

#[tokio::test]
async fn deleting_the_account_removes_posts_and_sessions_and_frees_the_username() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    app.write_post("first", "one").await;
    app.write_post("second", "two").await;
    let token = api::log_in(&http::script(), &app, "alice").await;
    let user = app.stored_user("alice").await.expect("stored");
    assert_eq!(app.session_count(user.id).await, 2);

    // The username typed in another case and with spaces still confirms.
    let response = delete_form(&app, PASSWORD, " Alice ").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let home = app.get_html("/login").await;
    assert!(
        home.contains("Your account and all your posts are deleted."),
        "{home}"
    );

    assert_eq!(app.stored_user("alice").await, None);
    assert_eq!(app.stored_posts(user.id).await, []);
    assert_eq!(app.session_count(user.id).await, 0);
    assert_eq!(app.redirect_of("/posts").await, "/login");
    assert_eq!(api::me(&http::script(), &app, &token).await.status(), 401);
    let login = app.log_in("alice", PASSWORD).await;
    assert_eq!(login.status(), 401);

    // The name is free: a new alice starts with nothing of the old one's.
    let again = app.sign_up("alice").await;
    assert_eq!(again.status(), 303);
    let new = app.stored_user("alice").await.expect("new alice");
    assert_ne!(new.id, user.id);
    assert_eq!(app.stored_posts(new.id).await, []);
}

#[tokio::test]
async fn the_api_deletes_the_account_with_its_password() {
    let app = spawn_app(&[]).await;
    let client = http::script();
    let token = api::account(&client, &app, &app, "bob").await;
    let user = app.stored_user("bob").await.expect("stored");

    let wrong = api_delete(&app, &token, "not my password at all").await;
    assert_eq!(wrong.status(), 422);
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(
        body["error"]["fields"]["current_password"],
        "That is not your current password."
    );
    let missing = http::script()
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(missing.status(), 400);
    let stranger = api_delete(&app, "not-a-token", PASSWORD).await;
    assert_eq!(stranger.status(), 401);
    assert!(app.stored_user("bob").await.is_some());

    let deleted = api_delete(&app, &token, PASSWORD).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.stored_user("bob").await, None);
    assert_eq!(app.session_count(user.id).await, 0);
    assert_eq!(api::me(&client, &app, &token).await.status(), 401);
}

/// The post store fails part-way: the account is closed at once (no login, no session)
/// with its posts still stored, and the next login attempt with its password, once the
/// store answers, finishes the deletion.
#[tokio::test]
async fn a_deletion_the_post_store_cuts_short_is_closed_and_resumes_at_the_next_login() {
    let app = spawn_app(&[]).await;
    app.sign_up("carol").await;
    app.write_post("mine", "words").await;
    let user = app.stored_user("carol").await.expect("stored");

    let lock = lock_posts(&app);
    let response = delete_form(&app, PASSWORD, "carol").await;
    drop(lock);
    assert_eq!(response.status(), 303);
    let home = app.get_html("/login").await;
    assert!(
        home.contains("Your account is closed and can no longer log in."),
        "{home}"
    );
    assert_eq!(app.redirect_of("/posts").await, "/login");
    assert_eq!(app.session_count(user.id).await, 0);
    assert!(app.stored_user("carol").await.is_some(), "marked, not gone");
    // The name stays taken while the deletion is pending.
    let taken = api::sign_up(&http::script(), &app, "carol").await;
    assert_eq!(taken.status(), 422);
    assert_eq!(app.stored_posts(user.id).await.len(), 1);

    // The right password resumes the deletion, and logs nobody in.
    let login = app.log_in("carol", PASSWORD).await;
    assert_eq!(login.status(), 401);
    assert_eq!(app.stored_user("carol").await, None);
    assert_eq!(app.stored_posts(user.id).await, []);
}

/// A pending deletion resumes when Quill starts again.
#[tokio::test]
async fn a_pending_deletion_resumes_at_the_next_start() {
    let app = spawn_app(&[]).await;
    let client = http::script();
    let token = api::account(&client, &app, &app, "dave").await;
    let user = app.stored_user("dave").await.expect("stored");

    let lock = lock_posts(&app);
    let pending = api_delete(&app, &token, PASSWORD).await;
    assert_eq!(pending.status(), 202);
    let body: serde_json::Value = pending.json().await.expect("json");
    assert_eq!(body["status"], "deleting");
    drop(lock);

    let data_dir = app.stop().await;
    let app = TestApp::builder().data_dir(data_dir).spawn().await;
    let gone = tokio::time::timeout(quill_test_support::wait::PATIENCE, async {
        while app.stored_user("dave").await.is_some() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(gone.is_ok(), "the deletion did not resume at start");
    assert_eq!(app.stored_posts(user.id).await, []);
}

/// A publish that passed its session check before the account was marked, and writes
/// only after the deletion has deleted the posts and the account: the post does not
/// stay behind under an id no account has, and the author is told to log in.
#[tokio::test]
async fn a_post_written_after_its_account_was_deleted_does_not_stay_behind() {
    let data_dir = tempfile::tempdir().expect("data dir");
    let settings = Settings::from_vars([(
        "QUILL_DATA_DIR".to_owned(),
        data_dir.path().display().to_string(),
    )])
    .expect("settings");
    let (state, secrets) = open_state(&settings).await.expect("stores open");
    let username = Username::parse("erin").expect("username");
    let password = Password::parse_new(PASSWORD, "erin").expect("password");
    let stored = state
        .accounts
        .sign_up(username, password)
        .await
        .expect("signed up");
    let erin = CurrentUser {
        id: stored.id,
        username: "erin".to_owned(),
        since: stored.since_month(),
        session: None,
    };
    // The publish's session check passed here; then the whole deletion ran.
    let post_token = posts::new_post_token(&state, &secrets, &erin);
    let marked = state
        .accounts
        .begin_deletion(erin.id)
        .await
        .expect("marked")
        .expect("a user");
    deletion::finish(&state, &marked).await.expect("deleted");

    let draft = Draft {
        title: "late",
        body: "written after the deletion",
        post_token: &post_token,
    };
    let outcome = posts::publish(&state, &secrets, &Metrics::default(), &erin, draft)
        .await
        .expect("publish answers");
    assert!(matches!(outcome, Publish::Closed));
    let left = posts::page(&state, &erin, None, 10).await.expect("page");
    assert_eq!(left.posts.len(), 0, "a post outlived its account");
}

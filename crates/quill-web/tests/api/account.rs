//! The account pages and their API: changing one's password, listing one's sessions,
//! ending the others.

use quill_test_support::http::{self, page_saying};
use quill_test_support::{PASSWORD, TestApp, api, hidden, spawn_app};
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "a brand new passphrase";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A browser of its own that sends `agent`, logged in to `app` as `username`.
async fn browser_logged_in(app: &TestApp, username: &str, agent: &str) -> reqwest::Client {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent)
        .build()
        .expect("client");
    let page = http::page(&browser, &app.url("/login")).await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf_token", &hidden(&page, "csrf_token")),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 303, "logged in");
    browser
}

/// An API token of `username` for a client that sends `agent`.
async fn token_for(app: &TestApp, username: &str, agent: &str) -> String {
    let response = http::script()
        .post(app.url("/api/v1/sessions"))
        .header("user-agent", agent)
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}

/// The password form of `app`'s browser, filled in and sent.
async fn change_password(
    app: &TestApp,
    current: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    let csrf = app.csrf("/account/password").await;
    app.post_form(
        "/account/password",
        &[
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirm", confirm),
            ("csrf_token", &csrf),
        ],
    )
    .await
}

async fn api_login_status(app: &TestApp, username: &str, password: &str) -> u16 {
    http::script()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_header_links_to_the_account_pages_which_need_a_login() {
    let app = spawn_app(&[]).await;
    for path in ["/account/sessions", "/account/password"] {
        assert_eq!(app.redirect_of(path).await, "/login", "{path}");
    }
    app.sign_up("alice").await;
    let page = app.get_html("/posts").await;
    assert!(page.contains("href=\"/account/sessions\""), "{page}");
    let page = app.get_html("/account/sessions").await;
    assert!(page.contains("href=\"/account/password\""), "{page}");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let other_browser = browser_logged_in(&app, "alice", FIREFOX).await;
    let token = token_for(&app, "alice", "curl/8.11.0").await;
    let user = app.stored_user("alice").await.expect("stored");
    assert_eq!(app.session_count(user.id).await, 3);
    let before = app.cookies();
    let csrf_before = app.csrf("/account/sessions").await;
    // Every session is in use, so the instance holds each one (QUILL_SESSION_CACHE_SECS).
    let other = other_browser
        .get(app.url("/posts"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.status(), 200);
    assert_eq!(api::me(&http::script(), &app, &token).await.status(), 200);

    let response = change_password(&app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/sessions");
    let page = app.get_html("/account/sessions").await;
    assert!(page.contains("Your password is changed."), "{page}");
    assert!(page.contains("this one"), "{page}");

    // This browser goes on; the other one and the API token are logged out.
    assert_eq!(app.get("/posts").await.status(), 200);
    let other = other_browser
        .get(app.url("/posts"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.headers()["location"], "/login");
    let me = api::me(&http::script(), &app, &token).await;
    assert_eq!(me.status(), 401);
    assert_eq!(app.session_count(user.id).await, 1);
    // ... under a new session key: the one it had before opens nothing.
    let replay = app.replay("/posts", &before).await;
    assert_eq!(replay.headers()["location"], "/login");
    // ... and a new CSRF secret: a form shown before the change is refused after it.
    let stale = app
        .post_form(
            "/account/sessions/others",
            &[
                ("csrf_token", &csrf_before),
                ("current_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(stale.status(), 403);

    // The old password opens nothing; the new one does.
    assert_eq!(api_login_status(&app, "alice", PASSWORD).await, 400);
    assert_eq!(api_login_status(&app, "alice", NEW_PASSWORD).await, 201);
}

#[tokio::test]
async fn a_wrong_current_password_a_mismatch_or_a_weak_one_comes_back_on_the_form() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let other_browser = browser_logged_in(&app, "alice", FIREFOX).await;
    let cases = [
        (
            "not my password",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "That is not your current password.",
        ),
        (
            PASSWORD,
            NEW_PASSWORD,
            "a brand new passphrasE",
            "The two new passwords do not match.",
        ),
        (
            PASSWORD,
            "password123",
            "password123",
            "This password is too common.",
        ),
        (
            PASSWORD,
            "alice2024!",
            "alice2024!",
            "too close to your username",
        ),
        (PASSWORD, "80417729351", "80417729351", "digits only"),
        (PASSWORD, PASSWORD, PASSWORD, "other than your current one"),
        ("", "", "", "Choose a password of at least 10 characters."),
    ];
    for (current, new, confirm, message) in cases {
        let response = change_password(&app, current, new, confirm).await;
        let page = page_saying(response, 422, message).await;
        assert!(!page.contains(PASSWORD), "no password is echoed");
    }
    // Nothing changed: the password is the old one, the other browser still in.
    assert_eq!(api_login_status(&app, "alice", PASSWORD).await, 201);
    let other = other_browser
        .get(app.url("/posts"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn the_password_form_needs_its_csrf_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let response = app
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(api_login_status(&app, "alice", PASSWORD).await, 201);
}

/// A stolen session gets no more guesses at the password than a stranger at the login
/// form: the current-password check is counted by the login throttle.
#[tokio::test]
async fn the_current_password_check_goes_through_the_login_throttle() {
    let app = spawn_app(&[("QUILL_LOGIN_ADDRESS_LIMIT", "3")]).await;
    app.sign_up("alice").await;
    for _ in 0..3 {
        let response = change_password(&app, "guess guess guess", NEW_PASSWORD, NEW_PASSWORD).await;
        page_saying(response, 422, "That is not your current password.").await;
    }
    // The right password, once the limit is reached, is not even checked.
    let response = change_password(&app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    page_saying(response, 429, "Too many attempts.").await;
    // The same window holds for the login form from this address.
    assert_eq!(app.log_in("alice", "guess guess guess").await.status(), 429);
    assert_eq!(api_login_status(&app, "alice", NEW_PASSWORD).await, 429);
}

#[tokio::test]
async fn the_sessions_page_lists_this_one_and_the_others_and_ends_the_others() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let other_browser = browser_logged_in(&app, "alice", FIREFOX).await;
    let token = token_for(&app, "alice", "curl/8.11.0").await;
    // Someone else's session is none of alice's business.
    let _bob = api::account(&http::script(), &app, &app, "bob").await;

    let page = app.get_html("/account/sessions").await;
    assert_eq!(page.matches("<li class=\"session").count(), 3, "{page}");
    assert_eq!(page.matches("this one").count(), 1, "{page}");
    for shown in [
        "Firefox",
        "curl",
        "(API token)",
        "Other browser",
        "127.0.0.1",
        "Last used",
    ] {
        assert!(page.contains(shown), "{shown} is not in {page}");
    }
    assert!(!page.contains(&token), "never the token");
    // The current session comes first.
    let this_one = page.find("this one").expect("marked");
    assert!(this_one < page.find("Firefox").expect("listed"));

    // Only with the password typed again (ASVS 7.5.2): a wrong one ends nothing.
    let csrf = hidden(&page, "csrf_token");
    let wrong = app
        .post_form(
            "/account/sessions/others",
            &[
                ("csrf_token", &csrf),
                ("current_password", "not my password"),
            ],
        )
        .await;
    let wrong = page_saying(wrong, 422, "That is not your current password.").await;
    assert!(wrong.contains("this one"), "the list is shown again");
    assert_eq!(api::me(&http::script(), &app, &token).await.status(), 200);
    let response = app
        .post_form(
            "/account/sessions/others",
            &[("csrf_token", &csrf), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = app.get_html("/account/sessions").await;
    assert!(page.contains("Your other sessions have ended"), "{page}");
    assert_eq!(page.matches("<li class=\"session").count(), 1, "{page}");
    assert!(page.contains("You are logged in here only."));

    let other = other_browser
        .get(app.url("/posts"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other.headers()["location"], "/login");
    assert_eq!(api::me(&http::script(), &app, &token).await.status(), 401);
    assert_eq!(app.get("/posts").await.status(), 200);
    assert_eq!(api::me(&http::script(), &app, &_bob).await.status(), 200);
}

#[tokio::test]
async fn ending_the_others_needs_a_post_with_the_csrf_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let token = token_for(&app, "alice", "curl/8.11.0").await;
    let get = app.get("/account/sessions/others").await;
    assert_eq!(get.status(), 405);
    let forged = app
        .post_form(
            "/account/sessions/others",
            &[("csrf_token", "forged"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(api::me(&http::script(), &app, &token).await.status(), 200);
}

async fn sessions_json(app: &TestApp, token: &str) -> (reqwest::header::HeaderMap, String) {
    let response = http::script()
        .get(app.url("/api/v1/sessions"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.text().await.expect("body"))
}

#[tokio::test]
async fn the_api_lists_sessions_by_an_opaque_id_and_marks_the_calling_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let caller = token_for(&app, "alice", "curl/8.11.0").await;
    let other = token_for(&app, "alice", "python-requests/2.32.3").await;

    let (headers, body) = sessions_json(&app, &caller).await;
    assert_eq!(headers["cache-control"], "no-store");
    let hash = quill_accounts::sessions::token_hash(&caller);
    for secret in [caller.as_str(), other.as_str(), hash.as_str(), &hash[..16]] {
        assert!(!body.contains(secret), "{body}");
    }
    let json: Value = serde_json::from_str(&body).expect("json");
    let sessions = json["sessions"].as_array().expect("a list");
    assert_eq!(sessions.len(), 3, "{json}");
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "{json}");
    assert_eq!(current[0]["browser"], "curl");
    assert_eq!(current[0]["kind"], "api");
    assert_eq!(current[0]["address"], "127.0.0.1");
    let id = current[0]["id"].as_str().expect("id");
    assert_eq!(id.len(), 16);
    assert_eq!(id, quill_accounts::sessions::public_id(&hash));
    assert!(
        current[0]["created_at"]
            .as_str()
            .expect("time")
            .ends_with('Z')
    );
    assert!(current[0]["last_used_at"].is_string());
    let kinds: Vec<_> = sessions.iter().map(|s| s["kind"].as_str()).collect();
    assert!(kinds.contains(&Some("browser")), "{json}");
    assert!(sessions.iter().any(|s| s["browser"] == "Python"), "{json}");
}

#[tokio::test]
async fn the_api_ends_the_other_sessions_and_keeps_the_calling_token() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let caller = token_for(&app, "alice", "curl/8.11.0").await;
    let other = token_for(&app, "alice", "curl/8.11.0").await;
    let end_others = |password: &'static str| {
        http::script()
            .delete(app.url("/api/v1/sessions/others"))
            .bearer_auth(&caller)
            .json(&json!({ "current_password": password }))
            .send()
    };
    // Only with the password typed again (ASVS 7.5.2): a wrong one ends nothing.
    let wrong = end_others("not my password").await.expect("DELETE");
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(
        body["error"]["fields"]["current_password"],
        "That is not your current password."
    );
    assert_eq!(api::me(&http::script(), &app, &other).await.status(), 200);
    let response = end_others(PASSWORD).await.expect("DELETE");
    assert_eq!(response.status(), 204);
    assert_eq!(api::me(&http::script(), &app, &other).await.status(), 401);
    assert_eq!(api::me(&http::script(), &app, &caller).await.status(), 200);
    assert_eq!(app.redirect_of("/posts").await, "/login", "the browser too");
    let (_, body) = sessions_json(&app, &caller).await;
    let json: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["sessions"].as_array().map(Vec::len), Some(1), "{json}");
}

async fn put_password(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    http::script()
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("PUT")
}

#[tokio::test]
async fn the_api_changes_the_password_and_ends_every_other_session() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let caller = token_for(&app, "alice", "curl/8.11.0").await;
    let other = token_for(&app, "alice", "curl/8.11.0").await;

    let wrong = put_password(
        &app,
        &caller,
        json!({ "current_password": "not my password", "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(wrong.headers()["cache-control"], "no-store");
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    assert_eq!(
        body["error"]["fields"]["current_password"],
        "That is not your current password."
    );
    let weak = put_password(
        &app,
        &caller,
        json!({ "current_password": PASSWORD, "new_password": "alice123456" }),
    )
    .await;
    assert_eq!(weak.status(), 422);
    let body: Value = weak.json().await.expect("json");
    assert!(
        body["error"]["fields"]["new_password"].is_string(),
        "{body}"
    );
    assert_eq!(api::me(&http::script(), &app, &other).await.status(), 200);

    let changed = put_password(
        &app,
        &caller,
        json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(changed.status(), 204);
    assert_eq!(api::me(&http::script(), &app, &caller).await.status(), 200);
    assert_eq!(api::me(&http::script(), &app, &other).await.status(), 401);
    assert_eq!(app.redirect_of("/posts").await, "/login", "the browser too");
    assert_eq!(api_login_status(&app, "alice", PASSWORD).await, 400);
    assert_eq!(api_login_status(&app, "alice", NEW_PASSWORD).await, 201);

    let anonymous = http::script()
        .put(app.url("/api/v1/me/password"))
        .json(
            &json!({ "current_password": NEW_PASSWORD, "new_password": "yet another passphrase" }),
        )
        .send()
        .await
        .expect("PUT");
    assert_eq!(anonymous.status(), 401);
}

/// Behind a trusted proxy (`QUILL_BEHIND_PROXY`), a session's address is the one the
/// proxy reports, as the login throttle counts it.
#[tokio::test]
async fn behind_a_proxy_the_sessions_list_shows_the_address_it_reports() {
    let app = spawn_app(&[("QUILL_BEHIND_PROXY", "true")]).await;
    app.sign_up("alice").await;
    let response = http::script()
        .post(app.url("/api/v1/sessions"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .send()
        .await
        .expect("POST");
    let token: Value = response.json().await.expect("json");
    let token = token["token"].as_str().expect("token");
    let (_, body) = sessions_json(&app, token).await;
    let json: Value = serde_json::from_str(&body).expect("json");
    let current = json["sessions"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["current"] == true))
        .expect("the calling token");
    assert_eq!(current["address"], "198.51.100.7", "{json}");
}

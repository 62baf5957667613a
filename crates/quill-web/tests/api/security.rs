//! The Security rules of docs/ARCHITECTURE.md that are about responses: headers, cookies, limits.

use quill_test_support::api::log_in;
use quill_test_support::http::{header, page_saying};
use quill_test_support::spawn_app;

#[tokio::test]
async fn pages_carry_a_strict_csp_and_safety_headers() {
    let app = spawn_app(&[]).await;
    let response = app.get("/login").await;
    let headers = response.headers();
    let csp = header(&response, "content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let page = response.text().await.expect("body");
    assert!(
        !page.contains("<script") && !page.contains("style="),
        "no inline script or style"
    );
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("quill_session="))
        .expect("a session cookie")
        .to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app(&[]).await;
    let response = app.sign_up("alice").await;
    let cookie = session_cookie(&response);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP by default: {cookie}"
    );
}

#[tokio::test]
async fn the_database_holds_only_hashes_of_session_tokens() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let token = log_in(&app.client, &app, "alice").await;
    assert!(token.len() >= 43, "at least 256 bits");
    let (raw, hashed) = (token.clone(), quill_accounts::sessions::token_hash(&token));
    let (raw_stored, hash_stored) = app
        .accounts_db()
        .read(move |conn| {
            Ok::<_, quill_accounts::AccountsError>((
                quill_accounts::sessions::exists(conn, &raw)?,
                quill_accounts::sessions::exists(conn, &hashed)?,
            ))
        })
        .await
        .expect("lookup");
    assert!(!raw_stored && hash_stored);
}

#[tokio::test]
async fn an_oversized_body_gets_the_413_page_and_stores_nothing() {
    let app = spawn_app(&[("QUILL_MAX_BODY_BYTES", "4096")]).await;
    app.sign_up("alice").await;
    let response = app.write_post("Big", &"x".repeat(10_000)).await;
    page_saying(response, 413, "more than Quill accepts").await;
    let user = app.stored_user("alice").await.expect("user");
    assert!(app.stored_posts(user.id).await.is_empty());
}

#[tokio::test]
async fn a_malformed_form_is_a_clear_400() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=a&username=b")
        .send()
        .await
        .expect("POST");
    page_saying(response, 400, "Quill could not read that form.").await;
}

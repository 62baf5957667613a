//! Health, readiness, metrics, static files, error pages, request ids.

use quill_test_support::html::link;
use quill_test_support::http::{header, page_saying};
use quill_test_support::{DataDir, TestApp, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app(&[]).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), "ok\n");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "accounts": "ok", "posts": "ok" }));
}

#[tokio::test]
async fn metrics_count_requests_and_events_in_prometheus_format() {
    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    app.write_post("Counted", "one post").await;
    let response = app.get("/metrics").await;
    assert!(header(&response, "content-type").starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.expect("body");
    assert!(
        text.contains(
            "quill_http_requests_total{method=\"POST\",route=\"/signup\",status=\"303\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("quill_events_total{event=\"post_created\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("quill_http_request_duration_seconds_count"),
        "{text}"
    );
}

async fn gunzip(response: reqwest::Response) -> String {
    let bytes = response.bytes().await.expect("body");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .expect("gzip");
    text
}

#[tokio::test]
async fn static_files_are_cached_for_a_year_and_gzipped() {
    let app = spawn_app(&[]).await;
    let page = app.get_html("/login").await;
    let stylesheet = link(&page, "/static/quill.css?v=");
    let response = app
        .get_with(stylesheet, &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert!(header(&response, "content-type").starts_with("text/css"));
    let etag = header(&response, "etag").to_owned();
    let css = gunzip(response).await;
    assert_eq!(css, include_str!("../../../../static/quill.css"));
    let plain = app.get(stylesheet).await;
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(
        plain.text().await.expect("body"),
        include_str!("../../../../static/quill.css")
    );
    let revalidated = app.get_with(stylesheet, &[("if-none-match", &etag)]).await;
    assert_eq!(revalidated.status(), 304);
}

#[tokio::test]
async fn pages_are_gzipped_for_browsers_that_take_it() {
    let app = spawn_app(&[]).await;
    let gzipped = app
        .get_with("/login", &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert!(header(&gzipped, "vary").contains("accept-encoding"));
    let page = gunzip(gzipped).await;
    assert!(
        page.contains("<form method=\"post\" action=\"/login\""),
        "{page}"
    );
    let plain = app.get("/login").await;
    assert!(!plain.headers().contains_key("content-encoding"));
    page_saying(plain, 200, "action=\"/login\"").await;
}

#[tokio::test]
async fn unknown_pages_get_the_404_page_and_a_request_id() {
    let app = spawn_app(&[]).await;
    let response = app.get("/no/such/page").await;
    assert!(response.headers().contains_key("x-request-id"));
    let page = page_saying(response, 404, "Page not found").await;
    assert!(page.contains("Error 404"));
}

#[tokio::test]
async fn the_front_page_sends_people_where_they_belong() {
    let app = spawn_app(&[]).await;
    assert_eq!(app.redirect_of("/").await, "/login");
    app.sign_up("alice").await;
    assert_eq!(app.redirect_of("/").await, "/posts");
}

#[tokio::test]
async fn a_corrupt_stored_row_gets_the_500_page_not_a_crash() {
    use diesel::{Connection, RunQueryDsl};

    let app = spawn_app(&[]).await;
    app.sign_up("alice").await;
    let user = app.stored_user("alice").await.expect("user");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    let month = quill_domain::Month::from_unix_micros(now.as_micros() as i64);
    let path = app.data_dir().join(quill_posts::embedded::FILE_NAME);
    let mut conn = diesel::SqliteConnection::establish(&path.display().to_string()).expect("open");
    // A post id that is not a timeuuid: nothing Quill writes, so only damage puts it there.
    diesel::sql_query(format!(
        "INSERT INTO posts_by_user VALUES ({}, {}, 0, zeroblob(16), 'x', 'y')",
        user.id.0,
        month.yyyymm()
    ))
    .execute(&mut conn)
    .expect("insert a damaged row");

    let response = app.get("/posts").await;
    page_saying(response, 500, "Something went wrong on our side.").await;
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "the server lives on"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_data_directory_and_its_secret_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;

    let parent = tempfile::tempdir().expect("dir");
    let data_dir = parent.path().join("fresh");
    let _app = TestApp::builder()
        .data_dir(DataDir::At(data_dir.clone()))
        .spawn()
        .await;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("secret.key")), 0o600);
}

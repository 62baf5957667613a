//! Starting an app for a test, and reading pages the way a browser would.

use std::path::Path;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use quill_accounts::PoolSize;
use quill_accounts::{Db, User};
use quill_domain::{UserId, Username};
use quill_posts::{EmbeddedPostStore, PageQuery, Post, PostStore};
use quill_web::{Application, Settings};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub data_dir: tempfile::TempDir,
    pub handle: ServerHandle,
}

/// Starts Quill with default settings plus `overrides`.
pub async fn spawn_app(overrides: &[(&str, &str)]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary data dir");
    spawn_app_in(data_dir, overrides).await
}

/// Starts Quill on an existing data directory (to test restarts).
pub async fn spawn_app_in(data_dir: tempfile::TempDir, overrides: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("QUILL_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        (
            "QUILL_DATA_DIR".to_owned(),
            data_dir.path().display().to_string(),
        ),
        ("QUILL_WORKERS".to_owned(), "2".to_owned()),
    ];
    vars.extend(
        overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let settings = Settings::from_vars(vars).expect("test settings");
    if std::env::var_os("QUILL_TEST_LOG").is_some() {
        let _ = quill_web::telemetry::init("info", quill_web::settings::LogFormat::Text);
    }
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let (client, jar) = browser_with_jar();
    TestApp {
        address,
        client,
        jar,
        data_dir,
        handle,
    }
}

/// A client that keeps cookies and does not follow redirects, so tests see them.
pub fn browser() -> reqwest::Client {
    browser_with_jar().0
}

pub fn browser_with_jar() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .build()
        .expect("client");
    (client, jar)
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in page"))
        + marker.len();
    let len = html[start..].find('"').expect("closing quote");
    html[start..start + len].to_owned()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The `Cookie` header this client sends, to replay it elsewhere.
    pub fn cookies(&self) -> String {
        let url = self.address.parse().expect("url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    /// A fresh browser (no cookies) on the same app.
    pub fn stranger(&self) -> reqwest::Client {
        browser()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token the page at `path` carries.
    pub async fn csrf(&self, path: &str) -> String {
        hidden(&self.get_html(path).await, "csrf_token")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn sign_up(&self, username: &str) -> reqwest::Response {
        let csrf = self.csrf("/signup").await;
        self.post_form(
            "/signup",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("csrf_token", &csrf),
            ],
        )
        .await
    }

    pub async fn log_in(&self, username: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf("/login").await;
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &csrf),
            ],
        )
        .await
    }

    pub async fn log_out(&self) -> reqwest::Response {
        let csrf = self.csrf("/login").await;
        self.post_form("/logout", &[("csrf_token", &csrf)]).await
    }

    /// Writes a post through the form; returns the response (a redirect on success).
    pub async fn write_post(&self, title: &str, body: &str) -> reqwest::Response {
        let page = self.get_html("/posts/new").await;
        self.post_form(
            "/posts/new",
            &[
                ("title", title),
                ("body", body),
                ("post_token", &hidden(&page, "post_token")),
                ("csrf_token", &hidden(&page, "csrf_token")),
            ],
        )
        .await
    }

    pub fn accounts_db(&self) -> Db {
        open_accounts(self.data_dir.path())
    }

    /// Looks a user up in the accounts database directly.
    pub async fn stored_user(&self, username: &str) -> Option<User> {
        let username = Username::parse(username).expect("valid username");
        self.accounts_db()
            .read(move |conn| {
                let id = quill_accounts::users::find_by_name(conn, &username)?;
                Ok::<_, quill_accounts::AccountsError>(id)
            })
            .await
            .expect("user lookup")
    }

    pub async fn user_count(&self) -> i64 {
        self.accounts_db()
            .read(|conn| {
                Ok::<_, quill_accounts::AccountsError>(quill_accounts::users::count(conn)?)
            })
            .await
            .expect("count users")
    }

    pub async fn session_count(&self, user: UserId) -> i64 {
        self.accounts_db()
            .read(move |conn| {
                Ok::<_, quill_accounts::AccountsError>(quill_accounts::sessions::count_for_user(
                    conn, user,
                )?)
            })
            .await
            .expect("count sessions")
    }

    /// Every stored post of a user, newest first, read from the post store itself.
    pub async fn stored_posts(&self, user: UserId) -> Vec<Post> {
        let store = EmbeddedPostStore::open(self.data_dir.path(), pool()).expect("post store");
        let query = PageQuery {
            before: None,
            limit: 10_000,
            newest: quill_domain::Month::from_yyyymm(999_912).expect("month"),
            oldest: quill_domain::Month::from_yyyymm(197_001).expect("month"),
        };
        store.list(user, query).await.expect("list").posts
    }

    pub async fn stop(self) -> tempfile::TempDir {
        self.handle.stop(true).await;
        self.data_dir
    }
}

fn pool() -> PoolSize {
    PoolSize {
        connections: 1,
        checkout_timeout: std::time::Duration::from_secs(5),
    }
}

pub fn open_accounts(data_dir: &Path) -> Db {
    Db::open_sqlite(data_dir, pool()).expect("accounts db")
}

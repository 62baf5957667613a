//! Quill in the test's process (`Application::build` on port 0), driven over HTTP by a
//! browser-like client: the pages' steps (sign up, log in, write a post) as methods.

mod stores;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use quill_web::{Application, Settings};
use reqwest::cookie::{CookieStore, Jar};

use crate::PASSWORD;
use crate::html::hidden;
use crate::http::{self, Site};

/// Where a [`TestApp`] keeps its data: a temporary directory it owns (deleted with
/// it), or a directory someone else keeps alive (a cluster's shared one).
#[derive(Debug)]
pub enum DataDir {
    Owned(tempfile::TempDir),
    At(PathBuf),
}

impl DataDir {
    pub fn path(&self) -> &Path {
        match self {
            DataDir::Owned(dir) => dir.path(),
            DataDir::At(path) => path,
        }
    }
}

impl From<tempfile::TempDir> for DataDir {
    fn from(dir: tempfile::TempDir) -> Self {
        DataDir::Owned(dir)
    }
}

/// Settings for a [`TestApp`]: Quill's defaults on 127.0.0.1 port 0 with two workers,
/// then the `QUILL_*` pairs given, later ones winning. Settings are given as variables
/// (`Settings::from_vars`), as an operator would, so tests do not depend on the names
/// of `Settings`' fields.
#[must_use]
pub struct TestAppBuilder {
    vars: Vec<(String, String)>,
    data_dir: Option<DataDir>,
}

impl TestAppBuilder {
    /// One `QUILL_*` setting.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.push((name.into(), value.into()));
        self
    }

    /// `QUILL_*` settings, in order.
    pub fn vars<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.vars
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The data directory: an existing one (a restart), or one shared with other
    /// instances. Without it, a new temporary directory.
    pub fn data_dir(mut self, dir: impl Into<DataDir>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Builds Quill and serves it on a task of the test's runtime.
    pub async fn spawn(self) -> TestApp {
        let data_dir = match self.data_dir {
            Some(dir) => dir,
            None => DataDir::Owned(tempfile::tempdir().expect("temporary data dir")),
        };
        let mut vars = vec![
            ("QUILL_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            (
                "QUILL_DATA_DIR".to_owned(),
                data_dir.path().display().to_string(),
            ),
            ("QUILL_WORKERS".to_owned(), "2".to_owned()),
        ];
        vars.extend(self.vars);
        let settings = Settings::from_vars(vars).expect("test settings");
        if crate::test_env::show_logs() {
            let _ = quill_web::telemetry::init("info", quill_web::settings::LogFormat::Text);
        }
        let app = Application::build(settings).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let (client, jar) = http::browser_with_jar();
        TestApp {
            address,
            client,
            jar,
            data_dir,
            handle,
        }
    }
}

/// A running Quill, its data directory, and a browser (`client`, with its cookie `jar`)
/// that the page methods use.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    data_dir: DataDir,
    handle: ServerHandle,
}

/// Quill with default settings plus `overrides`.
pub async fn spawn_app(overrides: &[(&str, &str)]) -> TestApp {
    TestApp::builder()
        .vars(overrides.iter().copied())
        .spawn()
        .await
}

impl Site for TestApp {
    fn base_url(&self) -> &str {
        &self.address
    }
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            vars: Vec::new(),
            data_dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        Site::url(self, path)
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
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
        http::browser()
    }

    /// The same app, its page methods now used by a fresh browser.
    pub fn in_new_browser(self) -> Self {
        let (client, jar) = http::browser_with_jar();
        Self {
            client,
            jar,
            ..self
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path` with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("GET")
    }

    /// `GET path` from a fresh browser that sends `cookie`, a `Cookie` header taken
    /// earlier ([`TestApp::cookies`]).
    pub async fn replay(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.stranger()
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// Where `GET path` redirects to.
    pub async fn redirect_of(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert!(
            response.status().is_redirection(),
            "GET {path}: {response:?}"
        );
        http::header(&response, "location").to_owned()
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

    /// The sign-up form with [`PASSWORD`] and the given `csrf_token`.
    pub async fn sign_up_with_csrf(&self, username: &str, csrf: &str) -> reqwest::Response {
        self.post_form(
            "/signup",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("csrf_token", csrf),
            ],
        )
        .await
    }

    /// Signs up through the form with [`PASSWORD`]; a redirect on success.
    pub async fn sign_up(&self, username: &str) -> reqwest::Response {
        let csrf = self.csrf("/signup").await;
        self.sign_up_with_csrf(username, &csrf).await
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

    /// The new-post form with the given tokens; a redirect on success.
    pub async fn submit_post(
        &self,
        title: &str,
        body: &str,
        post_token: &str,
        csrf: &str,
    ) -> reqwest::Response {
        self.post_form(
            "/posts/new",
            &[
                ("title", title),
                ("body", body),
                ("post_token", post_token),
                ("csrf_token", csrf),
            ],
        )
        .await
    }

    /// The post token and the CSRF token the new-post form carries.
    pub async fn new_post_tokens(&self) -> (String, String) {
        let page = self.get_html("/posts/new").await;
        (hidden(&page, "post_token"), hidden(&page, "csrf_token"))
    }

    /// Writes a post through the form with the tokens it shows; a redirect on success.
    pub async fn write_post(&self, title: &str, body: &str) -> reqwest::Response {
        let (post_token, csrf) = self.new_post_tokens().await;
        self.submit_post(title, body, &post_token, &csrf).await
    }

    /// Stops the server; its data directory, to start again on (a restart).
    pub async fn stop(self) -> DataDir {
        self.handle.stop(true).await;
        self.data_dir
    }
}

//! HTTP clients as the suites use them, and the sites they talk to: Quill in the
//! test's process, a `quill` process, nginx in front of two.

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::Jar;
use reqwest::redirect::Policy;

/// Something that answers HTTP at a base URL (`http://127.0.0.1:PORT`).
pub trait Site {
    fn base_url(&self) -> &str;

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }
}

/// A site known by its URL only: nginx or a `quill` process of the topology.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base: String,
}

impl Endpoint {
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }
}

impl Site for Endpoint {
    fn base_url(&self) -> &str {
        &self.base
    }
}

/// A request that hangs fails its test with this error rather than hanging it.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A browser: keeps cookies (the session, CSRF and `quill_after` cookies) in the jar it
/// returns, and does not follow redirects, so that tests see them.
pub fn browser_with_jar() -> (reqwest::Client, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(Policy::none())
        .timeout(TIMEOUT)
        .build()
        .expect("client");
    (client, jar)
}

/// A browser whose cookies the test does not look at.
pub fn browser() -> reqwest::Client {
    browser_with_jar().0
}

/// A script: bearer tokens, no cookies, redirects shown.
pub fn script() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(TIMEOUT)
        .build()
        .expect("client")
}

/// The body of a `GET url` by `client`.
pub async fn page(client: &reqwest::Client, url: &str) -> String {
    client
        .get(url)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

/// Asserts that `response` has `status` and that its page says `text`; the page.
pub async fn page_saying(response: reqwest::Response, status: u16, text: &str) -> String {
    assert_eq!(response.status(), status, "the page should say {text:?}");
    let page = response.text().await.expect("body");
    assert!(page.contains(text), "{text:?} is not in the page: {page}");
    page
}

/// A response header that must be there, as text.
pub fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("an ASCII header")
}

//! Over HTTPS (a trusted proxy's `X-Forwarded-Proto`, or `QUILL_COOKIE_SECURE`) every
//! cookie is `Secure` with a `__Host-` name, and HSTS covers subdomains; over plain
//! HTTP a first try still works.

use std::collections::BTreeMap;

use quill_test_support::http::script;
use quill_test_support::{PASSWORD, TestApp, hidden, spawn_app};

/// A browser on an HTTPS origin in front of Quill: the proxy adds `X-Forwarded-Proto`
/// (when `proto` is set); cookies are kept by name, as the browser would.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    proto: Option<&'static str>,
    cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` received, as sent.
    set_cookies: Vec<String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp, proto: Option<&'static str>) -> Self {
        Self {
            app,
            client: script(),
            proto,
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let mut request = request.header(
            "cookie",
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; "),
        );
        if let Some(proto) = self.proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let response = request.send().await.expect("request");
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().expect("ascii").to_owned();
            let (pair, _) = set.split_once(';').unwrap_or((&set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            if set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(set);
        }
        response
    }

    async fn get(&mut self, path: &str) -> reqwest::Response {
        let request = self.client.get(self.app.url(path));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let request = self.client.post(self.app.url(path)).form(form);
        self.send(request).await
    }

    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await.text().await.expect("body");
        hidden(&page, "csrf_token")
    }

    /// Signs up, writes a post, logs out and in again: every cookie Quill has.
    async fn use_quill(&mut self, username: &str) {
        let csrf = self.csrf("/signup").await;
        let response = self
            .post(
                "/signup",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "signed up");
        assert_eq!(self.get("/posts").await.status(), 200, "logged in");
        let page = self.get("/posts/new").await.text().await.expect("body");
        let (token, csrf) = (hidden(&page, "post_token"), hidden(&page, "csrf_token"));
        let response = self
            .post(
                "/posts/new",
                &[
                    ("title", "over TLS"),
                    ("body", "kept"),
                    ("post_token", &token),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "posted");
        let page = self.get("/posts").await.text().await.expect("body");
        assert!(page.contains("over TLS"), "the post is listed");
        let csrf = self.csrf("/posts").await;
        let response = self.post("/logout", &[("csrf_token", &csrf)]).await;
        assert_eq!(response.status(), 303, "logged out");
        let csrf = self.csrf("/login").await;
        let response = self
            .post(
                "/login",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "logged in again");
    }
}

fn assert_host_cookies(set_cookies: &[String]) {
    assert!(!set_cookies.is_empty());
    for set in set_cookies {
        assert!(set.starts_with("__Host-quill_"), "{set}");
        assert!(set.contains("; Secure"), "{set}");
        assert!(set.contains("Path=/"), "{set}");
        assert!(!set.to_ascii_lowercase().contains("domain="), "{set}");
    }
    for name in ["session", "csrf", "device", "flash"] {
        assert!(
            set_cookies
                .iter()
                .any(|set| set.starts_with(&format!("__Host-quill_{name}="))),
            "__Host-quill_{name} among {set_cookies:#?}"
        );
    }
}

#[tokio::test]
async fn behind_a_proxy_that_says_https_every_cookie_is_a_secure_host_cookie() {
    let app = spawn_app(&[("QUILL_BEHIND_PROXY", "true")]).await;
    let mut browser = Browser::new(&app, Some("https"));
    browser.use_quill("alice").await;
    assert_host_cookies(&browser.set_cookies);
    let response = browser.get("/posts").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn quill_cookie_secure_makes_every_request_https() {
    let app = spawn_app(&[("QUILL_COOKIE_SECURE", "true")]).await;
    let mut browser = Browser::new(&app, None);
    browser.use_quill("alice").await;
    assert_host_cookies(&browser.set_cookies);
}

#[tokio::test]
async fn over_https_a_cookie_without_the_prefix_is_ignored() {
    let app = spawn_app(&[("QUILL_BEHIND_PROXY", "true")]).await;
    let mut browser = Browser::new(&app, Some("https"));
    browser.use_quill("alice").await;
    // The same session under the plain name, as a network attacker or a sibling
    // subdomain could plant it: not a session over HTTPS.
    let session = browser.cookies["__Host-quill_session"].clone();
    browser.cookies.clear();
    browser
        .cookies
        .insert("quill_session".to_owned(), session.clone());
    let response = browser.get("/posts").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    browser.cookies.clear();
    browser
        .cookies
        .insert("__Host-quill_session".to_owned(), session);
    assert_eq!(browser.get("/posts").await.status(), 200);
}

#[tokio::test]
async fn plain_http_still_works_and_a_clients_own_forwarded_proto_is_not_trusted() {
    for vars in [vec![], vec![("QUILL_BEHIND_PROXY", "true")]] {
        let app = spawn_app(&vars).await;
        // Without QUILL_BEHIND_PROXY the header is the client's own, not a proxy's.
        let proto = vars.is_empty().then_some("https");
        let mut browser = Browser::new(&app, proto);
        browser.use_quill("alice").await;
        for set in &browser.set_cookies {
            assert!(set.starts_with("quill_"), "{set}");
            assert!(!set.contains("Secure"), "{set}");
        }
        let response = browser.get("/posts").await;
        assert!(
            !response.headers().contains_key("strict-transport-security"),
            "no HSTS over plain HTTP"
        );
    }
}

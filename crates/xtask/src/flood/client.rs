//! A virtual visitor of the flood: a browser's cookies, the forms it was last shown, the
//! account it made; it sends one form a turn and files the answer in the [`Tally`].

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use rand::Rng;
use rand::rngs::SmallRng;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, redirect};

use super::Tally;
use super::bodies::{self, Form};

pub struct Visitor {
    http: reqwest::Client,
    base: String,
    /// Cookies by name, as a browser keeps them.
    cookies: BTreeMap<String, String>,
    /// The account this visitor made: username and password.
    account: Option<(String, String)>,
    logged_in: bool,
    /// A name no other visitor uses, for its accounts.
    tag: String,
    made: u64,
}

/// Waits until Quill answers `/healthz` (at most 60 s).
pub async fn wait_until_up(base: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(res) = http.get(format!("{base}/healthz")).send().await
            && res.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("Quill did not come up on {base} within 60 s")
}

/// What came back.
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Visitor {
    pub fn new(base: &str, worker: u64, seed: u64) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .redirect(redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()?,
            base: base.to_owned(),
            cookies: BTreeMap::new(),
            account: None,
            logged_in: false,
            tag: format!("{:x}w{worker}r{:x}", seed % 0xfff, rand::random::<u16>()),
            made: 0,
        })
    }

    /// One form request (after the GET that shows the form, when the visitor needs it).
    pub async fn act(&mut self, rng: &mut SmallRng, tally: &Mutex<Tally>) {
        let form = match rng.random_range(0..100) {
            0..25 => Form::Signup,
            25..50 => Form::Login,
            50..85 => Form::NewPost,
            _ => Form::Logout,
        };
        // The page the form is on: its CSRF token, and the post token of a "new post" form.
        let page = match form {
            Form::Signup => "/signup",
            Form::Login => "/login",
            Form::NewPost if self.logged_in => "/posts/new",
            Form::Logout if self.logged_in => "/posts",
            Form::NewPost | Form::Logout => "/login",
        };
        let shown = self.send(Method::GET, page, None, None, tally).await;
        let html = shown.map(|a| a.body).unwrap_or_default();
        let csrf = bodies::hidden_field(&html, "csrf_token").unwrap_or_default();
        let post_token = bodies::hidden_field(&html, "post_token").unwrap_or_default();

        let account = match form {
            Form::Signup => {
                self.made += 1;
                let username = format!("{}n{}", self.tag, self.made);
                let password = bodies::password(rng);
                (username, password)
            }
            _ => self
                .account
                .clone()
                .unwrap_or_else(|| (format!("{}nobody", self.tag), bodies::password(rng))),
        };
        let valid = bodies::valid(form, &account, &csrf, &post_token, rng);
        let (body, content_type, mutation) = bodies::mutate(valid, rng);
        if rng.random_ratio(1, 20) {
            bodies::mutate_cookies(&mut self.cookies, rng);
        }
        let path = form.path();
        let Some(answer) = self
            .send(Method::POST, path, Some(body.clone()), content_type, tally)
            .await
        else {
            return;
        };
        // An accepted form redirects to what it made (a signed-up or logged-in visitor
        // to /posts, a post to /posts/{id}); a visitor who is not logged in is sent to
        // /login instead.
        let location = answer.location.as_deref().unwrap_or_default();
        let accepted = answer.status == 303
            && match form {
                Form::Signup | Form::Login => location == "/posts",
                Form::NewPost => location.starts_with("/posts/"),
                Form::Logout => location == "/login",
            };
        match form {
            Form::Signup if accepted => {
                // The username the form carried is the account's, as Quill folds it.
                let username = bodies::field(&body, "username").unwrap_or_default();
                let folded = username.trim().to_lowercase();
                let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                if !tally.users.insert(folded.clone()) {
                    tally.failures.push(format!(
                        "POST /signup made {folded} a second time ({mutation})"
                    ));
                }
                drop(tally);
                if folded == account.0 {
                    self.account = Some(account);
                }
                self.logged_in = true;
            }
            Form::Login if accepted => self.logged_in = true,
            Form::NewPost if accepted => {
                let id = location.trim_start_matches("/posts/").to_owned();
                let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                tally.posts.insert(id);
            }
            Form::Logout if accepted => self.logged_in = false,
            _ => {}
        }
        // A session can end without a logout (a mutated cookie): the next page says so.
        if location == "/login" && form != Form::Logout {
            self.logged_in = false;
        }
    }

    /// Sends a request with the visitor's cookies, keeps the cookies it sets, files the
    /// status; `None` when it failed (filed as a failure).
    async fn send(
        &mut self,
        method: Method,
        path: &'static str,
        body: Option<Vec<u8>>,
        content_type: Option<&'static str>,
        tally: &Mutex<Tally>,
    ) -> Option<Answer> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header(COOKIE, cookies.join("; "));
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let sent_len = body.as_ref().map_or(0, Vec::len);
        if let Some(body) = body {
            request = request.body(body);
        }
        let result = async {
            let res = request.send().await?;
            let status = res.status().as_u16();
            for value in res.headers().get_all(SET_COOKIE) {
                if let Ok(value) = value.to_str() {
                    self.keep_cookie(value);
                }
            }
            let location = res
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            let body = res.text().await.unwrap_or_default();
            reqwest::Result::Ok(Answer {
                status,
                location,
                body,
            })
        }
        .await;
        let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(answer) => {
                *tally.answers.entry((path, answer.status)).or_default() += 1;
                if answer.status >= 500 {
                    tally.failures.push(format!(
                        "{method} {path} ({sent_len} bytes) answered {}: {}",
                        answer.status,
                        answer.body.chars().take(200).collect::<String>()
                    ));
                }
                Some(answer)
            }
            Err(e) => {
                *tally.answers.entry((path, 0)).or_default() += 1;
                tally
                    .failures
                    .push(format!("{method} {path} ({sent_len} bytes) failed: {e}"));
                None
            }
        }
    }

    /// Keeps (or, when it is a removal, forgets) the cookie a `Set-Cookie` header sets.
    fn keep_cookie(&mut self, header: &str) {
        let mut attributes = header.split(';');
        let Some((name, value)) = attributes.next().and_then(|c| c.split_once('=')) else {
            return;
        };
        let removal = value.is_empty()
            || attributes.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("expires=thu, 01 jan 1970")
            });
        if removal {
            self.cookies.remove(name.trim());
        } else {
            self.cookies
                .insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
}

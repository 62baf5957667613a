//! What every page shares: who is logged in, the CSRF token for the header's logout
//! form, the flash message, and versioned asset URLs. Also the logged-in user extractor.

use std::collections::HashMap;
use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use quill_domain::{Month, UserId};

use crate::csrf::Csrf;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::static_files;

/// Session keys of a logged-in browser session.
pub const SESSION_USER_ID: &str = quill_accounts::sessions::USER_ID_KEY;
pub const SESSION_USERNAME: &str = "username";
pub const SESSION_SINCE: &str = "since";

pub struct Chrome {
    pub username: Option<String>,
    pub csrf_token: String,
    pub flash: Option<&'static str>,
    pub css: &'static str,
    pub icon: &'static str,
}

impl FromRequest for Chrome {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csrf = match Csrf::from_request(req, payload).into_inner() {
            Ok(csrf) => csrf,
            Err(e) => return ready(Err(e)),
        };
        let username = req
            .get_session()
            .get::<String>(SESSION_USERNAME)
            .ok()
            .flatten();
        ready(Ok(Self {
            username,
            csrf_token: csrf.token(),
            flash: Flash::of(req).map(Flash::message),
            css: static_files::url("quill.css"),
            icon: static_files::url("icon.svg"),
        }))
    }
}

/// The logged-in user of a browser session; pages that need one redirect to /login.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub since: Month,
}

impl CurrentUser {
    pub fn of_session(session: &Session) -> Option<Self> {
        Self::of_state(&session.entries())
    }

    /// Reads a session's state, whose values are JSON as actix-session stores them.
    pub fn of_state(state: &HashMap<String, String>) -> Option<Self> {
        fn get<T: serde::de::DeserializeOwned>(
            state: &HashMap<String, String>,
            key: &str,
        ) -> Option<T> {
            serde_json::from_str(state.get(key)?).ok()
        }
        let id = get::<i64>(state, SESSION_USER_ID)?;
        let username = get::<String>(state, SESSION_USERNAME)?;
        let since = Month::from_yyyymm(get::<i32>(state, SESSION_SINCE)?)?;
        Some(Self {
            id: UserId(id),
            username,
            since,
        })
    }
}

impl FromRequest for CurrentUser {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of_session(&req.get_session()).ok_or(PageError(Problem::LoginRequired)))
    }
}

/// Renders a page template as a 200 HTML response.
pub fn render(page: &impl Template) -> Result<HttpResponse, PageError> {
    render_status(page, StatusCode::OK)
}

/// Renders a page template with another status, e.g. a form sent back with its errors.
pub fn render_status(page: &impl Template, status: StatusCode) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render().map_err(Problem::from)?))
}

/// A 303 redirect (the answer to a successful form POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

impl CurrentUser {
    /// The session state of a logged-in `user`, as `start` leaves it.
    pub fn state_of(user: &quill_accounts::User) -> HashMap<String, String> {
        HashMap::from([
            (SESSION_USER_ID.to_owned(), user.id.0.to_string()),
            (
                SESSION_USERNAME.to_owned(),
                serde_json::Value::from(user.username.as_str()).to_string(),
            ),
            (
                SESSION_SINCE.to_owned(),
                user.since_month().yyyymm().to_string(),
            ),
        ])
    }

    /// Logs `user` in on this browser session, under a new session key (no fixation).
    pub fn start(session: &Session, user: &quill_accounts::User) -> Result<(), Problem> {
        session.clear();
        session.renew();
        for (key, value) in Self::state_of(user) {
            let value: serde_json::Value =
                serde_json::from_str(&value).map_err(|e| Problem::Internal(e.into()))?;
            session
                .insert(key, value)
                .map_err(|e| Problem::Internal(anyhow::anyhow!("{e}")))?;
        }
        Ok(())
    }
}

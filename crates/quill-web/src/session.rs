//! The browser session: the keys a logged-in session holds, the [`CurrentUser`]
//! extractor for pages, and starting a session at login.

use std::collections::HashMap;
use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use quill_accounts::sessions;
use quill_domain::{Month, UserId};

use crate::app::{Client, CurrentUser};
use crate::csrf;
use crate::errors::{PageError, Problem};

/// Session keys of a logged-in browser session.
pub const SESSION_USER_ID: &str = quill_accounts::sessions::USER_ID_KEY;
pub const SESSION_USERNAME: &str = "username";
pub const SESSION_SINCE: &str = "since";

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
            session: get::<String>(state, sessions::PUBLIC_ID_KEY),
        })
    }

    /// The session state of a logged-in `user`, as `start` leaves it, with the client
    /// it starts for (which the session store mirrors into columns of its own).
    pub fn state_of(user: &quill_accounts::User, client: &Client) -> HashMap<String, String> {
        let text = |value: &str| serde_json::Value::from(value).to_string();
        let mut state = HashMap::from([
            (
                sessions::ADDRESS_KEY.to_owned(),
                text(&client.address.to_string()),
            ),
            (SESSION_USER_ID.to_owned(), user.id.0.to_string()),
            (
                SESSION_USERNAME.to_owned(),
                serde_json::Value::from(user.username.as_str()).to_string(),
            ),
            (
                SESSION_SINCE.to_owned(),
                user.since_month().yyyymm().to_string(),
            ),
        ]);
        if let Some(agent) = &client.agent {
            state.insert(sessions::AGENT_KEY.to_owned(), text(agent));
        }
        state
    }

    /// Logs `user`, coming from `client`, in on this browser session, under a new
    /// session key (no fixation) with a new CSRF secret; the visitor's CSRF seed is
    /// renewed too.
    pub fn start(
        req: &HttpRequest,
        user: &quill_accounts::User,
        client: &Client,
    ) -> Result<(), Problem> {
        let session = req.get_session();
        session.clear();
        session.renew();
        let mut state = Self::state_of(user, client);
        state.insert(
            csrf::SESSION_SECRET.to_owned(),
            serde_json::Value::from(csrf::new_session_secret()).to_string(),
        );
        for (key, value) in state {
            let value: serde_json::Value =
                serde_json::from_str(&value).map_err(|e| Problem::Internal(e.into()))?;
            session
                .insert(key, value)
                .map_err(|e| Problem::Internal(anyhow::anyhow!("{e}")))?;
        }
        csrf::renew_seed(req);
        Ok(())
    }

    /// Logs this browser session out, server side too, and renews the CSRF seed.
    pub fn end(req: &HttpRequest) {
        req.get_session().purge();
        csrf::renew_seed(req);
    }
}

/// The logged-in user of a browser session; pages that need one redirect to /login.
impl FromRequest for CurrentUser {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of_session(&req.get_session()).ok_or(PageError(Problem::LoginRequired)))
    }
}

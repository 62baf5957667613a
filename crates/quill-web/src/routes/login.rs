//! `/login`: check a username and password, throttled per account and per address.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_accounts::{LogInError, User};
use quill_domain::{Password, Username};
use serde::Deserialize;

use crate::csrf::Csrf;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::layout::{Chrome, CurrentUser, render, render_status};
use crate::metrics::{Event, Metrics};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    error: Option<String>,
}

/// A username and password, from the login form or from API JSON (without CSRF token).
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&LoginPage {
        chrome,
        username: String::new(),
        error: None,
    })
}

/// Why a login attempt failed, for the page or the API to word.
pub enum Refusal {
    WrongCredentials,
    Throttled(Problem),
}

/// Checks a login attempt against the throttle and the accounts store.
pub async fn authenticate(
    state: &AppState,
    metrics: &Metrics,
    req: &HttpRequest,
    username: &str,
    password: &str,
) -> Result<Result<User, Refusal>, Problem> {
    let address = state.client_ip(req);
    let account = username.trim().to_lowercase();
    if let Err(throttled) = state.throttle.check(&account, address).await? {
        metrics.record(Event::LogInThrottled);
        return Ok(Err(Refusal::Throttled(Problem::TooManyRequests {
            retry_after_secs: throttled.retry_after_secs.max(1),
        })));
    }
    let parsed = Username::parse(username)
        .ok()
        .zip(Password::parse_login(password).ok());
    let outcome = match parsed {
        Some((username, password)) => state.accounts.log_in(&username, password).await,
        None => Err(LogInError::InvalidCredentials),
    };
    match outcome {
        Ok(user) => {
            if let Err(error) = state.throttle.record_success(&account).await {
                tracing::warn!(%error, "login throttle not cleared");
            }
            metrics.record(Event::LogIn);
            Ok(Ok(user))
        }
        Err(LogInError::InvalidCredentials) => {
            if let Err(error) = state.throttle.record_failure(&account, address).await {
                tracing::warn!(%error, "failed login not counted");
            }
            metrics.record(Event::LogInFailed);
            Ok(Err(Refusal::WrongCredentials))
        }
        Err(LogInError::Other(e)) => Err(e.into()),
    }
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    session: Session,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    match authenticate(&state, &metrics, &req, &form.username, &form.password).await? {
        Ok(user) => {
            CurrentUser::start(&session, &user)?;
            Ok(Flash::LoggedIn.redirect("/posts"))
        }
        Err(Refusal::Throttled(problem)) => Err(problem.into()),
        Err(Refusal::WrongCredentials) => {
            let page = LoginPage {
                chrome,
                username: form.username.trim().to_owned(),
                error: Some(LogInError::InvalidCredentials.to_string()),
            };
            render_status(&page, StatusCode::UNAUTHORIZED)
        }
    }
}

//! `/signup`: make an account and land on the (empty) timeline, logged in.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use quill_accounts::SignUpError;
use quill_domain::{Password, Username};
use serde::Deserialize;

use crate::csrf::Csrf;
use crate::errors::PageError;
use crate::flash::Flash;
use crate::layout::{Chrome, CurrentUser, render, render_status};
use crate::metrics::{Event, Metrics};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    username: String,
    errors: BTreeMap<&'static str, String>,
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&SignupPage {
        chrome,
        username: String::new(),
        errors: BTreeMap::new(),
    })
}

/// The parsed form, or a message per field that failed.
pub fn parse(
    username: &str,
    password: &str,
    password_confirm: Option<&str>,
) -> Result<(Username, Password), BTreeMap<&'static str, String>> {
    let mut errors = BTreeMap::new();
    let username = Username::parse(username)
        .map_err(|e| errors.insert("username", e.to_string()))
        .ok();
    let password = Password::parse_new(password)
        .map_err(|e| errors.insert("password", e.to_string()))
        .ok();
    if let (Some(password), Some(confirm)) = (&password, password_confirm)
        && password.expose() != confirm
    {
        errors.insert("password_confirm", "The two passwords do not match.".into());
    }
    match (username, password) {
        (Some(username), Some(password)) if errors.is_empty() => Ok((username, password)),
        _ => Err(errors),
    }
}

pub async fn post(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    session: Session,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    let form = form.into_inner();
    let refuse = |errors| {
        let page = SignupPage {
            chrome,
            username: form.username.clone(),
            errors,
        };
        render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let (username, password) =
        match parse(&form.username, &form.password, Some(&form.password_confirm)) {
            Ok(parsed) => parsed,
            Err(errors) => return refuse(errors),
        };
    let user = match state.accounts.sign_up(username, password).await {
        Ok(user) => user,
        Err(e @ SignUpError::UsernameTaken) => {
            return refuse(BTreeMap::from([("username", e.to_string())]));
        }
        Err(e) => return Err(e.into()),
    };
    metrics.record(Event::SignUp);
    CurrentUser::start(&session, &user)?;
    Ok(Flash::SignedUp.redirect("/posts"))
}

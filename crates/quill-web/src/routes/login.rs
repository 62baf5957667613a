//! `/login`: the login form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_domain::Username;
use serde::Deserialize;

use crate::app::CurrentUser;
use crate::app::accounts::{self, Attempt, LogIn};
use crate::csrf::Csrf;
use crate::device;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::metrics::Metrics;
use crate::page::{Chrome, render, render_status};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn get(chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&LoginPage {
        chrome,
        username: String::new(),
        error: None,
    })
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    metrics: web::Data<Metrics>,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    let account = Username::fold(&form.username);
    let device = device::of(&req, &secrets.device, &account);
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: device.as_deref(),
    };
    match accounts::log_in(&state, &metrics, attempt, &form.username, &form.password).await? {
        LogIn::Welcome(user) => {
            CurrentUser::start(&req, &user, &state.client(&req))?;
            let mut response = Flash::LoggedIn.redirect("/posts");
            let device = device::cookie(&secrets.device, &account, device);
            response
                .add_cookie(&device)
                .map_err(|e| Problem::Internal(e.into()))?;
            Ok(response)
        }
        LogIn::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
        LogIn::WrongCredentials => {
            let page = LoginPage {
                chrome,
                username: form.username.trim().to_owned(),
                error: Some(accounts::wrong_credentials()),
            };
            render_status(&page, StatusCode::UNAUTHORIZED)
        }
    }
}

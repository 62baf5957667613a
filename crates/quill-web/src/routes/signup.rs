//! `/signup`: make an account and land on the (empty) timeline, logged in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_accounts::Action;
use serde::Deserialize;

use crate::app::accounts::{self, NewAccount, SignUp};
use crate::app::{CurrentUser, FieldErrors};
use crate::csrf::Csrf;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::metrics::Metrics;
use crate::page::{Chrome, render, render_status};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    username: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn get(chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&SignupPage {
        chrome,
        username: String::new(),
        errors: FieldErrors::new(),
    })
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    let account = NewAccount {
        username: &form.username,
        password: &form.password,
        password_confirm: Some(&form.password_confirm),
    };
    let address = state.client_ip(&req);
    match accounts::sign_up(&state, &metrics, address, account).await? {
        SignUp::Created(user) => {
            CurrentUser::start(&req, &user, &state.client(&req))?;
            Ok(Flash::SignedUp.redirect("/posts"))
        }
        SignUp::Limited(limited) => Err(Problem::RateLimited {
            action: Action::SignUp,
            limited,
        }
        .into()),
        SignUp::Refused(errors) => {
            let page = SignupPage {
                chrome,
                username: form.into_inner().username,
                errors,
            };
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

//! `/account/password`: change one's password; the other sessions end, and this one
//! goes on under a new session key.

use actix_session::SessionExt;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_domain::Username;
use serde::Deserialize;

use crate::app::password::{self, ChangePassword, PasswordChange};
use crate::app::{CurrentUser, FieldErrors, accounts::Attempt};
use crate::csrf::{self, Csrf};
use crate::device;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::page::{Chrome, render, render_status};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub new_password_confirm: String,
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn get(_user: CurrentUser, chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&PasswordPage {
        chrome,
        errors: FieldErrors::new(),
    })
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    user: CurrentUser,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    // The browser's device cookie counts its attempts apart, as at login.
    let device = device::of(&req, &secrets.device, &Username::fold(&user.username));
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: device.as_deref(),
    };
    let change = PasswordChange {
        current: &form.current_password,
        new: &form.new_password,
        confirm: Some(&form.new_password_confirm),
    };
    match password::change_password(&state, &user, attempt, change).await? {
        ChangePassword::Changed { .. } => {
            // Authenticated again: this browser goes on under a new session key and
            // CSRF secret, and the old key ends (ASVS 7.2.4), as at login.
            let session = req.get_session();
            session.renew();
            session
                .insert(csrf::SESSION_SECRET, csrf::new_session_secret())
                .map_err(|e| Problem::Internal(anyhow::anyhow!("{e}")))?;
            Ok(Flash::PasswordChanged.redirect("/account/sessions"))
        }
        ChangePassword::Refused(errors) => render_status(
            &PasswordPage { chrome, errors },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ChangePassword::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

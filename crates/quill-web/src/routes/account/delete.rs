//! `/account/delete`: delete one's account, with the password and the username typed
//! again; the browser is logged out either way the deletion ends.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_domain::Username;
use serde::Deserialize;

use crate::app::deletion::{self, DeleteAccount, DeleteRequest};
use crate::app::{CurrentUser, FieldErrors, accounts::Attempt};
use crate::csrf::Csrf;
use crate::device;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::page::{Chrome, render, render_status};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage {
    chrome: Chrome,
    username: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(user: CurrentUser, chrome: Chrome) -> Result<HttpResponse, PageError> {
    render(&DeletePage {
        chrome,
        username: user.username,
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
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    // The browser's device cookie counts its attempts apart, as at login.
    let device = device::of(&req, &secrets.device, &Username::fold(&user.username));
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: device.as_deref(),
    };
    let request = DeleteRequest {
        password: &form.current_password,
        confirm: Some(&form.confirm),
    };
    match deletion::delete_account(&state, &user, attempt, request).await? {
        DeleteAccount::Deleted => {
            CurrentUser::end(&req);
            Ok(Flash::AccountDeleted.redirect("/"))
        }
        DeleteAccount::Pending => {
            CurrentUser::end(&req);
            Ok(Flash::AccountDeleting.redirect("/"))
        }
        DeleteAccount::Refused(errors) => render_status(
            &DeletePage {
                chrome,
                username: user.username,
                errors,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        DeleteAccount::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

//! `/account/sessions`: one's live sessions, and ending all but this one.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use quill_domain::Username;
use serde::Deserialize;

use crate::app::accounts::Attempt;
use crate::app::password::{Reauth, WRONG_CURRENT};
use crate::app::sessions::{self, SessionView};
use crate::app::{CurrentUser, FieldErrors};
use crate::csrf::Csrf;
use crate::device;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::page::{Chrome, render, render_status};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionView>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct EndOthersForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    chrome: Chrome,
) -> Result<HttpResponse, PageError> {
    let sessions = sessions::list(&state, &user).await?;
    render(&SessionsPage {
        chrome,
        sessions,
        errors: FieldErrors::new(),
    })
}

/// Ends the other sessions once the password is typed again; a wrong one shows the
/// page again, saying so.
pub async fn end_others(
    req: HttpRequest,
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    user: CurrentUser,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<EndOthersForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    let device = device::of(&req, &secrets.device, &Username::fold(&user.username));
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: device.as_deref(),
    };
    match sessions::end_others(&state, &user, attempt, &form.current_password).await? {
        Reauth::Confirmed => Ok(Flash::OthersEnded.redirect("/account/sessions")),
        Reauth::Wrong => {
            let page = SessionsPage {
                chrome,
                sessions: sessions::list(&state, &user).await?,
                errors: FieldErrors::from([("current_password", WRONG_CURRENT.to_owned())]),
            };
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Reauth::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

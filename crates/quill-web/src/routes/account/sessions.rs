//! `/account/sessions`: one's live sessions, and ending all but this one.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::CurrentUser;
use crate::app::sessions::{self, SessionView};
use crate::csrf::Csrf;
use crate::errors::PageError;
use crate::flash::Flash;
use crate::page::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionView>,
}

#[derive(Deserialize)]
pub struct EndOthersForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    chrome: Chrome,
) -> Result<HttpResponse, PageError> {
    let sessions = sessions::list(&state, &user).await?;
    render(&SessionsPage { chrome, sessions })
}

pub async fn end_others(
    state: web::Data<AppState>,
    user: CurrentUser,
    csrf: Csrf,
    form: web::Form<EndOthersForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    sessions::end_others(&state, &user).await?;
    Ok(Flash::OthersEnded.redirect("/account/sessions"))
}

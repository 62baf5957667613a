//! `POST /logout`: end the session, server side too.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::csrf::Csrf;
use crate::errors::PageError;
use crate::flash::Flash;

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn post(
    session: Session,
    csrf: Csrf,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    session.purge();
    Ok(Flash::LoggedOut.redirect("/login"))
}

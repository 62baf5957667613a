//! `POST /logout`: end the session, server side too.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::CurrentUser;
use crate::csrf::Csrf;
use crate::errors::PageError;
use crate::flash::Flash;

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    pub csrf_token: String,
}

pub async fn post(
    req: HttpRequest,
    csrf: Csrf,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    CurrentUser::end(&req);
    Ok(Flash::LoggedOut.redirect("/login"))
}

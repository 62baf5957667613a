//! What every page shares: the chrome around it (who is logged in, the CSRF token for
//! the header's logout form, the flash message, versioned asset URLs) and rendering.

use std::future::{Ready, ready};

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;

use crate::csrf::Csrf;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::session::SESSION_USERNAME;
use crate::static_files;

pub struct Chrome {
    pub username: Option<String>,
    pub csrf_token: String,
    pub flash: Option<&'static str>,
    pub css: &'static str,
    pub icon: &'static str,
}

impl FromRequest for Chrome {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csrf = match Csrf::from_request(req, payload).into_inner() {
            Ok(csrf) => csrf,
            Err(e) => return ready(Err(e)),
        };
        let username = req
            .get_session()
            .get::<String>(SESSION_USERNAME)
            .ok()
            .flatten();
        ready(Ok(Self {
            username,
            csrf_token: csrf.token(),
            flash: Flash::of(req).map(Flash::message),
            css: static_files::url("quill.css"),
            icon: static_files::url("icon.svg"),
        }))
    }
}

/// Renders a page template as a 200 HTML response.
pub fn render(page: &impl Template) -> Result<HttpResponse, PageError> {
    render_status(page, StatusCode::OK)
}

/// Renders a page template with another status, e.g. a form sent back with its errors.
pub fn render_status(page: &impl Template, status: StatusCode) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(page.render().map_err(Problem::from)?))
}

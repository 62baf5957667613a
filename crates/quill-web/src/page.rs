//! What every page shares: the chrome around it (who is logged in, the CSRF token for
//! the header's logout form, the flash message, versioned asset URLs) and rendering.

use std::future::{Ready, ready};
use std::sync::atomic::{AtomicUsize, Ordering};

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
pub fn render_status<T: Template>(page: &T, status: StatusCode) -> Result<HttpResponse, PageError> {
    let mut html = String::with_capacity(T::SIZE_HINT.max(LARGEST_PAGE.load(Ordering::Relaxed)));
    page.render_into(&mut html).map_err(Problem::from)?;
    LARGEST_PAGE.fetch_max(html.len().min(PAGE_CAPACITY_CAP), Ordering::Relaxed);
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

/// The largest page rendered so far, up to [`PAGE_CAPACITY_CAP`]: a page's buffer starts
/// that large, so that rendering a list of posts does not grow (and copy) it five
/// times over. askama's own hint counts only a template's fixed text.
static LARGEST_PAGE: AtomicUsize = AtomicUsize::new(0);

/// Below glibc's threshold for handing out memory by `mmap`, which costs system calls
/// and page faults on every page.
const PAGE_CAPACITY_CAP: usize = 64 * 1024;

//! The error policy, in one place.
//!
//! Handlers fail with a [`Problem`]: what went wrong, in terms a client can act on. Page
//! handlers wrap it in [`PageError`], which renders `templates/error.html`; API handlers
//! wrap it in [`ApiError`], which renders JSON. Internal causes are logged with the
//! request's span and never shown. Responses the framework makes on its own (an unknown
//! route, a wrong method) get the same treatment in [`render_bare_errors`].

use std::collections::BTreeMap;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;

use crate::app::Failure;
use crate::app::posts::BadCursor;

#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    BadRequest(String),
    #[error("Log in to continue.")]
    LoginRequired,
    #[error(
        "This form has expired or did not come from Quill. Go back, reload the page and try again."
    )]
    Forbidden,
    #[error("There is nothing here.")]
    NotFound,
    #[error("This address does not accept that method.")]
    MethodNotAllowed,
    #[error("That was more than Quill accepts in one request. Shorten it and try again.")]
    PayloadTooLarge,
    #[error("Too many attempts. Wait {retry_after_secs} seconds and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("Some fields need another look.")]
    Invalid(BTreeMap<&'static str, String>),
    #[error("Quill is busy or one of its stores is unreachable. Try again in a moment.")]
    Unavailable(#[source] anyhow::Error),
    #[error("Something went wrong on our side. It has been logged; try again later.")]
    Internal(#[source] anyhow::Error),
}

impl Problem {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::LoginRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short stable name for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::LoginRequired => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Invalid(_) => "invalid",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) | Self::Invalid(_) => "That request did not make sense",
            Self::LoginRequired => "Log in to continue",
            Self::Forbidden => "That form could not be accepted",
            Self::NotFound => "Page not found",
            Self::MethodNotAllowed => "Not allowed",
            Self::PayloadTooLarge => "Too large",
            Self::TooManyRequests { .. } => "Slow down",
            Self::Unavailable(_) => "Temporarily unavailable",
            Self::Internal(_) => "Something went wrong",
        }
    }

    fn log(&self) {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "store unavailable"),
            _ => {}
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            Self::Unavailable(_) => Some(1),
            _ => None,
        }
    }
}

impl From<Failure> for Problem {
    fn from(e: Failure) -> Self {
        match e {
            Failure::Unavailable(cause) => Self::Unavailable(cause),
            Failure::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<BadCursor> for Problem {
    fn from(e: BadCursor) -> Self {
        Self::BadRequest(e.to_string())
    }
}

impl From<askama::Error> for Problem {
    fn from(e: askama::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// A problem answered with an HTML page.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub Problem);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    css: &'static str,
    status: u16,
    title: &'a str,
    message: String,
}

/// Renders the error page for `problem`; used for handler errors and bare framework
/// responses alike.
pub fn error_page(problem: &Problem) -> HttpResponse {
    problem.log();
    let status = problem.status();
    if matches!(problem, Problem::LoginRequired) {
        return HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/login"))
            .finish();
    }
    let page = ErrorPage {
        css: crate::static_files::url("quill.css"),
        status: status.as_u16(),
        title: problem.title(),
        message: problem.to_string(),
    };
    let mut response = HttpResponse::build(status);
    if let Some(secs) = problem.retry_after() {
        response.insert_header((header::RETRY_AFTER, secs));
    }
    match page.render() {
        Ok(html) => response.content_type("text/html; charset=utf-8").body(html),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            response
                .content_type("text/plain; charset=utf-8")
                .body(page.message)
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        error_page(&self.0)
    }
}

/// A problem answered with JSON: `{"error": {"code", "message", "fields"?}}`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub Problem);

#[derive(Serialize)]
struct ApiErrorBody<'a> {
    error: ApiErrorDetail<'a>,
}

#[derive(Serialize)]
struct ApiErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a BTreeMap<&'static str, String>>,
}

pub fn api_error_response(problem: &Problem) -> HttpResponse {
    problem.log();
    let mut response = HttpResponse::build(problem.status());
    if let Some(secs) = problem.retry_after() {
        response.insert_header((header::RETRY_AFTER, secs));
    }
    if matches!(problem, Problem::LoginRequired) {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    response.json(ApiErrorBody {
        error: ApiErrorDetail {
            code: problem.code(),
            message: problem.to_string(),
            fields: match problem {
                Problem::Invalid(fields) => Some(fields),
                _ => None,
            },
        },
    })
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        api_error_response(&self.0)
    }
}

macro_rules! into_wrapped {
    ($($source:ty),*) => {$(
        impl From<$source> for PageError {
            fn from(e: $source) -> Self {
                Self(e.into())
            }
        }
        impl From<$source> for ApiError {
            fn from(e: $source) -> Self {
                Self(e.into())
            }
        }
    )*};
}
into_wrapped!(Failure, BadCursor, askama::Error);

/// Gives responses the framework produced itself (no content type: unknown routes, wrong
/// methods, failed extractors) a rendered page, or JSON under `/api/`.
pub fn render_bare_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.response().headers().contains_key(header::CONTENT_TYPE) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let problem = match res.status() {
        StatusCode::NOT_FOUND => Problem::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Problem::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Problem::PayloadTooLarge,
        StatusCode::FORBIDDEN => Problem::Forbidden,
        status if status.is_client_error() => {
            Problem::BadRequest("Quill could not read that request.".into())
        }
        status => Problem::Internal(anyhow::anyhow!("bare {status} response")),
    };
    let is_api = crate::routes::is_api(res.request());
    let (req, _) = res.into_parts();
    let mut response = if is_api {
        api_error_response(&problem)
    } else {
        error_page(&problem)
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let res = ServiceResponse::new(req, response.map_into_boxed_body()).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

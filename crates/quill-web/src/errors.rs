//! The error policy, in one place.
//!
//! Handlers fail with a [`Problem`]: what went wrong, in terms a client can act on. Page
//! handlers wrap it in [`PageError`], which renders `templates/error.html`; API handlers
//! wrap it in [`ApiError`], which renders JSON. Internal causes are logged with the
//! request's span and never shown. Responses the framework makes on its own (an unknown
//! route, a wrong method) get the same treatment in [`render_bare_errors`].

use std::collections::BTreeMap;

use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, QueryPayloadError, UrlencodedError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use quill_accounts::{Action, Limited, LimitedBy};
use serde::Serialize;

use crate::app::Failure;
use crate::app::posts::BadCursor;

#[derive(thiserror::Error)]
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
    /// A rate limit (per address or in all) refused an action that makes something.
    #[error("{}", rate_limited(*.action, *.limited))]
    RateLimited { action: Action, limited: Limited },
    #[error("Some fields need another look.")]
    Invalid(BTreeMap<&'static str, String>),
    #[error("Quill is busy or one of its stores is unreachable. Try again in a moment.")]
    Unavailable(#[source] anyhow::Error),
    #[error("Something went wrong on our side. It has been logged; try again later.")]
    Internal(#[source] anyhow::Error),
}

/// A problem's short stable name, for API clients: `error.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    TooManyRequests,
    Invalid,
    Unavailable,
    Internal,
}

impl ErrorCode {
    /// The name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests => "too_many_requests",
            Self::Invalid => "invalid",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

/// What the request log shows of a problem: its code and, for a failure, the cause's
/// chain of messages. Never a backtrace: most problems are expected (a bad form, a store
/// away for a moment), and a bug's backtrace is logged once, by `log`.
impl std::fmt::Debug for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(cause) | Self::Internal(cause) => {
                write!(f, "{}: {cause:#}", self.code().as_str())
            }
            other => f.write_str(other.code().as_str()),
        }
    }
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
            Self::TooManyRequests { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short stable name for API clients.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::LoginRequired => ErrorCode::Unauthorized,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::TooManyRequests { .. } | Self::RateLimited { .. } => ErrorCode::TooManyRequests,
            Self::Invalid(_) => ErrorCode::Invalid,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
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
            Self::TooManyRequests { .. } | Self::RateLimited { .. } => "Slow down",
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
            Self::RateLimited { limited, .. } => Some(limited.retry_after_secs),
            Self::Unavailable(_) => Some(1),
            _ => None,
        }
    }
}

/// What a person is told when a rate limit refuses them: what, whose share ran out, and
/// when to come back.
fn rate_limited(action: Action, limited: Limited) -> String {
    let what = match (action, limited.by) {
        (Action::SignUp, LimitedBy::Address) => {
            "Too many accounts have been made from your network."
        }
        (Action::SignUp, LimitedBy::Everyone) => "Quill is taking no more new accounts just now.",
        (Action::ApiSession, LimitedBy::Address) => "Too many API logins from your network.",
        (Action::ApiSession, LimitedBy::Everyone) => "Quill is taking no more API logins just now.",
        (Action::PostToken, LimitedBy::Address) => "Too many post tokens from your network.",
        (Action::PostToken, LimitedBy::Everyone) => {
            "Quill is handing out no more post tokens just now."
        }
    };
    format!("{what} Try again in {}.", wait(limited.retry_after_secs))
}

/// A wait as people say it: seconds up to a minute and a half, then whole minutes,
/// rounded up.
fn wait(secs: u64) -> String {
    match secs {
        1 => "1 second".to_owned(),
        0..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
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

/// The body of every API error (`Error` in the OpenAPI document).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ApiErrorBody<'a> {
    error: ApiErrorDetail<'a>,
}

/// What went wrong: a stable `code`, a message for people, and for `invalid` a message
/// per field.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorDetail)]
struct ApiErrorDetail<'a> {
    code: ErrorCode,
    #[schema(example = "Some fields need another look.")]
    message: String,
    /// Only for `invalid`: the field's name, and what to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = BTreeMap<String, String>, required = false)]
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

/// A form body Quill could not read: too large, or not a form.
pub fn unreadable_form(e: UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    let problem = match e {
        UrlencodedError::Overflow { .. } => Problem::PayloadTooLarge,
        _ => Problem::BadRequest("Quill could not read that form.".into()),
    };
    PageError(problem).into()
}

/// A JSON body Quill could not read, said in Quill's words: serde's messages name Rust
/// types and parser positions, which mean nothing to a client.
pub fn unreadable_json(e: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let message = match e {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            return ApiError(Problem::PayloadTooLarge).into();
        }
        JsonPayloadError::ContentType => {
            "Send the body as JSON, with Content-Type: application/json."
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            "That JSON has a field of the wrong kind: each field this request takes is a string."
        }
        JsonPayloadError::Deserialize(_) => "That body is not valid JSON: send one JSON object.",
        _ => "Quill could not read that request's body.",
    };
    ApiError(Problem::BadRequest(message.into())).into()
}

/// A query string Quill could not read.
pub fn unreadable_query(_: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    let problem = Problem::BadRequest("That address has a malformed query.".into());
    if crate::routes::is_api(req) {
        ApiError(problem).into()
    } else {
        PageError(problem).into()
    }
}

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
    let allow = res.response().headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut response = if is_api {
        api_error_response(&problem)
    } else {
        error_page(&problem)
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    let res = ServiceResponse::new(req, response.map_into_boxed_body()).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request log records a problem's `Debug`: one line with the cause's chain,
    /// never anyhow's report with its backtrace.
    #[test]
    fn a_problem_logs_as_one_line() {
        let cause = anyhow::anyhow!("connection refused").context("reading the session");
        let logged = format!("{:?}", PageError(Problem::Unavailable(cause)));
        assert_eq!(
            logged,
            "PageError(unavailable: reading the session: connection refused)"
        );
        assert_eq!(format!("{:?}", Problem::NotFound), "not_found");
    }

    /// The log and the JSON body name a problem alike.
    #[test]
    fn an_error_code_is_named_as_it_is_serialised() {
        use ErrorCode::*;
        let all = [
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            MethodNotAllowed,
            PayloadTooLarge,
            TooManyRequests,
            Invalid,
            Unavailable,
            Internal,
        ];
        for code in all {
            assert_eq!(serde_json::to_value(code).ok(), Some(code.as_str().into()));
        }
    }

    #[test]
    fn a_rate_limit_says_whose_share_ran_out_and_when_to_come_back() {
        let problem = |action, by, retry_after_secs| {
            Problem::RateLimited {
                action,
                limited: Limited {
                    by,
                    retry_after_secs,
                },
            }
            .to_string()
        };
        assert_eq!(
            problem(Action::SignUp, LimitedBy::Address, 3_541),
            "Too many accounts have been made from your network. Try again in 60 minutes."
        );
        assert_eq!(
            problem(Action::PostToken, LimitedBy::Everyone, 45),
            "Quill is handing out no more post tokens just now. Try again in 45 seconds."
        );
        assert_eq!(
            problem(Action::ApiSession, LimitedBy::Address, 1),
            "Too many API logins from your network. Try again in 1 second."
        );
        assert_eq!(wait(91), "2 minutes");
    }
}

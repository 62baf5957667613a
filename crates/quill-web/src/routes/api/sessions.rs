//! `POST /api/v1/sessions` (log in, get a token), `GET /api/v1/sessions` (one's
//! sessions), `DELETE /api/v1/sessions/current` and `DELETE /api/v1/sessions/others`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use serde::{Deserialize, Serialize};

use super::Credentials;
use super::auth::ApiUser;
use super::openapi::{
    BadRequest, Invalid, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable,
};
use super::users::UserJson;
use crate::app::FieldErrors;
use crate::app::accounts::{self, ApiLogIn, Attempt};
use crate::app::password::{Reauth, WRONG_CURRENT};
use crate::app::sessions::{self as my_sessions, SessionView};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::state::AppState;

/// What logging in answers: the token, once.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = NewSession)]
struct NewSessionJson {
    /// The bearer token; it is never shown again.
    token: String,
    /// Seconds until the token expires (using it does not extend it).
    expires_in: i64,
    user: UserJson,
}

/// Log in: a bearer token for the other routes.
///
/// A wrong username or password is a 400 with the same message either way. Logins
/// share the login form's throttle, and API sessions are rate-limited per address and
/// for everyone.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    operation_id = "log_in",
    tag = "sessions",
    request_body = Credentials,
    security(()),
    responses(
        (status = 201, description = "A new session.", body = NewSessionJson),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    // API clients hold no device cookie: they count as browsers the account does not know.
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: None,
    };
    let outcome = accounts::open_api_session(
        &state,
        &metrics,
        attempt,
        &state.client(&req),
        &body.username,
        &body.password,
    )
    .await?;
    let session = match outcome {
        ApiLogIn::Opened(session) => session,
        ApiLogIn::Limited(limited) => {
            let action = Action::ApiSession;
            return Err(Problem::RateLimited { action, limited }.into());
        }
        ApiLogIn::Throttled { retry_after_secs } => {
            return Err(Problem::TooManyRequests { retry_after_secs }.into());
        }
        ApiLogIn::WrongCredentials => {
            return Err(Problem::BadRequest(accounts::wrong_credentials()).into());
        }
    };
    Ok(HttpResponse::Created().json(NewSessionJson {
        token: session.token,
        expires_in: session.expires_in,
        user: UserJson::from(&session.user),
    }))
}

/// Log out: the calling token stops working.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/current",
    operation_id = "log_out",
    tag = "sessions",
    responses(
        (status = 204, description = "Logged out."),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn delete(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, ApiError> {
    accounts::end_api_session(&state, &api.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One live browser session or API token of the caller's.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Session)]
struct SessionJson {
    /// A public id: 16 hex digits of a hash of the stored hash; it opens nothing.
    #[schema(example = "3f9c0a6e51d2b784")]
    id: String,
    kind: SessionKind,
    /// The family the `User-Agent` named when the session started.
    #[schema(example = "Firefox")]
    browser: &'static str,
    /// The client's address when the session started, when known.
    #[schema(required = true)]
    address: Option<String>,
    /// RFC 3339, UTC, with microseconds.
    #[schema(example = "2026-12-01T17:20:00.000000Z")]
    created_at: String,
    /// RFC 3339; it moves at most once a minute.
    last_used_at: String,
    /// Whether this is the calling token.
    current: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum SessionKind {
    Browser,
    Api,
}

impl From<SessionView> for SessionJson {
    fn from(s: SessionView) -> Self {
        Self {
            kind: if s.api {
                SessionKind::Api
            } else {
                SessionKind::Browser
            },
            created_at: s.created_rfc3339(),
            last_used_at: s.last_seen_rfc3339(),
            id: s.id,
            browser: s.browser,
            address: s.address,
            current: s.current,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Sessions)]
struct SessionsJson {
    /// The calling token's session first.
    sessions: Vec<SessionJson>,
}

/// The caller's live sessions, browser sessions and API tokens, by public id (never a
/// token or its hash); the calling token is `"current": true`.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    responses(
        (status = 200, description = "The caller's sessions.", body = SessionsJson),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, ApiError> {
    let sessions = my_sessions::list(&state, &api.user).await?;
    Ok(HttpResponse::Ok().json(SessionsJson {
        sessions: sessions.into_iter().map(SessionJson::from).collect(),
    }))
}

/// `{"current_password"}`: what ending the other sessions asks for (ASVS 7.5.2).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Reauthenticate {
    #[serde(default)]
    #[schema(required = true, max_length = 128)]
    current_password: String,
}

/// Ends every session and token of the caller's but the calling token, once the
/// password is confirmed.
///
/// A wrong password is a 422 on `current_password` and counts as a failed login in the
/// login throttle.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions/others",
    operation_id = "end_other_sessions",
    tag = "sessions",
    request_body = Reauthenticate,
    responses(
        (status = 204, description = "Every other session of the caller's has ended."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Invalid),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn end_others(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: ApiUser,
    body: web::Json<Reauthenticate>,
) -> Result<HttpResponse, ApiError> {
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: None,
    };
    match my_sessions::end_others(&state, &api.user, attempt, &body.current_password).await? {
        Reauth::Confirmed => Ok(HttpResponse::NoContent().finish()),
        Reauth::Wrong => Err(Problem::Invalid(FieldErrors::from([(
            "current_password",
            WRONG_CURRENT.to_owned(),
        )]))
        .into()),
        Reauth::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

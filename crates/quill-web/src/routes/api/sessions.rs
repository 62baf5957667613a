//! `POST /api/v1/sessions` (log in, get a token), `GET /api/v1/sessions` (one's
//! sessions), `DELETE /api/v1/sessions/current` and `DELETE /api/v1/sessions/others`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use serde_json::json;

use super::Credentials;
use super::auth::ApiUser;
use super::users::UserJson;
use crate::app::FieldErrors;
use crate::app::accounts::{self, ApiLogIn, Attempt};
use crate::app::password::{Reauth, WRONG_CURRENT};
use crate::app::sessions::{self as my_sessions, SessionView};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::state::AppState;

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
    Ok(HttpResponse::Created().json(json!({
        "token": session.token,
        "expires_in": session.expires_in,
        "user": UserJson::from(&session.user),
    })))
}

pub async fn delete(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, ApiError> {
    accounts::end_api_session(&state, &api.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's live sessions, browser sessions and API tokens, by public id (never a
/// token or its hash); the calling token is `"current": true`.
pub async fn list(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, ApiError> {
    let sessions = my_sessions::list(&state, &api.user).await?;
    let json = |s: SessionView| {
        json!({
            "id": s.id,
            "kind": if s.api { "api" } else { "browser" },
            "browser": s.browser,
            "address": s.address,
            "created_at": s.created_rfc3339(),
            "last_used_at": s.last_seen_rfc3339(),
            "current": s.current,
        })
    };
    Ok(HttpResponse::Ok().json(json!({
        "sessions": sessions.into_iter().map(json).collect::<Vec<_>>(),
    })))
}

/// `{"current_password"}`: what ending the other sessions asks for (ASVS 7.5.2).
#[derive(serde::Deserialize)]
pub struct Reauthenticate {
    #[serde(default)]
    current_password: String,
}

/// Ends every session and token of the caller's but the calling token, once the
/// password is confirmed.
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
        (Reauth::Confirmed, _) => Ok(HttpResponse::NoContent().finish()),
        (Reauth::Wrong, _) => Err(Problem::Invalid(FieldErrors::from([(
            "current_password",
            WRONG_CURRENT.to_owned(),
        )]))
        .into()),
        (Reauth::Throttled { retry_after_secs }, _) => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

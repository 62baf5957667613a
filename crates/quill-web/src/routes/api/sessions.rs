//! `POST /api/v1/sessions` (log in, get a token) and `DELETE /api/v1/sessions/current`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::LogInError;
use serde_json::json;

use super::auth::ApiUser;
use super::users::UserJson;
use crate::errors::{ApiError, Problem};
use crate::layout::CurrentUser;
use crate::metrics::Metrics;
use crate::routes::login::{LoginForm, Refusal, authenticate};
use crate::state::AppState;

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    body: web::Json<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let user = match authenticate(&state, &metrics, &req, &body.username, &body.password).await? {
        Ok(user) => user,
        Err(Refusal::Throttled(problem)) => return Err(problem.into()),
        Err(Refusal::WrongCredentials) => {
            return Err(Problem::BadRequest(LogInError::InvalidCredentials.to_string()).into());
        }
    };
    let token = state
        .sessions
        .create(CurrentUser::state_of(&user), state.session_idle_secs)
        .await
        .map_err(Problem::Unavailable)?;
    Ok(HttpResponse::Created().json(json!({
        "token": token,
        "expires_in": state.session_idle_secs,
        "user": UserJson { id: user.id.0, username: user.username.to_string() },
    })))
}

pub async fn delete(state: web::Data<AppState>, api: ApiUser) -> Result<HttpResponse, ApiError> {
    state
        .sessions
        .delete_token(&api.token)
        .await
        .map_err(Problem::Unavailable)?;
    Ok(HttpResponse::NoContent().finish())
}

//! `POST /api/v1/users` (sign up) and `GET /api/v1/me`.

use actix_web::{HttpResponse, web};
use quill_accounts::SignUpError;
use serde::Serialize;

use super::auth::ApiUser;
use crate::errors::{ApiError, Problem};
use crate::metrics::{Event, Metrics};
use crate::routes::login::LoginForm;
use crate::routes::signup;
use crate::state::AppState;

#[derive(Serialize)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
}

pub async fn create(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    body: web::Json<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let (username, password) =
        signup::parse(&body.username, &body.password, None).map_err(Problem::Invalid)?;
    let user = state
        .accounts
        .sign_up(username, password)
        .await
        .map_err(|e| match e {
            SignUpError::UsernameTaken => {
                Problem::Invalid([("username", e.to_string())].into_iter().collect())
            }
            other => other.into(),
        })?;
    metrics.record(Event::SignUp);
    Ok(HttpResponse::Created().json(UserJson {
        id: user.id.0,
        username: user.username.to_string(),
    }))
}

pub async fn me(api: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(UserJson {
        id: api.user.id.0,
        username: api.user.username,
    })
}

//! `POST /api/v1/users` (sign up) and `GET /api/v1/me`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use serde::Serialize;

use super::Credentials;
use super::auth::ApiUser;
use crate::app::accounts::{self, NewAccount, SignUp};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::state::AppState;

#[derive(Serialize)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
}

impl From<&quill_accounts::User> for UserJson {
    fn from(user: &quill_accounts::User) -> Self {
        Self {
            id: user.id.0,
            username: user.username.to_string(),
        }
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let account = NewAccount {
        username: &body.username,
        password: &body.password,
        password_confirm: None,
    };
    let address = state.client_ip(&req);
    match accounts::sign_up(&state, &metrics, address, account).await? {
        SignUp::Created(user) => Ok(HttpResponse::Created().json(UserJson::from(&user))),
        SignUp::Limited(limited) => Err(Problem::RateLimited {
            action: Action::SignUp,
            limited,
        }
        .into()),
        SignUp::Refused(errors) => Err(Problem::Invalid(errors).into()),
    }
}

pub async fn me(api: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(UserJson {
        id: api.user.id.0,
        username: api.user.username,
    })
}

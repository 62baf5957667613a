//! `POST /api/v1/users` (sign up), `GET /api/v1/me` and `PUT /api/v1/me/password`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use serde::{Deserialize, Serialize};

use super::Credentials;
use super::auth::ApiUser;
use crate::app::accounts::{self, Attempt, NewAccount, SignUp};
use crate::app::password::{self, ChangePassword, PasswordChange};
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

/// The body of `PUT /api/v1/me/password`.
#[derive(Deserialize)]
pub struct PasswordChangeRequest {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes the caller's password; every other session and token of theirs ends, the
/// calling token goes on.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: ApiUser,
    body: web::Json<PasswordChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    // API clients hold no device cookie: they count as browsers the account does not know.
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: None,
    };
    let change = PasswordChange {
        current: &body.current_password,
        new: &body.new_password,
        confirm: None,
    };
    match password::change_password(&state, &api.user, attempt, change).await? {
        ChangePassword::Changed { .. } => Ok(HttpResponse::NoContent().finish()),
        ChangePassword::Refused(errors) => Err(Problem::Invalid(errors).into()),
        ChangePassword::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

//! `POST /api/v1/users` (sign up), `GET` and `DELETE /api/v1/me`, and
//! `PUT /api/v1/me/password`.

use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use serde::{Deserialize, Serialize};

use super::Credentials;
use super::auth::ApiUser;
use super::openapi::{
    BadRequest, Invalid, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable,
};
use crate::app::accounts::{self, Attempt, NewAccount, SignUp};
use crate::app::deletion::{self, DeleteAccount, DeleteRequest};
use crate::app::password::{self, ChangePassword, PasswordChange};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::state::AppState;

/// An account.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = User)]
pub struct UserJson {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "ada")]
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

/// Sign up. It does not log in: ask `POST /api/v1/sessions` for a token next.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "sign_up",
    tag = "accounts",
    request_body = Credentials,
    security(()),
    responses(
        (status = 201, description = "The new account.", body = UserJson),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Invalid),
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

/// The account the token belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    tag = "accounts",
    responses(
        (status = 200, description = "The caller's account.", body = UserJson),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn me(api: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(UserJson {
        id: api.user.id.0,
        username: api.user.username,
    })
}

/// The body of `PUT /api/v1/me/password`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = PasswordChange)]
pub struct PasswordChangeRequest {
    #[serde(default)]
    #[schema(required = true, max_length = 128)]
    current_password: String,
    /// The sign-up rules apply.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 128)]
    new_password: String,
}

/// Changes the caller's password; every other session and token of theirs ends, the
/// calling token goes on.
///
/// A wrong current password is a 422 on `current_password` and counts as a failed
/// login in the login throttle.
#[utoipa::path(
    put,
    path = "/api/v1/me/password",
    operation_id = "change_password",
    tag = "accounts",
    request_body = PasswordChangeRequest,
    responses(
        (status = 204, description = "Changed; the caller's other sessions have ended."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Invalid),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ),
)]
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

/// The body of `DELETE /api/v1/me`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AccountDeletion)]
pub struct DeleteAccountRequest {
    /// The caller's current password.
    #[serde(default)]
    #[schema(required = true)]
    password: String,
}

/// What `DELETE /api/v1/me` answers when the account is closed but not all of its
/// posts could be deleted yet.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AccountDeleting)]
pub struct DeletingJson {
    /// Always `deleting`: the account can no longer log in, and Quill deletes the rest
    /// at its next start or at the next login attempt on the account.
    #[schema(example = "deleting")]
    pub status: &'static str,
}

/// Deletes the caller's account: every post, session and token of theirs, and the
/// account, whose username becomes free. Cannot be undone.
///
/// A wrong password is a 422 on `current_password` and counts as a failed login in the
/// login throttle.
#[utoipa::path(
    delete,
    path = "/api/v1/me",
    operation_id = "delete_account",
    tag = "accounts",
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Deleted, posts and all; the token no longer works."),
        (status = 202, description = "The account is closed (no login, no token works), but \
            some posts could not be deleted yet; Quill deletes them later.", body = DeletingJson),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Invalid),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    api: ApiUser,
    body: web::Json<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    // API clients hold no device cookie: they count as browsers the account does not know.
    let attempt = Attempt {
        address: state.client_ip(&req),
        device: None,
    };
    let request = DeleteRequest {
        password: &body.password,
        confirm: None,
    };
    match deletion::delete_account(&state, &api.user, attempt, request).await? {
        DeleteAccount::Deleted => Ok(HttpResponse::NoContent().finish()),
        DeleteAccount::Pending => {
            Ok(HttpResponse::Accepted().json(DeletingJson { status: "deleting" }))
        }
        DeleteAccount::Refused(errors) => Err(Problem::Invalid(errors).into()),
        DeleteAccount::Throttled { retry_after_secs } => {
            Err(Problem::TooManyRequests { retry_after_secs }.into())
        }
    }
}

/// Every post of the caller as a ZIP, streamed as it is written: `posts/<id>.md` for
/// each (front matter with `id`, `title` and `created_at`, then the body as written)
/// and `posts.json`, the same posts as a JSON array.
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    operation_id = "export",
    tag = "accounts",
    responses(
        (status = 200, description = "The archive.", content_type = "application/zip", body = Vec<u8>),
        (status = 401, response = Unauthorized),
    ),
)]
pub async fn export(state: web::Data<AppState>, api: ApiUser) -> HttpResponse {
    crate::routes::account::export::download(state, api.user)
}

//! The JSON API under `/api/v1`, for scripts and load tools.
//!
//! Clients authenticate with `Authorization: Bearer <token>`, where the token comes from
//! `POST /api/v1/sessions`. Tokens are sessions of the same store as browser sessions
//! (stored hashed, idle and absolute expiry); the API never reads cookies, so it needs
//! no CSRF token.

mod auth;
mod posts;
mod sessions;
mod users;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use serde::Deserialize;

use crate::methods::endpoint;

/// A username and password: the body of `POST /api/v1/users` and `/api/v1/sessions`.
#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint!("/users", post => users::create))
        .service(endpoint!("/me", get => users::me))
        .service(endpoint!("/me/password", put => users::change_password))
        .service(endpoint!("/sessions", get => sessions::list, post => sessions::create))
        .service(endpoint!("/sessions/current", delete => sessions::delete))
        .service(endpoint!("/sessions/others", delete => sessions::end_others))
        .service(endpoint!("/posts", get => posts::list, post => posts::create))
        .service(endpoint!("/post-tokens", post => posts::token))
        .service(endpoint!("/posts/{id}", get => posts::get));
}

/// Middleware: no API answer is stored by a browser or proxy cache; they carry posts
/// and tokens.
pub async fn no_store(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

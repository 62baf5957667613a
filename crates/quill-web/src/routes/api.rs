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

use actix_web::web;
use serde::Deserialize;

/// A username and password: the body of `POST /api/v1/users` and `/api/v1/sessions`.
#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users").post(users::create))
        .service(web::resource("/me").get(users::me))
        .service(web::resource("/sessions").post(sessions::create))
        .service(web::resource("/sessions/current").delete(sessions::delete))
        .service(web::resource("/posts").get(posts::list).post(posts::create))
        .service(web::resource("/post-tokens").post(posts::token))
        .service(web::resource("/posts/{id}").get(posts::get));
}

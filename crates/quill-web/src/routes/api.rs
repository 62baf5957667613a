//! The JSON API under `/api/v1`, for scripts and load tools.
//!
//! Clients authenticate with `Authorization: Bearer <token>`, where the token comes from
//! `POST /api/v1/sessions`. Tokens are sessions of the same store as browser sessions
//! (stored hashed, idle and absolute expiry); the API never reads cookies, so it needs
//! no CSRF token.

mod auth;
mod openapi;
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

pub use auth::bearer_token;
pub use posts::ListQuery;

/// A username and password: the body of `POST /api/v1/users` and `/api/v1/sessions`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    /// 3-32 characters of `a-z`, `0-9`, `_` and `-`; stored lower-cased.
    #[serde(default)]
    #[schema(required = true, example = "ada")]
    username: String,
    /// 10-128 characters, not a common password, not the username.
    #[serde(default)]
    #[schema(required = true, max_length = 128, example = "analytical engine")]
    password: String,
}

/// The API's routes, written once: the router mounts them, [`ROUTES`] lists them, and
/// the OpenAPI document describes the same handlers. Each handler's `#[utoipa::path]`
/// repeats its path and method; a test holds the two together.
macro_rules! api_routes {
    ($($path:literal => [$($method:ident => $module:ident :: $handler:ident),+ $(,)?]),+ $(,)?) => {
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.service(endpoint!($path, $($method => $module::$handler),+));)+
        }

        /// Every route served under `/api/v1`: its path there and its methods (lowercase,
        /// as in `web::get`).
        pub const ROUTES: &[(&str, &[&str])] = &[$(($path, &[$(stringify!($method)),+])),+];

        /// The operations of [`ROUTES`], for the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($module::$handler),+),+))]
        struct Operations;
    };
}

api_routes! {
    "/openapi.json" => [get => openapi::get],
    "/users" => [post => users::create],
    "/me" => [get => users::me, delete => users::delete],
    "/me/password" => [put => users::change_password],
    "/me/export" => [get => users::export],
    "/sessions" => [get => sessions::list, post => sessions::create],
    "/sessions/current" => [delete => sessions::delete],
    "/sessions/others" => [delete => sessions::end_others],
    "/posts" => [get => posts::list, post => posts::create],
    "/post-tokens" => [post => posts::token],
    "/posts/{id}" => [get => posts::get],
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

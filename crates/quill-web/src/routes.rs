//! Routes, one module per page or resource; `configure` mounts them all.

mod account;
mod api;
mod health;
mod home;
mod login;
mod logout;
mod posts;
mod signup;

use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, web};

use crate::methods::endpoint;
use crate::static_files;

/// Every route served under `/api/v1`: its path there and its methods. The API's router
/// is made from this table, and its OpenAPI document lists the same handlers.
pub use api::ROUTES as API_ROUTES;

/// What the routes decode from untrusted input (`web::Form` bodies, `web::Query`
/// strings, the `Authorization` header), public for `crate::parsers`.
pub use account::password::PasswordForm;
pub use api::{ListQuery as ApiListQuery, bearer_token};
pub use login::LoginForm;
pub use logout::LogoutForm;
pub use posts::list::ListQuery;
pub use posts::new::NewPostForm;
pub use signup::SignupForm;

/// Whether a request is for the JSON API, which answers in JSON, authenticates with
/// bearer tokens and needs no CSRF cookie.
pub fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(endpoint!("/", get => home::get))
        .service(endpoint!("/signup", get => signup::get, post => signup::post))
        .service(endpoint!("/login", get => login::get, post => login::post))
        .service(endpoint!("/logout", post => logout::post))
        .service(endpoint!("/account/password", get => account::password::get, post => account::password::post))
        .service(endpoint!("/account/sessions", get => account::sessions::get))
        .service(endpoint!("/account/sessions/others", post => account::sessions::end_others))
        .service(endpoint!("/account/export", get => account::export::get))
        .service(endpoint!("/account/delete", get => account::delete::get, post => account::delete::post))
        .service(endpoint!("/posts", get => posts::list::get))
        .service(endpoint!("/posts/new", get => posts::new::get, post => posts::new::post))
        .service(endpoint!("/posts/{id}", get => posts::show::get))
        .service(endpoint!("/healthz", get => health::healthz))
        .service(endpoint!("/readyz", get => health::readyz))
        .service(endpoint!("/metrics", get => health::metrics))
        .service(endpoint!("/static/{name}", get => static_files::serve))
        .service(
            web::scope("/api/v1")
                .wrap(from_fn(api::no_store))
                .configure(api::configure),
        );
}

//! Routes, one module per page or resource; `configure` mounts them all.

mod api;
mod health;
mod home;
mod login;
mod logout;
mod posts;
mod signup;

use actix_web::{HttpRequest, web};

use crate::static_files;

/// Whether a request is for the JSON API, which answers in JSON, authenticates with
/// bearer tokens and needs no CSRF cookie.
pub fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::get))
        .service(web::resource("/signup").get(signup::get).post(signup::post))
        .service(web::resource("/login").get(login::get).post(login::post))
        .service(web::resource("/logout").post(logout::post))
        .service(web::resource("/posts").get(posts::list::get))
        .service(
            web::resource("/posts/new")
                .get(posts::new::get)
                .post(posts::new::post),
        )
        .service(web::resource("/posts/{id}").get(posts::show::get))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/static/{name}", web::get().to(static_files::serve))
        .service(web::scope("/api/v1").configure(api::configure));
}

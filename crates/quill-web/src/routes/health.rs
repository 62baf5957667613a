//! `/healthz` (the process answers), `/readyz` (its stores answer), `/metrics`.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::metrics::Metrics;
use crate::state::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok\n")
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    use quill_posts::PostStore;
    let accounts = state
        .accounts
        .db()
        .ping()
        .await
        .map_err(anyhow::Error::from);
    let posts = state.posts.ping().await.map_err(anyhow::Error::from);
    let status = |store: &str, result: &anyhow::Result<()>| match result {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(store, error = %e, "store not ready");
            "unavailable"
        }
    };
    let body =
        json!({ "accounts": status("accounts", &accounts), "posts": status("posts", &posts) });
    if accounts.is_ok() && posts.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}

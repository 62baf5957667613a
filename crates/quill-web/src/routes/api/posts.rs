//! `/api/v1/posts`: list, write and read one's own posts.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use quill_domain::PostId;
use quill_posts::{Post, PostStore};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::ApiUser;
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::post_token;
use crate::routes::posts::{PAGE_SIZE, list, new};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Serialize)]
struct PostJson {
    id: String,
    title: String,
    body: String,
    created_at: String,
}

impl From<Post> for PostJson {
    fn from(post: Post) -> Self {
        Self {
            id: post.id.to_string(),
            created_at: post.id.created_at_rfc3339(),
            title: post.title,
            body: post.body,
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<String>,
    limit: Option<usize>,
}

pub async fn list(
    state: web::Data<AppState>,
    api: ApiUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let before = list::parse_cursor(query.before.as_deref())?;
    let limit = query.limit.unwrap_or(PAGE_SIZE).clamp(1, 100);
    let page = list::page_of(&state, &api.user, before, limit).await?;
    Ok(HttpResponse::Ok().json(json!({
        "posts": page.posts.into_iter().map(PostJson::from).collect::<Vec<_>>(),
        "next": page.next.map(|id| id.to_string()),
    })))
}

pub async fn create(
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    metrics: web::Data<Metrics>,
    api: ApiUser,
    body: web::Json<new::NewPostForm>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let (title, text) = new::parse(&body.title, &body.body).map_err(Problem::Invalid)?;
    let id = new::redeem(&secrets, &api.user, &body.post_token).ok_or_else(|| {
        Problem::Invalid(
            [(
                "post_token",
                "is missing, expired or not yours: get one from POST /api/v1/post-tokens \
                 (it makes a retried request store its post once)"
                    .to_owned(),
            )]
            .into_iter()
            .collect(),
        )
    })?;
    new::publish(&state, &metrics, &api.user, id, title, text).await?;
    let post = state
        .posts
        .get(api.user.id, id)
        .await?
        .ok_or_else(|| Problem::Internal(anyhow::anyhow!("post {id} missing after insert")))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/posts/{id}")))
        .json(PostJson::from(post)))
}

pub async fn token(
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    api: ApiUser,
) -> HttpResponse {
    let token = post_token::issue(&secrets.post_token, api.user.id, state.new_post_id());
    HttpResponse::Created().json(json!({ "post_token": token }))
}

pub async fn get(
    state: web::Data<AppState>,
    api: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = PostId::parse(&id).map_err(|_| Problem::NotFound)?;
    let post = state
        .posts
        .get(api.user.id, id)
        .await?
        .ok_or(Problem::NotFound)?;
    Ok(HttpResponse::Ok().json(PostJson::from(post)))
}

//! `/api/v1/posts`: list, write and read one's own posts.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use quill_domain::PostId;
use quill_posts::Post;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::ApiUser;
use crate::app::posts::{self, Draft, Publish};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::secrets::Secrets;
use crate::state::AppState;

/// The body of `POST /api/v1/posts`.
#[derive(Deserialize)]
pub struct NewPostRequest {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// From `POST /api/v1/post-tokens`.
    #[serde(default)]
    post_token: String,
}

/// Why an API post token was refused, and how to get one.
const BAD_POST_TOKEN: &str = "is missing, expired or not yours: get one from POST \
     /api/v1/post-tokens (it makes a retried request store its post once)";

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
    let before = posts::parse_cursor(query.before.as_deref()).map_err(Problem::from)?;
    let limit = query.limit.unwrap_or(posts::PAGE_SIZE).clamp(1, 100);
    let page = posts::page(&state, &api.user, before, limit).await?;
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
    body: web::Json<NewPostRequest>,
) -> Result<HttpResponse, ApiError> {
    let draft = Draft {
        title: &body.title,
        body: &body.body,
        post_token: &body.post_token,
    };
    let id = match posts::publish(&state, &secrets, &metrics, &api.user, draft).await? {
        Publish::Published(id) => id,
        // The fields first: a token is worth fetching again only for a post that would
        // be stored.
        Publish::Refused { errors, .. } if !errors.is_empty() => {
            return Err(Problem::Invalid(errors).into());
        }
        Publish::Refused { .. } => {
            let errors = [("post_token", BAD_POST_TOKEN.to_owned())];
            return Err(Problem::Invalid(errors.into_iter().collect()).into());
        }
    };
    let post = posts::get(&state, &api.user, id)
        .await?
        .ok_or_else(|| Problem::Internal(anyhow::anyhow!("post {id} missing after insert")))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/posts/{id}")))
        .json(PostJson::from(post)))
}

pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    metrics: web::Data<Metrics>,
    api: ApiUser,
) -> Result<HttpResponse, ApiError> {
    let address = state.client_ip(&req);
    match posts::request_post_token(&state, &secrets, &metrics, &api.user, address).await? {
        Ok(token) => Ok(HttpResponse::Created().json(json!({ "post_token": token }))),
        Err(limited) => Err(Problem::RateLimited {
            action: Action::PostToken,
            limited,
        }
        .into()),
    }
}

pub async fn get(
    state: web::Data<AppState>,
    api: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = PostId::parse(&id).map_err(|_| Problem::NotFound)?;
    let post = posts::get(&state, &api.user, id)
        .await?
        .ok_or(Problem::NotFound)?;
    Ok(HttpResponse::Ok().json(PostJson::from(post)))
}

//! `/api/v1/posts`: list, write and read one's own posts.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use quill_accounts::Action;
use quill_domain::PostId;
use quill_posts::Post;
use serde::{Deserialize, Serialize};

use super::auth::ApiUser;
use super::openapi::{
    BadRequest, Invalid, NotFound, PayloadTooLarge, TooManyRequests, Unauthorized, Unavailable,
};
use crate::app::posts::{self, Draft, Publish};
use crate::errors::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::secrets::Secrets;
use crate::state::AppState;

/// The body of `POST /api/v1/posts`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = NewPost)]
pub struct NewPostRequest {
    /// 1-200 characters on one line (trimmed).
    #[serde(default)]
    #[schema(required = true, example = "Hello")]
    title: String,
    /// 1-20,000 characters, not only whitespace.
    #[serde(default)]
    #[schema(required = true, example = "First post")]
    body: String,
    /// From `POST /api/v1/post-tokens`; one for every post.
    #[serde(default)]
    #[schema(required = true)]
    post_token: String,
}

/// Why an API post token was refused, and how to get one.
const BAD_POST_TOKEN: &str = "is missing, expired or not yours: get one from POST \
     /api/v1/post-tokens (it makes a retried request store its post once)";

/// A post.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Post)]
struct PostJson {
    /// A time-based UUID.
    id: String,
    title: String,
    /// The source text, Markdown, as written.
    body: String,
    /// The body rendered to sanitised HTML; only with `?format=html`.
    #[serde(skip_serializing_if = "Option::is_none")]
    body_html: Option<String>,
    /// RFC 3339, UTC, with microseconds.
    #[schema(example = "2026-11-22T10:15:30.123456Z")]
    created_at: String,
}

impl PostJson {
    fn of(post: Post, format: Option<BodyFormat>) -> Self {
        Self {
            id: post.id.to_string(),
            created_at: post.id.created_at_rfc3339(),
            body_html: format.map(|BodyFormat::Html| quill_markdown::render(&post.body)),
            title: post.title,
            body: post.body,
        }
    }
}

/// A rendering of the body to add to the source text.
#[derive(Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// `body_html`: the Markdown rendered and sanitised, as the post's page shows it.
    Html,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `html` adds `body_html` to each post.
    format: Option<BodyFormat>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The `next` of the page before: posts older than this one.
    pub before: Option<String>,
    /// How many posts (default 20; values outside 1-100 are brought into that range).
    pub limit: Option<usize>,
    /// `html` adds `body_html` to each post.
    pub format: Option<BodyFormat>,
}

/// A page of the caller's posts, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PostPage)]
struct PostPageJson {
    posts: Vec<PostJson>,
    /// When more posts exist: the id to pass as `before` for the next page; else null.
    #[schema(required = true)]
    next: Option<String>,
}

/// A post token.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PostToken)]
struct PostTokenJson {
    /// The key of one new post, signed for the caller, good for a day.
    post_token: String,
}

/// The caller's posts, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    operation_id = "list_posts",
    tag = "posts",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of posts.", body = PostPageJson),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    api: ApiUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let before = posts::parse_cursor(query.before.as_deref()).map_err(Problem::from)?;
    let limit = query.limit.unwrap_or(posts::PAGE_SIZE).clamp(1, 100);
    let page = posts::page(&state, &api.user, before, limit).await?;
    Ok(HttpResponse::Ok().json(PostPageJson {
        posts: page
            .posts
            .into_iter()
            .map(|post| PostJson::of(post, query.format))
            .collect(),
        next: page.next.map(|id| id.to_string()),
    }))
}

/// Publish a post. Sending the same post token again stores nothing new and answers
/// the post it made.
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    operation_id = "publish_post",
    tag = "posts",
    request_body = NewPostRequest,
    responses(
        (status = 201, description = "The post.", body = PostJson, headers(
            ("Location" = String, description = "`/api/v1/posts/{id}`"),
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Invalid),
        (status = 503, response = Unavailable),
    ),
)]
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
        // Its token ended with the account's deletion.
        Publish::Closed => return Err(Problem::LoginRequired.into()),
    };
    let post = posts::get(&state, &api.user, id)
        .await?
        .ok_or_else(|| Problem::Internal(anyhow::anyhow!("post {id} missing after insert")))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/posts/{id}")))
        .json(PostJson::of(post, None)))
}

/// A post token: the key a new post needs.
#[utoipa::path(
    post,
    path = "/api/v1/post-tokens",
    operation_id = "new_post_token",
    tag = "posts",
    responses(
        (status = 201, description = "A post token.", body = PostTokenJson),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn token(
    req: HttpRequest,
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    metrics: web::Data<Metrics>,
    api: ApiUser,
) -> Result<HttpResponse, ApiError> {
    let address = state.client_ip(&req);
    match posts::request_post_token(&state, &secrets, &metrics, &api.user, address).await? {
        Ok(post_token) => Ok(HttpResponse::Created().json(PostTokenJson { post_token })),
        Err(limited) => Err(Problem::RateLimited {
            action: Action::PostToken,
            limited,
        }
        .into()),
    }
}

/// One of the caller's posts.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{id}",
    operation_id = "get_post",
    tag = "posts",
    params(("id" = String, Path, description = "The post's id, a UUID."), FormatQuery),
    responses(
        (status = 200, description = "The post.", body = PostJson),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    api: ApiUser,
    id: web::Path<String>,
    query: web::Query<FormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = PostId::parse(&id).map_err(|_| Problem::NotFound)?;
    let post = posts::get(&state, &api.user, id)
        .await?
        .ok_or(Problem::NotFound)?;
    Ok(HttpResponse::Ok().json(PostJson::of(post, query.format)))
}

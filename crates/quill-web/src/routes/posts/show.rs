//! `GET /posts/{id}`: one of the author's posts. Anyone else's id is "not found".

use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::PostId;
use quill_posts::Post;

use crate::app::{CurrentUser, posts};
use crate::errors::{PageError, Problem};
use crate::page::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/show.html")]
struct ShowPage {
    chrome: Chrome,
    post: Post,
    /// The body rendered from Markdown and sanitised (`quill_markdown::render`).
    body_html: String,
}

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    chrome: Chrome,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = PostId::parse(&id).map_err(|_| Problem::NotFound)?;
    let post = posts::get(&state, &user, id)
        .await?
        .ok_or(Problem::NotFound)?;
    let body_html = quill_markdown::render(&post.body);
    render(&ShowPage {
        chrome,
        post,
        body_html,
    })
}

//! `GET /posts`: the author's posts, newest first, a page at a time by cursor.

use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::PostId;
use quill_posts::Post;
use serde::Deserialize;

use std::sync::Arc;

use crate::app::excerpts::Excerpts;
use crate::app::{CurrentUser, posts};
use crate::errors::{PageError, Problem};
use crate::page::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/list.html")]
struct ListPage {
    chrome: Chrome,
    posts: Vec<Summary>,
    next: Option<PostId>,
    paged: bool,
}

/// A post as the list shows it: the body as a plain-text excerpt, no formatting.
struct Summary {
    id: PostId,
    title: String,
    /// Escaped already (`Excerpts`).
    excerpt_html: Arc<str>,
}

impl Summary {
    fn of(post: Post, excerpts: &Excerpts) -> Self {
        Self {
            id: post.id,
            excerpt_html: excerpts.html_of(&post),
            title: post.title,
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub before: Option<String>,
}

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    chrome: Chrome,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let before = posts::parse_cursor(query.before.as_deref()).map_err(Problem::from)?;
    let page = posts::page(&state, &user, before, posts::PAGE_SIZE).await?;
    render(&ListPage {
        chrome,
        posts: page
            .posts
            .into_iter()
            .map(|post| Summary::of(post, &state.excerpts))
            .collect(),
        next: page.next,
        paged: before.is_some(),
    })
}

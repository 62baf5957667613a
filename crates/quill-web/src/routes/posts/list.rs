//! `GET /posts`: the author's posts, newest first, a page at a time by cursor.

use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::PostId;
use quill_posts::Post;
use serde::Deserialize;

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
    excerpt: String,
}

/// How much of a body the list shows.
const EXCERPT_CHARS: usize = 280;

impl From<Post> for Summary {
    fn from(post: Post) -> Self {
        Self {
            id: post.id,
            excerpt: quill_markdown::excerpt(&post.body, EXCERPT_CHARS),
            title: post.title,
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<String>,
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
        posts: page.posts.into_iter().map(Summary::from).collect(),
        next: page.next,
        paged: before.is_some(),
    })
}

//! `GET /posts`: the author's posts, newest first, a page at a time by cursor.

use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::{Month, PostId};
use quill_posts::{PageQuery, Post, PostStore};
use serde::Deserialize;

use super::{PAGE_SIZE, now_micros};
use crate::errors::{PageError, Problem};
use crate::layout::{Chrome, CurrentUser, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/list.html")]
struct ListPage {
    chrome: Chrome,
    posts: Vec<Post>,
    next: Option<PostId>,
    paged: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    before: Option<String>,
}

/// Parses a `before` cursor; a malformed one is a 400, not an empty page.
pub fn parse_cursor(raw: Option<&str>) -> Result<Option<PostId>, Problem> {
    raw.filter(|raw| !raw.is_empty())
        .map(|raw| {
            PostId::parse(raw)
                .map_err(|_| Problem::BadRequest("That page link is not valid.".into()))
        })
        .transpose()
}

/// A page of `user`'s timeline ending before `before`.
pub async fn page_of(
    state: &AppState,
    user: &CurrentUser,
    before: Option<PostId>,
    limit: usize,
) -> Result<quill_posts::Page, Problem> {
    let query = PageQuery {
        before,
        limit,
        newest: Month::from_unix_micros(now_micros()),
        oldest: user.since,
    };
    Ok(state.posts.list(user.id, query).await?)
}

pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    chrome: Chrome,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let before = parse_cursor(query.before.as_deref())?;
    let page = page_of(&state, &user, before, PAGE_SIZE).await?;
    render(&ListPage {
        chrome,
        posts: page.posts,
        next: page.next,
        paged: before.is_some(),
    })
}

//! `GET /posts`: the author's posts, newest first, a page at a time by cursor.

use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::PostId;
use serde::Deserialize;

use std::sync::Arc;

use crate::app::{CurrentUser, posts};
use crate::errors::{PageError, Problem};
use crate::page::{Chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/list.html")]
struct ListPage {
    chrome: Chrome,
    /// Each post's entry, HTML already (`app::summaries`).
    posts: Vec<Arc<str>>,
    next: Option<PostId>,
    paged: bool,
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
    // Entries are kept once made (`app::summaries`): when the store can read a page's
    // ids alone and every entry is kept, the posts themselves are not read.
    let kept = posts::page_ids(&state, &user, before, posts::PAGE_SIZE)
        .await?
        .and_then(|page| Some((state.summaries.all_kept(&page.ids)?, page.next)));
    let (posts, next) = match kept {
        Some(kept) => kept,
        None => {
            let page = posts::page(&state, &user, before, posts::PAGE_SIZE).await?;
            let posts = page
                .posts
                .iter()
                .map(|post| state.summaries.html_of(post))
                .collect::<Result<_, _>>()
                .map_err(Problem::from)?;
            (posts, page.next)
        }
    };
    render(&ListPage {
        chrome,
        posts,
        next,
        paged: before.is_some(),
    })
}

//! `/posts/new`: write a post and land on it.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use quill_domain::{PostBody, PostId, PostTitle};
use quill_posts::{InsertOutcome, NewPost, PostStore};
use serde::Deserialize;

use super::now_micros;
use crate::csrf::Csrf;
use crate::errors::PageError;
use crate::flash::Flash;
use crate::layout::{Chrome, CurrentUser, render, render_status};
use crate::metrics::{Event, Metrics};
use crate::post_token;
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/new.html")]
struct NewPostPage {
    chrome: Chrome,
    post_token: String,
    title: String,
    body: String,
    errors: BTreeMap<&'static str, String>,
}

/// The fields of a new post, from the form or from API JSON (which has no CSRF token).
#[derive(Deserialize)]
pub struct NewPostForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// The signed id the form was issued with; see `post_token`.
    #[serde(default)]
    pub post_token: String,
    #[serde(default)]
    csrf_token: String,
}

pub async fn get(
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    user: CurrentUser,
    chrome: Chrome,
) -> Result<HttpResponse, PageError> {
    render(&NewPostPage {
        chrome,
        post_token: post_token::issue(&secrets.post_token, user.id, state.new_post_id()),
        title: String::new(),
        body: String::new(),
        errors: BTreeMap::new(),
    })
}

/// Parses a title and body, or gives a message per failing field.
pub fn parse(
    title: &str,
    body: &str,
) -> Result<(PostTitle, PostBody), BTreeMap<&'static str, String>> {
    match (PostTitle::parse(title), PostBody::parse(body)) {
        (Ok(title), Ok(body)) => Ok((title, body)),
        (title, body) => {
            let mut errors = BTreeMap::new();
            if let Err(e) = title {
                errors.insert("title", e.to_string());
            }
            if let Err(e) = body {
                errors.insert("body", e.to_string());
            }
            Err(errors)
        }
    }
}

/// Why a post token was refused, for the form and the API alike.
pub const STALE_POST_TOKEN: &str = "This form is more than a day old or was not made for \
     you, so it was not published. Check your post and publish it again.";

/// The post id a token carries. Every post comes with one, so that a resent request
/// (a double click, a retry, nginx failing over) can only find its own post again.
pub fn redeem(secrets: &Secrets, user: &CurrentUser, token: &str) -> Option<PostId> {
    post_token::redeem(&secrets.post_token, user.id, token, now_micros())
}

/// Stores a post under the id its token carried.
pub async fn publish(
    state: &AppState,
    metrics: &Metrics,
    user: &CurrentUser,
    id: PostId,
    title: PostTitle,
    body: PostBody,
) -> Result<PostId, crate::errors::Problem> {
    let outcome = state
        .posts
        .insert(NewPost {
            id,
            user: user.id,
            title,
            body,
        })
        .await?;
    metrics.record(match outcome {
        InsertOutcome::Created => Event::PostCreated,
        InsertOutcome::AlreadyExists => Event::PostDuplicateSubmit,
    });
    Ok(id)
}

pub async fn post(
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    metrics: web::Data<Metrics>,
    user: CurrentUser,
    csrf: Csrf,
    chrome: Chrome,
    form: web::Form<NewPostForm>,
) -> Result<HttpResponse, PageError> {
    csrf.verify(&form.csrf_token)?;
    let form = form.into_inner();
    match (
        parse(&form.title, &form.body),
        redeem(&secrets, &user, &form.post_token),
    ) {
        (Ok((title, body)), Some(id)) => {
            publish(&state, &metrics, &user, id, title, body).await?;
            Ok(Flash::Published.redirect(&format!("/posts/{id}")))
        }
        (parsed, id) => {
            let mut errors = parsed.err().unwrap_or_default();
            let post_token = match id {
                Some(_) => form.post_token,
                None => {
                    errors.insert("post_token", STALE_POST_TOKEN.to_owned());
                    post_token::issue(&secrets.post_token, user.id, state.new_post_id())
                }
            };
            let page = NewPostPage {
                chrome,
                post_token,
                title: form.title,
                body: form.body,
                errors,
            };
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

//! Post use cases: post tokens, publish under one, a page of one's timeline, one post.

use std::net::IpAddr;

use quill_accounts::{Action, Limited};
use quill_domain::clock::unix_micros;
use quill_domain::{Month, PostBody, PostId, PostTitle};
use quill_posts::{IdPage, InsertOutcome, NewPost, Page, PageQuery, Post, PostStore};

use super::{CurrentUser, Failure, FieldErrors, rate_limit};
use crate::metrics::{Event, Metrics};
use crate::post_token;
use crate::secrets::Secrets;
use crate::state::AppState;

/// Posts per timeline page, unless the API asks for another number.
pub const PAGE_SIZE: usize = 20;

/// A `before` cursor that names no post.
#[derive(Debug, thiserror::Error)]
#[error("That page link is not valid.")]
pub struct BadCursor;

/// Parses a `before` cursor: none, or the id of the post a page ends before.
pub fn parse_cursor(raw: Option<&str>) -> Result<Option<PostId>, BadCursor> {
    raw.filter(|raw| !raw.is_empty())
        .map(|raw| PostId::parse(raw).map_err(|_| BadCursor))
        .transpose()
}

/// A post as written, before anything is checked.
pub struct Draft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    /// The signed id the form (or `POST /api/v1/post-tokens`) was issued with.
    pub post_token: &'a str,
}

pub enum Publish {
    /// Stored, or found already stored by an earlier send of the same token.
    Published(PostId),
    /// Nothing stored: the fields that need another look, and whether the post token
    /// was refused (more than a day old, or not made for this user).
    Refused {
        errors: FieldErrors,
        stale_token: bool,
    },
    /// The account was marked for deletion while the post was being written: the post
    /// is deleted again, and the author is logged out.
    Closed,
}

/// A fresh post token for `user`: the key of their next post. Every post comes with one,
/// so that a resent request (a double click, a retry, nginx failing over) can only find
/// its own post again.
pub fn new_post_token(state: &AppState, secrets: &Secrets, user: &CurrentUser) -> String {
    post_token::issue(&secrets.post_token, user.id, state.new_post_id())
}

/// A post token asked for on its own (`POST /api/v1/post-tokens`), from `address`:
/// counted against the post-token rate limits first. A form's token comes with its page
/// ([`new_post_token`]), as a page view.
///
/// Posts are not in the accounts database, and posting goes on while it has no primary
/// (docs/ARCHITECTURE.md, "Without a primary"); so a token that cannot be counted then
/// is issued uncounted rather than refused. A token alone makes nothing.
#[tracing::instrument(skip_all, fields(user = user.id.0, %address))]
pub async fn request_post_token(
    state: &AppState,
    secrets: &Secrets,
    metrics: &Metrics,
    user: &CurrentUser,
    address: IpAddr,
) -> Result<Result<String, Limited>, Failure> {
    match rate_limit(state, metrics, Action::PostToken, address).await {
        Ok(None) => {}
        Ok(Some(limited)) => return Ok(Err(limited)),
        Err(Failure::Unavailable(cause)) => {
            tracing::warn!(error = %format!("{cause:#}"), "post token issued uncounted");
        }
        Err(failure) => return Err(failure),
    }
    Ok(Ok(new_post_token(state, secrets, user)))
}

/// Parses a title and body, or gives a message per failing field.
pub fn parse(draft: &Draft<'_>) -> Result<(PostTitle, PostBody), FieldErrors> {
    match (PostTitle::parse(draft.title), PostBody::parse(draft.body)) {
        (Ok(title), Ok(body)) => Ok((title, body)),
        (title, body) => {
            let mut errors = FieldErrors::new();
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

/// Stores `draft` as `user`'s post, with an id of now, under the key its token carries:
/// a resend of the same token finds the post the first send made.
#[tracing::instrument(skip_all, fields(user = user.id.0))]
pub async fn publish(
    state: &AppState,
    secrets: &Secrets,
    metrics: &Metrics,
    user: &CurrentUser,
    draft: Draft<'_>,
) -> Result<Publish, Failure> {
    let key = post_token::redeem(
        &secrets.post_token,
        user.id,
        draft.post_token,
        unix_micros(),
    );
    let (title, body, key) = match (parse(&draft), key) {
        (Ok((title, body)), Some(key)) => (title, body, key),
        (parsed, key) => {
            return Ok(Publish::Refused {
                errors: parsed.err().unwrap_or_default(),
                stale_token: key.is_none(),
            });
        }
    };
    let outcome = state
        .posts
        .insert(NewPost {
            id: state.new_post_id(),
            key: Some(*key.as_uuid()),
            user: user.id,
            title,
            body,
        })
        .await?;
    // The session check came before the write: a deletion marked in between may have
    // deleted the posts already, so the write asks again and undoes itself (the
    // deletion's steps are safe to run twice). Without a primary, posting keeps working
    // and the post stays (no deletion can be marked then either). See
    // docs/ARCHITECTURE.md, "Deleting an account".
    match state.accounts.is_live(user.id).await {
        Ok(true) => {}
        Ok(false) => {
            let now = Month::from_unix_micros(unix_micros());
            state.posts.delete_user(user.id, user.since, now).await?;
            return Ok(Publish::Closed);
        }
        Err(error) => tracing::warn!(%error, "the account was not checked after the post"),
    }
    metrics.record(match outcome {
        InsertOutcome::Created(_) => Event::PostCreated,
        InsertOutcome::AlreadyExists(_) => Event::PostDuplicateSubmit,
    });
    Ok(Publish::Published(outcome.id()))
}

/// A page of `user`'s timeline, newest first, ending before `before`.
#[tracing::instrument(skip_all, fields(user = user.id.0, ?before, limit))]
pub async fn page(
    state: &AppState,
    user: &CurrentUser,
    before: Option<PostId>,
    limit: usize,
) -> Result<Page, Failure> {
    Ok(state
        .posts
        .list(user.id, page_query(user, before, limit))
        .await?)
}

/// The ids of the page [`page`] would give, when the store reads them for much less than
/// whole posts (see `Posts::list_ids`).
pub async fn page_ids(
    state: &AppState,
    user: &CurrentUser,
    before: Option<PostId>,
    limit: usize,
) -> Result<Option<IdPage>, Failure> {
    Ok(state
        .posts
        .list_ids(user.id, page_query(user, before, limit))
        .await?)
}

fn page_query(user: &CurrentUser, before: Option<PostId>, limit: usize) -> PageQuery {
    PageQuery {
        before,
        limit,
        newest: Month::from_unix_micros(unix_micros()),
        oldest: user.since,
    }
}

/// One of `user`'s posts. Anyone else's id finds nothing.
#[tracing::instrument(skip_all, fields(user = user.id.0, %id))]
pub async fn get(
    state: &AppState,
    user: &CurrentUser,
    id: PostId,
) -> Result<Option<Post>, Failure> {
    Ok(state.posts.get(user.id, id).await?)
}

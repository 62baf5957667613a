//! `/posts/new`: write a post and land on it, or preview it first: the form's second
//! button shows the rendered post above the form, storing nothing (no JavaScript).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::posts::{self, Draft, Publish};
use crate::app::{CurrentUser, FieldErrors};
use crate::csrf::Csrf;
use crate::errors::{PageError, Problem};
use crate::flash::Flash;
use crate::metrics::Metrics;
use crate::page::{Chrome, render, render_status};
use crate::secrets::Secrets;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "posts/new.html")]
struct NewPostPage {
    chrome: Chrome,
    post_token: String,
    title: String,
    body: String,
    errors: FieldErrors,
    /// The body rendered (`quill_markdown::render`), when the preview button was pressed.
    preview: Option<String>,
}

#[derive(Deserialize)]
pub struct NewPostForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub post_token: String,
    #[serde(default)]
    pub csrf_token: String,
    /// Sent by the preview button only.
    pub preview: Option<String>,
}

/// Why a form's post token was refused.
const STALE_POST_TOKEN: &str = "This form is more than a day old or was not made for \
     you, so it was not published. Check your post and publish it again.";

pub async fn get(
    state: web::Data<AppState>,
    secrets: web::Data<Secrets>,
    user: CurrentUser,
    chrome: Chrome,
) -> Result<HttpResponse, PageError> {
    render(&NewPostPage {
        chrome,
        post_token: posts::new_post_token(&state, &secrets, &user),
        title: String::new(),
        body: String::new(),
        errors: FieldErrors::new(),
        preview: None,
    })
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
    if form.preview.is_some() {
        // Nothing is stored and the post token is kept for the real publish.
        let preview = Some(quill_markdown::render(&form.body));
        return render(&NewPostPage {
            chrome,
            post_token: form.post_token,
            title: form.title,
            body: form.body,
            errors: FieldErrors::new(),
            preview,
        });
    }
    let draft = Draft {
        title: &form.title,
        body: &form.body,
        post_token: &form.post_token,
    };
    match posts::publish(&state, &secrets, &metrics, &user, draft).await? {
        Publish::Published(id) => Ok(Flash::Published.redirect(&format!("/posts/{id}"))),
        // Its session ended with the account's deletion, as for any later request.
        Publish::Closed => Err(PageError(Problem::LoginRequired)),
        Publish::Refused {
            mut errors,
            stale_token,
        } => {
            // The form comes back with what was written, and a token that will work.
            let post_token = if stale_token {
                errors.insert("post_token", STALE_POST_TOKEN.to_owned());
                posts::new_post_token(&state, &secrets, &user)
            } else {
                form.post_token
            };
            let page = NewPostPage {
                chrome,
                post_token,
                title: form.title,
                body: form.body,
                errors,
                preview: None,
            };
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

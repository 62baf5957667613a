//! Plain-text excerpts of post bodies, for the list page, made once a post and process,
//! kept HTML-escaped (askama's own escaper) for the template to put in as they are.
//!
//! A post never changes, so its excerpt never goes stale; and parsing and escaping
//! twenty Markdown bodies would otherwise be most of a list page's work. A page only
//! ever shows its reader's own posts, whose ids it read from the store for that reader.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use quill_domain::PostId;
use quill_posts::Post;

/// How much of a body the list shows.
pub const EXCERPT_CHARS: usize = 280;

/// Excerpts kept at most (a few MB); past it the store starts afresh.
const KEPT: usize = 10_000;

#[derive(Default)]
pub struct Excerpts {
    made: Mutex<HashMap<PostId, Arc<str>>>,
}

impl Excerpts {
    /// `post`'s excerpt, HTML-escaped.
    pub fn html_of(&self, post: &Post) -> Arc<str> {
        if let Some(excerpt) = self
            .made
            .lock()
            .ok()
            .and_then(|made| made.get(&post.id).cloned())
        {
            return excerpt;
        }
        let text = quill_markdown::excerpt(&post.body, EXCERPT_CHARS);
        let Ok(escaped) = askama::filters::escape(&text, askama::filters::Html);
        let excerpt: Arc<str> = escaped.to_string().into();
        if let Ok(mut made) = self.made.lock() {
            if made.len() >= KEPT {
                made.clear();
            }
            made.insert(post.id, excerpt.clone());
        }
        excerpt
    }
}

#[cfg(test)]
mod tests {
    use quill_domain::UserId;

    use super::*;

    fn post(body: &str) -> Post {
        Post {
            id: PostId::new_now(&[1, 2, 3, 4, 5, 6]),
            user: UserId(1),
            title: "t".to_owned(),
            body: body.to_owned(),
        }
    }

    #[test]
    fn an_excerpt_is_the_bodys_text_escaped_and_is_made_once() {
        let excerpts = Excerpts::default();
        let first = post("*Hello* world");
        assert_eq!(&*excerpts.html_of(&first), "Hello world");
        assert!(Arc::ptr_eq(
            &excerpts.html_of(&first),
            &excerpts.html_of(&first)
        ));
        let markup = post("`<script>alert(\"x\")</script>` & <b>'bold'</b>");
        assert_eq!(
            &*excerpts.html_of(&markup),
            "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;&#39;bold&#39;&#60;/b&#62;"
        );
    }
}

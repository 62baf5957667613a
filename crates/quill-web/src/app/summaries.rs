//! The list page's entries (`templates/posts/summary.html`: the linked title, the date
//! and a plain-text excerpt of the body), rendered and escaped by askama once a post
//! and process, then put in the page as they are.
//!
//! A post never changes, so its entry never goes stale; and parsing twenty Markdown
//! bodies and escaping twenty titles and excerpts would otherwise be most of a list
//! page's work. A page only ever shows its reader's own posts, whose ids it read from
//! the store for that reader; a post deleted with its account is never listed again,
//! and its entry goes when the store starts afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use quill_domain::PostId;
use quill_posts::Post;

/// How much of a body the list shows.
pub const EXCERPT_CHARS: usize = 280;

/// Entries kept at most (a few MB); past it the store starts afresh.
const KEPT: usize = 10_000;

#[derive(Template)]
#[template(path = "posts/summary.html")]
struct Summary<'a> {
    id: PostId,
    title: &'a str,
    excerpt: &'a str,
}

#[derive(Default)]
pub struct Summaries {
    made: Mutex<HashMap<PostId, Arc<str>>>,
}

impl Summaries {
    /// The entries of posts `ids`, in order, when every one of them is kept.
    pub fn all_kept(&self, ids: &[PostId]) -> Option<Vec<Arc<str>>> {
        let made = self.made.lock().ok()?;
        ids.iter().map(|id| made.get(id).cloned()).collect()
    }

    /// `post`'s entry in the list, as HTML.
    pub fn html_of(&self, post: &Post) -> Result<Arc<str>, askama::Error> {
        if let Some(entry) = self
            .made
            .lock()
            .ok()
            .and_then(|made| made.get(&post.id).cloned())
        {
            return Ok(entry);
        }
        let excerpt = quill_markdown::excerpt(&post.body, EXCERPT_CHARS);
        let entry: Arc<str> = Summary {
            id: post.id,
            title: &post.title,
            excerpt: &excerpt,
        }
        .render()?
        .into();
        if let Ok(mut made) = self.made.lock() {
            if made.len() >= KEPT {
                made.clear();
            }
            made.insert(post.id, entry.clone());
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use quill_domain::UserId;

    use super::*;

    fn post(title: &str, body: &str) -> Post {
        Post {
            id: PostId::new_now(&[1, 2, 3, 4, 5, 6]),
            user: UserId(1),
            title: title.to_owned(),
            body: body.to_owned(),
        }
    }

    fn html_of(summaries: &Summaries, post: &Post) -> Arc<str> {
        summaries.html_of(post).expect("an entry renders")
    }

    #[test]
    fn an_entry_links_the_post_and_shows_the_bodys_text_and_is_made_once() {
        let summaries = Summaries::default();
        let first = post("First", "*Hello* world");
        let entry = html_of(&summaries, &first);
        assert!(entry.contains(&format!(r#"<a href="/posts/{}">First</a>"#, first.id)));
        assert!(entry.contains(r#"<p class="excerpt">Hello world</p>"#));
        assert!(entry.contains(&first.id.created_at_display()));
        assert!(Arc::ptr_eq(&entry, &html_of(&summaries, &first)));
    }

    #[test]
    fn kept_entries_come_all_in_order_or_not_at_all() {
        let summaries = Summaries::default();
        let (a, b, c) = (post("a", "a"), post("b", "b"), post("c", "c"));
        let (a_html, b_html) = (html_of(&summaries, &a), html_of(&summaries, &b));
        assert_eq!(
            summaries.all_kept(&[b.id, a.id]),
            Some(vec![b_html, a_html])
        );
        assert_eq!(summaries.all_kept(&[a.id, c.id]), None);
        assert_eq!(summaries.all_kept(&[]), Some(vec![]));
    }

    #[test]
    fn the_title_and_the_excerpt_are_escaped() {
        let markup = post(
            "<img src=x onerror=alert(1)>",
            "`<script>alert(\"x\")</script>` & <b>'bold'</b>",
        );
        let entry = html_of(&Summaries::default(), &markup);
        assert!(entry.contains(">&#60;img src=x onerror=alert(1)&#62;</a>"));
        assert!(entry.contains(
            "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;&#39;bold&#39;&#60;/b&#62;"
        ));
    }
}

//! Post bodies as Markdown: CommonMark with GitHub's tables, strikethrough and bare-URL
//! autolinks, rendered to HTML that is safe to put in a page ([`render`]), or to a
//! plain-text excerpt ([`excerpt`]). Pure functions of the source text, no I/O: the
//! stores keep the source, and pages and the API render it when they show it.
//!
//! Safety is in two layers. The Markdown step writes no raw HTML of the author's (it
//! shows as the text it is) and turns images into links, so nothing is fetched from
//! another site. Then ammonia cleans the HTML against an allow-list: no script, no
//! inline style, no event handler, only `http`, `https` and `mailto` URLs (or relative
//! ones), and every link gets `rel="nofollow noopener"`.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// The `rel` every link gets: search engines give it no credit, and a page it opens
/// cannot reach back to Quill's.
pub const LINK_REL: &str = "nofollow noopener";

/// The elements rendered HTML may hold.
const TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// A post body's HTML: Markdown rendered, then sanitised. Safe to insert into a page
/// unescaped, whatever `source` holds.
pub fn render(source: &str) -> String {
    let events = Parser::new_ext(source, options()).flat_map(|event| safe_events(event));
    let events = Autolink::new(events);
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitise(&html)
}

/// The allow-list cleaner, applied to every rendered body.
fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .tags(TAGS.iter().copied().collect::<HashSet<_>>())
        .clean_content_tags(["script", "style"].into_iter().collect::<HashSet<_>>())
        .tag_attributes(
            [("a", ["href", "title"].into()), ("ol", ["start"].into())]
                .into_iter()
                .collect(),
        )
        .generic_attributes(HashSet::new())
        .url_schemes(URL_SCHEMES.iter().copied().collect::<HashSet<_>>())
        .link_rel(Some(LINK_REL))
        .clean(html)
        .to_string()
}

/// The author's raw HTML shows as the text it is; an image becomes a link to it.
fn safe_events(event: Event<'_>) -> Vec<Event<'_>> {
    match event {
        Event::Html(html) | Event::InlineHtml(html) => vec![Event::Text(html)],
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => vec![Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        })],
        Event::End(TagEnd::Image) => vec![Event::End(TagEnd::Link)],
        other => vec![other],
    }
}

/// GitHub's extended autolinks: a bare `http://`, `https://` or `www.` address in text
/// (not in a link or code) becomes a link.
struct Autolink<'a, I> {
    inner: I,
    in_link: usize,
    queue: std::collections::VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Autolink<'a, I> {
    fn new(inner: I) -> Self {
        Self {
            inner,
            in_link: 0,
            queue: std::collections::VecDeque::new(),
        }
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Autolink<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(queued) = self.queue.pop_front() {
            return Some(queued);
        }
        let event = self.inner.next()?;
        match &event {
            Event::Start(Tag::Link { .. }) => self.in_link += 1,
            Event::End(TagEnd::Link) => self.in_link = self.in_link.saturating_sub(1),
            Event::Text(text) if self.in_link == 0 => {
                let pieces = link_pieces(text);
                if pieces.iter().any(|(_, url)| url.is_some()) {
                    for (text, url) in pieces {
                        match url {
                            None => self.queue.push_back(Event::Text(CowStr::from(text))),
                            Some(url) => {
                                self.queue.push_back(Event::Start(Tag::Link {
                                    link_type: LinkType::Autolink,
                                    dest_url: CowStr::from(url),
                                    title: CowStr::from(""),
                                    id: CowStr::from(""),
                                }));
                                self.queue.push_back(Event::Text(CowStr::from(text)));
                                self.queue.push_back(Event::End(TagEnd::Link));
                            }
                        }
                    }
                    return self.queue.pop_front();
                }
            }
            _ => {}
        }
        Some(event)
    }
}

/// `text` cut into plain pieces and addresses (with the URL each links to).
fn link_pieces(text: &str) -> Vec<(String, Option<String>)> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = next_address(rest) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '<')
            .unwrap_or(tail.len());
        let address = trim_trailing(&tail[..end]);
        if address.is_empty() || !address.contains('.') {
            // Not an address after all ("http://" alone): keep it as text.
            let skip = start + tail.chars().next().map_or(1, char::len_utf8);
            pieces.push((rest[..skip].to_owned(), None));
            rest = &rest[skip..];
            continue;
        }
        if start > 0 {
            pieces.push((rest[..start].to_owned(), None));
        }
        let url = if address.starts_with("www.") {
            format!("http://{address}")
        } else {
            address.to_owned()
        };
        pieces.push((address.to_owned(), Some(url)));
        rest = &tail[address.len()..];
    }
    if !rest.is_empty() {
        pieces.push((rest.to_owned(), None));
    }
    pieces
}

/// Where the next bare address starts: `http://`, `https://`, or `www.` at a word's start.
fn next_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    ["https://", "http://", "www."]
        .iter()
        .filter_map(|prefix| {
            lower.match_indices(prefix).map(|(at, _)| at).find(|&at| {
                at == 0
                    || lower[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_whitespace() || "*_~(".contains(c))
            })
        })
        .min()
}

/// GitHub's rule, simplified: trailing punctuation is not part of an address, nor is
/// a closing parenthesis without its opening one.
fn trim_trailing(address: &str) -> &str {
    let mut address = address;
    loop {
        let trimmed = address.trim_end_matches(['?', '!', '.', ',', ':', '*', '_', '~', '\'', '"']);
        let trimmed = if trimmed.ends_with(')')
            && trimmed.matches(')').count() > trimmed.matches('(').count()
        {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == address.len() {
            return address;
        }
        address = trimmed;
    }
}

/// The first `max_chars` characters of a body's text, without its Markdown: for the list
/// of posts, which shows no formatting. White space runs become one space; an excerpt
/// that was cut ends with "…".
pub fn excerpt(source: &str, max_chars: usize) -> String {
    let (mut text, mut chars) = (String::new(), 0);
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
                chars += t.chars().count();
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => {
                text.push(' ');
                chars += 1;
            }
            _ => {}
        }
        if chars > max_chars * 2 {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= max_chars {
        return joined;
    }
    let mut cut: String = joined.chars().take(max_chars).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commonmark_and_github_extensions_render() {
        let html = render(
            "# Title\n\n*em* **strong** ~~gone~~ `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>em</em>"), "{html}");
        assert!(html.contains("<strong>strong</strong>"), "{html}");
        assert!(html.contains("<del>gone</del>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<td>1</td>"), "{html}");
    }

    #[test]
    fn links_get_nofollow_noopener() {
        let html = render("[quill](https://example.org/a)");
        assert_eq!(
            html.trim(),
            "<p><a href=\"https://example.org/a\" rel=\"nofollow noopener\">quill</a></p>"
        );
    }

    #[test]
    fn bare_addresses_become_links() {
        let html = render("see https://example.org/x, or www.example.com.");
        assert!(
            html.contains(
                "<a href=\"https://example.org/x\" rel=\"nofollow noopener\">https://example.org/x</a>,"
            ),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"http://www.example.com\" rel=\"nofollow noopener\">www.example.com</a>."
            ),
            "{html}"
        );
        assert!(!render("`https://example.org`").contains("<a"));
        assert!(!render("http:// alone").contains("<a"));
    }

    #[test]
    fn images_are_links_and_nothing_is_fetched() {
        let html = render("![a cat](https://example.org/cat.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://example.org/cat.png\" rel=\"nofollow noopener\">a cat</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn raw_html_shows_as_text() {
        let html = render("<b>bold</b> and <script>alert(1)</script>");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn an_excerpt_is_plain_text_cut_at_a_length() {
        assert_eq!(
            excerpt("# Hi\n\nsome *text* and `code`", 100),
            "Hi some text and code"
        );
        assert_eq!(excerpt("one two three", 7), "one two…");
        assert_eq!(excerpt("[a link](https://x.org)", 100), "a link");
    }
}

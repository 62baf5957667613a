//! An XSS corpus: known payloads (script tags, event handlers, SVG, `javascript:` and
//! `data:` links, entity tricks, nested Markdown and HTML), each rendered and checked to
//! hold nothing executable: only allow-listed elements and attributes, and only `http`,
//! `https` and `mailto` (or relative) URLs.

const PAYLOADS: &[&str] = &[
    // Script and style elements.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\n>alert(1)</script\n>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"color:red\">styled</p>",
    // Event handlers.
    "<img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">click</a>",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "<marquee onstart=alert(1)>x</marquee>",
    // SVG and MathML.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    // Frames, objects, forms, meta.
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    // javascript: and data: links in Markdown.
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0Aalert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: data:text/html,<script>alert(1)</script> \"title\"",
    // Entity tricks.
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    // Attribute breaking through titles and URLs.
    "[x](https://ok.example \"\\\" onmouseover=alert(1) x=\\\"\")",
    "[x](https://ok.example/\" onclick=\"alert(1))",
    "https://ok.example/\"onmouseover=\"alert(1)",
    "www.ok.example/'onmouseover='alert(1)",
    "![\" onerror=\"alert(1)](https://ok.example/x.png)",
    // Nested Markdown and HTML.
    "**<script>alert(1)</script>**",
    "*[<img src=x onerror=alert(1)>](https://ok.example)*",
    "[<svg onload=alert(1)>](javascript:alert(1))",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "> <iframe src=javascript:alert(1)>\n> [x](javascript:alert(1))",
    "- <img src=x onerror=alert(1)>\n- [x](data:text/html,x)",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href=\"javascript:alert(1)\">**bold**</a>",
    "~~<b onclick=alert(1)>x</b>~~",
    "\\<script>alert(1)\\</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
];

/// The elements and attributes the renderer may write.
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

fn attribute_allowed(tag: &str, name: &str) -> bool {
    matches!(
        (tag, name),
        ("a", "href" | "title" | "rel") | ("ol", "start")
    )
}

/// Whether an `href` is safe to follow: http, https, mailto, or relative. Read as a
/// browser's URL parser reads it: tabs and newlines removed, then leading and trailing
/// controls and spaces; a scheme is a letter, then letters, digits, `+`, `-` or `.`,
/// before a colon (anything else, `java%09script:` say, is a relative path).
fn url_allowed(raw: &str) -> bool {
    let url: String = raw
        .replace("&amp;", "&")
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let url = url
        .trim_matches(|c: char| c.is_ascii_control() || c == ' ')
        .to_ascii_lowercase();
    let Some((scheme, _)) = url.split_once(':') else {
        return true;
    };
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    !is_scheme || ["http", "https", "mailto"].contains(&scheme)
}

/// Every element of `html` (as ammonia serialises it: quoted attribute values), with
/// its attributes.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_len = html[i..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(html.len() - i);
        if name_len == 0 {
            // `<` as text would be `&lt;`; a bare one is a bug worth seeing.
            panic!("a bare '<' in {html}");
        }
        let name = html[i..i + name_len].to_ascii_lowercase();
        i += name_len;
        let mut attributes = Vec::new();
        loop {
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => i += 1,
                None => panic!("an unclosed tag in {html}"),
                Some(_) => {
                    let end = html[i..]
                        .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                        .unwrap_or(html.len() - i);
                    let attribute = html[i..i + end].to_ascii_lowercase();
                    i += end;
                    let mut value = String::new();
                    if bytes.get(i) == Some(&b'=') {
                        assert_eq!(bytes.get(i + 1), Some(&b'"'), "unquoted value in {html}");
                        let close = html[i + 2..].find('"').expect("closing quote");
                        value = html[i + 2..i + 2 + close].to_owned();
                        i += 2 + close + 1;
                    }
                    attributes.push((attribute, value));
                }
            }
        }
        if !closing {
            found.push((name, attributes));
        }
    }
    found
}

fn assert_inert(payload: &str, html: &str) {
    for (tag, attributes) in elements(html) {
        assert!(
            TAGS.contains(&tag.as_str()),
            "<{tag}> from {payload:?}: {html}"
        );
        for (name, value) in attributes {
            assert!(
                attribute_allowed(&tag, &name),
                "{tag} {name}= from {payload:?}: {html}"
            );
            if name == "href" {
                assert!(
                    url_allowed(&value),
                    "href {value:?} from {payload:?}: {html}"
                );
            }
            if name == "rel" {
                assert_eq!(value, quill_markdown::LINK_REL, "from {payload:?}");
            }
        }
    }
}

#[test]
fn the_corpus_is_large_enough() {
    assert!(PAYLOADS.len() >= 50, "{} payloads", PAYLOADS.len());
}

#[test]
fn no_payload_renders_to_anything_executable() {
    for payload in PAYLOADS {
        let html = quill_markdown::render(payload);
        assert_inert(payload, &html);
        // Embedded in a longer post, and twice over.
        let html = quill_markdown::render(&format!("# t\n\nsome *text* {payload}\n\n{payload}"));
        assert_inert(payload, &html);
    }
}

#[test]
fn the_checker_catches_what_it_looks_for() {
    assert!(std::panic::catch_unwind(|| assert_inert("", "<script>x</script>")).is_err());
    assert!(std::panic::catch_unwind(|| assert_inert("", "<p onclick=\"x\">y</p>")).is_err());
    assert!(
        std::panic::catch_unwind(|| assert_inert("", "<a href=\"javascript:x\">y</a>")).is_err()
    );
    assert!(
        std::panic::catch_unwind(|| assert_inert("", "<a href=\"data:text/html,x\">y</a>"))
            .is_err()
    );
    assert_inert(
        "",
        "<p><a href=\"https://ok.example/?a=1&amp;b=2\" rel=\"nofollow noopener\">y</a></p>",
    );
}

#[test]
fn safe_links_survive_with_their_rel() {
    let html = quill_markdown::render(
        "[ok](https://ok.example/a?b=1&c=2) and [mail](mailto:a@ok.example) and [rel](/posts)",
    );
    assert!(
        html.contains("href=\"https://ok.example/a?b=1&amp;c=2\""),
        "{html}"
    );
    assert!(html.contains("href=\"mailto:a@ok.example\""), "{html}");
    assert!(html.contains("href=\"/posts\""), "{html}");
    assert_eq!(
        html.matches("rel=\"nofollow noopener\"").count(),
        3,
        "{html}"
    );
}

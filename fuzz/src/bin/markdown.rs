//! Post bodies through the Markdown renderer and the list's excerpt: no panic, and the
//! HTML holds no script element, no event handler and no `javascript:` or `data:` URL
//! (the XSS corpus in crates/quill-markdown/tests/xss.rs checks known payloads fully).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let body = text(data);
    let html = quill_markdown::render(&body);
    let _ = quill_markdown::excerpt(&body, 280);
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default().to_ascii_lowercase();
        let name = tag.split_whitespace().next().unwrap_or_default();
        assert!(!matches!(name, "script" | "style" | "iframe" | "object" | "embed" | "svg"), "{html}");
        for attribute in tag.split_whitespace().skip(1) {
            let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
            assert!(!key.starts_with("on") && key != "style", "{html}");
            let value = value.trim_matches('"').trim_start();
            assert!(!value.starts_with("javascript:") && !value.starts_with("data:"), "{html}");
        }
    }
});

//! Query strings of `GET /posts` and `GET /api/v1/posts`, decoded as `web::Query`
//! decodes them, and their `before` cursor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_domain::PostId;
use quill_web::parsers::{ApiListQuery, ListQuery, parse_cursor};

fn check_cursor(before: Option<&str>) {
    if let Ok(Some(id)) = parse_cursor(before) {
        // The cursor a page links to is read back as the same post.
        assert_eq!(parse_cursor(Some(&id.to_string())).ok(), Some(Some(id)));
        assert_eq!(PostId::parse(&id.to_string()), Ok(id));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = serde_urlencoded::from_bytes::<ListQuery>(data) {
        check_cursor(query.before.as_deref());
    }
    if let Ok(query) = serde_urlencoded::from_bytes::<ApiListQuery>(data) {
        check_cursor(query.before.as_deref());
    }
    check_cursor(Some(&quill_fuzz::text(data)));
});

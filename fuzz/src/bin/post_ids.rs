//! Post ids as `GET /posts/{id}` and `GET /api/v1/posts/{id}` take them, and the post
//! tokens (`post_token` of the "new post" form and of `POST /api/v1/posts`) that carry
//! one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_domain::{PostId, UserId};
use quill_fuzz::{secrets, text};
use quill_web::parsers::{issue_post_token, redeem_post_token};

fuzz_target!(|data: &[u8]| {
    let raw = text(data);
    let key = &secrets().post_token;
    if let Ok(id) = PostId::parse(&raw) {
        assert_eq!(PostId::parse(&id.to_string()), Ok(id));
        assert_eq!(PostId::from_uuid(*id.as_uuid()), Ok(id));
        let _ = id.created_at_display();
        let _ = id.created_at_rfc3339();
        // A token for this id is good for its user only.
        let token = issue_post_token(key, UserId(7), id);
        let when = id.created_at_micros();
        assert_eq!(redeem_post_token(key, UserId(7), &token, when), Some(id));
        assert_eq!(redeem_post_token(key, UserId(8), &token, when), None);
    }
    // What the fuzzer writes was never signed with the key.
    let now = quill_domain::clock::unix_micros();
    assert_eq!(redeem_post_token(key, UserId(7), &raw, now), None);
});

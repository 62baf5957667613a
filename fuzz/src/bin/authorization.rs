//! `Authorization` header values, as the API's bearer authentication reads them, and the
//! hash a token is looked up by.
#![no_main]

use actix_web::http::header::HeaderValue;
use libfuzzer_sys::fuzz_target;
use quill_web::parsers::bearer_token;

fuzz_target!(|data: &[u8]| {
    // What actix-web's request parser lets through as a header value.
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let Ok(value) = value.to_str() else {
        return;
    };
    if let Some(token) = bearer_token(value) {
        assert!(!token.is_empty() && token.len() <= 256);
        assert_eq!(token, token.trim());
        assert!(
            value
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer "))
        );
        let hash = quill_accounts::sessions::token_hash(token);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
});

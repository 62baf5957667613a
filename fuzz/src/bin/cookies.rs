//! A request's `Cookie` header (the session, CSRF seed, flash, `quill_after` and device
//! cookies) and the headers of the CSRF check's cross-site test (`Sec-Fetch-Site`,
//! `Origin`, `Host`), read the way Quill's middleware and extractors read them.
//!
//! Input: up to four header values separated by `\n`: Cookie, Origin, Host,
//! Sec-Fetch-Site.
#![no_main]

use actix_web::cookie::CookieJar;
use actix_web::http::header::{self, HeaderValue};
use actix_web::test::TestRequest;
use libfuzzer_sys::fuzz_target;
use quill_fuzz::secrets;
use quill_web::parsers::{Flash, cross_site, device_cookie, read_floor_cookie, seed_of_cookie};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == b'\n');
    let mut request = TestRequest::default();
    for name in [
        header::COOKIE,
        header::ORIGIN,
        header::HOST,
        header::HeaderName::from_static("sec-fetch-site"),
    ] {
        if let Some(Ok(value)) = parts.next().map(HeaderValue::from_bytes) {
            request = request.insert_header((name, value));
        }
    }
    let req = request.to_http_request();
    let keys = secrets();

    let _ = cross_site(&req);
    if let Some(flash) = Flash::of(&req) {
        assert!(!flash.message().is_empty());
    }
    let Ok(cookies) = req.cookies() else {
        return;
    };
    let mut jar = CookieJar::new();
    for cookie in cookies.iter() {
        jar.add_original(cookie.clone());
        let value = cookie.value();
        match cookie.name() {
            quill_web::csrf::COOKIE => {
                if let Some(seed) = seed_of_cookie(value) {
                    assert_eq!(seed.len(), 43);
                }
            }
            quill_web::flash::COOKIE => {
                let _ = Flash::from_code(value);
            }
            // Nobody forges a position or a device id: these are signed with keys the
            // fuzzer never sees, so nothing it makes is accepted.
            "quill_after" => assert!(read_floor_cookie(&keys.read_floor, value).is_none()),
            "quill_device" => assert!(device_cookie(&keys.device, value, "ada").is_none()),
            _ => {}
        }
    }
    // The session cookie: decrypted as actix-session does with Quill's
    // `CookieContentSecurity::Private`, and its key hashed as the store looks it up.
    if let Some(session) = jar.private(&keys.cookie).get("quill_session") {
        let _ = quill_accounts::sessions::token_hash(session.value());
    }
});

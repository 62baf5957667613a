//! The device cookie (`quill_device`). A browser that logs in to an account gets a
//! random device id for it, signed together with the account's name. Its later login
//! attempts on that account are counted apart from everyone else's
//! (`quill_accounts::throttle`), so failures from other browsers never stop it.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::secrets::MacKey;

pub const COOKIE: &str = "quill_device";

/// A device cookie lasts a year from the last login it was set at.
const MAX_AGE_DAYS: i64 = 365;

/// The device id the request's cookie carries, if Quill signed it for `account`
/// (case-folded).
pub fn of(req: &HttpRequest, key: &MacKey, account: &str) -> Option<String> {
    verify(key, req.cookie(COOKIE)?.value(), account)
}

/// The device id a cookie's value carries, if Quill signed it for `account`.
pub fn verify(key: &MacKey, value: &str, account: &str) -> Option<String> {
    let (id, signature) = value.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    key.verify(&[account.as_bytes(), id.as_bytes()], &signature)
        .then(|| id.to_owned())
}

/// A device cookie for `account`, keeping the browser's device id when it has one.
pub fn cookie(key: &MacKey, account: &str, id: Option<String>) -> Cookie<'static> {
    let id = id.unwrap_or_else(|| {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    });
    let signature = URL_SAFE_NO_PAD.encode(key.sign(&[account.as_bytes(), id.as_bytes()]));
    Cookie::build(COOKIE, format!("{id}.{signature}"))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(MAX_AGE_DAYS))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_cookie_speaks_for_its_account_only() {
        let key = MacKey::for_tests([7; 32]);
        let cookie = cookie(&key, "ada", None);
        let id = verify(&key, cookie.value(), "ada").expect("signed for ada");
        assert_eq!(
            cookie.value().split_once('.').map(|(id, _)| id),
            Some(id.as_str())
        );
        assert_eq!(verify(&key, cookie.value(), "grace"), None);
        assert_eq!(
            verify(&MacKey::for_tests([8; 32]), cookie.value(), "ada"),
            None
        );
        let kept = super::cookie(&key, "ada", Some(id.clone()));
        assert_eq!(verify(&key, kept.value(), "ada"), Some(id));
        for forged in ["", "x", "abc.def", "abc."] {
            assert_eq!(verify(&key, forged, "ada"), None);
        }
    }
}

//! Whether a request reached Quill over HTTPS, and what follows from it.
//!
//! Over HTTPS every cookie Quill sets is `Secure` and carries the `__Host-` prefix
//! (`__Host-quill_session`, ...), which browsers accept only from a secure origin, for
//! path `/` and without a `Domain`: a network attacker or a sibling subdomain cannot
//! plant one. Cookies Quill reads under their plain names then are ignored: over HTTPS
//! they can only have been planted. Responses also carry
//! `Strict-Transport-Security` with `includeSubDomains`.
//!
//! The rest of Quill names and reads its cookies plainly (`quill_session`); this
//! middleware, outside all of them, translates names both ways, so no handler needs to
//! know the scheme.
//!
//! A request is HTTPS when `QUILL_COOKIE_SECURE` says TLS always terminates in front,
//! or, with `QUILL_BEHIND_PROXY`, when the proxy's `X-Forwarded-Proto` says `https`
//! (the proxy must set it itself, never pass on a client's; compose's nginx does).

use actix_web::body::MessageBody;
use actix_web::cookie::Cookie;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Every cookie Quill sets is named `quill_...`.
const OURS: &str = "quill_";
const HOST_PREFIX: &str = "__Host-";
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// What Quill may assume of the connection in front of it.
#[derive(Debug, Clone, Copy)]
pub struct Transport {
    /// `QUILL_COOKIE_SECURE`: every request came over HTTPS.
    pub always_https: bool,
    /// `QUILL_BEHIND_PROXY`: the proxy's `X-Forwarded-Proto` tells the scheme.
    pub behind_proxy: bool,
}

impl Transport {
    fn is_https(self, req: &ServiceRequest) -> bool {
        self.always_https
            || (self.behind_proxy
                && req
                    .headers()
                    .get("x-forwarded-proto")
                    .and_then(|value| value.to_str().ok())
                    .is_some_and(forwarded_https))
    }
}

/// The scheme the nearest proxy reports: the last of a comma-separated list.
fn forwarded_https(value: &str) -> bool {
    value
        .rsplit(',')
        .next()
        .is_some_and(|scheme| scheme.trim().eq_ignore_ascii_case("https"))
}

pub async fn middleware(
    transport: Transport,
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !transport.is_https(&req) {
        return next.call(req).await;
    }
    let incoming: Vec<String> = req
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .map(unprefixed_cookie_header)
        .collect();
    let headers = req.headers_mut();
    headers.remove(header::COOKIE);
    for value in incoming.into_iter().filter(|v| !v.is_empty()) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(header::COOKIE, value);
        }
    }

    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let outgoing: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .map(|value| {
            value
                .to_str()
                .ok()
                .and_then(prefixed_set_cookie)
                .and_then(|v| HeaderValue::from_str(&v).ok())
                .unwrap_or_else(|| value.clone())
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for value in outgoing {
        headers.append(header::SET_COOKIE, value);
    }
    headers.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    Ok(res)
}

/// A `Cookie` header as the handlers should see it over HTTPS: `__Host-quill_x` becomes
/// `quill_x`, and a plain `quill_x` (planted, since Quill never sets one over HTTPS) is
/// dropped. Other cookies pass untouched.
fn unprefixed_cookie_header(value: &str) -> String {
    value
        .split(';')
        .map(str::trim)
        .filter_map(|pair| {
            if let Some(ours) = pair.strip_prefix(HOST_PREFIX)
                && ours.starts_with(OURS)
            {
                Some(ours)
            } else if pair.starts_with(OURS) {
                None
            } else {
                Some(pair)
            }
        })
        .filter(|pair| !pair.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A `Set-Cookie` of Quill's as it goes out over HTTPS: `__Host-` named, `Secure`,
/// path `/`, no domain. `None` for a cookie that is not Quill's.
fn prefixed_set_cookie(value: &str) -> Option<String> {
    let mut cookie = Cookie::parse(value).ok()?;
    if !cookie.name().starts_with(OURS) {
        return None;
    }
    cookie.set_name(format!("{HOST_PREFIX}{}", cookie.name()));
    cookie.set_secure(true);
    cookie.set_path("/");
    cookie.unset_domain();
    Some(cookie.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_only_prefixed_quill_cookies_are_read() {
        assert_eq!(
            unprefixed_cookie_header(
                "__Host-quill_session=abc; quill_csrf=planted; other=1; __Host-quill_csrf=xyz"
            ),
            "quill_session=abc; other=1; quill_csrf=xyz"
        );
        assert_eq!(unprefixed_cookie_header("quill_session=planted"), "");
        assert_eq!(
            unprefixed_cookie_header("__Host-other=1"),
            "__Host-other=1",
            "not Quill's: untouched"
        );
    }

    #[test]
    fn quill_cookies_go_out_prefixed_and_secure() {
        let out = prefixed_set_cookie("quill_session=abc; HttpOnly; SameSite=Lax; Path=/x")
            .expect("ours");
        let cookie = Cookie::parse(out).expect("parses");
        assert_eq!(cookie.name(), "__Host-quill_session");
        assert_eq!(cookie.value(), "abc");
        assert_eq!(cookie.secure(), Some(true));
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.path(), Some("/"));
        assert_eq!(cookie.domain(), None);
        assert_eq!(prefixed_set_cookie("theirs=1"), None);
    }

    #[test]
    fn the_nearest_proxy_tells_the_scheme() {
        assert!(forwarded_https("https"));
        assert!(forwarded_https("HTTPS"));
        assert!(forwarded_https("http, https"));
        assert!(!forwarded_https("https, http"));
        assert!(!forwarded_https("http"));
        assert!(!forwarded_https(""));
    }
}

//! CSRF protection for forms: a signed token bound to the session.
//!
//! Every form carries `csrf_token` = HMAC(key, what it is bound to):
//! - a logged-in session's own random secret, made at login (the session state's
//!   `csrf`), so a token works only with the session it was shown in, and a new login
//!   gets a new one;
//! - before login, the visitor's random `quill_csrf` cookie (HttpOnly, SameSite=Lax),
//!   a pre-session seed, renewed at login and logout.
//!
//! A cross-site page can neither read the session or the cookie nor forge the HMAC, so
//! a POST whose token does not match is refused with 403. A form sent from another site
//! is refused as well, whatever token it carries, when the browser says so:
//! `Sec-Fetch-Site: cross-site`, or else an `Origin` whose host is not the one the
//! request was sent to. The API authenticates with bearer tokens only and needs none of
//! this.

use std::future::{Ready, ready};

use actix_session::SessionExt;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::errors::{PageError, Problem};
use crate::secrets::{MacKey, Secrets};

pub const COOKIE: &str = "quill_csrf";

/// The session state key of a logged-in session's CSRF secret.
pub const SESSION_SECRET: &str = "csrf";

/// The visitor's CSRF seed (the cookie value), set by [`ensure_cookie`].
#[derive(Clone)]
struct Seed(String);

/// Asks [`ensure_cookie`] for a new seed on this response (login, logout).
struct RenewSeed;

/// What a token is bound to.
pub enum Binding {
    /// A logged-in session's secret.
    Session(String),
    /// A visitor's seed, before login.
    Visitor(String),
}

/// Issues and checks CSRF tokens for the current session or visitor.
pub struct Csrf {
    binding: Binding,
    secrets: web::Data<Secrets>,
    /// The browser says the request comes from another site.
    cross_site: bool,
}

/// A new random secret or seed: 256 bits, URL-safe base64 (43 characters).
fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new secret for a session that is logging in.
pub fn new_session_secret() -> String {
    random()
}

/// Gives the visitor a new seed with this response, so that tokens of the page before
/// a login or logout are worth nothing after it.
pub fn renew_seed(req: &HttpRequest) {
    req.extensions_mut().insert(RenewSeed);
}

impl Binding {
    /// What the token signs: the binding's kind and value.
    fn signed(&self) -> [&[u8]; 2] {
        match self {
            Self::Session(secret) => [b"session", secret.as_bytes()],
            Self::Visitor(seed) => [b"visitor", seed.as_bytes()],
        }
    }
}

/// The token of `binding` under `key`.
pub fn token(key: &MacKey, binding: &Binding) -> String {
    URL_SAFE_NO_PAD.encode(key.sign(&binding.signed()))
}

/// Whether a submitted form field holds the token of `binding` under `key` (surrounding
/// whitespace aside).
pub fn token_matches(key: &MacKey, binding: &Binding, submitted: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(submitted.trim())
        .is_ok_and(|signature| key.verify(&binding.signed(), &signature))
}

/// The seed a `quill_csrf` cookie's value holds, if it has the shape Quill makes (43
/// characters of URL-safe base64); anything else gets a new seed.
pub fn seed_of_cookie(value: &str) -> Option<&str> {
    (value.len() == 43 && URL_SAFE_NO_PAD.decode(value).is_ok()).then_some(value)
}

impl Csrf {
    /// The token to put in a form's hidden `csrf_token` field.
    pub fn token(&self) -> String {
        token(&self.secrets.csrf, &self.binding)
    }

    /// Refuses a submitted token that was not issued for this visitor.
    pub fn verify(&self, submitted: &str) -> Result<(), Problem> {
        if !self.cross_site && token_matches(&self.secrets.csrf, &self.binding, submitted) {
            Ok(())
        } else {
            Err(Problem::Forbidden)
        }
    }
}

impl FromRequest for Csrf {
    type Error = PageError;
    type Future = Ready<Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let secrets = req.app_data::<web::Data<Secrets>>().cloned();
        ready(match (binding(req), secrets) {
            (Ok(binding), Some(secrets)) => Ok(Self {
                binding,
                secrets,
                cross_site: cross_site(req),
            }),
            (Err(e), _) => Err(e),
            (_, None) => Err(PageError(Problem::Internal(anyhow::anyhow!(
                "secrets missing"
            )))),
        })
    }
}

/// The logged-in session's secret (made now for a session from before secrets were),
/// else the visitor's seed.
fn binding(req: &HttpRequest) -> Result<Binding, PageError> {
    let session = req.get_session();
    let logged_in = session.contains_key(quill_accounts::sessions::USER_ID_KEY);
    if logged_in {
        if let Ok(Some(secret)) = session.get::<String>(SESSION_SECRET) {
            return Ok(Binding::Session(secret));
        }
        let secret = new_session_secret();
        session
            .insert(SESSION_SECRET, &secret)
            .map_err(|e| Problem::Internal(anyhow::anyhow!("{e}")))?;
        return Ok(Binding::Session(secret));
    }
    let seed = req.extensions().get::<Seed>().map(|seed| seed.0.clone());
    seed.map(Binding::Visitor).ok_or_else(|| {
        PageError(Problem::Internal(anyhow::anyhow!(
            "CSRF middleware missing"
        )))
    })
}

/// Whether the browser says `req` comes from another site: `Sec-Fetch-Site` when it
/// sends one, else an `Origin` whose host differs from the `Host` it was sent to (ports
/// aside: a proxy in front may pass the host without its port).
pub fn cross_site(req: &HttpRequest) -> bool {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    if let Some(site) = header("sec-fetch-site") {
        return site.eq_ignore_ascii_case("cross-site");
    }
    let (Some(origin), Some(host)) = (header("origin"), header("host")) else {
        return false;
    };
    if origin == "null" {
        return false;
    }
    let hostname = |authority: &str| {
        let authority = authority
            .rsplit_once("://")
            .map_or(authority, |(_, rest)| rest);
        let end = if authority.starts_with('[') {
            authority.find(']').map_or(authority.len(), |i| i + 1)
        } else {
            authority.find(':').unwrap_or(authority.len())
        };
        authority[..end].to_ascii_lowercase()
    };
    hostname(origin) != hostname(host)
}

/// Middleware: gives every visitor a CSRF seed cookie, reusing the one they have. The
/// API authenticates with bearer tokens, not cookies, so it gets none.
pub async fn ensure_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if crate::routes::is_api(req.request()) {
        return next.call(req).await;
    }
    let existing = req
        .cookie(COOKIE)
        .and_then(|c| seed_of_cookie(c.value()).map(str::to_owned));
    let (seed, fresh) = match existing {
        Some(seed) => (seed, false),
        None => (random(), true),
    };
    req.extensions_mut().insert(Seed(seed.clone()));
    let mut res = next.call(req).await?;
    let renew = res.request().extensions().contains::<RenewSeed>();
    if fresh || renew {
        let seed = if renew { random() } else { seed };
        let cookie = Cookie::build(COOKIE, seed)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MacKey {
        MacKey::for_tests([7; 32])
    }

    #[test]
    fn a_token_matches_its_own_binding_only() {
        let visitor = Binding::Visitor(random());
        let session = Binding::Session(random());
        let token = token(&key(), &visitor);
        assert!(token_matches(&key(), &visitor, &token));
        assert!(token_matches(&key(), &visitor, &format!(" {token}\n")));
        assert!(!token_matches(&key(), &session, &token));
        assert!(!token_matches(
            &MacKey::for_tests([8; 32]),
            &visitor,
            &token
        ));
        for forged in ["", "not base64!", &token[1..], &format!("{token}A")] {
            assert!(!token_matches(&key(), &visitor, forged), "{forged:?}");
        }
    }

    #[test]
    fn only_seeds_of_quills_shape_are_kept() {
        let seed = random();
        assert_eq!(seed_of_cookie(&seed), Some(seed.as_str()));
        assert_eq!(seed_of_cookie(&seed[1..]), None);
        assert_eq!(seed_of_cookie(&format!("{}+", &seed[1..])), None);
        assert_eq!(seed_of_cookie(""), None);
    }
}

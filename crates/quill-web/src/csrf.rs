//! CSRF protection for forms: a signed double-submit token.
//!
//! Every visitor gets a random `quill_csrf` cookie (HttpOnly, SameSite=Lax); every form
//! carries `csrf_token` = HMAC(key, cookie value). A cross-site page can neither read the
//! cookie nor forge the HMAC, so a POST whose token does not match is refused with 403.
//! This needs no server-side state, so the login form is covered before any session.
//!
//! A form sent from another site is refused as well, whatever token it carries, when the
//! browser says so: `Sec-Fetch-Site: cross-site`, or else an `Origin` whose host is not
//! the one the request was sent to.

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::errors::{PageError, Problem};
use crate::secrets::Secrets;

pub const COOKIE: &str = "quill_csrf";

/// The visitor's CSRF seed (the cookie value), set by [`ensure_cookie`].
#[derive(Clone)]
struct Seed(String);

/// Issues and checks CSRF tokens for the current visitor.
pub struct Csrf {
    seed: String,
    secrets: web::Data<Secrets>,
    /// The browser says the request comes from another site.
    cross_site: bool,
}

impl Csrf {
    /// The token to put in a form's hidden `csrf_token` field.
    pub fn token(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secrets.csrf.sign(&[self.seed.as_bytes()]))
    }

    /// Refuses a submitted token that was not issued for this visitor.
    pub fn verify(&self, submitted: &str) -> Result<(), Problem> {
        if self.cross_site {
            return Err(Problem::Forbidden);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(submitted.trim())
            .map_err(|_| Problem::Forbidden)?;
        if self
            .secrets
            .csrf
            .verify(&[self.seed.as_bytes()], &signature)
        {
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
        let seed = req.extensions().get::<Seed>().map(|seed| seed.0.clone());
        let secrets = req.app_data::<web::Data<Secrets>>().cloned();
        ready(match (seed, secrets) {
            (Some(seed), Some(secrets)) => Ok(Self {
                seed,
                secrets,
                cross_site: cross_site(req),
            }),
            _ => Err(PageError(Problem::Internal(anyhow::anyhow!(
                "CSRF middleware or secrets missing"
            )))),
        })
    }
}

/// Whether the browser says `req` comes from another site: `Sec-Fetch-Site` when it
/// sends one, else an `Origin` whose host differs from the `Host` it was sent to (ports
/// aside: a proxy in front may pass the host without its port).
fn cross_site(req: &HttpRequest) -> bool {
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
    secure: bool,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if crate::routes::is_api(req.request()) {
        return next.call(req).await;
    }
    let existing = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43 && URL_SAFE_NO_PAD.decode(v).is_ok());
    let (seed, fresh) = match existing {
        Some(seed) => (seed, false),
        None => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            (URL_SAFE_NO_PAD.encode(bytes), true)
        }
    };
    req.extensions_mut().insert(Seed(seed.clone()));
    let mut res = next.call(req).await?;
    if fresh {
        let cookie = Cookie::build(COOKIE, seed)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

//! CSRF protection for forms: a signed double-submit token.
//!
//! Every visitor gets a random `quill_csrf` cookie (HttpOnly, SameSite=Lax); every form
//! carries `csrf_token` = HMAC(key, cookie value). A cross-site page can neither read the
//! cookie nor forge the HMAC, so a POST whose token does not match is refused with 403.
//! This needs no server-side state, so the login form is covered before any session.

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
}

impl Csrf {
    /// The token to put in a form's hidden `csrf_token` field.
    pub fn token(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secrets.csrf.sign(&[self.seed.as_bytes()]))
    }

    /// Refuses a submitted token that was not issued for this visitor.
    pub fn verify(&self, submitted: &str) -> Result<(), Problem> {
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
            (Some(seed), Some(secrets)) => Ok(Self { seed, secrets }),
            _ => Err(PageError(Problem::Internal(anyhow::anyhow!(
                "CSRF middleware or secrets missing"
            )))),
        })
    }
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

//! Read-your-writes across database replicas, per client.
//!
//! A request that writes to the primary learns the GTID of its commit; the response
//! hands it to the client in a signed `quill_after` cookie, and the client's next
//! requests make their replica reads wait for that position (see `quill_accounts::Db`).
//! Signed, so that nobody can make Quill wait for a position that does not exist; short
//! lived, since replicas that lag longer leave HAProxy's read rotation anyway.
//!
//! The same middleware turns a session that could not be saved because the primary is
//! unreachable into the clear 503 page, instead of a bare 500.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use quill_accounts::read_your_writes::{self, Position as GtidPos};

use crate::errors::{ApiError, PageError, Problem};
use crate::secrets::{MacKey, Secrets};

pub const COOKIE: &str = "quill_after";

/// How long a client keeps waiting for its last write on replicas.
const COOKIE_MAX_AGE_SECS: i64 = 300;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let key = req
        .app_data::<web::Data<Secrets>>()
        .map(|secrets| secrets.read_floor.clone());
    let floor = key
        .as_ref()
        .zip(req.cookie(COOKIE))
        .and_then(|(key, cookie)| decode(key, cookie.value()));
    let api = crate::routes::is_api(req.request());
    let (result, outcome) = read_your_writes::with_request(floor, next.call(req)).await;
    match result {
        Ok(mut res) => {
            if let (Some(floor), Some(key)) = (outcome.advanced_floor, &key) {
                let cookie = Cookie::build(COOKIE, encode(key, &floor))
                    .path("/")
                    .http_only(true)
                    .same_site(SameSite::Lax)
                    .max_age(time::Duration::seconds(COOKIE_MAX_AGE_SECS))
                    .finish();
                res.response_mut().add_cookie(&cookie)?;
            }
            Ok(res)
        }
        // The session could not be saved: the 503 page, not a bare 500.
        Err(e) if outcome.unavailable => {
            let problem = Problem::Unavailable(anyhow::anyhow!("{e}"));
            Err(if api {
                ApiError(problem).into()
            } else {
                PageError(problem).into()
            })
        }
        Err(e) => Err(e),
    }
}

fn encode(key: &MacKey, floor: &GtidPos) -> String {
    let text = floor.to_string();
    let signature = key.sign(&[text.as_bytes()]);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(text),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The position a cookie names, if Quill signed it; anything else is ignored.
pub fn decode(key: &MacKey, value: &str) -> Option<GtidPos> {
    let (text, signature) = value.split_once('.')?;
    let text = URL_SAFE_NO_PAD.decode(text).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    if !key.verify(&[&text], &signature) {
        return None;
    }
    String::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> MacKey {
        MacKey::for_tests([byte; 32])
    }

    #[test]
    fn a_signed_position_round_trips() {
        let floor: GtidPos = "0-1-42,1-2-7".parse().expect("position");
        let value = encode(&key(1), &floor);
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
        assert_eq!(decode(&key(1), &value), Some(floor));
    }

    #[test]
    fn forged_or_foreign_positions_are_ignored() {
        let floor: GtidPos = "0-1-42".parse().expect("position");
        let value = encode(&key(1), &floor);
        assert_eq!(decode(&key(2), &value), None);
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("0-1-999999"),
            value.split_once('.').expect("dot").1
        );
        assert_eq!(decode(&key(1), &forged), None);
        assert_eq!(decode(&key(1), "garbage"), None);
        assert_eq!(decode(&key(1), ""), None);
    }
}

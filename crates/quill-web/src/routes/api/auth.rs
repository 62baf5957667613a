//! Bearer-token authentication for the API.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::app::{CurrentUser, accounts};
use crate::errors::{ApiError, Problem};
use crate::state::AppState;

/// The user a bearer token belongs to, and the token.
pub struct ApiUser {
    pub user: CurrentUser,
    pub token: String,
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    bearer_token(value).map(str::to_owned)
}

/// The token of an `Authorization` header's value: `Bearer <token>` (the scheme in any
/// case), 1-256 characters once trimmed; anything else is no token.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty() && t.len() <= 256)
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(Problem::LoginRequired.into());
            };
            let user = accounts::api_user(&state, &token)
                .await?
                .ok_or(Problem::LoginRequired)?;
            Ok(Self { user, token })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn a_bearer_token_is_what_follows_the_scheme_trimmed() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bEaReR   abc  "), Some("abc"));
        assert_eq!(
            bearer_token(&format!("Bearer {}", "a".repeat(256))).map(str::len),
            Some(256)
        );
    }

    #[test]
    fn anything_else_is_no_token() {
        for value in [
            "",
            "Bearer",
            "Bearer ",
            "Bearer    ",
            "Basic abc",
            "Bearerabc",
            "abc",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
        assert_eq!(bearer_token(&format!("Bearer {}", "a".repeat(257))), None);
    }
}

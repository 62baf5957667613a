//! One-shot messages shown on the page after a redirect ("You are logged in.").
//!
//! The cookie holds a code, never text, so nobody can make Quill display words of their
//! choosing. It is cleared by the first page that shows it.

use actix_web::HttpRequest;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub const COOKIE: &str = "quill_flash";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    SignedUp,
    LoggedIn,
    LoggedOut,
    Published,
    PasswordChanged,
    OthersEnded,
    AccountDeleted,
    AccountDeleting,
}

impl Flash {
    const ALL: [Self; 8] = [
        Self::SignedUp,
        Self::LoggedIn,
        Self::LoggedOut,
        Self::Published,
        Self::PasswordChanged,
        Self::OthersEnded,
        Self::AccountDeleted,
        Self::AccountDeleting,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::SignedUp => "signed-up",
            Self::LoggedIn => "logged-in",
            Self::LoggedOut => "logged-out",
            Self::Published => "published",
            Self::PasswordChanged => "password-changed",
            Self::OthersEnded => "others-ended",
            Self::AccountDeleted => "account-deleted",
            Self::AccountDeleting => "account-deleting",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::SignedUp => "Welcome to Quill! Your account is ready.",
            Self::LoggedIn => "You are logged in.",
            Self::LoggedOut => "You are logged out.",
            Self::Published => "Your post is published.",
            Self::PasswordChanged => {
                "Your password is changed. Your other sessions have ended; this one goes on."
            }
            Self::OthersEnded => "Your other sessions have ended; this one goes on.",
            Self::AccountDeleted => "Your account and all your posts are deleted. Goodbye.",
            Self::AccountDeleting => {
                "Your account is closed and can no longer log in. Some of your posts could \
                 not be deleted yet; Quill deletes them as soon as it can."
            }
        }
    }

    /// The cookie that carries this message to the next page.
    pub fn cookie(self) -> Cookie<'static> {
        Cookie::build(COOKIE, self.code())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(Duration::minutes(5))
            .finish()
    }

    /// A 303 redirect to `location` that shows this message there.
    pub fn redirect(self, location: &str) -> actix_web::HttpResponse {
        actix_web::HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, location))
            .cookie(self.cookie())
            .finish()
    }

    /// The message waiting for this request, if any.
    pub fn of(req: &HttpRequest) -> Option<Self> {
        Self::from_code(req.cookie(COOKIE)?.value())
    }

    /// The message a cookie's value names; any other value names none.
    pub fn from_code(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == value)
    }
}

/// Middleware: once a page has been shown with a message, drop the message.
pub async fn clear_after_display(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let had_flash = req.cookie(COOKIE).is_some();
    let mut res = next.call(req).await?;
    // Only then: parsing the response's cookies is 3% of a page view's instructions.
    let sets_flash = || {
        res.response()
            .cookies()
            .any(|cookie| cookie.name() == COOKIE)
    };
    if had_flash && res.status().is_success() && !sets_flash() {
        let mut removal = Cookie::build(COOKIE, "").path("/").finish();
        removal.make_removal();
        res.response_mut().add_cookie(&removal)?;
    }
    Ok(res)
}

//! The application layer: the use cases between HTTP and the stores. Sign up, log in
//! and API sessions in [`accounts`]; publish, page and read in [`posts`].
//!
//! Use cases take parsed or plain input and return typed outcomes: what the person
//! should be told, never a status code. Page handlers and API handlers parse the
//! request, call one use case, and render its outcome in their own way; they never call
//! each other. A use case fails only with a [`Failure`], which the error policy
//! (`crate::errors`) answers with a 503 or a 500.
//!
//! Use cases that make something a script could make in bulk (an account, an API
//! session, a post token) first count it against the deployment's rate limits
//! ([`rate_limit`]), before any other work.

pub mod accounts;
pub mod deletion;
pub mod export;
pub mod password;
pub mod posts;
pub mod sessions;
pub mod summaries;

use std::collections::BTreeMap;
use std::net::IpAddr;

use quill_accounts::{AccountsError, Action, Limited};
use quill_domain::{Month, UserId};
use quill_posts::PostStoreError;

use crate::metrics::{Event, Metrics};
use crate::state::AppState;

/// A message per input field that needs another look, keyed by the field's name.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// The person a request acts for: from a browser session or an API token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    /// The month they signed up: their timeline starts there.
    pub since: Month,
    /// The public id of the session the request came with (`sessions::public_id`).
    pub session: Option<String>,
}

/// The client a session starts for, as the sessions page shows it.
#[derive(Debug, Clone)]
pub struct Client {
    /// The `User-Agent` it sent, if any.
    pub agent: Option<String>,
    pub address: IpAddr,
}

/// Why a use case could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A store or the password hasher cannot serve now; the same request may succeed
    /// in a moment.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// A bug, or data Quill did not expect.
    #[error("internal: {0:#}")]
    Internal(anyhow::Error),
}

impl Failure {
    fn of(outage: bool, cause: anyhow::Error) -> Self {
        if outage {
            Self::Unavailable(cause)
        } else {
            Self::Internal(cause)
        }
    }
}

/// Counts one `action` from `address` against the rate limits, or says which refused
/// it (and records the refusal).
async fn rate_limit(
    state: &AppState,
    metrics: &Metrics,
    action: Action,
    address: IpAddr,
) -> Result<Option<Limited>, Failure> {
    let Err(limited) = state.limits.admit(action, address).await? else {
        return Ok(None);
    };
    metrics.record(match action {
        Action::SignUp => Event::SignUpLimited,
        Action::ApiSession => Event::ApiSessionLimited,
        Action::PostToken => Event::PostTokenLimited,
    });
    Ok(Some(limited))
}

impl From<AccountsError> for Failure {
    fn from(e: AccountsError) -> Self {
        Self::of(e.is_outage(), e.into())
    }
}

impl From<PostStoreError> for Failure {
    fn from(e: PostStoreError) -> Self {
        Self::of(e.is_outage(), e.into())
    }
}

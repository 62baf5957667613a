//! One's own sessions: the list (browser sessions and API tokens), and ending all but
//! the one in use, once the password is typed again (ASVS 7.5.2).

use quill_domain::clock::{format_rfc3339, format_utc_minutes};

use super::accounts::Attempt;
use super::password::{Reauth, confirm_password};
use super::{CurrentUser, Failure};
use crate::state::AppState;
use crate::user_agent;

/// A live session as the sessions page and the API show it.
pub struct SessionView {
    /// Its public id: a hash of the stored hash, never the token.
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_seen_at: i64,
    /// "Firefox", "curl", "API client" ...
    pub browser: &'static str,
    /// The client's address when the session started.
    pub address: Option<String>,
    pub api: bool,
    /// The session the request came with.
    pub current: bool,
}

impl SessionView {
    pub fn created_display(&self) -> String {
        format_utc_minutes(self.created_at.saturating_mul(1_000_000))
    }

    pub fn last_seen_display(&self) -> String {
        format_utc_minutes(self.last_seen_at.saturating_mul(1_000_000))
    }

    pub fn created_rfc3339(&self) -> String {
        format_rfc3339(self.created_at.saturating_mul(1_000_000))
    }

    pub fn last_seen_rfc3339(&self) -> String {
        format_rfc3339(self.last_seen_at.saturating_mul(1_000_000))
    }
}

/// `user`'s live sessions: the current one first, then the most recently used.
#[tracing::instrument(skip_all, fields(user = user.id.0))]
pub async fn list(state: &AppState, user: &CurrentUser) -> Result<Vec<SessionView>, Failure> {
    let mut views: Vec<SessionView> = state
        .sessions
        .list(user.id)
        .await?
        .into_iter()
        .map(|session| SessionView {
            current: user.session.as_deref() == Some(session.id.as_str()),
            browser: user_agent::family(session.agent.as_deref(), session.api),
            id: session.id,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            address: session.address,
            api: session.api,
        })
        .collect();
    // Stable: the others keep their most-recently-used order.
    views.sort_by_key(|view| !view.current);
    Ok(views)
}

/// Ends every session of `user` but the one the request came with, once `password` is
/// confirmed as theirs.
#[tracing::instrument(skip_all, fields(user = user.id.0))]
pub async fn end_others(
    state: &AppState,
    user: &CurrentUser,
    attempt: Attempt<'_>,
    password: &str,
) -> Result<Reauth, Failure> {
    let keep = user.session.as_deref().ok_or_else(|| {
        Failure::Internal(anyhow::anyhow!("a logged-in session without its public id"))
    })?;
    let reauth = confirm_password(state, user, attempt, password).await?;
    if let Reauth::Confirmed = reauth {
        state.sessions.end_others(user.id, keep).await?;
    }
    Ok(reauth)
}

//! Changing one's password, and confirming it before other sensitive changes: the
//! current password is checked through the login throttle, like a login (a stolen
//! session gets no more guesses than a stranger), and a change ends every other session
//! of the user, browser sessions and API tokens.

use quill_domain::Password;

use super::accounts::Attempt;
use super::{CurrentUser, Failure, FieldErrors};
use crate::state::AppState;

/// What a password-change form or request holds.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// The new password typed again, where the form asks for it (the API does not).
    pub confirm: Option<&'a str>,
}

pub enum ChangePassword {
    /// The password is changed; this many other sessions ended.
    Changed { ended: usize },
    /// Nothing changed; each field says why.
    Refused(FieldErrors),
    /// Too many wrong passwords for this account or address; nothing was checked.
    Throttled { retry_after_secs: u64 },
}

/// The message for a wrong current password.
pub const WRONG_CURRENT: &str = "That is not your current password.";

/// Whether a logged-in user typed their current password (ASVS 7.5.1, 7.5.2).
pub enum Reauth {
    Confirmed,
    Wrong,
    /// Too many wrong passwords for this account or address; nothing was checked.
    Throttled {
        retry_after_secs: u64,
    },
}

/// Checks `current` as `user`'s password, counted by the login throttle as a login
/// from `attempt` would be.
pub async fn confirm_password(
    state: &AppState,
    user: &CurrentUser,
    attempt: Attempt<'_>,
    current: &str,
) -> Result<Reauth, Failure> {
    let admitted = match state
        .throttle
        .admit(&user.username, attempt.address, attempt.device)
        .await?
    {
        Ok(admitted) => admitted,
        Err(throttled) => {
            return Ok(Reauth::Throttled {
                retry_after_secs: throttled.retry_after_secs.max(1),
            });
        }
    };
    let right = match Password::parse_login(current) {
        Ok(current) => state.accounts.verify_password(user.id, current).await?,
        Err(_) => false,
    };
    if !right {
        return Ok(Reauth::Wrong);
    }
    if let Err(error) = state.throttle.succeeded(admitted).await {
        tracing::warn!(%error, "login throttle not cleared");
    }
    Ok(Reauth::Confirmed)
}

/// Checks the new password against the policy and its confirmation; no store is asked.
fn check_new(user: &CurrentUser, change: &PasswordChange<'_>) -> Result<Password, FieldErrors> {
    let mut errors = FieldErrors::new();
    let new = Password::parse_new(change.new, &user.username)
        .map_err(|e| errors.insert("new_password", e.to_string()))
        .ok();
    if let (Some(new), Some(confirm)) = (&new, change.confirm)
        && new.expose() != confirm
    {
        errors.insert(
            "new_password_confirm",
            "The two new passwords do not match.".into(),
        );
    }
    match new {
        Some(new) if errors.is_empty() => Ok(new),
        _ => Err(errors),
    }
}

/// Changes `user`'s password, keeping the session the request came with.
#[tracing::instrument(skip_all, fields(user = user.id.0, address = %attempt.address))]
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    attempt: Attempt<'_>,
    change: PasswordChange<'_>,
) -> Result<ChangePassword, Failure> {
    let keep = user.session.as_deref().ok_or_else(|| {
        Failure::Internal(anyhow::anyhow!("a logged-in session without its public id"))
    })?;
    // The new password's rules first: a form that would be refused anyway costs no
    // guess of the current one.
    let new = match check_new(user, &change) {
        Ok(new) => new,
        Err(errors) => return Ok(ChangePassword::Refused(errors)),
    };
    match confirm_password(state, user, attempt, change.current).await? {
        Reauth::Confirmed => {}
        Reauth::Wrong => {
            let errors = FieldErrors::from([("current_password", WRONG_CURRENT.to_owned())]);
            return Ok(ChangePassword::Refused(errors));
        }
        Reauth::Throttled { retry_after_secs } => {
            return Ok(ChangePassword::Throttled { retry_after_secs });
        }
    }
    if change.current == change.new {
        let errors = FieldErrors::from([(
            "new_password",
            "Choose a new password other than your current one.".to_owned(),
        )]);
        return Ok(ChangePassword::Refused(errors));
    }
    let change = state.accounts.change_password(user.id, new, keep);
    let ended = state.sessions.ending_sessions_of(user.id, change).await?;
    tracing::info!(ended, "password changed");
    Ok(ChangePassword::Changed { ended })
}

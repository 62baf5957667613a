//! Deleting one's account (ASVS 8.3.2): the password and a typed confirmation, then the
//! account is marked as being deleted (its sessions and throttle counters go in the same
//! transaction, so nobody acts as it again), its posts are deleted, and its row goes,
//! which frees the username. A post store that fails part-way leaves the mark: the
//! account cannot log in, and the deletion resumes at the next start ([`resume_all`]) or
//! the next login attempt on it (`app::accounts::log_in`). See docs/ARCHITECTURE.md,
//! "Deleting an account".

use quill_accounts::User;
use quill_domain::{Month, Username, clock};
use quill_posts::PostStore;

use super::accounts::Attempt;
use super::password::{Reauth, WRONG_CURRENT, confirm_password};
use super::{CurrentUser, Failure, FieldErrors};
use crate::state::AppState;

/// What a deletion form or request holds.
pub struct DeleteRequest<'a> {
    pub password: &'a str,
    /// The username typed again, where the form asks for it (the API does not).
    pub confirm: Option<&'a str>,
}

pub enum DeleteAccount {
    /// The account and everything of it are gone.
    Deleted,
    /// The account is closed (no login, no session) but the post store failed part-way:
    /// the rest is deleted at the next start or login attempt.
    Pending,
    /// Nothing changed; each field says why.
    Refused(FieldErrors),
    /// Too many wrong passwords for this account or address; nothing was checked.
    Throttled { retry_after_secs: u64 },
}

/// The message for a confirmation that is not the username.
pub fn wrong_confirmation(username: &str) -> String {
    format!("Type your username, {username}, to confirm.")
}

/// Deletes `user`'s account once they have typed their password (checked through the
/// login throttle) and, on the page, their username.
#[tracing::instrument(skip_all, fields(user = user.id.0, address = %attempt.address))]
pub async fn delete_account(
    state: &AppState,
    user: &CurrentUser,
    attempt: Attempt<'_>,
    request: DeleteRequest<'_>,
) -> Result<DeleteAccount, Failure> {
    // The confirmation first: a form that would be refused anyway costs no guess.
    if let Some(confirm) = request.confirm
        && Username::fold(confirm.trim()) != Username::fold(&user.username)
    {
        let errors = FieldErrors::from([("confirm", wrong_confirmation(&user.username))]);
        return Ok(DeleteAccount::Refused(errors));
    }
    match confirm_password(state, user, attempt, request.password).await? {
        Reauth::Confirmed => {}
        Reauth::Wrong => {
            let errors = FieldErrors::from([("current_password", WRONG_CURRENT.to_owned())]);
            return Ok(DeleteAccount::Refused(errors));
        }
        Reauth::Throttled { retry_after_secs } => {
            return Ok(DeleteAccount::Throttled { retry_after_secs });
        }
    }
    let marking = state.accounts.begin_deletion(user.id);
    let Some(marked) = state.sessions.ending_sessions_of(user.id, marking).await? else {
        // Gone already: another request finished it.
        return Ok(DeleteAccount::Deleted);
    };
    tracing::info!("account marked for deletion");
    // Past the mark the account is closed, whatever happens next: a failure leaves the
    // deletion pending, to resume, rather than an error page.
    match finish(state, &marked).await {
        Ok(()) => Ok(DeleteAccount::Deleted),
        Err(Failure::Unavailable(error)) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "account deletion left pending"
            );
            Ok(DeleteAccount::Pending)
        }
        Err(Failure::Internal(error)) => {
            tracing::error!(
                error = format!("{error:#}"),
                "account deletion left pending"
            );
            Ok(DeleteAccount::Pending)
        }
    }
}

/// Ends the deletion of a marked account: its posts, then its row.
#[tracing::instrument(skip_all, fields(user = user.id.0))]
pub async fn finish(state: &AppState, user: &User) -> Result<(), Failure> {
    let now = Month::from_unix_micros(clock::unix_micros());
    state
        .posts
        .delete_user(user.id, user.since_month(), now)
        .await?;
    state.accounts.finish_deletion(user.id).await?;
    tracing::info!("account deleted");
    Ok(())
}

/// Resumes every deletion a failure left pending; at start. Returns how many ended.
pub async fn resume_all(state: &AppState) -> Result<usize, Failure> {
    let pending = state.accounts.deleting().await?;
    let mut ended = 0;
    for user in &pending {
        match finish(state, user).await {
            Ok(()) => ended += 1,
            Err(error) => {
                tracing::warn!(%error, user = user.id.0, "account deletion still pending")
            }
        }
    }
    Ok(ended)
}

//! Signing up and logging in: the account operations the web layer calls.

use diesel::Connection;
use quill_domain::{Password, UserId, Username};
use quill_sql::SqlError;

use crate::sessions;
use crate::users::{self, InsertUserError, User};
use crate::{Db, HashingBusy, PasswordHasher};
use quill_domain::clock::unix_secs;

#[derive(Clone)]
pub struct Accounts {
    db: Db,
    hasher: PasswordHasher,
}

/// What an accounts operation fails with: the password hasher was busy, or the
/// database failed. [`AccountsError::is_outage`] tells an outage (try again) from a bug.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Busy(#[from] HashingBusy),
    #[error(transparent)]
    Store(#[from] SqlError),
}

impl AccountsError {
    /// Whether the accounts could not be served for now (busy, or a database that is
    /// unreachable or out of connections), rather than failing on a bug.
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::Busy(_) | Self::Store(SqlError::Pool(_) | SqlError::Unavailable(_))
        )
    }
}

impl From<diesel::result::Error> for AccountsError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<tokio::task::JoinError> for AccountsError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Store(e.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("This username is taken. Choose another one.")]
    UsernameTaken,
    #[error(transparent)]
    Other(#[from] AccountsError),
}

#[derive(Debug, thiserror::Error)]
pub enum LogInError {
    #[error("Wrong username or password.")]
    InvalidCredentials,
    /// The password was right, but the account is being deleted: it cannot log in.
    #[error("This account is being deleted.")]
    Deleting(User),
    #[error(transparent)]
    Other(#[from] AccountsError),
}

impl Accounts {
    pub fn new(db: Db, hasher: PasswordHasher) -> Self {
        Self { db, hasher }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Creates an account. The password is hashed first, also when the username turns
    /// out to be taken, so that a taken name and a free one take the same time to answer
    /// and timing tells nobody which names exist.
    #[tracing::instrument(skip(self, password), fields(username = %username))]
    pub async fn sign_up(
        &self,
        username: Username,
        password: Password,
    ) -> Result<User, SignUpError> {
        let hash = self
            .hasher
            .hash(password)
            .await
            .map_err(AccountsError::from)?;
        self.db
            .write(
                move |conn| match users::insert(conn, &username, &hash, unix_secs()) {
                    Ok(user) => Ok(user),
                    Err(InsertUserError::UsernameTaken) => Err(SignUpError::UsernameTaken),
                    Err(InsertUserError::Db(e)) => Err(AccountsError::from(e).into()),
                },
            )
            .await
    }

    /// Checks a username and password. Unknown usernames cost a full hash too, and get
    /// the same answer as a wrong password.
    #[tracing::instrument(skip(self, password), fields(username = %username))]
    pub async fn log_in(
        &self,
        username: &Username,
        password: Password,
    ) -> Result<User, LogInError> {
        let probe = username.clone();
        // An account younger than a replica's lag is found on the primary.
        let row = self
            .db
            .read_or_primary(move |conn| {
                users::find_by_username(conn, &probe).map_err(AccountsError::from)
            })
            .await?;
        let stored = row.as_ref().map(|row| row.password_hash.clone());
        let matches = self
            .hasher
            .verify(password, stored)
            .await
            .map_err(AccountsError::from)?;
        match row {
            Some(row) if matches => {
                let deleting = row.deleting_since.is_some();
                let user = row
                    .into_user()
                    .map_err(|e| LogInError::Other(AccountsError::from(e)))?;
                if deleting {
                    Err(LogInError::Deleting(user))
                } else {
                    Ok(user)
                }
            }
            _ => Err(LogInError::InvalidCredentials),
        }
    }
}

impl Accounts {
    /// Whether `password` is the current password of user `id`. A user that is gone
    /// costs a full hash too and matches nothing.
    #[tracing::instrument(skip(self, password), fields(user = id.0))]
    pub async fn verify_password(
        &self,
        id: UserId,
        password: Password,
    ) -> Result<bool, AccountsError> {
        let stored = self
            .db
            .read_or_primary(move |conn| {
                users::password_hash_of(conn, id).map_err(AccountsError::from)
            })
            .await?;
        Ok(self.hasher.verify(password, stored).await?)
    }

    /// Sets user `id`'s password and, in the same transaction, ends every session of
    /// theirs but `keep` (a public id, `sessions::public_id`): whoever else held one
    /// held it with the old password. Returns how many sessions ended.
    #[tracing::instrument(skip(self, password, keep), fields(user = id.0))]
    pub async fn change_password(
        &self,
        id: UserId,
        password: Password,
        keep: &str,
    ) -> Result<usize, AccountsError> {
        let hash = self.hasher.hash(password).await?;
        let keep = keep.to_owned();
        self.db
            .write(move |conn| {
                conn.transaction(|conn| {
                    if !users::set_password_hash(conn, id, &hash)? {
                        return Err(diesel::result::Error::NotFound);
                    }
                    sessions::delete_others(conn, id, &keep)
                })
                .map_err(AccountsError::from)
            })
            .await
    }
}

/// Deleting an account, the accounts' side; the posts go in between (quill-web's
/// `app::deletion`). See docs/ARCHITECTURE.md, "Deleting an account".
impl Accounts {
    /// Marks user `id` as being deleted and, in the same transaction, ends every session
    /// of theirs (browser and API) and forgets their login-throttle counters: from the
    /// commit on, nobody acts as them. The user as stored, `None` when there is none.
    #[tracing::instrument(skip(self), fields(user = id.0))]
    pub async fn begin_deletion(&self, id: UserId) -> Result<Option<User>, AccountsError> {
        self.db
            .write(move |conn| {
                conn.transaction::<_, diesel::result::Error, _>(|conn| {
                    let Some(user) = users::mark_deleting(conn, id, unix_secs())? else {
                        return Ok(None);
                    };
                    sessions::end_all(conn, Some(id))?;
                    crate::throttle::forget_account(conn, user.username.as_str())?;
                    Ok(Some(user))
                })
                .map_err(AccountsError::from)
            })
            .await
    }

    /// Whether user `id`'s account is live (not marked, not gone), read on the primary:
    /// a write that passed its session check before a deletion's mark asks it after
    /// writing, to undo what the deletion may already have passed.
    pub async fn is_live(&self, id: UserId) -> Result<bool, AccountsError> {
        self.db
            .read_primary(move |conn| users::is_live(conn, id).map_err(AccountsError::from))
            .await
    }

    /// The accounts whose deletion began and has not ended, read on the primary.
    pub async fn deleting(&self) -> Result<Vec<User>, AccountsError> {
        self.db
            .read_primary(|conn| users::deleting(conn).map_err(AccountsError::from))
            .await
    }

    /// Ends the deletion of user `id`, whose posts are gone: the row goes, and its
    /// username is free again. `false` when no marked row was there.
    #[tracing::instrument(skip(self), fields(user = id.0))]
    pub async fn finish_deletion(&self, id: UserId) -> Result<bool, AccountsError> {
        self.db
            .write(move |conn| {
                conn.transaction::<_, diesel::result::Error, _>(|conn| {
                    // A session made between the mark and now (none should be) goes too.
                    sessions::end_all(conn, Some(id))?;
                    users::remove_marked(conn, id)
                })
                .map_err(AccountsError::from)
            })
            .await
    }
}

impl From<SqlError> for SignUpError {
    fn from(e: SqlError) -> Self {
        Self::Other(e.into())
    }
}

impl From<tokio::task::JoinError> for SignUpError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Other(e.into())
    }
}

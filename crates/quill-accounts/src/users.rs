//! The `users` table.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use quill_domain::{Month, UserId, Username};

use crate::DbConn;
use crate::schema::users;

/// An account, as the rest of Quill sees it (the hash stays in this crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

impl User {
    /// The month the account was made: a timeline never reaches further back.
    pub fn since_month(&self) -> Month {
        Month::from_unix_micros(self.created_at.saturating_mul(1_000_000))
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    pub(crate) password_hash: String,
    created_at: i64,
    /// When the account's deletion began; `None` while it lives.
    pub(crate) deleting_since: Option<i64>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, DieselError> {
        let username = Username::parse(&self.username)
            .map_err(|e| DieselError::DeserializationError(Box::new(e)))?;
        Ok(User {
            id: UserId(self.id),
            username,
            created_at: self.created_at,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("username taken")]
    UsernameTaken,
    #[error(transparent)]
    Db(#[from] DieselError),
}

/// Inserts a user; a taken username (in any case) is `UsernameTaken`.
pub fn insert(
    conn: &mut DbConn,
    username: &Username,
    password_hash: &str,
    now: i64,
) -> Result<User, InsertUserError> {
    conn.transaction(|conn| {
        diesel::insert_into(users::table)
            .values((
                users::username.eq(username.as_str()),
                users::password_hash.eq(password_hash),
                users::created_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    InsertUserError::UsernameTaken
                }
                other => InsertUserError::Db(other),
            })?;
        let id = users::table
            .filter(users::username.eq(username.as_str()))
            .select(users::id)
            .first(conn)?;
        Ok(User {
            id: UserId(id),
            username: username.clone(),
            created_at: now,
        })
    })
}

pub(crate) fn find_by_username(
    conn: &mut DbConn,
    username: &Username,
) -> Result<Option<UserRow>, DieselError> {
    users::table
        .filter(users::username.eq(username.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user by username.
pub fn find_by_name(conn: &mut DbConn, username: &Username) -> Result<Option<User>, DieselError> {
    find_by_username(conn, username)?
        .map(UserRow::into_user)
        .transpose()
}

/// The stored password hash of a user (a PHC string).
pub fn password_hash(
    conn: &mut DbConn,
    username: &Username,
) -> Result<Option<String>, DieselError> {
    Ok(find_by_username(conn, username)?.map(|row| row.password_hash))
}

/// The stored password hash of a user, by id.
pub(crate) fn password_hash_of(
    conn: &mut DbConn,
    id: UserId,
) -> Result<Option<String>, DieselError> {
    users::table
        .find(id.0)
        .select(users::password_hash)
        .first(conn)
        .optional()
}

/// Replaces a user's password hash; `false` when there is no such user.
pub(crate) fn set_password_hash(
    conn: &mut DbConn,
    id: UserId,
    password_hash: &str,
) -> Result<bool, DieselError> {
    let updated = diesel::update(users::table.find(id.0))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)?;
    Ok(updated == 1)
}

/// A user by id.
pub fn find(conn: &mut DbConn, id: UserId) -> Result<Option<User>, DieselError> {
    users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_user)
        .transpose()
}

/// Marks user `id` as being deleted (keeping an earlier mark's time): from now on it
/// cannot log in. `None` when there is no such user.
pub(crate) fn mark_deleting(
    conn: &mut DbConn,
    id: UserId,
    now: i64,
) -> Result<Option<User>, DieselError> {
    diesel::update(
        users::table
            .find(id.0)
            .filter(users::deleting_since.is_null()),
    )
    .set(users::deleting_since.eq(now))
    .execute(conn)?;
    find(conn, id)
}

/// The accounts whose deletion began and has not ended, oldest mark first.
pub fn deleting(conn: &mut DbConn) -> Result<Vec<User>, DieselError> {
    users::table
        .filter(users::deleting_since.is_not_null())
        .order(users::deleting_since.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(UserRow::into_user)
        .collect()
}

/// Whether user `id` has a live account: a row not marked as being deleted.
pub fn is_live(conn: &mut DbConn, id: UserId) -> Result<bool, DieselError> {
    let since: Option<Option<i64>> = users::table
        .find(id.0)
        .select(users::deleting_since)
        .first(conn)
        .optional()?;
    Ok(matches!(since, Some(None)))
}

/// Removes user `id`'s row, which frees the username; only a row marked as being
/// deleted goes. `false` when there is none.
pub(crate) fn remove_marked(conn: &mut DbConn, id: UserId) -> Result<bool, DieselError> {
    let removed = diesel::delete(
        users::table
            .find(id.0)
            .filter(users::deleting_since.is_not_null()),
    )
    .execute(conn)?;
    Ok(removed == 1)
}

/// The number of accounts, for tests and metrics.
pub fn count(conn: &mut DbConn) -> Result<i64, DieselError> {
    users::table.count().get_result(conn)
}

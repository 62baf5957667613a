//! The `sessions` table and the actix-session store over it.
//!
//! The cookie carries a random token; the table's key is the token's SHA-256, so a
//! leaked dump opens no session. A session ends at logout (deleted), after its idle TTL
//! (`expires_at`), or at its absolute lifetime from `created_at`, whichever comes first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_session::storage::{
    LoadError, SaveError, SessionKey, SessionStore, UpdateError, generate_session_key,
};
use actix_web::cookie::time::Duration;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use quill_domain::UserId;
use quill_sql::SqlError;
use sha2::{Digest, Sha256};

use crate::schema::sessions;
use crate::{AccountsError, Db, DbConn};
use quill_domain::clock::unix_secs;

/// The session state key that holds the user id; mirrored into `sessions.user_id`.
pub const USER_ID_KEY: &str = "user_id";

/// An idle-TTL extension is written at most this often per session, so that page views
/// do not each cost a write.
const TOUCH_GRANULARITY_SECS: i64 = 60;

/// The stored id of a cookie token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn user_id_of(state: &HashMap<String, String>) -> Option<i64> {
    state.get(USER_ID_KEY).and_then(|v| v.parse().ok())
}

/// The most live sessions one user may have; a login past it ends the oldest.
pub const MAX_SESSIONS_PER_USER: i64 = 50;

/// Stores a new session; when it is a user's, ends their oldest sessions past
/// [`MAX_SESSIONS_PER_USER`].
pub fn insert(
    conn: &mut DbConn,
    id_hash: &str,
    state: &HashMap<String, String>,
    now: i64,
    ttl_secs: i64,
) -> Result<(), DieselError> {
    let state_json =
        serde_json::to_string(state).map_err(|e| DieselError::SerializationError(Box::new(e)))?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id_hash),
            sessions::user_id.eq(user_id_of(state)),
            sessions::state.eq(state_json),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + ttl_secs),
        ))
        .execute(conn)?;
    if let Some(user) = user_id_of(state) {
        end_oldest_past_cap(conn, user)?;
    }
    Ok(())
}

/// Deletes the user's sessions past the newest [`MAX_SESSIONS_PER_USER`], by primary
/// key: concurrent logins of one user then lock only the rows they delete.
fn end_oldest_past_cap(conn: &mut DbConn, user: i64) -> Result<(), DieselError> {
    let oldest: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user))
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .offset(MAX_SESSIONS_PER_USER)
        .limit(1_000)
        .select(sessions::id)
        .load(conn)?;
    if !oldest.is_empty() {
        diesel::delete(sessions::table.filter(sessions::id.eq_any(oldest))).execute(conn)?;
    }
    Ok(())
}

/// The state of a live session: not idle-expired and younger than `absolute_secs`.
pub fn load(
    conn: &mut DbConn,
    id_hash: &str,
    now: i64,
    absolute_secs: i64,
) -> Result<Option<HashMap<String, String>>, DieselError> {
    let state: Option<String> = sessions::table
        .find(id_hash)
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(now - absolute_secs))
        .select(sessions::state)
        .first(conn)
        .optional()?;
    state
        .map(|json| {
            serde_json::from_str(&json).map_err(|e| DieselError::DeserializationError(Box::new(e)))
        })
        .transpose()
}

/// Replaces a session's state; `false` when the session is gone.
pub fn update(
    conn: &mut DbConn,
    id_hash: &str,
    state: &HashMap<String, String>,
    now: i64,
    ttl_secs: i64,
) -> Result<bool, DieselError> {
    let state_json =
        serde_json::to_string(state).map_err(|e| DieselError::SerializationError(Box::new(e)))?;
    let updated = diesel::update(sessions::table.find(id_hash))
        .filter(sessions::expires_at.gt(now))
        .set((
            sessions::user_id.eq(user_id_of(state)),
            sessions::state.eq(state_json),
            sessions::expires_at.eq(now + ttl_secs),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Pushes the idle expiry to `now + ttl_secs`, writing only when it moves by more than
/// a minute.
pub fn touch(conn: &mut DbConn, id_hash: &str, now: i64, ttl_secs: i64) -> Result<(), DieselError> {
    let expires_at = now + ttl_secs;
    diesel::update(sessions::table.find(id_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::expires_at.lt(expires_at - TOUCH_GRANULARITY_SECS))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id_hash: &str) -> Result<(), DieselError> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)?;
    Ok(())
}

/// Ends every session (browser and API) of `user`, or of every user; returns how many.
pub fn end_all(conn: &mut DbConn, user: Option<UserId>) -> Result<usize, DieselError> {
    match user {
        Some(user) => {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user.0))).execute(conn)
        }
        None => {
            diesel::delete(sessions::table.filter(sessions::user_id.is_not_null())).execute(conn)
        }
    }
}

/// Deletes sessions that can no longer be used; returns how many.
pub fn purge_expired(
    conn: &mut DbConn,
    now: i64,
    absolute_secs: i64,
) -> Result<usize, DieselError> {
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::created_at.le(now - absolute_secs)),
        ),
    )
    .execute(conn)
}

/// The number of stored sessions of a user.
pub fn count_for_user(conn: &mut DbConn, user: UserId) -> Result<i64, DieselError> {
    sessions::table
        .filter(sessions::user_id.eq(user.0))
        .count()
        .get_result(conn)
}

/// Whether a row exists under this exact id, for tests that check what is stored.
pub fn exists(conn: &mut DbConn, id: &str) -> Result<bool, DieselError> {
    diesel::select(diesel::dsl::exists(sessions::table.find(id))).get_result(conn)
}

/// actix-session's store over the accounts database.
#[derive(Clone)]
pub struct SqlSessionStore {
    db: Db,
    absolute_secs: i64,
    /// When this process last pushed each session's idle expiry, so that most page
    /// views skip the database entirely (see `TOUCH_GRANULARITY_SECS`).
    touched: Arc<Mutex<HashMap<String, i64>>>,
}

/// Entries kept in `touched` before stale ones are swept.
const TOUCHED_SWEEP_AT: usize = 100_000;

impl SqlSessionStore {
    /// `absolute` caps a session's whole life, however active it stays; the idle TTL
    /// comes from actix-session's `PersistentSession` on each call.
    pub fn new(db: Db, absolute: std::time::Duration) -> Self {
        Self {
            db,
            absolute_secs: i64::try_from(absolute.as_secs()).unwrap_or(i64::MAX),
            touched: Arc::default(),
        }
    }

    /// The state of the session a token opens, for bearer-token (API) requests.
    ///
    /// A session younger than a replica's lag is found on the primary. When the primary
    /// cannot be asked either, the token opens nothing: reads keep working for everyone
    /// whose session has replicated.
    #[tracing::instrument(skip_all)]
    pub async fn load_token(
        &self,
        token: &str,
    ) -> Result<Option<HashMap<String, String>>, AccountsError> {
        let (id, absolute) = (token_hash(token), self.absolute_secs);
        let loaded = self
            .db
            .read_or_primary(move |conn| {
                load(conn, &id, unix_secs(), absolute).map_err(SqlError::from)
            })
            .await;
        match loaded {
            Err(SqlError::Unavailable(cause)) => {
                tracing::warn!(%cause, "session not on the replicas, and the primary is unreachable");
                Ok(None)
            }
            other => Ok(other?),
        }
    }

    /// Opens a new session for `state` and returns its token.
    #[tracing::instrument(skip_all)]
    pub async fn create(
        &self,
        state: HashMap<String, String>,
        ttl_secs: i64,
    ) -> Result<String, AccountsError> {
        let token: String = generate_session_key().into();
        let id = token_hash(&token);
        self.db
            .write(move |conn| {
                insert(conn, &id, &state, unix_secs(), ttl_secs).map_err(SqlError::from)
            })
            .await?;
        Ok(token)
    }

    /// Ends the session a token opens.
    #[tracing::instrument(skip_all)]
    pub async fn delete_token(&self, token: &str) -> Result<(), AccountsError> {
        let id = token_hash(token);
        self.db
            .write(move |conn| delete(conn, &id).map_err(SqlError::from))
            .await?;
        Ok(())
    }

    /// Deletes expired sessions; returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn purge_expired(&self) -> Result<usize, AccountsError> {
        let absolute = self.absolute_secs;
        Ok(self
            .db
            .write(move |conn| purge_expired(conn, unix_secs(), absolute).map_err(SqlError::from))
            .await?)
    }
}

impl SessionStore for SqlSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        self.load_token(session_key.as_ref())
            .await
            .map_err(|e| LoadError::Other(e.into()))
    }

    async fn save(
        &self,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let token = self
            .create(session_state, ttl.whole_seconds())
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        SessionKey::try_from(token).map_err(|e| SaveError::Other(e.into()))
    }

    #[tracing::instrument(skip_all)]
    async fn update(
        &self,
        session_key: SessionKey,
        session_state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let id = token_hash(session_key.as_ref());
        let ttl_secs = ttl.whole_seconds();
        let state = session_state.clone();
        let updated = self
            .db
            .write(move |conn| {
                update(conn, &id, &state, unix_secs(), ttl_secs).map_err(SqlError::from)
            })
            .await
            .map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            Ok(session_key)
        } else {
            // The session ended meanwhile: start a new one rather than resurrect it.
            self.save(session_state, ttl)
                .await
                .map_err(|e| UpdateError::Other(e.into()))
        }
    }

    #[tracing::instrument(skip_all)]
    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        let id = token_hash(session_key.as_ref());
        let (now, ttl_secs) = (unix_secs(), ttl.whole_seconds());
        if let Ok(mut touched) = self.touched.lock() {
            if touched
                .get(&id)
                .is_some_and(|at| now - at < TOUCH_GRANULARITY_SECS)
            {
                return Ok(());
            }
            if touched.len() >= TOUCHED_SWEEP_AT {
                touched.retain(|_, at| now - *at < TOUCH_GRANULARITY_SECS);
            }
            touched.insert(id.clone(), now);
        }
        let touched = self
            .db
            .write(move |conn| touch(conn, &id, now, ttl_secs).map_err(SqlError::from))
            .await;
        // Extending the idle expiry is best effort: a page that only reads must keep
        // working while the primary is away.
        if let Err(error) = touched {
            tracing::warn!(%error, "session expiry not extended");
        }
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        Ok(self.delete_token(session_key.as_ref()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

//! The `sessions` table and the actix-session store over it.
//!
//! The cookie carries a random token; the table's key is the token's SHA-256, so a
//! leaked dump opens no session. A session ends at logout (deleted), after its idle TTL
//! (`expires_at`), or at its absolute lifetime from `created_at`, whichever comes first.
//!
//! What the sessions page shows of a session comes in its state, like the user id: the
//! web layer puts the client's User-Agent ([`AGENT_KEY`]), address ([`ADDRESS_KEY`]) and,
//! for an API token, [`KIND_KEY`] = `"api"` in the state it starts, and the store
//! mirrors them into columns when it stores the session. `last_seen_at` is written with
//! the idle-expiry extension, at most once a minute, never in a write of its own. Each
//! session is named by a public id ([`public_id`]), a short hash of the stored hash:
//! it tells nothing about the token. The store adds it to the state it loads
//! ([`PUBLIC_ID_KEY`]), so a request knows which of its user's sessions is its own.

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

mod recent;

/// The session state key that holds the user id; mirrored into `sessions.user_id`.
pub const USER_ID_KEY: &str = "user_id";

/// An idle-TTL extension is written at most this often per session, so that page views
/// do not each cost a write.
const TOUCH_GRANULARITY_SECS: i64 = 60;

/// The stored id of a cookie token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lowercase hex. Every request hashes its session token, so not through `format!`,
/// which cost a tenth of a page view's instructions (callgrind).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

fn user_id_of(state: &HashMap<String, String>) -> Option<i64> {
    state.get(USER_ID_KEY).and_then(|v| v.parse().ok())
}

/// The state key of the client's User-Agent when the session started.
pub const AGENT_KEY: &str = "agent";
/// The state key of the client's address when the session started.
pub const ADDRESS_KEY: &str = "address";
/// The state key that says what kind of client holds the session: `"api"` for an API
/// token; a browser session has none.
pub const KIND_KEY: &str = "kind";
/// The state key under which a loaded session carries its own public id.
pub const PUBLIC_ID_KEY: &str = "sid";

/// The longest User-Agent kept, in characters.
const AGENT_MAX_CHARS: usize = 255;

/// A state value, which actix-session keeps as JSON, read as a string.
fn text_of(state: &HashMap<String, String>, key: &str) -> Option<String> {
    serde_json::from_str::<String>(state.get(key)?).ok()
}

/// The client columns a session's state fills: agent, address, and whether it is an
/// API token.
fn client_of(state: &HashMap<String, String>) -> (Option<String>, Option<String>, bool) {
    let agent = text_of(state, AGENT_KEY).map(|a| a.chars().take(AGENT_MAX_CHARS).collect());
    let address = text_of(state, ADDRESS_KEY).filter(|a| a.len() <= 45);
    let api = text_of(state, KIND_KEY).is_some_and(|kind| kind == "api");
    (agent, address, api)
}

/// A session's public id: the first 16 hex digits of the SHA-256 of its stored id (the
/// token's SHA-256). Shown in pages and the API; it opens nothing and helps guess
/// nothing, since the stored id is itself a hash of a 64-character random token.
pub fn public_id(id_hash: &str) -> String {
    hex(&Sha256::digest(id_hash.as_bytes())[..8])
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
    let (agent, address, api) = client_of(state);
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id_hash),
            sessions::user_id.eq(user_id_of(state)),
            sessions::state.eq(state_json),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + ttl_secs),
            sessions::last_seen_at.eq(now),
            sessions::agent.eq(agent),
            sessions::address.eq(address),
            sessions::api.eq(api),
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

/// A live session as loaded: its state, and when it ends unless used or ended first.
#[derive(Debug)]
pub struct Live {
    pub state: HashMap<String, String>,
    /// Unix seconds: the idle expiry or the absolute lifetime's end, the earlier.
    pub ends_at: i64,
}

/// A live session: not idle-expired and younger than `absolute_secs`.
pub fn load(
    conn: &mut DbConn,
    id_hash: &str,
    now: i64,
    absolute_secs: i64,
) -> Result<Option<Live>, DieselError> {
    let row: Option<(String, i64, i64)> = sessions::table
        .find(id_hash)
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(now - absolute_secs))
        .select((sessions::state, sessions::expires_at, sessions::created_at))
        .first(conn)
        .optional()?;
    row.map(|(json, expires_at, created_at)| {
        let state = serde_json::from_str(&json)
            .map_err(|e| DieselError::DeserializationError(Box::new(e)))?;
        Ok(Live {
            state,
            ends_at: expires_at.min(created_at.saturating_add(absolute_secs)),
        })
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
    let (agent, address, api) = client_of(state);
    let updated = diesel::update(sessions::table.find(id_hash))
        .filter(sessions::expires_at.gt(now))
        .set((
            sessions::user_id.eq(user_id_of(state)),
            sessions::state.eq(state_json),
            sessions::expires_at.eq(now + ttl_secs),
            sessions::last_seen_at.eq(now),
            sessions::agent.eq(agent),
            sessions::address.eq(address),
            sessions::api.eq(api),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Pushes the idle expiry to `now + ttl_secs`, and the last use to `now`, writing only
/// when the expiry moves by more than a minute.
pub fn touch(conn: &mut DbConn, id_hash: &str, now: i64, ttl_secs: i64) -> Result<(), DieselError> {
    let expires_at = now + ttl_secs;
    diesel::update(sessions::table.find(id_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::expires_at.lt(expires_at - TOUCH_GRANULARITY_SECS))
        .set((
            sessions::expires_at.eq(expires_at),
            sessions::last_seen_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records an API token's use at `now` (its expiry never moves), writing only when the
/// last recorded use is more than a minute old.
pub fn seen(conn: &mut DbConn, id_hash: &str, now: i64) -> Result<(), DieselError> {
    diesel::update(sessions::table.find(id_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_seen_at.lt(now - TOUCH_GRANULARITY_SECS))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// A live session as the sessions page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// [`public_id`] of the session.
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The client's User-Agent when the session started, if it sent one.
    pub agent: Option<String>,
    /// The client's address when the session started.
    pub address: Option<String>,
    /// An API token rather than a browser's session.
    pub api: bool,
}

type InfoRow = (String, i64, i64, Option<String>, Option<String>, bool);

/// A user's live sessions, the most recently used first.
pub fn list_for_user(
    conn: &mut DbConn,
    user: UserId,
    now: i64,
    absolute_secs: i64,
) -> Result<Vec<SessionInfo>, DieselError> {
    let rows: Vec<InfoRow> = sessions::table
        .filter(sessions::user_id.eq(user.0))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(now - absolute_secs))
        .order((sessions::last_seen_at.desc(), sessions::created_at.desc()))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::last_seen_at,
            sessions::agent,
            sessions::address,
            sessions::api,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, created_at, last_seen_at, agent, address, api)| SessionInfo {
                id: public_id(&id),
                created_at,
                last_seen_at: last_seen_at.max(created_at),
                agent,
                address,
                api,
            },
        )
        .collect())
}

/// Ends every session of `user` but the one whose public id is `keep`; returns how
/// many ended. A user has at most [`MAX_SESSIONS_PER_USER`] sessions (and a few
/// expired ones), so their ids are compared here rather than in SQL.
pub fn delete_others(conn: &mut DbConn, user: UserId, keep: &str) -> Result<usize, DieselError> {
    let ids: Vec<String> = sessions::table
        .filter(sessions::user_id.eq(user.0))
        .select(sessions::id)
        .load(conn)?;
    let others: Vec<String> = ids.into_iter().filter(|id| public_id(id) != keep).collect();
    if others.is_empty() {
        return Ok(0);
    }
    diesel::delete(sessions::table.filter(sessions::id.eq_any(others))).execute(conn)
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
    /// Sessions this process loaded within the last few seconds.
    recent: Arc<recent::Recent>,
}

/// Entries kept in `touched` before stale ones are swept.
const TOUCHED_SWEEP_AT: usize = 100_000;

impl SqlSessionStore {
    /// `absolute` caps a session's whole life, however active it stays; the idle TTL
    /// comes from actix-session's `PersistentSession` on each call. A session loaded
    /// once is taken as live for up to `cached`, unless this process ends it meanwhile
    /// (see `recent.rs`); zero asks the database on every request.
    pub fn new(db: Db, absolute: std::time::Duration, cached: std::time::Duration) -> Self {
        Self {
            db,
            absolute_secs: i64::try_from(absolute.as_secs()).unwrap_or(i64::MAX),
            touched: Arc::default(),
            recent: Arc::new(recent::Recent::new(cached)),
        }
    }

    /// Runs `ending`, a database write that ends sessions of `user` (a password change
    /// does, outside this store), forgetting the user's sessions this process holds
    /// before and after it, so that none survives here however the two interleave.
    pub async fn ending_sessions_of<F: std::future::Future>(
        &self,
        user: UserId,
        ending: F,
    ) -> F::Output {
        self.recent.forget_user(user.0);
        let output = ending.await;
        self.recent.forget_user(user.0);
        output
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
        let floor = quill_sql::scope::floor();
        if let Some(state) = self.recent.get(&id, unix_secs(), floor.as_ref()) {
            return Ok(Some(state));
        }
        let (key, epoch) = (id.clone(), self.recent.epoch());
        let loaded = self
            .db
            .read_or_primary(move |conn| {
                load(conn, &key, unix_secs(), absolute).map_err(SqlError::from)
            })
            .await;
        match loaded {
            Err(SqlError::Unavailable(cause)) => {
                tracing::warn!(%cause, "session not on the replicas, and the primary is unreachable");
                Ok(None)
            }
            other => Ok(other?.map(|Live { mut state, ends_at }| {
                let sid = serde_json::Value::from(public_id(&id)).to_string();
                state.insert(PUBLIC_ID_KEY.to_owned(), sid);
                self.recent
                    .put(epoch, &id, user_id_of(&state), &state, ends_at, floor);
                state
            })),
        }
    }

    /// Records that an API token was used now: at most once a minute per token and
    /// process, in the background, so that no API request waits for the primary (or
    /// fails, or moves its read floor) for the sake of the sessions list.
    pub fn seen_token(&self, token: &str) {
        let id = token_hash(token);
        let now = unix_secs();
        if !self.due(&id, now) {
            return;
        }
        let db = self.db.clone();
        let write = async move {
            let written = db
                .write(move |conn| seen(conn, &id, now).map_err(SqlError::from))
                .await;
            if let Err(error) = written {
                tracing::warn!(%error, "session use not recorded");
            }
        };
        tokio::spawn(tracing::Instrument::in_current_span(write));
    }

    /// Whether this process last wrote session `id`'s expiry or use more than
    /// `TOUCH_GRANULARITY_SECS` ago; if so, notes that it writes now.
    fn due(&self, id: &str, now: i64) -> bool {
        let Ok(mut touched) = self.touched.lock() else {
            return true;
        };
        if touched
            .get(id)
            .is_some_and(|at| now - at < TOUCH_GRANULARITY_SECS)
        {
            return false;
        }
        if touched.len() >= TOUCHED_SWEEP_AT {
            touched.retain(|_, at| now - *at < TOUCH_GRANULARITY_SECS);
        }
        touched.insert(id.to_owned(), now);
        true
    }

    /// The live sessions of `user`, browser sessions and API tokens, the most recently
    /// used first.
    #[tracing::instrument(skip_all, fields(user = user.0))]
    pub async fn list(&self, user: UserId) -> Result<Vec<SessionInfo>, AccountsError> {
        let absolute = self.absolute_secs;
        Ok(self
            .db
            .read(move |conn| {
                list_for_user(conn, user, unix_secs(), absolute).map_err(SqlError::from)
            })
            .await?)
    }

    /// Ends every session of `user` but `keep` (a public id); returns how many ended.
    #[tracing::instrument(skip_all, fields(user = user.0))]
    pub async fn end_others(&self, user: UserId, keep: &str) -> Result<usize, AccountsError> {
        let keep = keep.to_owned();
        let ending = self
            .db
            .write(move |conn| delete_others(conn, user, &keep).map_err(SqlError::from));
        Ok(self.ending_sessions_of(user, ending).await?)
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
        self.recent.forget(&id);
        let key = id.clone();
        let deleted = self
            .db
            .write(move |conn| delete(conn, &key).map_err(SqlError::from))
            .await;
        self.recent.forget(&id);
        Ok(deleted?)
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
        self.recent.forget(&id);
        let ttl_secs = ttl.whole_seconds();
        let (key, state) = (id.clone(), session_state.clone());
        let updated = self
            .db
            .write(move |conn| {
                update(conn, &key, &state, unix_secs(), ttl_secs).map_err(SqlError::from)
            })
            .await;
        self.recent.forget(&id);
        let updated = updated.map_err(|e| UpdateError::Other(e.into()))?;
        if updated {
            return Ok(session_key);
        }
        // The session ended meanwhile (a logout, a password change, an expiry): start a
        // new one rather than resurrect it, and never as the login that ended.
        let state = if user_id_of(&session_state).is_some() {
            HashMap::new()
        } else {
            session_state
        };
        self.save(state, ttl)
            .await
            .map_err(|e| UpdateError::Other(e.into()))
    }

    #[tracing::instrument(skip_all)]
    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        let id = token_hash(session_key.as_ref());
        let (now, ttl_secs) = (unix_secs(), ttl.whole_seconds());
        if !self.due(&id, now) {
            return Ok(());
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

    #[test]
    fn a_public_id_is_the_first_16_hex_digits_of_the_hash_of_the_stored_id() {
        let stored = token_hash("abc");
        let full = token_hash(&stored);
        assert_eq!(public_id(&stored), full[..16]);
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }
}

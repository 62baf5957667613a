//! The session table's rules, against a real SQLite database.

use std::collections::HashMap;
use std::time::Duration;

use actix_session::storage::SessionStore;
use actix_web::cookie::time;
use quill_accounts::sessions::{self, token_hash};
use quill_accounts::{Db, SqlSessionStore};
use quill_domain::clock::unix_secs;
use quill_sql::{PoolSize, SqlError};

fn db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let size = PoolSize {
        connections: 2,
        checkout_timeout: std::time::Duration::from_secs(5),
    };
    (Db::open_sqlite(dir.path(), size).expect("db"), dir)
}

#[tokio::test]
async fn expired_sessions_are_purged_and_live_ones_kept() {
    let (db, _dir) = db();
    let now = unix_secs();
    let purged = db
        .write(move |conn| {
            let state = HashMap::new();
            // Idle-expired, past its absolute lifetime, and live.
            sessions::insert(conn, &token_hash("idle"), &state, now - 100, 10)?;
            sessions::insert(conn, &token_hash("old"), &state, now - 1000, 5000)?;
            sessions::insert(conn, &token_hash("live"), &state, now, 600)?;
            Ok::<_, SqlError>(sessions::purge_expired(conn, now, 900)?)
        })
        .await
        .expect("purge");
    assert_eq!(purged, 2);
    let left = db
        .read(|conn| {
            Ok::<_, SqlError>([
                sessions::exists(conn, &token_hash("idle"))?,
                sessions::exists(conn, &token_hash("old"))?,
                sessions::exists(conn, &token_hash("live"))?,
            ])
        })
        .await
        .expect("lookup");
    assert_eq!(left, [false, false, true]);
}

#[tokio::test]
async fn a_session_loads_only_while_inside_both_expiries() {
    let (db, _dir) = db();
    let now = unix_secs();
    let loaded = db
        .write(move |conn| {
            sessions::insert(conn, &token_hash("a"), &HashMap::new(), now, 60)?;
            Ok::<_, SqlError>([
                sessions::load(conn, &token_hash("a"), now, 3600)?.is_some(),
                sessions::load(conn, &token_hash("a"), now + 61, 3600)?.is_some(),
                sessions::load(conn, &token_hash("a"), now + 30, 20)?.is_some(),
                sessions::load(conn, &token_hash("nope"), now, 3600)?.is_some(),
            ])
        })
        .await
        .expect("load");
    assert_eq!(loaded, [true, false, false, false]);
}

#[tokio::test]
async fn a_user_keeps_at_most_fifty_sessions_the_oldest_ending_first() {
    let (db, _dir) = db();
    let now = unix_secs();
    let kept = db
        .write(move |conn| {
            let mut state_of = |name: &str| {
                let username = quill_domain::Username::parse(name).expect("name");
                let user = quill_accounts::users::insert(conn, &username, "hash", now)
                    .map_err(|e| SqlError::Migration(e.to_string()))?;
                let state =
                    HashMap::from([(sessions::USER_ID_KEY.to_owned(), user.id.0.to_string())]);
                Ok::<_, SqlError>((user.id, state))
            };
            let (ada, state) = state_of("ada")?;
            let (_, other) = state_of("grace")?;
            sessions::insert(conn, &token_hash("grace's"), &other, now - 100, 3600)?;
            for i in 0..55 {
                sessions::insert(conn, &token_hash(&format!("s{i}")), &state, now + i, 3600)?;
            }
            Ok::<_, SqlError>((
                sessions::exists(conn, &token_hash("s4"))?,
                sessions::exists(conn, &token_hash("s5"))?,
                sessions::exists(conn, &token_hash("grace's"))?,
                sessions::count_for_user(conn, ada)?,
            ))
        })
        .await
        .expect("sessions");
    assert_eq!(kept, (false, true, true, 50));
}

/// A user's id and a session state for them, with the client keys the web layer sets.
fn client_state(
    conn: &mut quill_accounts::DbConn,
    name: &str,
    now: i64,
) -> Result<(quill_domain::UserId, HashMap<String, String>), SqlError> {
    let username = quill_domain::Username::parse(name).expect("name");
    let user = quill_accounts::users::insert(conn, &username, "hash", now)
        .map_err(|e| SqlError::Migration(e.to_string()))?;
    let state = HashMap::from([
        (sessions::USER_ID_KEY.to_owned(), user.id.0.to_string()),
        (
            sessions::AGENT_KEY.to_owned(),
            "\"Mozilla/5.0 Firefox/133.0\"".to_owned(),
        ),
        (sessions::ADDRESS_KEY.to_owned(), "\"127.0.0.7\"".to_owned()),
    ]);
    Ok((user.id, state))
}

#[tokio::test]
async fn a_users_sessions_are_listed_with_their_client_and_a_public_id_only() {
    let (db, _dir) = db();
    let now = unix_secs();
    let listed = db
        .write(move |conn| {
            let (ada, browser) = client_state(conn, "ada", now)?;
            let (_, grace) = client_state(conn, "grace", now)?;
            let mut api = browser.clone();
            api.insert(sessions::KIND_KEY.to_owned(), "\"api\"".to_owned());
            api.remove(sessions::AGENT_KEY);
            sessions::insert(conn, &token_hash("browser"), &browser, now - 300, 3600)?;
            sessions::insert(conn, &token_hash("api"), &api, now - 200, 3600)?;
            sessions::insert(conn, &token_hash("expired"), &browser, now - 900, 60)?;
            sessions::insert(conn, &token_hash("grace's"), &grace, now, 3600)?;
            // The browser is used now: its idle expiry moves, and its last use with it.
            sessions::touch(conn, &token_hash("browser"), now, 3600)?;
            Ok::<_, SqlError>(sessions::list_for_user(conn, ada, now, 86_400)?)
        })
        .await
        .expect("list");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let (browser, api) = (&listed[0], &listed[1]);
    assert_eq!(browser.id, sessions::public_id(&token_hash("browser")));
    assert_eq!(browser.id.len(), 16);
    assert!(
        !token_hash("browser").contains(&browser.id),
        "not a prefix of the hash"
    );
    assert_eq!((browser.created_at, browser.last_seen_at), (now - 300, now));
    assert_eq!(browser.agent.as_deref(), Some("Mozilla/5.0 Firefox/133.0"));
    assert_eq!(browser.address.as_deref(), Some("127.0.0.7"));
    assert!(!browser.api);
    assert_eq!((api.created_at, api.last_seen_at), (now - 200, now - 200));
    assert_eq!((api.agent.as_deref(), api.api), (None, true));
}

#[tokio::test]
async fn ending_the_others_keeps_one_session_and_other_users_sessions() {
    let (db, _dir) = db();
    let now = unix_secs();
    let left = db
        .write(move |conn| {
            let (ada, state) = client_state(conn, "ada", now)?;
            let (_, grace) = client_state(conn, "grace", now)?;
            for name in ["one", "two", "three"] {
                sessions::insert(conn, &token_hash(name), &state, now, 3600)?;
            }
            sessions::insert(conn, &token_hash("grace's"), &grace, now, 3600)?;
            let keep = sessions::public_id(&token_hash("two"));
            let ended = sessions::delete_others(conn, ada, &keep)?;
            Ok::<_, SqlError>((
                ended,
                sessions::exists(conn, &token_hash("one"))?,
                sessions::exists(conn, &token_hash("two"))?,
                sessions::exists(conn, &token_hash("three"))?,
                sessions::exists(conn, &token_hash("grace's"))?,
            ))
        })
        .await
        .expect("end others");
    assert_eq!(left, (2, false, true, false, true));
}

#[tokio::test]
async fn an_api_tokens_use_is_recorded_at_most_once_a_minute() {
    let (db, _dir) = db();
    let now = unix_secs();
    let seen = db
        .write(move |conn| {
            let (ada, state) = client_state(conn, "ada", now)?;
            sessions::insert(conn, &token_hash("t"), &state, now - 200, 3600)?;
            let mut last_seen = Vec::new();
            for at in [now - 100, now - 50, now] {
                sessions::seen(conn, &token_hash("t"), at)?;
                last_seen.push(sessions::list_for_user(conn, ada, now, 86_400)?[0].last_seen_at);
            }
            Ok::<_, SqlError>(last_seen)
        })
        .await
        .expect("seen");
    assert_eq!(seen, [now - 100, now - 100, now]);
}

/// A logged-in session that ended (a logout, a password change) while a request on it
/// was changing its state: the change starts a new session, which is not logged in.
#[tokio::test]
async fn an_update_of_an_ended_login_starts_a_session_without_the_login() {
    let (db, _dir) = db();
    let now = unix_secs();
    let (_, mut state) = db
        .write(move |conn| client_state(conn, "ada", now))
        .await
        .expect("a user");
    let store = SqlSessionStore::new(db, Duration::from_secs(3600), Duration::ZERO);
    let ttl = time::Duration::minutes(30);
    let key = store.save(state.clone(), &ttl).await.expect("saved");
    store.delete(&key).await.expect("ended");

    state.insert("csrf".to_owned(), "secret".to_owned());
    let old = key.as_ref().to_owned();
    let new_key = store.update(key, state, &ttl).await.expect("updated");
    assert_ne!(new_key.as_ref(), old);
    assert_eq!(store.load_token(&old).await.expect("load"), None);
    let started = store
        .load(&new_key)
        .await
        .expect("load")
        .expect("a session");
    let keys: Vec<_> = started.keys().map(String::as_str).collect();
    assert_eq!(keys, [sessions::PUBLIC_ID_KEY], "the ended login came back");

    // An anonymous session keeps its state: nothing in it acts as anyone.
    let anonymous = HashMap::from([("csrf".to_owned(), "secret".to_owned())]);
    let key = store.save(anonymous.clone(), &ttl).await.expect("saved");
    store.delete(&key).await.expect("ended");
    let new_key = store.update(key, anonymous, &ttl).await.expect("updated");
    let started = store
        .load(&new_key)
        .await
        .expect("load")
        .expect("a session");
    assert_eq!(started["csrf"], "secret");
}

//! The session table's rules, against a real SQLite database.

use std::collections::HashMap;

use quill_accounts::Db;
use quill_accounts::sessions::{self, token_hash};
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

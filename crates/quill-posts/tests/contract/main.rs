//! The PostStore contract: one suite every backend must pass. The embedded half always
//! runs. The Cassandra half is ignored (the test output lists it so, with the reason)
//! unless run with `--ignored` against the cluster `QUILL_TEST_CASSANDRA_NODES` names
//! (compose: `docker compose --profile test run --rm contract`; the test command does it
//! when the variable is set), each test in a keyspace of its own, one test at a time (a
//! lock in the process; nextest's `cassandra` test group across processes), so keyspaces
//! are not created and dropped in parallel. A keyspace is dropped when its test ends,
//! also when it fails.

mod suite;

use quill_posts::cassandra::{self as cql, CassandraConfig, Replication};
use quill_posts::{CassandraPostStore, EmbeddedPostStore};
use quill_sql::PoolSize;
use scylla::client::session::Session;

fn embedded() -> (EmbeddedPostStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let pool = PoolSize {
        connections: 4,
        checkout_timeout: std::time::Duration::from_secs(5),
    };
    (
        EmbeddedPostStore::open(dir.path(), pool).expect("store"),
        dir,
    )
}

/// One Cassandra test at a time in this process.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A keyspace of one test, migrated by `quill cql migrate`'s code, dropped on `Drop`.
struct TestKeyspace {
    session: Session,
    config: CassandraConfig,
    store: CassandraPostStore,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl TestKeyspace {
    async fn create() -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
        let nodes = std::env::var("QUILL_TEST_CASSANDRA_NODES")
            .expect("the Cassandra half needs QUILL_TEST_CASSANDRA_NODES (host:port,...)");
        let mut config = CassandraConfig::new(cql::config::parse_nodes(&nodes).expect("nodes"));
        if let Ok(raw) = std::env::var("QUILL_TEST_CASSANDRA_REPLICATION") {
            config.replication = Replication::parse(&raw).expect("replication");
        }
        // A cluster with PasswordAuthenticator (compose's): its login.
        if let (Ok(username), Ok(password)) = (
            std::env::var("QUILL_TEST_CASSANDRA_USERNAME"),
            std::env::var("QUILL_TEST_CASSANDRA_PASSWORD"),
        ) {
            config.credentials = Some(cql::config::Credentials {
                username,
                password: password.into(),
            });
        }
        config.request_timeout = std::time::Duration::from_secs(10);
        config.keyspace = format!(
            "quill_contract_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let session = cql::connect(&config).await.expect("cluster");
        let migrated = cql::migrate(&session, &config).await.expect("migrate");
        assert_eq!(migrated.applied, [(1, "posts_by_user"), (2, "post_keys")]);
        let store = CassandraPostStore::connect(&config).await.expect("store");
        Self {
            session,
            config,
            store,
            _turn: turn,
        }
    }
}

impl Drop for TestKeyspace {
    /// Drops the keyspace from a thread of its own (a runtime cannot be blocked on from
    /// inside the test's), over a connection of its own, also while a failed test
    /// unwinds. A failure to drop is reported, not raised.
    fn drop(&mut self) {
        let config = self.config.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let session = cql::connect(&config).await.map_err(|e| e.to_string())?;
                let drop = format!("DROP KEYSPACE IF EXISTS {}", config.keyspace);
                session
                    .query_unpaged(drop, ())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!(
                "could not drop keyspace {}: {dropped:?}",
                self.config.keyspace
            );
        }
    }
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, _dir) = super::embedded();
                    super::suite::$case(&store).await;
                }
            )*
        }

        mod cassandra {
            $(
                #[tokio::test]
                #[ignore = "needs a Cassandra cluster: QUILL_TEST_CASSANDRA_NODES and --ignored"]
                async fn $case() {
                    let keyspace = super::TestKeyspace::create().await;
                    super::suite::$case(&keyspace.store).await;
                }
            )*
        }
    };
}

contract!(
    a_post_reads_back_by_its_author_only,
    inserting_an_existing_id_changes_nothing,
    a_timeline_pages_newest_first_across_months,
    a_timeline_stays_within_its_months,
    timelines_never_mix_users,
    posts_of_one_tick_are_all_listed_once,
    a_long_month_is_read_page_by_page,
    a_key_stores_one_post_however_often_it_is_sent,
    keys_are_per_user_and_each_makes_its_own_post,
    deleting_a_user_removes_all_their_posts_and_no_one_elses,
    deleting_again_or_with_no_posts_is_harmless,
);

/// `quill cql migrate` a second time finds nothing to do, and the keyspace records the
/// version it applied.
#[tokio::test]
#[ignore = "needs a Cassandra cluster: QUILL_TEST_CASSANDRA_NODES and --ignored"]
async fn cassandra_migrations_are_recorded_and_run_once() {
    let keyspace = TestKeyspace::create().await;
    let again = cql::migrate(&keyspace.session, &keyspace.config)
        .await
        .expect("migrate again");
    assert!(again.applied.is_empty(), "{again:?}");
    let versions: Vec<(i32, String)> = keyspace
        .session
        .query_unpaged(
            format!(
                "SELECT version, name FROM {}.schema_migrations",
                keyspace.config.keyspace
            ),
            (),
        )
        .await
        .expect("schema_migrations")
        .into_rows_result()
        .expect("rows")
        .rows::<(i32, String)>()
        .expect("typed")
        .collect::<Result<_, _>>()
        .expect("decoded");
    let mut versions = versions;
    versions.sort_unstable();
    assert_eq!(
        versions,
        [(1, "posts_by_user".to_owned()), (2, "post_keys".to_owned())]
    );
}

/// The analytics job reads the embedded store with its own reader (another process,
/// read-only): after an account's deletion its next scan holds none of the user's posts,
/// and the others' as they were.
#[tokio::test]
async fn the_analytics_reader_no_longer_sees_a_deleted_users_posts() {
    use quill_domain::{Month, PostBody, PostId, PostTitle, UserId};
    use quill_posts::embedded::EmbeddedPostReader;
    use quill_posts::{NewPost, PostStore};

    let (store, dir) = embedded();
    for user in [1, 1, 2] {
        let post = NewPost {
            id: PostId::new_now(&[1, 0, 0, 0, 0, 1]),
            key: None,
            user: UserId(user),
            title: PostTitle::parse("t").expect("title"),
            body: PostBody::parse("the *source* text").expect("body"),
        };
        store.insert(post).await.expect("insert");
    }
    let now = Month::from_unix_micros(quill_domain::clock::unix_micros());
    store
        .delete_user(UserId(1), now.prev(), now)
        .await
        .expect("delete");
    let mut reader = EmbeddedPostReader::open(dir.path()).expect("reader");
    let mut seen = Vec::new();
    reader
        .scan::<quill_posts::PostStoreError>(0..=10, 100, |batch| {
            seen.extend(batch);
            Ok(())
        })
        .expect("scan");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].user_id, seen[0].body.as_str()),
        (2, "the *source* text")
    );
}

/// The embedded store's id-only read (the list page's first read) gives every page's
/// ids and cursor exactly as `list` does, across months and within one tick, and
/// nothing of another user.
#[tokio::test]
async fn the_embedded_id_only_read_pages_like_list() {
    use quill_domain::{Month, PostBody, PostId, PostTitle, UserId};
    use quill_posts::{NewPost, PageQuery, PostStore};
    use uuid::{Timestamp, Uuid};

    let (store, _dir) = embedded();
    // 2026-01-31T23:59:59Z, 2026-02-01T00:00:00Z, 2026-03-15T12:00:00Z, in 100 ns ticks
    // since 1582.
    let ticks = [1_769_903_999u64, 1_769_904_000, 1_773_576_000]
        .map(|secs| 0x01B2_1DD2_1381_4000 + secs * 10_000_000);
    // Users 1 and 2 alternate; Alice (1) has 23 of the 45. Pairs of ids share a tick.
    for (n, user) in (0..45u8).map(|n| (n, 1 + i64::from(n % 2))) {
        let tick = ticks[usize::from(n % 3)] + u64::from(n / 6);
        let uuid = Uuid::new_v1(Timestamp::from_gregorian_time(tick, 0), &[n, 0, 0, 0, 0, 1]);
        let id = PostId::from_uuid(uuid).expect("v1");
        let post = NewPost {
            id,
            key: None,
            user: UserId(user),
            title: PostTitle::parse(&format!("p{n}")).expect("title"),
            body: PostBody::parse("body").expect("body"),
        };
        store.insert(post).await.expect("insert");
    }
    for limit in [1, 7, 20, 100] {
        let mut query = PageQuery {
            before: None,
            limit,
            newest: Month::from_yyyymm(202612).expect("month"),
            oldest: Month::from_yyyymm(202512).expect("month"),
        };
        let mut pages = 0;
        loop {
            let page = store.list(UserId(1), query).await.expect("list");
            let ids = store.list_ids(UserId(1), query).await.expect("ids");
            let listed: Vec<PostId> = page.posts.iter().map(|post| post.id).collect();
            assert_eq!((&ids.ids, ids.next), (&listed, page.next), "limit {limit}");
            assert!(page.posts.iter().all(|post| post.user == UserId(1)));
            pages += 1;
            match page.next {
                Some(next) => query.before = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, 23usize.div_ceil(limit).max(1), "limit {limit}");
    }
}

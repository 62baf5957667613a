//! The PostStore contract: one suite every backend must pass. The embedded half always
//! runs. The Cassandra half is ignored (the test output lists it so, with the reason)
//! unless run with `--ignored` against the cluster `QUILL_TEST_CASSANDRA_NODES` names
//! (compose: `docker compose --profile test run --rm contract`; the test command does it
//! when the variable is set), each test in a keyspace of its own.

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

/// A keyspace of one test, migrated by `quill cql migrate`'s code, dropped after.
struct TestKeyspace {
    session: Session,
    config: CassandraConfig,
    store: CassandraPostStore,
}

impl TestKeyspace {
    async fn create() -> Self {
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
        assert_eq!(migrated.applied, [(1, "posts_by_user")]);
        let store = CassandraPostStore::connect(&config).await.expect("store");
        Self {
            session,
            config,
            store,
        }
    }

    async fn drop(self) {
        let cql = format!("DROP KEYSPACE IF EXISTS {}", self.config.keyspace);
        self.session
            .query_unpaged(cql, ())
            .await
            .expect("drop keyspace");
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
                    keyspace.drop().await;
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
    assert_eq!(versions, [(1, "posts_by_user".to_owned())]);
    keyspace.drop().await;
}

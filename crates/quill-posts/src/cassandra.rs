//! The Cassandra backend: `posts_by_user` through the scylla driver. One `Session` per
//! process, statements prepared once at start, token-aware routing to a replica of each
//! partition, explicit paging. The logic lives in pure, unit-tested modules (`config`,
//! `cql`, `cluster`, `rows`, and `crate::timeline`); this file only talks to the driver.

pub mod cluster;
pub mod config;
pub mod cql;
mod rows;

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quill_domain::{Month, PostId, UserId};
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::response::PagingState;
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::{Consistency as DriverConsistency, SerialConsistency, Statement};
use scylla::value::{CqlTimeuuid, Row};

pub use config::{CassandraConfig, CassandraConfigError, Consistency, Credentials, Replication};

use crate::timeline::{cut_page, months_to_delete, months_to_walk};
use crate::{InsertOutcome, NewPost, Page, PageQuery, Post, PostStore, PostStoreError};

/// Rows asked for per page when a timeline reads a month partition.
const PAGE_ROWS: usize = 100;
/// Month partitions a timeline reads at once after the first: a sparse timeline (a post
/// every few months) then costs a few round trips instead of one per month.
const MONTHS_AT_ONCE: usize = 4;
/// Month partitions an account's deletion clears at once.
const DELETES_AT_ONCE: usize = 8;

fn unavailable(what: &str, e: impl fmt::Display) -> PostStoreError {
    PostStoreError::Unavailable(format!("cassandra: {what}: {e}"))
}

fn misconfigured(what: impl fmt::Display) -> PostStoreError {
    PostStoreError::Misconfigured(format!("cassandra: {what}"))
}

fn corrupt(what: &str, e: impl fmt::Display) -> PostStoreError {
    PostStoreError::Corrupt(format!("{what}: {e}"))
}

pub fn driver_consistency(c: Consistency) -> DriverConsistency {
    use DriverConsistency as C;
    match c {
        Consistency::One => C::One,
        Consistency::Two => C::Two,
        Consistency::Three => C::Three,
        Consistency::Quorum => C::Quorum,
        Consistency::All => C::All,
        Consistency::LocalQuorum => C::LocalQuorum,
        Consistency::EachQuorum => C::EachQuorum,
        Consistency::LocalOne => C::LocalOne,
    }
}

/// A session on `config`'s cluster: token-aware, preferring the local datacenter, at the
/// configured consistency (LOCAL_SERIAL for conditional writes). Fails within the
/// connect timeout when no node answers.
pub async fn connect(config: &CassandraConfig) -> Result<Session, PostStoreError> {
    let mut policy = DefaultPolicy::builder().token_aware(true);
    if let Some(dc) = &config.datacenter {
        policy = policy.prefer_datacenter(dc.clone());
    }
    let profile = ExecutionProfile::builder()
        .consistency(driver_consistency(config.consistency))
        .serial_consistency(Some(SerialConsistency::LocalSerial))
        .request_timeout(Some(config.request_timeout))
        .load_balancing_policy(policy.build())
        .build();
    let mut builder = SessionBuilder::new()
        .known_nodes(&config.nodes)
        .connection_timeout(config.connect_timeout)
        .default_execution_profile_handle(profile.into_handle());
    if let Some(login) = &config.credentials {
        builder = builder.user(&login.username, login.password.expose());
    }
    let what = format!("cannot connect to {}", config.nodes.join(","));
    let session = tokio::time::timeout(config.connect_timeout * 2, builder.build())
        .await
        .map_err(|_| unavailable(&what, "timed out"))?
        .map_err(|e| unavailable(&what, e))?;
    if let Some(dc) = &config.datacenter {
        let state = session.get_cluster_state();
        let known = state
            .get_nodes_info()
            .iter()
            .filter_map(|node| node.datacenter.as_deref());
        cluster::check_datacenter(dc, known).map_err(misconfigured)?;
    }
    Ok(session)
}

/// Connects once `expected` nodes of the ring are up, trying for up to `within`: on a
/// first start nodes join in any order, and a node bootstrapping with another restarts.
pub async fn connect_to_ring(
    config: &CassandraConfig,
    expected: usize,
    within: Duration,
) -> Result<Session, PostStoreError> {
    const EVERY: Duration = Duration::from_secs(5);
    let deadline = Instant::now() + within;
    let mut session = None;
    loop {
        let seen = match &session {
            None => match connect(config).await {
                Ok(connected) => {
                    session = Some(connected);
                    continue;
                }
                Err(e @ PostStoreError::Misconfigured(_)) => return Err(e),
                Err(e) => e.to_string(),
            },
            Some(connected) => {
                let up = match connected.refresh_metadata().await {
                    Ok(()) => cluster::nodes_up(
                        connected
                            .get_cluster_state()
                            .get_nodes_info()
                            .iter()
                            .map(|node| node.is_connected()),
                    ),
                    Err(e) => {
                        tracing::info!(error = %e, "reading the ring");
                        0
                    }
                };
                if up >= expected {
                    return session.ok_or_else(|| unavailable("the ring", "no session"));
                }
                format!("{up} of {expected} nodes are up")
            }
        };
        if Instant::now() + EVERY > deadline {
            return Err(unavailable(
                &format!("waiting {} s for {expected} nodes", within.as_secs()),
                seen,
            ));
        }
        tracing::info!(%seen, expected, "waiting for the ring");
        tokio::time::sleep(EVERY).await;
    }
}

/// A schema statement: `schema_timeout`, longer than a request's.
fn schema_statement(cql: &str, config: &CassandraConfig) -> Statement {
    let mut statement = Statement::new(cql);
    statement.set_request_timeout(Some(config.schema_timeout));
    statement
}

/// Whether the cluster would put a new keyspace on tablets (a recent ScyllaDB).
async fn tablets(
    session: &Session,
    config: &CassandraConfig,
) -> Result<cql::Tablets, PostStoreError> {
    let rows = session
        .query_unpaged(schema_statement(cql::SCYLLA_KEYSPACES_COLUMNS, config), ())
        .await
        .map_err(|e| unavailable("reading system_schema", e))?
        .into_rows_result()
        .map_err(|e| corrupt("system_schema.columns", e))?;
    let columns: Vec<(String,)> = rows
        .rows::<(String,)>()
        .map_err(|e| corrupt("system_schema.columns", e))?
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt("system_schema.columns", e))?;
    Ok(cql::Tablets::of_columns(
        columns.iter().map(|(name,)| name.as_str()),
    ))
}

/// Refuses a keyspace that a ScyllaDB put on tablets (made before Quill turned them off,
/// or by hand): every post insert would fail there.
async fn refuse_tablets_keyspace(
    session: &Session,
    config: &CassandraConfig,
) -> Result<(), PostStoreError> {
    let mut statement = schema_statement(cql::KEYSPACE_TABLETS, config);
    statement.set_consistency(DriverConsistency::One);
    let initial: Option<Option<i32>> = session
        .query_unpaged(statement, (config.keyspace.as_str(),))
        .await
        .map_err(|e| unavailable("reading system_schema.scylla_keyspaces", e))?
        .into_rows_result()
        .map_err(|e| corrupt("system_schema.scylla_keyspaces", e))?
        .maybe_first_row::<(Option<i32>,)>()
        .map_err(|e| corrupt("system_schema.scylla_keyspaces", e))?
        .map(|(initial,)| initial);
    match initial {
        Some(Some(_)) => Err(misconfigured(format!(
            "keyspace {} uses tablets, and ScyllaDB has no lightweight transactions there \
             (every post insert would fail): create it again with tablets off, as \
             `quill cql migrate` does (see docs/DEPLOYMENT.md)",
            config.keyspace
        ))),
        _ => Ok(()),
    }
}

/// What `quill cql migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub keyspace: String,
    /// `(version, name)` of each migration applied now; empty when the schema was current.
    pub applied: Vec<(i32, &'static str)>,
}

/// Creates the keyspace when missing and applies the migrations it has not recorded,
/// recording each. Safe to run again, and after a run that was cut short.
pub async fn migrate(
    session: &Session,
    config: &CassandraConfig,
) -> Result<Migrated, PostStoreError> {
    let ks = &config.keyspace;
    let ddl = |cql: String| async move {
        session
            .query_unpaged(schema_statement(&cql, config), ())
            .await
            .map_err(|e| unavailable(&cql, e))?;
        session
            .await_schema_agreement()
            .await
            .map_err(|e| unavailable("waiting for schema agreement", e))?;
        Ok::<_, PostStoreError>(())
    };
    let tablets = tablets(session, config).await?;
    ddl(cql::create_keyspace(ks, &config.replication, tablets)).await?;
    if tablets == cql::Tablets::Supported {
        refuse_tablets_keyspace(session, config).await?;
    }
    ddl(cql::create_migrations_table(ks)).await?;
    let applied: Vec<i32> = session
        .query_unpaged(schema_statement(&cql::applied_versions(ks), config), ())
        .await
        .map_err(|e| unavailable("reading schema_migrations", e))?
        .into_rows_result()
        .map_err(|e| corrupt("schema_migrations", e))?
        .rows::<(i32,)>()
        .map_err(|e| corrupt("schema_migrations", e))?
        .map(|row| row.map(|(version,)| version))
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt("schema_migrations", e))?;
    let record = tokio::time::timeout(
        config.schema_timeout,
        session.prepare(cql::record_version(ks)),
    )
    .await
    .map_err(|_| unavailable("preparing schema_migrations", "timed out"))?
    .map_err(|e| unavailable("preparing schema_migrations", e))?;
    let mut done = Vec::new();
    for migration in cql::pending(&applied) {
        for statement in migration.statements {
            ddl(cql::in_keyspace(statement, ks)).await?;
        }
        session
            .execute_unpaged(&record, (migration.version, migration.name))
            .await
            .map_err(|e| unavailable("recording a schema version", e))?;
        done.push((migration.version, migration.name));
    }
    Ok(Migrated {
        keyspace: ks.clone(),
        applied: done,
    })
}

/// Posts in Cassandra. Cheap to clone: clones share the session and its runtime.
///
/// The driver runs on a multi-thread runtime of its own (`DRIVER_THREADS` threads): its
/// connections' tasks and every statement live there, not on the caller's runtime, which
/// for `quill serve` is one of actix's single-threaded worker runtimes.
#[derive(Clone)]
pub struct CassandraPostStore {
    inner: Arc<Inner>,
}

/// Threads of the driver's runtime.
const DRIVER_THREADS: usize = 2;

struct Inner {
    runtime: DriverRuntime,
    statements: Arc<Statements>,
    read_deadline: Duration,
}

/// A runtime that may be dropped anywhere, also inside another runtime.
struct DriverRuntime(Option<tokio::runtime::Runtime>);

impl Drop for DriverRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl DriverRuntime {
    fn start() -> Result<Self, PostStoreError> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(DRIVER_THREADS)
            .thread_name("cassandra-driver")
            .enable_all()
            .build()
            .map(|runtime| Self(Some(runtime)))
            .map_err(|e| unavailable("starting the driver's runtime", e))
    }

    /// Runs `work` on the driver's runtime and waits for it from any runtime.
    async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, PostStoreError>> + Send + 'static,
    ) -> Result<T, PostStoreError> {
        let runtime = self
            .0
            .as_ref()
            .ok_or_else(|| unavailable("the driver's runtime", "stopped"))?;
        runtime
            .spawn(work)
            .await
            .map_err(|e| unavailable("the driver's runtime", e))?
    }
}

struct Statements {
    session: Session,
    claim: PreparedStatement,
    insert: PreparedStatement,
    get: PreparedStatement,
    month: PreparedStatement,
    month_before: PreparedStatement,
    sentinel: PreparedStatement,
    delete_month: PreparedStatement,
}

impl fmt::Debug for CassandraPostStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CassandraPostStore")
    }
}

impl CassandraPostStore {
    /// Starts the driver's runtime, connects on it and prepares every statement. A
    /// keyspace without the schema is an error that says to run `quill cql migrate`.
    pub async fn connect(config: &CassandraConfig) -> Result<Self, PostStoreError> {
        let runtime = DriverRuntime::start()?;
        let on_driver = config.clone();
        let statements = runtime
            .run(async move {
                let session = connect(&on_driver).await?;
                Statements::prepare(session, &on_driver).await
            })
            .await?;
        Ok(Self {
            inner: Arc::new(Inner {
                runtime,
                statements: Arc::new(statements),
                read_deadline: config.read_deadline,
            }),
        })
    }

    /// Runs `work` with the statements on the driver's runtime.
    async fn run<T, F>(&self, work: impl FnOnce(Arc<Statements>) -> F) -> Result<T, PostStoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, PostStoreError>> + Send + 'static,
    {
        let statements = Arc::clone(&self.inner.statements);
        self.inner.runtime.run(work(statements)).await
    }
}

impl Statements {
    async fn prepare(session: Session, config: &CassandraConfig) -> Result<Self, PostStoreError> {
        let keyspace = &config.keyspace;
        let what =
            format!("preparing statements on keyspace {keyspace} (has `quill cql migrate` run?)");
        let prepare = async |cql: String| {
            let mut statement = tokio::time::timeout(config.schema_timeout, session.prepare(cql))
                .await
                .map_err(|_| unavailable(&what, "timed out"))?
                .map_err(|e| unavailable(&what, e))?;
            // Reads, and inserts that are conditional on the id: all safe to retry.
            statement.set_is_idempotent(true);
            Ok::<_, PostStoreError>(statement)
        };
        let mut month = prepare(cql::select_month(keyspace)).await?;
        let mut month_before = prepare(cql::select_month_before(keyspace)).await?;
        for statement in [&mut month, &mut month_before] {
            statement.set_page_size(PAGE_ROWS as i32);
        }
        Ok(Self {
            claim: prepare(cql::claim_key(keyspace)).await?,
            insert: prepare(cql::insert_post(keyspace)).await?,
            get: prepare(cql::select_post(keyspace)).await?,
            sentinel: prepare(cql::sentinel(keyspace)).await?,
            // A partition delete: the same tombstone however often it runs.
            delete_month: prepare(cql::delete_month(keyspace)).await?,
            month,
            month_before,
            session,
        })
    }

    /// Up to `want` posts of one month partition, newest first, read page by page.
    async fn read_month(
        &self,
        user: UserId,
        month: Month,
        before: Option<PostId>,
        want: usize,
    ) -> Result<Vec<Post>, PostStoreError> {
        let limit = i32::try_from(want).unwrap_or(i32::MAX);
        let mut paging = PagingState::start();
        let mut posts = Vec::new();
        loop {
            let (result, next) = match before {
                None => {
                    self.session
                        .execute_single_page(&self.month, (user.0, month.yyyymm(), limit), paging)
                        .await
                }
                Some(cursor) => {
                    self.session
                        .execute_single_page(
                            &self.month_before,
                            (
                                user.0,
                                month.yyyymm(),
                                CqlTimeuuid::from(*cursor.as_uuid()),
                                limit,
                            ),
                            paging,
                        )
                        .await
                }
            }
            .map_err(|e| unavailable("reading a timeline", e))?;
            let page = result
                .into_rows_result()
                .map_err(|e| corrupt("posts_by_user", e))?;
            for row in page
                .rows::<(CqlTimeuuid, String, String)>()
                .map_err(|e| corrupt("posts_by_user", e))?
            {
                let (id, title, body) = row.map_err(|e| corrupt("posts_by_user", e))?;
                posts.push(rows::post_of(user, id.into(), title, body)?);
            }
            match next.into_paging_control_flow() {
                ControlFlow::Continue(state) if posts.len() < want => paging = state,
                _ => return Ok(posts),
            }
        }
    }

    /// The id of the post `key` made, recording `post.id` for it when it made none yet.
    /// A key recorded by a send that then failed before its post was stored gives that
    /// send's id, and this insert stores the post under it.
    async fn claim(&self, post: &NewPost, key: uuid::Uuid) -> Result<PostId, PostStoreError> {
        let values = (post.user.0, key, CqlTimeuuid::from(*post.id.as_uuid()));
        let result = self
            .session
            .execute_unpaged(&self.claim, values)
            .await
            .map_err(|e| unavailable("recording a post token", e))?
            .into_rows_result()
            .map_err(|e| corrupt("post_keys", e))?;
        let post_id_at = result.column_specs().get_by_name("post_id").map(|(i, _)| i);
        let row: Row = result.first_row().map_err(|e| corrupt("post_keys", e))?;
        Ok(rows::already_made(&row, post_id_at)?.unwrap_or(post.id))
    }

    async fn insert(&self, post: NewPost) -> Result<InsertOutcome, PostStoreError> {
        let id = match post.key {
            None => post.id,
            Some(key) => self.claim(&post, key).await?,
        };
        let values = (
            post.user.0,
            id.month().yyyymm(),
            CqlTimeuuid::from(*id.as_uuid()),
            post.title.as_str(),
            post.body.as_str(),
        );
        let row: Row = self
            .session
            .execute_unpaged(&self.insert, values)
            .await
            .map_err(|e| unavailable("writing a post", e))?
            .into_rows_result()
            .map_err(|e| corrupt("a conditional insert", e))?
            .first_row()
            .map_err(|e| corrupt("a conditional insert", e))?;
        Ok(if rows::applied(&row)? {
            InsertOutcome::Created(id)
        } else {
            InsertOutcome::AlreadyExists(id)
        })
    }

    async fn get(&self, user: UserId, id: PostId) -> Result<Option<Post>, PostStoreError> {
        let values = (
            user.0,
            id.month().yyyymm(),
            CqlTimeuuid::from(*id.as_uuid()),
        );
        let row = self
            .session
            .execute_unpaged(&self.get, values)
            .await
            .map_err(|e| unavailable("reading a post", e))?
            .into_rows_result()
            .map_err(|e| corrupt("posts_by_user", e))?
            .maybe_first_row::<(CqlTimeuuid, String, String)>()
            .map_err(|e| corrupt("posts_by_user", e))?;
        row.map(|(id, title, body)| rows::post_of(user, id.into(), title, body))
            .transpose()
    }

    async fn list(&self, user: UserId, query: PageQuery) -> Result<Page, PostStoreError> {
        // One post more than the page shows, to know whether a next page exists.
        let wanted = query.limit + 1;
        let mut posts = Vec::with_capacity(wanted.min(PAGE_ROWS));
        let mut months = months_to_walk(query.before, query.newest, query.oldest);
        let mut at_once = 1;
        while posts.len() < wanted {
            let want = wanted - posts.len();
            let reads: Vec<_> = months
                .by_ref()
                .take(at_once)
                .map(|month| {
                    self.read_month(user, month, rows::cursor_in(month, query.before), want)
                })
                .collect();
            if reads.is_empty() {
                break;
            }
            for month in futures::future::try_join_all(reads).await? {
                posts.extend(month);
            }
            at_once = MONTHS_AT_ONCE;
        }
        let (posts, next) = cut_page(posts, query.limit, |post| post.id);
        Ok(Page { posts, next })
    }

    /// Deletes the user's month partitions from `since` to the month after `now`, a few
    /// at once; stops at the first failure (the caller runs it again later).
    async fn delete_user(
        &self,
        user: UserId,
        since: Month,
        now: Month,
    ) -> Result<(), PostStoreError> {
        for months in months_to_delete(since, now).chunks(DELETES_AT_ONCE) {
            let deletes = months.iter().map(|month| {
                self.session
                    .execute_unpaged(&self.delete_month, (user.0, month.yyyymm()))
            });
            futures::future::try_join_all(deletes)
                .await
                .map_err(|e| unavailable("deleting a user's posts", e))?;
        }
        Ok(())
    }

    /// Reads the keyspace's first schema version at the store's consistency: fails when
    /// that consistency cannot be met, or the keyspace was never migrated.
    async fn ping(&self) -> Result<(), PostStoreError> {
        let found = self
            .session
            .execute_unpaged(&self.sentinel, ())
            .await
            .map_err(|e| unavailable("ping", e))?
            .into_rows_result()
            .map_err(|e| corrupt("schema_migrations", e))?
            .maybe_first_row::<(i32,)>()
            .map_err(|e| corrupt("schema_migrations", e))?;
        found.map(drop).ok_or_else(|| {
            unavailable(
                "ping",
                "schema version 1 is not recorded: run `quill cql migrate`",
            )
        })
    }
}

impl PostStore for CassandraPostStore {
    #[tracing::instrument(skip_all, fields(user = %post.user, post = %post.id))]
    async fn insert(&self, post: NewPost) -> Result<InsertOutcome, PostStoreError> {
        self.run(|s| async move { s.insert(post).await }).await
    }

    #[tracing::instrument(skip(self))]
    async fn get(&self, user: UserId, id: PostId) -> Result<Option<Post>, PostStoreError> {
        self.run(|s| async move { s.get(user, id).await }).await
    }

    /// Bounded by `read_deadline` in all, however many months it walks.
    #[tracing::instrument(skip(self))]
    async fn list(&self, user: UserId, query: PageQuery) -> Result<Page, PostStoreError> {
        let deadline = self.inner.read_deadline;
        self.run(|s| async move {
            tokio::time::timeout(deadline, s.list(user, query))
                .await
                .map_err(|_| {
                    unavailable(
                        "reading a timeline",
                        format!("took longer than {} ms", deadline.as_millis()),
                    )
                })?
        })
        .await
    }

    async fn ping(&self) -> Result<(), PostStoreError> {
        self.run(|s| async move { s.ping().await }).await
    }

    #[tracing::instrument(skip(self))]
    async fn delete_user(
        &self,
        user: UserId,
        since: Month,
        now: Month,
    ) -> Result<(), PostStoreError> {
        self.run(|s| async move { s.delete_user(user, since, now).await })
            .await
    }
}

//! The Cassandra backend: `posts_by_user` through the scylla driver. One `Session` per
//! process, statements prepared once at start, token-aware routing to a replica of each
//! partition, explicit paging. The logic lives in pure, unit-tested modules (`config`,
//! `cql`, `rows`, and `crate::timeline`); this file only talks to the driver.

pub mod config;
pub mod cql;
mod rows;

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use quill_domain::{Month, PostId, UserId};
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::policies::load_balancing::DefaultPolicy;
use scylla::response::PagingState;
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::{Consistency as DriverConsistency, SerialConsistency};
use scylla::value::{CqlTimeuuid, Row};

pub use config::{CassandraConfig, CassandraConfigError, Consistency, Credentials, Replication};

use crate::timeline::{cut_page, months_to_walk};
use crate::{InsertOutcome, NewPost, Page, PageQuery, Post, PostStore, PostStoreError};

/// Rows asked for per page when a timeline reads a month partition.
const PAGE_ROWS: usize = 100;
/// Month partitions a timeline reads at once after the first: a sparse timeline (a post
/// every few months) then costs a few round trips instead of one per month.
const MONTHS_AT_ONCE: usize = 4;

fn unavailable(what: &str, e: impl fmt::Display) -> PostStoreError {
    PostStoreError::Unavailable(format!("cassandra: {what}: {e}"))
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
    tokio::time::timeout(config.connect_timeout * 2, builder.build())
        .await
        .map_err(|_| unavailable(&what, "timed out"))?
        .map_err(|e| unavailable(&what, e))
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
            .query_unpaged(cql.as_str(), ())
            .await
            .map_err(|e| unavailable(&cql, e))?;
        session
            .await_schema_agreement()
            .await
            .map_err(|e| unavailable("waiting for schema agreement", e))?;
        Ok::<_, PostStoreError>(())
    };
    ddl(cql::create_keyspace(ks, &config.replication)).await?;
    ddl(cql::create_migrations_table(ks)).await?;
    let applied: Vec<i32> = session
        .query_unpaged(cql::applied_versions(ks), ())
        .await
        .map_err(|e| unavailable("reading schema_migrations", e))?
        .into_rows_result()
        .map_err(|e| corrupt("schema_migrations", e))?
        .rows::<(i32,)>()
        .map_err(|e| corrupt("schema_migrations", e))?
        .map(|row| row.map(|(version,)| version))
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt("schema_migrations", e))?;
    let record = session
        .prepare(cql::record_version(ks))
        .await
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

/// Posts in Cassandra. Cheap to clone: clones share the session.
#[derive(Clone)]
pub struct CassandraPostStore {
    inner: Arc<Inner>,
}

struct Inner {
    session: Session,
    insert: PreparedStatement,
    get: PreparedStatement,
    month: PreparedStatement,
    month_before: PreparedStatement,
    ping: PreparedStatement,
}

impl fmt::Debug for CassandraPostStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CassandraPostStore")
    }
}

impl CassandraPostStore {
    /// Connects and prepares every statement. A keyspace without the schema is an error
    /// that says to run `quill cql migrate`.
    pub async fn connect(config: &CassandraConfig) -> Result<Self, PostStoreError> {
        let session = connect(config).await?;
        Self::with_session(session, &config.keyspace).await
    }

    async fn with_session(session: Session, keyspace: &str) -> Result<Self, PostStoreError> {
        let prepare = async |cql: String| {
            let mut statement = session.prepare(cql).await.map_err(|e| {
                unavailable(
                    &format!(
                        "preparing statements on keyspace {keyspace} \
                         (has `quill cql migrate` run?)"
                    ),
                    e,
                )
            })?;
            // Reads, and inserts that are conditional on the id: all safe to retry.
            statement.set_is_idempotent(true);
            Ok::<_, PostStoreError>(statement)
        };
        let mut month = prepare(cql::select_month(keyspace)).await?;
        let mut month_before = prepare(cql::select_month_before(keyspace)).await?;
        for statement in [&mut month, &mut month_before] {
            statement.set_page_size(PAGE_ROWS as i32);
        }
        let inner = Inner {
            insert: prepare(cql::insert_post(keyspace)).await?,
            get: prepare(cql::select_post(keyspace)).await?,
            ping: prepare("SELECT release_version FROM system.local".into()).await?,
            month,
            month_before,
            session,
        };
        Ok(Self {
            inner: Arc::new(inner),
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
                    self.inner
                        .session
                        .execute_single_page(
                            &self.inner.month,
                            (user.0, month.yyyymm(), limit),
                            paging,
                        )
                        .await
                }
                Some(cursor) => {
                    self.inner
                        .session
                        .execute_single_page(
                            &self.inner.month_before,
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
}

impl PostStore for CassandraPostStore {
    #[tracing::instrument(skip_all, fields(user = %post.user, post = %post.id))]
    async fn insert(&self, post: NewPost) -> Result<InsertOutcome, PostStoreError> {
        let values = (
            post.user.0,
            post.id.month().yyyymm(),
            CqlTimeuuid::from(*post.id.as_uuid()),
            post.title.as_str(),
            post.body.as_str(),
        );
        let row: Row = self
            .inner
            .session
            .execute_unpaged(&self.inner.insert, values)
            .await
            .map_err(|e| unavailable("writing a post", e))?
            .into_rows_result()
            .map_err(|e| corrupt("a conditional insert", e))?
            .first_row()
            .map_err(|e| corrupt("a conditional insert", e))?;
        Ok(if rows::applied(&row)? {
            InsertOutcome::Created
        } else {
            InsertOutcome::AlreadyExists
        })
    }

    #[tracing::instrument(skip(self))]
    async fn get(&self, user: UserId, id: PostId) -> Result<Option<Post>, PostStoreError> {
        let values = (
            user.0,
            id.month().yyyymm(),
            CqlTimeuuid::from(*id.as_uuid()),
        );
        let row = self
            .inner
            .session
            .execute_unpaged(&self.inner.get, values)
            .await
            .map_err(|e| unavailable("reading a post", e))?
            .into_rows_result()
            .map_err(|e| corrupt("posts_by_user", e))?
            .maybe_first_row::<(CqlTimeuuid, String, String)>()
            .map_err(|e| corrupt("posts_by_user", e))?;
        row.map(|(id, title, body)| rows::post_of(user, id.into(), title, body))
            .transpose()
    }

    #[tracing::instrument(skip(self))]
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

    async fn ping(&self) -> Result<(), PostStoreError> {
        self.inner
            .session
            .execute_unpaged(&self.inner.ping, ())
            .await
            .map_err(|e| unavailable("ping", e))?;
        Ok(())
    }
}

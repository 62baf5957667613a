//! The driver side of the Cassandra source: one `Session`, one prepared statement per
//! projection, and an `ExecutionPlan` whose partitions are token ranges read page by page.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session as DfSession, TableProvider};
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{ExecutionPlan, SendableRecordBatchStream};
use datafusion::prelude::SessionContext;
use quill_domain::PostId;
use quill_posts::PostRecord;
use quill_posts::cassandra::{self, driver_consistency};
use scylla::client::session::Session;
use scylla::response::PagingState;
use scylla::response::query_result::QueryRowsResult;
use scylla::statement::prepared::PreparedStatement;
use scylla::value::CqlTimeuuid;
use tokio::sync::Semaphore;

use super::ring::{TokenRange, backoff, split_count, split_ring};
use super::settings::CassandraSettings;
use super::statement::{Columns, token_range_select};
use crate::error::{AnalyticsError, Result};
use crate::schema::{self, posts_schema};
use crate::source::records::{Projection, to_batch};
use crate::source::scan::{Partitions, PostsScan};

fn cassandra_error(what: &str, e: impl fmt::Display) -> AnalyticsError {
    AnalyticsError::Cassandra(format!("{what}: {e}"))
}

pub async fn register(
    ctx: &SessionContext,
    settings: CassandraSettings,
    threads: usize,
) -> Result<()> {
    let table = CassandraTable::connect(settings, threads).await?;
    ctx.register_table(crate::source::TABLE, Arc::new(table))?;
    Ok(())
}

/// `posts_by_user` of one keyspace.
pub struct CassandraTable {
    session: Arc<Session>,
    settings: CassandraSettings,
    ranges: Vec<TokenRange>,
}

impl fmt::Debug for CassandraTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CassandraTable")
            .field("nodes", &self.settings.cluster.nodes)
            .field("keyspace", &self.settings.cluster.keyspace)
            .field("ranges", &self.ranges.len())
            .finish()
    }
}

impl CassandraTable {
    /// Connects, failing within the connect timeout when no node answers.
    pub async fn connect(settings: CassandraSettings, threads: usize) -> Result<Self> {
        let session = cassandra::connect(&settings.cluster)
            .await
            .map_err(|e| AnalyticsError::Cassandra(e.to_string()))?;
        let ranges = split_ring(split_count(threads, settings.min_splits));
        Ok(Self {
            session: Arc::new(session),
            settings,
            ranges,
        })
    }
}

#[async_trait]
impl TableProvider for CassandraTable {
    fn schema(&self) -> SchemaRef {
        posts_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn DfSession,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let projection = Projection::new(projection)?;
        let columns = Columns {
            title: projection.wants(schema::TITLE),
            body: projection.wants(schema::BODY),
        };
        let cql = token_range_select(&self.settings.cluster.keyspace, columns);
        let mut prepared = self
            .session
            .prepare(cql)
            .await
            .map_err(|e| external(cassandra_error("preparing the scan", e)))?;
        prepared.set_consistency(driver_consistency(self.settings.consistency));
        prepared.set_page_size(self.settings.page_size);
        // A read: the driver may retry it, and so does the scan, page by page.
        prepared.set_is_idempotent(true);
        let partitions = TokenRanges {
            session: Arc::clone(&self.session),
            prepared,
            columns,
            ranges: self.ranges.clone(),
            at_once: Arc::new(Semaphore::new(self.settings.concurrency)),
            retries: self.settings.retries,
        };
        Ok(Arc::new(PostsScan::new(partitions, projection)))
    }
}

/// The token ranges of `posts_by_user`, one partition each, read page by page: at most
/// `at_once` ranges at a time, and a failed page read again up to `retries` times.
pub struct TokenRanges {
    session: Arc<Session>,
    prepared: PreparedStatement,
    columns: Columns,
    ranges: Vec<TokenRange>,
    at_once: Arc<Semaphore>,
    retries: u32,
}

impl Partitions for TokenRanges {
    const NAME: &'static str = "CassandraScan";

    fn count(&self) -> usize {
        self.ranges.len()
    }

    fn describe(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "CassandraScan: {} token ranges", self.ranges.len())
    }

    fn stream(
        &self,
        partition: usize,
        projection: &Projection,
    ) -> DfResult<SendableRecordBatchStream> {
        let range = *self
            .ranges
            .get(partition)
            .ok_or_else(|| DataFusionError::Internal(format!("no token range {partition}")))?;
        let mut builder = RecordBatchReceiverStreamBuilder::new(projection.schema.clone(), 2);
        let tx = builder.tx();
        let session = Arc::clone(&self.session);
        let prepared = self.prepared.clone();
        let (columns, projection) = (self.columns, projection.clone());
        let (at_once, retries) = (Arc::clone(&self.at_once), self.retries);
        builder.spawn(async move {
            let _turn = at_once
                .acquire_owned()
                .await
                .map_err(|e| DataFusionError::Internal(e.to_string()))?;
            let mut paging = PagingState::start();
            loop {
                let mut attempt = 0;
                let (result, next) = loop {
                    match session
                        .execute_single_page(&prepared, (range.start, range.end), paging.clone())
                        .await
                    {
                        Ok(page) => break page,
                        Err(e) if attempt < retries => {
                            attempt += 1;
                            tracing::warn!(
                                error = %e, attempt, start = range.start,
                                "reading a token range failed; reading the page again"
                            );
                            tokio::time::sleep(backoff(attempt)).await;
                        }
                        Err(e) => {
                            return Err(external(cassandra_error(
                                &format!("reading posts_by_user (tried {} times)", attempt + 1),
                                e,
                            )));
                        }
                    }
                };
                let rows = result
                    .into_rows_result()
                    .map_err(|e| external(cassandra_error("reading posts_by_user", e)))?;
                let records = records(&rows, columns).map_err(external)?;
                let batch = to_batch(&projection, &records)?;
                if tx.send(Ok(batch)).await.is_err() {
                    return Ok(());
                }
                match next.into_paging_control_flow() {
                    ControlFlow::Break(()) => return Ok(()),
                    ControlFlow::Continue(state) => paging = state,
                }
            }
        });
        Ok(builder.build())
    }
}

/// Maps one page to posts rows; `created_at` is the timeuuid's instant.
fn records(rows: &QueryRowsResult, columns: Columns) -> Result<Vec<PostRecord>> {
    let bad = |e: &dyn fmt::Display| cassandra_error("decoding posts_by_user", e);
    let record = |user_id: i64, id: CqlTimeuuid, title: &str, body: &str| {
        let uuid: uuid::Uuid = id.into();
        let post = PostId::from_uuid(uuid).map_err(|e| bad(&e))?;
        Ok(PostRecord {
            user_id,
            post_id: uuid,
            created_at_micros: post.created_at_micros(),
            title: title.to_owned(),
            body: body.to_owned(),
        })
    };
    match (columns.title, columns.body) {
        (true, true) => rows
            .rows::<(i64, CqlTimeuuid, &str, &str)>()
            .map_err(|e| bad(&e))?
            .map(|r| {
                let (u, id, t, b) = r.map_err(|e| bad(&e))?;
                record(u, id, t, b)
            })
            .collect(),
        (title, body) if title || body => rows
            .rows::<(i64, CqlTimeuuid, &str)>()
            .map_err(|e| bad(&e))?
            .map(|r| {
                let (u, id, text) = r.map_err(|e| bad(&e))?;
                if title {
                    record(u, id, text, "")
                } else {
                    record(u, id, "", text)
                }
            })
            .collect(),
        _ => rows
            .rows::<(i64, CqlTimeuuid)>()
            .map_err(|e| bad(&e))?
            .map(|r| {
                let (u, id) = r.map_err(|e| bad(&e))?;
                record(u, id, "", "")
            })
            .collect(),
    }
}

fn external(e: AnalyticsError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

//! Cassandra's `posts_by_user` as a DataFusion table, the way Spark's Cassandra connector
//! reads it: the Murmur3 token ring split into ranges, each range a partition scanned in
//! parallel with explicit paging. The settings, ring splits and statement text are pure
//! (and unit-tested); the driver part in `table` stays thin.

pub mod ring;
pub mod settings;
pub mod statement;
mod table;

use datafusion::prelude::SessionContext;

use crate::error::Result;
use settings::CassandraSettings;

/// Connects with `settings` and registers `posts_by_user` as `posts`, split for `threads`.
pub async fn register(
    ctx: &SessionContext,
    settings: CassandraSettings,
    threads: usize,
) -> Result<()> {
    table::register(ctx, settings, threads).await
}

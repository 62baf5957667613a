//! Post storage. [`PostStore`] is shaped for the Cassandra model in docs/ARCHITECTURE.md: posts are
//! partitioned by (user, month), read newest first with a cursor, found by
//! `(user, post_id)`, and never overwritten. [`EmbeddedPostStore`] is the embedded
//! backend, [`CassandraPostStore`] the cluster's; [`Posts`] is whichever one runs.

pub mod cassandra;
pub mod embedded;
mod store;
pub mod timeline;

pub use cassandra::{CassandraConfig, CassandraConfigError, CassandraPostStore};
pub use embedded::EmbeddedPostStore;
pub use store::{
    IdPage, InsertOutcome, KEY_LIFETIME, NewPost, Page, PageQuery, Post, PostRecord, PostStore,
    PostStoreError, Posts,
};

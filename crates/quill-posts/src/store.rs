//! The `PostStore` contract that every backend keeps.

use std::future::Future;

use quill_domain::{Month, PostBody, PostId, PostTitle, UserId};

/// A post as it is written.
#[derive(Debug, Clone)]
pub struct NewPost {
    /// The id it gets, made when it is published.
    pub id: PostId,
    /// What makes sending it twice store it once: the id of the post token it was
    /// written under. The first insert with a key records which post it made, for
    /// [`KEY_LIFETIME`]; any later one with the same key finds that post and changes
    /// nothing. `None`: only the id keeps it from being stored twice.
    pub key: Option<uuid::Uuid>,
    pub user: UserId,
    pub title: PostTitle,
    pub body: PostBody,
}

/// How long a store remembers which post a key made: a post token's lifetime (a day)
/// and the clock skew between instances, with room to spare.
pub const KEY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600 + 3600);

/// A stored post, read back by its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub user: UserId,
    pub title: String,
    pub body: String,
}

/// One row of the analytics `posts` table (see docs/ANALYTICS.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    pub user_id: i64,
    pub post_id: uuid::Uuid,
    pub created_at_micros: i64,
    pub title: String,
    pub body: String,
}

/// What an insert did, and the id of the post it leaves. An insert never changes a
/// stored post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Created(PostId),
    /// The post was already there, made by an earlier send of the same key (or id): a
    /// double submit or a retry. It was left as it was.
    AlreadyExists(PostId),
}

impl InsertOutcome {
    /// The id of the stored post.
    pub fn id(self) -> PostId {
        match self {
            Self::Created(id) | Self::AlreadyExists(id) => id,
        }
    }
}

/// Which page of a timeline to read: at most `limit` posts older than `before` (or the
/// newest when `None`), looking no further back than `oldest` (the month the user
/// signed up) and no further forward than `newest` (the current month).
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub before: Option<PostId>,
    pub limit: usize,
    pub newest: Month,
    pub oldest: Month,
}

/// A page of a timeline, newest first; `next` is the cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub posts: Vec<Post>,
    pub next: Option<PostId>,
}

/// The ids of a page of a timeline, newest first, and the cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPage {
    pub ids: Vec<PostId>,
    pub next: Option<PostId>,
}

#[derive(Debug, thiserror::Error)]
pub enum PostStoreError {
    #[error(transparent)]
    Sql(#[from] quill_sql::SqlError),
    #[error("post store unavailable: {0}")]
    Unavailable(String),
    #[error("corrupt post row: {0}")]
    Corrupt(String),
    /// The store answers but cannot serve Quill as configured: a fix of the settings or
    /// the cluster is needed, not a retry.
    #[error("post store misconfigured: {0}")]
    Misconfigured(String),
}

impl PostStoreError {
    /// Whether the store could not be reached or was too busy, rather than failing on a
    /// bug or on bad data.
    pub fn is_outage(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_)
                | Self::Sql(quill_sql::SqlError::Pool(_) | quill_sql::SqlError::Unavailable(_))
        )
    }
}

impl From<tokio::task::JoinError> for PostStoreError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Sql(e.into())
    }
}

impl From<diesel::result::Error> for PostStoreError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Sql(e.into())
    }
}

/// Storage for posts. Posts are insert-only: no method changes a post, and only an
/// account's deletion removes posts, all of that account's at once.
pub trait PostStore: Send + Sync + 'static {
    /// Stores a post, unless its key (or, without a key, its id) already made one.
    fn insert(
        &self,
        post: NewPost,
    ) -> impl Future<Output = Result<InsertOutcome, PostStoreError>> + Send;

    /// One of `user`'s posts. Another user's id finds nothing: the lookup is by
    /// `(user, month of the id, id)`.
    fn get(
        &self,
        user: UserId,
        id: PostId,
    ) -> impl Future<Output = Result<Option<Post>, PostStoreError>> + Send;

    /// A page of `user`'s posts, newest first.
    fn list(
        &self,
        user: UserId,
        query: PageQuery,
    ) -> impl Future<Output = Result<Page, PostStoreError>> + Send;

    /// Checks that the store answers, for /readyz.
    fn ping(&self) -> impl Future<Output = Result<(), PostStoreError>> + Send;

    /// Deletes every post of `user`, who signed up in month `since`, as of month `now`
    /// (and the keys they were written under, where the store can find them by user).
    /// Safe to run again after a failure part-way: what is gone stays gone.
    fn delete_user(
        &self,
        user: UserId,
        since: Month,
        now: Month,
    ) -> impl Future<Output = Result<(), PostStoreError>> + Send;
}

/// The backend a process runs: chosen once at start from the settings.
#[derive(Clone, Debug)]
pub enum Posts {
    Embedded(crate::EmbeddedPostStore),
    Cassandra(crate::CassandraPostStore),
}

impl Posts {
    /// The ids of the page [`PostStore::list`] would give, when the backend reads them
    /// for much less than whole posts: the embedded store, whose rows hold the bodies.
    /// `None` from Cassandra, where a caller reads the page itself.
    pub async fn list_ids(
        &self,
        user: UserId,
        query: PageQuery,
    ) -> Result<Option<IdPage>, PostStoreError> {
        match self {
            Self::Embedded(store) => store.list_ids(user, query).await.map(Some),
            Self::Cassandra(_) => Ok(None),
        }
    }
}

impl PostStore for Posts {
    async fn insert(&self, post: NewPost) -> Result<InsertOutcome, PostStoreError> {
        match self {
            Self::Embedded(store) => store.insert(post).await,
            Self::Cassandra(store) => store.insert(post).await,
        }
    }

    async fn get(&self, user: UserId, id: PostId) -> Result<Option<Post>, PostStoreError> {
        match self {
            Self::Embedded(store) => store.get(user, id).await,
            Self::Cassandra(store) => store.get(user, id).await,
        }
    }

    async fn list(&self, user: UserId, query: PageQuery) -> Result<Page, PostStoreError> {
        match self {
            Self::Embedded(store) => store.list(user, query).await,
            Self::Cassandra(store) => store.list(user, query).await,
        }
    }

    async fn ping(&self) -> Result<(), PostStoreError> {
        match self {
            Self::Embedded(store) => store.ping().await,
            Self::Cassandra(store) => store.ping().await,
        }
    }

    async fn delete_user(
        &self,
        user: UserId,
        since: Month,
        now: Month,
    ) -> Result<(), PostStoreError> {
        match self {
            Self::Embedded(store) => store.delete_user(user, since, now).await,
            Self::Cassandra(store) => store.delete_user(user, since, now).await,
        }
    }
}

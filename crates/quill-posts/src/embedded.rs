//! The embedded post store: a SQLite file (`posts.sqlite3` in the data directory) laid
//! out like Cassandra's `posts_by_user`, durable across restarts. Readers in other
//! processes (the analytics job) can scan it while Quill runs, thanks to WAL.

mod scan;
mod schema;

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use quill_domain::{Month, PostId, UserId};
use quill_sql::{PoolSize, SqlError, SqlitePool, blocking, sqlite_pool};

pub use scan::EmbeddedPostReader;
use schema::{post_keys, posts_by_user};

use crate::timeline::{cut_page, first_month};
use crate::{
    IdPage, InsertOutcome, KEY_LIFETIME, NewPost, Page, PageQuery, Post, PostStore, PostStoreError,
};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The file name of the embedded post store inside a data directory.
pub const FILE_NAME: &str = "posts.sqlite3";

/// The path of the embedded post store of a data directory.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Inserts go through a pool of one connection, so that concurrent writers queue in
/// order instead of in SQLite's sleeping busy handler; reads have their own pool.
#[derive(Clone, Debug)]
pub struct EmbeddedPostStore {
    read: SqlitePool,
    write: SqlitePool,
}

/// The rows of `$user`'s timeline that page `$query` shows, and one more (to know
/// whether a next page exists), newest first, each selected as `$row`: an iterator of
/// diesel results, or the `?`-propagated error of starting the scan.
///
/// Month partitions are consecutive in the primary key, so one range scan walks them
/// newest first, as the Cassandra backend does partition by partition. No SQL LIMIT:
/// SQLite plans with a bound LIMIT's value, so binding it again on every page view
/// recompiled the cached statement each time (a sixth of a page view's instructions,
/// callgrind). The scan follows the key's order and stops once it has read enough. Two
/// unboxed statements, with and without a cursor, so that diesel finds each in its cache
/// by type instead of writing its SQL again on every view. A macro, since the two
/// selections are two statement types.
macro_rules! timeline_rows {
    ($conn:expr, $user:expr, $query:expr, $row:ty) => {{
        let (user, query): (UserId, PageQuery) = ($user, $query);
        let start = first_month(query.before, query.newest);
        let newest_first = posts_by_user::table
            .filter(posts_by_user::user_id.eq(user.0))
            .filter(posts_by_user::month.between(query.oldest.yyyymm(), start.yyyymm()))
            .order((
                posts_by_user::month.desc(),
                posts_by_user::ts.desc(),
                posts_by_user::post_id.desc(),
            ))
            .select(<$row>::as_select());
        let rows = query.limit.saturating_add(1);
        let scan: Box<dyn Iterator<Item = diesel::QueryResult<$row>>> = match query.before {
            None => Box::new(newest_first.load_iter($conn)?),
            Some(cursor) => {
                let (ts, id) = (cursor.ticks(), cursor.as_uuid().as_bytes().to_vec());
                let older = newest_first.filter(
                    posts_by_user::ts
                        .lt(ts)
                        .or(posts_by_user::ts.eq(ts).and(posts_by_user::post_id.lt(id))),
                );
                Box::new(older.load_iter($conn)?)
            }
        };
        scan.take(rows)
    }};
}

/// A post's id, for the list page's reads of ids only.
#[derive(Queryable, Selectable)]
#[diesel(table_name = posts_by_user)]
struct IdRow {
    post_id: Vec<u8>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = posts_by_user)]
struct Row {
    user_id: i64,
    post_id: Vec<u8>,
    title: String,
    body: String,
}

impl Row {
    fn into_post(self) -> Result<Post, PostStoreError> {
        Ok(Post {
            id: scan::post_id_of(&self.post_id)?,
            user: UserId(self.user_id),
            title: self.title,
            body: self.body,
        })
    }
}

impl EmbeddedPostStore {
    /// Opens the store in `data_dir`, creating it and applying migrations when needed.
    pub fn open(data_dir: &Path, size: PoolSize) -> Result<Self, PostStoreError> {
        let path = path_in(data_dir);
        let write = sqlite_pool(
            &path,
            PoolSize {
                connections: 1,
                ..size
            },
        )?;
        write
            .get()
            .map_err(SqlError::from)?
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| SqlError::Migration(e.to_string()))?;
        let read = sqlite_pool(&path, size)?;
        Ok(Self { read, write })
    }

    /// The ids of the posts [`PostStore::list`] would give for `query`, without reading
    /// their titles and bodies (most of a row): for a caller that keeps what it shows of
    /// a post, which never changes.
    #[tracing::instrument(skip(self))]
    pub fn list_ids(
        &self,
        user: UserId,
        query: PageQuery,
    ) -> impl Future<Output = Result<IdPage, PostStoreError>> + Send {
        self.read(move |conn| {
            let ids = timeline_rows!(conn, user, query, IdRow)
                .map(|row| scan::post_id_of(&row?.post_id))
                .collect::<Result<Vec<_>, PostStoreError>>()?;
            let (ids, next) = cut_page(ids, query.limit, |id| *id);
            Ok(IdPage { ids, next })
        })
    }

    /// A read: on the calling thread when a reading connection is free at once, since a
    /// page of a timeline is a few B-tree pages of a file the OS caches (tens of
    /// microseconds), less than the two thread wake-ups of a hop to the blocking pool;
    /// on the blocking pool when every reader is busy, so that no async worker waits
    /// for a connection.
    fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut SqliteConnection) -> Result<T, PostStoreError> + Send + 'static,
    ) -> impl Future<Output = Result<T, PostStoreError>> + Send + 'static {
        let pool = self.read.clone();
        async move {
            match pool.try_get() {
                Some(mut conn) => work(&mut conn),
                None => Self::run(&pool, work).await,
            }
        }
    }

    fn run<T: Send + 'static>(
        pool: &SqlitePool,
        work: impl FnOnce(&mut SqliteConnection) -> Result<T, PostStoreError> + Send + 'static,
    ) -> impl Future<Output = Result<T, PostStoreError>> + Send + 'static {
        let pool = pool.clone();
        blocking(move || {
            let mut conn = pool.get().map_err(SqlError::from)?;
            work(&mut conn)
        })
    }
}

/// The id of the post `key` made, recording `post.id` for it when it made none yet (in
/// the insert's transaction). The user's keys older than [`KEY_LIFETIME`] go first.
fn claim(
    conn: &mut SqliteConnection,
    post: &NewPost,
    key: uuid::Uuid,
) -> Result<PostId, PostStoreError> {
    let now = quill_domain::clock::unix_micros();
    let lifetime = i64::try_from(KEY_LIFETIME.as_micros()).unwrap_or(i64::MAX);
    diesel::delete(
        post_keys::table
            .filter(post_keys::user_id.eq(post.user.0))
            .filter(post_keys::created_at.lt(now - lifetime)),
    )
    .execute(conn)?;
    let made: Option<Vec<u8>> = post_keys::table
        .find((post.user.0, key.as_bytes().as_slice()))
        .select(post_keys::post_id)
        .first(conn)
        .optional()?;
    if let Some(made) = made {
        return scan::post_id_of(&made);
    }
    diesel::insert_into(post_keys::table)
        .values((
            post_keys::user_id.eq(post.user.0),
            post_keys::key.eq(key.as_bytes().as_slice()),
            post_keys::post_id.eq(post.id.as_uuid().as_bytes().as_slice()),
            post_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(post.id)
}

impl PostStore for EmbeddedPostStore {
    #[tracing::instrument(skip_all, fields(user = %post.user, post = %post.id))]
    fn insert(
        &self,
        post: NewPost,
    ) -> impl Future<Output = Result<InsertOutcome, PostStoreError>> + Send {
        Self::run(&self.write, move |conn| {
            conn.immediate_transaction(|conn| {
                let id = match post.key {
                    None => post.id,
                    Some(key) => claim(conn, &post, key)?,
                };
                let inserted = diesel::insert_into(posts_by_user::table)
                    .values((
                        posts_by_user::user_id.eq(post.user.0),
                        posts_by_user::month.eq(id.month().yyyymm()),
                        posts_by_user::ts.eq(id.ticks()),
                        posts_by_user::post_id.eq(id.as_uuid().as_bytes().as_slice()),
                        posts_by_user::title.eq(post.title.as_str()),
                        posts_by_user::body.eq(post.body.as_str()),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                Ok(if inserted == 1 {
                    InsertOutcome::Created(id)
                } else {
                    InsertOutcome::AlreadyExists(id)
                })
            })
        })
    }

    #[tracing::instrument(skip(self))]
    fn get(
        &self,
        user: UserId,
        id: PostId,
    ) -> impl Future<Output = Result<Option<Post>, PostStoreError>> + Send {
        self.read(move |conn| {
            posts_by_user::table
                .filter(posts_by_user::user_id.eq(user.0))
                .filter(posts_by_user::month.eq(id.month().yyyymm()))
                .filter(posts_by_user::ts.eq(id.ticks()))
                .filter(posts_by_user::post_id.eq(id.as_uuid().as_bytes().as_slice()))
                .select(Row::as_select())
                .first(conn)
                .optional()?
                .map(Row::into_post)
                .transpose()
        })
    }

    #[tracing::instrument(skip(self))]
    fn list(
        &self,
        user: UserId,
        query: PageQuery,
    ) -> impl Future<Output = Result<Page, PostStoreError>> + Send {
        self.read(move |conn| {
            let posts = timeline_rows!(conn, user, query, Row)
                .map(|row| row.map_err(PostStoreError::from)?.into_post())
                .collect::<Result<Vec<_>, _>>()?;
            let (posts, next) = cut_page(posts, query.limit, |post| post.id);
            Ok(Page { posts, next })
        })
    }

    fn ping(&self) -> impl Future<Output = Result<(), PostStoreError>> + Send {
        self.read(|conn| Ok(quill_sql::ping(conn)?))
    }

    /// Every row of the user, whatever its month, in one transaction: a reader sees all
    /// of them or none.
    #[tracing::instrument(skip(self))]
    fn delete_user(
        &self,
        user: UserId,
        _since: Month,
        _now: Month,
    ) -> impl Future<Output = Result<(), PostStoreError>> + Send {
        Self::run(&self.write, move |conn| {
            conn.immediate_transaction(|conn| {
                diesel::delete(posts_by_user::table.filter(posts_by_user::user_id.eq(user.0)))
                    .execute(conn)?;
                diesel::delete(post_keys::table.filter(post_keys::user_id.eq(user.0)))
                    .execute(conn)?;
                Ok(())
            })
        })
    }
}

//! Whole-store scans of the embedded store for the analytics job, from another process,
//! read-only, while Quill may be writing.

use std::ops::RangeInclusive;
use std::path::Path;

use diesel::dsl::{max, min};
use diesel::prelude::*;
use quill_domain::PostId;
use quill_sql::{SqlError, sqlite_read_only};

use super::schema::posts_by_user;
use crate::{PostRecord, PostStoreError};

pub(crate) fn post_id_of(bytes: &[u8]) -> Result<PostId, PostStoreError> {
    let uuid = uuid::Uuid::from_slice(bytes).map_err(|e| PostStoreError::Corrupt(e.to_string()))?;
    PostId::from_uuid(uuid).map_err(|e| PostStoreError::Corrupt(e.to_string()))
}

/// A read-only handle on the embedded store of a data directory.
pub struct EmbeddedPostReader {
    conn: SqliteConnection,
}

impl EmbeddedPostReader {
    /// Opens `DATA_DIR/posts.sqlite3` read-only; fails if it does not exist.
    pub fn open(data_dir: &Path) -> Result<Self, PostStoreError> {
        let path = super::path_in(data_dir);
        if !path.is_file() {
            return Err(PostStoreError::Unavailable(format!(
                "no embedded post store at {}",
                path.display()
            )));
        }
        Ok(Self {
            conn: sqlite_read_only(&path)?,
        })
    }

    /// The smallest and largest user id holding posts, to split a scan; `None` if empty.
    pub fn user_id_bounds(&mut self) -> Result<Option<RangeInclusive<i64>>, PostStoreError> {
        let (lo, hi): (Option<i64>, Option<i64>) = posts_by_user::table
            .select((min(posts_by_user::user_id), max(posts_by_user::user_id)))
            .first(&mut self.conn)
            .map_err(SqlError::from)?;
        Ok(lo.zip(hi).map(|(lo, hi)| lo..=hi))
    }

    /// Streams every post of the users in `users`, in batches of up to `batch` rows, in
    /// primary-key order. Stops at the first error `each` returns.
    pub fn scan<E: From<PostStoreError>>(
        &mut self,
        users: RangeInclusive<i64>,
        batch: usize,
        mut each: impl FnMut(Vec<PostRecord>) -> Result<(), E>,
    ) -> Result<(), E> {
        let rows = posts_by_user::table
            .filter(posts_by_user::user_id.between(*users.start(), *users.end()))
            .order((
                posts_by_user::user_id,
                posts_by_user::month,
                posts_by_user::ts,
                posts_by_user::post_id,
            ))
            .select((
                posts_by_user::user_id,
                posts_by_user::post_id,
                posts_by_user::title,
                posts_by_user::body,
            ))
            .load_iter::<(i64, Vec<u8>, String, String), diesel::connection::DefaultLoadingMode>(
                &mut self.conn,
            )
            .map_err(PostStoreError::from)?;
        let mut pending = Vec::with_capacity(batch);
        for row in rows {
            let (user_id, post_id, title, body) = row.map_err(PostStoreError::from)?;
            let id = post_id_of(&post_id)?;
            pending.push(PostRecord {
                user_id,
                post_id: *id.as_uuid(),
                created_at_micros: id.created_at_micros(),
                title,
                body,
            });
            if pending.len() == batch {
                each(std::mem::replace(&mut pending, Vec::with_capacity(batch)))?;
            }
        }
        if !pending.is_empty() {
            each(pending)?;
        }
        Ok(())
    }
}

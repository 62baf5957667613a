//! From driver rows to posts, and the pure parts of a timeline read.

use quill_domain::{Month, PostId, UserId};
use scylla::value::{CqlValue, Row};

use crate::{Post, PostStoreError};

/// A `posts_by_user` row of `user`; an id that is not a time-based UUID is corruption.
pub fn post_of(
    user: UserId,
    id: uuid::Uuid,
    title: String,
    body: String,
) -> Result<Post, PostStoreError> {
    let id = PostId::from_uuid(id)
        .map_err(|e| PostStoreError::Corrupt(format!("post id {id} of user {user}: {e}")))?;
    Ok(Post {
        id,
        user,
        title,
        body,
    })
}

/// Whether a conditional insert took place: the `[applied]` column that opens the row
/// Cassandra returns for `IF NOT EXISTS` (the existing row's columns follow when not).
pub fn applied(row: &Row) -> Result<bool, PostStoreError> {
    match row.columns.first() {
        Some(Some(CqlValue::Boolean(applied))) => Ok(*applied),
        other => Err(PostStoreError::Corrupt(format!(
            "a conditional insert answered {other:?} instead of [applied]"
        ))),
    }
}

/// The post a key had already made, when a conditional insert of it did not apply: the
/// `post_id` column (at `post_id_at`, found by name) of the row Cassandra returns.
pub fn already_made(
    row: &Row,
    post_id_at: Option<usize>,
) -> Result<Option<PostId>, PostStoreError> {
    if applied(row)? {
        return Ok(None);
    }
    match post_id_at.and_then(|i| row.columns.get(i)) {
        Some(Some(CqlValue::Timeuuid(id))) => PostId::from_uuid((*id).into())
            .map(Some)
            .map_err(|e| PostStoreError::Corrupt(format!("post_keys: {e}"))),
        other => Err(PostStoreError::Corrupt(format!(
            "a key that made a post answered {other:?} instead of its post_id"
        ))),
    }
}

/// The cursor that applies inside `month`: a page continues inside the cursor's own month
/// and reads older months from their newest post.
pub fn cursor_in(month: Month, before: Option<PostId>) -> Option<PostId> {
    before.filter(|cursor| cursor.month() == month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_made_a_post_gives_its_id() {
        let id = PostId::new_now(&[1; 6]);
        let row = |applied: bool, post: Option<CqlValue>| Row {
            columns: vec![
                Some(CqlValue::Boolean(applied)),
                Some(CqlValue::BigInt(7)),
                post,
            ],
        };
        let made = Some(CqlValue::Timeuuid((*id.as_uuid()).into()));
        assert_eq!(already_made(&row(true, None), None).expect("applied"), None);
        assert_eq!(
            already_made(&row(false, made.clone()), Some(2)).expect("not applied"),
            Some(id)
        );
        for (post, at) in [
            (made, None),
            (Some(CqlValue::Int(1)), Some(2)),
            (None, Some(2)),
        ] {
            assert!(matches!(
                already_made(&row(false, post), at),
                Err(PostStoreError::Corrupt(_))
            ));
        }
    }

    #[test]
    fn rows_map_to_posts_of_their_author() {
        let id = PostId::new_now(&[1; 6]);
        let post = post_of(UserId(7), *id.as_uuid(), "t".into(), "b".into()).expect("post");
        assert_eq!(
            post,
            Post {
                id,
                user: UserId(7),
                title: "t".into(),
                body: "b".into()
            }
        );
        let random = uuid::Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        assert!(matches!(
            post_of(UserId(7), random, "t".into(), "b".into()),
            Err(PostStoreError::Corrupt(_))
        ));
    }

    #[test]
    fn the_applied_column_decides_created_or_kept() {
        let row = |columns: Vec<Option<CqlValue>>| Row { columns };
        assert!(applied(&row(vec![Some(CqlValue::Boolean(true))])).expect("applied"));
        let kept = row(vec![
            Some(CqlValue::Boolean(false)),
            Some(CqlValue::BigInt(7)),
            Some(CqlValue::Text("original".into())),
        ]);
        assert!(!applied(&kept).expect("applied"));
        assert!(applied(&row(vec![])).is_err());
        assert!(applied(&row(vec![Some(CqlValue::Int(1))])).is_err());
    }

    #[test]
    fn the_cursor_only_bounds_its_own_month() {
        // 2024-02-29T23:59:59.9999999Z
        let cursor = PostId::parse("a5957fff-d75e-11ee-8000-010203040506").ok();
        let month = |yyyymm| Month::from_yyyymm(yyyymm).expect("month");
        assert_eq!(cursor_in(month(202402), cursor), cursor);
        assert_eq!(cursor_in(month(202401), cursor), None);
        assert_eq!(cursor_in(month(202402), None), None);
    }
}

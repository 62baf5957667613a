//! Pure timeline logic shared by the backends: which month partitions a page walks and
//! where a page ends.

use quill_domain::{Month, PostId};

/// The month partitions a page reads, newest first: from the cursor's month (or
/// `newest`) back to `oldest`, both included. Empty when the start is before `oldest`.
pub fn months_to_walk(
    before: Option<PostId>,
    newest: Month,
    oldest: Month,
) -> impl Iterator<Item = Month> {
    let start = first_month(before, newest);
    std::iter::successors(Some(start), |m| Some(m.prev())).take_while(move |m| *m >= oldest)
}

/// The newest month partition a page can touch: the cursor's, or `newest` without one.
pub fn first_month(before: Option<PostId>, newest: Month) -> Month {
    before.map_or(newest, |cursor| cursor.month().min(newest))
}

/// The month partitions an account's deletion clears, oldest first: every month from
/// `since` (its sign-up) to the month after `now`, as a post written by an instance whose
/// clock runs a little ahead may sit in the next month's partition.
pub fn months_to_delete(since: Month, now: Month) -> Vec<Month> {
    let last = next_month(now.max(since));
    let mut months: Vec<Month> = std::iter::successors(Some(last), |m| Some(m.prev()))
        .take_while(|m| *m >= since)
        .collect();
    months.reverse();
    months
}

/// The month after `month`.
fn next_month(month: Month) -> Month {
    let next = if month.month() == 12 {
        (month.year() + 1) * 100 + 1
    } else {
        month.yyyymm() + 1
    };
    // Past the last month a `Month` holds there is nothing to add.
    Month::from_yyyymm(next).unwrap_or(month)
}

/// Given up to `limit + 1` posts read newest first, keeps `limit` and returns the cursor
/// of the next page: the last kept post, when more posts exist.
pub fn cut_page<T>(
    mut rows: Vec<T>,
    limit: usize,
    id_of: impl Fn(&T) -> PostId,
) -> (Vec<T>, Option<PostId>) {
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(id_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(yyyymm: i32) -> Month {
        Month::from_yyyymm(yyyymm).expect("valid month")
    }

    #[test]
    fn a_first_page_walks_from_now_back_to_signup() {
        let months: Vec<i32> = months_to_walk(None, month(202602), month(202511))
            .map(Month::yyyymm)
            .collect();
        assert_eq!(months, [202602, 202601, 202512, 202511]);
    }

    #[test]
    fn a_later_page_starts_at_the_cursor_month() {
        // 2024-02-29T23:59:59.9999999Z
        let cursor = PostId::parse("a5957fff-d75e-11ee-8000-010203040506").ok();
        let months: Vec<i32> = months_to_walk(cursor, month(202611), month(202401))
            .map(Month::yyyymm)
            .collect();
        assert_eq!(months, [202402, 202401]);
    }

    #[test]
    fn a_cursor_before_signup_walks_nothing() {
        let cursor = PostId::parse("a5957fff-d75e-11ee-8000-010203040506").ok();
        assert_eq!(
            months_to_walk(cursor, month(202611), month(202403)).count(),
            0
        );
    }

    #[test]
    fn a_deletion_clears_every_month_from_signup_to_the_month_after_now() {
        let months: Vec<i32> = months_to_delete(month(202511), month(202602))
            .into_iter()
            .map(Month::yyyymm)
            .collect();
        assert_eq!(months, [202511, 202512, 202601, 202602, 202603]);
        let same: Vec<i32> = months_to_delete(month(202612), month(202612))
            .into_iter()
            .map(Month::yyyymm)
            .collect();
        assert_eq!(same, [202612, 202701]);
        // A clock behind the sign-up still clears the sign-up month.
        assert_eq!(
            months_to_delete(month(202605), month(202604))
                .into_iter()
                .map(Month::yyyymm)
                .collect::<Vec<_>>(),
            [202605, 202606]
        );
    }

    #[test]
    fn a_full_page_points_at_its_last_post() {
        let node = [0; 6];
        let ids: Vec<PostId> = (0..3).map(|_| PostId::new_now(&node)).collect();
        let (kept, next) = cut_page(ids.clone(), 2, |id| *id);
        assert_eq!(kept, ids[..2]);
        assert_eq!(next, Some(ids[1]));
        let (kept, next) = cut_page(ids.clone(), 3, |id| *id);
        assert_eq!((kept.len(), next), (3, None));
    }
}

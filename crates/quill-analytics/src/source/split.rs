//! Splitting an inclusive `i64` range into contiguous inclusive parts: user-id ranges of the
//! embedded store and token ranges of the Cassandra ring. Every value lands in exactly one
//! part; no part is empty.

use std::ops::RangeInclusive;

/// Splits `lo..=hi` into `n` (at most one per value) contiguous parts of near-equal width,
/// in order; the first starts at `lo` and the last ends at `hi`.
pub fn split_range(lo: i64, hi: i64, n: usize) -> Vec<RangeInclusive<i64>> {
    if lo > hi {
        return Vec::new();
    }
    let width = i128::from(hi) - i128::from(lo) + 1;
    let n = i128::try_from(n.max(1)).unwrap_or(i128::MAX).min(width);
    // start(i) = lo + floor(width * i / n): width * n < 2^64 * 2^64 fits i128.
    let start = |i: i128| i128::from(lo) + width * i / n;
    (0..n)
        .map(|i| {
            let (s, e) = (start(i), start(i + 1) - 1);
            // Both stay within lo..=hi, so the casts cannot overflow.
            (s as i64)..=(e as i64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_partition(lo: i64, hi: i64, parts: &[RangeInclusive<i64>]) {
        assert_eq!(*parts[0].start(), lo);
        assert_eq!(*parts[parts.len() - 1].end(), hi);
        for part in parts {
            assert!(part.start() <= part.end());
        }
        for w in parts.windows(2) {
            assert_eq!(i128::from(*w[0].end()) + 1, i128::from(*w[1].start()));
        }
    }

    #[test]
    fn the_whole_i64_ring_splits_without_gaps_or_overlaps() {
        for n in [1, 2, 3, 5, 7, 17, 1000] {
            let parts = split_range(i64::MIN, i64::MAX, n);
            assert_eq!(parts.len(), n);
            assert_partition(i64::MIN, i64::MAX, &parts);
        }
        assert_eq!(split_range(i64::MIN, i64::MAX, 1), [i64::MIN..=i64::MAX]);
        assert_eq!(
            split_range(i64::MIN, i64::MAX, 2),
            [i64::MIN..=-1, 0..=i64::MAX]
        );
    }

    #[test]
    fn small_ranges_give_at_most_one_part_per_value() {
        assert_eq!(split_range(5, 7, 10), [5..=5, 6..=6, 7..=7]);
        assert_eq!(split_range(1, 10, 3), [1..=3, 4..=6, 7..=10]);
        assert_eq!(split_range(4, 4, 0), [4..=4]);
        assert!(split_range(5, 4, 3).is_empty());
        let parts = split_range(-3, 1_000_003, 7);
        assert_partition(-3, 1_000_003, &parts);
    }
}

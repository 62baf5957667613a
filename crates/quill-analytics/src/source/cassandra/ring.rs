//! Splitting the Murmur3 token ring `[-2^63, 2^63 - 1]` into contiguous inclusive ranges,
//! as Spark's Cassandra connector does: every token in exactly one range, the first range
//! starting at the minimum token.

use crate::source::split::split_range;

/// An inclusive range of tokens, bound to `token(...) >= start AND token(...) <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRange {
    pub start: i64,
    pub end: i64,
}

/// How many splits a scan with `threads` threads uses: at least `2 * threads + 1`, so that
/// a slow range does not leave the other threads idle at the end.
pub fn split_count(threads: usize, at_least: usize) -> usize {
    (2 * threads.max(1) + 1).max(at_least)
}

/// How long to wait before reading a failed page again the `attempt`-th time (1-based):
/// 1, 2, 4, 8, ... s, at most 30 s.
pub fn backoff(attempt: u32) -> std::time::Duration {
    let secs = 1u64
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u64::MAX)
        .min(30);
    std::time::Duration::from_secs(secs)
}

/// The whole ring in `n` ranges of near-equal width.
pub fn split_ring(n: usize) -> Vec<TokenRange> {
    split_range(i64::MIN, i64::MAX, n)
        .into_iter()
        .map(|r| TokenRange {
            start: *r.start(),
            end: *r.end(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_at_least_twice_the_threads_plus_one() {
        assert_eq!(split_count(1, 0), 3);
        assert_eq!(split_count(2, 0), 5);
        assert_eq!(split_count(8, 0), 17);
        assert_eq!(split_count(2, 64), 64);
        assert_eq!(split_count(0, 0), 3);
    }

    #[test]
    fn the_ring_is_covered_once_from_the_minimum_token() {
        for n in [1, 3, 5, 17, 257] {
            let ranges = split_ring(n);
            assert_eq!(ranges.len(), n);
            assert_eq!(ranges[0].start, i64::MIN);
            assert_eq!(ranges[n - 1].end, i64::MAX);
            for w in ranges.windows(2) {
                assert!(w[0].start <= w[0].end);
                assert_eq!(w[0].end.checked_add(1), Some(w[1].start));
            }
            let covered: i128 = ranges
                .iter()
                .map(|r| i128::from(r.end) - i128::from(r.start) + 1)
                .sum();
            assert_eq!(covered, 1_i128 << 64);
        }
    }

    #[test]
    fn a_failed_page_waits_longer_each_time_up_to_half_a_minute() {
        let waits: Vec<u64> = (1..=7).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(backoff(200).as_secs(), 30);
    }

    #[test]
    fn five_splits_have_the_expected_bounds() {
        let ranges = split_ring(5);
        assert_eq!(
            ranges[0],
            TokenRange {
                start: i64::MIN,
                end: -5_534_023_222_112_865_486
            }
        );
        assert_eq!(ranges[2].start, -1_844_674_407_370_955_162);
        assert_eq!(ranges[2].end, 1_844_674_407_370_955_160);
    }
}

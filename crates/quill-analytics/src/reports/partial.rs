//! The state of all five reports over part of the posts, fed batch by batch and merged
//! across partitions. One pass over the data computes every report; the body is tokenized
//! once for both R3 (word count) and R4 (lowercase words).

use std::time::{Duration, Instant};

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use hashbrown::{HashMap, HashSet};

use crate::calendar;
use crate::error::{AnalyticsError, Result};
use crate::reports::Report;
use crate::reports::words::WordCounts;
use crate::schema::{self, Strings};
use crate::tokens::{TextCounts, lowercase_tokens};

/// Upper bounds (exclusive) of the R3 buckets but the last, which is open.
pub const LENGTH_BUCKET_ENDS: [u64; 6] = [10, 20, 50, 100, 200, 500];
pub const LENGTH_BUCKET_LABELS: [&str; 7] = [
    "0-9", "10-19", "20-49", "50-99", "100-199", "200-499", "500+",
];

/// The R3 bucket of a post with `words` tokens in its body.
pub fn length_bucket(words: u64) -> usize {
    LENGTH_BUCKET_ENDS
        .iter()
        .position(|&end| words < end)
        .unwrap_or(LENGTH_BUCKET_ENDS.len())
}

/// Per-user totals for R2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserTotals {
    pub posts: u64,
    pub body_chars: u64,
}

#[derive(Debug, Default)]
pub struct Partial {
    pub rows: u64,
    /// R1: posts per day.
    pub day_posts: HashMap<i64, u64>,
    /// R1: distinct (day, user) pairs.
    pub day_authors: HashSet<(i64, i64)>,
    /// R2.
    pub users: HashMap<i64, UserTotals>,
    /// R3.
    pub length_hist: [u64; 7],
    /// R4.
    pub words: WordCounts,
    /// R5, `[dow - 1][hour]`.
    pub heatmap: [[u64; 24]; 7],
    /// CPU time of each report's work on this partition, by [`Report::index`].
    pub cpu: [Duration; 5],
    buf: String,
    /// Scratch: the code points of each body of the batch being added.
    body_chars: Vec<u64>,
}

fn column<'a>(batch: &'a RecordBatch, name: &'static str) -> Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| AnalyticsError::Schema(format!("no column {name}")))
}

impl Partial {
    /// Adds a batch holding at least the columns `user_id`, `created_at`, `title`, `body`.
    pub fn add_batch(&mut self, batch: &RecordBatch) -> Result<()> {
        let users = schema::int64s(column(batch, schema::USER_ID)?, schema::USER_ID)?;
        let times = schema::micros(column(batch, schema::CREATED_AT)?, schema::CREATED_AT)?;
        let titles = Strings::of(column(batch, schema::TITLE)?, schema::TITLE)?;
        let bodies = Strings::of(column(batch, schema::BODY)?, schema::BODY)?;
        let users = users.values();
        let times = times.values();
        let n = batch.num_rows();
        self.rows += n as u64;

        let start = Instant::now();
        for (&us, &user) in times.iter().zip(users.iter()) {
            let day = calendar::day(us);
            *self.day_posts.entry(day).or_insert(0) += 1;
            self.day_authors.insert((day, user));
        }
        let t1 = Instant::now();
        // The body's code points (R2) come out of the tokenizer's pass (R3, R4).
        self.body_chars.clear();
        for i in 0..n {
            let counts = self.body_and_title(bodies.value(i), titles.value(i));
            self.length_hist[length_bucket(counts.tokens)] += 1;
            self.body_chars.push(counts.chars);
        }
        let t2 = Instant::now();
        for (&user, &chars) in users.iter().zip(&self.body_chars) {
            let totals = self.users.entry(user).or_default();
            totals.posts += 1;
            totals.body_chars += chars;
        }
        let t3 = Instant::now();
        for &us in times.iter() {
            let dow = calendar::dow(calendar::day(us));
            self.heatmap[dow - 1][calendar::hour(us)] += 1;
        }
        let t4 = Instant::now();
        self.cpu[Report::Daily.index()] += t1 - start;
        self.cpu[Report::TopWords.index()] += t2 - t1;
        self.cpu[Report::TopUsers.index()] += t3 - t2;
        self.cpu[Report::Heatmap.index()] += t4 - t3;
        Ok(())
    }

    /// Counts the lowercase words of `body` and `title` (R4) and returns the numbers of
    /// tokens (R3) and code points (R2) of `body`.
    fn body_and_title(&mut self, body: &str, title: &str) -> TextCounts {
        let Self { words, buf, .. } = self;
        let counts = lowercase_tokens(body, buf, |t| words.add_lowercase(t));
        lowercase_tokens(title, buf, |t| words.add_lowercase(t));
        counts
    }

    /// Folds another partition's state into this one.
    pub fn merge(&mut self, mut other: Partial) {
        self.rows += other.rows;
        for (day, posts) in other.day_posts {
            *self.day_posts.entry(day).or_insert(0) += posts;
        }
        if other.day_authors.len() > self.day_authors.len() {
            std::mem::swap(&mut self.day_authors, &mut other.day_authors);
        }
        self.day_authors.extend(other.day_authors);
        for (user, t) in other.users {
            let mine = self.users.entry(user).or_default();
            mine.posts += t.posts;
            mine.body_chars += t.body_chars;
        }
        for (a, b) in self.length_hist.iter_mut().zip(other.length_hist) {
            *a += b;
        }
        self.words.merge(std::mem::take(&mut other.words));
        for (row, other_row) in self.heatmap.iter_mut().zip(other.heatmap) {
            for (a, b) in row.iter_mut().zip(other_row) {
                *a += b;
            }
        }
        for (a, b) in self.cpu.iter_mut().zip(other.cpu) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_half_open_ranges() {
        let cases = [
            (0, 0),
            (9, 0),
            (10, 1),
            (19, 1),
            (20, 2),
            (49, 2),
            (50, 3),
            (99, 3),
            (100, 4),
            (199, 4),
            (200, 5),
            (499, 5),
            (500, 6),
            (100_000, 6),
        ];
        for (words, bucket) in cases {
            assert_eq!(length_bucket(words), bucket, "{words}");
        }
    }

    #[test]
    fn a_body_with_a_capital_sigma_counts_words_on_the_original_text() {
        let mut p = Partial::default();
        let counts = p.body_and_title("ΟΔΟΣ İx", "Hi");
        assert_eq!(
            counts,
            TextCounts {
                tokens: 2,
                chars: 7
            }
        );
        let mut words = p.words.entries();
        words.sort();
        let expected = [("hi", 1), ("i", 1), ("x", 1), ("οδος", 1)];
        let expected: Vec<_> = expected.iter().map(|(w, c)| (w.to_string(), *c)).collect();
        assert_eq!(words, expected);
    }
}

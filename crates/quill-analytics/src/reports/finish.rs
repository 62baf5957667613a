//! Turns the merged state of a pass into the five report tables, in the orders and cuts
//! docs/ANALYTICS.md gives.

use std::cmp::Ordering;
use std::time::Instant;

use hashbrown::HashMap;

use super::partial::{LENGTH_BUCKET_LABELS, Partial};
use super::{Column, Report, RunFigures, Table};

const TOP_USERS: usize = 20;
const TOP_WORDS: usize = 100;

fn int(n: u64) -> i64 {
    // Counts of rows in one run are far below 2^63.
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// R1: posts and distinct authors per day, by day.
pub fn daily(p: &Partial) -> Table {
    let mut authors: HashMap<i64, u64> = HashMap::with_capacity(p.day_posts.len());
    for (day, _) in &p.day_authors {
        *authors.entry(*day).or_insert(0) += 1;
    }
    let mut days: Vec<(i64, u64)> = p.day_posts.iter().map(|(d, n)| (*d, *n)).collect();
    days.sort_unstable();
    Table {
        report: Report::Daily,
        columns: vec![
            ("day", Column::Date(days.iter().map(|(d, _)| *d).collect())),
            (
                "posts",
                Column::Int(days.iter().map(|(_, n)| int(*n)).collect()),
            ),
            (
                "authors",
                Column::Int(
                    days.iter()
                        .map(|(d, _)| int(authors.get(d).copied().unwrap_or(0)))
                        .collect(),
                ),
            ),
        ],
    }
}

/// Sorts by `order` and keeps the first `n`, without sorting what is cut.
fn top_n<T>(mut items: Vec<T>, n: usize, order: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    if items.len() > n {
        items.select_nth_unstable_by(n, &order);
        items.truncate(n);
    }
    items.sort_unstable_by(order);
    items
}

/// R2: the 20 users with most posts (ties by user id), with their body lengths.
pub fn top_users(p: &Partial) -> Table {
    let users: Vec<_> = p.users.iter().map(|(u, t)| (*u, *t)).collect();
    let top = top_n(users, TOP_USERS, |(ua, a), (ub, b)| {
        b.posts.cmp(&a.posts).then(ua.cmp(ub))
    });
    Table {
        report: Report::TopUsers,
        columns: vec![
            (
                "user_id",
                Column::Int(top.iter().map(|(u, _)| *u).collect()),
            ),
            (
                "posts",
                Column::Int(top.iter().map(|(_, t)| int(t.posts)).collect()),
            ),
            (
                "body_chars",
                Column::Int(top.iter().map(|(_, t)| int(t.body_chars)).collect()),
            ),
        ],
    }
}

/// R3: posts per body-length bucket, all seven buckets.
pub fn length_hist(p: &Partial) -> Table {
    Table {
        report: Report::LengthHist,
        columns: vec![
            (
                "bucket",
                Column::Text(LENGTH_BUCKET_LABELS.iter().map(|s| s.to_string()).collect()),
            ),
            (
                "posts",
                Column::Int(p.length_hist.iter().map(|n| int(*n)).collect()),
            ),
        ],
    }
}

/// R4: the 100 most frequent lowercase words, ties by code-point order.
pub fn top_words(p: &Partial) -> Table {
    let words = p.words.entries();
    let top = top_n(words, TOP_WORDS, |(wa, a), (wb, b)| {
        b.cmp(a).then(wa.cmp(wb))
    });
    Table {
        report: Report::TopWords,
        columns: vec![
            (
                "word",
                Column::Text(top.iter().map(|(w, _)| w.clone()).collect()),
            ),
            (
                "count",
                Column::Int(top.iter().map(|(_, c)| int(*c)).collect()),
            ),
        ],
    }
}

/// R5: posts per (ISO weekday, UTC hour), non-empty cells only.
pub fn heatmap(p: &Partial) -> Table {
    let (mut dows, mut hours, mut posts) = (Vec::new(), Vec::new(), Vec::new());
    for (d, row) in p.heatmap.iter().enumerate() {
        for (h, n) in row.iter().enumerate() {
            if *n > 0 {
                dows.push(d as i64 + 1);
                hours.push(h as i64);
                posts.push(int(*n));
            }
        }
    }
    Table {
        report: Report::Heatmap,
        columns: vec![
            ("dow", Column::Int(dows)),
            ("hour", Column::Int(hours)),
            ("posts", Column::Int(posts)),
        ],
    }
}

/// All five tables, in report order, timing each in `figures.finish`.
pub fn all(p: &Partial, figures: &mut RunFigures) -> Vec<Table> {
    let steps: [fn(&Partial) -> Table; 5] = [daily, top_users, length_hist, top_words, heatmap];
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let start = Instant::now();
            let table = step(p);
            figures.finish[i] = start.elapsed();
            table
        })
        .collect()
}

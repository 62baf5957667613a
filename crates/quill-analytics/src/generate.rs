//! `quill-analytics generate`: a deterministic Parquet snapshot of N realistic posts for
//! benchmarks: a few very active users and a long tail, lognormal body lengths, Zipf-like
//! words in several scripts including the tokenization traps, posts over ~3 years with a
//! daily rhythm, and real timeuuid post ids. A [`Shape`] sets body and word lengths, the
//! vocabulary, users, days, files and row groups (`--shape wordy`: posts like a real site's).

pub mod rng;
pub mod shape;
pub mod words;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use quill_posts::PostRecord;

use crate::calendar::{self, MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::error::{AnalyticsError, Result};
use crate::export::writer_properties_with;
use crate::output::staging::Staging;
use crate::source::records::{Projection, to_batch};
use rng::Rng;
use shape::{BodyLength, Shape, WordForm};
use words::Vocabulary;

/// Posts per generated chunk (each chunk has its own generator, so output does not depend
/// on the number of threads).
const CHUNK: u64 = 65_536;
/// Row groups of the default shape.
const ROW_GROUP_ROWS: usize = 65_536;
/// 100 ns ticks between 1582-10-15 and 1970-01-01.
const GREGORIAN_TO_UNIX_TICKS: i64 = 0x01B2_1DD2_1381_4000;
/// Relative weight of each UTC hour.
const HOUR_WEIGHTS: [u32; 24] = [
    3, 2, 1, 1, 1, 2, 4, 6, 8, 9, 9, 10, 11, 10, 9, 9, 10, 12, 14, 15, 14, 11, 8, 5,
];

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub posts: u64,
    pub seed: u64,
    pub threads: usize,
    pub replace: bool,
    pub shape: Shape,
}

/// A version 1 UUID for an instant, with the sub-microsecond ticks, clock sequence and
/// node from `rng`.
pub fn timeuuid(us: i64, rng: &mut Rng) -> uuid::Uuid {
    let ticks = (us * 10 + GREGORIAN_TO_UNIX_TICKS + rng.below(10) as i64) as u64;
    let seq = rng.below(1 << 14) as u16;
    let node = rng.next_u64().to_be_bytes();
    let mut b = [0u8; 16];
    b[0..4].copy_from_slice(&((ticks & 0xFFFF_FFFF) as u32).to_be_bytes());
    b[4..6].copy_from_slice(&(((ticks >> 32) & 0xFFFF) as u16).to_be_bytes());
    b[6..8].copy_from_slice(&((((ticks >> 48) & 0x0FFF) as u16) | 0x1000).to_be_bytes());
    b[8] = ((seq >> 8) as u8 & 0x3F) | 0x80;
    b[9] = seq as u8;
    b[10..16].copy_from_slice(&node[2..8]);
    uuid::Uuid::from_bytes(b)
}

struct World {
    vocabulary: Vocabulary,
    users: u64,
    first_day: i64,
    days: u64,
    hour_total: u32,
    body: BodyLength,
}

impl World {
    fn new(posts: u64, shape: &Shape) -> Self {
        Self {
            vocabulary: match shape.words {
                WordForm::Syllables => Vocabulary::new(shape.vocabulary),
                WordForm::Letters(range) => Vocabulary::letters(shape.vocabulary, range),
            },
            users: shape.users.unwrap_or((posts / 20).max(50)),
            first_day: calendar::days_from_civil(2024, 1, 1),
            days: shape.days,
            hour_total: HOUR_WEIGHTS.iter().sum(),
            body: shape.body,
        }
    }

    fn user(&self, rng: &mut Rng) -> i64 {
        if self.users <= 5 {
            return 1_000 + rng.below(self.users) as i64;
        }
        // Five very active users write 15% of all posts; the rest is a long tail.
        let index = if rng.unit() < 0.15 {
            rng.below(5)
        } else {
            5 + rng.skewed((self.users - 5) as usize, 2.5) as u64
        };
        1_000 + index as i64
    }

    fn instant(&self, rng: &mut Rng) -> i64 {
        let day = self.first_day + rng.below(self.days) as i64;
        let mut pick = rng.below(u64::from(self.hour_total)) as u32;
        let mut hour = 0;
        while pick >= HOUR_WEIGHTS[hour] {
            pick -= HOUR_WEIGHTS[hour];
            hour += 1;
        }
        day * MICROS_PER_DAY
            + hour as i64 * MICROS_PER_HOUR
            + rng.below(MICROS_PER_HOUR as u64) as i64
    }

    fn text(&self, rng: &mut Rng, words: usize, out: &mut String) {
        for i in 0..words {
            self.word(rng, i, out);
        }
    }

    /// Words until `out` holds at least `chars` characters.
    fn text_of_length(&self, rng: &mut Rng, chars: usize, out: &mut String) {
        let mut written = 0;
        let mut i = 0;
        while written < chars {
            let before = out.len();
            self.word(rng, i, out);
            written += out[before..].chars().count();
            i += 1;
        }
    }

    /// Appends word number `i` of a text, after a separator unless it is the first: now
    /// and then capitalised or in capitals.
    fn word(&self, rng: &mut Rng, i: usize, out: &mut String) {
        if i > 0 {
            out.push_str(match rng.below(40) {
                0 => ".\n",
                1..=3 => ", ",
                4 => ". ",
                _ => " ",
            });
        }
        let word = self.vocabulary.pick(rng);
        match rng.below(50) {
            0 => out.push_str(&word.to_uppercase()),
            1..=4 => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            _ => out.push_str(word),
        }
    }

    fn post(&self, rng: &mut Rng) -> PostRecord {
        let user_id = self.user(rng);
        let us = self.instant(rng);
        let post_id = timeuuid(us, rng);
        let mut title = String::new();
        let title_words = 2 + rng.below(7) as usize;
        self.text(rng, title_words, &mut title);
        let body = match self.body {
            BodyLength::LognormalWords => {
                let words = rng.lognormal(3.6, 0.9).round().clamp(1.0, 2_500.0) as usize;
                let mut body = String::with_capacity(words * 6);
                self.text(rng, words, &mut body);
                body
            }
            BodyLength::MeanChars(mean) => {
                // The mean of a lognormal is exp(mu + sigma^2 / 2).
                let sigma = 0.5;
                let mu = (mean as f64).ln() - sigma * sigma / 2.0;
                let chars = rng
                    .lognormal(mu, sigma)
                    .round()
                    .clamp(1.0, 20.0 * mean as f64);
                let mut body = String::with_capacity(chars as usize + 16);
                self.text_of_length(rng, chars as usize, &mut body);
                body
            }
        };
        PostRecord {
            user_id,
            post_id,
            created_at_micros: us,
            title,
            body,
        }
    }
}

fn chunk(world: &World, seed: u64, index: u64, rows: u64) -> Result<RecordBatch> {
    let mut rng = Rng::for_part(seed, index);
    let records: Vec<PostRecord> = (0..rows).map(|_| world.post(&mut rng)).collect();
    Ok(to_batch(&Projection::new(None)?, &records)?)
}

/// The Parquet files of a snapshot being written: the posts in order, `files` files of
/// near-equal row counts, each with its row groups.
struct Files<'a> {
    dir: &'a Path,
    shape: &'a Shape,
    posts: u64,
    /// The file being written and the rows it still takes.
    current: Option<(ArrowWriter<File>, u64)>,
    next: usize,
}

impl<'a> Files<'a> {
    fn new(dir: &'a Path, shape: &'a Shape, posts: u64) -> Self {
        Self {
            dir,
            shape,
            posts,
            current: None,
            next: 0,
        }
    }

    /// Rows of file `i`: the posts from `posts * i / files` on.
    fn rows(&self, i: usize) -> u64 {
        let files = self.shape.files as u128;
        let at = |i: usize| (u128::from(self.posts) * i as u128 / files) as u64;
        at(i + 1) - at(i)
    }

    fn open_next(&mut self) -> Result<()> {
        let i = self.next;
        self.next += 1;
        let name = if self.shape.files == 1 {
            "posts.parquet".to_owned()
        } else {
            format!("posts-{i:04}.parquet")
        };
        let path = self.dir.join(name);
        let rows = self.rows(i);
        let group_rows = match self.shape.row_groups {
            Some(groups) => (rows.div_ceil(groups as u64) as usize).max(1),
            None => ROW_GROUP_ROWS,
        };
        let file = File::create(&path).map_err(AnalyticsError::io(&path))?;
        let schema = crate::schema::posts_schema();
        let writer = ArrowWriter::try_new(file, schema, Some(writer_properties_with(group_rows)))?;
        self.current = Some((writer, rows));
        Ok(())
    }

    /// Appends the next posts, closing files as they fill.
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut at = 0;
        while at < batch.num_rows() {
            match self.current.as_mut() {
                Some((_, 0)) => {
                    if let Some((writer, _)) = self.current.take() {
                        writer.close()?;
                    }
                }
                Some((writer, left)) => {
                    let take = (*left).min((batch.num_rows() - at) as u64);
                    writer.write(&batch.slice(at, take as usize))?;
                    *left -= take;
                    at += take as usize;
                }
                None => self.open_next()?,
            }
        }
        Ok(())
    }

    /// Closes the last file, and writes the files no post went into (fewer posts than
    /// files), so a snapshot always has its `files` files.
    fn close(mut self) -> Result<()> {
        if let Some((writer, _)) = self.current.take() {
            writer.close()?;
        }
        while self.next < self.shape.files {
            self.open_next()?;
            if let Some((writer, _)) = self.current.take() {
                writer.close()?;
            }
        }
        Ok(())
    }
}

/// Writes the snapshot to `out` (`out/posts.parquet`, or `out/posts-NNNN.parquet` for
/// several files), atomically.
pub fn generate(out: &Path, options: &GenerateOptions) -> Result<PathBuf> {
    options.shape.check()?;
    let staging = Staging::create(out, options.replace)?;
    let world = Arc::new(World::new(options.posts, &options.shape));
    let mut files = Files::new(staging.path(), &options.shape, options.posts);
    let chunks = options.posts.div_ceil(CHUNK);
    let threads = options.threads.max(1) as u64;
    let mut next = 0;
    while next < chunks {
        let group: Vec<u64> = (next..(next + threads).min(chunks)).collect();
        let batches: Vec<Result<RecordBatch>> = std::thread::scope(|scope| {
            let handles: Vec<_> = group
                .iter()
                .map(|&i| {
                    let world = &world;
                    let rows = CHUNK.min(options.posts - i * CHUNK);
                    scope.spawn(move || chunk(world, options.seed, i, rows))
                })
                .collect();
            handles
                .into_iter()
                // A panic in a generator thread is a bug: let it carry on.
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for batch in batches {
            files.write(&batch?)?;
        }
        next += threads;
    }
    files.close()?;
    staging.commit()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use quill_domain::PostId;

    #[test]
    fn generated_ids_are_timeuuids_of_the_post_instant() {
        let mut rng = Rng::new(3);
        for us in [
            0,
            1_709_251_199_999_999,
            -12_219_292_800_000_000 + 1,
            1_800_000_000_000_000,
        ] {
            let id = PostId::from_uuid(timeuuid(us, &mut rng)).unwrap();
            assert_eq!(id.created_at_micros(), us);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_posts() {
        let world = World::new(1000, &Shape::default());
        let a = chunk(&world, 9, 0, 50).unwrap();
        let b = chunk(&world, 9, 0, 50).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, chunk(&world, 10, 0, 50).unwrap());
    }
}

//! Hand-built posts with hand-computed expected reports (in `expected/`), and ways to put
//! them into each source.

use std::path::{Path, PathBuf};
use std::time::Duration;

use datafusion::parquet::arrow::ArrowWriter;
use quill_analytics::calendar::{MICROS_PER_DAY, MICROS_PER_HOUR, days_from_civil};
use quill_analytics::export::writer_properties;
use quill_analytics::generate::{rng::Rng, timeuuid};
use quill_analytics::progress::ProgressMode;
use quill_analytics::reports::Report;
use quill_analytics::source::records::{Projection, to_batch};
use quill_analytics::{RunOptions, RunOutcome, SourceSpec, run};
use quill_domain::{PostBody, PostId, PostTitle, UserId};
use quill_posts::{EmbeddedPostStore, NewPost, PostRecord, PostStore};
use quill_sql::PoolSize;

/// Microseconds since the epoch of a UTC date and time.
pub fn at(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, us: i64) -> i64 {
    days_from_civil(y, mo, d) * MICROS_PER_DAY
        + h * MICROS_PER_HOUR
        + mi * 60_000_000
        + s * 1_000_000
        + us
}

fn post(i: u64, user_id: i64, us: i64, title: &str, body: &str) -> PostRecord {
    PostRecord {
        user_id,
        post_id: timeuuid(us, &mut Rng::new(i)),
        created_at_micros: us,
        title: title.to_owned(),
        body: body.to_owned(),
    }
}

fn repeat(word: &str, n: usize, sep: &str) -> String {
    vec![word; n].join(sep)
}

/// Nine posts over the tokenization traps of docs/ANALYTICS.md and day/hour boundaries,
/// including one before 1970 (see `expected/traps/`).
pub fn traps() -> Vec<PostRecord> {
    vec![
        post(
            1,
            7,
            0,
            "Don't panic",
            "don't e-mail user_id x86_64 3.14 mp3",
        ),
        post(
            2,
            8,
            -1,
            "日本・東京",
            "日本・東京 🙂 cafe\u{301} caf\u{e9} ² Ⅻ",
        ),
        post(
            3,
            7,
            at(2024, 2, 29, 23, 59, 59, 999_999),
            "\u{c9}COLE \u{c9}cole \u{e9}cole",
            "Straße STRASSE straße \u{c9} \u{e9}",
        ),
        post(
            4,
            9,
            at(2024, 3, 1, 0, 0, 0, 0),
            "Lorem",
            &repeat("lorem", 10, " "),
        ),
        post(
            5,
            9,
            at(2024, 3, 1, 0, 59, 59, 999_999),
            "Ten",
            &repeat("lorem", 19, "\n"),
        ),
        post(
            6,
            8,
            at(2024, 3, 1, 1, 0, 0, 0),
            "İstanbul",
            &repeat("Ipsum", 20, " "),
        ),
        post(
            7,
            7,
            at(2024, 3, 3, 12, 0, 0, 0),
            "ΟΔΟΣ",
            &repeat("lorem", 99, "_"),
        ),
        post(
            8,
            10,
            at(2024, 3, 4, 12, 0, 0, 0),
            "mp3 MP3",
            &repeat("x", 100, "-"),
        ),
        post(
            9,
            10,
            at(2024, 3, 4, 12, 30, 0, 0),
            "big",
            &repeat("y", 500, "."),
        ),
    ]
}

/// Fifty posts of 25 users with tied post counts and 125 distinct words, to check the cuts
/// and tie orders of R2 and R4 (see `expected/cuts/`).
pub fn cuts() -> Vec<PostRecord> {
    let start = at(2026, 11, 20, 0, 0, 0, 0);
    let mut posts = Vec::new();
    for user in 1..=25_i64 {
        let count = [2, 3, 1][((user - 1) % 3) as usize];
        for _ in 0..count {
            let k = posts.len() as i64;
            posts.push(post(
                100 + k as u64,
                user,
                start + k * MICROS_PER_HOUR,
                &format!("Title{k} Extra{k}"),
                &"\u{e9}".repeat(user as usize),
            ));
        }
    }
    posts
}

/// Writes `posts` as a snapshot of `files` Parquet files plus a file readers must skip.
pub fn write_parquet(dir: &Path, posts: &[PostRecord], files: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let per_file = posts.len().div_ceil(files);
    for (i, chunk) in posts.chunks(per_file).enumerate() {
        let batch = to_batch(&Projection::new(None).unwrap(), chunk).unwrap();
        let file = std::fs::File::create(dir.join(format!("part-{i}.parquet"))).unwrap();
        let mut writer =
            ArrowWriter::try_new(file, batch.schema(), Some(writer_properties())).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }
    std::fs::write(dir.join("README.txt"), "not a parquet file\n").unwrap();
}

/// Writes `posts` into the embedded store of `data_dir` through the PostStore API.
pub async fn write_embedded(data_dir: &Path, posts: &[PostRecord]) {
    std::fs::create_dir_all(data_dir).unwrap();
    let store = EmbeddedPostStore::open(
        data_dir,
        PoolSize {
            connections: 2,
            checkout_timeout: Duration::from_secs(5),
        },
    )
    .unwrap();
    for p in posts {
        store
            .insert(NewPost {
                id: PostId::from_uuid(p.post_id).unwrap(),
                key: None,
                user: UserId(p.user_id),
                title: PostTitle::parse(&p.title).unwrap(),
                body: PostBody::parse(&p.body).unwrap(),
            })
            .await
            .unwrap();
    }
}

/// A temporary folder for one test: its source's posts in `snap/` (Parquet) or
/// `quill-data/` (the embedded store), and what the test writes beside them.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    pub fn root(&self) -> &Path {
        self.0.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// `posts` as a Parquet snapshot of `files` files in `snap/`.
    pub fn parquet(&self, posts: &[PostRecord], files: usize) -> SourceSpec {
        write_parquet(&self.join("snap"), posts, files);
        SourceSpec::Parquet(self.join("snap"))
    }

    /// `posts` in an embedded store in `quill-data/`.
    pub async fn embedded(&self, posts: &[PostRecord]) -> SourceSpec {
        write_embedded(&self.join("quill-data"), posts).await;
        SourceSpec::Embedded(self.join("quill-data"))
    }
}

/// Runs the reports of `source` on `threads` threads into `out`; it must succeed.
pub async fn report(source: &SourceSpec, out: &Path, threads: usize) -> RunOutcome {
    run(source, out, &options(threads)).await.unwrap()
}

/// `posts` as a Parquet snapshot of `files` files, reported on as many threads into
/// `reports/`: the folder, and the run's outcome.
pub async fn report_parquet(posts: &[PostRecord], files: usize) -> (Scratch, RunOutcome) {
    let scratch = Scratch::new();
    let source = scratch.parquet(posts, files);
    let outcome = report(&source, &scratch.join("reports"), files).await;
    (scratch, outcome)
}

pub fn options(threads: usize) -> RunOptions {
    RunOptions {
        threads,
        replace: false,
        progress: ProgressMode::Off,
        engine: Default::default(),
    }
}

pub fn expected_dir(fixture: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/analytics/expected")
        .join(fixture)
}

pub fn csv_name(report: Report) -> String {
    format!("{}.csv", report.file_stem())
}

/// Asserts that the five CSVs of `dir` equal those of `expected`, byte for byte.
pub fn assert_same_csvs(dir: &Path, expected: &Path) {
    for report in Report::ALL {
        let name = csv_name(report);
        let got = std::fs::read(dir.join(&name)).unwrap();
        let want = std::fs::read(expected.join(&name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "{name}"
        );
    }
}

/// The names in a directory, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

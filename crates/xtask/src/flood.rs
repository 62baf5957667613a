//! `cargo xtask flood`: a flood of form requests against a Quill of its own, then a check
//! of what its stores hold (docs/ROBUSTNESS.md).
//!
//! Virtual visitors sign up, log in, write posts and log out through the pages' forms,
//! most of the time with bodies that are broken in one way or another ([`bodies`]). Every
//! answer is counted by route and status; an account or a post counts as made only when
//! the answer says so (the redirect of a form that was accepted). Afterwards Quill is
//! stopped and its SQLite stores must pass `PRAGMA integrity_check` and hold exactly
//! what the answers said was made ([`stores`]). Any 5xx answer, any failed request and
//! any difference fails the run.

mod bodies;
mod client;
mod stores;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use client::Visitor;

#[derive(clap::Args)]
pub struct Flood {
    /// The `quill` binary to start (embedded mode: SQLite stores in a new data directory).
    #[arg(long, value_name = "QUILL")]
    quill: PathBuf,
    /// Form requests (POSTs) to send; the GETs that fetch forms come on top.
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Visitors sending at once.
    #[arg(long, default_value_t = 6)]
    concurrency: u64,
    /// Seed of the random bodies (a run's seed is printed, to repeat it).
    #[arg(long)]
    seed: Option<u64>,
}

/// What the answers said, summed over every visitor.
#[derive(Default)]
pub struct Tally {
    /// Answers by route and status.
    pub answers: BTreeMap<(&'static str, u16), u64>,
    /// 5xx answers and failed requests: what was sent and what came back.
    pub failures: Vec<String>,
    /// Accounts made: the usernames of sign-ups that were answered with the redirect.
    pub users: BTreeSet<String>,
    /// Posts made: the ids the accepted "new post" forms redirected to.
    pub posts: BTreeSet<String>,
}

/// A `quill` process, stopped (SIGTERM, then SIGKILL) by its PID when dropped.
struct Quill {
    child: Child,
}

impl Quill {
    fn start(binary: &Path, data_dir: &Path, port: u16) -> anyhow::Result<Self> {
        let log = std::fs::File::create(data_dir.with_extension("log"))?;
        let limit = "1000000000";
        let child = Command::new(binary)
            .env("QUILL_BIND", format!("127.0.0.1:{port}"))
            .env("QUILL_DATA_DIR", data_dir)
            .env("QUILL_LOG", "warn")
            // Every visitor comes from 127.0.0.1: the sign-up rate limits and the login
            // throttle would answer most of the flood with 429 (the load tests do the
            // same).
            .env("QUILL_SIGNUP_ADDRESS_LIMIT", limit)
            .env("QUILL_SIGNUP_TOTAL_LIMIT", limit)
            .env("QUILL_LOGIN_ACCOUNT_LIMIT", limit)
            .env("QUILL_LOGIN_ADDRESS_LIMIT", limit)
            .env("QUILL_HASH_CONCURRENCY", "2")
            // A request waits 1 s for a pooled SQLite connection by default, then gets
            // 503 (the store is busy). On a machine whose cores the flood shares with
            // builds, a first run of 100,000 requests had 51 such answers; the flood
            // tests the answers to bad input, not that deadline.
            .env("QUILL_DB_TIMEOUT_MS", "30000")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Self { child })
    }

    /// Stops Quill with SIGTERM (its graceful shutdown) and waits for it.
    fn stop(&mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..300 {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Quill {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.stop();
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub fn run(args: Flood) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(rand::random);
    let dir = tempfile_dir()?;
    let data_dir = dir.join("data");
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    eprintln!(
        "flood: {} form requests, {} visitors at once, seed {seed}, Quill on {base}, data in {}",
        args.requests,
        args.concurrency,
        data_dir.display()
    );
    let mut quill = Quill::start(&args.quill, &data_dir, port)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let sent = runtime.block_on(async {
        client::wait_until_up(&base).await?;
        let sent = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for worker in 0..args.concurrency {
            let (base, tally, sent) = (base.clone(), tally.clone(), sent.clone());
            let requests = args.requests;
            tasks.push(tokio::spawn(async move {
                let mut rng = SmallRng::seed_from_u64(seed ^ worker.wrapping_mul(0x9E37_79B9));
                let mut visitor = Visitor::new(&base, worker, seed)?;
                while sent.fetch_add(1, Ordering::Relaxed) < requests {
                    if rng.random_ratio(1, 50) {
                        // A new browser now and then: no cookies, no session.
                        visitor = Visitor::new(&base, worker, seed)?;
                    }
                    visitor.act(&mut rng, &tally).await;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        anyhow::Ok(sent.load(Ordering::Relaxed).min(args.requests))
    })?;
    let elapsed = started.elapsed();
    quill.stop()?;

    let tally = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("a visitor panicked"))?;
    report(&tally, sent, elapsed);
    let stores = stores::check(&data_dir, &tally)?;
    eprintln!("{stores}");
    if !tally.failures.is_empty() {
        for failure in tally.failures.iter().take(20) {
            eprintln!("  {failure}");
        }
        bail!(
            "{} answers were 5xx or failed (the first ones above); Quill's log: {}",
            tally.failures.len(),
            data_dir.with_extension("log").display()
        );
    }
    ensure!(
        stores.ok(),
        "the stores do not hold what the answers said (above)"
    );
    eprintln!("flood: no 5xx, the stores are whole and hold what the answers said");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// A new directory for the run under the system's temporary directory.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "quill-flood.{}.{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn report(tally: &Tally, sent: u64, elapsed: Duration) {
    let all: u64 = tally.answers.values().sum();
    eprintln!(
        "flood: {sent} form requests ({all} requests with the form pages) in {:.1} s, {:.0} requests/s",
        elapsed.as_secs_f64(),
        all as f64 / elapsed.as_secs_f64().max(0.001)
    );
    for ((route, status), n) in &tally.answers {
        eprintln!("  {route:<16} {status}  {n}");
    }
    eprintln!(
        "  accounts made (sign-ups answered 303): {}; posts made (forms answered 303): {}",
        tally.users.len(),
        tally.posts.len()
    );
}

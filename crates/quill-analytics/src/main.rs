//! `quill-analytics`: the command line of the analytics job. Parses arguments, builds a
//! runtime with `--threads` workers and hands over to the library.

use std::future::Future;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use quill_analytics::ballista::Engine;
use quill_analytics::export::export;
use quill_analytics::generate::shape::{BodyLength, LetterRange, Preset, Shape, WordForm};
use quill_analytics::generate::{GenerateOptions, generate};
use quill_analytics::nightly::{self, TimeOfDay};
use quill_analytics::progress::ProgressMode;
use quill_analytics::{RunOptions, SourceSpec, run};

#[derive(Parser)]
#[command(name = "quill-analytics", version, about = "Quill's analytics reports")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// parquet:DIR, embedded:DATA_DIR or cassandra (QUILL_CASSANDRA_* settings)
    #[arg(long)]
    source: SourceSpec,
    /// Worker threads (and scan partitions); all cores by default
    #[arg(long)]
    threads: Option<usize>,
    /// No progress on stderr
    #[arg(long)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Compute the five reports into DIR (CSV, Parquet, index.html)
    Run {
        #[command(flatten)]
        common: Common,
        /// local, or ballista://HOST:PORT to run on a Ballista cluster (parquet sources;
        /// --threads then sets the partitions of each stage)
        #[arg(long, default_value = "local")]
        engine: Engine,
        #[arg(long)]
        out: PathBuf,
        /// Replace DIR if it exists and is not empty
        #[arg(long)]
        replace: bool,
    },
    /// Write the posts table as a Parquet snapshot into DIR
    Export {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        replace: bool,
    },
    /// Write REPORTS_DIR/YYYY-MM-DD/ (UTC) now, or every day at --at HH:MM UTC
    Nightly {
        #[command(flatten)]
        common: Common,
        /// local, or ballista://HOST:PORT (as for `run`)
        #[arg(long, default_value = "local")]
        engine: Engine,
        /// Export the source to this snapshot directory first and report on that (what a
        /// Ballista cluster reads; a volume every executor mounts at the same path)
        #[arg(long)]
        snapshot: Option<PathBuf>,
        #[arg(long)]
        reports_dir: PathBuf,
        /// Stay running and start a run every day at this UTC time
        #[arg(long)]
        at: Option<TimeOfDay>,
    },
    /// Generate a deterministic benchmark snapshot of N posts into DIR
    Generate {
        #[arg(long)]
        posts: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        shape: ShapeArgs,
    },
    /// Run a Ballista scheduler (the cluster's coordinator)
    #[cfg(feature = "ballista")]
    Scheduler(quill_analytics::ballista::cluster::SchedulerArgs),
    /// Run a Ballista executor (a worker of the cluster)
    #[cfg(feature = "ballista")]
    Executor(quill_analytics::ballista::cluster::ExecutorArgs),
}

/// What generated posts look like: a preset, then any parameter overridden.
#[derive(clap::Args, Clone)]
struct ShapeArgs {
    /// default (about 450 characters a body) or wordy (720 characters of 2-6 letter words)
    #[arg(long, default_value = "default")]
    shape: Preset,
    /// Mean body length in characters (lognormal)
    #[arg(long)]
    body_chars: Option<usize>,
    /// Letters a word has, MIN-MAX (words then follow Zipf's law)
    #[arg(long)]
    word_letters: Option<LetterRange>,
    /// Words in the vocabulary
    #[arg(long)]
    vocabulary: Option<usize>,
    /// Distinct authors
    #[arg(long)]
    users: Option<u64>,
    /// Days the posts spread over, from 2024-01-01
    #[arg(long)]
    days: Option<u64>,
    /// Parquet files
    #[arg(long)]
    files: Option<usize>,
    /// Row groups per file
    #[arg(long)]
    row_groups: Option<usize>,
}

impl ShapeArgs {
    fn shape(&self) -> Shape {
        let mut shape = Shape::preset(self.shape);
        if let Some(n) = self.body_chars {
            shape.body = BodyLength::MeanChars(n);
        }
        if let Some(range) = self.word_letters {
            shape.words = WordForm::Letters(range);
        }
        shape.vocabulary = self.vocabulary.unwrap_or(shape.vocabulary);
        shape.users = self.users.or(shape.users);
        shape.days = self.days.unwrap_or(shape.days);
        shape.files = self.files.unwrap_or(shape.files);
        shape.row_groups = self.row_groups.or(shape.row_groups);
        shape
    }
}

fn threads(asked: Option<usize>) -> usize {
    asked
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn options(common: &Common, replace: bool, engine: Engine) -> RunOptions {
    RunOptions {
        engine,
        threads: threads(common.threads),
        replace,
        progress: if common.quiet {
            ProgressMode::Off
        } else {
            ProgressMode::Auto
        },
    }
}

fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// The scheduler's and executors' runtime: all cores, and Ballista's 32 MB stacks, which
/// deep plans need.
#[cfg(feature = "ballista")]
fn cluster_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(32 * 1024 * 1024)
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// Runs `work` until it ends or the process is asked to stop (Ctrl-C, SIGTERM). Stopping
/// drops `work`, which removes its staging folder, so an interrupted run leaves nothing.
async fn until_stopped<T>(work: impl Future<Output = T>) -> anyhow::Result<T> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        out = work => Ok(out),
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted; nothing was written"),
        _ = term.recv() => anyhow::bail!("terminated; nothing was written"),
    }
}

/// Serves until `server` fails or the process is asked to stop, which is a clean exit.
#[cfg(feature = "ballista")]
async fn serve_until_stopped(
    server: impl Future<Output = Result<(), quill_analytics::AnalyticsError>>,
) -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        out = server => Ok(out?),
        _ = tokio::signal::ctrl_c() => Ok(()),
        _ = term.recv() => Ok(()),
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            common,
            engine,
            out,
            replace,
        } => {
            let options = options(&common, replace, engine);
            let outcome = runtime(options.threads)?
                .block_on(until_stopped(run(&common.source, &out, &options)))?
                .with_context(|| format!("running the reports of {}", common.source))?;
            let f = &outcome.figures;
            eprintln!(
                "wrote {}: {} rows in {:.2}s ({} partitions, {} threads)",
                outcome.dir.display(),
                f.rows,
                f.scan_wall.as_secs_f64(),
                f.partitions,
                f.threads
            );
        }
        Command::Export {
            common,
            out,
            replace,
        } => {
            let options = options(&common, replace, Engine::Local);
            let outcome = runtime(options.threads)?
                .block_on(until_stopped(export(&common.source, &out, &options)))?
                .with_context(|| format!("exporting {}", common.source))?;
            eprintln!(
                "wrote {}: {} rows in {} files",
                outcome.dir.display(),
                outcome.rows,
                outcome.files
            );
        }
        Command::Nightly {
            common,
            engine,
            snapshot,
            reports_dir,
            at,
        } => {
            let options = options(&common, true, engine);
            let rt = runtime(options.threads)?;
            match at {
                Some(at) => match rt.block_on(until_stopped(nightly::schedule(
                    &common.source,
                    snapshot.as_deref(),
                    &reports_dir,
                    at,
                    &options,
                )))? {},
                None => {
                    let outcome = rt
                        .block_on(until_stopped(nightly::run_once(
                            &common.source,
                            snapshot.as_deref(),
                            &reports_dir,
                            &options,
                        )))?
                        .with_context(|| format!("nightly reports of {}", common.source))?;
                    eprintln!(
                        "wrote {}: {} rows",
                        outcome.dir.display(),
                        outcome.figures.rows
                    );
                }
            }
        }
        Command::Generate {
            posts,
            out,
            seed,
            threads: asked,
            replace,
            shape,
        } => {
            let options = GenerateOptions {
                posts,
                seed,
                threads: threads(asked),
                replace,
                shape: shape.shape(),
            };
            let dir = generate(&out, &options)
                .with_context(|| format!("generating {posts} posts into {}", out.display()))?;
            eprintln!("wrote {posts} posts to {}", dir.display());
        }
        #[cfg(feature = "ballista")]
        Command::Scheduler(args) => {
            quill_analytics::ballista::cluster::init_logging();
            cluster_runtime()?
                .block_on(serve_until_stopped(
                    quill_analytics::ballista::cluster::scheduler(&args),
                ))
                .context("running the Ballista scheduler")?;
        }
        #[cfg(feature = "ballista")]
        Command::Executor(args) => {
            quill_analytics::ballista::cluster::init_logging();
            cluster_runtime()?
                .block_on(serve_until_stopped(
                    quill_analytics::ballista::cluster::executor(&args),
                ))
                .context("running the Ballista executor")?;
        }
    }
    Ok(())
}

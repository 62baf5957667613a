//! The reports on a real Ballista cluster: a scheduler and two executors started as
//! processes of this crate's binary (`quill-analytics scheduler` / `executor`) on free
//! 127.0.0.1 ports, killed when the test ends, also when it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use quill_analytics::SourceSpec;
use quill_analytics::ballista::SchedulerAddr;
use quill_analytics::ballista::progress::get;
use quill_analytics::generate::shape::{BodyLength, Preset, Shape};
use quill_analytics::generate::{GenerateOptions, generate};
use quill_analytics::reports::Report;

use crate::fixtures::{Scratch, csv_name, names, report};

const BIN: &str = env!("CARGO_BIN_EXE_quill-analytics");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scheduler and its executors; every process is killed on drop.
struct Cluster {
    addr: SchedulerAddr,
    scheduler: Child,
    executors: Vec<Child>,
}

fn spawn(args: &[String], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

impl Cluster {
    /// Starts a scheduler and `executors` executors of two slots, and waits until the
    /// scheduler reports them all registered.
    async fn start(root: &Path, executors: usize) -> Cluster {
        std::fs::create_dir_all(root).unwrap();
        let port = free_port();
        let addr = SchedulerAddr {
            host: "127.0.0.1".into(),
            port,
        };
        let s = |x: &str| x.to_owned();
        let scheduler = spawn(
            &[
                s("scheduler"),
                s("--port"),
                port.to_string(),
                s("--external-host"),
                s("127.0.0.1"),
                s("--min-executors"),
                executors.to_string(),
                s("--executor-timeout-secs"),
                s("4"),
            ],
            &root.join("scheduler.log"),
        );
        let mut cluster = Cluster {
            addr,
            scheduler,
            executors: Vec::new(),
        };
        for i in 0..executors {
            let work = root.join(format!("executor-{i}"));
            std::fs::create_dir_all(&work).unwrap();
            cluster.executors.push(spawn(
                &[
                    s("executor"),
                    s("--external-host"),
                    s("127.0.0.1"),
                    s("--port"),
                    free_port().to_string(),
                    s("--grpc-port"),
                    free_port().to_string(),
                    s("--scheduler-host"),
                    s("127.0.0.1"),
                    s("--scheduler-port"),
                    port.to_string(),
                    s("--slots"),
                    s("2"),
                    s("--heartbeat-secs"),
                    s("1"),
                    s("--work-dir"),
                    work.display().to_string(),
                ],
                &root.join(format!("executor-{i}.log")),
            ));
        }
        for _ in 0..600 {
            if get(&cluster.addr, "/readyz").await.is_some() {
                return cluster;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the cluster did not become ready; logs in {}",
            root.display()
        );
    }

    fn engine(&self) -> String {
        format!("ballista://{}", self.addr)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A generated snapshot of `posts` posts in the scratch folder's `snap/`. Bodies are short
/// so that the unoptimised test build of the cluster gets through it in reasonable time.
fn snapshot(scratch: &Scratch, posts: u64) -> PathBuf {
    let snap = scratch.join("snap");
    let mut shape = Shape::preset(Preset::Default);
    shape.body = BodyLength::MeanChars(60);
    shape.files = 4;
    generate(
        &snap,
        &GenerateOptions {
            posts,
            seed: 7,
            threads: 2,
            replace: false,
            shape,
        },
    )
    .unwrap();
    snap
}

fn run_args(engine: &str, snap: &Path, out: &Path) -> Vec<String> {
    [
        "run",
        "--engine",
        engine,
        "--source",
        &format!("parquet:{}", snap.display()),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "4",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn quill_analytics(args: &[String]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Asserts that `got` holds the same five CSVs and Parquet files as `want`, byte for byte,
/// and an index.html.
fn assert_same_reports(got: &Path, want: &Path) {
    for report in Report::ALL {
        for name in [csv_name(report), format!("{}.parquet", report.file_stem())] {
            let (g, w) = (
                std::fs::read(got.join(&name)).unwrap(),
                std::fs::read(want.join(&name)).unwrap(),
            );
            assert!(
                g == w,
                "{name} differs:\n{}\n---\n{}",
                String::from_utf8_lossy(&g),
                String::from_utf8_lossy(&w)
            );
        }
    }
    assert!(got.join("index.html").is_file());
    assert_eq!(names(got), names(want));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_of_two_executors_writes_the_local_engines_reports() {
    let scratch = Scratch::new();
    let snap = snapshot(&scratch, 200_000);
    let local = scratch.join("local");
    let outcome = report(&SourceSpec::Parquet(snap.clone()), &local, 2).await;
    assert_eq!(outcome.figures.rows, 200_000);

    let cluster = Cluster::start(&scratch.join("cluster"), 2).await;
    let out = scratch.join("ballista");
    let output = quill_analytics(&run_args(&cluster.engine(), &snap, &out));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("200000 rows"), "{stderr}");
    assert_same_reports(&out, &local);
    // Progress: each report's stages and tasks, all done at its end.
    for report in Report::ALL {
        let done = stderr
            .lines()
            .find(|l| {
                l.starts_with(&format!("{}: stages ", report.title())) && l.ends_with(", done")
            })
            .unwrap_or_else(|| panic!("no final progress of {report:?} in {stderr}"));
        // "stages N/N, tasks M/M"
        let counts: Vec<&str> = done.split([' ', ',']).filter(|w| w.contains('/')).collect();
        assert_eq!(counts.len(), 2, "{done}");
        for count in counts {
            let (n, of) = count.split_once('/').unwrap();
            assert_eq!(n, of, "{done}");
            assert_ne!(n, "0", "{done}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_scheduler_is_a_clear_error_and_writes_nothing() {
    let scratch = Scratch::new();
    let snap = snapshot(&scratch, 1_000);
    let out = scratch.join("reports");
    let nobody = format!("ballista://127.0.0.1:{}", free_port());
    let output = quill_analytics(&run_args(&nobody, &snap, &out));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach the Ballista scheduler at 127.0.0.1:"),
        "{stderr}"
    );
    assert!(!out.exists());
    assert_eq!(names(scratch.root()), ["snap"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_parquet_snapshots_run_on_a_cluster() {
    let scratch = Scratch::new();
    let out = scratch.join("reports");
    let output = quill_analytics(&[
        "run".into(),
        "--engine".into(),
        "ballista://127.0.0.1:1".into(),
        "--source".into(),
        format!("embedded:{}", scratch.join("data").display()),
        "--out".into(),
        out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Parquet snapshots only"), "{stderr}");
    assert!(!out.exists());
}

/// An executor killed while the reports run: Ballista notices the lost executor (no
/// heartbeat, or its shuffle files unreachable) and runs its tasks again on the other one,
/// so the run either completes with the right reports or fails clearly, writing nothing.
/// docs/ANALYTICS.md says which happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_executor_killed_mid_run_leaves_right_reports_or_none() {
    let scratch = Scratch::new();
    let snap = snapshot(&scratch, 200_000);
    let local = scratch.join("local");
    report(&SourceSpec::Parquet(snap.clone()), &local, 2).await;

    let mut cluster = Cluster::start(&scratch.join("cluster"), 2).await;
    let out = scratch.join("ballista");
    let run = Command::new(BIN)
        .args(run_args(&cluster.engine(), &snap, &out))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill one executor once a job runs on the cluster.
    let mut running = false;
    for _ in 0..1200 {
        if let Some(jobs) = get(&cluster.addr, "/api/jobs").await
            && jobs.contains("\"Running\"")
        {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "no job started on the cluster");
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.executors[0].kill().unwrap();
    cluster.executors[0].wait().unwrap();

    let output = tokio::task::spawn_blocking(move || run.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("the run after the kill:\n{stderr}");
    if output.status.success() {
        assert_same_reports(&out, &local);
    } else {
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr.contains("failed on the cluster"), "{stderr}");
        assert!(!out.exists());
    }
    assert!(
        names(scratch.root())
            .iter()
            .all(|n| !n.contains(".partial-")),
        "a staging folder was left behind"
    );
}

/// The scheduler's jobs, `(status, job_status)` each ("Running", "Failed: Cancelled"...).
async fn jobs(addr: &SchedulerAddr) -> Vec<(String, String)> {
    let Some(body) = get(addr, "/api/jobs").await else {
        return Vec::new();
    };
    let jobs: serde_json::Value = serde_json::from_str(&body).unwrap();
    let field = |job: &serde_json::Value, name: &str| {
        job.get(name)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    jobs.as_array()
        .unwrap()
        .iter()
        .map(|job| (field(job, "status"), field(job, "job_status")))
        .collect()
}

/// Polls `jobs` every 50 ms until `done` holds of them, for at most `tries` polls; returns
/// the last answer.
async fn jobs_until(
    addr: &SchedulerAddr,
    tries: usize,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let mut last = Vec::new();
    for _ in 0..tries {
        last = jobs(addr).await;
        if done(&last) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    last
}

fn count(jobs: &[(String, String)], status: &str) -> usize {
    jobs.iter().filter(|(s, _)| s == status).count()
}

/// SIGTERM to a run while a job of it runs on the cluster: the run cancels that job on the
/// scheduler rather than leave it running for nobody, exits 1 and leaves no folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_run_cancels_its_job_on_the_cluster_and_writes_nothing() {
    let scratch = Scratch::new();
    let snap = snapshot(&scratch, 200_000);
    let cluster = Cluster::start(&scratch.join("cluster"), 2).await;
    let out = scratch.join("ballista");
    let run = Command::new(BIN)
        .args(run_args(&cluster.engine(), &snap, &out))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // R4, the longest report (a row per word), is the fourth job: stop the run while it runs.
    let before = jobs_until(&cluster.addr, 2400, |jobs| {
        count(jobs, "Completed") == 3 && count(jobs, "Running") == 1
    })
    .await;
    assert_eq!(count(&before, "Running"), 1, "R4 never ran: {before:?}");
    let kill = Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    let output = tokio::task::spawn_blocking(move || run.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("terminated; nothing was written"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cancelled 1 job(s) on the cluster"),
        "{stderr}"
    );
    // The scheduler ran nothing more: no job queued or running, R4's job failed as
    // cancelled instead of completing, and no job of R5 was submitted.
    let after = jobs_until(&cluster.addr, 600, |jobs| {
        count(jobs, "Running") + count(jobs, "Queued") == 0
    })
    .await;
    assert_eq!(
        count(&after, "Running") + count(&after, "Queued"),
        0,
        "{after:?}"
    );
    assert_eq!(count(&after, "Completed"), 3, "{after:?}");
    assert_eq!(
        after
            .iter()
            .filter(|(s, detail)| s == "Failed" && detail.contains("Cancel"))
            .count(),
        1,
        "{after:?}"
    );
    assert_eq!(after.len(), 4, "{after:?}");
    assert!(!out.exists());
    assert_eq!(names(scratch.root()), ["cluster", "snap"]);
}

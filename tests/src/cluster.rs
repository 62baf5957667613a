//! The accounts cluster for a test: three MariaDB servers and HAProxy started by
//! `scripts/cluster.sh` (the same config files compose mounts), and Quill instances
//! in this process that share one data directory for posts and the secret key.
//!
//! Each test gets its own cluster, because the failure tests break theirs; dropping
//! the `Cluster` stops every process by PID. The test command sets
//! `QUILL_TEST_CLUSTER_ROOT` (where clusters live, so that it can also stop any left
//! behind) and `QUILL_TEST_REQUIRE_CLUSTER=1` (a missing MariaDB or HAProxy fails).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quill_ops::{HaproxyAdmin, Node, OpsSettings};
use quill_web::{Application, Settings};

use crate::Server;

pub struct Cluster {
    dir: PathBuf,
    env: HashMap<String, String>,
    data_dir: tempfile::TempDir,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/cluster.sh")
}

fn installed(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|out| out.status.success())
}

impl Cluster {
    /// Starts a cluster, or returns `None` (saying so) when MariaDB or HAProxy is not
    /// installed and the test command did not require them. `env` goes to the script
    /// (for example `QUILL_CHECK_MAX_LAG_SECS`).
    pub fn start(env: &[(&str, &str)]) -> Option<Self> {
        Self::start_topology(env, None)
    }

    /// The whole test topology: the cluster, two `quill` processes (this build's
    /// binary) sharing a data directory, and nginx in front of them, the way
    /// `scripts/cluster.sh` starts it with `QUILL_WEB_BIN`. `None` as for `start`.
    pub fn start_with_web(env: &[(&str, &str)]) -> Option<Self> {
        let bin = quill_binary();
        let nginx = installed("nginx");
        assert!(
            nginx || std::env::var_os("QUILL_TEST_REQUIRE_CLUSTER").is_none(),
            "QUILL_TEST_REQUIRE_CLUSTER is set but nginx is not installed"
        );
        if !nginx {
            eprintln!("SKIPPED: web tier test (install nginx, as scripts/test.sh does)");
            return None;
        }
        Self::start_topology(env, Some(&bin))
    }

    fn start_topology(env: &[(&str, &str)], web_bin: Option<&Path>) -> Option<Self> {
        if !(installed("mariadbd") && installed("haproxy")) {
            assert!(
                std::env::var_os("QUILL_TEST_REQUIRE_CLUSTER").is_none(),
                "QUILL_TEST_REQUIRE_CLUSTER is set but mariadbd or haproxy is not installed"
            );
            eprintln!(
                "SKIPPED: cluster test (install mariadb-server and haproxy, as scripts/test.sh does)"
            );
            return None;
        }
        let root = std::env::var_os("QUILL_TEST_CLUSTER_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let shm = Path::new("/dev/shm");
                if shm.is_dir() {
                    shm.to_owned()
                } else {
                    std::env::temp_dir()
                }
            });
        let dir = tempfile::Builder::new()
            .prefix("quill-cluster.")
            .tempdir_in(&root)
            .expect("cluster dir")
            .keep();
        let mut up = Command::new(script());
        up.arg("up").arg(&dir).envs(env.iter().copied());
        if let Some(bin) = web_bin {
            up.env("QUILL_WEB_BIN", bin);
        }
        let status = up.status().expect("scripts/cluster.sh runs");
        if !status.success() {
            // It stops what it started; this removes the folder too.
            let _ = Command::new(script()).arg("down").arg(&dir).status();
            panic!("scripts/cluster.sh up failed");
        }
        let env = std::fs::read_to_string(dir.join("env"))
            .expect("cluster env")
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Some(Self {
            dir,
            env,
            data_dir: tempfile::tempdir().expect("data dir"),
        })
    }

    /// Settings for a Quill instance on this cluster, on a free port; `extra` last.
    pub fn settings(&self, extra: &[(&str, &str)]) -> Settings {
        let mut vars: Vec<(String, String)> = self.env.clone().into_iter().collect();
        vars.extend(
            [
                ("QUILL_BIND", "127.0.0.1:0"),
                ("QUILL_WORKERS", "2"),
                ("QUILL_DB_TIMEOUT_MS", "1000"),
                (
                    "QUILL_DATA_DIR",
                    &self.data_dir.path().display().to_string(),
                ),
            ]
            .iter()
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Settings::from_vars(vars).expect("cluster settings")
    }

    /// A Quill instance on this cluster. Instances share the data directory, so they
    /// share the secret key and the embedded post store.
    pub async fn quill(&self, extra: &[(&str, &str)]) -> Server {
        let app = Application::build(self.settings(extra))
            .await
            .expect("Quill on the cluster");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Server::at(base)
    }

    /// Runs SQL as root on server `n` (1-3) over its socket; the rows, tab-separated.
    pub fn sql(&self, n: u8, sql: &str) -> String {
        let out = Command::new("mariadb")
            .arg(format!(
                "--defaults-file={}",
                self.dir.join(format!("db{n}.cnf")).display()
            ))
            .args(["-N", "-B", "-e", sql])
            .output()
            .expect("mariadb client");
        assert!(
            out.status.success(),
            "db{n}: {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Kills server `n` (1-3) at once, as a crash would.
    pub fn kill(&self, n: u8) {
        let pid = std::fs::read_to_string(self.dir.join(format!("db{n}.mariadbd.pid")))
            .expect("mariadbd pid");
        let status = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", pid.trim())])
            .status()
            .expect("kill");
        assert!(status.success(), "killing db{n}");
    }

    /// nginx in front of the two `quill` processes (`start_with_web` only).
    pub fn nginx(&self) -> Server {
        Server::at(self.env["QUILL_NGINX_URL"].clone())
    }

    /// Sends `signal` (`KILL`: a crash; `TERM`: a stop, as in a rolling update) to
    /// `quill` process `n` (1 or 2).
    pub fn signal_web(&self, n: u8, signal: &str) {
        let pid = std::fs::read_to_string(self.dir.join(format!("web{n}.pid"))).expect("quill pid");
        let status = Command::new("kill")
            .args([&format!("-{signal}"), pid.trim()])
            .status()
            .expect("kill");
        assert!(status.success(), "SIG{signal} to web{n}");
    }

    pub fn nodes(&self) -> Vec<Node> {
        OpsSettings::from_vars(self.env.clone())
            .expect("cluster nodes")
            .nodes
    }

    pub fn haproxy(&self) -> HaproxyAdmin {
        HaproxyAdmin {
            address: self.env["QUILL_HAPROXY_ADMIN"].clone(),
        }
    }

    /// HAProxy's view of a server: `UP`, `DOWN`, `MAINT`...
    pub fn haproxy_state(&self, backend: &str, server: &str) -> String {
        let stat = self.haproxy().query("show stat").expect("HAProxy stats");
        stat.lines()
            .map(|line| line.split(',').collect::<Vec<_>>())
            .find(|f| f.len() > 17 && f[0] == backend && f[1] == server)
            .map(|f| f[17].to_owned())
            .unwrap_or_default()
    }
}

/// The `quill` binary of this build: cargo puts it beside the `deps` folder this test
/// runs from (`cargo nextest run --workspace` builds it with quill-web's tests).
fn quill_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("quill"))
        .expect("target directory");
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build -p quill-web` (the test command does)",
        bin.display()
    );
    bin
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("down").arg(&self.dir).status();
    }
}

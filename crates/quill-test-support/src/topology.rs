//! The native test topology, from the very config files compose mounts (`docker/`):
//! three MariaDB servers (a primary and two replicas joined by GTID, semi-synchronous,
//! each started `read_only`), HAProxy with its write and read ports and, with a `quill`
//! binary, two `quill` processes sharing one data directory behind nginx. Everything
//! listens on free 127.0.0.1 ports and lives in one folder (on tmpfs, `/dev/shm`, when
//! the caller picks it: MariaDB starts twice as fast there).
//!
//! Every process runs in a process group of its own and is listed in `DIR/pids`.
//! Dropping the [`Topology`] kills them and deletes the folder; [`down`] does the same
//! from the pids file, for a topology whose owner is gone (`cargo xtask cluster down`,
//! or the test command after a test was killed).

mod haproxy;
mod mariadb;
mod web;

use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
pub use rustix::process::Signal;

use crate::process::{self, Process};
use crate::test_env::missing_tools;

/// The pids file in a topology's folder.
const PIDS: &str = "pids";
/// The settings file in a topology's folder: what `cargo xtask cluster up` prints.
const ENV: &str = "env";

/// How to start a topology.
#[derive(Debug, Clone)]
#[must_use]
pub struct Options {
    max_lag_secs: u32,
    replica_delay_secs: u32,
    quill: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_lag_secs: 5,
            replica_delay_secs: 0,
            quill: None,
        }
    }
}

impl Options {
    /// The lag at which HAProxy takes a replica out of the read rotation
    /// (`QUILL_CHECK_MAX_LAG_SECS`; 5 s by default).
    pub fn max_lag_secs(mut self, secs: u32) -> Self {
        self.max_lag_secs = secs;
        self
    }

    /// Replicas apply what they receive this late (`MASTER_DELAY`; 0 by default).
    pub fn replica_delay_secs(mut self, secs: u32) -> Self {
        self.replica_delay_secs = secs;
        self
    }

    /// Also two `quill` processes of this binary (built with `--features mysql`) on the
    /// cluster, and nginx in front of them.
    pub fn web(mut self, quill: PathBuf) -> Self {
        self.quill = Some(quill);
        self
    }

    /// The tools this topology needs that are not installed.
    pub fn missing_tools(&self) -> Vec<String> {
        let mut tools = vec!["mariadbd", "mariadb-install-db", "mariadb", "haproxy"];
        if self.quill.is_some() {
            tools.extend(["nginx", "envsubst", "getent"]);
        }
        missing_tools(&tools)
    }

    /// Starts the topology in `dir` (created if need be). On failure, it stops what it
    /// started and says why, with the end of each log.
    pub fn start(self, dir: &Path) -> anyhow::Result<Topology> {
        let missing = self.missing_tools();
        if !missing.is_empty() {
            bail!("not installed: {}", missing.join(", "));
        }
        if let Some(quill) = &self.quill {
            web::check_binary(quill)?;
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        if dir.join(PIDS).exists() {
            bail!(
                "{} holds a topology already: stop it first (cargo xtask cluster down)",
                dir.display()
            );
        }
        let mut topology = Topology {
            dir,
            processes: Vec::new(),
            secrets: mariadb::Secrets::new()?,
            server_ports: Vec::new(),
            settings: Vec::new(),
            migrate_url: String::new(),
            urls: Vec::new(),
            detached: false,
        };
        match topology.bring_up(&self) {
            Ok(()) => Ok(topology),
            Err(e) => Err(e.context(format!(
                "starting the topology in {}{}",
                topology.dir.display(),
                topology.log_tails()
            ))),
        }
    }
}

/// A running topology; dropping it stops every process and deletes its folder.
pub struct Topology {
    dir: PathBuf,
    processes: Vec<Process>,
    secrets: mariadb::Secrets,
    server_ports: Vec<u16>,
    /// The `QUILL_*` settings that reach the cluster.
    settings: Vec<(String, String)>,
    /// HAProxy's write port as quill_migrate, the account that changes the schema.
    migrate_url: String,
    /// `QUILL_NGINX_URL`, `QUILL_WEB1_URL`, `QUILL_WEB2_URL` with `Options::web`.
    urls: Vec<(String, String)>,
    detached: bool,
}

impl Topology {
    pub fn options() -> Options {
        Options::default()
    }

    fn bring_up(&mut self, options: &Options) -> anyhow::Result<()> {
        self.start_servers(options.replica_delay_secs)?;
        self.start_haproxy(options.max_lag_secs)?;
        self.write_env()?;
        if let Some(quill) = &options.quill {
            self.start_web(quill)?;
            self.write_env()?;
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `QUILL_*` settings of a Quill on this cluster: its database URLs (HAProxy's
    /// write and read ports), `QUILL_DB_NODES` and `QUILL_HAPROXY_ADMIN`.
    pub fn settings(&self) -> &[(String, String)] {
        &self.settings
    }

    /// A setting or URL of the topology by name (`QUILL_DATABASE_READ_URL`,
    /// `QUILL_NGINX_URL`...).
    pub fn var(&self, name: &str) -> &str {
        self.settings
            .iter()
            .chain(&self.urls)
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("the topology has no {name}"))
    }

    /// HAProxy's write port as quill_migrate, the account that may change the schema
    /// (quill, the instances' account, may change rows only): `quill migrate` runs with
    /// it as `QUILL_DATABASE_URL`.
    pub fn migrate_url(&self) -> &str {
        &self.migrate_url
    }

    /// Every setting and URL as lines a shell can source (`set -a; . FILE`), and
    /// `QUILL_MIGRATE_DATABASE_URL` (Quill reads no such setting: run
    /// `QUILL_DATABASE_URL=$QUILL_MIGRATE_DATABASE_URL quill migrate`).
    pub fn env(&self) -> String {
        let mut text = String::new();
        for (name, value) in self.settings.iter().chain(&self.urls) {
            let _ = writeln!(text, "{name}='{value}'");
        }
        let _ = writeln!(text, "QUILL_MIGRATE_DATABASE_URL='{}'", self.migrate_url);
        text
    }

    fn write_env(&self) -> anyhow::Result<()> {
        let path = self.dir.join(ENV);
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, self.env().as_bytes()))
            .with_context(|| format!("writing {}", path.display()))
    }

    fn process(&self, name: &str) -> &Process {
        self.processes
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("the topology runs no {name}"))
    }

    fn spawn(
        &mut self,
        name: &str,
        command: &mut std::process::Command,
        log: &str,
        pid_file: Option<&str>,
    ) -> anyhow::Result<()> {
        let process = Process::spawn(
            name,
            command,
            &self.dir.join(log),
            &self.dir.join(PIDS),
            pid_file.map(|file| self.dir.join(file)).as_deref(),
        )?;
        self.processes.push(process);
        Ok(())
    }

    /// Waits until `ready` holds for the process `name`, which must keep running.
    fn wait_for(
        &mut self,
        name: &str,
        what: &str,
        mut ready: impl FnMut() -> bool,
    ) -> anyhow::Result<()> {
        let process = self
            .processes
            .iter_mut()
            .find(|p| p.name == name)
            .with_context(|| format!("no process {name}"))?;
        crate::wait::until(what, || process.check_running().map(|()| ready()))
            .map_err(anyhow::Error::msg)
    }

    /// Leaves the topology running, for `cargo xtask cluster down` to stop later.
    pub fn detach(mut self) -> PathBuf {
        self.detached = true;
        self.dir.clone()
    }

    /// The last lines of each log, to say why a start failed.
    fn log_tails(&self) -> String {
        let mut logs: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "log" || ext == "err")
            })
            .collect();
        logs.sort();
        let mut text = String::new();
        for log in logs {
            let mut content = String::new();
            let _ = std::fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut content));
            let lines: Vec<&str> = content.lines().collect();
            let tail = &lines[lines.len().saturating_sub(20)..];
            let _ = write!(text, "\n--- {}\n{}", log.display(), tail.join("\n"));
        }
        text
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        if self.detached {
            return;
        }
        // nginx and Quill first, then HAProxy, then the servers.
        while let Some(process) = self.processes.pop() {
            process.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stops the topology in `dir` by the PIDs it recorded, and deletes the folder.
pub fn down(dir: &Path) -> anyhow::Result<()> {
    process::stop_listed(&dir.join(PIDS))?;
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("deleting {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// This repository: the config files live in its `docker/`.
fn repository() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    path.canonicalize().unwrap_or(path)
}

/// Runs a command to its end; its standard output, or an error with what it printed.
fn run(command: &mut std::process::Command, input: Option<&str>) -> anyhow::Result<String> {
    use std::io::Write;
    use std::process::Stdio;

    // The program and its arguments, not the environment, which holds passwords.
    let what = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {what}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(input.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!(
            "{what}: {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

//! The topology's processes: each in a process group of its own, so that a signal to
//! the group reaches whatever it started, and listed in a pids file, so that the test
//! command (or `cargo xtask cluster down`) can stop what a killed test left behind.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use rustix::process::{Pid, Signal};

/// A process the topology started.
pub struct Process {
    pub name: String,
    child: Child,
}

impl Process {
    /// Starts `command` in a new process group, its output appended to `log`, its PID
    /// appended to `pids` and, when given, written to `pid_file`.
    pub fn spawn(
        name: &str,
        command: &mut Command,
        log: &Path,
        pids: &Path,
        pid_file: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let log_file = append(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let pid = child.id();
        writeln!(append(pids)?, "{pid}").context("recording a PID")?;
        if let Some(path) = pid_file {
            std::fs::write(path, format!("{pid}\n")).context("writing a PID file")?;
        }
        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// `Err` once the process has exited: it will not come up.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => bail!("{} exited: {status}", self.name),
        }
    }

    /// Sends `signal` to the process alone.
    pub fn signal(&self, signal: Signal) -> anyhow::Result<()> {
        rustix::process::kill_process(Pid::from_child(&self.child), signal)
            .with_context(|| format!("signalling {}", self.name))
    }

    /// SIGKILL to the process's group, as a crash would.
    pub fn kill(&self) -> anyhow::Result<()> {
        kill_group(Pid::from_child(&self.child)).with_context(|| format!("killing {}", self.name))
    }

    /// Kills the group and reaps the process.
    pub fn stop(mut self) {
        let _ = self.kill();
        let _ = self.child.wait();
    }
}

fn append(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}

/// SIGKILL to the group `pid` leads, or to the process alone when it leads none.
fn kill_group(pid: Pid) -> std::io::Result<()> {
    rustix::process::kill_process_group(pid, Signal::KILL)
        .or_else(|_| rustix::process::kill_process(pid, Signal::KILL))
        .map_err(std::io::Error::from)
}

/// Stops every process a pids file lists (their groups, with SIGKILL) and waits until
/// they are gone. A process that is gone already is skipped.
pub fn stop_listed(pids: &Path) -> anyhow::Result<()> {
    let listed = match std::fs::read_to_string(pids) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", pids.display())),
    };
    let listed: Vec<Pid> = listed
        .split_whitespace()
        .map(|raw| {
            raw.parse()
                .ok()
                .filter(|raw| *raw > 0)
                .and_then(Pid::from_raw)
        })
        .collect::<Option<_>>()
        .with_context(|| format!("{} lists something that is not a PID", pids.display()))?;
    for pid in &listed {
        let _ = kill_group(*pid);
    }
    crate::wait::until("the listed processes to exit", || {
        Ok::<_, String>(
            listed
                .iter()
                .all(|pid| rustix::process::test_kill_process(*pid).is_err()),
        )
    })
    .map_err(anyhow::Error::msg)
}

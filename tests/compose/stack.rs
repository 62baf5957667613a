//! The stack under test, and the tools the checks reach it with: compose and docker
//! through `scripts/compose-check.sh`, `quill db status`, fresh names.

use quill_test_support::Endpoint;
use quill_test_support::api::sign_up;
use quill_test_support::test_env;
use quill_test_support::wait::PATIENCE;
use reqwest::StatusCode;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The stack's nginx, or `None` (saying so) when the compose check did not start one.
pub(crate) fn stack() -> Option<Endpoint> {
    match test_env::compose_url() {
        Some(url) => Some(Endpoint::new(url)),
        None => {
            eprintln!("SKIPPED: compose check (scripts/compose-check.sh runs it)");
            None
        }
    }
}

/// A connection per request. The nginx container reloads whenever the set of web
/// replicas changes (scaled, killed), and nginx then closes its idle keep-alive
/// connections: a request sent on one at that moment is lost on the way. Browsers send
/// such a request again by themselves (a reused connection that fails before any
/// answer); this client would not, so it keeps no connection to reuse.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

pub(crate) fn run(command: &mut Command) -> String {
    let out = command.output().expect("running a command");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/compose-check.sh")
}

/// `docker compose ARGS` on the check's stack.
pub(crate) fn compose(args: &[&str]) -> String {
    run(Command::new(script()).arg("compose").args(args))
}

/// Whether `docker compose ARGS` on the check's stack exits with success; its output
/// (both streams) either way.
pub(crate) fn compose_status(args: &[&str]) -> (bool, String) {
    let out = Command::new(script())
        .arg("compose")
        .args(args)
        .output()
        .expect("running compose");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `docker ARGS`: whether it exits with success, and its output (both streams).
pub(crate) fn docker_status(args: &[&str]) -> (bool, String) {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("running docker");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The status line and headers of a GET (`curl`: the test client speaks no TLS), with
/// `headers` sent; TLS certificates are not verified (the check's is self-signed).
pub(crate) fn head_of(url: &str, headers: &[&str]) -> String {
    let mut curl = Command::new("curl");
    curl.args([
        "-sS",
        "-k",
        "--max-time",
        "10",
        "-o",
        "/dev/null",
        "-D",
        "-",
    ]);
    for header in headers {
        curl.args(["-H", header]);
    }
    run(curl.arg(url))
}

/// A header's value in `head_of`'s text, by name in any case.
pub(crate) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A container that is removed when dropped, also when a check fails.
pub(crate) struct Removed(pub String);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

pub(crate) fn docker(args: &[&str]) -> String {
    run(Command::new("docker").args(args))
}

/// The containers of a service, by id.
pub(crate) fn containers(service: &str) -> Vec<String> {
    compose(&["ps", "-q", service])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The compose service of each name in QUILL_DB_NODES (compose.yml).
pub(crate) fn service_of(server: &str) -> &'static str {
    match server {
        "db1" => "mariadb-primary",
        "db2" => "mariadb-replica-1",
        "db3" => "mariadb-replica-2",
        other => panic!("no server {other} in compose.yml"),
    }
}

/// `quill db status`, as an operator runs it: server -> (role, gtid, replication).
pub(crate) fn db_status() -> Vec<(String, String, String, String)> {
    compose(&["run", "--rm", "--no-deps", "db-promote", "db", "status"])
        .lines()
        .skip_while(|line| !line.starts_with("server "))
        .skip(1)
        .map(|line| {
            let mut words = line.split_whitespace();
            let mut next = || words.next().unwrap_or_default().to_owned();
            let (name, role, gtid) = (next(), next(), next());
            let rest: Vec<&str> = words.collect();
            (name, role, gtid, rest.join(" "))
        })
        .collect()
}

pub(crate) fn servers_in_role(role: &str) -> Vec<String> {
    db_status()
        .into_iter()
        .filter(|(_, r, _, _)| r == role)
        .map(|(name, ..)| name)
        .collect()
}

/// Waits until one server is the primary and every other one replicates from it with
/// both threads running: where each failure check starts from, as an operator would.
pub(crate) async fn replication_settles() {
    let start = Instant::now();
    loop {
        let status = db_status();
        let primaries = status.iter().filter(|s| s.1 == "primary").count();
        let replicating = status
            .iter()
            .filter(|s| s.1 == "replica" && s.3.contains("io=yes sql=yes"))
            .count();
        if primaries == 1 && replicating + 1 == status.len() {
            return;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "replication never settled: {status:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A sign-up: the write every instance sends to the accounts primary.
pub(crate) async fn sign_up_status(server: &Endpoint, name: &str) -> StatusCode {
    sign_up(&client(), server, name).await.status()
}

/// Usernames that no earlier run of a check on this stack has taken.
pub(crate) fn fresh(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}{nanos}")
}

//! The web tier: two `quill` processes on the cluster sharing one data directory (so
//! one secret key and one embedded post store), and nginx in front of them, from the
//! template compose uses (`docker/nginx/render.sh`: envsubst with an explicit list of
//! variables).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use super::{Topology, repository, run};
use crate::ports::free_port;

/// `quill` must be an executable built with cluster accounts.
pub(super) fn check_binary(quill: &Path) -> anyhow::Result<()> {
    let mode = std::fs::metadata(quill)
        .with_context(|| format!("{} is not there", quill.display()))?
        .permissions()
        .mode();
    if mode & 0o111 == 0 {
        bail!("{} is not executable", quill.display());
    }
    // A build without the `mysql` feature says so, and cannot use the cluster.
    let output = Command::new(quill)
        .args(["db", "status"])
        .env_clear()
        .output()
        .with_context(|| format!("running {}", quill.display()))?;
    let said = [output.stdout, output.stderr].concat();
    if String::from_utf8_lossy(&said).contains("--features mysql") {
        bail!(
            "{} has no cluster accounts: build it with --features mysql",
            quill.display()
        );
    }
    Ok(())
}

impl Topology {
    /// Starts web1, then web2, on the cluster, and nginx in front of them.
    pub(super) fn start_web(&mut self, quill: &Path) -> anyhow::Result<()> {
        let data_dir = self.dir.join("web-data");
        // The schema first, as compose's sql-migrate job does: the instances' account
        // may not change it.
        run(
            Command::new(quill)
                .arg("migrate")
                .env_clear()
                .env("QUILL_DATABASE_URL", &self.migrate_url)
                .env("QUILL_DATA_DIR", &data_dir),
            None,
        )
        .context("quill migrate, as quill_migrate")?;
        let mut ports = Vec::new();
        // web2 starts once web1 answers, so that the embedded store's first migration
        // (and the secret key's creation) is not raced.
        for n in 1..=2 {
            let port = free_port();
            let mut command = Command::new(quill);
            command
                .arg("serve")
                .envs(self.settings.clone())
                .env("QUILL_BIND", format!("127.0.0.1:{port}"))
                .env("QUILL_DATA_DIR", &data_dir)
                .env("QUILL_BEHIND_PROXY", "true")
                .env("QUILL_WORKERS", "2")
                // The web-tier suite's and the benchmarks' load comes from one address.
                .envs(crate::LOAD_TEST_LIMITS);
            let name = format!("web{n}");
            self.spawn(
                &name,
                &mut command,
                &format!("{name}.log"),
                Some(&format!("{name}.pid")),
            )?;
            self.wait_for(&name, &format!("{name} to answer"), || healthz(port))?;
            ports.push(port);
        }

        let port = free_port();
        let run_dir = self.dir.join("nginx");
        std::fs::create_dir_all(&run_dir)?;
        let config = self.dir.join("nginx.conf");
        let servers: Vec<String> = ports
            .iter()
            .map(|port| format!("server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"))
            .collect();
        run(
            Command::new(repository().join("docker/nginx/render.sh"))
                .arg(&config)
                .env("QUILL_NGINX_LISTEN", format!("127.0.0.1:{port}"))
                .env("QUILL_NGINX_STATIC_ROOT", repository().join("static"))
                .env("QUILL_NGINX_RUN_DIR", &run_dir)
                .env("QUILL_NGINX_SERVERS", servers.join("\n        ")),
            None,
        )?;
        run(
            Command::new("nginx")
                .args(["-t", "-q", "-e", "stderr", "-c"])
                .arg(&config),
            None,
        )?;
        self.spawn(
            "nginx",
            Command::new("nginx")
                .args(["-e", "stderr", "-c"])
                .arg(&config)
                .args(["-g", "daemon off;"]),
            "nginx.log",
            None,
        )?;
        self.wait_for("nginx", "nginx to answer", || healthz(port))?;

        let url = |port: &u16| format!("http://127.0.0.1:{port}");
        self.urls = vec![
            ("QUILL_NGINX_URL".to_owned(), url(&port)),
            ("QUILL_WEB1_URL".to_owned(), url(&ports[0])),
            ("QUILL_WEB2_URL".to_owned(), url(&ports[1])),
        ];
        eprintln!(
            "web tier up in {}: web ports {} and {}, nginx port {port}",
            self.dir.display(),
            ports[0],
            ports[1]
        );
        Ok(())
    }

    /// Sends `signal` (`KILL`: a crash; `TERM`: a stop, as in a rolling update) to
    /// `quill` process `n` (1 or 2).
    pub fn signal_web(&self, n: u8, signal: super::Signal) -> anyhow::Result<()> {
        self.process(&format!("web{n}")).signal(signal)
    }
}

/// `GET /healthz` on 127.0.0.1:`port` answers 200.
fn healthz(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).is_ok()
        && status.split_whitespace().nth(1) == Some("200")
}

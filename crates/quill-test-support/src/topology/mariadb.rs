//! The three MariaDB servers: each a generated defaults file that includes
//! `docker/mariadb/quill.cnf` (GTIDs, semi-synchronous replication, `read_only`), the
//! first primary set up by `bootstrap-sql.sh` and the replicas joined by `join-sql.sh`.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use super::{Topology, repository, run};
use crate::ports::free_port;

/// The accounts' passwords, new for each topology.
pub(super) struct Secrets {
    quill: String,
    migrate: String,
    replication: String,
    admin: String,
    monitor: String,
}

impl Secrets {
    pub(super) fn new() -> anyhow::Result<Self> {
        let mut random = std::fs::File::open("/dev/urandom")?;
        let mut secret = || -> anyhow::Result<String> {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            let mut bytes = [0u8; 24];
            random.read_exact(&mut bytes)?;
            Ok(bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect())
        };
        Ok(Self {
            quill: secret()?,
            migrate: secret()?,
            replication: secret()?,
            admin: secret()?,
            monitor: secret()?,
        })
    }

    /// As `bootstrap-sql.sh` reads them.
    fn vars(&self) -> [(&'static str, &str); 5] {
        [
            ("QUILL_DB_PASSWORD", &self.quill),
            ("QUILL_DB_MIGRATE_PASSWORD", &self.migrate),
            ("QUILL_DB_REPL_PASSWORD", &self.replication),
            ("QUILL_DB_ADMIN_PASSWORD", &self.admin),
            ("QUILL_DB_MONITOR_PASSWORD", &self.monitor),
        ]
    }

    pub(super) fn quill(&self) -> &str {
        &self.quill
    }

    /// quill_migrate's, the account that changes the schema (`quill migrate`).
    pub(super) fn migrate(&self) -> &str {
        &self.migrate
    }

    pub(super) fn monitor(&self) -> &str {
        &self.monitor
    }
}

impl Topology {
    /// Installs and starts db1, db2 and db3; db1 becomes the writable primary, and the
    /// others replicate from it by GTID, `replica_delay_secs` late.
    pub(super) fn start_servers(&mut self, replica_delay_secs: u32) -> anyhow::Result<()> {
        let mut installs: Vec<(u8, Child)> = Vec::new();
        for n in 1..=3 {
            let port = free_port();
            self.server_ports.push(port);
            std::fs::create_dir_all(self.dir.join(format!("db{n}.tmp")))?;
            std::fs::write(self.defaults_file(n), self.defaults(n, port))?;
            let log = std::fs::File::create(self.dir.join(format!("db{n}.install.log")))?;
            let install = Command::new("mariadb-install-db")
                .arg(self.defaults_arg(n))
                .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .context("running mariadb-install-db")?;
            installs.push((n, install));
        }
        for (n, mut install) in installs {
            let status = install.wait()?;
            if !status.success() {
                bail!("mariadb-install-db for db{n}: {status} (db{n}.install.log)");
            }
        }

        let user = run(Command::new("id").arg("-un"), None)?;
        for n in 1..=3 {
            self.spawn(
                &format!("db{n}"),
                Command::new("mariadbd")
                    .arg(self.defaults_arg(n))
                    .arg(format!("--user={user}")),
                &format!("db{n}.err"),
                Some(&format!("db{n}.mariadbd.pid")),
            )?;
        }
        for n in 1..=3 {
            let mut ping = self.client(n);
            ping.args(["-e", "SELECT 1"]);
            self.wait_for(&format!("db{n}"), &format!("db{n} to answer"), || {
                run(&mut ping, None).is_ok()
            })?;
        }

        // The first primary: the database and accounts, then writable. The replicas
        // join by GTID from empty and replicate all of it.
        let bootstrap = run(
            Command::new(repository().join("docker/mariadb/bootstrap-sql.sh"))
                .envs(self.secrets.vars()),
            None,
        )?;
        run(&mut self.client(1), Some(&bootstrap))?;
        for n in 2..=3 {
            let join = run(
                Command::new(repository().join("docker/mariadb/join-sql.sh"))
                    .env("QUILL_PRIMARY_HOST", "127.0.0.1")
                    .env("QUILL_PRIMARY_PORT", self.server_ports[0].to_string())
                    .env("QUILL_DB_REPL_PASSWORD", &self.secrets.replication)
                    .env("QUILL_REPLICA_DELAY_SECS", replica_delay_secs.to_string()),
                None,
            )?;
            run(&mut self.client(n), Some(&join))?;
        }
        self.sql(1, "SET GLOBAL read_only = OFF")?;
        Ok(())
    }

    fn defaults(&self, n: u8, port: u16) -> String {
        let shared = repository().join("docker/mariadb/quill.cnf");
        let dir = self.dir.display();
        format!(
            "!include {shared}

[mariadb]
server_id = {n}
datadir = {dir}/db{n}
tmpdir = {dir}/db{n}.tmp
port = {port}
bind_address = 127.0.0.1
socket = {dir}/db{n}.sock
pid_file = {dir}/db{n}.pid
log_error = {dir}/db{n}.err
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M

[client]
socket = {dir}/db{n}.sock
user = root
",
            shared = shared.display()
        )
    }

    fn defaults_file(&self, n: u8) -> PathBuf {
        self.dir.join(format!("db{n}.cnf"))
    }

    fn defaults_arg(&self, n: u8) -> String {
        format!("--defaults-file={}", self.defaults_file(n).display())
    }

    /// A root client of server `n` over its socket.
    fn client(&self, n: u8) -> Command {
        let mut client = Command::new("mariadb");
        client.arg(self.defaults_arg(n));
        client
    }

    /// Runs SQL as root on server `n` (1-3); the rows, tab-separated.
    pub fn sql(&self, n: u8, sql: &str) -> anyhow::Result<String> {
        run(self.client(n).args(["-N", "-B", "-e", sql]), None)
            .with_context(|| format!("db{n}: {sql}"))
    }

    /// Kills server `n` (1-3) at once, as a crash would.
    pub fn kill_server(&self, n: u8) -> anyhow::Result<()> {
        self.process(&format!("db{n}")).kill()
    }

    /// Each server's name (as HAProxy and `QUILL_DB_NODES` know it) and administrator
    /// URL.
    pub fn servers(&self) -> Vec<(String, String)> {
        (1..=3)
            .map(|n| (format!("db{n}"), self.admin_url(n)))
            .collect()
    }

    pub(super) fn admin_url(&self, n: u8) -> String {
        format!(
            "mysql://quill_admin:{}@127.0.0.1:{}/",
            self.secrets.admin,
            self.server_ports[usize::from(n - 1)]
        )
    }
}

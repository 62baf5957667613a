//! HAProxy from `docker/haproxy/haproxy.cfg`, which takes every address from the
//! environment, with `check-mariadb` finding each server's role.

use std::process::Command;

use super::{Topology, repository, run};
use crate::ports::free_port;

impl Topology {
    /// Starts HAProxy and waits until its write port reaches the writable primary and
    /// its read port a replica; then the cluster's settings are known.
    pub(super) fn start_haproxy(&mut self, max_lag_secs: u32) -> anyhow::Result<()> {
        let (write_port, read_port) = (free_port(), free_port());
        let config = repository().join("docker/haproxy/haproxy.cfg");
        let socket = self.dir.join("haproxy.sock");
        let mut vars = vec![
            (
                "QUILL_HAPROXY_WRITE_BIND".to_owned(),
                format!("127.0.0.1:{write_port}"),
            ),
            (
                "QUILL_HAPROXY_READ_BIND".to_owned(),
                format!("127.0.0.1:{read_port}"),
            ),
            (
                "QUILL_HAPROXY_ADMIN_BIND".to_owned(),
                socket.display().to_string(),
            ),
            (
                "QUILL_HAPROXY_CHECK".to_owned(),
                repository()
                    .join("docker/haproxy/check-mariadb")
                    .display()
                    .to_string(),
            ),
            // How often HAProxy checks each server, where haproxy.cfg takes it from the
            // environment: often, since the tests break servers on purpose and wait for
            // HAProxy to notice (the CPU it costs does not matter for a topology that
            // lives a few seconds).
            ("QUILL_HAPROXY_CHECK_INTER".to_owned(), "500ms".to_owned()),
            // check-mariadb reads these from HAProxy's environment.
            (
                "QUILL_DB_MONITOR_PASSWORD".to_owned(),
                self.secrets.monitor().to_owned(),
            ),
            (
                "QUILL_CHECK_MAX_LAG_SECS".to_owned(),
                max_lag_secs.to_string(),
            ),
        ];
        for (n, port) in (1..).zip(&self.server_ports) {
            vars.push((format!("QUILL_DB{n}_ADDR"), format!("127.0.0.1:{port}")));
        }
        run(
            Command::new("haproxy")
                .args(["-c", "-q", "-f"])
                .arg(&config)
                .envs(vars.clone()),
            None,
        )?;
        self.spawn(
            "haproxy",
            Command::new("haproxy")
                .args(["-db", "-f"])
                .arg(&config)
                .envs(vars),
            "haproxy.log",
            None,
        )?;

        // Up once the write port reaches the writable primary and the read port a
        // replica, as Quill's account reaches them.
        let password = self.secrets.quill().to_owned();
        let read_only = |port: u16| {
            run(
                Command::new("mariadb")
                    .args(["--no-defaults", "--protocol=tcp", "-h", "127.0.0.1"])
                    .arg(format!("-P{port}"))
                    .args(["-u", "quill", "-N", "-B", "-e", "SELECT @@read_only"])
                    .env("MYSQL_PWD", &password),
                None,
            )
            .ok()
        };
        self.wait_for("haproxy", "the write port to reach the primary", || {
            read_only(write_port).as_deref() == Some("0")
        })?;
        self.wait_for("haproxy", "the read port to reach a replica", || {
            read_only(read_port).as_deref() == Some("1")
        })?;

        let database = |port: u16| format!("mysql://quill:{password}@127.0.0.1:{port}/quill");
        // The schema is quill_migrate's to change: quill's rights are rows only, as in
        // compose (bootstrap-sql.sh).
        self.migrate_url = format!(
            "mysql://quill_migrate:{}@127.0.0.1:{write_port}/quill",
            self.secrets.migrate()
        );
        let nodes: Vec<String> = self
            .servers()
            .into_iter()
            .map(|(name, url)| format!("{name}={url}"))
            .collect();
        self.settings = vec![
            ("QUILL_DATABASE_URL".to_owned(), database(write_port)),
            ("QUILL_DATABASE_READ_URL".to_owned(), database(read_port)),
            ("QUILL_DB_NODES".to_owned(), nodes.join(",")),
            (
                "QUILL_HAPROXY_ADMIN".to_owned(),
                format!("unix:{}", socket.display()),
            ),
        ];
        eprintln!(
            "cluster up in {}: write port {write_port}, read port {read_port}",
            self.dir.display()
        );
        Ok(())
    }
}

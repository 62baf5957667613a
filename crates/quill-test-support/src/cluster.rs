//! The accounts cluster for a test: a [`Topology`] of its own (the failure tests break
//! theirs), and Quill instances in the test's process that share one data directory,
//! so one secret key and one embedded post store.
//!
//! The topology's folder goes under `QUILL_TEST_CLUSTER_ROOT` (the test command's
//! folder, so that it can stop what a killed test left behind), else `/dev/shm`.

use std::path::{Path, PathBuf};

use quill_accounts::{MysqlUrls, PoolSize};
use quill_domain::Secret;
use quill_ops::{HaproxyAdmin, Node};

use crate::app::{DataDir, TestApp};
use crate::http::Endpoint;
use crate::test_env::{self, Need};
use crate::topology::{Options, Signal, Topology};

pub struct Cluster {
    topology: Topology,
    data_dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts a cluster, or returns `None` (saying SKIPPED) when a tool it needs is not
    /// installed and the test command did not require it.
    pub fn start(options: Options) -> Option<Self> {
        let missing = options.missing_tools();
        if !test_env::can_run(
            Need::Cluster,
            &missing,
            "install mariadb-server, haproxy, nginx and gettext-base, as scripts/test.sh does",
        ) {
            return None;
        }
        let root = test_env::cluster_root().unwrap_or_else(|| {
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
        let topology = options.start(&dir).unwrap_or_else(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            panic!("{e:?}")
        });
        Some(Self {
            topology,
            data_dir: tempfile::tempdir().expect("data dir"),
        })
    }

    /// The whole topology: the cluster, two `quill` processes of this build's binary,
    /// and nginx in front of them. `None` as for `start`.
    pub fn start_with_web(options: Options) -> Option<Self> {
        Self::start(options.web(quill_binary()))
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// A Quill instance in this process on the cluster, with the load tests' rate
    /// limits ([`crate::LOAD_TEST_LIMITS`]) and `extra` settings. The schema is
    /// migrated first, as quill_migrate (compose's sql-migrate job): the instance's own
    /// account may change rows only.
    pub async fn quill(&self, extra: &[(&str, &str)]) -> TestApp {
        self.migrate().await;
        TestApp::builder()
            .vars(self.topology.settings().iter().cloned())
            .var("QUILL_DB_TIMEOUT_MS", "1000")
            .vars(crate::LOAD_TEST_LIMITS)
            .vars(extra.iter().copied())
            .data_dir(DataDir::At(self.data_dir.path().to_owned()))
            .spawn()
            .await
    }

    /// Two Quill instances in this process on the cluster, with `extra` settings.
    pub async fn quills(&self, extra: &[(&str, &str)]) -> [TestApp; 2] {
        [self.quill(extra).await, self.quill(extra).await]
    }

    /// Brings the schema up to this build, as quill_migrate; nothing when it is.
    pub async fn migrate(&self) {
        let pool = PoolSize {
            connections: 1,
            checkout_timeout: std::time::Duration::from_secs(5),
        };
        quill_accounts::Db::connect_mysql(&self.migrate_urls(), pool, std::time::Duration::ZERO)
            .expect("connecting as quill_migrate")
            .migrate()
            .await
            .expect("migrating as quill_migrate");
    }

    /// HAProxy's write port as quill_migrate, the account that may change the schema.
    pub fn migrate_urls(&self) -> MysqlUrls {
        let url = Secret::new(self.topology.migrate_url().to_owned());
        MysqlUrls {
            write: url.clone(),
            read: url,
        }
    }

    /// HAProxy's write and read ports, as Quill's account reaches them.
    pub fn urls(&self) -> MysqlUrls {
        MysqlUrls {
            write: Secret::new(self.topology.var("QUILL_DATABASE_URL").to_owned()),
            read: Secret::new(self.topology.var("QUILL_DATABASE_READ_URL").to_owned()),
        }
    }

    /// Runs SQL as root on server `n` (1-3), which must succeed; the rows,
    /// tab-separated.
    pub fn sql(&self, n: u8, sql: &str) -> String {
        self.topology
            .sql(n, sql)
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// The one number a `SELECT COUNT(*)` on server `n` answers.
    pub fn count(&self, n: u8, sql: &str) -> i64 {
        self.sql(n, sql).parse().expect("a count")
    }

    /// Replica `n` applies what it receives `secs` late (`MASTER_DELAY`).
    pub fn delay_replica(&self, n: u8, secs: u32) {
        self.sql(
            n,
            &format!("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = {secs}; START SLAVE"),
        );
    }

    /// Kills server `n` (1-3) at once, as a crash would.
    pub fn kill(&self, n: u8) {
        self.topology.kill_server(n).expect("killing a server");
    }

    /// Sends `signal` to `quill` process `n` (1 or 2; `start_with_web` only).
    pub fn signal_web(&self, n: u8, signal: Signal) {
        self.topology
            .signal_web(n, signal)
            .expect("signalling a quill process");
    }

    /// nginx in front of the two `quill` processes (`start_with_web` only).
    pub fn nginx(&self) -> Endpoint {
        Endpoint::new(self.topology.var("QUILL_NGINX_URL"))
    }

    pub fn nodes(&self) -> Vec<Node> {
        self.topology
            .servers()
            .into_iter()
            .map(|(name, url)| Node {
                name,
                url: Secret::new(url),
            })
            .collect()
    }

    pub fn haproxy(&self) -> HaproxyAdmin {
        HaproxyAdmin {
            address: self.topology.var("QUILL_HAPROXY_ADMIN").to_owned(),
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

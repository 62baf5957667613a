//! The one typed configuration of a Quill process, read from `QUILL_*` variables.
//!
//! Every setting has a default fit for `cargo run`; a malformed value stops the process
//! with a message that names the variable. Nothing else reads the environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

#[cfg(feature = "mysql")]
use quill_accounts::MysqlUrls;
use quill_accounts::{PasswordPolicy, ThrottleLimits};
#[cfg(feature = "mysql")]
use quill_domain::Secret;
use quill_posts::{CassandraConfig, CassandraConfigError};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `QUILL_BIND`: the address to listen on.
    pub bind: SocketAddr,
    /// `QUILL_DATA_DIR`: SQLite databases and the session key live here.
    pub data_dir: PathBuf,
    /// `QUILL_SECRET_KEY_FILE`: the master key, shared by every instance, instead of
    /// `secret.key` in the data directory (made on first start).
    pub secret_key_file: Option<PathBuf>,
    /// `QUILL_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `QUILL_LOG`: a tracing filter such as `info` or `quill_web=debug,info`.
    pub log_filter: String,
    /// `QUILL_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `QUILL_COOKIE_SECURE`: mark cookies `Secure` (set it when TLS terminates in front).
    pub cookie_secure: bool,
    /// `QUILL_BEHIND_PROXY`: trust the proxy's `X-Forwarded-For` for the client address.
    pub behind_proxy: bool,
    /// `QUILL_SESSION_IDLE_SECS`: a session unused this long ends.
    pub session_idle: Duration,
    /// `QUILL_SESSION_ABSOLUTE_SECS`: a session ends this long after login regardless.
    pub session_absolute: Duration,
    /// `QUILL_LOGIN_ACCOUNT_LIMIT`, `QUILL_LOGIN_ADDRESS_LIMIT`, `QUILL_LOGIN_WINDOW_SECS`.
    pub login_throttle: ThrottleLimits,
    /// `QUILL_ARGON2_MEMORY_KIB`, `QUILL_ARGON2_ITERATIONS`, `QUILL_ARGON2_PARALLELISM`.
    pub password_policy: PasswordPolicy,
    /// `QUILL_HASH_CONCURRENCY`: password hashes computed at once.
    pub hash_concurrency: usize,
    /// `QUILL_DATABASE_URL` and `QUILL_DATABASE_READ_URL`: MariaDB/MySQL for accounts
    /// (the cluster), instead of SQLite in the data directory.
    #[cfg(feature = "mysql")]
    pub database: Option<MysqlUrls>,
    /// `QUILL_DB_CAUSAL_WAIT_MS`: how long a replica read waits for the client's last
    /// write to arrive before it reads from the primary instead.
    pub db_causal_wait: Duration,
    /// `QUILL_CASSANDRA_*`: posts in Cassandra (the cluster) instead of the embedded store
    /// in the data directory. Set by `QUILL_CASSANDRA_NODES`.
    pub cassandra: Option<CassandraConfig>,
    /// `QUILL_DB_POOL_SIZE`: connections per database pool.
    pub db_pool_size: u32,
    /// `QUILL_DB_TIMEOUT_MS`: how long a request waits for a pooled connection.
    pub db_timeout: Duration,
    /// `QUILL_MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `QUILL_SHUTDOWN_SECS`: how long in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "{name} is set, but this quill was built without cluster accounts (MariaDB/MySQL); \
         build one with `cargo build --release --features mysql`, which needs MariaDB's \
         client library (Debian: apt-get install libmariadb-dev pkg-config)"
    )]
    WithoutMysql { name: &'static str },
    #[error(transparent)]
    Cassandra(#[from] CassandraConfigError),
}

/// The settings only a build with the `mysql` feature understands.
#[cfg(not(feature = "mysql"))]
const MYSQL_SETTINGS: [&str; 4] = [
    "QUILL_DATABASE_URL",
    "QUILL_DATABASE_READ_URL",
    "QUILL_DB_NODES",
    "QUILL_HAPROXY_ADMIN",
];

struct Env(HashMap<String, String>);

impl Env {
    fn get<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, SettingsError>
    where
        T::Err: std::fmt::Display,
    {
        self.parse_with(name, default, |raw| {
            raw.parse::<T>().map_err(|e| e.to_string())
        })
    }

    fn parse_with<T>(
        &self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SettingsError> {
        match self.0.get(name) {
            None => Ok(default),
            Some(raw) => parse(raw.trim()).map_err(|reason| SettingsError::Invalid {
                name,
                // Database URLs carry passwords.
                value: if name.ends_with("_URL") || name.ends_with("_PASSWORD") {
                    "<redacted>".into()
                } else {
                    raw.clone()
                },
                reason,
            }),
        }
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, SettingsError> {
        self.parse_with(name, default, |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err("expected true or false".into()),
            }
        })
    }

    fn positive<T>(&self, name: &'static str, default: T) -> Result<T, SettingsError>
    where
        T: FromStr + PartialOrd + Default + Copy,
        T::Err: std::fmt::Display,
    {
        let value = self.get(name, default)?;
        if value > T::default() {
            Ok(value)
        } else {
            Err(SettingsError::Invalid {
                name,
                value: self.0.get(name).cloned().unwrap_or_default(),
                reason: "must be greater than zero".into(),
            })
        }
    }

    fn secs(&self, name: &'static str, default: u64) -> Result<Duration, SettingsError> {
        self.positive(name, default).map(Duration::from_secs)
    }
}

impl Settings {
    /// Reads the settings from this process's environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads the settings from `QUILL_*` pairs; other names are ignored.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let env = Env(vars
            .into_iter()
            .filter(|(name, _)| name.starts_with("QUILL_"))
            .collect());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let floor = PasswordPolicy::OWASP_FLOOR;
        let password_policy = PasswordPolicy {
            memory_kib: env.get("QUILL_ARGON2_MEMORY_KIB", floor.memory_kib)?,
            iterations: env.get("QUILL_ARGON2_ITERATIONS", floor.iterations)?,
            parallelism: env.get("QUILL_ARGON2_PARALLELISM", floor.parallelism)?,
        };
        if !password_policy.meets_floor() {
            return Err(SettingsError::Invalid {
                name: "QUILL_ARGON2_MEMORY_KIB",
                value: format!("{password_policy:?}"),
                reason: format!(
                    "argon2id costs may not go below OWASP's floor (m={}, t={}, p={})",
                    floor.memory_kib, floor.iterations, floor.parallelism
                ),
            });
        }
        #[cfg(not(feature = "mysql"))]
        if let Some(name) = MYSQL_SETTINGS
            .into_iter()
            .find(|name| env.0.contains_key(*name))
        {
            return Err(SettingsError::WithoutMysql { name });
        }
        Ok(Self {
            bind: env.get("QUILL_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            data_dir: env.get("QUILL_DATA_DIR", PathBuf::from("./quill-data"))?,
            secret_key_file: env
                .get("QUILL_SECRET_KEY_FILE", PathBuf::new())
                .map(|path| Some(path).filter(|path| !path.as_os_str().is_empty()))?,
            workers: env.positive("QUILL_WORKERS", cores)?,
            log_filter: env.get("QUILL_LOG", "info".to_owned())?,
            log_format: env.parse_with("QUILL_LOG_FORMAT", LogFormat::Text, |raw| match raw {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err("expected text or json".into()),
            })?,
            cookie_secure: env.flag("QUILL_COOKIE_SECURE", false)?,
            behind_proxy: env.flag("QUILL_BEHIND_PROXY", false)?,
            session_idle: env.secs("QUILL_SESSION_IDLE_SECS", 24 * 3600)?,
            session_absolute: env.secs("QUILL_SESSION_ABSOLUTE_SECS", 14 * 24 * 3600)?,
            login_throttle: ThrottleLimits {
                per_account: env.positive("QUILL_LOGIN_ACCOUNT_LIMIT", 5)?,
                per_address: env.positive("QUILL_LOGIN_ADDRESS_LIMIT", 50)?,
                window: env.secs("QUILL_LOGIN_WINDOW_SECS", 15 * 60)?,
            },
            password_policy,
            hash_concurrency: env
                .positive("QUILL_HASH_CONCURRENCY", cores.saturating_sub(1).max(1))?,
            #[cfg(feature = "mysql")]
            database: database_urls(&env)?,
            db_causal_wait: env
                .get("QUILL_DB_CAUSAL_WAIT_MS", 100)
                .map(Duration::from_millis)?,
            cassandra: CassandraConfig::from_lookup(
                |name| env.0.get(name).cloned(),
                CassandraConfig::REQUEST_TIMEOUT,
            )?,
            db_pool_size: env.positive("QUILL_DB_POOL_SIZE", 8)?,
            db_timeout: env
                .positive("QUILL_DB_TIMEOUT_MS", 1000)
                .map(Duration::from_millis)?,
            max_body_bytes: env.positive("QUILL_MAX_BODY_BYTES", 256 * 1024)?,
            shutdown_timeout: env.secs("QUILL_SHUTDOWN_SECS", 30)?,
        })
    }
}

#[cfg(feature = "mysql")]
fn database_urls(env: &Env) -> Result<Option<MysqlUrls>, SettingsError> {
    let mysql_url = |raw: &str| {
        if raw.starts_with("mysql://") {
            Ok(raw.to_owned())
        } else {
            Err("expected mysql://user:password@host:port/database".to_owned())
        }
    };
    let Some(write) = env.parse_with("QUILL_DATABASE_URL", None, |raw| mysql_url(raw).map(Some))?
    else {
        if env.0.contains_key("QUILL_DATABASE_READ_URL") {
            return Err(SettingsError::Invalid {
                name: "QUILL_DATABASE_READ_URL",
                value: "<redacted>".into(),
                reason: "set QUILL_DATABASE_URL too".into(),
            });
        }
        return Ok(None);
    };
    let read = env.parse_with("QUILL_DATABASE_READ_URL", write.clone(), mysql_url)?;
    Ok(Some(MysqlUrls {
        write: Secret::new(write),
        read: Secret::new(read),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_suit_a_local_run() {
        let settings = Settings::from_vars(vars(&[("HOME", "/root")])).expect("defaults");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("./quill-data"));
        assert_eq!(settings.password_policy, PasswordPolicy::OWASP_FLOOR);
        assert_eq!(settings.log_format, LogFormat::Text);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = Settings::from_vars(vars(&[("QUILL_BIND", "nowhere")]))
            .expect_err("bad bind")
            .to_string();
        assert!(
            err.starts_with("QUILL_BIND=\"nowhere\" is not valid"),
            "{err}"
        );
        let err = Settings::from_vars(vars(&[("QUILL_WORKERS", "0")]))
            .expect_err("zero workers")
            .to_string();
        assert!(
            err.contains("QUILL_WORKERS") && err.contains("greater than zero"),
            "{err}"
        );
        let err = Settings::from_vars(vars(&[("QUILL_COOKIE_SECURE", "maybe")]))
            .expect_err("bad flag")
            .to_string();
        assert!(err.contains("QUILL_COOKIE_SECURE"), "{err}");
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn database_urls_are_checked_and_never_echoed() {
        let settings = Settings::from_vars(vars(&[(
            "QUILL_DATABASE_URL",
            "mysql://quill:hunter22@127.0.0.1:3306/quill",
        )]))
        .expect("cluster settings");
        let urls = settings.database.expect("database urls");
        assert_eq!(urls.read, urls.write, "reads default to the write URL");
        assert!(!format!("{urls:?}").contains("hunter22"));

        let err = Settings::from_vars(vars(&[("QUILL_DATABASE_URL", "postgres://u:hunter22@h/d")]))
            .expect_err("not mysql")
            .to_string();
        assert!(
            err.contains("QUILL_DATABASE_URL") && !err.contains("hunter22"),
            "{err}"
        );
        let err = Settings::from_vars(vars(&[(
            "QUILL_DATABASE_READ_URL",
            "mysql://u:hunter22@h/d",
        )]))
        .expect_err("read URL alone")
        .to_string();
        assert!(err.contains("QUILL_DATABASE_URL too"), "{err}");
    }

    #[cfg(not(feature = "mysql"))]
    #[test]
    fn cluster_settings_say_how_to_build_a_quill_that_has_them() {
        for name in MYSQL_SETTINGS {
            let err = Settings::from_vars(vars(&[(name, "mysql://quill:hunter22@h:3306/quill")]))
                .expect_err(name)
                .to_string();
            assert!(
                err.starts_with(name)
                    && err.contains("--features mysql")
                    && !err.contains("hunter22"),
                "{err}"
            );
        }
    }

    #[test]
    fn argon2_costs_below_the_floor_are_refused() {
        let err = Settings::from_vars(vars(&[("QUILL_ARGON2_MEMORY_KIB", "1024")]))
            .expect_err("weak argon2")
            .to_string();
        assert!(err.contains("OWASP"), "{err}");
        let strong =
            Settings::from_vars(vars(&[("QUILL_ARGON2_ITERATIONS", "3")])).expect("stronger");
        assert_eq!(strong.password_policy.iterations, 3);
    }

    #[test]
    fn cassandra_nodes_switch_posts_to_cassandra() {
        use quill_posts::cassandra::{Consistency, Replication};

        let settings = Settings::from_vars(vars(&[("HOME", "/root")])).expect("defaults");
        assert_eq!(settings.cassandra, None);
        let settings = Settings::from_vars(vars(&[
            ("QUILL_CASSANDRA_NODES", "cassandra-1:9042,cassandra-2:9042"),
            ("QUILL_CASSANDRA_DC", "dc1"),
            (
                "QUILL_CASSANDRA_REPLICATION",
                "NetworkTopologyStrategy:dc1=3",
            ),
        ]))
        .expect("cassandra settings");
        let cassandra = settings.cassandra.expect("cassandra");
        assert_eq!(cassandra.nodes, ["cassandra-1:9042", "cassandra-2:9042"]);
        assert_eq!(
            (cassandra.keyspace.as_str(), cassandra.consistency),
            ("quill", Consistency::LocalQuorum)
        );
        assert_eq!(cassandra.datacenter.as_deref(), Some("dc1"));
        assert_eq!(
            cassandra.replication,
            Replication::NetworkTopology(vec![(Some("dc1".into()), 3)])
        );
        for (name, bad) in [
            ("QUILL_CASSANDRA_KEYSPACE", "quill; DROP"),
            ("QUILL_CASSANDRA_CONSISTENCY", "MOST"),
            ("QUILL_CASSANDRA_REPLICATION", "SimpleStrategy:0"),
            ("QUILL_CASSANDRA_TIMEOUT_MS", "0"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
        ] {
            let err =
                Settings::from_vars(vars(&[("QUILL_CASSANDRA_NODES", "a:9042"), (name, bad)]))
                    .expect_err(name)
                    .to_string();
            let expected = name.replace("USERNAME", "PASSWORD");
            assert!(err.starts_with(&expected), "{err}");
        }
        let err = Settings::from_vars(vars(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_PASSWORD", "hunter22"),
        ]))
        .expect_err("a password alone")
        .to_string();
        assert!(
            err.starts_with("QUILL_CASSANDRA_USERNAME") && !err.contains("hunter22"),
            "{err}"
        );
        let login = Settings::from_vars(vars(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
            ("QUILL_CASSANDRA_PASSWORD", "hunter22"),
        ]))
        .expect("credentials")
        .cassandra
        .and_then(|c| c.credentials)
        .expect("credentials");
        assert_eq!(
            (login.username.as_str(), login.password.expose().as_str()),
            ("quill", "hunter22")
        );
    }
}

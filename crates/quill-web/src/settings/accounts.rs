//! The accounts database: SQLite in the data directory, or, in a build with the `mysql`
//! feature, MariaDB/MySQL through HAProxy; and the size and wait of the SQL pools.

use std::time::Duration;

#[cfg(feature = "mysql")]
use quill_accounts::MysqlUrls;
#[cfg(feature = "mysql")]
use quill_domain::Secret;

#[cfg(feature = "mysql")]
use super::env::Shown;
use super::env::{Env, SettingsError};

#[derive(Debug, Clone)]
pub struct AccountsSettings {
    /// `QUILL_DATABASE_URL` and `QUILL_DATABASE_READ_URL`: MariaDB/MySQL for accounts
    /// (the cluster), instead of SQLite in the data directory.
    #[cfg(feature = "mysql")]
    pub database: Option<MysqlUrls>,
    /// `QUILL_DB_CAUSAL_WAIT_MS`: how long a replica read waits for the client's last
    /// write to arrive before it reads from the primary instead.
    pub causal_wait: Duration,
    /// `QUILL_DB_POOL_SIZE`: connections per database pool; the embedded post store's
    /// pools have this size too.
    pub pool_size: u32,
    /// `QUILL_DB_TIMEOUT_MS`: how long a request waits for a pooled connection.
    pub timeout: Duration,
}

/// The settings only a build with the `mysql` feature understands. The `db` commands'
/// settings are read by `quill-ops`; a build without it still refuses them here.
#[cfg(not(feature = "mysql"))]
pub(super) const MYSQL_SETTINGS: [&str; 4] = [
    "QUILL_DATABASE_URL",
    "QUILL_DATABASE_READ_URL",
    "QUILL_DB_NODES",
    "QUILL_HAPROXY_ADMIN",
];

#[cfg(feature = "mysql")]
#[derive(Debug, thiserror::Error)]
#[error("expected mysql://user:password@host:port/database")]
pub struct NotAMysqlUrl;

#[cfg(feature = "mysql")]
#[derive(Debug, thiserror::Error)]
#[error("set QUILL_DATABASE_URL too")]
pub struct WithoutWriteUrl;

/// A URL whose password is still `.env.example`'s: the deployment was never given its
/// own secrets.
#[cfg(feature = "mysql")]
#[derive(Debug, thiserror::Error)]
#[error(
    "its password is still a placeholder of .env.example (changeme...): set a real one \
     (openssl rand -hex 24)"
)]
pub struct PlaceholderPassword;

#[cfg(feature = "mysql")]
#[derive(Debug, thiserror::Error)]
enum BadMysqlUrl {
    #[error(transparent)]
    NotAMysqlUrl(#[from] NotAMysqlUrl),
    #[error(transparent)]
    Placeholder(#[from] PlaceholderPassword),
}

impl AccountsSettings {
    pub(super) fn from_env(env: &Env) -> Result<Self, SettingsError> {
        #[cfg(not(feature = "mysql"))]
        if let Some(name) = MYSQL_SETTINGS
            .into_iter()
            .find(|name| env.lookup(name).is_some())
        {
            return Err(SettingsError::WithoutMysql { name });
        }
        Ok(Self {
            #[cfg(feature = "mysql")]
            database: database_urls(env)?,
            causal_wait: env
                .parse("QUILL_DB_CAUSAL_WAIT_MS", 100)
                .map(Duration::from_millis)?,
            pool_size: env.positive("QUILL_DB_POOL_SIZE", 8)?,
            timeout: env.millis("QUILL_DB_TIMEOUT_MS", 1000)?,
        })
    }
}

/// `QUILL_DATABASE_URL`, and `QUILL_DATABASE_READ_URL` (default: the same), both secrets.
#[cfg(feature = "mysql")]
fn database_urls(env: &Env) -> Result<Option<MysqlUrls>, SettingsError> {
    let mysql_url = |raw: &str| {
        let url = Secret::new(raw.to_owned());
        if !raw.starts_with("mysql://") {
            Err(BadMysqlUrl::from(NotAMysqlUrl))
        } else if url.has_placeholder_password() {
            Err(BadMysqlUrl::from(PlaceholderPassword))
        } else {
            Ok(url)
        }
    };
    let write = env.secret_with("QUILL_DATABASE_URL", None, |raw| mysql_url(raw).map(Some))?;
    let Some(write) = write else {
        if let Some(read) = env.lookup("QUILL_DATABASE_READ_URL") {
            return Err(SettingsError::Invalid {
                name: "QUILL_DATABASE_READ_URL",
                value: Shown::Secret(Secret::new(read)),
                reason: Box::new(WithoutWriteUrl),
            });
        }
        return Ok(None);
    };
    let read = env.secret_with("QUILL_DATABASE_READ_URL", write.clone(), mysql_url)?;
    Ok(Some(MysqlUrls { write, read }))
}

#[cfg(test)]
mod tests {
    use super::super::{Settings, env::vars};

    #[cfg(feature = "mysql")]
    #[test]
    fn database_urls_are_checked_and_never_echoed() {
        let settings = Settings::from_vars(vars(&[(
            "QUILL_DATABASE_URL",
            "mysql://quill:hunter22@127.0.0.1:3306/quill",
        )]))
        .expect("cluster settings");
        let urls = settings.accounts.database.expect("database urls");
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
        assert!(
            err.contains("QUILL_DATABASE_URL too") && !err.contains("hunter22"),
            "{err}"
        );
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn a_placeholder_password_in_a_database_url_is_refused_by_name() {
        for name in ["QUILL_DATABASE_URL", "QUILL_DATABASE_READ_URL"] {
            let err = Settings::from_vars(vars(&[
                (
                    "QUILL_DATABASE_URL",
                    "mysql://quill:9f2c0e5b@haproxy:3306/quill",
                ),
                (name, "mysql://quill:changemeapp@haproxy:3306/quill"),
            ]))
            .expect_err(name)
            .to_string();
            assert!(
                err.starts_with(&format!("{name}=<redacted> is not valid"))
                    && err.contains("placeholder of .env.example")
                    && !err.contains("changemeapp"),
                "{err}"
            );
        }
    }

    #[cfg(not(feature = "mysql"))]
    #[test]
    fn cluster_settings_say_how_to_build_a_quill_that_has_them() {
        for name in super::MYSQL_SETTINGS {
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
}

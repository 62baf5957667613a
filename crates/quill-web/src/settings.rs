//! The one typed configuration of a Quill process, read from `QUILL_*` variables.
//!
//! One module per concern parses that concern's variables, each variable once:
//! `http`, `session`, `login`, `accounts` (the accounts database), `limits` (the rate
//! limits), `cassandra` and `log`; the data directory and the master key are the
//! process's own. Every setting has a default fit for `cargo run`; a malformed value
//! stops the process with a message that names the variable and never shows a secret.
//! Nothing else in this crate reads the environment. The `db` commands' settings are
//! `quill-ops`'s.

mod accounts;
mod cassandra;
mod env;
mod http;
mod limits;
mod log;
mod login;
mod session;

use std::path::PathBuf;

use quill_accounts::RateLimits;
use quill_posts::CassandraConfig;

pub use accounts::AccountsSettings;
pub use env::{BUILD_WITH_MYSQL, SettingsError, Shown};
pub use http::HttpSettings;
pub use log::{LogFormat, LogSettings};
pub use login::LoginSettings;
pub use session::SessionSettings;

use env::Env;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `QUILL_DATA_DIR`: the SQLite databases and the master key live here.
    pub data_dir: PathBuf,
    /// `QUILL_SECRET_KEY_FILE`: the master key, shared by every instance, instead of
    /// `secret.key` in the data directory (made on first start).
    pub secret_key_file: Option<PathBuf>,
    pub http: HttpSettings,
    pub session: SessionSettings,
    pub login: LoginSettings,
    pub accounts: AccountsSettings,
    /// `QUILL_SIGNUP_*`, `QUILL_API_SESSION_*`, `QUILL_POST_TOKEN_*`: the rate limits
    /// (`settings/limits.rs`).
    pub limits: RateLimits,
    /// `QUILL_CASSANDRA_*`: posts in Cassandra (the cluster) instead of the embedded
    /// store in the data directory. Set by `QUILL_CASSANDRA_NODES`.
    pub cassandra: Option<CassandraConfig>,
    pub log: LogSettings,
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
        let env = Env::new(vars);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // Concerns whose refusal says more come first: a weak password policy, and
        // cluster settings given to a build without cluster accounts.
        let login = LoginSettings::from_env(&env, cores)?;
        let accounts = AccountsSettings::from_env(&env)?;
        Ok(Self {
            data_dir: env.parse("QUILL_DATA_DIR", PathBuf::from("./quill-data"))?,
            secret_key_file: env.optional("QUILL_SECRET_KEY_FILE").map(PathBuf::from),
            http: HttpSettings::from_env(&env, cores)?,
            session: SessionSettings::from_env(&env)?,
            login,
            accounts,
            limits: limits::from_env(&env)?,
            cassandra: cassandra::from_env(&env)?,
            log: LogSettings::from_env(&env)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use quill_accounts::PasswordPolicy;

    use super::env::vars;
    use super::*;

    #[test]
    fn defaults_suit_a_local_run() {
        let settings = Settings::from_vars(vars(&[("HOME", "/root")])).expect("defaults");
        assert_eq!(settings.http.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("./quill-data"));
        assert_eq!(settings.login.password_policy, PasswordPolicy::OWASP_FLOOR);
        assert_eq!(settings.log.format, LogFormat::Text);
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
}

//! Reading `QUILL_*` variables. [`Env`] holds them, trimmed; each concern's module
//! parses its own variables with these helpers, once each, and every failure is a
//! [`SettingsError`] that names the variable and shows its value only when it is not
//! a secret.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use quill_domain::Secret;
use quill_posts::CassandraConfigError;

/// Why a process cannot start with the settings it was given.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name}={value} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: Shown,
        reason: Box<dyn Error + Send + Sync>,
    },
    #[error(
        "{name} is set, but this quill was built without cluster accounts (MariaDB/MySQL); \
         {BUILD_WITH_MYSQL}"
    )]
    WithoutMysql { name: &'static str },
    #[error(transparent)]
    Cassandra(#[from] CassandraConfigError),
}

/// How to get a `quill` with cluster accounts and the `db` commands.
pub const BUILD_WITH_MYSQL: &str = "build one with `cargo build --release --features mysql`, \
     which needs MariaDB's client library (Debian: apt-get install libmariadb-dev pkg-config)";

/// A refused value as an error shows it: quoted, or `<redacted>` when it is a secret.
#[derive(Debug)]
pub enum Shown {
    Plain(String),
    Secret(Secret),
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(value) => write!(f, "{value:?}"),
            Self::Secret(secret) => secret.fmt(f),
        }
    }
}

/// A yes/no setting that is neither.
#[derive(Debug, thiserror::Error)]
#[error("expected true or false")]
pub struct NotAFlag;

/// A count, size or duration of zero.
#[derive(Debug, thiserror::Error)]
#[error("must be greater than zero")]
pub struct NotPositive;

/// The `QUILL_*` variables of a process, values trimmed.
pub struct Env(HashMap<String, String>);

impl Env {
    /// Keeps the `QUILL_*` pairs; other names are ignored.
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(
            vars.into_iter()
                .filter(|(name, _)| name.starts_with("QUILL_"))
                .map(|(name, value)| (name, value.trim().to_owned()))
                .collect(),
        )
    }

    /// The raw value, for readers that live in other crates (Cassandra's).
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    /// `name` through `parse`, or `default` when it is unset.
    pub fn parse_with<T, E>(
        &self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, SettingsError>
    where
        E: Error + Send + Sync + 'static,
    {
        self.read(name, default, parse, |raw| Shown::Plain(raw.to_owned()))
    }

    /// As [`Self::parse_with`] for a value that must never be shown. Only the
    /// database URLs are secret, and only a `mysql` build reads them.
    #[cfg(feature = "mysql")]
    pub fn secret_with<T, E>(
        &self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, SettingsError>
    where
        E: Error + Send + Sync + 'static,
    {
        self.read(name, default, parse, |raw| {
            Shown::Secret(Secret::new(raw.to_owned()))
        })
    }

    fn read<T, E>(
        &self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, E>,
        show: impl FnOnce(&str) -> Shown,
    ) -> Result<T, SettingsError>
    where
        E: Error + Send + Sync + 'static,
    {
        match self.0.get(name) {
            None => Ok(default),
            Some(raw) => parse(raw).map_err(|reason| SettingsError::Invalid {
                name,
                value: show(raw),
                reason: Box::new(reason),
            }),
        }
    }

    /// `name` through its type's `FromStr`.
    pub fn parse<T>(&self, name: &'static str, default: T) -> Result<T, SettingsError>
    where
        T: FromStr,
        T::Err: Error + Send + Sync + 'static,
    {
        self.parse_with(name, default, str::parse)
    }

    /// `true`, `1`, `yes`, `on` or `false`, `0`, `no`, `off`, in any case.
    pub fn flag(&self, name: &'static str, default: bool) -> Result<bool, SettingsError> {
        self.parse_with(name, default, |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(NotAFlag),
            }
        })
    }

    /// A number greater than zero.
    pub fn positive<T>(&self, name: &'static str, default: T) -> Result<T, SettingsError>
    where
        T: FromStr + PartialOrd + Default,
        T::Err: Error + Send + Sync + 'static,
    {
        let value = self.parse(name, default)?;
        if value > T::default() {
            Ok(value)
        } else {
            Err(SettingsError::Invalid {
                name,
                value: Shown::Plain(self.lookup(name).unwrap_or_default()),
                reason: Box::new(NotPositive),
            })
        }
    }

    /// Whole seconds, greater than zero.
    pub fn secs(&self, name: &'static str, default: u64) -> Result<Duration, SettingsError> {
        self.positive(name, default).map(Duration::from_secs)
    }

    /// Whole milliseconds, greater than zero.
    pub fn millis(&self, name: &'static str, default: u64) -> Result<Duration, SettingsError> {
        self.positive(name, default).map(Duration::from_millis)
    }

    /// Text that may be empty, which counts as unset.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.lookup(name).filter(|value| !value.is_empty())
    }
}

#[cfg(test)]
pub fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

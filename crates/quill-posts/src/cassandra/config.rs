//! How Quill reaches Cassandra: [`CassandraConfig`] and its one reader of the
//! `QUILL_CASSANDRA_*` variables, shared by `quill` and `quill-analytics`. The value
//! parsers live in `config/values.rs`.

mod values;

use std::time::Duration;

use quill_domain::Secret;

pub use values::{
    Consistency, Replication, ValueError, is_keyspace_name, parse_keyspace, parse_millis,
    parse_nodes,
};

/// Where the posts live and how they are read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CassandraConfig {
    /// `host:port` contact points; the driver discovers the rest of the ring.
    pub nodes: Vec<String>,
    /// Checked by [`is_keyspace_name`], so it can be spliced into statement text.
    pub keyspace: String,
    pub consistency: Consistency,
    /// The local datacenter: queries prefer its replicas.
    pub datacenter: Option<String>,
    /// How `quill cql migrate` creates the keyspace.
    pub replication: Replication,
    pub connect_timeout: Duration,
    /// How long one statement may take, retries included.
    pub request_timeout: Duration,
    /// How long a schema statement of `quill cql migrate` may take (a fresh, small node
    /// can take longer than a request's timeout), and preparing statements at start.
    pub schema_timeout: Duration,
    /// How long reading one page of a timeline may take in all, however many months it
    /// walks; past it the reader gets 503 and `Retry-After`.
    pub read_deadline: Duration,
    /// For clusters with `PasswordAuthenticator`; `None` connects without logging in.
    pub credentials: Option<Credentials>,
}

/// A Cassandra login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

/// A `QUILL_CASSANDRA_*` variable Quill cannot use. It names the variable; only values
/// that are not secret are shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CassandraConfigError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: ValueError,
    },
    #[error(
        "{missing} is not set: set QUILL_CASSANDRA_USERNAME and QUILL_CASSANDRA_PASSWORD together"
    )]
    HalfLogin { missing: &'static str },
    #[error(
        "{name} is still a placeholder of .env.example (changeme...): set a real password \
         (openssl rand -hex 24)"
    )]
    Placeholder { name: &'static str },
}

impl CassandraConfig {
    /// The default of `QUILL_CASSANDRA_TIMEOUT_MS` for statements that serve a request.
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

    /// The defaults of everything but the nodes: keyspace `quill`, LOCAL_QUORUM, three
    /// replicas in every datacenter, 5 s to connect, 2 s per statement, 60 s per schema
    /// statement and 5 s per timeline page.
    pub fn new(nodes: Vec<String>) -> Self {
        Self {
            nodes,
            keyspace: "quill".into(),
            consistency: Consistency::LocalQuorum,
            datacenter: None,
            replication: Replication::NetworkTopology(vec![(None, 3)]),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Self::REQUEST_TIMEOUT,
            schema_timeout: Duration::from_secs(60),
            read_deadline: Duration::from_secs(5),
            credentials: None,
        }
    }

    /// Reads the `QUILL_CASSANDRA_*` variables of this process; see [`Self::from_lookup`].
    pub fn from_env(request_timeout: Duration) -> Result<Option<Self>, CassandraConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok(), request_timeout)
    }

    /// Reads the `QUILL_CASSANDRA_*` variables through `get`: `None` when
    /// `QUILL_CASSANDRA_NODES` is unset (posts are not in Cassandra). `request_timeout`
    /// is the default of `QUILL_CASSANDRA_TIMEOUT_MS`, which depends on the program: a
    /// web request's statement is small, a page of an analytics scan is not.
    ///
    /// Values are trimmed. For the datacenter and the login an empty value counts as
    /// unset; any other empty value is malformed.
    pub fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
        request_timeout: Duration,
    ) -> Result<Option<Self>, CassandraConfigError> {
        let Some(nodes) = read(&get, "QUILL_CASSANDRA_NODES", parse_nodes)? else {
            return Ok(None);
        };
        let defaults = Self {
            request_timeout,
            ..Self::new(nodes)
        };
        let millis = |name| read(&get, name, parse_millis);
        Ok(Some(Self {
            keyspace: read(&get, "QUILL_CASSANDRA_KEYSPACE", parse_keyspace)?
                .unwrap_or_else(|| defaults.keyspace.clone()),
            consistency: read(&get, "QUILL_CASSANDRA_CONSISTENCY", Consistency::parse)?
                .unwrap_or(defaults.consistency),
            datacenter: text(&get, "QUILL_CASSANDRA_DC"),
            replication: read(&get, "QUILL_CASSANDRA_REPLICATION", Replication::parse)?
                .unwrap_or_else(|| defaults.replication.clone()),
            connect_timeout: millis("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS")?
                .unwrap_or(defaults.connect_timeout),
            request_timeout: millis("QUILL_CASSANDRA_TIMEOUT_MS")?
                .unwrap_or(defaults.request_timeout),
            schema_timeout: millis("QUILL_CASSANDRA_SCHEMA_TIMEOUT_MS")?
                .unwrap_or(defaults.schema_timeout),
            read_deadline: millis("QUILL_CASSANDRA_READ_DEADLINE_MS")?
                .unwrap_or(defaults.read_deadline),
            credentials: credentials(&get)?,
            ..defaults
        }))
    }
}

/// The variable `name` through `parse`, if it is set.
fn read<T>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, ValueError>,
) -> Result<Option<T>, CassandraConfigError> {
    get(name)
        .map(|raw| {
            let raw = raw.trim();
            parse(raw).map_err(|reason| CassandraConfigError::Invalid {
                name,
                value: raw.to_owned(),
                reason,
            })
        })
        .transpose()
}

/// A text variable that may be empty, which counts as unset.
fn text(get: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|raw| raw.trim().to_owned())
        .filter(|raw| !raw.is_empty())
}

/// `QUILL_CASSANDRA_USERNAME` and `QUILL_CASSANDRA_PASSWORD`, both or neither.
fn credentials(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, CassandraConfigError> {
    match (
        text(get, "QUILL_CASSANDRA_USERNAME"),
        text(get, "QUILL_CASSANDRA_PASSWORD"),
    ) {
        (None, None) => Ok(None),
        (Some(username), Some(password)) => {
            let password = Secret::new(password);
            if password.is_placeholder() {
                return Err(CassandraConfigError::Placeholder {
                    name: "QUILL_CASSANDRA_PASSWORD",
                });
            }
            Ok(Some(Credentials { username, password }))
        }
        (None, Some(_)) => Err(CassandraConfigError::HalfLogin {
            missing: "QUILL_CASSANDRA_USERNAME",
        }),
        (Some(_), None) => Err(CassandraConfigError::HalfLogin {
            missing: "QUILL_CASSANDRA_PASSWORD",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn config(vars: &[(&str, &str)]) -> Result<Option<CassandraConfig>, CassandraConfigError> {
        CassandraConfig::from_lookup(lookup(vars), Duration::from_secs(30))
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let mut config = CassandraConfig::new(vec!["a:9042".into()]);
        config.credentials = Some(Credentials {
            username: "quill".into(),
            password: Secret::new("hunter22".into()),
        });
        let shown = format!("{config:?}");
        assert!(
            shown.contains("quill") && !shown.contains("hunter22"),
            "{shown}"
        );
    }

    #[test]
    fn the_default_replication_is_three_in_every_datacenter() {
        assert_eq!(
            CassandraConfig::new(vec![]).replication.to_string(),
            "{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}"
        );
    }

    #[test]
    fn a_placeholder_password_is_refused_by_name() {
        let err = config(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
            ("QUILL_CASSANDRA_PASSWORD", "changemecassandra"),
        ])
        .expect_err("a placeholder");
        assert_eq!(
            err,
            CassandraConfigError::Placeholder {
                name: "QUILL_CASSANDRA_PASSWORD"
            }
        );
        let message = err.to_string();
        assert!(
            message.starts_with("QUILL_CASSANDRA_PASSWORD is still a placeholder")
                && !message.contains("changemecassandra"),
            "{message}"
        );
        let login = config(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
            ("QUILL_CASSANDRA_PASSWORD", "9f2c0e5b"),
        ])
        .expect("a real password")
        .and_then(|c| c.credentials)
        .expect("credentials");
        assert_eq!(login.password.expose(), "9f2c0e5b");
    }

    #[test]
    fn without_nodes_there_is_no_cassandra() {
        assert_eq!(config(&[("QUILL_CASSANDRA_KEYSPACE", "x;y")]), Ok(None));
    }

    #[test]
    fn the_caller_chooses_the_default_statement_timeout() {
        let defaults = config(&[("QUILL_CASSANDRA_NODES", " a:9042 ,")])
            .expect("valid")
            .expect("nodes");
        assert_eq!(
            defaults,
            CassandraConfig {
                request_timeout: Duration::from_secs(30),
                ..CassandraConfig::new(vec!["a:9042".into()])
            }
        );
        let given = config(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_TIMEOUT_MS", "1500"),
            ("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS", "700"),
            ("QUILL_CASSANDRA_SCHEMA_TIMEOUT_MS", "120000"),
            ("QUILL_CASSANDRA_READ_DEADLINE_MS", "3000"),
            ("QUILL_CASSANDRA_DC", " "),
        ])
        .expect("valid")
        .expect("nodes");
        assert_eq!(
            (
                given.request_timeout,
                given.connect_timeout,
                given.schema_timeout,
                given.read_deadline,
                given.datacenter
            ),
            (
                Duration::from_millis(1500),
                Duration::from_millis(700),
                Duration::from_secs(120),
                Duration::from_secs(3),
                None
            )
        );
    }

    #[test]
    fn a_zero_timeout_is_refused() {
        for name in [
            "QUILL_CASSANDRA_TIMEOUT_MS",
            "QUILL_CASSANDRA_CONNECT_TIMEOUT_MS",
            "QUILL_CASSANDRA_SCHEMA_TIMEOUT_MS",
            "QUILL_CASSANDRA_READ_DEADLINE_MS",
        ] {
            assert_eq!(
                config(&[("QUILL_CASSANDRA_NODES", "a:9042"), (name, "0")]),
                Err(CassandraConfigError::Invalid {
                    name,
                    value: "0".into(),
                    reason: ValueError::Millis
                })
            );
        }
    }

    #[test]
    fn an_empty_node_list_is_malformed_not_unset() {
        let err = config(&[("QUILL_CASSANDRA_NODES", " ")]).expect_err("empty");
        assert_eq!(
            err.to_string(),
            "QUILL_CASSANDRA_NODES=\"\" is not valid: lists no node"
        );
    }
}

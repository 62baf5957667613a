//! The Cassandra settings of the analytics job, from the `QUILL_CASSANDRA_*` variables: the
//! one place this crate reads the environment for them.

use std::time::Duration;

use quill_posts::cassandra::config::{self as cql, CassandraConfig, Consistency, Credentials};

use quill_domain::Secret;

use crate::error::{AnalyticsError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CassandraSettings {
    /// The cluster, as the web instances reach it: `QUILL_CASSANDRA_NODES` (required),
    /// `_KEYSPACE`, `_CONSISTENCY`, `_DC`, `_CONNECT_TIMEOUT_MS` and `_TIMEOUT_MS`
    /// (default 30 s here: a page of a scan is larger than a web request's).
    pub cluster: CassandraConfig,
    /// `QUILL_CASSANDRA_PAGE_SIZE`, rows per page, default 5000.
    pub page_size: i32,
    /// `QUILL_CASSANDRA_SPLITS`, a floor on the number of token ranges, default 0.
    pub min_splits: usize,
}

impl CassandraSettings {
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the settings from a variable lookup; a missing required or malformed value
    /// is an error naming the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let bad =
            |name: &'static str| move |message: String| AnalyticsError::Setting { name, message };
        let nodes = get("QUILL_CASSANDRA_NODES")
            .ok_or_else(|| {
                bad("QUILL_CASSANDRA_NODES")("is required for the cassandra source".into())
            })
            .and_then(|raw| cql::parse_nodes(&raw).map_err(bad("QUILL_CASSANDRA_NODES")))?;
        let defaults = CassandraConfig::new(nodes);
        let number = |name: &'static str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(raw) => raw
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| bad(name)(format!("{raw:?} is not a number"))),
            }
        };
        let millis = |name, default: u64| number(name, default).map(Duration::from_millis);
        let cluster = CassandraConfig {
            keyspace: match get("QUILL_CASSANDRA_KEYSPACE") {
                None => defaults.keyspace.clone(),
                Some(raw) => {
                    cql::parse_keyspace(raw.trim()).map_err(bad("QUILL_CASSANDRA_KEYSPACE"))?
                }
            },
            consistency: match get("QUILL_CASSANDRA_CONSISTENCY") {
                None => defaults.consistency,
                Some(raw) => {
                    Consistency::parse(&raw).map_err(bad("QUILL_CASSANDRA_CONSISTENCY"))?
                }
            },
            datacenter: get("QUILL_CASSANDRA_DC").map(|dc| dc.trim().to_owned()),
            connect_timeout: millis("QUILL_CASSANDRA_CONNECT_TIMEOUT_MS", 5_000)?,
            request_timeout: millis("QUILL_CASSANDRA_TIMEOUT_MS", 30_000)?,
            credentials: match (
                get("QUILL_CASSANDRA_USERNAME"),
                get("QUILL_CASSANDRA_PASSWORD"),
            ) {
                (None, None) => None,
                (Some(username), Some(password)) => Some(Credentials {
                    username,
                    password: Secret::new(password),
                }),
                _ => {
                    return Err(bad("QUILL_CASSANDRA_PASSWORD")(
                        "set QUILL_CASSANDRA_USERNAME and QUILL_CASSANDRA_PASSWORD together".into(),
                    ));
                }
            },
            ..defaults
        };
        let page_size = number("QUILL_CASSANDRA_PAGE_SIZE", 5000)?;
        let page_size = i32::try_from(page_size)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad("QUILL_CASSANDRA_PAGE_SIZE")("must be 1..=2147483647".into()))?;
        let min_splits = number("QUILL_CASSANDRA_SPLITS", 0)?;
        Ok(Self {
            cluster,
            page_size,
            min_splits: usize::try_from(min_splits).unwrap_or(usize::MAX),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_apply_and_nodes_are_a_comma_list() {
        let s = CassandraSettings::from_lookup(lookup(&[(
            "QUILL_CASSANDRA_NODES",
            "10.0.0.1:9042, cassandra-2:9042,",
        )]))
        .unwrap();
        assert_eq!(s.cluster.nodes, ["10.0.0.1:9042", "cassandra-2:9042"]);
        assert_eq!(s.cluster.keyspace, "quill");
        assert_eq!(s.cluster.consistency, Consistency::LocalQuorum);
        assert_eq!(s.cluster.datacenter, None);
        assert_eq!(s.page_size, 5000);
    }

    #[test]
    fn every_setting_can_be_given() {
        let s = CassandraSettings::from_lookup(lookup(&[
            ("QUILL_CASSANDRA_NODES", "a:1"),
            ("QUILL_CASSANDRA_KEYSPACE", "quill_test"),
            ("QUILL_CASSANDRA_CONSISTENCY", "local_one"),
            ("QUILL_CASSANDRA_DC", "dc1"),
            ("QUILL_CASSANDRA_PAGE_SIZE", "100"),
            ("QUILL_CASSANDRA_SPLITS", "64"),
        ]))
        .unwrap();
        assert_eq!(s.cluster.keyspace, "quill_test");
        assert_eq!(s.cluster.consistency, Consistency::LocalOne);
        assert_eq!(s.cluster.datacenter.as_deref(), Some("dc1"));
        assert_eq!((s.page_size, s.min_splits), (100, 64));
    }

    #[test]
    fn missing_or_malformed_values_name_their_variable() {
        let message = |vars: &[(&str, &str)]| {
            CassandraSettings::from_lookup(lookup(vars))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(message(&[]).starts_with("setting QUILL_CASSANDRA_NODES"));
        assert!(
            message(&[
                ("QUILL_CASSANDRA_NODES", "a"),
                ("QUILL_CASSANDRA_CONSISTENCY", "MOST")
            ])
            .starts_with("setting QUILL_CASSANDRA_CONSISTENCY")
        );
        assert!(
            message(&[
                ("QUILL_CASSANDRA_NODES", "a"),
                ("QUILL_CASSANDRA_KEYSPACE", "x;y")
            ])
            .starts_with("setting QUILL_CASSANDRA_KEYSPACE")
        );
        assert!(
            message(&[
                ("QUILL_CASSANDRA_NODES", "a"),
                ("QUILL_CASSANDRA_PAGE_SIZE", "0")
            ])
            .starts_with("setting QUILL_CASSANDRA_PAGE_SIZE")
        );
    }
}

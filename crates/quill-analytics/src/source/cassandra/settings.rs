//! The Cassandra settings of the analytics job, from the `QUILL_CASSANDRA_*` variables: the
//! one place this crate reads the environment for them.

use std::time::Duration;

use super::statement::is_keyspace_name;
use crate::error::{AnalyticsError, Result};

/// Consistency levels a scan may read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    One,
    Two,
    Three,
    Quorum,
    All,
    LocalQuorum,
    EachQuorum,
    LocalOne,
}

impl Consistency {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim().to_ascii_uppercase().as_str() {
            "ONE" => Self::One,
            "TWO" => Self::Two,
            "THREE" => Self::Three,
            "QUORUM" => Self::Quorum,
            "ALL" => Self::All,
            "LOCAL_QUORUM" => Self::LocalQuorum,
            "EACH_QUORUM" => Self::EachQuorum,
            "LOCAL_ONE" => Self::LocalOne,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CassandraSettings {
    /// `QUILL_CASSANDRA_NODES`, comma-separated `host:port` (required).
    pub nodes: Vec<String>,
    /// `QUILL_CASSANDRA_KEYSPACE`, default `quill`.
    pub keyspace: String,
    /// `QUILL_CASSANDRA_CONSISTENCY`, default `LOCAL_QUORUM`.
    pub consistency: Consistency,
    /// `QUILL_CASSANDRA_DC`, the local datacenter, if any.
    pub datacenter: Option<String>,
    /// `QUILL_CASSANDRA_PAGE_SIZE`, rows per page, default 5000.
    pub page_size: i32,
    /// `QUILL_CASSANDRA_CONNECT_TIMEOUT_SECS`, default 5.
    pub connect_timeout: Duration,
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
        let bad = |name: &'static str, message: String| AnalyticsError::Setting { name, message };
        let nodes: Vec<String> = get("QUILL_CASSANDRA_NODES")
            .ok_or_else(|| {
                bad(
                    "QUILL_CASSANDRA_NODES",
                    "is required for the cassandra source".into(),
                )
            })?
            .split(',')
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        if nodes.is_empty() {
            return Err(bad("QUILL_CASSANDRA_NODES", "lists no node".into()));
        }
        let keyspace = get("QUILL_CASSANDRA_KEYSPACE").unwrap_or_else(|| "quill".into());
        if !is_keyspace_name(&keyspace) {
            return Err(bad(
                "QUILL_CASSANDRA_KEYSPACE",
                format!("{keyspace:?} is not a keyspace name"),
            ));
        }
        let consistency = match get("QUILL_CASSANDRA_CONSISTENCY") {
            None => Consistency::LocalQuorum,
            Some(raw) => Consistency::parse(&raw).ok_or_else(|| {
                bad(
                    "QUILL_CASSANDRA_CONSISTENCY",
                    format!("unknown level {raw:?}"),
                )
            })?,
        };
        let number = |name: &'static str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(raw) => raw
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| bad(name, format!("{raw:?} is not a number"))),
            }
        };
        let page_size = number("QUILL_CASSANDRA_PAGE_SIZE", 5000)?;
        let page_size = i32::try_from(page_size)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad("QUILL_CASSANDRA_PAGE_SIZE", "must be 1..=2147483647".into()))?;
        let min_splits = number("QUILL_CASSANDRA_SPLITS", 0)?;
        Ok(Self {
            nodes,
            keyspace,
            consistency,
            datacenter: get("QUILL_CASSANDRA_DC").map(|dc| dc.trim().to_owned()),
            page_size,
            connect_timeout: Duration::from_secs(number(
                "QUILL_CASSANDRA_CONNECT_TIMEOUT_SECS",
                5,
            )?),
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
        assert_eq!(s.nodes, ["10.0.0.1:9042", "cassandra-2:9042"]);
        assert_eq!(s.keyspace, "quill");
        assert_eq!(s.consistency, Consistency::LocalQuorum);
        assert_eq!(s.datacenter, None);
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
        assert_eq!(s.keyspace, "quill_test");
        assert_eq!(s.consistency, Consistency::LocalOne);
        assert_eq!(s.datacenter.as_deref(), Some("dc1"));
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

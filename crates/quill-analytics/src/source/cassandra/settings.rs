//! The Cassandra settings of the analytics job: the cluster, read by the one reader of
//! the `QUILL_CASSANDRA_*` variables that `quill` uses too
//! ([`CassandraConfig::from_lookup`]), and the scan's own: `QUILL_CASSANDRA_PAGE_SIZE`,
//! `_SPLITS`, `_SCAN_CONSISTENCY`, `_SCAN_CONCURRENCY` and `_SCAN_RETRIES`.

use std::time::Duration;

use quill_posts::CassandraConfig;
use quill_posts::cassandra::Consistency;

use crate::error::{AnalyticsError, Result};

/// The default of `QUILL_CASSANDRA_TIMEOUT_MS` here: a page of a scan is larger than a
/// web request's statement.
pub const SCAN_PAGE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CassandraSettings {
    /// The cluster, as the web instances reach it: `QUILL_CASSANDRA_NODES` (required),
    /// `_KEYSPACE`, `_CONSISTENCY`, `_DC`, `_CONNECT_TIMEOUT_MS` and `_TIMEOUT_MS`
    /// (default [`SCAN_PAGE_TIMEOUT`]).
    pub cluster: CassandraConfig,
    /// `QUILL_CASSANDRA_PAGE_SIZE`, rows per page, default 1000: bodies reach 80 KB,
    /// and a page is held whole by the node that serves it.
    pub page_size: i32,
    /// `QUILL_CASSANDRA_SPLITS`, a floor on the number of token ranges, default 0.
    pub min_splits: usize,
    /// `QUILL_CASSANDRA_SCAN_CONSISTENCY`, default LOCAL_ONE (as Spark's connector
    /// reads): the web's `QUILL_CASSANDRA_CONSISTENCY` is for requests.
    pub consistency: Consistency,
    /// `QUILL_CASSANDRA_SCAN_CONCURRENCY`, token ranges read at once, default 4.
    pub concurrency: usize,
    /// `QUILL_CASSANDRA_SCAN_RETRIES`, how often a failed page is read again (after
    /// 1, 2, 4, ... s, at most 30 s apart) before the run fails, default 5.
    pub retries: u32,
}

impl CassandraSettings {
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the settings from a variable lookup; a missing required or malformed value
    /// is an error naming the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let cluster = CassandraConfig::from_lookup(&get, SCAN_PAGE_TIMEOUT)
            .map_err(AnalyticsError::CassandraSetting)?
            .ok_or(AnalyticsError::Setting {
                name: "QUILL_CASSANDRA_NODES",
                message: "is required for the cassandra source".into(),
            })?;
        let number = |name: &'static str, default: u64| -> Result<u64> {
            match get(name) {
                None => Ok(default),
                Some(raw) => raw
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| AnalyticsError::Setting {
                        name,
                        message: format!("{raw:?} is not a number"),
                    }),
            }
        };
        let page_size = number("QUILL_CASSANDRA_PAGE_SIZE", 1000)?;
        let page_size = i32::try_from(page_size)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| AnalyticsError::Setting {
                name: "QUILL_CASSANDRA_PAGE_SIZE",
                message: "must be 1..=2147483647".into(),
            })?;
        let min_splits = number("QUILL_CASSANDRA_SPLITS", 0)?;
        let consistency = match get("QUILL_CASSANDRA_SCAN_CONSISTENCY") {
            None => Consistency::LocalOne,
            Some(raw) => Consistency::parse(&raw).map_err(|e| AnalyticsError::Setting {
                name: "QUILL_CASSANDRA_SCAN_CONSISTENCY",
                message: format!("{raw:?}: {e}"),
            })?,
        };
        let concurrency = number("QUILL_CASSANDRA_SCAN_CONCURRENCY", 4)?;
        if concurrency == 0 {
            return Err(AnalyticsError::Setting {
                name: "QUILL_CASSANDRA_SCAN_CONCURRENCY",
                message: "must be at least 1".into(),
            });
        }
        let retries = number("QUILL_CASSANDRA_SCAN_RETRIES", 5)?;
        Ok(Self {
            cluster,
            page_size,
            min_splits: usize::try_from(min_splits).unwrap_or(usize::MAX),
            consistency,
            concurrency: usize::try_from(concurrency).unwrap_or(usize::MAX),
            retries: u32::try_from(retries).unwrap_or(u32::MAX),
        })
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use quill_posts::cassandra::Consistency;

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
        assert_eq!(s.page_size, 1000);
        assert_eq!(s.consistency, Consistency::LocalOne);
        assert_eq!((s.concurrency, s.retries), (4, 5));
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
            ("QUILL_CASSANDRA_SCAN_CONSISTENCY", "quorum"),
            ("QUILL_CASSANDRA_SCAN_CONCURRENCY", "8"),
            ("QUILL_CASSANDRA_SCAN_RETRIES", "0"),
        ]))
        .unwrap();
        assert_eq!(s.consistency, Consistency::Quorum);
        assert_eq!((s.concurrency, s.retries), (8, 0));
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
        for (name, bad) in [
            ("QUILL_CASSANDRA_SCAN_CONSISTENCY", "SOME"),
            ("QUILL_CASSANDRA_SCAN_CONCURRENCY", "0"),
            ("QUILL_CASSANDRA_SCAN_RETRIES", "-1"),
        ] {
            assert!(
                message(&[("QUILL_CASSANDRA_NODES", "a"), (name, bad)])
                    .starts_with(&format!("setting {name}")),
                "{name}"
            );
        }
    }

    #[test]
    fn timeouts_follow_the_web_rules_with_a_longer_default() {
        let s = CassandraSettings::from_lookup(lookup(&[("QUILL_CASSANDRA_NODES", "a")])).unwrap();
        assert_eq!(s.cluster.request_timeout, SCAN_PAGE_TIMEOUT);
        let err = CassandraSettings::from_lookup(lookup(&[
            ("QUILL_CASSANDRA_NODES", "a"),
            ("QUILL_CASSANDRA_TIMEOUT_MS", "0"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.starts_with("setting QUILL_CASSANDRA_TIMEOUT_MS=\"0\" is not valid"),
            "{err}"
        );
    }

    #[test]
    fn a_placeholder_password_stops_the_job_naming_its_variable() {
        let err = CassandraSettings::from_lookup(lookup(&[
            ("QUILL_CASSANDRA_NODES", "a"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
            ("QUILL_CASSANDRA_PASSWORD", "changemecassandra"),
        ]))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.contains("QUILL_CASSANDRA_PASSWORD is still a placeholder")
                && !err.contains("changemecassandra"),
            "{err}"
        );
    }
}

//! Posts in Cassandra: `QUILL_CASSANDRA_*`, read by quill-posts' one reader
//! ([`CassandraConfig::from_lookup`]), which quill-analytics uses too.

use quill_posts::CassandraConfig;

use super::env::{Env, SettingsError};

/// `Some` when `QUILL_CASSANDRA_NODES` is set; statements get a web request's timeout
/// unless `QUILL_CASSANDRA_TIMEOUT_MS` says otherwise.
pub(super) fn from_env(env: &Env) -> Result<Option<CassandraConfig>, SettingsError> {
    let config =
        CassandraConfig::from_lookup(|name| env.lookup(name), CassandraConfig::REQUEST_TIMEOUT)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use quill_posts::cassandra::{Consistency, Replication};

    use super::super::{Settings, env::vars};

    #[test]
    fn cassandra_nodes_switch_posts_to_cassandra() {
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
        let settings = Settings::from_vars(vars(&[
            ("QUILL_CASSANDRA_NODES", "a:9042"),
            ("QUILL_CASSANDRA_USERNAME", "quill"),
            ("QUILL_CASSANDRA_PASSWORD", "hunter22"),
        ]))
        .expect("credentials");
        assert!(!format!("{settings:?}").contains("hunter22"));
        let login = settings
            .cassandra
            .and_then(|c| c.credentials)
            .expect("credentials");
        assert_eq!(
            (login.username.as_str(), login.password.expose().as_str()),
            ("quill", "hunter22")
        );
    }
}

//! How Quill reaches Cassandra: the values behind the `QUILL_CASSANDRA_*` settings and
//! their parsers. Pure: the web and analytics settings read the environment and call these.

use std::fmt;
use std::time::Duration;

use quill_domain::Secret;

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
    /// For clusters with `PasswordAuthenticator`; `None` connects without logging in.
    pub credentials: Option<Credentials>,
}

/// A Cassandra login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

impl CassandraConfig {
    /// The defaults of everything but the nodes: keyspace `quill`, LOCAL_QUORUM, three
    /// replicas in every datacenter, 5 s to connect and 2 s per statement.
    pub fn new(nodes: Vec<String>) -> Self {
        Self {
            nodes,
            keyspace: "quill".into(),
            consistency: Consistency::LocalQuorum,
            datacenter: None,
            replication: Replication::NetworkTopology(vec![(None, 3)]),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(2),
            credentials: None,
        }
    }
}

/// A comma-separated node list; blanks between commas are ignored, an empty list is not.
pub fn parse_nodes(raw: &str) -> Result<Vec<String>, String> {
    let nodes: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    if nodes.is_empty() {
        return Err("lists no node".into());
    }
    Ok(nodes)
}

/// Whether `name` is a valid unquoted CQL keyspace name (letters, digits, `_`, at most 48).
pub fn is_keyspace_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 48
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub fn parse_keyspace(raw: &str) -> Result<String, String> {
    if is_keyspace_name(raw) {
        Ok(raw.to_owned())
    } else {
        Err("a keyspace name is 1-48 letters, digits or _".into())
    }
}

/// Consistency levels for reads and writes.
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
    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(match raw.trim().to_ascii_uppercase().as_str() {
            "ONE" => Self::One,
            "TWO" => Self::Two,
            "THREE" => Self::Three,
            "QUORUM" => Self::Quorum,
            "ALL" => Self::All,
            "LOCAL_QUORUM" => Self::LocalQuorum,
            "EACH_QUORUM" => Self::EachQuorum,
            "LOCAL_ONE" => Self::LocalOne,
            _ => return Err("expected ONE, QUORUM, LOCAL_QUORUM, LOCAL_ONE, ALL...".into()),
        })
    }
}

/// A keyspace's replication: `SimpleStrategy:N`, `NetworkTopologyStrategy:N` (N in every
/// datacenter) or `NetworkTopologyStrategy:dc1=3,dc2=2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replication {
    Simple(u8),
    /// Factors by datacenter; `None` stands for every datacenter.
    NetworkTopology(Vec<(Option<String>, u8)>),
}

impl Replication {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let usage = "expected SimpleStrategy:N, NetworkTopologyStrategy:N or \
                     NetworkTopologyStrategy:dc1=N,dc2=N";
        let factor = |raw: &str| {
            raw.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{raw:?} is not a replication factor"))
        };
        let (class, factors) = raw.trim().split_once(':').ok_or(usage)?;
        match class.trim() {
            "SimpleStrategy" => Ok(Self::Simple(factor(factors)?)),
            "NetworkTopologyStrategy" if !factors.contains('=') => {
                Ok(Self::NetworkTopology(vec![(None, factor(factors)?)]))
            }
            "NetworkTopologyStrategy" => factors
                .split(',')
                .map(|pair| {
                    let (dc, n) = pair.split_once('=').ok_or(usage)?;
                    let dc = dc.trim();
                    if !is_datacenter_name(dc) {
                        return Err(format!("{dc:?} is not a datacenter name"));
                    }
                    Ok((Some(dc.to_owned()), factor(n)?))
                })
                .collect::<Result<_, String>>()
                .map(Self::NetworkTopology),
            _ => Err(usage.into()),
        }
    }
}

/// Datacenter names go into statement text inside quotes: no quote can get there.
fn is_datacenter_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The CQL map literal of a `CREATE KEYSPACE ... WITH replication = ...`.
impl fmt::Display for Replication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Simple(n) => write!(
                f,
                "{{'class': 'SimpleStrategy', 'replication_factor': {n}}}"
            ),
            Self::NetworkTopology(factors) => {
                f.write_str("{'class': 'NetworkTopologyStrategy'")?;
                for (dc, n) in factors {
                    let key = dc.as_deref().unwrap_or("replication_factor");
                    write!(f, ", '{key}': {n}")?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn nodes_are_a_comma_list() {
        assert_eq!(
            parse_nodes("10.0.0.1:9042, cassandra-2:9042,"),
            Ok(vec!["10.0.0.1:9042".into(), "cassandra-2:9042".into()])
        );
        assert!(parse_nodes(" , ").is_err());
    }

    #[test]
    fn keyspace_names_cannot_carry_cql() {
        assert!(is_keyspace_name("quill_test_2"));
        for bad in ["", "x;y", "quill.posts", "a b", &"k".repeat(49)] {
            assert!(parse_keyspace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn consistency_levels_parse_in_any_case() {
        assert_eq!(
            Consistency::parse("local_quorum"),
            Ok(Consistency::LocalQuorum)
        );
        assert_eq!(Consistency::parse(" ONE "), Ok(Consistency::One));
        assert!(Consistency::parse("MOST").is_err());
    }

    #[test]
    fn replication_renders_the_keyspace_map() {
        let cql = |raw: &str| Replication::parse(raw).map(|r| r.to_string());
        assert_eq!(
            cql("SimpleStrategy:1"),
            Ok("{'class': 'SimpleStrategy', 'replication_factor': 1}".into())
        );
        assert_eq!(
            cql("NetworkTopologyStrategy:3"),
            Ok("{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}".into())
        );
        assert_eq!(
            cql("NetworkTopologyStrategy:dc1=3, eu-west.2=2"),
            Ok("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'eu-west.2': 2}".into())
        );
        assert_eq!(
            CassandraConfig::new(vec![]).replication.to_string(),
            "{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}"
        );
    }

    #[test]
    fn replication_refuses_what_it_cannot_render_safely() {
        for bad in [
            "",
            "3",
            "SimpleStrategy:0",
            "SimpleStrategy:x",
            "LocalStrategy:1",
            "NetworkTopologyStrategy:dc1=3,dc'2=1",
            "NetworkTopologyStrategy:dc1",
            "NetworkTopologyStrategy:=3",
        ] {
            assert!(Replication::parse(bad).is_err(), "{bad:?}");
        }
    }
}

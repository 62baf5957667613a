//! One parser per `QUILL_CASSANDRA_*` value, each with the reason it refuses a value
//! ([`ValueError`]). Names spliced into CQL (keyspaces, datacenters in a replication
//! map) are checked against a strict character set here.

use std::fmt;
use std::time::Duration;

/// Why a `QUILL_CASSANDRA_*` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("lists no node")]
    NoNode,
    #[error(
        "a keyspace name is 1-48 letters, digits or _, starts with a letter, and is not a \
         CQL reserved word"
    )]
    Keyspace,
    #[error("expected ONE, QUORUM, LOCAL_QUORUM, LOCAL_ONE, ALL...")]
    Consistency,
    #[error(
        "expected SimpleStrategy:N, NetworkTopologyStrategy:N or \
         NetworkTopologyStrategy:dc1=N,dc2=N"
    )]
    Replication,
    #[error("{0:?} is not a replication factor")]
    ReplicationFactor(String),
    #[error("{0:?} is not a datacenter name")]
    Datacenter(String),
    #[error("expected milliseconds, a whole number greater than zero")]
    Millis,
}

/// A comma-separated node list; blanks between commas are ignored, an empty list is not.
pub fn parse_nodes(raw: &str) -> Result<Vec<String>, ValueError> {
    let nodes: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    if nodes.is_empty() {
        return Err(ValueError::NoNode);
    }
    Ok(nodes)
}

/// CQL's reserved words (Cassandra 5.0's and ScyllaDB's), which an unquoted name
/// cannot be.
const RESERVED: &[&str] = &[
    "add",
    "allow",
    "alter",
    "and",
    "apply",
    "asc",
    "authorize",
    "batch",
    "begin",
    "between",
    "by",
    "columnfamily",
    "create",
    "default",
    "delete",
    "desc",
    "describe",
    "drop",
    "entries",
    "execute",
    "from",
    "full",
    "grant",
    "if",
    "in",
    "index",
    "infinity",
    "insert",
    "into",
    "is",
    "keyspace",
    "limit",
    "materialized",
    "mbean",
    "mbeans",
    "modify",
    "nan",
    "norecursive",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "primary",
    "rename",
    "replace",
    "revoke",
    "schema",
    "select",
    "set",
    "table",
    "to",
    "token",
    "truncate",
    "unlogged",
    "unset",
    "update",
    "use",
    "using",
    "view",
    "where",
    "with",
];

/// Whether `name` is a valid unquoted CQL keyspace name: at most 48 letters, digits and
/// `_`, starting with a letter, and not a reserved word.
pub fn is_keyspace_name(name: &str) -> bool {
    name.len() <= 48
        && name.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !RESERVED.iter().any(|word| word.eq_ignore_ascii_case(name))
}

pub fn parse_keyspace(raw: &str) -> Result<String, ValueError> {
    if is_keyspace_name(raw) {
        Ok(raw.to_owned())
    } else {
        Err(ValueError::Keyspace)
    }
}

/// A duration in whole milliseconds; zero is refused, as no statement can finish in it.
pub fn parse_millis(raw: &str) -> Result<Duration, ValueError> {
    match raw.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ValueError::Millis),
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
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Ok(match raw.trim().to_ascii_uppercase().as_str() {
            "ONE" => Self::One,
            "TWO" => Self::Two,
            "THREE" => Self::Three,
            "QUORUM" => Self::Quorum,
            "ALL" => Self::All,
            "LOCAL_QUORUM" => Self::LocalQuorum,
            "EACH_QUORUM" => Self::EachQuorum,
            "LOCAL_ONE" => Self::LocalOne,
            _ => return Err(ValueError::Consistency),
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
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let factor = |raw: &str| {
            raw.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ValueError::ReplicationFactor(raw.to_owned()))
        };
        let (class, factors) = raw.trim().split_once(':').ok_or(ValueError::Replication)?;
        match class.trim() {
            "SimpleStrategy" => Ok(Self::Simple(factor(factors)?)),
            "NetworkTopologyStrategy" if !factors.contains('=') => {
                Ok(Self::NetworkTopology(vec![(None, factor(factors)?)]))
            }
            "NetworkTopologyStrategy" => factors
                .split(',')
                .map(|pair| {
                    let (dc, n) = pair.split_once('=').ok_or(ValueError::Replication)?;
                    let dc = dc.trim();
                    if !is_datacenter_name(dc) {
                        return Err(ValueError::Datacenter(dc.to_owned()));
                    }
                    Ok((Some(dc.to_owned()), factor(n)?))
                })
                .collect::<Result<_, ValueError>>()
                .map(Self::NetworkTopology),
            _ => Err(ValueError::Replication),
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
        for bad in [
            "",
            "x;y",
            "quill.posts",
            "a b",
            &"k".repeat(49),
            "2024_posts",
            "_quill",
            "keyspace",
            "Table",
            "token",
        ] {
            assert!(parse_keyspace(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timeouts_are_whole_milliseconds_above_zero() {
        assert_eq!(parse_millis(" 250 "), Ok(Duration::from_millis(250)));
        for bad in ["0", "", "-1", "1.5", "1s"] {
            assert_eq!(parse_millis(bad), Err(ValueError::Millis), "{bad:?}");
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

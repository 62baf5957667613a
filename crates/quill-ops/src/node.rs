//! One MariaDB server of the cluster: its HAProxy name, an administrator's URL, and
//! the connection and query errors that name it.

use std::net::ToSocketAddrs;

use diesel::{Connection, MysqlConnection};
use quill_domain::Secret;

/// One database server: the name HAProxy knows it by, and an administrator's URL
/// (a secret: it carries a password).
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub url: Secret,
}

/// A node URL that is not `mysql://user:password@host:port/`, or whose host could not
/// be spliced into `CHANGE MASTER` safely.
#[derive(Debug, thiserror::Error)]
#[error("{0}: expected NAME=mysql://user:password@host:port/")]
pub struct BadNodeUrl(pub String);

/// A server that could not be asked, or refused what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("cannot look up {name}'s host {host}")]
    Resolve {
        name: String,
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to {name}")]
    Connect {
        name: String,
        #[source]
        source: diesel::ConnectionError,
    },
    #[error("{name}: {doing}")]
    Query {
        name: String,
        /// What was asked, such as "reading the replication status".
        doing: &'static str,
        #[source]
        source: diesel::result::Error,
    },
}

impl Node {
    /// The host and port replicas use to reach this server (from its URL).
    pub fn address(&self) -> Result<(String, u16), BadNodeUrl> {
        let bad = || BadNodeUrl(self.name.clone());
        let rest = self.url.expose().strip_prefix("mysql://").ok_or_else(bad)?;
        let authority = rest.split('/').next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
            None => (host_port, 3306),
        };
        let valid_host = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if valid_host {
            Ok((host.to_owned(), port))
        } else {
            Err(bad())
        }
    }

    pub fn connect(&self) -> Result<MysqlConnection, NodeError> {
        // The name first, once: MariaDB's client library spends half a minute on a
        // name the resolver does not answer for (a stopped container's, on compose's
        // internal network), where one lookup gives up in the resolver's own time.
        if let Ok((host, port)) = self.address() {
            (host.as_str(), port)
                .to_socket_addrs()
                .map_err(|source| NodeError::Resolve {
                    name: self.name.clone(),
                    host,
                    source,
                })?;
        }
        MysqlConnection::establish(self.url.expose()).map_err(|source| NodeError::Connect {
            name: self.name.clone(),
            source,
        })
    }

    /// Wraps a failed statement on this server, saying what it was for.
    pub(crate) fn query_error(
        &self,
        doing: &'static str,
    ) -> impl Fn(diesel::result::Error) -> NodeError + '_ {
        move |source| NodeError::Query {
            name: self.name.clone(),
            doing,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_addresses_come_from_their_urls() {
        let n = |url: &str| Node {
            name: "db2".into(),
            url: Secret::new(url.to_owned()),
        };
        assert_eq!(
            n("mysql://admin:p@ss@127.0.0.1:3307/")
                .address()
                .expect("address"),
            ("127.0.0.1".to_owned(), 3307)
        );
        assert_eq!(
            n("mysql://admin@mariadb-replica-1/quill")
                .address()
                .expect("address"),
            ("mariadb-replica-1".to_owned(), 3306)
        );
        assert!(n("mysql://a@h';DROP:1/").address().is_err());
        assert!(n("postgres://a@h:1/").address().is_err());
        assert!(format!("{:?}", n("mysql://admin:secret@h:1/")).contains("db2"));
        assert!(!format!("{:?}", n("mysql://admin:secret@h:1/")).contains("secret"));
    }
}

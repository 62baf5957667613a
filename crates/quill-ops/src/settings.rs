//! The operator commands' settings, `QUILL_DB_NODES` and `QUILL_HAPROXY_ADMIN`: the one
//! place they are read. Values are trimmed; empty counts as unset.

use quill_domain::Secret;

use crate::haproxy::HaproxyAdmin;
use crate::node::{BadNodeUrl, Node};

#[derive(Debug, Clone, Default)]
pub struct OpsSettings {
    /// `QUILL_DB_NODES`: `name=mysql://admin:password@host:port/,...`, every MariaDB
    /// server under the name HAProxy gives it.
    pub nodes: Vec<Node>,
    /// `QUILL_HAPROXY_ADMIN`: HAProxy's runtime API (`unix:/path` or `host:port`),
    /// which `quill db promote` tells where writes go now.
    pub haproxy: Option<HaproxyAdmin>,
}

/// A malformed setting. The value of `QUILL_DB_NODES` carries passwords and is never
/// shown.
#[derive(Debug, thiserror::Error)]
pub enum OpsSettingsError {
    #[error("QUILL_DB_NODES=<redacted> is not valid: {0}")]
    Nodes(NodesError),
}

/// Why `QUILL_DB_NODES` was refused.
#[derive(Debug, thiserror::Error)]
pub enum NodesError {
    #[error("expected name=mysql://admin:password@host:port/,...")]
    NotAPair,
    #[error("{0:?} is not a server name")]
    BadName(String),
    #[error(transparent)]
    BadUrl(#[from] BadNodeUrl),
    #[error(
        "{0}: its password is still a placeholder of .env.example (changeme...): set a real \
         one (openssl rand -hex 24)"
    )]
    Placeholder(String),
}

/// A `db` command was run without `QUILL_DB_NODES`.
#[derive(Debug, thiserror::Error)]
#[error("set QUILL_DB_NODES to name=mysql://admin:password@host:port/,... for every server")]
pub struct NoNodes;

impl OpsSettings {
    /// Reads the settings from this process's environment.
    pub fn from_env() -> Result<Self, OpsSettingsError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads the settings from name-value pairs; other names are ignored.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, OpsSettingsError> {
        let mut settings = Self::default();
        for (name, value) in vars {
            let value = value.trim();
            match name.as_str() {
                "QUILL_DB_NODES" => {
                    settings.nodes = parse_nodes(value).map_err(OpsSettingsError::Nodes)?;
                }
                "QUILL_HAPROXY_ADMIN" if !value.is_empty() => {
                    settings.haproxy = Some(HaproxyAdmin {
                        address: value.to_owned(),
                    });
                }
                _ => {}
            }
        }
        Ok(settings)
    }

    /// The servers, which every `db` command needs.
    pub fn nodes(&self) -> Result<&[Node], NoNodes> {
        if self.nodes.is_empty() {
            Err(NoNodes)
        } else {
            Ok(&self.nodes)
        }
    }
}

/// `QUILL_DB_NODES`: a comma list of `name=url`; blanks between commas are ignored.
fn parse_nodes(raw: &str) -> Result<Vec<Node>, NodesError> {
    raw.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (name, url) = part.trim().split_once('=').ok_or(NodesError::NotAPair)?;
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
            if !valid_name {
                return Err(NodesError::BadName(name.to_owned()));
            }
            let node = Node {
                name: name.to_owned(),
                url: Secret::new(url.to_owned()),
            };
            node.address()?;
            if node.url.has_placeholder_password() {
                return Err(NodesError::Placeholder(node.name));
            }
            Ok(node)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nodes_and_the_haproxy_address_are_read() {
        let settings = OpsSettings::from_vars(vars(&[
            (
                "QUILL_DB_NODES",
                " db1=mysql://admin:hunter22@127.0.0.1:3307/,db2=mysql://admin:hunter22@h/, ",
            ),
            ("QUILL_HAPROXY_ADMIN", "unix:/run/haproxy.sock"),
            ("HOME", "/root"),
        ]))
        .expect("settings");
        let names: Vec<&str> = settings.nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["db1", "db2"]);
        assert_eq!(
            settings.haproxy.map(|h| h.address).as_deref(),
            Some("unix:/run/haproxy.sock")
        );
        let empty = OpsSettings::from_vars(vars(&[("QUILL_HAPROXY_ADMIN", " ")])).expect("empty");
        assert!(empty.haproxy.is_none());
        assert!(matches!(empty.nodes(), Err(NoNodes)));
    }

    #[test]
    fn malformed_nodes_are_refused_without_showing_their_urls() {
        for (bad, reason) in [
            ("db1", "expected name=mysql://"),
            (
                "db 1=mysql://admin:hunter22@h:1/",
                "\"db 1\" is not a server name",
            ),
            (
                "db1=postgres://admin:hunter22@h:1/",
                "db1: expected NAME=mysql://",
            ),
            (
                "db1=mysql://admin:hunter22@h';DROP:1/",
                "db1: expected NAME=mysql://",
            ),
            (
                "db1=mysql://admin:hunter22@h:1/,db2=mysql://quill_admin:changemeadmin@h:1/",
                "db2: its password is still a placeholder of .env.example",
            ),
        ] {
            let err = OpsSettings::from_vars(vars(&[("QUILL_DB_NODES", bad)]))
                .expect_err(bad)
                .to_string();
            assert!(
                err.starts_with("QUILL_DB_NODES=<redacted> is not valid: ")
                    && err.contains(reason)
                    && !err.contains("hunter22")
                    && !err.contains("changemeadmin"),
                "{err}"
            );
        }
    }
}

//! The reports on a DataFusion Ballista cluster: which engine a run uses (`--engine`), and,
//! with the `ballista` feature, the client that runs the SQL form of the reports
//! (`sql/datafusion_reports.sql`) on a scheduler, its progress display, and the scheduler
//! and executor processes themselves (`quill-analytics scheduler` / `executor`).
//!
//! The one-pass fold of the local engine is Rust code that executors cannot run (Ballista
//! ships DataFusion plans, not closures), so a cluster runs one SQL plan per report. The
//! results become the same [`Table`](crate::reports::Table)s as the local engine's and go
//! through the same output code, so the files are byte for byte the same; the tests prove
//! it on a generated snapshot.

#[cfg(feature = "ballista")]
pub mod cancel;
#[cfg(feature = "ballista")]
pub mod client;
#[cfg(feature = "ballista")]
pub mod cluster;
#[cfg(feature = "ballista")]
pub mod progress;
#[cfg(feature = "ballista")]
pub mod queries;
#[cfg(feature = "ballista")]
pub mod tables;

use std::fmt;
use std::str::FromStr;

use crate::error::AnalyticsError;

/// Ballista's scheduler port when a URL gives none.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

/// Where a run computes its reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Engine {
    /// In this process, the one-pass fold (`local`).
    #[default]
    Local,
    /// On the Ballista cluster whose scheduler listens at `ballista://HOST:PORT`.
    Ballista(SchedulerAddr),
}

/// A scheduler's host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerAddr {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for SchedulerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl FromStr for Engine {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AnalyticsError::EngineSpec(s.to_owned());
        if s == "local" {
            return Ok(Self::Local);
        }
        let rest = s.strip_prefix("ballista://").ok_or_else(bad)?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad())?),
            None => (rest, DEFAULT_SCHEDULER_PORT),
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !valid_host || port == 0 {
            return Err(bad());
        }
        Ok(Self::Ballista(SchedulerAddr {
            host: host.to_owned(),
            port,
        }))
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local => f.write_str("local"),
            Self::Ballista(addr) => write!(f, "ballista://{addr}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_from_their_command_line_form() {
        assert_eq!("local".parse::<Engine>().ok(), Some(Engine::Local));
        let addr = |host: &str, port| {
            Some(Engine::Ballista(SchedulerAddr {
                host: host.into(),
                port,
            }))
        };
        assert_eq!(
            "ballista://127.0.0.1:50055".parse::<Engine>().ok(),
            addr("127.0.0.1", 50055)
        );
        assert_eq!(
            "ballista://ballista-scheduler".parse::<Engine>().ok(),
            addr("ballista-scheduler", DEFAULT_SCHEDULER_PORT)
        );
        for bad in [
            "",
            "ballista",
            "ballista://",
            "ballista://host:0",
            "ballista://host:port",
            "spark://host:7077",
            "ballista://a b:1",
        ] {
            assert!(bad.parse::<Engine>().is_err(), "{bad}");
        }
        assert_eq!(
            Engine::Ballista(SchedulerAddr {
                host: "h".into(),
                port: 1
            })
            .to_string(),
            "ballista://h:1"
        );
    }
}

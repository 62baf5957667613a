//! MariaDB GTID positions: `domain-server-sequence`, comma-separated, one per domain.
//!
//! A position is what a request remembers after a write (`@@last_gtid`) so that a later
//! read on a replica can wait for it, and what `quill db promote` compares to find the
//! most advanced replica. Parsing is strict: the value also arrives in a cookie.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Domains a position may name; real deployments use one or two.
const MAX_DOMAINS: usize = 16;

/// A GTID position: for each replication domain, the last `(server_id, seq_no)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GtidPos(BTreeMap<u32, (u32, u64)>);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a GTID position: {0}")]
pub struct BadGtid(String);

impl GtidPos {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes, per domain, the later of `self` and `other`.
    pub fn merge(&mut self, other: &Self) {
        for (&domain, &(server, seq)) in &other.0 {
            let entry = self.0.entry(domain).or_insert((server, seq));
            if seq > entry.1 {
                *entry = (server, seq);
            }
        }
    }

    /// Whether every domain of `other` is reached here (sequence numbers grow within a
    /// domain, whichever server wrote them).
    pub fn covers(&self, other: &Self) -> bool {
        other
            .0
            .iter()
            .all(|(domain, &(_, seq))| self.0.get(domain).is_some_and(|&(_, have)| have >= seq))
    }
}

impl FromStr for GtidPos {
    type Err = BadGtid;

    /// Parses `@@gtid_slave_pos`-style text; the empty string is the empty position.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = || BadGtid(raw.chars().take(64).collect());
        let mut pos = Self::default();
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(pos);
        }
        for part in raw.split(',') {
            let mut fields = part.trim().splitn(3, '-');
            let mut number = |max: u64| -> Result<u64, BadGtid> {
                let field = fields.next().ok_or_else(bad)?;
                if field.is_empty()
                    || field.len() > 20
                    || !field.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(bad());
                }
                field
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= max)
                    .ok_or_else(bad)
            };
            let domain = number(u64::from(u32::MAX))? as u32;
            let server = number(u64::from(u32::MAX))? as u32;
            let seq = number(u64::MAX)?;
            if pos.0.insert(domain, (server, seq)).is_some() || pos.0.len() > MAX_DOMAINS {
                return Err(bad());
            }
        }
        Ok(pos)
    }
}

impl fmt::Display for GtidPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (domain, (server, seq))) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{domain}-{server}-{seq}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(raw: &str) -> GtidPos {
        raw.parse().expect("valid position")
    }

    #[test]
    fn parses_and_prints_positions() {
        assert_eq!(pos("0-1-42").to_string(), "0-1-42");
        assert_eq!(pos(" 1-2-3, 0-1-42 ").to_string(), "0-1-42,1-2-3");
        assert!(pos("").is_empty());
    }

    #[test]
    fn refuses_malformed_positions() {
        for raw in [
            "0-1",
            "0-1-2-3",
            "a-1-2",
            "0--2",
            "-0-1-2",
            "0-1-2,",
            "0-1-2,0-1-3",
            "0-4294967296-1",
            "0-1-99999999999999999999",
            "0-1-2;DROP",
            "0-1- 2",
        ] {
            assert!(raw.parse::<GtidPos>().is_err(), "{raw} was accepted");
        }
        let many: Vec<String> = (0..17).map(|d| format!("{d}-1-1")).collect();
        assert!(many.join(",").parse::<GtidPos>().is_err());
    }

    #[test]
    fn merge_keeps_the_later_sequence_per_domain() {
        let mut a = pos("0-1-10,1-1-5");
        a.merge(&pos("0-2-9,1-3-7,2-1-1"));
        assert_eq!(a.to_string(), "0-1-10,1-3-7,2-1-1");
    }

    #[test]
    fn covers_compares_sequences_domain_by_domain() {
        assert!(pos("0-1-10").covers(&pos("0-1-10")));
        assert!(pos("0-2-11").covers(&pos("0-1-10")));
        assert!(!pos("0-1-9").covers(&pos("0-1-10")));
        assert!(!pos("0-1-10").covers(&pos("0-1-1,1-1-1")));
        assert!(pos("0-1-1").covers(&GtidPos::default()));
    }
}

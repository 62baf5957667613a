//! Browser sessions and API tokens: how long one lasts, and how long an instance may
//! take one as live without asking the database again.

use std::time::Duration;

use super::env::{Env, SettingsError};

/// `QUILL_CHECK_MAX_LAG_SECS`'s default: how far behind HAProxy lets a replica answer.
const REPLICA_LAG_SECS: u64 = 5;

#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// `QUILL_SESSION_IDLE_SECS`: a session unused this long ends; also an API token's
    /// lifetime.
    pub idle: Duration,
    /// `QUILL_SESSION_ABSOLUTE_SECS`: a session ends this long after login regardless.
    pub absolute: Duration,
    /// `QUILL_SESSION_CACHE_SECS`: a session an instance loaded is taken as live for
    /// this long unless the instance ends it; at most `QUILL_CHECK_MAX_LAG_SECS`, the
    /// staleness a replica may already have; 0 asks the database on every request.
    pub cached: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("must be a whole number of seconds from 0 to QUILL_CHECK_MAX_LAG_SECS ({0})")]
pub struct AboveReplicaLag(u64);

impl SessionSettings {
    pub(super) fn from_env(env: &Env) -> Result<Self, SettingsError> {
        let lag = env.parse("QUILL_CHECK_MAX_LAG_SECS", REPLICA_LAG_SECS)?;
        let cached = env.parse_with("QUILL_SESSION_CACHE_SECS", lag, |raw| {
            raw.parse::<u64>()
                .ok()
                .filter(|secs| *secs <= lag)
                .ok_or(AboveReplicaLag(lag))
        })?;
        Ok(Self {
            idle: env.secs("QUILL_SESSION_IDLE_SECS", 24 * 3600)?,
            absolute: env.secs("QUILL_SESSION_ABSOLUTE_SECS", 14 * 24 * 3600)?,
            cached: Duration::from_secs(cached),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::vars;
    use super::*;

    fn cached(pairs: &[(&str, &str)]) -> Result<Duration, String> {
        SessionSettings::from_env(&Env::new(vars(pairs)))
            .map(|settings| settings.cached)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn sessions_are_cached_no_longer_than_a_replica_may_lag() {
        assert_eq!(cached(&[]), Ok(Duration::from_secs(5)));
        assert_eq!(
            cached(&[("QUILL_CHECK_MAX_LAG_SECS", "2")]),
            Ok(Duration::from_secs(2))
        );
        assert_eq!(
            cached(&[("QUILL_SESSION_CACHE_SECS", "0")]),
            Ok(Duration::ZERO)
        );
        let err = cached(&[("QUILL_SESSION_CACHE_SECS", "6")]).expect_err("above the lag");
        assert!(
            err.contains("QUILL_SESSION_CACHE_SECS")
                && err.contains("QUILL_CHECK_MAX_LAG_SECS (5)"),
            "{err}"
        );
    }
}

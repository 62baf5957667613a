//! Browser sessions and API tokens: how long one lasts.

use std::time::Duration;

use super::env::{Env, SettingsError};

#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// `QUILL_SESSION_IDLE_SECS`: a session unused this long ends; also an API token's
    /// lifetime.
    pub idle: Duration,
    /// `QUILL_SESSION_ABSOLUTE_SECS`: a session ends this long after login regardless.
    pub absolute: Duration,
}

impl SessionSettings {
    pub(super) fn from_env(env: &Env) -> Result<Self, SettingsError> {
        Ok(Self {
            idle: env.secs("QUILL_SESSION_IDLE_SECS", 24 * 3600)?,
            absolute: env.secs("QUILL_SESSION_ABSOLUTE_SECS", 14 * 24 * 3600)?,
        })
    }
}

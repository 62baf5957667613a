//! What the process logs, and how.

use super::env::{Env, SettingsError};

#[derive(Debug, Clone)]
pub struct LogSettings {
    /// `QUILL_LOG`: a tracing filter such as `info` or `quill_web=debug,info`.
    pub filter: String,
    /// `QUILL_LOG_FORMAT`: `text` or `json`.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error)]
#[error("expected text or json")]
pub struct NotALogFormat;

impl LogSettings {
    pub(super) fn from_env(env: &Env) -> Result<Self, SettingsError> {
        Ok(Self {
            filter: env.parse("QUILL_LOG", "info".to_owned())?,
            format: env.parse_with("QUILL_LOG_FORMAT", LogFormat::Text, |raw| match raw {
                "text" => Ok(LogFormat::Text),
                "json" => Ok(LogFormat::Json),
                _ => Err(NotALogFormat),
            })?,
        })
    }
}

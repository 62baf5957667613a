//! The HTTP server: where it listens, its threads, request limits, shutdown, and what
//! it may assume of the proxy and TLS in front of it.

use std::net::SocketAddr;
use std::time::Duration;

use super::env::{Env, SettingsError};

#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `QUILL_BIND`: the address to listen on.
    pub bind: SocketAddr,
    /// `QUILL_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `QUILL_MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `QUILL_SHUTDOWN_SECS`: how long in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout: Duration,
    /// `QUILL_COOKIE_SECURE`: TLS always terminates in front, whatever the proxy says:
    /// every request counts as HTTPS (`__Host-` cookies, `Strict-Transport-Security`).
    pub cookie_secure: bool,
    /// `QUILL_BEHIND_PROXY`: trust the proxy's `X-Forwarded-For` for the client address
    /// and its `X-Forwarded-Proto` for the scheme.
    pub behind_proxy: bool,
}

impl HttpSettings {
    pub(super) fn from_env(env: &Env, cores: usize) -> Result<Self, SettingsError> {
        Ok(Self {
            bind: env.parse("QUILL_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            workers: env.positive("QUILL_WORKERS", cores)?,
            max_body_bytes: env.positive("QUILL_MAX_BODY_BYTES", 256 * 1024)?,
            shutdown_timeout: env.secs("QUILL_SHUTDOWN_SECS", 30)?,
            cookie_secure: env.flag("QUILL_COOKIE_SECURE", false)?,
            behind_proxy: env.flag("QUILL_BEHIND_PROXY", false)?,
        })
    }
}

//! What every Quill test suite shares, in one place (as crates.io's
//! `crates_io_test_utils`): Quill started in the test's process on port 0 with its own
//! data directory ([`TestApp`]), HTTP clients that behave like a browser or a script, the
//! JSON API and HTML helpers, a headless Chromium (`browser` feature), and the native
//! test topology: three MariaDB servers, HAProxy, `quill` processes and nginx
//! (`topology`; `cluster` adds Quill in this process on it).
//!
//! The features keep each suite's build to what it uses: quill-web's own tests take
//! the default (`app`), which leaves quill-web without its `mysql` feature; the
//! end-to-end suites take `browser` and `cluster`; `cargo xtask` takes `topology` only.
//!
//! The test command (scripts/test.sh) sets the `QUILL_TEST_*` variables
//! ([`test_env`]); a suite that needs a missing tool says SKIPPED and passes, unless a
//! `QUILL_TEST_REQUIRE_*` variable says the tool must be there.

#[cfg(feature = "app")]
pub mod api;
#[cfg(feature = "app")]
mod app;
#[cfg(feature = "browser")]
pub mod browser;
#[cfg(feature = "cluster")]
mod cluster;
pub mod html;
#[cfg(feature = "app")]
pub mod http;
#[cfg(feature = "app")]
pub mod load;
pub mod ports;
#[cfg(feature = "topology")]
mod process;
pub mod test_env;
#[cfg(feature = "topology")]
pub mod topology;
pub mod wait;

#[cfg(feature = "app")]
pub use app::{DataDir, TestApp, TestAppBuilder, spawn_app};
#[cfg(feature = "cluster")]
pub use cluster::Cluster;
pub use html::hidden;
#[cfg(feature = "app")]
pub use http::{Endpoint, Site};

/// Every test account's password, in the pages and in the API.
pub const PASSWORD: &str = "correct horse battery staple";

/// Rate limits for Quill under a test's load: the cluster and web-tier suites make
/// hundreds of accounts, API logins and post tokens from 127.0.0.1, far past what a
/// deployment lets one address do. `Cluster::quill` and the topology's `quill` processes
/// start with these (a test's own settings still win); quill-web's suite and the limits'
/// own tests keep Quill's defaults. compose.check.yml sets the same for the compose check.
pub const LOAD_TEST_LIMITS: [(&str, &str); 6] = [
    ("QUILL_SIGNUP_ADDRESS_LIMIT", "1000000"),
    ("QUILL_SIGNUP_TOTAL_LIMIT", "1000000"),
    ("QUILL_API_SESSION_ADDRESS_LIMIT", "1000000"),
    ("QUILL_API_SESSION_TOTAL_LIMIT", "1000000"),
    ("QUILL_POST_TOKEN_ADDRESS_LIMIT", "1000000"),
    ("QUILL_POST_TOKEN_TOTAL_LIMIT", "1000000"),
];

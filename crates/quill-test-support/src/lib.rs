//! What every Quill test suite shares, in one place (as crates.io's
//! `crates_io_test_utils`): Quill started in the test's process on port 0 with its own
//! data directory ([`TestApp`]), HTTP clients that behave like a browser or a script, and
//! the JSON API and HTML helpers.
//!
//! The test command (scripts/test.sh) sets the `QUILL_TEST_*` variables
//! ([`test_env`]); a suite that needs a missing tool says SKIPPED and passes, unless a
//! `QUILL_TEST_REQUIRE_*` variable says the tool must be there.

#[cfg(feature = "app")]
pub mod api;
#[cfg(feature = "app")]
mod app;
pub mod html;
#[cfg(feature = "app")]
pub mod http;
pub mod ports;
pub mod test_env;
pub mod wait;

#[cfg(feature = "app")]
pub use app::{DataDir, TestApp, TestAppBuilder, spawn_app};
pub use html::hidden;
#[cfg(feature = "app")]
pub use http::{Endpoint, Site};

/// Every test account's password, in the pages and in the API.
pub const PASSWORD: &str = "correct horse battery staple";

//! `/account/...`: one's password and sessions.

pub mod password;
pub mod sessions;

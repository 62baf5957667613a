//! `/account/...`: one's password and sessions, an export of one's posts, and deleting
//! one's account.

pub mod delete;
pub mod export;
pub mod password;
pub mod sessions;

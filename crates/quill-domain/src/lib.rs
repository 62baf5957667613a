//! Quill's domain: ids, validated value types and their errors. No I/O lives here.
//!
//! Values are parsed once at the edge (`Username::parse`, `PostTitle::parse`, ...);
//! everything past the edge only ever holds valid values.

pub mod clock;
mod month;
mod password;
mod post;
mod secret;
mod user;
mod visible;

pub use month::Month;
pub use password::{Password, PasswordError, common_password_count};
pub use post::{PostBody, PostBodyError, PostId, PostIdError, PostTitle, PostTitleError};
pub use secret::{PLACEHOLDER_PREFIX, Secret};
pub use user::{UserId, Username, UsernameError};

//! Every function of Quill that reads untrusted input before anything is checked, in
//! one list: the fuzz targets (`fuzz/`, docs/FUZZING.md) call these. Re-exports only;
//! each parser lives with what it serves.
//!
//! Form bodies and query strings are decoded by actix-web's `web::Form` and
//! `web::Query`, which are `serde_urlencoded` over the types below; the fuzz targets
//! decode them the same way.

pub use crate::app::accounts::{NewAccount, parse as parse_new_account};
pub use crate::app::posts::{Draft, parse as parse_draft, parse_cursor};
pub use crate::csrf::{
    Binding as CsrfBinding, cross_site, seed_of_cookie, token as csrf_token,
    token_matches as csrf_token_matches,
};
pub use crate::device::verify as device_cookie;
pub use crate::flash::Flash;
pub use crate::post_token::{issue as issue_post_token, redeem as redeem_post_token};
pub use crate::read_floor::decode as read_floor_cookie;
pub use crate::routes::{
    ApiListQuery, ListQuery, LoginForm, LogoutForm, NewPostForm, PasswordForm, SignupForm,
    bearer_token,
};
pub use crate::secrets::{MacKey, Secrets};

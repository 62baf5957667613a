//! The author's own posts: the timeline, writing, reading one.

pub mod list;
pub mod new;
pub mod show;

//! The author's own posts: the timeline, writing, reading one.

pub mod list;
pub mod new;
pub mod show;

/// Posts per timeline page.
pub const PAGE_SIZE: usize = 20;

/// Microseconds since the Unix epoch, now.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

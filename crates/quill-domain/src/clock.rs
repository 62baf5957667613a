//! The wall clock, in the units Quill stores: Unix seconds for accounts, Unix
//! microseconds for posts (the unit of a timeuuid's time) and analytics.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formatting an instant given in Unix microseconds: `YYYY-MM-DD HH:MM UTC` for pages,
/// RFC 3339 for the API.
pub use crate::month::{format_rfc3339, format_utc_minutes};

/// Seconds since the Unix epoch, now; the unit of every accounts timestamp.
pub fn unix_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Microseconds since the Unix epoch, now.
pub fn unix_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

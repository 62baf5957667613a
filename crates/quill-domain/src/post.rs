//! Posts: timeuuid ids, titles and bodies.

use std::cmp::Ordering;
use std::fmt;

use uuid::Uuid;

use crate::Month;
use crate::month::{format_rfc3339, format_utc_minutes};

/// 100 ns intervals between the Gregorian epoch of UUIDs (1582-10-15) and the Unix epoch.
const GREGORIAN_TO_UNIX_TICKS: i64 = 0x01B2_1DD2_1381_4000;

/// A post's id: a version 1 UUID (a Cassandra `timeuuid`). The post's time, and so its
/// month partition, is part of the id, so `(user, post_id)` finds a post on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PostId(Uuid);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostIdError {
    #[error("not a UUID")]
    Malformed,
    #[error("not a time-based (version 1) UUID")]
    NotTimeBased,
}

impl PostId {
    /// A fresh id for a post written now. `node` tells processes apart; the uuid crate's
    /// shared clock sequence context tells ids of one process apart.
    pub fn new_now(node: &[u8; 6]) -> Self {
        Self(Uuid::now_v1(node))
    }

    pub fn parse(raw: &str) -> Result<Self, PostIdError> {
        let uuid = Uuid::try_parse(raw).map_err(|_| PostIdError::Malformed)?;
        Self::from_uuid(uuid)
    }

    pub fn from_uuid(uuid: Uuid) -> Result<Self, PostIdError> {
        if uuid.get_version_num() == 1 {
            Ok(Self(uuid))
        } else {
            Err(PostIdError::NotTimeBased)
        }
    }

    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// 100 ns ticks since 1582-10-15, the timeuuid's own clock.
    pub fn ticks(&self) -> i64 {
        let b = self.0.as_bytes();
        let time_low = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as i64;
        let time_mid = u16::from_be_bytes([b[4], b[5]]) as i64;
        let time_hi = (u16::from_be_bytes([b[6], b[7]]) & 0x0fff) as i64;
        (time_hi << 48) | (time_mid << 32) | time_low
    }

    /// When the post was written, in microseconds since the Unix epoch (UTC).
    pub fn created_at_micros(&self) -> i64 {
        (self.ticks() - GREGORIAN_TO_UNIX_TICKS).div_euclid(10)
    }

    /// The month partition this post lives in.
    pub fn month(&self) -> Month {
        Month::from_unix_micros(self.created_at_micros())
    }

    /// `YYYY-MM-DD HH:MM UTC`, for pages.
    pub fn created_at_display(&self) -> String {
        format_utc_minutes(self.created_at_micros())
    }

    /// RFC 3339 in UTC with microseconds, for the API.
    pub fn created_at_rfc3339(&self) -> String {
        format_rfc3339(self.created_at_micros())
    }
}

/// Timeline order: by time, then by the id's bytes so that two posts of one tick still
/// have a fixed order. Newest first is `.reverse()` of this.
impl Ord for PostId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ticks()
            .cmp(&other.ticks())
            .then_with(|| self.0.as_bytes().cmp(other.0.as_bytes()))
    }
}

impl PartialOrd for PostId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A post title: 1-200 characters after trimming, one line, something visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostTitleError {
    #[error("Give your post a title.")]
    Empty,
    #[error("Keep the title to {} characters or fewer.", PostTitle::MAX)]
    TooLong,
    #[error("A title cannot contain line breaks or control characters.")]
    ControlCharacter,
}

impl PostTitle {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, PostTitleError> {
        let title = raw.trim();
        if !crate::visible::has_visible(title) {
            return Err(PostTitleError::Empty);
        }
        if title.chars().count() > Self::MAX {
            return Err(PostTitleError::TooLong);
        }
        if title.chars().any(char::is_control) {
            return Err(PostTitleError::ControlCharacter);
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A post body: 1-20,000 characters, something visible (not only white space or
/// zero-width characters). Line breaks are stored as `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostBodyError {
    #[error("Write something in your post.")]
    Empty,
    #[error("Keep the post to {} characters or fewer.", PostBody::MAX)]
    TooLong,
    #[error("A post cannot contain control characters.")]
    ControlCharacter,
}

impl PostBody {
    pub const MAX: usize = 20_000;

    pub fn parse(raw: &str) -> Result<Self, PostBodyError> {
        let body = raw.replace("\r\n", "\n");
        if !crate::visible::has_visible(&body) {
            return Err(PostBodyError::Empty);
        }
        if body.chars().count() > Self::MAX {
            return Err(PostBodyError::TooLong);
        }
        if body
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(PostBodyError::ControlCharacter);
        }
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-02-29T23:59:59.9999999Z as a v1 UUID, built by hand: ticks 0x1EED75EA5957FFF.
    const LEAP_DAY_LAST_TICK: &str = "a5957fff-d75e-11ee-8000-010203040506";

    #[test]
    fn a_timeuuid_carries_its_instant_and_month() {
        let id = PostId::parse(LEAP_DAY_LAST_TICK).expect("valid v1 uuid");
        assert_eq!(id.created_at_micros(), 1_709_251_199_999_999);
        assert_eq!(id.month().yyyymm(), 202402);
        assert_eq!(id.created_at_display(), "2024-02-29 23:59 UTC");
    }

    #[test]
    fn only_version_1_uuids_are_post_ids() {
        assert_eq!(PostId::parse("nope"), Err(PostIdError::Malformed));
        assert_eq!(
            PostId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8"),
            Err(PostIdError::NotTimeBased)
        );
    }

    #[test]
    fn fresh_ids_sort_in_time_order() {
        let node = [1, 2, 3, 4, 5, 6];
        let ids: Vec<PostId> = (0..1000).map(|_| PostId::new_now(&node)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(PostId::parse(&ids[0].to_string()), Ok(ids[0]));
    }

    #[test]
    fn titles_are_trimmed_single_lines() {
        assert_eq!(
            PostTitle::parse("  Hi  ").map(PostTitle::into_string),
            Ok("Hi".into())
        );
        assert_eq!(PostTitle::parse("   "), Err(PostTitleError::Empty));
        assert_eq!(
            PostTitle::parse(&"é".repeat(201)),
            Err(PostTitleError::TooLong)
        );
        assert!(PostTitle::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            PostTitle::parse("a\nb"),
            Err(PostTitleError::ControlCharacter)
        );
    }

    #[test]
    fn bodies_keep_their_text_with_unix_line_breaks() {
        assert_eq!(
            PostBody::parse("one\r\ntwo\tthree").map(PostBody::into_string),
            Ok("one\ntwo\tthree".into())
        );
        assert_eq!(PostBody::parse(" \n "), Err(PostBodyError::Empty));
        assert_eq!(
            PostBody::parse(&"日".repeat(20_001)),
            Err(PostBodyError::TooLong)
        );
        assert!(PostBody::parse(&"日".repeat(20_000)).is_ok());
        assert_eq!(
            PostBody::parse("a\u{0}b"),
            Err(PostBodyError::ControlCharacter)
        );
    }

    #[test]
    fn a_title_or_body_that_shows_nothing_is_empty() {
        for blank in ["\u{200B}", "\u{FEFF}", "\u{3164}", " \u{200B} \u{FEFF} "] {
            assert_eq!(
                PostTitle::parse(blank),
                Err(PostTitleError::Empty),
                "{blank:?}"
            );
            assert_eq!(
                PostBody::parse(blank),
                Err(PostBodyError::Empty),
                "{blank:?}"
            );
        }
        assert!(PostTitle::parse("\u{200B}Notes").is_ok());
    }
}

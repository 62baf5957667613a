//! Users: ids and usernames (passwords are in `password.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user's database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A username: 3-32 characters of `[a-z0-9_-]`, case-folded on the way in, so that
/// `Alice` and `alice` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Choose a username of at least {} characters.", Username::MIN)]
    TooShort,
    #[error("Choose a username of at most {} characters.", Username::MAX)]
    TooLong,
    #[error("Use only letters a-z, digits, '_' and '-' in a username.")]
    BadCharacter,
}

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 32;

    /// The form two spellings of one username share (trimmed, lowercase), for any text
    /// typed as a username, valid or not: attempts on names that do not exist count too.
    pub fn fold(raw: &str) -> String {
        raw.trim().to_lowercase()
    }

    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let folded = Self::fold(raw);
        let len = folded.chars().count();
        if len < Self::MIN {
            return Err(UsernameError::TooShort);
        }
        if len > Self::MAX {
            return Err(UsernameError::TooLong);
        }
        if !folded
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(UsernameError::BadCharacter);
        }
        Ok(Self(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_case_folded_and_trimmed() {
        assert_eq!(
            Username::parse("  Alice_1-x ").map(|u| u.to_string()),
            Ok("alice_1-x".to_owned())
        );
    }

    #[test]
    fn usernames_outside_the_rules_are_refused() {
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong)
        );
        assert_eq!(Username::parse("al ice"), Err(UsernameError::BadCharacter));
        assert_eq!(Username::parse("alïce"), Err(UsernameError::BadCharacter));
        assert!(Username::parse(&"a".repeat(32)).is_ok());
    }
}

//! Passwords and the policy a new one must meet (ASVS 6.2): 10-128 characters, no
//! composition rules, and none of these, compared case-insensitively:
//!
//! - a common password: Django's list of 20,000 (`password/common-django.txt`, made by
//!   Royce Williams from breach corpora, shipped in `django/contrib/auth/`
//!   under Django's BSD-3-Clause license, kept beside it in `password/LICENSE-django`)
//!   and Quill's earlier list of 1,090 (`password/common-quill.txt`);
//! - digits only, spaces and punctuation aside (`12345678901`, `0612 345 678`);
//! - too close to the username: the username with only digits, spaces or punctuation
//!   around or between its copies (`alice1`, `!alice2024`, `alice alice`), or within
//!   three single-character edits of it (`alexander_hamilton` -> `alexanderhamilton1`);
//! - too close, by the same rule, to a word of this site ([`CONTEXT_WORDS`], ASVS 6.1.2
//!   and 6.2.11): `quillquill1`, `Quill-2026!`, `quillposts`.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::Secret;

/// A password: from [`Password::parse_new`], one that meets the policy; from
/// [`Password::parse_login`], whatever was typed (up to the length cap).
/// Its `Debug` never shows the text.
#[derive(Clone, Debug)]
pub struct Password(Secret);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Choose a password of at least {} characters.", Password::MIN)]
    TooShort,
    #[error("Choose a password of at most {} characters.", Password::MAX)]
    TooLong,
    #[error("This password is too common. Choose another one.")]
    Common,
    #[error("A password of digits only is easy to guess. Use words too.")]
    DigitsOnly,
    #[error(
        "This password is too close to your username. Choose one that is more than your \
         username with a few characters changed or added."
    )]
    LikeUsername,
    #[error(
        "This password is too close to the name of this site. Choose one that is more \
         than a word of it with a few characters changed or added."
    )]
    LikeSite,
}

/// The words of this site that a password must be more than (the username rule):
/// the product's name and what it is about, as a guesser aiming at Quill would try.
pub const CONTEXT_WORDS: &[&str] = &["quill", "quillposts", "quill posts", "posts", "quillpost"];

const COMMON_DJANGO: &str = include_str!("password/common-django.txt");
const COMMON_QUILL: &str = include_str!("password/common-quill.txt");

/// Both lists, lowercase, built on first use (about 21,000 entries).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_DJANGO
        .lines()
        .chain(COMMON_QUILL.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// How many distinct passwords the common list holds.
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// At most this many single-character edits away from the username is too close.
const USERNAME_EDITS: usize = 3;

impl Password {
    pub const MIN: usize = 10;
    pub const MAX: usize = 128;

    /// Parses a new password chosen by the holder of `username` (as typed; it is
    /// case-folded here) at sign-up or at a password change.
    pub fn parse_new(raw: &str, username: &str) -> Result<Self, PasswordError> {
        let len = raw.chars().count();
        if len < Self::MIN {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX {
            return Err(PasswordError::TooLong);
        }
        let folded = raw.to_lowercase();
        if COMMON.contains(folded.as_str()) {
            return Err(PasswordError::Common);
        }
        if digits_only(&folded) {
            return Err(PasswordError::DigitsOnly);
        }
        if like_username(&folded, &crate::Username::fold(username)) {
            return Err(PasswordError::LikeUsername);
        }
        if CONTEXT_WORDS
            .iter()
            .any(|word| like_username(&folded, word))
        {
            return Err(PasswordError::LikeSite);
        }
        Ok(Self(Secret::new(raw.to_owned())))
    }

    /// Wraps a password typed at login. Only the length cap applies, so that a login
    /// never hashes an unbounded input; rules added later never lock out old accounts.
    pub fn parse_login(raw: &str) -> Result<Self, PasswordError> {
        if raw.chars().count() > Self::MAX {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(Secret::new(raw.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Spaces and punctuation, which add little to a guesser's work.
fn is_filler(c: char) -> bool {
    c.is_whitespace() || c.is_ascii_punctuation()
}

fn digits_only(password: &str) -> bool {
    password.chars().any(|c| c.is_ascii_digit())
        && password.chars().all(|c| c.is_ascii_digit() || is_filler(c))
}

/// Whether a case-folded password is its case-folded username with only digits and
/// fillers added, or a few edits away from it.
fn like_username(password: &str, username: &str) -> bool {
    if username.is_empty() {
        return false;
    }
    let rest = password.replace(username, "");
    if rest.len() < password.len() && rest.chars().all(|c| c.is_ascii_digit() || is_filler(c)) {
        return true;
    }
    edit_distance(password, username) <= USERNAME_EDITS
}

/// Levenshtein distance over characters; inputs are at most 128 characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str, username: &str) -> Result<(), PasswordError> {
        Password::parse_new(raw, username).map(|_| ())
    }

    #[test]
    fn passwords_follow_length_rules() {
        assert_eq!(parse("short", "ada"), Err(PasswordError::TooShort));
        assert_eq!(parse(&"x".repeat(129), "ada"), Err(PasswordError::TooLong));
        assert!(parse("correct horse battery", "ada").is_ok());
        assert!(parse("alllowercaseletters", "ada").is_ok());
    }

    #[test]
    fn the_common_list_is_djangos_and_quills_and_refuses_whatever_the_case() {
        assert!(
            common_password_count() >= 20_000,
            "{}",
            common_password_count()
        );
        // From Django's list, both lists, and Quill's earlier one only.
        for common in [
            "Basketball",
            "TINKERBELL",
            "1qaz2wsx3edc",
            "q1w2e3r4t5y6",
            "0000000000d",
        ] {
            assert_eq!(parse(common, "ada"), Err(PasswordError::Common), "{common}");
        }
        assert_eq!(parse("baseball12", "ada"), Err(PasswordError::Common));
        assert_eq!(parse("Liverpool1", "ada"), Err(PasswordError::Common));
        assert_eq!(parse("1234567890", "ada"), Err(PasswordError::Common));
        assert!(parse("correct horse battery staple", "ada").is_ok());
        assert!(parse("Tr0ub4dor&3 mountain", "ada").is_ok());
    }

    #[test]
    fn digits_only_passwords_are_refused() {
        // On the common list too; refused either way.
        assert!(parse("12345678901", "ada").is_err());
        assert_eq!(parse("80417729351", "ada"), Err(PasswordError::DigitsOnly));
        assert_eq!(parse("0612 345 678", "ada"), Err(PasswordError::DigitsOnly));
        assert_eq!(
            parse("31-12-1999-07", "ada"),
            Err(PasswordError::DigitsOnly)
        );
        assert!(parse("12345678901a", "ada").is_ok());
        assert!(
            parse("!!!!????****", "ada").is_ok(),
            "no digit: not digits only"
        );
    }

    #[test]
    fn passwords_like_the_username_are_refused() {
        let like = Err(PasswordError::LikeUsername);
        assert_eq!(parse("marguerite1", "marguerite"), like);
        assert_eq!(parse("Marguerite1", "MARGUERITE"), like);
        assert_eq!(parse("!bob2024bob", "bob"), like);
        assert_eq!(parse("bob bob bob", "bob"), like);
        assert_eq!(parse("alexanderhamilton1", "alexander_hamilton"), like);
        assert_eq!(parse("etirgueram", "marguerite").map(|_| ()), Ok(()));
        // The username inside words of their own is fine.
        assert!(parse("bob built a red shed", "bob").is_ok());
        // The fixtures of scripts/bench.sh and the Django comparison's seed.
        assert!(parse("benchmark password", "bench").is_ok());
        assert!(parse("bench-password-123", "bench").is_ok());
        assert!(parse("bench-password-123", "writer").is_ok());
        assert!(parse("correct horse battery staple", "alice").is_ok());
    }

    #[test]
    fn passwords_like_a_word_of_the_site_are_refused() {
        for weak in [
            "quillquill1",
            "Quill-2026!",
            "QUILLPOSTS",
            "quill posts 1",
            "qu1llposts",
        ] {
            assert_eq!(parse(weak, "alice"), Err(PasswordError::LikeSite), "{weak}");
        }
        for fine in ["my quill is a feather", "posts about rivers 7"] {
            assert_eq!(parse(fine, "alice"), Ok(()), "{fine}");
        }
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("ab", "ba"), 2);
    }

    #[test]
    fn password_debug_never_shows_the_text() {
        let password = Password::parse_login("hunter2hunter2").map(|p| format!("{p:?}"));
        assert_eq!(password, Ok("Password(<redacted>)".to_owned()));
    }
}

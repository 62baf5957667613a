//! What generated posts look like: a named preset (`default`, the generator's original
//! shape, or `wordy`, longer bodies of short words) whose parameters can each be
//! overridden, and how the snapshot is laid out in files and row groups.

use std::fmt;
use std::str::FromStr;

/// A named starting point for [`Shape`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// About 55 words (450 characters) a body, syllable words from a 50,000-word
    /// vocabulary, `n/20` users over 1,050 days, one file of 65,536-row row groups.
    #[default]
    Default,
    /// Posts like a real site's: 720 characters a body, words of 2-6 letters, a Zipf
    /// vocabulary of 20,000 words, 20,000 users over 365 days, 4 files of 2 row groups.
    Wordy,
}

impl FromStr for Preset {
    type Err = ShapeError;

    fn from_str(s: &str) -> Result<Self, ShapeError> {
        match s {
            "default" => Ok(Self::Default),
            "wordy" => Ok(Self::Wordy),
            _ => Err(ShapeError::Preset(s.to_owned())),
        }
    }
}

/// How the words of the vocabulary are made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordForm {
    /// 2-4 syllables (4-12 letters), picked with a power-law skew (the default shape).
    Syllables,
    /// Letters drawn by English frequency, a length within the range, picked by Zipf rank.
    Letters(LetterRange),
}

/// An inclusive range of word lengths in letters, `MIN-MAX` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterRange {
    min: usize,
    max: usize,
}

/// The longest generated word: words of up to 16 bytes are the common case of R4.
pub const MAX_LETTERS: usize = 16;

impl LetterRange {
    pub fn new(min: usize, max: usize) -> Result<Self, ShapeError> {
        if min == 0 || min > max || max > MAX_LETTERS {
            return Err(ShapeError::Letters(format!("{min}-{max}")));
        }
        Ok(Self { min, max })
    }

    pub fn min(self) -> usize {
        self.min
    }

    pub fn max(self) -> usize {
        self.max
    }
}

impl FromStr for LetterRange {
    type Err = ShapeError;

    fn from_str(s: &str) -> Result<Self, ShapeError> {
        let bad = || ShapeError::Letters(s.to_owned());
        let (min, max) = s.split_once('-').ok_or_else(bad)?;
        let min = min.trim().parse().map_err(|_| bad())?;
        let max = max.trim().parse().map_err(|_| bad())?;
        Self::new(min, max)
    }
}

impl fmt::Display for LetterRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.min, self.max)
    }
}

/// How long bodies are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// A lognormal number of words, about 55 on average (the default shape).
    LognormalWords,
    /// Words until a lognormal length in characters is reached, with this mean.
    MeanChars(usize),
}

/// Everything that sets what a generated snapshot looks like, apart from its size and
/// seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Words in the vocabulary (before the other-script words and traps are added).
    pub vocabulary: usize,
    pub words: WordForm,
    pub body: BodyLength,
    /// Distinct authors; `None`: one per 20 posts, at least 50.
    pub users: Option<u64>,
    /// Days the posts spread over, from 2024-01-01.
    pub days: u64,
    /// Parquet files the posts are split into, in order.
    pub files: usize,
    /// Row groups per file; `None`: row groups of 65,536 rows.
    pub row_groups: Option<usize>,
}

impl Shape {
    pub fn preset(preset: Preset) -> Self {
        match preset {
            Preset::Default => Self {
                vocabulary: 50_000,
                words: WordForm::Syllables,
                body: BodyLength::LognormalWords,
                users: None,
                days: 1_050,
                files: 1,
                row_groups: None,
            },
            Preset::Wordy => Self {
                vocabulary: 20_000,
                words: WordForm::Letters(LetterRange { min: 2, max: 6 }),
                body: BodyLength::MeanChars(720),
                users: Some(20_000),
                days: 365,
                files: 4,
                row_groups: Some(2),
            },
        }
    }

    /// Checks that the shape can be generated.
    pub fn check(&self) -> Result<(), ShapeError> {
        let positive = |name: &'static str, value: u64| {
            if value == 0 {
                Err(ShapeError::Zero(name))
            } else {
                Ok(())
            }
        };
        positive("--vocabulary", self.vocabulary as u64)?;
        if let BodyLength::MeanChars(n) = self.body {
            positive("--body-chars", n as u64)?;
        }
        if let Some(users) = self.users {
            positive("--users", users)?;
        }
        positive("--days", self.days)?;
        positive("--files", self.files as u64)?;
        if let Some(groups) = self.row_groups {
            positive("--row-groups", groups as u64)?;
        }
        Ok(())
    }
}

impl Default for Shape {
    fn default() -> Self {
        Self::preset(Preset::Default)
    }
}

/// A shape that cannot be generated.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("unknown shape {0:?}: use default or wordy")]
    Preset(String),
    #[error("word letters {0:?}: use MIN-MAX with 1 <= MIN <= MAX <= 16, e.g. 2-6")]
    Letters(String),
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_ranges_parse_or_say_what_is_wrong() {
        assert_eq!("2-6".parse(), LetterRange::new(2, 6));
        assert_eq!(
            " 3 - 3 ".parse::<LetterRange>().map(|r| r.to_string()),
            Ok("3-3".into())
        );
        for bad in ["", "6", "6-2", "0-3", "2-17", "a-b", "2-", "-2", "2-6-8"] {
            assert_eq!(
                bad.parse::<LetterRange>(),
                Err(ShapeError::Letters(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert_eq!(
            ShapeError::Letters("6-2".into()).to_string(),
            "word letters \"6-2\": use MIN-MAX with 1 <= MIN <= MAX <= 16, e.g. 2-6"
        );
    }

    #[test]
    fn presets_parse_by_name_and_check() {
        assert_eq!("wordy".parse(), Ok(Preset::Wordy));
        assert_eq!("default".parse(), Ok(Preset::Default));
        assert_eq!(
            "Wordy".parse::<Preset>(),
            Err(ShapeError::Preset("Wordy".into()))
        );
        for preset in [Preset::Default, Preset::Wordy] {
            assert_eq!(Shape::preset(preset).check(), Ok(()));
        }
    }

    /// Sets one count of a shape to zero.
    type Zeroing = fn(&mut Shape);

    #[test]
    fn zero_counts_are_refused_by_name() {
        let zeroed: [(&str, Zeroing); 6] = [
            ("--vocabulary", |s| s.vocabulary = 0),
            ("--body-chars", |s| s.body = BodyLength::MeanChars(0)),
            ("--users", |s| s.users = Some(0)),
            ("--days", |s| s.days = 0),
            ("--files", |s| s.files = 0),
            ("--row-groups", |s| s.row_groups = Some(0)),
        ];
        for (name, zero) in zeroed {
            let mut shape = Shape::preset(Preset::Wordy);
            zero(&mut shape);
            assert_eq!(shape.check(), Err(ShapeError::Zero(name)));
        }
    }
}

//! Word counts for R4, built for speed: words of up to 8 bytes (most) are packed into a
//! `u64` key and words of up to 16 into two, so counting hashes and compares integers
//! instead of chasing string pointers; longer words fall back to a string map.

use hashbrown::HashMap;

use super::packed::PackedCounts;
use crate::tokens::Lowercase;
use crate::tokens::ascii::{lowercase_word8, packed_lowercase};

/// Bytes a packed word can hold.
const INLINE: usize = 16;

/// Counts of words; every word is a non-empty token, so it holds no NUL byte and zero
/// padding is unambiguous.
#[derive(Debug, Default)]
pub struct WordCounts {
    /// Words of up to 8 bytes, little-endian ([`pack8`]).
    short: PackedCounts<u64>,
    /// Words of 9 to 16 bytes as two halves (8-byte aligned, so a slot is 24 bytes, not 32).
    middle: PackedCounts<(u64, u64)>,
    long: HashMap<Box<str>, u64>,
}

/// Big-endian packing of at most [`INLINE`] bytes: the order of keys is the byte order of
/// the words.
#[inline(always)]
fn pack(bytes: &[u8]) -> (u64, u64) {
    let mut packed = [0u8; INLINE];
    let len = bytes.len().min(INLINE);
    packed[..len].copy_from_slice(&bytes[..len]);
    let key = u128::from_be_bytes(packed);
    ((key >> 64) as u64, key as u64)
}

/// Little-endian packing of at most 8 bytes (the key [`lowercase_word8`] makes).
#[inline(always)]
fn pack8(bytes: &[u8]) -> u64 {
    let mut packed = [0u8; 8];
    let len = bytes.len().min(8);
    packed[..len].copy_from_slice(&bytes[..len]);
    u64::from_le_bytes(packed)
}

fn unpack8(key: u64) -> String {
    let bytes = key.to_le_bytes();
    let len = bytes.iter().position(|b| *b == 0).unwrap_or(8);
    // Keys are packed from whole `str`s, so the bytes are valid UTF-8.
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

fn unpack((high, low): (u64, u64)) -> String {
    let bytes = ((u128::from(high) << 64) | u128::from(low)).to_be_bytes();
    let len = bytes.iter().position(|b| *b == 0).unwrap_or(INLINE);
    // Keys are packed from whole `str`s, so the bytes are valid UTF-8.
    String::from_utf8_lossy(&bytes[..len]).into_owned()
}

impl WordCounts {
    /// Counts `word` once.
    #[inline]
    pub fn add(&mut self, word: &str) {
        if word.len() <= 8 {
            self.short.add(pack8(word.as_bytes()), 1);
        } else if word.len() <= INLINE {
            self.middle.add(pack(word.as_bytes()), 1);
        } else {
            self.add_long(word);
        }
    }

    /// Counts a token of a lowercased text once (see [`crate::tokens::lowercase_tokens`]).
    ///
    /// Inlined into the tokenizer's loop: a short ASCII token, nearly every token, is a
    /// load, a mask, a lowercase and a probe with no call; the rest are out of line.
    #[inline(always)]
    pub fn add_lowercase(&mut self, token: Lowercase<'_>) {
        match token {
            Lowercase::Ascii {
                start, end, head, ..
            } if end - start <= 8 => {
                self.short.add(lowercase_word8(head, end - start), 1);
            }
            // Out of line with scalar arguments, so the token is never spilled to memory
            // on the way to the short words' probe.
            Lowercase::Ascii {
                text, start, end, ..
            } => self.add_ascii(text, start, end),
            Lowercase::Word(word) => self.add_word(word),
        }
    }

    #[inline(never)]
    fn add_ascii(&mut self, text: &[u8], start: usize, end: usize) {
        if end - start <= INLINE {
            self.middle.add(packed_lowercase(text, start, end), 1);
        } else {
            let token = Lowercase::Ascii {
                text,
                start,
                end,
                head: 0,
            };
            self.add_long(&token.to_lowercase_string());
        }
    }

    #[inline(never)]
    fn add_word(&mut self, word: &str) {
        self.add(word);
    }

    #[cold]
    fn add_long(&mut self, word: &str) {
        if let Some(count) = self.long.get_mut(word) {
            *count += 1;
        } else {
            self.long.insert(word.into(), 1);
        }
    }

    pub fn len(&self) -> usize {
        self.short.len() + self.middle.len() + self.long.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds another set of counts into this one.
    pub fn merge(&mut self, mut other: WordCounts) {
        if other.short.len() > self.short.len() {
            std::mem::swap(&mut self.short, &mut other.short);
        }
        for (key, count) in other.short.iter() {
            self.short.add(key, count);
        }
        if other.middle.len() > self.middle.len() {
            std::mem::swap(&mut self.middle, &mut other.middle);
        }
        for (key, count) in other.middle.iter() {
            self.middle.add(key, count);
        }
        for (word, count) in other.long {
            *self.long.entry(word).or_insert(0) += count;
        }
    }

    /// Every word with its count, in no particular order.
    pub fn entries(&self) -> Vec<(String, u64)> {
        self.short
            .iter()
            .map(|(k, c)| (unpack8(k), c))
            .chain(self.middle.iter().map(|(k, c)| (unpack(k), c)))
            .chain(self.long.iter().map(|(w, c)| (w.to_string(), *c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::ascii::head_at;

    #[test]
    fn short_and_long_words_count_alike() {
        let mut w = WordCounts::default();
        let long = "internationalization";
        for word in [
            "é",
            "日本",
            "a",
            long,
            "sixteenbytesab16",
            "é",
            "eightby8",
            "ninebyte9",
        ] {
            w.add(word);
        }
        // ASCII tokens: letters and digits only.
        for upper in [
            "A",
            "INTERNATIONALIZATION",
            "EIGHTBY8",
            "NINEBYTE9",
            "SIXTEENBYTESAB16",
        ] {
            let text = format!("({upper})");
            w.add_lowercase(Lowercase::Ascii {
                text: text.as_bytes(),
                start: 1,
                end: upper.len() + 1,
                head: head_at(text.as_bytes(), 1),
            });
        }
        let mut entries = w.entries();
        entries.sort();
        let expected = [
            ("a", 2),
            ("eightby8", 2),
            (long, 2),
            ("ninebyte9", 2),
            ("sixteenbytesab16", 2),
            ("é", 2),
            ("日本", 1),
        ];
        let expected: Vec<(String, u64)> =
            expected.iter().map(|(s, c)| (s.to_string(), *c)).collect();
        assert_eq!(entries, expected);
    }

    #[test]
    fn packed_keys_sort_like_their_words() {
        let words = ["", "a", "ab", "b", "é", "日本"];
        for pair in words.windows(2) {
            assert!(
                pack(pair[0].as_bytes()) < pack(pair[1].as_bytes()),
                "{pair:?}"
            );
        }
    }

    #[test]
    fn merging_adds_counts() {
        let (mut a, mut b) = (WordCounts::default(), WordCounts::default());
        a.add("x");
        b.add("x");
        b.add("y");
        b.add("a_very_long_word_indeed");
        a.merge(b);
        let mut entries = a.entries();
        entries.sort();
        assert_eq!(entries[0], ("a_very_long_word_indeed".to_string(), 1));
        assert_eq!(entries[1], ("x".to_string(), 2));
        assert_eq!(a.len(), 3);
    }
}

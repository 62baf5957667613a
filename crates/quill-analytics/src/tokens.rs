//! Tokens as docs/ANALYTICS.md defines them: maximal runs of code points whose General Category is
//! a letter (Lu, Ll, Lt, Lm, Lo) or a decimal digit (Nd), and their lowercase forms.
//!
//! This is deliberately not `char::is_alphanumeric` (Alphabetic/Numeric include marks, Nl
//! and No), not regex `\w` and not UAX #29 word segmentation.
//!
//! [`lowercase_tokens`] is what the reports use: ASCII tokens found by the fast path of
//! [`ascii`], everything else by the general path ([`tokens`], [`lowercase_runs`]); the
//! tests hold the two to the same answers.

pub mod ascii;

use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether each ASCII byte belongs to a token: `[0-9A-Za-z]`.
const ASCII_TOKEN: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// Whether `c` belongs to a token: General Category L* or Nd.
pub fn is_token_char(c: char) -> bool {
    if c.is_ascii() {
        return ASCII_TOKEN[c as usize];
    }
    matches!(
        get_general_category(c),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
            | GeneralCategory::DecimalNumber
    )
}

/// Whether lowercasing `c` yields a token character although `c` is none. With Rust's
/// case tables a version ahead of the General Category table, a few new capitals
/// (U+A7D2, U+A7D4) are unassigned here while their lowercase forms are letters.
fn lowercases_into_token(c: char) -> bool {
    !c.is_ascii() && c.to_lowercase().any(is_token_char)
}

/// The tokens of `s`, in order.
pub fn tokens(s: &str) -> Tokens<'_> {
    Tokens {
        s,
        pos: 0,
        lower: false,
    }
}

/// The runs of `s` whose lowercase forms hold all the tokens of `lowercase(s)`: token
/// characters plus the characters that lowercase into token characters.
pub fn lowercase_runs(s: &str) -> Tokens<'_> {
    Tokens {
        s,
        pos: 0,
        lower: true,
    }
}

/// Iterator over the tokens of a string; see [`tokens`] and [`lowercase_runs`].
pub struct Tokens<'a> {
    s: &'a str,
    pos: usize,
    lower: bool,
}

/// Per byte: 0 an ASCII separator, 1 an ASCII token character, 2 the start or continuation
/// of a multi-byte code point.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [2u8; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = ASCII_TOKEN[b] as u8;
        b += 1;
    }
    table
};

impl<'a> Tokens<'a> {
    /// Whether the multi-byte code point starting at byte `i` is inside a run, and its width.
    #[inline(never)]
    fn multibyte_at(&self, i: usize) -> (bool, usize) {
        match self.s.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c) => (
                is_token_char(c) || (self.lower && lowercases_into_token(c)),
                c.len_utf8(),
            ),
            None => (false, 1),
        }
    }

    /// The first byte at or after `i` where being inside a run is `inside`, or the end.
    #[inline(always)]
    fn boundary(&self, mut i: usize, inside: bool) -> usize {
        let bytes = self.s.as_bytes();
        while let Some(&b) = bytes.get(i) {
            match BYTE_CLASS[b as usize] {
                2 => {
                    let (is_in, width) = self.multibyte_at(i);
                    if is_in == inside {
                        return i;
                    }
                    i += width;
                }
                class => {
                    if (class == 1) == inside {
                        return i;
                    }
                    i += 1;
                }
            }
        }
        bytes.len()
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let start = self.boundary(self.pos, true);
        if start >= self.s.len() {
            self.pos = self.s.len();
            return None;
        }
        let end = self.boundary(start, false);
        self.pos = end;
        self.s.get(start..end)
    }
}

/// Calls `each` with every token of `lowercase(s)`, reusing `buf` for ASCII tokens.
///
/// Without a capital sigma, lowercasing is per code point, and the code points outside
/// [`lowercase_runs`] lowercase to separators only; so the tokens of `lowercase(s)` are
/// the tokens of the lowercased runs of `s`. A run can still split (U+0130 lowercases to
/// `i` + U+0307, a mark). Final sigma looks across run boundaries, so text with a capital
/// sigma is lowercased whole.
pub fn for_each_lowercase_token(s: &str, buf: &mut String, mut each: impl FnMut(&str)) {
    if s.contains('Σ') {
        let lower = s.to_lowercase();
        tokens(&lower).for_each(each);
        return;
    }
    for run in lowercase_runs(s) {
        lowercase_token(run, buf, &mut each);
    }
}

/// A token of `lowercase(s)` as [`lowercase_tokens`] hands it over.
#[derive(Debug, Clone, Copy)]
pub enum Lowercase<'a> {
    /// An ASCII token, `text[start..end]`, still to be lowercased (by
    /// [`ascii::lowercase_word8`], [`ascii::packed_lowercase`] or `to_ascii_lowercase`);
    /// `head` is `text`'s 8 bytes from `start`, little-endian, zeros past its end.
    Ascii {
        text: &'a [u8],
        start: usize,
        end: usize,
        head: u64,
    },
    /// A token, lowercase already.
    Word(&'a str),
}

impl Lowercase<'_> {
    /// The token as a lowercase string.
    pub fn to_lowercase_string(self) -> String {
        match self {
            // ASCII bytes, so this is the token's text.
            Lowercase::Ascii {
                text, start, end, ..
            } => String::from_utf8_lossy(&text[start..end]).to_ascii_lowercase(),
            Lowercase::Word(w) => w.to_owned(),
        }
    }
}

/// What [`lowercase_tokens`] counts of a text besides its lowercase tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextCounts {
    /// Tokens of the text itself (lowercasing can change their number: U+0130 splits).
    pub tokens: u64,
    /// Code points.
    pub chars: u64,
}

/// Calls `each` with every token of `lowercase(s)`, in order, and counts the tokens and
/// code points of `s` itself.
///
/// ASCII tokens come from the fast path ([`ascii::for_each_run`]) without being copied;
/// runs holding other characters, which are bounded by ASCII separators, go through
/// [`lowercase_runs`]. A capital sigma lowercases by its context, which reaches across
/// runs but not across white space: its run goes with the rest of its white-space
/// delimited segment ([`sigma_segment`]).
#[inline(always)]
pub fn lowercase_tokens(s: &str, buf: &mut String, each: impl FnMut(Lowercase<'_>)) -> TextCounts {
    let mut runs = LowercaseRuns {
        s,
        buf,
        each,
        tokens: 0,
    };
    let counts = ascii::for_each_run(s.as_bytes(), &mut runs);
    TextCounts {
        tokens: counts.ascii + runs.tokens,
        chars: (s.len() - counts.continuation) as u64,
    }
}

/// The runs of [`lowercase_tokens`]: ASCII ones straight to `each`, the others through
/// the general path.
struct LowercaseRuns<'s, 'b, F> {
    s: &'s str,
    buf: &'b mut String,
    each: F,
    /// Tokens of the runs with non-ASCII characters.
    tokens: u64,
}

impl<F: FnMut(Lowercase<'_>)> ascii::Runs for LowercaseRuns<'_, '_, F> {
    #[inline(always)]
    fn ascii(&mut self, start: usize, end: usize, head: u64) {
        (self.each)(Lowercase::Ascii {
            text: self.s.as_bytes(),
            start,
            end,
            head,
        });
    }

    #[inline(never)]
    fn other(&mut self, start: usize, end: usize) -> usize {
        let run = self.s.get(start..end).unwrap_or_default();
        if run.contains('\u{3A3}') {
            sigma_segment(self.s, start, end, &mut self.tokens, &mut self.each)
        } else {
            general_run(run, self.buf, &mut self.tokens, &mut self.each);
            end
        }
    }
}

/// Bytes that end the context of a capital sigma: neither cased nor case-ignorable, so
/// lowercasing never looks past them, and separators of tokens.
fn is_white(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The tokens of `lowercase(s)` in the white-space delimited segment of `s` around the run
/// `start..end`, which holds a capital sigma, from `start` on; returns where the segment
/// ends.
///
/// Lowercasing does not look across white space, so `lowercase(s)` is the lowercased
/// segments and the white space between them. The segment's bytes before `start` hold no
/// capital sigma (no earlier run had one), so they lowercase code point by code point
/// into the first bytes of the lowercased segment, and end in an ASCII separator: their
/// tokens were handed over already, and none crosses `start`.
#[cold]
#[inline(never)]
fn sigma_segment(
    s: &str,
    start: usize,
    end: usize,
    n: &mut u64,
    each: &mut impl FnMut(Lowercase<'_>),
) -> usize {
    let bytes = s.as_bytes();
    let first = bytes[..start]
        .iter()
        .rposition(is_white)
        .map_or(0, |i| i + 1);
    let last = bytes[end..]
        .iter()
        .position(is_white)
        .map_or(bytes.len(), |i| end + i);
    // ASCII bytes or the ends of `s`: char boundaries.
    let segment = s.get(first..last).unwrap_or_default();
    let lower = segment.to_lowercase();
    let before = s.get(first..start).unwrap_or_default().to_lowercase().len();
    tokens(lower.get(before..).unwrap_or_default()).for_each(|t| each(Lowercase::Word(t)));
    *n += tokens(s.get(start..last).unwrap_or_default()).count() as u64;
    last
}

/// The general path of [`lowercase_tokens`] for one run with non-ASCII characters and no
/// capital sigma.
///
/// Without a capital sigma, lowercasing is per code point, and the run is bounded by
/// ASCII separators, which lowercase to themselves: so the run's share of the tokens of
/// `lowercase(s)` is the tokens of its own lowercase form, made in `buf`. Most runs
/// (`café`, `日本`) lowercase to themselves, and then their tokens are both.
#[inline(never)]
fn general_run(run: &str, buf: &mut String, n: &mut u64, each: &mut impl FnMut(Lowercase<'_>)) {
    buf.clear();
    for c in run.chars() {
        buf.extend(c.to_lowercase());
    }
    if buf.as_str() == run {
        for token in tokens(run) {
            *n += 1;
            each(Lowercase::Word(token));
        }
    } else {
        *n += tokens(run).count() as u64;
        tokens(buf).for_each(|t| each(Lowercase::Word(t)));
    }
}

/// Calls `each` with the tokens of one lowercased run (see [`lowercase_runs`]) of text
/// without a capital sigma.
pub fn lowercase_token(token: &str, buf: &mut String, each: &mut impl FnMut(&str)) {
    if token.is_ascii() {
        if token.bytes().any(|b| b.is_ascii_uppercase()) {
            buf.clear();
            buf.push_str(token);
            buf.make_ascii_lowercase();
            each(buf);
        } else {
            each(token);
        }
    } else {
        let lower = token.to_lowercase();
        tokens(&lower).for_each(each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokens(s).collect()
    }

    fn lower_toks(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        for_each_lowercase_token(s, &mut buf, |t| out.push(t.to_owned()));
        out
    }

    /// The tokens of `lowercase(s)`, and the numbers of tokens and code points of `s`, by
    /// the fast path.
    fn fast(s: &str) -> (Vec<String>, TextCounts) {
        let mut out = Vec::new();
        let n = lowercase_tokens(s, &mut String::new(), |t| out.push(t.to_lowercase_string()));
        (out, n)
    }

    /// The same by the definition itself: lowercase the whole text, then tokenize.
    fn by_definition(s: &str) -> (Vec<String>, TextCounts) {
        let lower = tokens(&s.to_lowercase()).map(str::to_owned).collect();
        let counts = TextCounts {
            tokens: tokens(s).count() as u64,
            chars: s.chars().count() as u64,
        };
        (lower, counts)
    }

    /// Pieces random text is made of: ASCII of every class, capitals, digits, the
    /// separators of REPORTS.md (apostrophe, underscore, hyphen, dot, ellipsis), letters
    /// that lowercase into several code points or marks, final-sigma text, marks, other
    /// numerics, emoji, other scripts, and runs longer than a packed word or a block.
    const PIECES: [&str; 48] = [
        "a",
        "Z",
        "q",
        "M",
        "0",
        "9",
        "x86",
        "MP3",
        "Hello",
        "WORLD",
        "don't",
        "e-mail",
        "user_id",
        "3.14",
        " ",
        "  ",
        "\n",
        "\t",
        ",",
        ".",
        "!",
        "@",
        "[",
        "`",
        "{",
        "~",
        "\u{7f}",
        "…",
        "é",
        "É",
        "İ",
        "ß",
        "ẞ",
        "Σ",
        "ΟΔΟΣ",
        "ς",
        "日本",
        "・",
        "🙂",
        "\u{301}",
        "²",
        "Ⅻ",
        "ǅ",
        "\u{A7D2}",
        "ﬃ",
        "٣٤",
        "internationalization",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ];

    #[test]
    fn the_fast_path_agrees_with_the_definition_on_random_text() {
        use crate::generate::rng::Rng;
        let mut rng = Rng::new(17);
        for round in 0..30_000 {
            let pieces = rng.below(if round % 10 == 0 { 200 } else { 40 });
            let mut s = String::new();
            for _ in 0..pieces {
                // Mostly ASCII, as real text is, so runs of every kind meet.
                if rng.below(4) == 0 {
                    s.push_str(PIECES[rng.below(PIECES.len() as u64) as usize]);
                } else {
                    s.push(char::from(rng.below(128) as u8));
                }
            }
            assert_eq!(fast(&s), by_definition(&s), "{s:?}");
        }
    }

    #[test]
    fn the_fast_path_agrees_on_the_tricky_cases() {
        let samples = [
            "",
            "a",
            "A",
            " Hello, WORLD! don't e-mail user_id x86_64 3.14 mp3 ",
            "ÉCOLE Straße İstanbul ΟΔΟΣ ΟΔΟΣ'Α ΣΑ σ ς",
            "Cafe\u{301} CAFÉ 日本・東京 🙂x x🙂 x²y Ⅻchapter wait…what",
            "Ꟑ\u{A7D2}x \u{A7D4} ﬃ ǅungla",
            "INTERNATIONALIZATION internationalization ABCDEFGHIJKLMNOP ABCDEFGHIJKLMNOPQ",
            // A capital sigma's context crosses separators but not white space.
            "A'Σ a'Σ'a Σ.Σ ΟΔΟΣ.\tΣ xΣ\nΣ ἈΣ ΣΑΣ'Σ",
            "word ab'ΟΔΟΣ'cd ef",
        ];
        for s in samples {
            assert_eq!(fast(s), by_definition(s), "{s:?}");
        }
        // Tokens on both sides of every 64-byte block boundary, ending the text or not.
        for len in 1..200 {
            for s in [
                "A".repeat(len),
                format!("{} b", "x".repeat(len)),
                format!("{}é{}", "Y".repeat(len), "z".repeat(len % 7)),
                format!("{}, QQ", " ".repeat(len)),
                format!("{} A'Σ ΑΣ x", "B.".repeat(len)),
                // A capital sigma's segment over many runs and blocks, skipped at once.
                format!("ΑΣ'{}Σ x{} y", "Ab'".repeat(len), "é".repeat(len % 3)),
                format!("{}ΑΣ{}", "q ".repeat(len % 70), "-Zz".repeat(len)),
            ] {
                assert_eq!(fast(&s), by_definition(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn every_code_point_takes_the_fast_path_like_the_definition() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            // At the start and the end, between letters, after a separator, twice.
            let s = format!("{c}a{c}B {c}{c}");
            assert_eq!(fast(&s), by_definition(&s), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn the_examples_of_reports_md_tokenize_as_written() {
        assert_eq!(toks("don't"), ["don", "t"]);
        assert_eq!(toks("e-mail"), ["e", "mail"]);
        assert_eq!(toks("user_id"), ["user", "id"]);
        assert_eq!(toks("x86_64"), ["x86", "64"]);
        assert_eq!(toks("3.14"), ["3", "14"]);
        assert_eq!(toks("mp3"), ["mp3"]);
        assert_eq!(toks("日本・東京"), ["日本", "東京"]);
        assert!(toks("🙂").is_empty());
        assert_eq!(toks("cafe\u{301}"), ["cafe"]);
        assert_eq!(toks("caf\u{e9}"), ["café"]);
    }

    #[test]
    fn marks_other_numbers_and_letter_numbers_separate_tokens() {
        assert_eq!(toks("x²y"), ["x", "y"]);
        assert_eq!(toks("Ⅻchapter"), ["chapter"]);
        assert_eq!(toks("a\u{301}b"), ["a", "b"]);
        assert_eq!(toks("wait…what"), ["wait", "what"]);
        assert_eq!(toks("٣٤ १२"), ["٣٤", "१२"]);
        assert!(toks("").is_empty());
        assert!(toks(" \n\t,.;_-").is_empty());
        assert_eq!(toks("  a  "), ["a"]);
    }

    #[test]
    fn membership_is_the_general_category_not_alphanumeric() {
        // Alphabetic but a mark (Mn): not a token char.
        assert!('\u{345}'.is_alphabetic());
        assert!(!is_token_char('\u{345}'));
        // Numeric (No, Nl) but not Nd.
        assert!('²'.is_numeric() && !is_token_char('²'));
        assert!('Ⅻ'.is_alphanumeric() && !is_token_char('Ⅻ'));
        assert!(is_token_char('ß') && is_token_char('ǅ') && is_token_char('ʰ'));
        assert!(!is_token_char('_'));
    }

    #[test]
    fn lowercasing_is_unicode_default_and_may_split_tokens() {
        assert_eq!(lower_toks("ÉCOLE Straße MP3"), ["école", "straße", "mp3"]);
        assert_eq!(lower_toks("İstanbul"), ["i", "stanbul"]);
        assert_eq!(lower_toks("ΟΔΟΣ ΟΔΟΣ'Α"), ["οδος", "οδοσ", "α"]);
        assert_eq!(lower_toks("ΣΑ"), ["σα"]);
    }

    #[test]
    fn lowercase_tokens_equal_tokens_of_the_lowercased_text() {
        let samples = [
            "Hello WORLD don't E-Mail x86_64",
            "İİ ǅungla ΆΣ ΣΑΣ Σ",
            "ÀÉÎ Ⅻ ⅻ Ⓐ ﬃ ẞ",
            "Cafe\u{301} CAFÉ 日本・東京 🙂x",
            "Ꟑ\u{A7D2}x \u{A7D4}",
        ];
        for s in samples {
            let expected: Vec<String> = tokens(&s.to_lowercase()).map(str::to_owned).collect();
            assert_eq!(lower_toks(s), expected, "{s}");
        }
    }

    #[test]
    fn every_code_point_lowercases_like_the_whole_text() {
        let mut buf = String::new();
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            for s in [format!("a{c}b"), format!("{c}")] {
                let expected: Vec<String> = tokens(&s.to_lowercase()).map(str::to_owned).collect();
                let mut got = Vec::new();
                for_each_lowercase_token(&s, &mut buf, |t| got.push(t.to_owned()));
                assert_eq!(got, expected, "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn new_capitals_lowercase_into_tokens() {
        assert!(toks("\u{A7D2}").is_empty());
        assert_eq!(lower_toks("x\u{A7D2}y"), ["x\u{A7D3}y"]);
    }
}

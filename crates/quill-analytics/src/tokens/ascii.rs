//! The tokenizer's fast path: text split 64 bytes at a time into candidate runs (ASCII
//! letters and digits, and every non-ASCII byte) and the ASCII separators between them,
//! with SWAR arithmetic on `u64`s and bit scans instead of a branch per byte.
//!
//! A candidate run with no non-ASCII byte is exactly one token: it is bounded by ASCII
//! separators or the ends of the text. A run with non-ASCII bytes starts and ends on
//! character boundaries and goes to the general tokenizer.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Gathers the low bit of each byte into bits 0-7 (byte `k` to bit `k`).
const GATHER: u64 = 0x0102_0408_1020_4080;

/// `0x80` in each byte of `x` that lies in `lo..=hi`, and bits below it that mean
/// nothing; every byte of `x` must be below `0x80`, so no addition carries into the next
/// byte. A byte is in the range when adding `0x80 - lo` sets its high bit and adding
/// `0x7F - hi` does not.
#[inline(always)]
const fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    x.wrapping_add(ONES * (0x80 - lo) as u64) ^ x.wrapping_add(ONES * (0x7F - hi) as u64)
}

/// The high bits of the bytes of `m` gathered into bits 0-7 (byte `k` to bit `k`).
#[inline(always)]
fn gather(m: u64) -> u64 {
    ((m & HIGH) >> 7).wrapping_mul(GATHER) >> 56
}

/// One bit per byte of `word`, which holds ASCII bytes only (byte `k` to bit `k`): its
/// letters and digits.
#[inline(always)]
fn classify_ascii(word: u64) -> u64 {
    let digit = in_range(word, b'0', b'9');
    // `| 0x20` folds A-Z onto a-z and moves no other byte into a-z.
    let alpha = in_range(word | (ONES * 0x20), b'a', b'z');
    gather(digit | alpha)
}

/// One bit per byte of `word` (byte `k` to bit `k`): the candidate bytes (ASCII letters and
/// digits, and every non-ASCII byte).
#[inline(always)]
fn classify(word: u64) -> u64 {
    let low7 = word & !HIGH;
    let digit = in_range(low7, b'0', b'9');
    let alpha = in_range(low7 | (ONES * 0x20), b'a', b'z');
    gather(digit | alpha | word)
}

/// Bytes a block is scanned with: its 64 and the 8 after it, so that the first 8 bytes of
/// every run that starts in the block can be read without a bounds check.
const WINDOW: usize = 64 + 8;

/// The block of `bytes`' first 64 bytes with the 8 after them; bytes past the end are
/// zeros (separators).
#[inline(always)]
fn window<'a>(bytes: &'a [u8], padded: &'a mut [u8; WINDOW]) -> &'a [u8; WINDOW] {
    match bytes.first_chunk::<WINDOW>() {
        Some(full) => full,
        None => {
            *padded = [0; WINDOW];
            padded[..bytes.len()].copy_from_slice(bytes);
            padded
        }
    }
}

/// The first 8 bytes from `start` of a window, little-endian (`start` at most 64).
#[inline(always)]
fn head_in(window: &[u8; WINDOW], start: usize) -> u64 {
    match window
        .get(start..start + 8)
        .and_then(|b| b.first_chunk::<8>())
    {
        Some(b) => u64::from_le_bytes(*b),
        None => 0,
    }
}

/// The first 8 bytes of `s` from `start`, little-endian, zeros past the end: the `head`
/// of [`Runs::ascii`].
#[inline(never)]
pub fn head_at(s: &[u8], start: usize) -> u64 {
    let mut w = [0u8; 8];
    let rest = s.get(start..).unwrap_or_default();
    let len = rest.len().min(8);
    w[..len].copy_from_slice(&rest[..len]);
    u64::from_le_bytes(w)
}

/// Candidate and non-ASCII bits of a window's block.
#[inline(always)]
fn block_of(window: &[u8; WINDOW]) -> (u64, u64) {
    let words = window
        .as_chunks::<8>()
        .0
        .iter()
        .take(8)
        .map(|w| u64::from_le_bytes(*w));
    if words.clone().fold(0, |any, w| any | w) & HIGH == 0 {
        let mut candidate = 0;
        for (k, word) in words.enumerate() {
            candidate |= classify_ascii(word) << (8 * k);
        }
        return (candidate, 0);
    }
    let (mut candidate, mut high) = (0, 0);
    for (k, word) in words.enumerate() {
        candidate |= classify(word) << (8 * k);
        high |= gather(word) << (8 * k);
    }
    (candidate, high)
}

/// The UTF-8 continuation bytes (`0b10xx_xxxx`) among `bytes`: a text's code points are
/// its bytes less these.
#[inline(never)]
fn continuation_bytes(bytes: &[u8]) -> usize {
    let (words, rest) = bytes.as_chunks::<8>();
    let mut n = 0;
    for word in words {
        let x = u64::from_le_bytes(*word);
        // `0x80` where bit 7 is set and bit 6 is clear.
        n += (x & !(x << 1) & HIGH).count_ones() as usize;
    }
    n + rest.iter().filter(|&&b| b & 0xC0 == 0x80).count()
}

/// Whether bits `from..to` of `high` hold a set bit (`from < to <= 64`).
#[inline(always)]
fn any_in(high: u64, from: u32, to: u32) -> bool {
    (high >> from).trailing_zeros() < to - from
}

/// What [`for_each_run`] hands the candidate runs to.
pub trait Runs {
    /// A run without non-ASCII bytes, `start..end`: one token; `head` holds the text's 8
    /// bytes from `start`, little-endian (zeros past the end of the text), so that a short
    /// token needs no load of its own. Called in the scan's loop, so it should be small and
    /// inlined.
    fn ascii(&mut self, start: usize, end: usize, head: u64);

    /// A run with non-ASCII bytes; returns the byte at which the scan goes on: `end`, or
    /// a later ASCII separator, when the runs before it were dealt with here too.
    fn other(&mut self, start: usize, end: usize) -> usize;
}

/// What [`for_each_run`] counts on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCounts {
    /// Runs handed to [`Runs::ascii`].
    pub ascii: u64,
    /// UTF-8 continuation bytes of the text, counted only in the blocks that hold non-ASCII
    /// bytes: the text's code points are its bytes less these.
    pub continuation: usize,
}

/// Hands every candidate run of `s` to `runs`, in order: [`Runs::ascii`] when the run has
/// no non-ASCII byte (then it is one token), [`Runs::other`] otherwise.
///
/// Each block gives the runs' first bytes (`starts`) and the separators right after them
/// (`ends`); inside a block the k-th start pairs with the k-th end, after a run that came
/// in from the block before has taken the first end.
#[inline(always)]
pub fn for_each_run(s: &[u8], runs: &mut impl Runs) -> RunCounts {
    let n = s.len();
    let mut base = 0;
    let mut ascii = 0;
    let mut continuation = 0;
    let mut padded = [0u8; WINDOW];
    // Runs that start before this byte were dealt with by [`Runs::other`].
    let mut skip = 0;
    // The run in progress at the end of the last block: where it started, and whether it
    // holds a non-ASCII byte.
    let mut open: Option<(usize, bool)> = None;
    while base < n {
        let rest = &s[base..];
        let window = window(rest, &mut padded);
        let (candidate, high) = block_of(window);
        let before = (candidate << 1) | u64::from(open.is_some());
        let mut starts = candidate & !before;
        let mut ends = !candidate & before;
        if high != 0 {
            continuation += continuation_bytes(&rest[..rest.len().min(64)]);
        }
        if skip > base {
            (starts, ends) = skipped(skip - base, starts, ends);
        }
        if let Some((start, wide)) = open.take() {
            if ends == 0 {
                // The whole block continues the run.
                open = Some((start, wide || high != 0));
                base += 64;
                continue;
            }
            let bit = ends.trailing_zeros();
            ends &= ends - 1;
            let end = base + bit as usize;
            if wide || any_in(high, 0, bit) {
                skip = runs.other(start, end);
                if skip > end {
                    (starts, ends) = skipped(skip - base, starts, ends);
                }
            } else {
                ascii += 1;
                runs.ascii(start, end, head_at(s, start));
            }
        }
        // A run still open at the end of the block is its last start.
        if candidate >> 63 != 0 && starts != 0 {
            let last = 63 - starts.leading_zeros();
            starts ^= 1 << last;
            open = Some((base + last as usize, high >> last != 0));
        }
        // Now every start has its end in the block.
        while starts != 0 {
            let start = starts.trailing_zeros();
            let end = ends.trailing_zeros();
            starts &= starts - 1;
            ends &= ends - 1;
            if high != 0 && any_in(high, start, end) {
                skip = runs.other(base + start as usize, base + end as usize);
                if skip > base + end as usize {
                    (starts, ends) = skipped(skip - base, starts, ends);
                }
            } else {
                ascii += 1;
                let head = head_in(window, start as usize);
                runs.ascii(base + start as usize, base + end as usize, head);
            }
        }
        if open.is_some_and(|(start, _)| start < skip) {
            open = None;
        }
        base += 64;
    }
    if let Some((start, wide)) = open {
        if wide {
            runs.other(start, n);
        } else {
            ascii += 1;
            runs.ascii(start, n, head_at(s, start));
        }
    }
    RunCounts {
        ascii,
        continuation,
    }
}

/// A block's `starts` and `ends` less the runs before byte `k` of the block, an ASCII
/// separator (or past the block): those runs start before `k` and end at `k` at the
/// latest.
#[inline(always)]
fn skipped(k: usize, starts: u64, ends: u64) -> (u64, u64) {
    let keep = if k >= 63 { 0 } else { u64::MAX << (k + 1) };
    (starts & keep, ends & keep)
}

/// The bytes below `k` of a `u64` (`k` in 0..=8).
#[inline(always)]
fn low_bytes(k: usize) -> u64 {
    if k >= 8 { u64::MAX } else { (1 << (8 * k)) - 1 }
}

/// Masks of the low `k` bytes of a `u64`, `k` in 0..=8.
const LOW_BYTES: [u64; 9] = {
    let mut masks = [0u64; 9];
    let mut k = 1;
    while k < 9 {
        masks[k] = u64::MAX >> (64 - 8 * k);
        k += 1;
    }
    masks
};

/// An ASCII token of 1 to 8 bytes, lowercased, as the little-endian `u64` of its bytes
/// padded with zeros: `head` is its first 8 bytes and what follows (as [`Runs::ascii`]
/// gives them), `len` its length.
#[inline(always)]
pub fn lowercase_word8(head: u64, len: usize) -> u64 {
    // Token bytes are ASCII letters and digits: setting `0x20` lowercases a letter and
    // leaves a digit (`0x30..=0x39`) as it is.
    (head | (ONES * 0x20)) & LOW_BYTES[len.min(8)]
}

/// The first (up to) 16 bytes of the ASCII token `s[start..end]`, lowercased, zero-padded,
/// as the big-endian halves of a `u128` (so keys order like their words).
#[inline(always)]
pub fn packed_lowercase(s: &[u8], start: usize, end: usize) -> (u64, u64) {
    let len = (end - start).min(16);
    let mut buf = [0u8; 16];
    let bytes: &[u8; 16] = match s[start..].first_chunk::<16>() {
        Some(b) => b,
        None => {
            buf[..s.len() - start].copy_from_slice(&s[start..]);
            &buf
        }
    };
    let (first, second) = bytes.split_at(8);
    let half = |b: &[u8], mask: u64| {
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        // Token bytes are ASCII letters and digits (see `lowercase_word8`).
        ((u64::from_le_bytes(w) | (ONES * 0x20)) & mask).swap_bytes()
    };
    (
        half(first, low_bytes(len)),
        half(second, low_bytes(len.saturating_sub(8))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs as [`for_each_run`] hands them over, checking each ASCII run's `head`.
    struct Collect<'a> {
        s: &'a str,
        out: Vec<(&'a str, bool)>,
    }

    impl Runs for Collect<'_> {
        fn ascii(&mut self, start: usize, end: usize, head: u64) {
            assert_eq!(head, head_at(self.s.as_bytes(), start));
            self.out.push((&self.s[start..end], true));
        }

        fn other(&mut self, start: usize, end: usize) -> usize {
            self.out.push((&self.s[start..end], false));
            end
        }
    }

    fn runs(s: &str) -> Vec<(&str, bool)> {
        let mut collect = Collect { s, out: Vec::new() };
        let counts = for_each_run(s.as_bytes(), &mut collect);
        assert_eq!(
            counts.ascii,
            collect.out.iter().filter(|(_, ascii)| *ascii).count() as u64
        );
        collect.out
    }

    /// Skips from every non-ASCII run to the next space, as a capital sigma's segment does.
    struct SkipToSpace<'a> {
        s: &'a str,
        out: Vec<&'a str>,
    }

    impl Runs for SkipToSpace<'_> {
        fn ascii(&mut self, start: usize, end: usize, _: u64) {
            self.out.push(&self.s[start..end]);
        }

        fn other(&mut self, start: usize, _: usize) -> usize {
            let to = self.s[start..]
                .find(' ')
                .map_or(self.s.len(), |i| start + i);
            self.out.push(&self.s[start..to]);
            to
        }
    }

    #[test]
    fn runs_before_where_other_goes_on_are_skipped() {
        for len in 0..150 {
            let s = format!(
                "{} é{}, b {}",
                "a ".repeat(len),
                "x'".repeat(len),
                "é.".repeat(len)
            );
            let mut skip = SkipToSpace {
                s: &s,
                out: Vec::new(),
            };
            let _ = for_each_run(s.as_bytes(), &mut skip);
            let mut expected: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
            // Only the segments with a non-ASCII byte are whole; "x'x'...," are not.
            for w in &mut expected {
                if w.is_ascii() {
                    *w = w.trim_end_matches(',');
                }
            }
            assert_eq!(skip.out, expected, "{len}");
        }
    }

    #[test]
    fn every_ascii_byte_is_classified_like_the_table() {
        for b in 0u8..128 {
            let c = classify(u64::from(b) << 24);
            assert_eq!(c == 1 << 3, b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(classify_ascii(u64::from(b) << 24), c, "{b}");
            // Next to every other byte.
            for other in 0u8..=255 {
                let word = u64::from_le_bytes([other, b, other, b, b, other, other, b]);
                let (o, m) = (
                    u64::from(other >= 128 || other.is_ascii_alphanumeric()),
                    c >> 3,
                );
                let expected = o | m << 1 | o << 2 | m << 3 | m << 4 | o << 5 | o << 6 | m << 7;
                assert_eq!(classify(word), expected, "{b} {other}");
                if other < 128 {
                    assert_eq!(classify_ascii(word), expected, "{b} {other}");
                }
            }
        }
        for b in 128u8..=255 {
            assert_eq!(classify(u64::from(b)), 1, "{b}");
        }
    }

    #[test]
    fn runs_split_at_ascii_separators_and_cross_blocks() {
        assert_eq!(
            runs("Hi, café-au lait!"),
            [("Hi", true), ("café", false), ("au", true), ("lait", true)]
        );
        assert!(runs("").is_empty());
        assert!(runs(" ,.-_'").is_empty());
        let long = format!("{} {}é{} x", "a".repeat(63), "b".repeat(70), "c".repeat(60));
        let got = runs(&long);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (&long[..63], true));
        assert_eq!(got[1].0.len(), 70 + 2 + 60);
        assert!(!got[1].1);
        assert_eq!(got[2], ("x", true));
        let exact = "z".repeat(128);
        assert_eq!(runs(&exact), [(exact.as_str(), true)]);
    }

    #[test]
    fn short_words_pack_lowercase_anywhere_in_the_text() {
        let s = b"Ab Quill ZZ9";
        assert_eq!(
            lowercase_word8(head_at(s, 0), 2),
            u64::from_le_bytes(*b"ab\0\0\0\0\0\0")
        );
        assert_eq!(
            lowercase_word8(head_at(s, 3), 5),
            u64::from_le_bytes(*b"quill\0\0\0")
        );
        assert_eq!(
            lowercase_word8(head_at(s, 9), 3),
            u64::from_le_bytes(*b"zz9\0\0\0\0\0")
        );
        assert_eq!(
            lowercase_word8(head_at(b"ABCDEFGH", 0), 8),
            u64::from_le_bytes(*b"abcdefgh")
        );
        // Every letter and digit.
        for b in (b'0'..=b'9').chain(b'A'..=b'Z').chain(b'a'..=b'z') {
            assert_eq!(
                lowercase_word8(u64::from(b) | (u64::from(b'!') << 8), 1),
                u64::from(b.to_ascii_lowercase()),
                "{b}"
            );
        }
    }

    /// The halves of the big-endian `u128` of 16 bytes.
    fn halves(b: &[u8; 16]) -> (u64, u64) {
        let x = u128::from_be_bytes(*b);
        ((x >> 64) as u64, x as u64)
    }

    #[test]
    fn packing_lowercases_and_pads() {
        let s = b"xx MiXeD09 tail";
        assert_eq!(
            packed_lowercase(s, 3, 10),
            halves(b"mixed09\0\0\0\0\0\0\0\0\0")
        );
        assert_eq!(
            packed_lowercase(s, 11, 15),
            halves(b"tail\0\0\0\0\0\0\0\0\0\0\0\0")
        );
        let sixteen = b"ABCDEFGHIJKLMNOPQ";
        assert_eq!(
            packed_lowercase(sixteen, 0, 16),
            halves(b"abcdefghijklmnop")
        );
        assert_eq!(
            packed_lowercase(b"Zz09az@[`{", 0, 6),
            halves(b"zz09az\0\0\0\0\0\0\0\0\0\0")
        );
    }
}

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

/// `0x80` in each byte of `x` that lies in `lo..=hi`; every byte of `x` must be below
/// `0x80`, so no addition carries into the next byte.
#[inline(always)]
const fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let ge_lo = x.wrapping_add(ONES * (0x80 - lo) as u64);
    let gt_hi = x.wrapping_add(ONES * (0x7F - hi) as u64);
    ge_lo & !gt_hi & HIGH
}

/// One bit per byte of `word` (byte `k` to bit `k`): candidate bytes, and non-ASCII bytes.
#[inline(always)]
fn classify(word: u64) -> (u64, u64) {
    let high = word & HIGH;
    let low7 = word & !HIGH;
    let digit = in_range(low7, b'0', b'9');
    // `| 0x20` folds A-Z onto a-z and moves no other byte into a-z.
    let alpha = in_range(low7 | (ONES * 0x20), b'a', b'z');
    let gather = |m: u64| ((m >> 7).wrapping_mul(GATHER)) >> 56;
    (gather(digit | alpha | high), gather(high))
}

/// Candidate and non-ASCII bits of up to 64 bytes; bytes past the end count as
/// separators.
#[inline(always)]
fn block(bytes: &[u8]) -> (u64, u64) {
    match bytes.first_chunk::<64>() {
        Some(full) => block_of(full),
        None => {
            let mut padded = [0u8; 64];
            padded[..bytes.len()].copy_from_slice(bytes);
            block_of(&padded)
        }
    }
}

#[inline(always)]
fn block_of(chunk: &[u8; 64]) -> (u64, u64) {
    let (mut candidate, mut high) = (0, 0);
    for (k, word) in chunk.as_chunks::<8>().0.iter().enumerate() {
        let (c, h) = classify(u64::from_le_bytes(*word));
        candidate |= c << (8 * k);
        high |= h << (8 * k);
    }
    (candidate, high)
}

/// The UTF-8 continuation bytes (`0b10xx_xxxx`) among `bytes`: a text's code points are
/// its bytes less these.
#[inline(never)]
fn continuation_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 == 0x80).count()
}

/// Whether bits `from..to` of `high` hold a set bit (`from < to <= 64`).
#[inline(always)]
fn any_in(high: u64, from: u32, to: u32) -> bool {
    (high >> from).trailing_zeros() < to - from
}

/// Calls `each(start, end, ascii)` for every candidate run of `s`, in order: `ascii` when
/// the run has no non-ASCII byte (then it is one token). Returns the number of UTF-8
/// continuation bytes of `s`, counted only in the blocks that hold non-ASCII bytes.
///
/// Each block gives the runs' first bytes (`starts`) and the separators right after them
/// (`ends`); inside a block the k-th start pairs with the k-th end, after a run that came
/// in from the block before has taken the first end.
#[inline]
pub fn for_each_run(s: &[u8], mut each: impl FnMut(usize, usize, bool)) -> usize {
    let n = s.len();
    let mut base = 0;
    let mut continuation = 0;
    // The run in progress at the end of the last block: where it started, and whether it
    // holds a non-ASCII byte.
    let mut open: Option<(usize, bool)> = None;
    while base < n {
        let rest = &s[base..];
        let (candidate, high) = block(rest);
        let before = (candidate << 1) | u64::from(open.is_some());
        let mut starts = candidate & !before;
        let mut ends = !candidate & before;
        if high != 0 {
            continuation += continuation_bytes(&rest[..rest.len().min(64)]);
        }
        if let Some((start, wide)) = open.take() {
            if ends == 0 {
                // The whole block continues the run.
                open = Some((start, wide || high != 0));
                base += 64;
                continue;
            }
            let end = ends.trailing_zeros();
            ends &= ends - 1;
            let wide = wide || any_in(high, 0, end);
            each(start, base + end as usize, !wide);
        }
        while starts != 0 {
            let start = starts.trailing_zeros();
            starts &= starts - 1;
            if ends == 0 {
                open = Some((base + start as usize, high >> start != 0));
                break;
            }
            let end = ends.trailing_zeros();
            ends &= ends - 1;
            let wide = high != 0 && any_in(high, start, end);
            each(base + start as usize, base + end as usize, !wide);
        }
        base += 64;
    }
    if let Some((start, wide)) = open {
        each(start, n, !wide);
    }
    continuation
}

/// The bytes below `k` of a `u64` (`k` in 0..=8).
#[inline(always)]
fn low_bytes(k: usize) -> u64 {
    if k >= 8 { u64::MAX } else { (1 << (8 * k)) - 1 }
}

/// The ASCII token `s[start..end]` of 1 to 8 bytes, lowercased, as the little-endian
/// `u64` of its bytes padded with zeros.
#[inline(always)]
pub fn lowercase_word8(s: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    // `len` is 1..=8, so the shift is 0..=56.
    let mask = u64::MAX >> (64 - 8 * len as u32);
    let x = match s.get(start..start + 8) {
        Some(b) => {
            let mut w = [0u8; 8];
            w.copy_from_slice(b);
            u64::from_le_bytes(w)
        }
        None => tail_word(s, start, end),
    } & mask;
    // Token bytes are ASCII; `0x80 >> 2` is the case bit.
    x | (in_range(x, b'A', b'Z') >> 2)
}

/// The token `s[start..end]` near the end of `s`, zero-padded to 8 bytes.
#[inline(never)]
fn tail_word(s: &[u8], start: usize, end: usize) -> u64 {
    let mut w = [0u8; 8];
    let token = s.get(start..end).unwrap_or_default();
    let len = token.len().min(8);
    w[..len].copy_from_slice(&token[..len]);
    u64::from_le_bytes(w)
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
        let x = u64::from_le_bytes(w) & mask;
        // Token bytes are ASCII; `0x80 >> 2` is the case bit.
        (x | (in_range(x, b'A', b'Z') >> 2)).swap_bytes()
    };
    (
        half(first, low_bytes(len)),
        half(second, low_bytes(len.saturating_sub(8))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(s: &str) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let _ = for_each_run(s.as_bytes(), |a, b, ascii| out.push((&s[a..b], ascii)));
        out
    }

    #[test]
    fn every_ascii_byte_is_classified_like_the_table() {
        for b in 0u8..128 {
            let (c, h) = classify(u64::from(b) << 24);
            assert_eq!(c == 1 << 3, b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(h, 0);
        }
        for b in 128u8..=255 {
            assert_eq!(classify(u64::from(b)), (1, 1), "{b}");
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
            lowercase_word8(s, 0, 2),
            u64::from_le_bytes(*b"ab\0\0\0\0\0\0")
        );
        assert_eq!(
            lowercase_word8(s, 3, 8),
            u64::from_le_bytes(*b"quill\0\0\0")
        );
        assert_eq!(
            lowercase_word8(s, 9, 12),
            u64::from_le_bytes(*b"zz9\0\0\0\0\0")
        );
        assert_eq!(
            lowercase_word8(b"ABCDEFGH", 0, 8),
            u64::from_le_bytes(*b"abcdefgh")
        );
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

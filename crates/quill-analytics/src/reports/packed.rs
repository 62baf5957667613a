//! Counts keyed by packed words (integers, never zero): open addressing with linear
//! probing in one flat array, one multiply to hash. A hit, the common case with a Zipf
//! vocabulary, is a hash, a compare and an add, with no entry to build.

/// A packed word: an integer key whose all-zero value is the empty word, which is never a
/// token, so it marks a free slot.
pub trait Key: Copy + Eq {
    const FREE: Self;
    fn hash(self) -> usize;
}

/// Folded multiply: the 128-bit product's halves xored, so every input bit reaches the
/// low bits the index is taken from.
#[inline(always)]
fn fold(a: u64, b: u64) -> usize {
    let m = u128::from(a) * u128::from(b);
    ((m as u64) ^ ((m >> 64) as u64)) as usize
}

impl Key for u64 {
    const FREE: Self = 0;

    #[inline(always)]
    fn hash(self) -> usize {
        fold(self, 0x9E37_79B9_7F4A_7C15)
    }
}

impl Key for (u64, u64) {
    const FREE: Self = (0, 0);

    #[inline(always)]
    fn hash(self) -> usize {
        fold(
            self.0 ^ 0x243F_6A88_85A3_08D3,
            self.1 ^ 0x1319_8A2E_0370_7344,
        )
    }
}

#[derive(Debug, Clone)]
pub struct PackedCounts<K> {
    /// `(key, count)`; a power-of-two length, at most half full.
    slots: Vec<(K, u64)>,
    len: usize,
}

impl<K: Key> Default for PackedCounts<K> {
    fn default() -> Self {
        Self {
            slots: vec![(K::FREE, 0); 1024],
            len: 0,
        }
    }
}

impl<K: Key> PackedCounts<K> {
    /// Adds `n` to the count of `key` (not [`Key::FREE`]).
    ///
    /// Inlined: a key found in its home slot, most of them with a Zipf vocabulary, is a
    /// hash, a compare and an add; the probe goes on out of line.
    #[inline(always)]
    pub fn add(&mut self, key: K, n: u64) {
        let home = key.hash() & (self.slots.len().wrapping_sub(1));
        if let Some(slot) = self.slots.get_mut(home)
            && slot.0 == key
        {
            slot.1 += n;
            return;
        }
        self.probe(key, n, home);
    }

    /// [`PackedCounts::add`] for a key not in its home slot.
    #[inline(never)]
    fn probe(&mut self, key: K, n: u64, home: usize) {
        let mask = self.slots.len() - 1;
        let mut i = home & mask;
        loop {
            let slot = &mut self.slots[i];
            if slot.0 == key {
                slot.1 += n;
                return;
            }
            if slot.0 == K::FREE {
                *slot = (key, n);
                self.len += 1;
                if 2 * self.len > self.slots.len() {
                    self.grow();
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    fn grow(&mut self) {
        let bigger = vec![(K::FREE, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for (key, n) in old {
            if key != K::FREE {
                self.add(key, n);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every key with its count, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (K, u64)> + '_ {
        self.slots
            .iter()
            .filter(|(key, _)| *key != K::FREE)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn counts_match_a_hash_map_through_growth() {
        let mut packed = PackedCounts::default();
        let mut narrow = PackedCounts::default();
        let mut expected: HashMap<(u64, u64), u64> = HashMap::new();
        let mut expected_narrow: HashMap<u64, u64> = HashMap::new();
        let mut x = 7u64;
        for i in 0..50_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Few distinct keys at first, then many: hits, misses and growth; keys with
            // a zero half too (short words have a zero low half).
            let key = match i % 3 {
                0 => (x % 97 + 1, 0),
                1 => (1, x % (i + 1)),
                _ => (x | 1, x >> 7),
            };
            packed.add(key, i % 5 + 1);
            *expected.entry(key).or_insert(0) += i % 5 + 1;
            narrow.add(key.0, 1);
            *expected_narrow.entry(key.0).or_insert(0) += 1;
        }
        let got: HashMap<(u64, u64), u64> = packed.iter().collect();
        assert_eq!(got, expected);
        assert_eq!(packed.len(), expected.len());
        assert!(!packed.is_empty());
        let got: HashMap<u64, u64> = narrow.iter().collect();
        assert_eq!(got, expected_narrow);
    }
}

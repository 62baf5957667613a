//! Counts keyed by packed words (two `u64` halves, never both zero): open addressing with
//! linear probing in one flat array, one multiply to hash. A hit, the common case with a
//! Zipf vocabulary, is a hash, one or two compares and an add, with no entry to build.

/// A key of all zeros is the empty word, which is never a token: it marks a free slot.
const FREE: (u64, u64) = (0, 0);

#[derive(Debug, Clone)]
pub struct PackedCounts {
    /// `(high, low, count)`; a power-of-two length, at most half full.
    slots: Vec<(u64, u64, u64)>,
    len: usize,
}

impl Default for PackedCounts {
    fn default() -> Self {
        Self {
            slots: vec![(0, 0, 0); 1024],
            len: 0,
        }
    }
}

/// Folded multiply: the 128-bit product's halves xored, so every input bit reaches the
/// low bits the index is taken from.
#[inline(always)]
fn hash((high, low): (u64, u64)) -> usize {
    let m = u128::from(high ^ 0x243F_6A88_85A3_08D3) * u128::from(low ^ 0x1319_8A2E_0370_7344);
    ((m as u64) ^ ((m >> 64) as u64)) as usize
}

impl PackedCounts {
    /// Adds `n` to the count of `key` (not [`FREE`]).
    #[inline(always)]
    pub fn add(&mut self, key: (u64, u64), n: u64) {
        let mask = self.slots.len() - 1;
        let mut i = hash(key) & mask;
        loop {
            let slot = &mut self.slots[i];
            if (slot.0, slot.1) == key {
                slot.2 += n;
                return;
            }
            if (slot.0, slot.1) == FREE {
                *slot = (key.0, key.1, n);
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
        let bigger = vec![(0, 0, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for (high, low, n) in old {
            if (high, low) != FREE {
                self.add((high, low), n);
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
    pub fn iter(&self) -> impl Iterator<Item = ((u64, u64), u64)> + '_ {
        self.slots
            .iter()
            .filter(|(high, low, _)| (*high, *low) != FREE)
            .map(|(high, low, n)| ((*high, *low), *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn counts_match_a_hash_map_through_growth() {
        let mut packed = PackedCounts::default();
        let mut expected: HashMap<(u64, u64), u64> = HashMap::new();
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
        }
        let got: HashMap<(u64, u64), u64> = packed.iter().collect();
        assert_eq!(got, expected);
        assert_eq!(packed.len(), expected.len());
        assert!(!packed.is_empty());
    }
}

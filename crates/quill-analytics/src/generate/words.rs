//! The vocabulary of generated posts: common English words, synthetic words, words in
//! other scripts, and the tokenization traps of docs/ANALYTICS.md.

use std::collections::HashSet;

use super::rng::Rng;
use super::shape::LetterRange;

const COMMON: &str = "the of and to a in is it you that he was for on are with as I his they \
be at one have this from or had by hot word but what some we can out other were all there \
when up use your how said an each she which do their time if will way about many then them \
write would like so these her long make thing see him two has look more day could go come did \
number sound no most people my over know water than call first who may down side been now find \
any new work part take get place made live where after back little only round man year came \
show every good me give our under name very through just form sentence great think say help \
low line differ turn cause much mean before move right boy old too same tell does set three want \
air well also play small end put home read hand port large spell add even land here must big \
high such follow act why ask men change went light kind off need house picture try us again \
animal point mother world near build self earth father head stand own page should country found \
answer school grow study still learn plant cover food sun four between state keep eye never \
last let thought city tree cross farm hard start might story saw far sea draw left late run \
while press close night real life few north open seem together next white children begin got walk";

const OTHER_SCRIPTS: [&str; 40] = [
    "café",
    "naïve",
    "Straße",
    "STRASSE",
    "École",
    "ÉCOLE",
    "İstanbul",
    "ΟΔΟΣ",
    "Σοφία",
    "ΣΟΦΙΑ",
    "Москва",
    "привет",
    "日本",
    "東京",
    "日本・東京",
    "한국어",
    "العربية",
    "हिन्दी",
    "٣٤",
    "१२३",
    "Ærø",
    "Øresund",
    "Ångström",
    "crème",
    "brûlée",
    "jalapeño",
    "façade",
    "Zürich",
    "Kraków",
    "Ελλάδα",
    "Ǆemal",
    "ǅungla",
    "ﬁnance",
    "Ⓐpple",
    "ﬀ",
    "ŉ",
    "Ῥόδος",
    "שלום",
    "ไทย",
    "Tiếng",
];

const TRAPS: [&str; 22] = [
    "don't",
    "e-mail",
    "user_id",
    "x86_64",
    "3.14",
    "mp3",
    "🙂",
    "🎉🎉",
    "cafe\u{301}",
    "x²",
    "Ⅻ",
    "wait…what",
    "C++",
    "#rust",
    "@alice",
    "https://quill.example/p/1",
    "50%",
    "2026-11-22",
    "O'Brien",
    "self-hosted",
    "naïve\u{308}",
    "i18n",
];

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "qua", "bro", "fen", "gil", "hor", "jun",
    "pel", "tric", "wes", "yon", "dra", "stu", "mor", "lin", "cha",
];

/// Letters by their rough frequency in English text.
const LETTERS: &[u8] = b"eeeeeeeeeeeetttttttttaaaaaaaaoooooooiiiiiiinnnnnnnssssssrrrrrrhhhhhhlllllddddcccuuummmwwffggyyppbbvkjxqz";

/// A vocabulary ordered by how common each word is.
pub struct Vocabulary {
    words: Vec<String>,
    /// Cumulative Zipf weights of the ranks, when words are picked by Zipf's law; else a
    /// power-law skew.
    zipf: Option<Vec<f64>>,
}

/// The other-script words and traps, spread through the frequency ranks of `extra`.
fn spread_specials(extra: &mut Vec<String>) {
    for (i, w) in OTHER_SCRIPTS.iter().chain(TRAPS.iter()).enumerate() {
        let at = (i * 37) % extra.len().max(1);
        extra.insert(at, (*w).to_owned());
    }
}

impl Vocabulary {
    /// About `size` words: the common ones first, then syllable words, deterministic.
    pub fn new(size: usize) -> Self {
        let mut words: Vec<String> = COMMON.split(' ').map(str::to_owned).collect();
        let mut rng = Rng::new(0x0051_5749_4C4C);
        let mut extra = Vec::new();
        while words.len() + extra.len() < size.max(words.len() + 100) {
            let n = 2 + rng.below(3);
            let w: String = (0..n).map(|_| SYLLABLES[rng.below(24) as usize]).collect();
            extra.push(w);
        }
        spread_specials(&mut extra);
        words.extend(extra);
        Self { words, zipf: None }
    }

    /// `size` distinct words (fewer if the range holds fewer): the common ones first,
    /// then words of English-frequency letters with lengths in `letters` (a triangular
    /// distribution peaking mid-range), picked by Zipf's law (rank `k` has weight `1/k`).
    pub fn letters(size: usize, letters: LetterRange) -> Self {
        let mut words: Vec<String> = COMMON.split(' ').map(str::to_owned).collect();
        let mut seen: HashSet<String> = words.iter().cloned().collect();
        let mut rng = Rng::new(0x0051_5749_4C4C);
        let mut extra = Vec::new();
        let span = (letters.max() - letters.min() + 1) as u64;
        let mut attempts = 0;
        while words.len() + extra.len() < size && attempts < 100 * size {
            attempts += 1;
            let n = letters.min() + (rng.below(span) + rng.below(span)).div_ceil(2) as usize;
            let w: String = (0..n)
                .map(|_| char::from(LETTERS[rng.below(LETTERS.len() as u64) as usize]))
                .collect();
            if seen.insert(w.clone()) {
                extra.push(w);
            }
        }
        spread_specials(&mut extra);
        words.extend(extra);
        let mut total = 0.0;
        let zipf = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self {
            words,
            zipf: Some(zipf),
        }
    }

    /// A word, Zipf-like: common words dominate, the tail is long.
    pub fn pick<'a>(&'a self, rng: &mut Rng) -> &'a str {
        let index = match &self.zipf {
            None => rng.skewed(self.words.len(), 3.0),
            Some(cumulative) => {
                let total = cumulative.last().copied().unwrap_or(0.0);
                let u = rng.unit() * total;
                cumulative
                    .partition_point(|c| *c <= u)
                    .min(self.words.len() - 1)
            }
        };
        &self.words[index]
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_words_are_distinct_and_within_their_range() {
        let range = LetterRange::new(2, 6).unwrap_or_else(|e| panic!("{e}"));
        let v = Vocabulary::letters(20_000, range);
        let specials = OTHER_SCRIPTS.len() + TRAPS.len();
        assert_eq!(v.len(), 20_000 + specials);
        let distinct: HashSet<&String> = v.words.iter().collect();
        assert!(distinct.len() + specials >= v.len());
        let common = COMMON.split(' ').count();
        let synthetic = v.words[common..]
            .iter()
            .filter(|w| !OTHER_SCRIPTS.contains(&w.as_str()) && !TRAPS.contains(&w.as_str()));
        for w in synthetic {
            assert!((2..=6).contains(&w.len()), "{w}");
        }
    }

    #[test]
    fn zipf_ranks_are_picked_in_proportion_to_one_over_rank() {
        let range = LetterRange::new(2, 6).unwrap_or_else(|e| panic!("{e}"));
        let v = Vocabulary::letters(1_000, range);
        let mut rng = Rng::new(5);
        let (mut first, mut second) = (0, 0);
        for _ in 0..100_000 {
            let w = v.pick(&mut rng);
            first += usize::from(w == v.words[0]);
            second += usize::from(w == v.words[1]);
        }
        // Rank 1 twice as likely as rank 2; with H(1062) = 7.5, rank 1 is 13%.
        assert!((12_000..14_700).contains(&first), "{first}");
        assert!(
            (1.8..2.2).contains(&(first as f64 / second as f64)),
            "{first} {second}"
        );
    }

    #[test]
    fn a_narrow_range_gives_what_it_can() {
        let range = LetterRange::new(1, 1).unwrap_or_else(|e| panic!("{e}"));
        let v = Vocabulary::letters(10_000, range);
        assert!(v.len() < 400);
    }
}

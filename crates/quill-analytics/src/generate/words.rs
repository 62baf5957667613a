//! The vocabulary of generated posts: common English words, synthetic words, words in
//! other scripts, and the tokenization traps of docs/ANALYTICS.md.

use super::rng::Rng;

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

/// A vocabulary ordered by how common each word is.
pub struct Vocabulary {
    words: Vec<String>,
}

impl Vocabulary {
    /// About `size` words: the common ones first, then others, deterministic.
    pub fn new(size: usize) -> Self {
        let mut words: Vec<String> = COMMON.split(' ').map(str::to_owned).collect();
        let mut rng = Rng::new(0x0051_5749_4C4C);
        let mut extra = Vec::new();
        while words.len() + extra.len() < size.max(words.len() + 100) {
            let n = 2 + rng.below(3);
            let w: String = (0..n).map(|_| SYLLABLES[rng.below(24) as usize]).collect();
            extra.push(w);
        }
        // Other scripts and traps are spread through the frequency ranks.
        for (i, w) in OTHER_SCRIPTS.iter().chain(TRAPS.iter()).enumerate() {
            let at = (i * 37) % extra.len().max(1);
            extra.insert(at, (*w).to_owned());
        }
        words.extend(extra);
        Self { words }
    }

    /// A word, Zipf-like: common words dominate, the tail is long.
    pub fn pick<'a>(&'a self, rng: &mut Rng) -> &'a str {
        &self.words[rng.skewed(self.words.len(), 3.0)]
    }
}

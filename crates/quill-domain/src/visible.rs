//! Whether text shows anything: a title or body made only of spaces, zero-width
//! characters or fillers would publish a post that looks empty.

/// Whether `c` shows nothing: white space, a Unicode Default_Ignorable_Code_Point
/// (zero-width spaces and joiners, the byte-order mark, bidi controls, variation
/// selectors, the Hangul fillers) or the blank Braille pattern.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// Whether `text` has at least one character that shows.
pub fn has_visible(text: &str) -> bool {
    !text.chars().all(is_invisible)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fillers_and_zero_width_characters_show_nothing() {
        let cases = [
            ("", false),
            (" \t\n", false),
            ("\u{200B}", false),
            ("\u{FEFF}\u{200B}", false),
            ("\u{3164}", false),
            ("\u{2800} \u{115F}", false),
            ("a", true),
            ("\u{200B}x", true),
            ("日本", true),
            ("🙂", true),
            ("\u{3164}.", true),
        ];
        for (text, shows) in cases {
            assert_eq!(has_visible(text), shows, "{text:?}");
        }
    }
}

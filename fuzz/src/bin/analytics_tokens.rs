//! The analytics tokenizer (quill-analytics `tokens`, docs/ANALYTICS.md) over arbitrary
//! post text: every token is a maximal run of token characters, and the ASCII fast path
//! the reports use gives what the definition gives (lowercase the whole text, then
//! tokenize), as the crate's tests hold it to on random text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quill_fuzz::analytics::tokens::{
    for_each_lowercase_token, is_token_char, lowercase_tokens, tokens,
};

fuzz_target!(|data: &[u8]| {
    let s = quill_fuzz::text(data);
    let s = s.as_ref();
    let mut end = 0;
    for token in tokens(s) {
        assert!(!token.is_empty());
        assert!(token.chars().all(is_token_char));
        // In order, and each one maximal: what stands between two is no token character.
        let start = token.as_ptr() as usize - s.as_ptr() as usize;
        assert!(start >= end);
        assert!(!s[end..start].chars().any(is_token_char));
        end = start + token.len();
    }
    assert!(!s[end..].chars().any(is_token_char));

    let by_definition: Vec<String> = tokens(&s.to_lowercase()).map(str::to_owned).collect();
    let mut fast = Vec::new();
    let count = lowercase_tokens(s, &mut String::new(), |t| {
        fast.push(t.to_lowercase_string())
    });
    assert_eq!(fast, by_definition);
    assert_eq!(count.tokens, tokens(s).count() as u64);
    assert_eq!(count.chars, s.chars().count() as u64);
    let mut general = Vec::new();
    for_each_lowercase_token(s, &mut String::new(), |t| general.push(t.to_owned()));
    assert_eq!(general, by_definition);
});

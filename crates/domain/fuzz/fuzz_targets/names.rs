//! Fuzzes names: real names, passport pinyin in both modes and pinyin suggestions. No input
//! may panic; an accepted strict field is upper-case A–Z without V, and every suggestion
//! passes strict mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lingshi_domain::{PersonName, PinyinField, PinyinMode, suggest_pinyin};

fuzz_target!(|input: &str| {
    let _ = PersonName::parse(input).map(|n| n.masked());
    if let Ok(field) = PinyinField::parse(input, PinyinMode::Strict) {
        assert!(field.as_str().bytes().all(|b| b.is_ascii_uppercase() && b != b'V'));
    }
    let _ = PinyinField::parse(input, PinyinMode::Legacy);
    if let Some(suggestion) = suggest_pinyin(input) {
        assert!(PinyinField::parse(&suggestion.surname, PinyinMode::Strict).is_ok());
        assert!(PinyinField::parse(&suggestion.given_name, PinyinMode::Strict).is_ok());
    }
});

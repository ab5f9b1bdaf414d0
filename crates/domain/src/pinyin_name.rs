//! Names in Hanyu Pinyin as printed on passports, and suggestions from Chinese characters.
//!
//! Passport pinyin is upper-case A–Z without V; ü is written YU after L and N (吕 LYU,
//! 女 NYU) and dropped in LÜE/NÜE (LUE, NUE). A first issue must segment into standard
//! syllables (the 409 of `data/pinyin-syllables.txt`); a renewal copies the old passport
//! exactly, which may predate these rules (legacy mode: letters only).

use crate::error::ValidationError;
use pinyin::ToPinyin;
use std::collections::HashSet;
use std::sync::LazyLock;

const SYLLABLE_TABLE: &str = include_str!("../data/pinyin-syllables.txt");
/// Longest surname or given-name field a passport prints.
pub const MAX_PINYIN_FIELD: usize = 40;
/// Longest standard syllable (CHUANG, SHUANG, ZHUANG).
const MAX_SYLLABLE: usize = 6;

/// The standard syllables in passport spelling (upper-case, ü rewritten).
static SYLLABLES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    SYLLABLE_TABLE
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(passport_spelling)
        .collect()
});

/// Rewrites one toneless syllable as a passport prints it: `lü`→`LYU`, `nü`→`NYU`,
/// `lüe`→`LUE`, `nüe`→`NUE`, and upper-case.
pub fn passport_spelling(syllable: &str) -> String {
    let lower = syllable.to_lowercase();
    let rewritten = match lower.as_str() {
        "lü" | "lv" => "lyu".to_owned(),
        "nü" | "nv" => "nyu".to_owned(),
        other => other.replace(['ü', 'v'], "u"),
    };
    rewritten.to_ascii_uppercase()
}

/// How strictly a pinyin field is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinyinMode {
    /// First issues and new travel documents: standard syllables only.
    Strict,
    /// Renewals copy the old passport: A–Z only.
    Legacy,
}

/// One pinyin field (surname or given name) that passed its mode's rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct PinyinField(String);

impl PinyinField {
    /// Upper-cases and trims; refuses spaces, symbols, digits and (strict) V or any run of
    /// letters that is not a sequence of standard syllables.
    pub fn parse(input: &str, mode: PinyinMode) -> Result<Self, ValidationError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::Required);
        }
        if trimmed.chars().count() > MAX_PINYIN_FIELD {
            return Err(ValidationError::TooLong);
        }
        if !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ValidationError::PinyinCharset);
        }
        let upper = trimmed.to_ascii_uppercase();
        if mode == PinyinMode::Strict {
            if upper.contains('V') {
                return Err(ValidationError::PinyinLetterV);
            }
            if segment(&upper).is_none() {
                return Err(ValidationError::PinyinNotStandard);
            }
        }
        Ok(Self(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Splits upper-case letters into standard syllables by dynamic programming, preferring
/// the split with the fewest syllables (XIAN is one syllable, not XI'AN). `None` when no
/// split exists.
pub fn segment(letters: &str) -> Option<Vec<&str>> {
    let n = letters.len();
    // best[i] = (syllable count, start of last syllable) for the prefix of length i.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(MAX_SYLLABLE)..end {
            let Some((count, _)) = best[start] else {
                continue;
            };
            let candidate = letters.get(start..end)?;
            if SYLLABLES.contains(candidate) && best[end].is_none_or(|(c, _)| count + 1 < c) {
                best[end] = Some((count + 1, start));
            }
        }
    }
    best[n]?;
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        parts.push(&letters[start..end]);
        end = start;
    }
    parts.reverse();
    Some(parts)
}

/// A suggested passport spelling of a Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PinyinSuggestion {
    pub surname: String,
    pub given_name: String,
}

/// Compound surnames, which are read together and whose characters read differently alone.
const COMPOUND_SURNAMES: [(&str, &str); 20] = [
    ("欧阳", "OUYANG"),
    ("司马", "SIMA"),
    ("上官", "SHANGGUAN"),
    ("诸葛", "ZHUGE"),
    ("东方", "DONGFANG"),
    ("皇甫", "HUANGFU"),
    ("尉迟", "YUCHI"),
    ("公孙", "GONGSUN"),
    ("慕容", "MURONG"),
    ("令狐", "LINGHU"),
    ("司徒", "SITU"),
    ("夏侯", "XIAHOU"),
    ("宇文", "YUWEN"),
    ("长孙", "ZHANGSUN"),
    ("澹台", "TANTAI"),
    ("呼延", "HUYAN"),
    ("端木", "DUANMU"),
    ("轩辕", "XUANYUAN"),
    ("万俟", "MOQI"),
    ("单于", "CHANYU"),
];

/// Characters whose reading as a surname differs from their everyday reading.
const SURNAME_READINGS: [(char, &str); 30] = [
    ('曾', "ZENG"),
    ('单', "SHAN"),
    ('区', "OU"),
    ('仇', "QIU"),
    ('解', "XIE"),
    ('朴', "PIAO"),
    ('查', "ZHA"),
    ('盖', "GE"),
    ('乐', "YUE"),
    ('缪', "MIAO"),
    ('种', "CHONG"),
    ('翟', "ZHAI"),
    ('覃', "QIN"),
    ('员', "YUN"),
    ('秘', "BI"),
    ('繁', "PO"),
    ('召', "SHAO"),
    ('尉', "YU"),
    ('那', "NA"),
    ('句', "GOU"),
    ('莘', "SHEN"),
    ('折', "SHE"),
    ('隗', "WEI"),
    ('冼', "XIAN"),
    ('重', "CHONG"),
    ('卜', "BU"),
    ('薄', "BO"),
    ('瞿', "QU"),
    ('谌', "CHEN"),
    ('长', "ZHANG"),
];

/// The everyday reading of a character in passport spelling, if it is a standard syllable
/// (interjections such as 呣 "m" are not, and cannot be suggested).
fn standard_reading(c: char) -> Option<String> {
    let reading = passport_spelling(c.to_pinyin()?.plain());
    SYLLABLES.contains(&reading).then_some(reading)
}

/// Suggests surname and given name in passport pinyin for a name written in Chinese
/// characters, reading the surname (single or compound) as a surname. `None` when the name
/// is not all Chinese characters of known reading, or has no given name.
pub fn suggest_pinyin(chinese_name: &str) -> Option<PinyinSuggestion> {
    let name = chinese_name.trim();
    let (surname, given) = match COMPOUND_SURNAMES.iter().find(|(hanzi, _)| name.starts_with(hanzi)) {
        Some((hanzi, reading)) => ((*reading).to_owned(), &name[hanzi.len()..]),
        None => {
            let first = name.chars().next()?;
            let reading = SURNAME_READINGS
                .iter()
                .find(|(c, _)| *c == first)
                .map(|(_, r)| (*r).to_owned())
                .or_else(|| standard_reading(first))?;
            (reading, &name[first.len_utf8()..])
        }
    };
    if given.is_empty() {
        return None;
    }
    let given_name = given.chars().map(standard_reading).collect::<Option<String>>()?;
    // A suggestion must itself be acceptable: e.g. a very long name exceeds the field.
    PinyinField::parse(&surname, PinyinMode::Strict).ok()?;
    PinyinField::parse(&given_name, PinyinMode::Strict).ok()?;
    Some(PinyinSuggestion { surname, given_name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_table_has_the_409_standard_syllables() {
        assert_eq!(SYLLABLES.len(), 409);
        assert!(SYLLABLES.contains("LYU") && SYLLABLES.contains("NUE") && !SYLLABLES.contains("LV"));
    }

    #[test]
    fn strict_mode_accepts_standard_names_in_any_case() {
        for name in ["ZHANG", "san", "XIAOMING", "LYU", "NYU", "LUE", "ZHUANGZHUANG", "OUYANG", "XIAN"] {
            assert!(PinyinField::parse(name, PinyinMode::Strict).is_ok(), "{name}");
        }
        assert_eq!(PinyinField::parse("san", PinyinMode::Strict).map(|p| p.0), Ok("SAN".into()));
    }

    #[test]
    fn strict_mode_refuses_what_faq_4_lists() {
        assert_eq!(PinyinField::parse("XIAO MING", PinyinMode::Strict), Err(ValidationError::PinyinCharset));
        assert_eq!(PinyinField::parse("XIAO-MING", PinyinMode::Strict), Err(ValidationError::PinyinCharset));
        assert_eq!(PinyinField::parse("LV", PinyinMode::Strict), Err(ValidationError::PinyinLetterV));
        assert_eq!(PinyinField::parse("JOHN", PinyinMode::Strict), Err(ValidationError::PinyinNotStandard));
        assert_eq!(PinyinField::parse("ZHÄNG", PinyinMode::Strict), Err(ValidationError::PinyinCharset));
        assert_eq!(PinyinField::parse("", PinyinMode::Strict), Err(ValidationError::Required));
    }

    #[test]
    fn legacy_mode_copies_any_letters() {
        assert_eq!(PinyinField::parse("JOHN", PinyinMode::Legacy).map(|p| p.0), Ok("JOHN".into()));
        assert_eq!(PinyinField::parse("LV", PinyinMode::Legacy).map(|p| p.0), Ok("LV".into()));
        assert_eq!(PinyinField::parse("JO HN", PinyinMode::Legacy), Err(ValidationError::PinyinCharset));
    }

    #[test]
    fn segmentation_prefers_fewest_syllables() {
        assert_eq!(segment("XIAN"), Some(vec!["XIAN"]));
        assert_eq!(segment("XIANGGANG"), Some(vec!["XIANG", "GANG"]));
        assert_eq!(segment("QQ"), None);
    }

    #[test]
    fn suggestions_read_surnames_as_surnames() {
        let s = |name: &str| suggest_pinyin(name).map(|s| (s.surname, s.given_name));
        assert_eq!(s("张三"), Some(("ZHANG".into(), "SAN".into())));
        assert_eq!(s("曾国藩"), Some(("ZENG".into(), "GUOFAN".into())));
        assert_eq!(s("单田芳"), Some(("SHAN".into(), "TIANFANG".into())));
        assert_eq!(s("区小明"), Some(("OU".into(), "XIAOMING".into())));
        assert_eq!(s("欧阳修"), Some(("OUYANG".into(), "XIU".into())));
        assert_eq!(s("吕布"), Some(("LYU".into(), "BU".into())));
        assert_eq!(s("张"), None);
        assert_eq!(s("John"), None);
        assert_eq!(s("张呣"), None, "an interjection has no standard syllable");
        assert_eq!(s(&format!("张{}", "龘".repeat(21))), None, "longer than a passport field");
    }

    #[test]
    fn every_suggestion_passes_strict_mode() {
        for name in ["张三", "曾国藩", "吕布", "女娲", "欧阳修", "诸葛亮", "李略"] {
            let suggestion = suggest_pinyin(name).expect(name);
            assert!(PinyinField::parse(&suggestion.surname, PinyinMode::Strict).is_ok(), "{name}");
            assert!(PinyinField::parse(&suggestion.given_name, PinyinMode::Strict).is_ok(), "{name}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(input in "\\PC{0,100}") {
            let _ = PinyinField::parse(&input, PinyinMode::Strict);
            let _ = PinyinField::parse(&input, PinyinMode::Legacy);
            let _ = suggest_pinyin(&input);
        }

        #[test]
        fn concatenated_syllables_always_segment(picks in proptest::collection::vec(0usize..409, 1..6)) {
            let table: Vec<&String> = { let mut v: Vec<_> = SYLLABLES.iter().collect(); v.sort(); v };
            let name: String = picks.iter().map(|i| table[*i].as_str()).collect();
            prop_assert!(segment(&name).is_some(), "{}", name);
        }
    }
}

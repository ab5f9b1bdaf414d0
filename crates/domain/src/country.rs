//! Countries and regions by their ISO 3166-1 alpha-2 code, with the names a citizen reads
//! (Chinese and English): where an applicant lives or is now, and a mission's consular
//! district, are chosen and shown by name, never as bare codes.

use crate::place_name::{PlaceName, place_names};

/// A country or region the platform can name.
pub type Country = PlaceName;

/// The answer "another country or region" to "where do you live / where are you now".
pub const OTHER: &str = "OTHER";

/// Every country of Europe (where the seeded missions are), China with Hong Kong, Macau and
/// Taiwan, and the countries Chinese citizens abroad most often live in; sorted by code.
pub const ALL: &[Country] = place_names![
    ("AD", "安道尔", "Andorra"),
    ("AE", "阿联酋", "United Arab Emirates"),
    ("AL", "阿尔巴尼亚", "Albania"),
    ("AR", "阿根廷", "Argentina"),
    ("AT", "奥地利", "Austria"),
    ("AU", "澳大利亚", "Australia"),
    ("BA", "波黑", "Bosnia and Herzegovina"),
    ("BE", "比利时", "Belgium"),
    ("BG", "保加利亚", "Bulgaria"),
    ("BR", "巴西", "Brazil"),
    ("BY", "白俄罗斯", "Belarus"),
    ("CA", "加拿大", "Canada"),
    ("CH", "瑞士", "Switzerland"),
    ("CN", "中国", "China"),
    ("CY", "塞浦路斯", "Cyprus"),
    ("CZ", "捷克", "Czechia"),
    ("DE", "德国", "Germany"),
    ("DK", "丹麦", "Denmark"),
    ("EE", "爱沙尼亚", "Estonia"),
    ("EG", "埃及", "Egypt"),
    ("ES", "西班牙", "Spain"),
    ("FI", "芬兰", "Finland"),
    ("FR", "法国", "France"),
    ("GB", "英国", "United Kingdom"),
    ("GR", "希腊", "Greece"),
    ("HK", "中国香港", "Hong Kong, China"),
    ("HR", "克罗地亚", "Croatia"),
    ("HU", "匈牙利", "Hungary"),
    ("ID", "印度尼西亚", "Indonesia"),
    ("IE", "爱尔兰", "Ireland"),
    ("IL", "以色列", "Israel"),
    ("IN", "印度", "India"),
    ("IS", "冰岛", "Iceland"),
    ("IT", "意大利", "Italy"),
    ("JP", "日本", "Japan"),
    ("KR", "韩国", "Republic of Korea"),
    ("KZ", "哈萨克斯坦", "Kazakhstan"),
    ("LI", "列支敦士登", "Liechtenstein"),
    ("LT", "立陶宛", "Lithuania"),
    ("LU", "卢森堡", "Luxembourg"),
    ("LV", "拉脱维亚", "Latvia"),
    ("MA", "摩洛哥", "Morocco"),
    ("MC", "摩纳哥", "Monaco"),
    ("MD", "摩尔多瓦", "Moldova"),
    ("ME", "黑山", "Montenegro"),
    ("MK", "北马其顿", "North Macedonia"),
    ("MO", "中国澳门", "Macao, China"),
    ("MT", "马耳他", "Malta"),
    ("MX", "墨西哥", "Mexico"),
    ("MY", "马来西亚", "Malaysia"),
    ("NL", "荷兰", "Netherlands"),
    ("NO", "挪威", "Norway"),
    ("NZ", "新西兰", "New Zealand"),
    ("PH", "菲律宾", "Philippines"),
    ("PL", "波兰", "Poland"),
    ("PT", "葡萄牙", "Portugal"),
    ("RO", "罗马尼亚", "Romania"),
    ("RS", "塞尔维亚", "Serbia"),
    ("RU", "俄罗斯", "Russia"),
    ("SA", "沙特阿拉伯", "Saudi Arabia"),
    ("SE", "瑞典", "Sweden"),
    ("SG", "新加坡", "Singapore"),
    ("SI", "斯洛文尼亚", "Slovenia"),
    ("SK", "斯洛伐克", "Slovakia"),
    ("SM", "圣马力诺", "San Marino"),
    ("TH", "泰国", "Thailand"),
    ("TR", "土耳其", "Türkiye"),
    ("TW", "中国台湾", "Taiwan, China"),
    ("UA", "乌克兰", "Ukraine"),
    ("US", "美国", "United States"),
    ("VA", "梵蒂冈", "Vatican City"),
    ("VN", "越南", "Viet Nam"),
    ("ZA", "南非", "South Africa"),
];

/// The country with `code` (any case).
pub fn find(code: &str) -> Option<&'static Country> {
    crate::place_name::find(ALL, code)
}

/// A country answer normalised: a known code upper-cased, or [`OTHER`]; `None` otherwise.
pub fn parse_answer(answer: &str) -> Option<&'static str> {
    let answer = answer.trim();
    if answer.eq_ignore_ascii_case(OTHER) { Some(OTHER) } else { find(answer).map(|c| c.code) }
}

/// The name of `code` in `locale`, or the code itself when it names no known country.
pub fn name_of(code: &str, locale: &str) -> String {
    crate::place_name::name_of(ALL, code, locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_unique_two_letter_codes() {
        assert!(ALL.windows(2).all(|w| w[0].code < w[1].code), "sorted, no duplicates");
        assert!(ALL.iter().all(|c| c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn answers_are_known_codes_or_other() {
        assert_eq!(parse_answer(" be "), Some("BE"));
        assert_eq!(parse_answer("other"), Some(OTHER));
        assert_eq!(parse_answer("XX"), None);
        assert_eq!(parse_answer(""), None);
        assert_eq!(name_of("BE", "zh-CN"), "比利时");
        assert_eq!(name_of("BE", "en"), "Belgium");
        assert_eq!(name_of("XX", "en"), "XX");
    }
}
